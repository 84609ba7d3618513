# Shared harness for the integration tests: TAP output, a private slapd
# per test file, and helpers that run a command the way a user types it.
#
#   . "$top_srcdir/tests/lib.sh"
#   sandbox_start --example
#   run 0 ulogin-user show soer0001          # exit code, then the command
#   stdout_has 'Name: *Søren Nielsen' "show prints the name"
#   ldap_attr uid=soer0001,ou=people,$ULOGIN_BASE cn  # the server's answer
#   done_testing
#
# Every check prints one TAP line.  Missing prerequisites skip the whole
# file with a reason ("1..0 # SKIP ...").

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export LC_ALL=C.UTF-8 TZ=UTC
# OpenLDAP's clients and ours must not read the machine's ldap.conf.
export LDAPNOINIT=1
# Nor may a developer's ULOGIN_* settings (every one lib/config.c reads).
unset ULOGIN_CONFIG ULOGIN_URI ULOGIN_BASE ULOGIN_BIND_DN \
	ULOGIN_PASSWORD_FILE ULOGIN_OUTPUT ULOGIN_AUDIT_LOG ULOGIN_SASL_MECH \
	ULOGIN_CHECK_MODULE ULOGIN_BIND_PASSWORD ULOGIN_PASSWORD \
	ULOGIN_IMPORT_KEY_FILE ULOGIN_IMPORT_MAP ULOGIN_MAX_LEAVERS \
	ULOGIN_PRUNE_RETENTION ULOGIN_STARTTLS ULOGIN_STEP_UP_DEFAULT \
	ULOGIN_STEP_UP_MAX ULOGIN_SYSLOG ULOGIN_TIMEOUT ULOGIN_TLS_CA_FILE
export HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent

PATH="$top_builddir:$top_srcdir/scripts:$PATH"
export PATH

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ulogin-test.XXXXXX")
OUT=$TEST_TMP/stdout
ERR=$TEST_TMP/stderr
_tap_n=0
_tap_failed=0
_sandbox=

cleanup() {
	if [ -n "$_sandbox" ]; then
		ulogin-sandbox stop "$_sandbox" >/dev/null 2>&1
	fi
	# ULOGIN_TEST_KEEP=1 keeps the files of a failed test file (the
	# sandbox's slapd.log too) for a look afterwards.
	if [ "${ULOGIN_TEST_KEEP:-0}" = 1 ] && [ "$_tap_failed" -gt 0 ]; then
		echo "# kept $TEST_TMP" >&2
	else
		rm -rf "$TEST_TMP"
	fi
}
trap cleanup EXIT

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

ok() {	# ok CONDITION-EXIT-CODE DESCRIPTION
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
		if [ -n "${_last_cmd:-}" ]; then
			echo "#   command: $_last_cmd"
			echo "#   exit: ${rc:-}"
			sed 's/^/#   stdout: /' "$OUT" 2>/dev/null | head -n 20
			sed 's/^/#   stderr: /' "$ERR" 2>/dev/null | head -n 20
		fi
	fi
}

is() {	# is GOT EXPECTED DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
	fi
}

# The number GOT lies between LOW and HIGH (a time the server counts down).
between() {	# between GOT LOW HIGH DESCRIPTION
	case $1 in
	''|*[!0-9]*) set -- -1 "$2" "$3" "$4" ;;
	esac
	if [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; then
		ok 0 "$4"
	else
		ok 1 "$4"
		printf '#   got:      %s\n#   expected: %s to %s\n' "$1" "$2" "$3"
	fi
}

# The command as the TAP lines show it: a control character of an argument
# (the tests of inert output pass some) as '?', so that a test's own output
# cannot clear the screen or break its line.
_shown() { printf '%s' "$*" | LC_ALL=C tr '\001-\037\177' '[?*]'; }

# run EXPECTED-EXIT COMMAND... : run it with stdin closed, keep its stdout
# and stderr, and check the exit code (one TAP line).
run() {
	local want=$1
	shift
	_last_cmd=$(_shown "$@")
	"$@" >"$OUT" 2>"$ERR" </dev/null
	rc=$?
	if [ "$rc" -eq 99 ] || grep -q 'Sanitizer' "$ERR"; then
		ok 1 "$_last_cmd ran without a memory error"
		return
	fi
	is "$rc" "$want" "'$_last_cmd' exits $want"
}

# run_in INPUT EXPECTED-EXIT COMMAND...: the same, with INPUT on stdin.
run_in() {
	local input=$1 want=$2
	shift 2
	_last_cmd=$(_shown "$@")
	printf '%s' "$input" | "$@" >"$OUT" 2>"$ERR"
	rc=$?
	is "$rc" "$want" "'$_last_cmd' exits $want"
}

stdout_is() {	# stdout_is EXPECTED DESCRIPTION
	is "$(cat "$OUT")" "$1" "$2"
}

stdout_has() {	# stdout_has REGEX DESCRIPTION (grep -E)
	grep -Eq -- "$1" "$OUT"
	ok $? "$2"
}

stdout_lacks() {
	! grep -Eq -- "$1" "$OUT"
	ok $? "$2"
}

stderr_has() {
	grep -Eq -- "$1" "$ERR"
	ok $? "$2"
}

stderr_is() {
	is "$(cat "$ERR")" "$1" "$2"
}

same_text() {	# same_text FILE1 FILE2 DESCRIPTION: one TAP line, the diff if not
	if diff "$1" "$2" >"$TEST_TMP/diff" 2>&1; then
		ok 0 "$3"
	else
		ok 1 "$3"
		head -n 30 "$TEST_TMP/diff" | sed 's/^/#   /'
	fi
}

stdout_empty() {
	[ ! -s "$OUT" ]
	ok $? "$1"
}

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
	exit $?
}

# sandbox_start [--example]: a private slapd for this test file; its
# settings (ULOGIN_*) are exported.
sandbox_start() {
	command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] ||
		skip_all "slapd is not installed (Debian package slapd)"
	command -v ldapsearch >/dev/null 2>&1 ||
		skip_all "ldapsearch is not installed (Debian package ldap-utils)"
	_sandbox=$TEST_TMP/sb
	# The check module of this build (also when the build directory is
	# not the source directory, as in make distcheck).
	# Only the sandbox gets it: it writes it into its config, which tests
	# may replace.
	_module=
	if [ -f "$top_builddir/module/.libs/ulogin_check.so" ]; then
		_module=$top_builddir/module/.libs/ulogin_check.so
	fi
	if ! ULOGIN_CHECK_MODULE=$_module ulogin-sandbox start "$@" "$_sandbox" >"$TEST_TMP/sandbox.log" 2>&1
	then
		echo "Bail out! cannot start the sandbox:"
		sed 's/^/# /' "$TEST_TMP/sandbox.log"
		exit 1
	fi
	# shellcheck disable=SC1091
	. "$_sandbox/env"
	AUDIT_LOG=$_sandbox/audit.log
}

# sandbox2_start DIR: a second sandbox with the example schools, started
# the way sandbox_start starts the first (with this build's check
# module), and stopped when the test file ends.  Its settings are in
# DIR/env; the first sandbox's stay exported.
sandbox2_start() {
	if ! ULOGIN_CHECK_MODULE=$_module ulogin-sandbox start --example "$1" \
		>"$TEST_TMP/sandbox2.log" 2>&1; then
		echo "Bail out! cannot start the second sandbox:"
		sed 's/^/# /' "$TEST_TMP/sandbox2.log"
		exit 1
	fi
	_sandbox2=$1
	trap 'ulogin-sandbox stop "$_sandbox2" >/dev/null 2>&1; cleanup' EXIT
}

# allow_sources NAME[=INST,INST][:links=A,B][:roles=R,R]...: let these
# import sources run (ulogin.yaml's "sources:"), each writing the given
# institutions (by default 280001 and 280002, the example school's).  A
# source the config names already is left as it is.
allow_sources() {
	local spec name part insts value lines=""
	for spec in "$@"; do
		name=${spec%%[=:]*}
		# Once is enough (the sandbox keeps them when it restarts).
		grep -q "^  $name:\$" "$ULOGIN_CONFIG" && continue
		part=${spec#"$name"}
		case $part in
		=*) insts=${part#=}; insts=${insts%%:*} ;;
		*) insts=280001,280002 ;;
		esac
		lines="$lines  $name:\n    institutions: [$insts]\n"
		case $part in *:*) part=${part#*:} ;; *) part= ;; esac
		while [ -n "$part" ]; do
			value=${part#*=}
			lines="$lines    ${part%%=*}: [${value%%:*}]\n"
			case $part in *:*) part=${part#*:} ;; *) part= ;; esac
		done
	done
	awk -v add="$lines" '{ print } /^sources:$/ { printf "%s", add }' \
		"$ULOGIN_CONFIG" >"$ULOGIN_CONFIG.new" &&
		mv "$ULOGIN_CONFIG.new" "$ULOGIN_CONFIG"
}

# OpenLDAP's own client as the directory manager: the server is the judge.
# wait_for_growth BEFORE COMMAND...: poll COMMAND, which prints a number,
# every 50 ms until it prints more than BEFORE (for 30 s at most): to act
# while a program started in the background is at work.
wait_for_growth() {
	local before=$1 tries=0
	shift
	while [ "$("$@")" -le "$before" ]; do
		if [ $tries -ge 600 ]; then
			echo "# wait_for_growth: '$*' stayed at $before for 30 s"
			return 1
		fi
		sleep 0.05
		tries=$((tries + 1))
	done
}

# pupils N: a roster of N pupils in ulogin's own CSV, E0001/u0001 on, in
# the classes 0a-9a of school 280001: a run that takes a while.
pupils() {
	awk -v n="$1" 'BEGIN {
		print "ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre"
		for (i = 1; i <= n; i++)
			printf "E%04d,Elev%d,Hansen,Elev,280001,u%04d,%da,%d,,,,\n",
			    i, i, i, i % 10, i % 10
	}'
}

# users: how many users ldapsearch finds below ou=people.
users() {
	ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=uloginAccount)' 1.1 |
		grep -c '^dn:'
}

ldap_search() {	# ldap_search BASE FILTER [ATTR...]
	local base=$1 filter=$2
	shift 2
	ldapsearch -x -LLL -o ldif-wrap=no -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" -b "$base" "$filter" "$@"
}

# The values of ATTR of the entry DN, one a line (base64 decoded).
ldap_attr() {	# ldap_attr DN ATTR
	ldapsearch -x -LLL -o ldif-wrap=no -H "$ULOGIN_URI" \
		-D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" -s base -b "$1" \
		'(objectClass=*)' "$2" 2>/dev/null |
	while IFS= read -r line; do
		case $line in
		"$2:: "*) printf '%s\n' "${line#*:: }" | base64 -d; echo ;;
		"$2: "*) printf '%s\n' "${line#*: }" ;;
		esac
	done
}

# bind_as USERNAME PASSWORD: OpenLDAP's ldapwhoami as that user, with
# the ppolicy control; its exit code, its output in $TEST_TMP/bind.out.
bind_as() {
	printf '%s' "$2" >"$TEST_TMP/bind.pw"
	chmod 600 "$TEST_TMP/bind.pw"
	ldapwhoami -x -H "$ULOGIN_URI" -D "$(people "$1")" \
		-y "$TEST_TMP/bind.pw" -e ppolicy >"$TEST_TMP/bind.out" 2>&1
}

# whoami_as USER PASSWORD: ldapwhoami as USER with the password-policy
# control, its output on stdout.  The password goes through a pipe, never
# into a file (for passwords the tests must find nowhere).
whoami_as() {
	printf '%s' "$2" | ldapwhoami -x -H "$ULOGIN_URI" -D "$(people "$1")" \
		-y /dev/stdin -e ppolicy 2>&1
}
must_change() {	# must_change USER PASSWORD DESCRIPTION: slapd says so at bind
	whoami_as "$1" "$2" | grep -q 'Password must be changed'
	ok $? "$3"
}

# lock_out USER: as many wrong passwords as USER's password policy in the
# directory allows (pwdMaxFailure of the entry pwdPolicySubentry names,
# else of cn=default), with ldapwhoami: slapd locks the account out.
lock_out() {
	local policy max i=0
	policy=$(dm_attr "$(people "$1")" pwdPolicySubentry)
	max=$(dm_attr "${policy:-cn=default,ou=policies,$ULOGIN_BASE}" pwdMaxFailure)
	while [ "$i" -lt "${max:-0}" ]; do
		i=$((i + 1))
		bind_as "$1" "wrong-$i"
	done
	[ "${max:-0}" -gt 0 ]
}

ldap_exists() {	# ldap_exists DN
	ldapsearch -x -LLL -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" -s base -b "$1" '(objectClass=*)' dn \
		>/dev/null 2>&1
}

# server_may_vanish: for the rest of the test file, slapd may go away under
# a running program.  libldap then loses a message it read (slapd's Notice
# of Disconnection) inside ldap_result(); tests/lsan-libldap.supp names
# exactly those allocations, which LeakSanitizer can only see with slow
# unwinding (liblber has no frame pointers).  Every other leak still fails.
server_may_vanish() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
	LSAN_OPTIONS="suppressions=$top_srcdir/tests/lsan-libldap.supp"
	export ASAN_OPTIONS LSAN_OPTIONS
}

people() { printf 'uid=%s,ou=people,%s' "$1" "$ULOGIN_BASE"; }
class() { printf 'cn=%s,ou=classes,%s' "$1" "$ULOGIN_BASE"; }

# as NAME: work as the sandbox's account NAME from here on (DIR/env-NAME
# sets ULOGIN_* for ulogin and for ldap_search); as_manager: as the
# directory manager again (DIR/env).
as() { . "$_sandbox/env-$1"; }
as_manager() { . "$_sandbox/env"; }

# dm_attr DN ATTR: ldap_attr as the directory manager, whoever we are.
dm_attr() { (as_manager && ldap_attr "$1" "$2"); }

# ldapmodify_as NAME FILE: OpenLDAP's ldapmodify of the LDIF in FILE,
# bound as the example user NAME with their password file.
ldapmodify_as() {
	ldapmodify -x -H "$ULOGIN_URI" -D "$(people "$1")" \
		-y "$_sandbox/$1.pw" -f "$2"
}

# oneroster_manifest DIR: the manifest.csv of a OneRoster 1.1 bulk export
# of orgs, classes, enrollments and users, in DIR (made if need be).
oneroster_manifest() {
	mkdir -p "$1"
	cat >"$1/manifest.csv" <<'EOF'
propertyName,value
oneroster.version,1.1
file.orgs,bulk
file.classes,bulk
file.enrollments,bulk
file.users,bulk
EOF
}

# secrets_nowhere DIR DESCRIPTION SECRETS: one TAP line saying that none
# of SECRETS (one a line: the passwords a test handed out) is in a file
# of $TEST_TMP -- the sandbox, its slapd.log and the audit log included --
# but those below the directory DIR of $TEST_TMP, where the passwords
# files are.  The secrets are never printed, nor written anywhere.
secrets_nowhere() {
	local dir=${1#"$TEST_TMP"/}

	printf '%s\n' "$3" | {
		found=0
		n=0
		while IFS= read -r p; do
			[ -n "$p" ] || continue
			n=$((n + 1))
			if grep -rqF --exclude-dir="$dir" -- "$p" "$TEST_TMP" ||
			   { [ -n "${AUDIT_LOG:-}" ] &&
			     grep -qF -- "$p" "$AUDIT_LOG"; }; then
				echo "# secret $n was found in a file"
				found=1
			fi
		done
		[ "$n" -gt 0 ] && exit $found
		echo "# no secrets to look for"
		exit 1
	}
	ok $? "$2"
}

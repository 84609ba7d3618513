#!/bin/sh
# consistency.sh -- each program's help, man page and completions agree.
#
# For ulogin-user, ulogin-policy, ulogin-import, ulogin-class and
# ulogin-stepup, and each command their help lists:
# --help prints to stdout and exits 0, --version exits 0, an unknown option
# exits 64 with a "Try" line, and every long option the help lists is
# accepted; every long option and command in the help appears in
# man/PROGRAM.1, is offered by the bash completion (which is run, not
# grepped) and appears in the zsh completion.  One TAP line per check.
#
# Environment: ULOGIN_USER_BIN (default ./ulogin-user), ULOGIN_POLICY_BIN
# (default ./ulogin-policy), ULOGIN_IMPORT_BIN (default ./ulogin-import),
# ULOGIN_CLASS_BIN, ULOGIN_STEPUP_BIN (likewise), srcdir (default .).

srcdir=${srcdir:-.}

# Known disagreements between a help text and its program, as
# "PROGRAM COMMAND --OPTION reason".  Their checks are reported as TODO
# (expected failures) so that the rest of the suite still guards; when
# the program or its help is fixed, automake reports the check as XPASS,
# which fails the suite until the line below is removed.
known_bugs=""

# Nothing here may reach a directory server or read the caller's settings.
unset ULOGIN_CONFIG ULOGIN_URI ULOGIN_BASE ULOGIN_BIND_DN \
	ULOGIN_PASSWORD_FILE ULOGIN_SASL_MECH ULOGIN_TLS_CA_FILE ULOGIN_OUTPUT \
	ULOGIN_AUDIT_LOG ULOGIN_CHECK_MODULE ULOGIN_STARTTLS ULOGIN_SYSLOG \
	ULOGIN_TIMEOUT ULOGIN_PASSWORD ULOGIN_BIND_PASSWORD ULOGIN_IMPORT_MAP \
	ULOGIN_IMPORT_KEY_FILE ULOGIN_MAX_LEAVERS ULOGIN_STEP_UP_DEFAULT \
	ULOGIN_STEP_UP_MAX
LDAPNOINIT=1 HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent LC_ALL=C
export LDAPNOINIT HOME XDG_CONFIG_HOME LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ulogin-consistency.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

# The TAP lines are collected first so that the plan can come first.
results=$tmp/results
: >"$results"
n=0
failed=0

ok() {	# ok STATUS DESCRIPTION [DIAGNOSTIC-FILE]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2" >>"$results"
	else
		echo "not ok $n - $2" >>"$results"
		case $2 in
		*'# TODO'*) ;;		# expected to fail
		*) failed=$((failed + 1)) ;;
		esac
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			sed -n '1,10s/^/#   /p' "$3" >>"$results"
		fi
	fi
}

skip() {	# skip DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2" >>"$results"
}

finish() {
	echo "1..$n"
	cat "$results"
	[ "$failed" -eq 0 ] || exit 1
	exit 0
}

# todo PROGRAM COMMAND OPTION : " # TODO reason" when the option is a
# known bug of that command (COMMAND empty for the program itself).
todo() {
	printf '%s\n' "$known_bugs" | while read -r p c o reason; do
		if [ "$p" = "$1" ] && [ "$c" = "${2:--}" ] && [ "$o" = "$3" ]
		then
			printf ' # TODO %s' "$reason"
		fi
	done
}

# run NAME ARGS... : run the program, keeping stdout, stderr and status,
# and NAME.diag to show when a check fails.
run() {
	name=$1
	shift
	"$bin" "$@" >"$t/$name.out" 2>"$t/$name.err" </dev/null
	echo $? >"$t/$name.rc"
	{
		echo "$prog $*: exit status $(cat "$t/$name.rc")"
		sed 's/^/stderr: /' "$t/$name.err"
	} >"$t/$name.diag"
}

# Does FILE hold a line matching the extended regular expression?
has() {
	grep -Eq -- "$2" "$1"
}

# complete WORD... : what the bash completion of $prog offers when the
# last WORD is the one being completed, one candidate a line.
complete_bash() {
	bash --norc --noprofile -c '
		compopt() { :; }	# only works inside real completion
		prog=$1
		. "$2" || exit 1
		shift 2
		f=$(complete -p "$prog" 2>/dev/null |
			sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$f" ] || exit 1
		COMP_WORDS=("$prog" "$@")
		COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		"$f" "$prog" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' consistency "$prog" "$bashc" "$@"
}

# check_program PROGRAM BINARY : every check, for one program.
check_program() {
	prog=$1
	bin=$2
	man=$srcdir/man/$prog.1
	bashc=$srcdir/completions/bash/$prog
	zshc=$srcdir/completions/zsh/_$prog
	t=$tmp/$prog
	mkdir "$t" || exit 99

	if [ ! -x "$bin" ]; then
		ok 1 "$prog is built ($bin)"
		return
	fi

	# ---- the program's own help ---------------------------------------

	run top-help --help
	# One command a line, indented by two spaces; a line indented more
	# continues the one before (a long synopsis and its description).
	commands=$(sed -n '/^Commands:/,/^$/p' "$t/top-help.out" |
		awk 'NR > 1 && /^  [^ ]/ { print $1 }')
	[ -n "$commands" ]
	ok $? "$prog --help lists the commands" "$t/top-help.out"

	# ---- --help, --version and an unknown option at every level -------

	for level in '' $commands; do
		label="$prog${level:+ $level}"
		id=${level:-top}

		run "$id-help" $level --help
		[ "$(cat "$t/$id-help.rc")" -eq 0 ]
		ok $? "$label --help exits 0" "$t/$id-help.diag"
		[ -s "$t/$id-help.out" ]
		ok $? "$label --help prints on stdout"
		[ ! -s "$t/$id-help.err" ]
		ok $? "$label --help prints nothing on stderr" "$t/$id-help.err"
		has "$t/$id-help.out" "$prog\\(1\\)"
		ok $? "$label --help points to $prog(1)"

		run "$id-version" $level --version
		[ "$(cat "$t/$id-version.rc")" -eq 0 ]
		ok $? "$label --version exits 0" "$t/$id-version.diag"
		has "$t/$id-version.out" "^$prog .*[0-9]"
		ok $? "$label --version prints the version on stdout" \
			"$t/$id-version.out"

		run "$id-bad" $level --no-such-option
		[ "$(cat "$t/$id-bad.rc")" -eq 64 ]
		ok $? "$label --no-such-option exits 64" "$t/$id-bad.diag"
		has "$t/$id-bad.err" "Try '$prog"
		ok $? "$label --no-such-option says \"Try '$prog...\" on stderr" \
			"$t/$id-bad.err"
		[ ! -s "$t/$id-bad.out" ]
		ok $? "$label --no-such-option prints nothing on stdout" \
			"$t/$id-bad.out"

		# The long options this level's help lists, and those of them
		# that take a value ("--uri URI" on an option line).  The
		# options in the synopses of the Commands section are the
		# commands' own, checked at their level.
		sed '/^Commands:/,/^$/d' "$t/$id-help.out" |
			grep -o -- '--[a-z][a-z0-9-]*' | sort -u \
			>"$t/$id-options"
		sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z0-9-]*\) [A-Z].*/\2/p' \
			"$t/$id-help.out" | sort -u >"$t/$id-valued"

		# Each of them is accepted here: given before --help, it is
		# not reported as unknown.  A value that is wrong for the
		# option may be refused; the option itself must be known.
		while read -r opt; do
			if grep -qx -- "$opt" "$t/$id-valued"; then
				run "$id-accepts" $level "$opt=x" --help
			else
				run "$id-accepts" $level "$opt" --help
			fi
			! has "$t/$id-accepts.err" "unknown option '$opt'"
			ok $? "$label accepts $opt$(todo "$prog" "$level" "$opt")" \
				"$t/$id-accepts.diag"
		done <"$t/$id-options"
	done

	# A password on the command line is refused, not just left
	# undocumented.
	run password-long --password secret list
	[ "$(cat "$t/password-long.rc")" -eq 64 ]
	ok $? "$prog --password is refused with exit 64" \
		"$t/password-long.diag"
	run password-short -w secret list
	[ "$(cat "$t/password-short.rc")" -eq 64 ]
	ok $? "$prog -w is refused with exit 64" "$t/password-short.diag"

	# Every long option of any level, once.
	cat "$t"/*-options | sort -u >"$t/all-options"

	# ---- the man page --------------------------------------------------

	if [ -r "$man" ]; then
		# mdoc writes "--name" as ".Fl \-name"; compare without the
		# escape.
		sed 's/\\-/-/g' "$man" >"$t/man"
		while read -r opt; do
			has "$t/man" "Fl ${opt#-}([^a-z0-9-]|\$)"
			ok $? "man/$prog.1 documents $opt"
		done <"$t/all-options"
		for c in $commands; do
			has "$t/man" "(^|[^A-Za-z])Cm $c([^a-z0-9-]|\$)"
			ok $? "man/$prog.1 documents the command $c"
		done
		has "$t/man" '^\.Sh EXIT STATUS$'
		ok $? "man/$prog.1 has an EXIT STATUS section"
		if command -v mandoc >/dev/null 2>&1; then
			mandoc -Tlint -W warning "$man" >"$t/lint" 2>&1
			ok $? "man/$prog.1 has no mandoc warnings" "$t/lint"
		else
			skip "man/$prog.1 has no mandoc warnings" \
				"mandoc not found"
		fi
	else
		ok 1 "man/$prog.1 exists"
	fi

	# ---- bash completion: run it for every level -----------------------

	if ! command -v bash >/dev/null 2>&1; then
		skip "bash completion of $prog" "bash not found"
	elif [ ! -r "$bashc" ]; then
		ok 1 "completions/bash/$prog exists"
	else
		bash -n "$bashc" >"$t/bash-n" 2>&1
		ok $? "completions/bash/$prog is valid bash" "$t/bash-n"
		bash --norc --noprofile -c '. "$1" && complete -p "$2"' \
			consistency "$bashc" "$prog" >"$t/bash-complete-p" 2>&1
		has "$t/bash-complete-p" "^complete .*-F [^ ]+ $prog\$"
		ok $? "completions/bash/$prog registers a completion function" \
			"$t/bash-complete-p"

		complete_bash '' >"$t/bash-commands" 2>&1
		for c in $commands; do
			grep -qx -- "$c" "$t/bash-commands"
			ok $? "bash completion offers the command $prog $c" \
				"$t/bash-commands"
		done
		complete_bash -o '' >"$t/bash-formats" 2>&1
		for f in table tsv csv json; do
			grep -qx -- "$f" "$t/bash-formats"
			ok $? "bash completion offers '$prog -o $f'" \
				"$t/bash-formats"
		done
		for level in '' $commands; do
			id=${level:-top}
			label="$prog${level:+ $level}"
			complete_bash $level -- >"$t/bash-$id" 2>&1
			while read -r opt; do
				grep -qx -- "$opt" "$t/bash-$id"
				ok $? "bash completion offers $opt after '$label'$(todo "$prog" "$level" "$opt")"
			done <"$t/$id-options"
		done
	fi

	# ---- zsh completion --------------------------------------------------

	if [ -r "$zshc" ]; then
		if command -v zsh >/dev/null 2>&1; then
			zsh -n "$zshc" >"$t/zsh-n" 2>&1
			ok $? "completions/zsh/_$prog is valid zsh" "$t/zsh-n"
		else
			skip "completions/zsh/_$prog is valid zsh" \
				"zsh not found"
		fi
		has "$zshc" "^#compdef $prog\$"
		ok $? "completions/zsh/_$prog starts with #compdef $prog"
		# The options every program has are in the shared
		# _ulogin_common.
		cat "$zshc" "$srcdir/completions/zsh/_ulogin_common" \
			>"$t/zsh-all" 2>/dev/null
		while read -r opt; do
			has "$t/zsh-all" "(^|[^a-z0-9-])$opt([^a-z0-9-]|\$)"
			ok $? "zsh completion of $prog knows $opt"
		done <"$t/all-options"
		for c in $commands; do
			has "$zshc" "'$c:"
			ok $? "zsh completion offers the command $prog $c"
		done
	else
		ok 1 "completions/zsh/_$prog exists"
	fi
}

check_program ulogin-user "${ULOGIN_USER_BIN:-./ulogin-user}"
check_program ulogin-policy "${ULOGIN_POLICY_BIN:-./ulogin-policy}"
check_program ulogin-import "${ULOGIN_IMPORT_BIN:-./ulogin-import}"
check_program ulogin-class "${ULOGIN_CLASS_BIN:-./ulogin-class}"
check_program ulogin-stepup "${ULOGIN_STEPUP_BIN:-./ulogin-stepup}"
finish

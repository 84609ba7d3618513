#!/bin/sh
# consistency.sh -- ulogin-user's help, man page and completions agree.
#
# For the program and each command it lists: --help prints to stdout and
# exits 0, --version exits 0, an unknown option exits 64 with a "Try" line;
# every long option and command in the help appears in man/ulogin-user.1,
# is offered by the bash completion (which is run, not grepped) and appears
# in the zsh completion.  One TAP line per check.
#
# Environment: ULOGIN_USER_BIN (default ./ulogin-user), srcdir (default .).

bin=${ULOGIN_USER_BIN:-./ulogin-user}
srcdir=${srcdir:-.}
man=$srcdir/man/ulogin-user.1
bashc=$srcdir/completions/bash/ulogin-user
zshc=$srcdir/completions/zsh/_ulogin-user

# Nothing here may reach a directory server or read the caller's settings.
unset ULOGIN_CONFIG ULOGIN_URI ULOGIN_BASE ULOGIN_BIND_DN \
	ULOGIN_PASSWORD_FILE ULOGIN_SASL_MECH ULOGIN_TLS_CA_FILE ULOGIN_OUTPUT \
	ULOGIN_AUDIT_LOG ULOGIN_STARTTLS ULOGIN_SYSLOG ULOGIN_TIMEOUT \
	ULOGIN_PASSWORD ULOGIN_BIND_PASSWORD
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
		failed=$((failed + 1))
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

# run NAME ARGS... : run the program, keeping stdout, stderr and status,
# and NAME.diag to show when a check fails.
run() {
	name=$1
	shift
	"$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	echo $? >"$tmp/$name.rc"
	{
		echo "ulogin-user $*: exit status $(cat "$tmp/$name.rc")"
		sed 's/^/stderr: /' "$tmp/$name.err"
	} >"$tmp/$name.diag"
}

# Does FILE hold a line matching the extended regular expression?
has() {
	grep -Eq -- "$2" "$1"
}

if [ ! -x "$bin" ]; then
	ok 1 "ulogin-user is built ($bin)"
	finish
fi

# ---- the program's own help --------------------------------------------

run top-help --help
commands=$(sed -n '/^Commands:/,/^$/p' "$tmp/top-help.out" |
	awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ]
ok $? "ulogin-user --help lists the commands" "$tmp/top-help.out"

# ---- --help, --version and an unknown option at every level ------------

for level in '' $commands; do
	label="ulogin-user${level:+ $level}"
	id=${level:-top}

	run "$id-help" $level --help
	[ "$(cat "$tmp/$id-help.rc")" -eq 0 ]
	ok $? "$label --help exits 0" "$tmp/$id-help.diag"
	[ -s "$tmp/$id-help.out" ]
	ok $? "$label --help prints on stdout"
	[ ! -s "$tmp/$id-help.err" ]
	ok $? "$label --help prints nothing on stderr" "$tmp/$id-help.err"
	has "$tmp/$id-help.out" 'ulogin-user\(1\)'
	ok $? "$label --help points to ulogin-user(1)"

	run "$id-version" $level --version
	[ "$(cat "$tmp/$id-version.rc")" -eq 0 ]
	ok $? "$label --version exits 0" "$tmp/$id-version.diag"
	has "$tmp/$id-version.out" '^ulogin-user .*[0-9]'
	ok $? "$label --version prints the version on stdout" \
		"$tmp/$id-version.out"

	run "$id-bad" $level --no-such-option
	[ "$(cat "$tmp/$id-bad.rc")" -eq 64 ]
	ok $? "$label --no-such-option exits 64" "$tmp/$id-bad.diag"
	has "$tmp/$id-bad.err" "Try 'ulogin-user"
	ok $? "$label --no-such-option says \"Try 'ulogin-user...\" on stderr" \
		"$tmp/$id-bad.err"
	[ ! -s "$tmp/$id-bad.out" ]
	ok $? "$label --no-such-option prints nothing on stdout" \
		"$tmp/$id-bad.out"

	# The long options this level's help lists.
	grep -o -- '--[a-z][a-z0-9-]*' "$tmp/$id-help.out" | sort -u \
		>"$tmp/$id-options"
done

# A password on the command line is refused, not just left undocumented.
run password-long --password secret list
[ "$(cat "$tmp/password-long.rc")" -eq 64 ]
ok $? "ulogin-user --password is refused with exit 64" \
	"$tmp/password-long.diag"
run password-short -w secret list
[ "$(cat "$tmp/password-short.rc")" -eq 64 ]
ok $? "ulogin-user -w is refused with exit 64" "$tmp/password-short.diag"

# Every long option of any level, once.
cat "$tmp"/*-options | sort -u >"$tmp/all-options"

# ---- the man page -------------------------------------------------------

if [ -r "$man" ]; then
	# mdoc writes "--name" as ".Fl \-name"; compare without the escape.
	sed 's/\\-/-/g' "$man" >"$tmp/man"
	while read -r opt; do
		has "$tmp/man" "Fl ${opt#-}([^a-z0-9-]|\$)"
		ok $? "man/ulogin-user.1 documents $opt"
	done <"$tmp/all-options"
	for c in $commands; do
		has "$tmp/man" "(^|[^A-Za-z])Cm $c([^a-z0-9-]|\$)"
		ok $? "man/ulogin-user.1 documents the command $c"
	done
	has "$tmp/man" '^\.Sh EXIT STATUS$'
	ok $? "man/ulogin-user.1 has an EXIT STATUS section"
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -Tlint -W warning "$man" >"$tmp/lint" 2>&1
		ok $? "man/ulogin-user.1 has no mandoc warnings" "$tmp/lint"
	else
		skip "man/ulogin-user.1 has no mandoc warnings" "mandoc not found"
	fi
else
	ok 1 "man/ulogin-user.1 exists"
fi

# ---- bash completion: run it for every level ----------------------------

# complete WORD... : what the completion offers when the last WORD is the
# one being completed, one candidate a line.
complete_bash() {
	bash --norc --noprofile -c '
		compopt() { :; }	# only works inside real completion
		. "$1" || exit 1
		shift
		f=$(complete -p ulogin-user 2>/dev/null |
			sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$f" ] || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		"$f" ulogin-user "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' consistency "$bashc" ulogin-user "$@"
}

if ! command -v bash >/dev/null 2>&1; then
	skip "bash completion" "bash not found"
elif [ ! -r "$bashc" ]; then
	ok 1 "completions/bash/ulogin-user exists"
else
	bash -n "$bashc" >"$tmp/bash-n" 2>&1
	ok $? "completions/bash/ulogin-user is valid bash" "$tmp/bash-n"
	bash --norc --noprofile -c '. "$1" && complete -p ulogin-user' \
		consistency "$bashc" >"$tmp/bash-complete-p" 2>&1
	has "$tmp/bash-complete-p" '^complete .*-F [^ ]+ ulogin-user$'
	ok $? "completions/bash/ulogin-user registers a completion function" \
		"$tmp/bash-complete-p"

	complete_bash '' >"$tmp/bash-commands" 2>&1
	for c in $commands; do
		grep -qx -- "$c" "$tmp/bash-commands"
		ok $? "bash completion offers the command $c" "$tmp/bash-commands"
	done
	for level in '' $commands; do
		id=${level:-top}
		label="ulogin-user${level:+ $level}"
		complete_bash $level -- >"$tmp/bash-$id" 2>&1
		while read -r opt; do
			grep -qx -- "$opt" "$tmp/bash-$id"
			ok $? "bash completion offers $opt after '$label'"
		done <"$tmp/$id-options"
	done
fi

# ---- zsh completion -------------------------------------------------------

if [ -r "$zshc" ]; then
	if command -v zsh >/dev/null 2>&1; then
		zsh -n "$zshc" >"$tmp/zsh-n" 2>&1
		ok $? "completions/zsh/_ulogin-user is valid zsh" "$tmp/zsh-n"
	else
		skip "completions/zsh/_ulogin-user is valid zsh" "zsh not found"
	fi
	has "$zshc" '^#compdef ulogin-user'
	ok $? "completions/zsh/_ulogin-user starts with #compdef ulogin-user"
	while read -r opt; do
		has "$zshc" "(^|[^a-z0-9-])$opt([^a-z0-9-]|\$)"
		ok $? "zsh completion knows $opt"
	done <"$tmp/all-options"
	for c in $commands; do
		has "$zshc" "'$c:"
		ok $? "zsh completion offers the command $c"
	done
else
	ok 1 "completions/zsh/_ulogin-user exists"
fi

finish

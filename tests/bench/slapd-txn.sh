#!/usr/bin/env bash
# tests/bench/slapd-txn.sh: how the sandbox's slapd copes with LDAP
# transactions (RFC 5805), and why ulogin-import does not use them.  Not
# part of "make check": one scenario crashes slapd.
#
# Each scenario adds entries with tests/bench/slapd-txn.c into a fresh
# sandbox and reports whether slapd survived and how much its resident
# memory grew per entry:
#
#   1. batches of 1 change, ended at once       (slapd 2.5.13: crashes)
#   2. batches of 1 change, ended after 2 ms
#   3. batches of 500, ended after 2 ms
#   4. no transactions                          (the memory reference)
#
# slapd 2.5 answers a change in a transaction before the thread that queued
# it has finished with it; an End Transaction arriving in that moment
# frees the change under that thread (scenario 1; a pause only makes it
# rarer).  Entries added in a transaction are never freed in 2.5.13
# (OpenLDAP ITS#9892, fixed in 2.5.14): compare 3 with 4.
#
# A fifth scenario uses OpenLDAP's own ldapmodify: a transaction of three
# new people fails (one DN is taken), the same three go one by one, and
# slapd is restarted.  The failed transaction was the first to use 'sn';
# back-mdb forgets the undo of its attribute numbering on a transaction's
# abort, so the entries added after it cannot be read any more (2.5.13:
# "internal error in mdb_entry_decode").
#
# Exits 0 whatever it finds, 1 if a step itself failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
export LDAPNOINIT=1 LC_ALL=C.UTF-8
unset ULOGIN_CONFIG ULOGIN_URI ULOGIN_BASE ULOGIN_BIND_DN ULOGIN_PASSWORD_FILE

say() { printf 'slapd-txn: %s\n' "$*" >&2; }
fail() {
	say "$*"
	exit 1
}
for tool in gcc ldapwhoami; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/ulogin-slapd-txn.XXXXXX")
sb=$dir/sb
trap 'scripts/ulogin-sandbox stop "$sb" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
gcc -O2 -Wall -o "$dir/slapd-txn" "$top/tests/bench/slapd-txn.c" -lldap -llber ||
	fail "cannot build tests/bench/slapd-txn.c (libldap2-dev installed?)"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

sandbox() {	# sandbox [fresh]: (re)start the sandbox, empty with "fresh"
	scripts/ulogin-sandbox stop "$sb" >/dev/null 2>&1 || true
	[ "${1:-}" = fresh ] && rm -rf "$sb"
	scripts/ulogin-sandbox start "$sb" >"$dir/sandbox.log" 2>&1 || {
		cat "$dir/sandbox.log" >&2
		fail "cannot start a sandbox"
	}
	# shellcheck disable=SC1091
	. "$sb/env"
}
ldap() {	# ldap TOOL ARGS...: an OpenLDAP client as the directory manager
	local tool=$1
	shift
	"$tool" -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" "$@"
}

printf '%-46s %8s %8s  %s\n' scenario entries "kB/entry" slapd
scenario() {	# scenario NAME COUNT BATCH PAUSE-US
	local pid before after added alive=survived
	sandbox fresh
	pid=$(cat "$sb/slapd.pid")
	before=$(rss "$pid")
	"$dir/slapd-txn" "$ULOGIN_URI" "$ULOGIN_BIND_DN" "$ULOGIN_PASSWORD_FILE" \
		"ou=classes,$ULOGIN_BASE" "$2" "$3" "$4" 2>"$dir/client.err" || true
	after=$(rss "$pid")
	if ! kill -0 "$pid" 2>/dev/null ||
		! ldapwhoami -x -H "$ULOGIN_URI" >/dev/null 2>&1; then
		alive="CRASHED ($(tail -n 1 "$dir/client.err"))"
		after=$before
	fi
	added=$(ldap ldapsearch -LLL -b "ou=classes,$ULOGIN_BASE" -s one \
		'(cn=txn-*)' 1.1 2>/dev/null | grep -c '^dn:' || true)
	[ "$alive" = survived ] || added="-"
	awk -v name="$1" -v n="$added" -v a="$before" -v b="$after" -v s="$alive" 'BEGIN {
		per = n + 0 > 0 ? sprintf("%.2f", (b - a) / n) : "-"
		printf "%-46s %8s %8s  %s\n", name, n, per, s
	}'
}

scenario "1. batches of 1, ended at once" 2000 1 0
scenario "2. batches of 1, ended after 2 ms" 2000 1 2000
scenario "3. batches of 500, ended after 2 ms" 20000 500 2000
scenario "4. no transactions" 20000 0 0

# 5. a failed transaction, the first to use an attribute
sandbox fresh
person() {	# person UID: an LDIF add of a person
	printf 'dn: uid=%s,ou=people,%s\nchangetype: add\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n\n' \
		"$1" "$ULOGIN_BASE" "$1" "$1" "$1"
}
printf 'dn: uid=p2,ou=people,%s\nobjectClass: account\nuid: p2\n' "$ULOGIN_BASE" |
	ldap ldapadd >/dev/null || fail "cannot add uid=p2"
{ person p1; person p2; person p3; } >"$dir/people.ldif"
ldap ldapmodify -E txn=commit -f "$dir/people.ldif" >/dev/null 2>&1 &&
	fail "the transaction did not fail (uid=p2 is taken)"
ldap ldapmodify -c -f "$dir/people.ldif" >/dev/null 2>&1 || true
sandbox
if ldap ldapsearch -LLL -b "ou=people,$ULOGIN_BASE" 1.1 >"$dir/people.out" 2>&1; then
	result="entries readable"
else
	result="entries UNREADABLE ($(grep -i 'additional info' "$dir/people.out" |
		sed 's/.*: //'))"
fi
printf '%-46s %8s %8s  %s\n' "5. failed transaction, then one by one" 2 - "$result"
exit 0

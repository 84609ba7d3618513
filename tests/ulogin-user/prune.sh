#!/bin/sh
# ulogin-user prune: accounts unused for the idle period are blocked and
# marked (uloginPrunedAt), and deleted on a later run once they stayed
# unused for the retention; -n changes nothing (the whole directory,
# dumped with ldapsearch, is the same); never the last administrator,
# nor an account blocked for another reason; the max_leavers guard; and
# slapd refuses the mark to a teacher's raw ldapmodify.
#
# Unused accounts need old pwdLastSuccess and createTimestamp values,
# which no client may write: they are loaded with slapadd into the
# stopped sandbox.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
SLAPADD=/usr/sbin/slapadd
[ -x "$SLAPADD" ] || skip_all "slapadd is not installed (Debian package slapd)"
sandbox_start --example
S=$_sandbox
B=$ULOGIN_BASE
run 0 ulogin-policy apply -q

recent=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
hash=$(/usr/sbin/slappasswd -s 'Idle-Pass-2019x')
# account UID ROLE INSTITUTION LAST-LOGIN|- CREATED [EXTRA-LINE...]
account() {
	uid=$1 role=$2 inst=$3 last=$4 created=$5
	shift 5
	printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\n' "$uid" "$B"
	printf 'objectClass: uloginAccount\nuid: %s\ncn: %s Test\n' "$uid" "$uid"
	printf 'sn: Test\nuloginRole: %s\nuloginInstitution: %s\n' "$role" "$inst"
	[ "$last" = - ] || printf 'pwdLastSuccess: %s\n' "$last"
	printf 'createTimestamp: %s\n' "$created"
	for line in "$@"; do printf '%s\n' "$line"; done
	echo
}
{
	# Unused since 2020; never used, made in 2019; unused, with a
	# password (it comes back below).
	account idle0001 student 280001 20200101000000Z 20190101000000Z
	account idle0002 student 280001 - 20190101000000Z
	account idle0003 student 280001 20200301000000Z 20190101000000Z \
		"userPassword: $hash"
	# Made long ago, but used yesterday.
	account used0001 student 280001 "$recent" 20190101000000Z
	# Unused and already blocked, for another reason.
	account oldb0001 student 280001 20200101000000Z 20190101000000Z \
		"pwdAccountLockedTime: 000001010000Z" \
		"uloginBlockReason: moved abroad"
	# An unused teacher (staff: not the administrator's to prune).
	account oldt0001 teacher 280001 20200101000000Z 20190101000000Z
	# The only administrator of 280003, unused.
	account olda0001 staff 280003 20200101000000Z 20190101000000Z \
		"uloginAdminOf: 280003"
	# Unused, at the other school.
	account olds0001 student 280002 20200101000000Z 20190101000000Z
} >"$TEST_TMP/old.ldif"
ulogin-sandbox stop "$S" >/dev/null
"$SLAPADD" -F "$S/slapd.d" -b "$B" -l "$TEST_TMP/old.ldif" >"$TEST_TMP/slapadd.out" 2>&1
ok $? "slapadd loads the unused accounts into the stopped sandbox"
ULOGIN_CHECK_MODULE=$_module ulogin-sandbox start "$S" >/dev/null 2>&1
ok $? "the sandbox starts again"
is "$(ldap_attr "$(people idle0001)" pwdLastSuccess)" 20200101000000Z \
	"idle0001 was last used in 2020"
# A retention the test can wait for, later made shorter.
printf 'prune_retention: 1h\n' >>"$ULOGIN_CONFIG"

# dump FILE: the whole directory as the manager sees it, with the state
# ppolicy keeps; not pwdLastSuccess, which every bind of the operator
# moves.
dump() {
	(as_manager && ldap_search "$B" '(objectClass=*)' '*' \
		pwdAccountLockedTime pwdReset pwdPolicySubentry pwdChangedTime \
		createTimestamp) >"$1"
}
marked() {
	(as_manager && ldap_search "ou=people,$B" '(uloginPrunedAt=*)' uid) |
		sed -n 's/^uid: //p' | sort | tr '\n' ' '
}

# ---- -n changes nothing ---------------------------------------------------------
as kirs0001
dump "$TEST_TMP/before"
run 0 ulogin-user prune --idle 2y -n -o json
is "$(jq -r '[.[] | select(.action == "block") | .username] | join(" ")' "$OUT")" \
	"idle0001 idle0002 idle0003" "-n: the three unused pupils would be blocked"
is "$(jq -r '[.[] | select(.action == "block") | .result] | unique | join(" ")' "$OUT")" \
	dry-run "as a dry run"
is "$(jq -r '.[] | select(.username == "oldb0001") | .action + ": " + .detail' "$OUT")" \
	"skip: already blocked, and it keeps its reason: moved abroad" \
	"an account blocked for another reason is left alone"
is "$(jq -r '.[] | select(.username == "oldt0001") | .action' "$OUT")" skip \
	"a teacher is not the administrator's to prune"
is "$(jq -r '.[] | select(.username == "idle0002") | .last_used' "$OUT")" \
	2019-01-01T00:00:00Z "never used: counted from its creation"
is "$(jq -r '[.[].username] | map(select(. == "used0001" or . == "olds0001")) | length' "$OUT")" \
	0 "not the account used yesterday, nor one of the other school"
stderr_has "would block 3, delete 0, unmark 0; waiting 0, kept 0, skipped 2; of [0-9]+ accounts \(dry run: nothing was changed\)$" \
	"a summary line"
dump "$TEST_TMP/after"
same_text "$TEST_TMP/before" "$TEST_TMP/after" "-n: the directory is the same (ldapsearch dump)"

# ---- confirmation, the guard ---------------------------------------------------
run 64 ulogin-user prune --idle 2y
stderr_has "refusing to prune without confirmation" "no terminal and no --yes: refused"
run 65 ulogin-user prune --idle 1s --yes -o tsv
stderr_has "the run would block or delete [0-9]+ of the [0-9]+ accounts \(max_leavers 10% allows [0-9]+\); nothing was changed" \
	"everybody idle for a second: the mass-removal guard refuses"
stderr_has "run again with --force" "and says how to go past it"
stdout_has "^aase0001	" "the list shows whom it would have been"
dump "$TEST_TMP/after"
same_text "$TEST_TMP/before" "$TEST_TMP/after" "the guard changed nothing"

# On a terminal it asks once, naming them; 'n' changes nothing.
if command -v script >/dev/null 2>&1; then
	printf 'n\n' | script -qec "ulogin-user prune --idle 2y" /dev/null \
		>"$TEST_TMP/tty.out" 2>&1
	ok $? "declining on a terminal is not an error"
	grep -q "Block 3 unused accounts (idle0001, idle0002, idle0003)? \[y/N\]" "$TEST_TMP/tty.out"
	ok $? "the question names the accounts"
	grep -q "nothing was changed" "$TEST_TMP/tty.out"
	ok $? "and after 'n' it says nothing was changed"
	dump "$TEST_TMP/after"
	same_text "$TEST_TMP/before" "$TEST_TMP/after" "nothing was"
fi

# ---- block and mark ------------------------------------------------------------
run 0 ulogin-user prune --idle 2y --yes -o tsv
stdout_has "^idle0003	idle0003 Test	block	2020-03-01T00:00:00Z	done	$" \
	"each block is in the list, done"
stderr_has "^ulogin-user: blocked 3, deleted 0, unmark(ed)? 0; waiting 0, kept 0, skipped 2; of [0-9]+ accounts$" \
	"a summary line"
is "$(marked)" "idle0001 idle0002 idle0003 " "slapd holds the mark on exactly those three"
for u in idle0001 idle0002 idle0003; do
	is "$(ldap_attr "$(people $u)" pwdAccountLockedTime)" 000001010000Z "$u is blocked"
done
is "$(ldap_attr "$(people idle0001)" uloginBlockedBy)" "$(people kirs0001)" \
	"kirs0001 is recorded as who blocked"
ldap_attr "$(people idle0001)" uloginBlockReason | grep -q "^unused since 2020-01-01"
ok $? "the reason says since when it was unused"
is "$(ldap_attr "$(people oldb0001)" uloginBlockReason)" "moved abroad" \
	"oldb0001 keeps its own reason"
is "$(ldap_attr "$(people oldt0001)" pwdAccountLockedTime)" "" "the teacher is not blocked"
is "$(ldap_attr "$(people used0001)" pwdAccountLockedTime)" "" "nor the account used yesterday"
bind_as idle0003 'Idle-Pass-2019x'
grep -q "Account locked" "$TEST_TMP/bind.out"
ok $? "slapd refuses idle0003's login now"
run 0 ulogin-user show idle0001 -o json
jq -r .pruned_at "$OUT" | grep -Eq '^20[0-9-]+T[0-9:]+Z$'
ok $? "show tells when it was blocked as unused"
grep -c '"action":"user.prune"' "$S/audit.log" | grep -qx 3
ok $? "three user.prune lines in the audit log"

# ---- a later run: waiting, then deleted -------------------------------------------
run 0 ulogin-user prune --idle 2y --yes -o tsv
stdout_has "^idle0001	idle0001 Test	wait	.*deleted from 20" "within the retention: waiting"
is "$(marked)" "idle0001 idle0002 idle0003 " "nothing deleted yet"
# idle0003 is unblocked, and logs in.
printf 'dn: %s\nchangetype: modify\ndelete: pwdAccountLockedTime\n' "$(people idle0003)" |
	ldapmodify -x -H "$ULOGIN_URI" -D "cn=admin,$B" -y "$S/admin.pw" >/dev/null
bind_as idle0003 'Idle-Pass-2019x'
ok $? "idle0003, unblocked, logs in"
sed -i 's/^prune_retention: 1h$/prune_retention: 2s/' "$ULOGIN_CONFIG"
sleep 3
run 0 ulogin-user prune --idle 2y --yes -o tsv
stdout_has "^idle0001	idle0001 Test	delete	2020-01-01T00:00:00Z	done	blocked as unused on .* and still unused$" \
	"after the retention: deleted"
stdout_has "^idle0003	idle0003 Test	unmark	.*	done	unblocked since it was blocked as unused on " \
	"the unblocked one loses the mark"
! (as_manager && ldap_exists "$(people idle0001)")
ok $? "idle0001 is gone (the manager's ldapsearch)"
! (as_manager && ldap_exists "$(people idle0002)")
ok $? "idle0002 is gone"
(as_manager && ldap_exists "$(people idle0003)")
ok $? "idle0003 is still there"
is "$(marked)" "" "no marks are left"
stderr_has "blocked 0, deleted 2, unmarked 1; waiting 0, kept 0, skipped 2" "the summary"

# ---- the directory manager: staff too, but never the last administrator ----
as_manager
run 0 ulogin-user prune --idle 2y --yes -o json
is "$(jq -r '.[] | select(.username == "olda0001") | .action + ": " + .detail' "$OUT")" \
	"keep: the last administrator of 280003" "the last administrator of 280003 is kept"
is "$(ldap_attr "$(people olda0001)" pwdAccountLockedTime)" "" "and not blocked"
is "$(jq -r '[.[] | select(.action == "block") | .username] | join(" ")' "$OUT")" \
	"olds0001 oldt0001" "the manager blocks the teacher and the other school's pupil"
is "$(ldap_attr "$(people oldt0001)" uloginBlockedBy)" "" \
	"the manager is no person: no uloginBlockedBy"

# ---- who may: the program and slapd ----------------------------------------------
as mett0001
run 77 ulogin-user prune --idle 2y --yes
stderr_has "only the administrators of an institution and the directory manager prune accounts" \
	"a teacher may not prune"
printf 'dn: %s\nchangetype: modify\nreplace: uloginPrunedAt\nuloginPrunedAt: 20260101000000Z\n' \
	"$(people soer0001)" >"$TEST_TMP/mark.ldif"
ldapmodify_as mett0001 "$TEST_TMP/mark.ldif" >"$TEST_TMP/ldapmodify.out" 2>&1
is $? 50 "slapd refuses the mark to the teacher's own ldapmodify (insufficient access)"
is "$(dm_attr "$(people soer0001)" uloginPrunedAt)" "" "soer0001 has no mark"
ldapmodify_as kirs0001 "$TEST_TMP/mark.ldif" >/dev/null 2>&1
ok $? "the administrator, who may block, may write it"
as kirs0001
run 77 ulogin-user prune --idle 2y --institution 280002 --yes
stderr_has "you are not an administrator of institution '280002'" "nor another school's"

# ---- usage ------------------------------------------------------------------------
run 64 ulogin-user prune --yes
stderr_has "'prune' needs --idle PERIOD" "--idle is required"
run 64 ulogin-user prune --idle soon --yes
stderr_has "--idle 'soon' is not a period" "a period it understands"
run 0 ulogin-user prune --help
stdout_has "^Usage: ulogin-user prune --idle PERIOD" "--help"

done_testing

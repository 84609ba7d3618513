#!/bin/sh
# ulogin-user prune: accounts unused for the idle period are blocked and
# marked (uloginPrunedAt), and deleted on a later run once they stayed
# unused for the retention; -n changes nothing (the whole directory,
# dumped with ldapsearch, is the same); never the last administrator
# (nor the last one not blocked), nor an account blocked for another
# reason, even one that prune blocked before; only accounts unused for
# the run's idle period are deleted; an account changed between the
# question and the answer is left alone (the changes carry assertions);
# losing the server stops the run with 69; the max_leavers guard; and
# slapd refuses the mark to a teacher's raw ldapmodify, and on staff to
# an administrator's.
#
# Unused accounts need old pwdLastSuccess and createTimestamp values,
# which no client may write: they are loaded with slapadd into the
# stopped sandbox.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
SLAPADD=/usr/sbin/slapadd
[ -x "$SLAPADD" ] || skip_all "slapadd is not installed (Debian package slapd)"
command -v script >/dev/null 2>&1 || skip_all "script is not installed (Debian package bsdutils)"
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
# load LDIF: slapadd it into the stopped sandbox.  The start writes the
# config anew: the retention set below is kept.
load() {
	retention=$(grep '^prune_retention:' "$S/ulogin.yaml")
	ulogin-sandbox stop "$S" >/dev/null
	"$SLAPADD" -F "$S/slapd.d" -b "$B" -l "$1" >"$TEST_TMP/slapadd.out" 2>&1
	ok $? "slapadd loads the unused accounts of $(basename "$1") into the stopped sandbox"
	ULOGIN_CHECK_MODULE=$_module ulogin-sandbox start "$S" >/dev/null 2>&1
	ok $? "the sandbox starts again"
	grep -q '^prune_retention:' "$S/ulogin.yaml" || [ -z "$retention" ] ||
		printf '%s\n' "$retention" >>"$S/ulogin.yaml"
}
load "$TEST_TMP/old.ldif"
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
# The example school's accounts are more than a second old.
sleep 2
run 65 ulogin-user prune --idle 1s --yes -o tsv
stderr_has "the run would block or delete [0-9]+ of the [0-9]+ accounts \(max_leavers 10% allows [0-9]+\); nothing was changed" \
	"everybody idle for a second: the mass-removal guard refuses"
stderr_has "run again with --force" "and says how to go past it"
stdout_has "^aase0001	" "the list shows whom it would have been"
dump "$TEST_TMP/after"
same_text "$TEST_TMP/before" "$TEST_TMP/after" "the guard changed nothing"

# On a terminal it asks once, naming them; 'n' changes nothing.
printf 'n\n' | script -qec "ulogin-user prune --idle 2y" /dev/null \
	>"$TEST_TMP/tty.out" 2>&1
ok $? "declining on a terminal is not an error"
grep -q "Block 3 unused accounts (idle0001, idle0002, idle0003)? \[y/N\]" "$TEST_TMP/tty.out"
ok $? "the question names the accounts"
grep -q "nothing was changed" "$TEST_TMP/tty.out"
ok $? "and after 'n' it says nothing was changed"
dump "$TEST_TMP/after"
same_text "$TEST_TMP/before" "$TEST_TMP/after" "nothing was"

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

# ---- an administrator's run: a marked teacher is the manager's -------------
# The manager marked oldt0001; its retention (2s) is over.  Deleting staff
# is not an administrator's: the run skips it, and does not fail.
sleep 3
as kirs0001
run 0 ulogin-user prune --idle 2y --yes -o json
is "$(jq -r '.[] | select(.username == "oldt0001") | .action + ": " + .detail' "$OUT")" \
	"skip: staff: only the directory manager prunes teachers, staff and administrators" \
	"an administrator's run skips the marked teacher"
(as_manager && ldap_exists "$(people oldt0001)")
ok $? "oldt0001 is still there"
# An administrator unblocks a teacher: slapd lets them take the mark off.
run 0 ulogin-user unblock oldt0001
is "$(dm_attr "$(people oldt0001)" pwdAccountLockedTime)" "" "kirs0001 unblocks oldt0001"
is "$(dm_attr "$(people oldt0001)" uloginPrunedAt)" "" "and the mark goes with the block"

# ---- an administrator may not mark staff -----------------------------------
# With a back-dated mark on a teacher they block, the manager's nightly
# prune would delete the teacher: slapd refuses the mark.
run 0 ulogin-user block oldt0001 --reason "on leave"
for u in lars0001 oldt0001; do
	printf 'dn: %s\nchangetype: modify\nreplace: uloginPrunedAt\nuloginPrunedAt: 20200601000000Z\n' \
		"$(people $u)" >"$TEST_TMP/staffmark.ldif"
	ldapmodify_as kirs0001 "$TEST_TMP/staffmark.ldif" >"$TEST_TMP/ldapmodify.out" 2>&1
	is $? 50 "slapd refuses kirs0001's ldapmodify of the mark on staff $u (insufficient access)"
	is "$(dm_attr "$(people $u)" uloginPrunedAt)" "" "$u has no mark"
done
as_manager
run 0 ulogin-user prune --idle 2y --institution 280001 --yes -o json
is "$(jq -r '.[] | select(.username == "oldt0001") | .action + ": " + .detail' "$OUT")" \
	"skip: already blocked, and it keeps its reason: on leave" \
	"the manager's run leaves the teacher blocked on leave"
(as_manager && ldap_exists "$(people oldt0001)")
ok $? "oldt0001 is still there"

# ---- more unused accounts: blocked by hand meanwhile, used meanwhile -----------
{
	# Unused pupils of 280001.
	for u in rebl0001 rawb0001 long0001 race0001 race0002; do
		account $u student 280001 20200101000000Z 20190101000000Z
	done
	account race0003 student 280001 20200101000000Z 20190101000000Z \
		"userPassword: $hash"
	# Blocked for another reason, the block written with seconds.
	account secs0001 student 280001 20200101000000Z 20190101000000Z \
		"pwdAccountLockedTime: 00000101000000Z" \
		"uloginBlockReason: moved abroad"
	# Institution 280004: two administrators, one on leave (blocked),
	# one unused.
	account adma0001 staff 280004 20200101000000Z 20190101000000Z \
		"uloginAdminOf: 280004" "pwdAccountLockedTime: 000001010000Z" \
		"uloginBlockReason: on leave"
	account admb0001 staff 280004 20200101000000Z 20190101000000Z \
		"uloginAdminOf: 280004"
	# Two unused pupils of 280005.
	account gone0001 student 280005 20200101000000Z 20190101000000Z
	account gone0002 student 280005 20200101000000Z 20190101000000Z
} >"$TEST_TMP/more.ldif"
load "$TEST_TMP/more.ldif"

# answer_after COMMAND HOOK: COMMAND on a terminal (script); when it asks,
# the shell function HOOK runs, then the answer is y.  What the terminal
# showed is in $TEST_TMP/tty.out; the exit code is COMMAND's.
answer_after() {
	rm -f "$TEST_TMP/answer" "$TEST_TMP/tty.out"
	mkfifo "$TEST_TMP/answer"
	script -qec "$1" /dev/null <"$TEST_TMP/answer" >"$TEST_TMP/tty.out" 2>&1 &
	pid=$!
	exec 3>"$TEST_TMP/answer"
	n=0
	until grep -q '\[y/N\]' "$TEST_TMP/tty.out" 2>/dev/null || [ $n -ge 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	$2
	printf 'y\n' >&3
	exec 3>&-
	wait $pid
}
tty_has() {	# tty_has REGEX DESCRIPTION (the terminal's line ends are \r\n)
	if tr -d '\r' <"$TEST_TMP/tty.out" | grep -Eq "$1"; then
		ok 0 "$2"
	else
		ok 1 "$2"
		tr -d '\r' <"$TEST_TMP/tty.out" | sed 's/^/#   tty: /'
	fi
}

# Between the question and the answer, kirs0001 blocks race0001 by hand
# and race0003 logs in: the run leaves both alone.  (Six blocks are more
# than max_leavers allows of kirs0001's accounts: --force.)
as kirs0001
meanwhile() {
	(as kirs0001 && ulogin-user block race0001 --reason "investigation" >/dev/null 2>&1)
	ok $? "meanwhile, kirs0001 blocks race0001"
	bind_as race0003 'Idle-Pass-2019x'
	ok $? "meanwhile, race0003 logs in"
}
answer_after "ulogin-user prune --idle 2y --force -o tsv" meanwhile
is $? 0 "a run with changes meanwhile exits 0"
tty_has "Block 6 unused accounts \([a-z0-9, ]+ and 1 more\)\? \[y/N\]" \
	"the question names them"
tty_has "^secs0001	secs0001 Test	skip	2020-01-01T00:00:00Z		already blocked, and it keeps its reason: moved abroad$" \
	"a block written 00000101000000Z is a block too"
tty_has "^race0001	race0001 Test	block	2020-01-01T00:00:00Z	left alone	changed since it was listed$" \
	"race0001, blocked meanwhile, is left alone"
tty_has "^race0003	race0003 Test	block	2020-01-01T00:00:00Z	left alone	changed since it was listed$" \
	"race0003, used meanwhile, is left alone"
tty_has "'race0001' changed since it was listed \(blocked, or used\): left alone" \
	"and says so"
tty_has "blocked 4, deleted 0, unmarked 0; waiting 0, kept 0, skipped [0-9]+, 2 changed meanwhile and left alone; of [0-9]+ accounts" \
	"the summary counts them apart"
is "$(dm_attr "$(people race0001)" uloginBlockReason)" "investigation" \
	"race0001 keeps kirs0001's reason (ldapsearch)"
is "$(dm_attr "$(people race0001)" uloginPrunedAt)" "" "race0001 has no mark"
is "$(dm_attr "$(people race0003)" pwdAccountLockedTime)" "" "race0003 is not blocked"
is "$(marked)" "long0001 olds0001 race0002 rawb0001 rebl0001 " \
	"the other four are marked (and olds0001, the manager's)"

# ---- a block by hand after prune's is not prune's -----------------------------
# rebl0001: unblocked and blocked again with the commands; the mark goes.
run 0 ulogin-user unblock rebl0001
is "$(dm_attr "$(people rebl0001)" uloginPrunedAt)" "" "unblock takes the mark off rebl0001"
run 0 ulogin-user block rebl0001 --reason "investigation"
# rawb0001: blocked again with ldapmodify, which leaves the mark.
printf 'dn: %s\nchangetype: modify\nreplace: uloginBlockReason\nuloginBlockReason: investigation\n-\nreplace: uloginBlockedAt\nuloginBlockedAt: %s\n' \
	"$(people rawb0001)" "$(date -u +%Y%m%d%H%M%SZ)" >"$TEST_TMP/reblock.ldif"
ldapmodify_as kirs0001 "$TEST_TMP/reblock.ldif" >/dev/null 2>&1
ok $? "kirs0001's ldapmodify blocks rawb0001 again for another reason"
sleep 3
# The retention is over; a run with a longer idle period than the marks'.
run 0 ulogin-user prune --idle 10y --yes -o tsv
stdout_has "^long0001	long0001 Test	wait	2020-01-01T00:00:00Z		blocked as unused; deleted from $(date -u -d '2020-01-01 +3650 days' '+%Y-%m-%d %H:%M UTC') if still unused$" \
	"not unused for the run's 10 years: waiting, not deleted"
stdout_has "^rawb0001	rawb0001 Test	unmark	.*	done	blocked again, for another reason, since it was blocked as unused on " \
	"rawb0001, blocked again for another reason, loses the mark"
stdout_lacks "^rebl0001	" "rebl0001, blocked by hand, is no longer prune's"
for u in rebl0001 rawb0001 long0001 race0002; do
	(as_manager && ldap_exists "$(people $u)")
	ok $? "$u is still there"
done
is "$(dm_attr "$(people rawb0001)" uloginBlockReason)" "investigation" \
	"rawb0001 keeps its reason"
run 0 ulogin-user prune --idle 2y -n -o json
is "$(jq -r '[.[] | select(.action == "delete") | .username] | join(" ")' "$OUT")" \
	"long0001 race0002" "with 2 years, only prune's own blocks would be deleted"

# ---- unblocked between the question and the answer: not deleted -------------
meanwhile() {
	printf 'dn: %s\nchangetype: modify\ndelete: pwdAccountLockedTime\n' \
		"$(people race0002)" >"$TEST_TMP/unblock.ldif"
	ldapmodify_as kirs0001 "$TEST_TMP/unblock.ldif" >/dev/null 2>&1
	ok $? "meanwhile, kirs0001's ldapmodify unblocks race0002"
}
answer_after "ulogin-user prune --idle 2y -o tsv" meanwhile
is $? 0 "a run with an unblock meanwhile exits 0"
tty_has "Delete 2 accounts blocked as unused before \(long0001, race0002\)\? \[y/N\]" \
	"the question names the two"
tty_has "^long0001	long0001 Test	delete	2020-01-01T00:00:00Z	done	" "long0001 is deleted"
tty_has "^race0002	race0002 Test	delete	2020-01-01T00:00:00Z	left alone	changed since it was listed$" \
	"race0002, unblocked meanwhile, is left alone"
! (as_manager && ldap_exists "$(people long0001)")
ok $? "long0001 is gone (ldapsearch)"
(as_manager && ldap_exists "$(people race0002)")
ok $? "race0002 is still there"
# Its mark stayed (a raw unblock); a block by hand takes it off.
run 0 ulogin-user block race0002 --reason "investigation"
is "$(dm_attr "$(people race0002)" uloginPrunedAt)" "" "a block by hand takes the old mark off"

# ---- never the last administrator who is not blocked ------------------------
# adma0001, the other administrator of 280004, is blocked (on leave).
as_manager
run 0 ulogin-user prune --idle 2y --institution 280004 --force --yes -o json
is "$(jq -r '.[] | select(.username == "admb0001") | .action + ": " + .detail' "$OUT")" \
	"keep: the last administrator of 280004" \
	"the only administrator of 280004 not blocked is kept"
is "$(ldap_attr "$(people admb0001)" pwdAccountLockedTime)" "" "and not blocked"

# ---- the server goes away during the run: 69 ---------------------------------
server_may_vanish
meanwhile() {
	ulogin-sandbox stop "$S" >/dev/null 2>&1
	ok $? "meanwhile, slapd stops"
}
answer_after "ulogin-user prune --idle 2y --institution 280005 --force -o tsv" meanwhile
is $? 69 "the run stops with 69 (unavailable), not 1"
tty_has "cannot block user 'gone000[12]'" "it says which change failed"
ULOGIN_CHECK_MODULE=$_module ulogin-sandbox start "$S" >/dev/null 2>&1
ok $? "the sandbox starts again"
is "$(ldap_attr "$(people gone0002)" pwdAccountLockedTime)$(ldap_attr "$(people gone0001)" pwdAccountLockedTime)" \
	"" "neither was blocked"

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

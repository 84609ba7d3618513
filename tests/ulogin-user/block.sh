#!/bin/sh
# ulogin-user block, unblock and unlock: a block is ppolicy's permanent
# lock with why, who and when, refused under a policy without lockout; a
# lock-out after wrong passwords is another thing, ended by unlock only.
# OpenLDAP's ldapwhoami shows what slapd does with each, and raw
# ldapmodify shows slapd refusing whoever may not.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
B=$ULOGIN_BASE
run 0 ulogin-policy apply -q

json_ok() {	# json_ok JQ-EXPRESSION DESCRIPTION (over $OUT)
	jq -e "$1" "$OUT" >/dev/null 2>&1
	ok $? "$2"
}
pw() { cat "$_sandbox/$1.pw"; }
refused() {	# refused OPERATOR DESCRIPTION: the LDIF in $TEST_TMP/try.ldif,
		# sent with ldapmodify as OPERATOR, is refused by slapd (50)
	ldapmodify_as "$1" "$TEST_TMP/try.ldif" >/dev/null 2>&1
	is "$?" 50 "$2"
}
mod_ldif() {	# mod_ldif USER OP ATTR [VALUE]: one modification as LDIF
	printf 'dn: %s\nchangetype: modify\n%s: %s\n' "$(people "$1")" "$2" "$3"
	[ $# -lt 4 ] || printf '%s: %s\n' "$3" "$4"
}

# ---- block: the lock, why, who and when, in one modify --------------------
bind_as mett0001 "$(pw mett0001)"
ok $? "before: mett0001 logs in (ldapwhoami)"
hash_before=$(dm_attr "$(people mett0001)" userPassword)
as kirs0001
before=$(date -u +%Y%m%d%H%M%SZ)
run 0 ulogin-user block mett0001 --reason "Laptop stolen, 2026-12-01" -o tsv
stdout_is "username	result	state	reason
mett0001	done	blocked	blocked by kirs0001 on $(date -u -d "$(echo "$before" |
	sed -E 's/^(....)(..)(..)(..)(..).*/\1-\2-\3 \4:\5/')" '+%Y-%m-%d %H:%M UTC'): Laptop stolen, 2026-12-01" \
	"block reports the user, done, and the state with who, when and why"
stderr_has "^ulogin-user: blocked 'mett0001'$" "block says what it did"
is "$(dm_attr "$(people mett0001)" pwdAccountLockedTime)" 000001010000Z \
	"slapd holds the permanent lock"
is "$(dm_attr "$(people mett0001)" uloginBlockReason)" "Laptop stolen, 2026-12-01" \
	"the reason"
is "$(dm_attr "$(people mett0001)" uloginBlockedBy)" "$(people kirs0001)" \
	"who: the operator's own DN"
at=$(dm_attr "$(people mett0001)" uloginBlockedAt)
[ "$at" \> "$(date -u -d '-1 min' +%Y%m%d%H%M%SZ)" ] &&
	[ "$at" \< "$(date -u -d '+1 min' +%Y%m%d%H%M%SZ)" ]
ok $? "when: now ($at)"
grep -q "\"action\":\"user.block\",\"target\":\"$(people mett0001)\",\"result\":\"ok\"" "$AUDIT_LOG"
ok $? "the block is in the audit log"
bind_as mett0001 "$(pw mett0001)"
is "$?" 49 "blocked: ldapwhoami with the right password fails (49)"
grep -q 'Account locked' "$TEST_TMP/bind.out"
ok $? "ldapwhoami -e ppolicy: the server says the account is locked"
run 0 ulogin-user show mett0001 -o json
json_ok '.state == "blocked"' "show: state blocked"
json_ok '.state_reason | test("^blocked by kirs0001 on .*: Laptop stolen, 2026-12-01$")' \
	"show: blocked by whom, when, why"
json_ok '.block_reason == "Laptop stolen, 2026-12-01" and .locked_out_at == null' \
	"show: the block reason; no lock-out"

run 0 ulogin-user block mett0001 --reason "again"
stderr_has "'mett0001' is blocked already" "blocking again changes nothing"
is "$(dm_attr "$(people mett0001)" uloginBlockReason)" "Laptop stolen, 2026-12-01" \
	"... not even the reason"

# ---- unblock: everything of the block goes, the password stays ------------
run 0 ulogin-user unblock mett0001 -o json
json_ok '.[0].username == "mett0001" and .[0].result == "done" and .[0].state == "active"' \
	"unblock: done, active again"
for a in pwdAccountLockedTime uloginBlockReason uloginBlockedBy uloginBlockedAt; do
	is "$(dm_attr "$(people mett0001)" $a)" "" "unblock removed $a"
done
is "$(dm_attr "$(people mett0001)" userPassword)" "$hash_before" \
	"the password hash is the one from before the block"
bind_as mett0001 "$(pw mett0001)"
ok $? "unblocked: the same password logs in (ldapwhoami)"
run 0 ulogin-user unblock mett0001
stderr_has "'mett0001' is not blocked" "unblocking again: nothing to do"

# ---- prune's mark (uloginPrunedAt) goes with unblock and with block --------
# A later block by hand must not look like prune's, which the next prune
# run would delete.  The directory manager's prune marked mett0001 (here
# with ldapmodify as the manager); kirs0001 unblocks: the mark goes too,
# though slapd lets an administrator only take it off staff.
printf 'dn: %s\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n-\nreplace: uloginBlockReason\nuloginBlockReason: unused since 2020-01-01 00:00 UTC (ulogin-user prune)\n-\nreplace: uloginBlockedAt\nuloginBlockedAt: 20260101000000Z\n-\nreplace: uloginPrunedAt\nuloginPrunedAt: 20260101000000Z\n' \
	"$(people mett0001)" | (as_manager && ldapmodify -x -H "$ULOGIN_URI" \
	-D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1)
ok $? "the manager blocks and marks mett0001 as prune does"
run 0 ulogin-user unblock mett0001
for a in pwdAccountLockedTime uloginBlockedAt uloginPrunedAt; do
	is "$(dm_attr "$(people mett0001)" $a)" "" "unblock removed $a"
done
# A mark left by a raw unblock (ldapmodify of pwdAccountLockedTime only).
printf 'dn: %s\nchangetype: modify\nreplace: uloginPrunedAt\nuloginPrunedAt: 20260101000000Z\n' \
	"$(people mett0001)" | (as_manager && ldapmodify -x -H "$ULOGIN_URI" \
	-D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1)
ok $? "the manager leaves a mark on the unblocked mett0001"
run 0 ulogin-user block mett0001 --reason "Investigation"
is "$(dm_attr "$(people mett0001)" uloginPrunedAt)" "" \
	"a block by hand takes the old mark off"
is "$(dm_attr "$(people mett0001)" uloginBlockReason)" "Investigation" \
	"and has its own reason"
run 0 ulogin-user unblock mett0001

# ---- a policy without lockout: slapd would ignore the block ----------------
as_manager
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null 2>&1 <<EOF
dn: cn=nolockout,ou=policies,$B
changetype: add
objectClass: organizationalRole
objectClass: pwdPolicy
cn: nolockout
pwdAttribute: userPassword
pwdMaxFailure: 3

dn: $(people lars0001)
changetype: modify
replace: pwdPolicySubentry
pwdPolicySubentry: cn=nolockout,ou=policies,$B
EOF
ok $? "the manager adds a policy without pwdLockout and links lars0001 to it"
as kirs0001
run 78 ulogin-user block lars0001 --reason "test"
stderr_has "^ulogin-user: cannot block 'lars0001': its password policy 'nolockout' has no lockout \(pwdLockout: TRUE\), so the directory server would ignore the block$" \
	"refused: the policy has no lockout"
stderr_has "^hint: turn lockout on" "with what to do"
is "$(dm_attr "$(people lars0001)" pwdAccountLockedTime)" "" "nothing was written"
# What the tool refuses, slapd would indeed ignore.
(as_manager && mod_ldif lars0001 add pwdAccountLockedTime 000001010000Z |
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1)
bind_as lars0001 "$(pw lars0001)"
ok $? "(why: under that policy slapd lets a 'blocked' lars0001 log in)"
run 0 ulogin-user show lars0001 -o json
json_ok '.state == "blocked" and (.state_reason | test("not in force"))' \
	"show says such a block is not in force"
run 78 ulogin-user block lars0001 --reason "test"
stderr_has "has no lockout" "and block does not call it blocked already"
# A link to a policy that is not there switches lockout off too.
(as_manager && mod_ldif lars0001 replace pwdPolicySubentry "cn=gone,ou=policies,$B" |
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1)
run 0 ulogin-user unblock lars0001 -q
run 78 ulogin-user block lars0001 --reason "test"
stderr_has "its password policy 'gone' is not in the directory" \
	"refused: the linked policy is missing"
as_manager
run 0 ulogin-user unblock lars0001 -q
run 0 ulogin-policy apply -q
as kirs0001

# ---- a lock-out after wrong passwords ---------------------------------------
policy=$(dm_attr "$(people lars0001)" pwdPolicySubentry)
max=$(dm_attr "$policy" pwdMaxFailure)
[ "${max:-0}" -gt 0 ]
ok $? "lars0001's policy ($policy) locks out after $max wrong passwords"
lock_out lars0001
bind_as lars0001 "$(pw lars0001)"
is "$?" 49 "after $max wrong passwords the right one is refused too"
locked=$(dm_attr "$(people lars0001)" pwdAccountLockedTime)
case $locked in 2*Z) r=0 ;; *) r=1 ;; esac
ok $r "slapd's lock is a time ($locked), not a block"
run 0 ulogin-user show lars0001 -o json
json_ok '.state == "locked-out"' "show: locked-out, not blocked"
json_ok '.state_reason | test("too many wrong passwords")' "show: why"
json_ok '.blocked_by == null' "show: nobody blocked it"
dur=$(dm_attr "$policy" pwdLockoutDuration)
if [ "${dur:-0}" -gt 0 ]; then
	until=$(date -u -d "@$(($(date -u -d "$(echo "$locked" |
		sed -E 's/^(....)(..)(..)(..)(..)(..).*/\1-\2-\3 \4:\5:\6/')" +%s) + dur))" \
		+%Y-%m-%dT%H:%M:%SZ)
else
	until="until unlocked"
fi
is "$(jq -r .locked_out_until "$OUT")" "$until" \
	"show: locked out until the lock time plus the policy's duration ($dur s)"
json_ok '.locked_out_at != null' "show: locked out since when"
run 0 ulogin-user list --locked -o tsv
is "$(tail -n +2 "$OUT" | cut -f1)" lars0001 "list --locked: lars0001"
run 65 ulogin-user unblock lars0001
stderr_has "^ulogin-user: cannot unblock 'lars0001': it is not blocked but locked out after failed logins$" \
	"unblock refuses a lock-out ..."
stderr_has "^hint: use 'ulogin-user unlock lars0001'$" "... and says to use unlock"
is "$(dm_attr "$(people lars0001)" pwdAccountLockedTime)" "$locked" "the lock-out is untouched"
# Nobody below the directory manager writes pwdFailureTime: slapd keeps it.
mod_ldif lars0001 delete pwdFailureTime >"$TEST_TMP/fail.ldif"
ldapmodify_as kirs0001 "$TEST_TMP/fail.ldif" >/dev/null 2>&1
is "$?" 19 "ldapmodify: an administrator cannot delete pwdFailureTime (no user modification)"
ldapmodify -e relax -x -H "$ULOGIN_URI" -D "$(people kirs0001)" \
	-y "$_sandbox/kirs0001.pw" -f "$TEST_TMP/fail.ldif" >/dev/null 2>&1
is "$?" 50 "... not even with the Relax Rules control"
run 0 ulogin-user unlock lars0001 -o tsv
stdout_has "^lars0001	done	active	" "unlock: done, active"
is "$(dm_attr "$(people lars0001)" pwdAccountLockedTime)" "" "the lock is gone"
is "$(dm_attr "$(people lars0001)" pwdFailureTime)" "" \
	"and ppolicy forgot the failures with it"
bind_as lars0001 "$(pw lars0001)"
ok $? "unlocked: the same password logs in"
run 0 ulogin-user unlock lars0001
stderr_has "'lars0001' is not locked out" "unlocking again: nothing to do"

# unlock never lifts a block.
run 65 ulogin-user unlock malt0001
stderr_has "^ulogin-user: cannot unlock 'malt0001': it is blocked \(blocked by kirs0001 on .*\), not locked out$" \
	"unlock refuses a block"
stderr_has "^hint: an administrator's block is lifted with 'ulogin-user unblock malt0001'$" \
	"... and says to use unblock"
is "$(dm_attr "$(people malt0001)" pwdAccountLockedTime)" 000001010000Z "still blocked"

# ---- several users: each reported; 1 when some failed ----------------------
run 1 ulogin-user block soer0001 nobody1 aase0001 --reason "test" -o tsv
is "$(cut -f1-3 "$OUT")" "username	result	state
soer0001	done	blocked
nobody1	failed	
aase0001	done	blocked" "one row a user, in order"
stderr_has "^ulogin-user: cannot find user 'nobody1'$" "the unknown user is reported"
is "$(dm_attr "$(people aase0001)" pwdAccountLockedTime)" 000001010000Z \
	"the users after the failed one are blocked too"
run 0 ulogin-user unblock soer0001 aase0001 -q
stdout_has "^aase0001	done	active	" "unblock of two"
run 67 ulogin-user block nobody1 --reason x
stderr_has "cannot find user 'nobody1'" "one unknown user: 67"

# --dry-run: the change as LDIF, nothing sent.
run 0 ulogin-user block soer0001 --reason "dry" -n
stdout_has '^replace: pwdAccountLockedTime$' "dry run: the change as LDIF"
stdout_has "^uloginBlockedBy: $(people kirs0001)\$" "dry run: who"
is "$(dm_attr "$(people soer0001)" pwdAccountLockedTime)" "" "dry run: nothing changed"

# ---- usage --------------------------------------------------------------------
run 64 ulogin-user block soer0001
stderr_has "'block' needs --reason TEXT" "block without --reason"
run 64 ulogin-user block soer0001 --reason " "
stderr_has "--reason cannot be empty" "an empty reason"
run 64 ulogin-user unblock soer0001 --reason x
stderr_has "unknown option '--reason'" "unblock takes no reason"
run 64 ulogin-user unlock
stderr_has "'unlock' needs USER" "unlock needs a user"
run 0 ulogin-user block --help
stdout_has "^Usage: ulogin-user block USER\.\.\. --reason TEXT" "block --help"

# ---- scope: the server is the guard --------------------------------------------
# An administrator of 280001 and a user of 280002.
run 77 ulogin-user block ella0001 --reason x
stderr_has "user 'ella0001' is not one you may see or change" \
	"kirs0001 cannot block a user of 280002"
mod_ldif ella0001 add pwdAccountLockedTime 000001010000Z >"$TEST_TMP/try.ldif"
refused kirs0001 "ldapmodify: slapd refuses kirs0001 the lock of a 280002 user"
is "$(dm_attr "$(people ella0001)" pwdAccountLockedTime)" "" "ella0001 is not blocked"
# Only her own DN as the one who blocked.
mod_ldif soer0001 replace uloginBlockedBy "$(people poul0001)" >"$TEST_TMP/try.ldif"
refused kirs0001 "ldapmodify: slapd refuses another operator's DN in uloginBlockedBy"
mod_ldif soer0001 replace uloginBlockedBy "$(people kirs0001)" >"$TEST_TMP/by.ldif"
ldapmodify_as kirs0001 "$TEST_TMP/by.ldif" >/dev/null 2>&1
ok $? "ldapmodify: her own DN is allowed"
mod_ldif soer0001 delete uloginBlockedBy | (as_manager &&
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
		>/dev/null 2>&1)
# The import (which blocks leavers) writes its own DN only, too.
import_ldif() {
	ldapmodify -x -H "$ULOGIN_URI" -D "cn=import,ou=services,$B" \
		-y "$_sandbox/import.pw" >/dev/null 2>&1
}
mod_ldif soer0001 replace uloginBlockedBy "$(people kirs0001)" | import_ldif
is "$?" 50 "ldapmodify: slapd refuses the import service an administrator's DN"
mod_ldif soer0001 replace uloginBlockedBy "cn=import,ou=services,$B" | import_ldif
ok $? "ldapmodify: the import service writes its own DN"
mod_ldif soer0001 delete uloginBlockedBy | import_ldif
ok $? "ldapmodify: ... and removes it"
# Nor a lock-out time of her own making.
mod_ldif soer0001 add pwdAccountLockedTime 20260101000000Z >"$TEST_TMP/try.ldif"
refused kirs0001 "ldapmodify: an administrator may set the block value only"
# Another administrator is the directory manager's.
run 0 ulogin-user admin grant birg0001 --institution 280001 -q
run 77 ulogin-user block birg0001 --reason x
stderr_has "cannot block 'birg0001': 'birg0001' is an administrator" \
	"an administrator cannot block another"
mod_ldif birg0001 add pwdAccountLockedTime 000001010000Z >"$TEST_TMP/try.ldif"
refused kirs0001 "ldapmodify: slapd refuses it too"

# A teacher may not block, not even her own class's students.
as mett0001
run 77 ulogin-user block soer0001 --reason x
stderr_has "you may not block accounts: you administer no institution" \
	"a teacher is told that blocking is for administrators"
mod_ldif soer0001 add pwdAccountLockedTime 000001010000Z >"$TEST_TMP/try.ldif"
refused mett0001 "ldapmodify: slapd refuses a teacher the lock of her own student"
mod_ldif malt0001 delete pwdAccountLockedTime >"$TEST_TMP/try.ldif"
refused lars0001 "ldapmodify: slapd refuses a teacher the removal of a block"
mod_ldif soer0001 replace uloginBlockReason "x" >"$TEST_TMP/try.ldif"
refused mett0001 "ldapmodify: slapd refuses a teacher the block reason"
is "$(dm_attr "$(people soer0001)" pwdAccountLockedTime)" "" "soer0001 is not blocked"
run 77 ulogin-user unlock soer0001

# The directory manager blocks anyone, administrators too.
as_manager
run 0 ulogin-user block birg0001 --reason "by the manager" -q
is "$(dm_attr "$(people birg0001)" uloginBlockedBy)" "$ULOGIN_BIND_DN" \
	"blocked by the directory manager's DN"
bind_as birg0001 "$(pw birg0001)"
is "$?" 49 "the blocked administrator cannot log in"
run 0 ulogin-user unblock birg0001 -q
bind_as birg0001 "$(pw birg0001)"
ok $? "unblocked, she can"

done_testing

#!/bin/sh
# ulogin-user diagnose: each case of the support desk's error table
# (DESIGN.md section 2) gives its verdict, as the administrator kirs0001
# and as the directory manager; a check the operator may not make says
# so (UNKNOWN), and a teacher cannot diagnose another class's student.
# Each case is made with OpenLDAP's own clients (or real failed binds),
# not with our programs.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
S=$_sandbox
B=$ULOGIN_BASE
run 0 ulogin-policy apply -q

# result CHECK: the result of one check in the last JSON output.
result() { jq -r --arg c "$1" '.[] | select(.check == $c) | .result' "$OUT"; }
detail() { jq -r --arg c "$1" '.[] | select(.check == $c) | .detail' "$OUT"; }
remedy() { jq -r --arg c "$1" '.[] | select(.check == $c) | .remedy' "$OUT"; }
dm_ldif() { ldapmodify -x -H "$ULOGIN_URI" -D "cn=admin,$B" -y "$S/admin.pw" >/dev/null; }

# ---- all OK ------------------------------------------------------------------
as kirs0001
run 0 ulogin-user diagnose mett0001 -o json
is "$(jq -r '[.[].check] | join(",")' "$OUT")" \
	"local-login,lower-case,found,institution,roles,password,identified,import,blocked,locked-out,expired,must-change,reset-window" \
	"every check of the table, in order"
is "$(jq -r '[.[].result] | unique | join(",")' "$OUT")" "OK,SKIP" \
	"mett0001: nothing but OK (and SKIP for @domain)"
stderr_has "no check found anything that stops 'mett0001' from logging in" \
	"and it says so in words"
run 0 ulogin-user diagnose mett0001 -o tsv
stdout_has "^check	result	detail	remedy$" "tsv: the columns check, result, detail, remedy"
stdout_has "^found	OK	user 'mett0001' \(Mette Holm\)	$" "tsv: the found row"
run 0 ulogin-user diagnose mett0001 -o csv
stdout_has '^"expired","OK","the password expires on 20' "csv: the expiry row"

# ---- @domain -----------------------------------------------------------------
run 1 ulogin-user diagnose anna@aarhus.example -o json
is "$(result local-login)" FAIL "@domain of a known local login: FAIL"
detail local-login | grep -q "local login solution of aarhus.example (Aarhus Kommune's own login: the municipality's IT help desk, tel. 89 40 00 00)"
ok $? "the detail names the local login solution from the config"
remedy local-login | grep -q "always lower case ('anna@aarhus.example')"
ok $? "the remedy: usernames there are always lower case"
is "$(result found)" SKIP "the directory is not asked about it"
run 1 ulogin-user diagnose Anna@Aarhus.example -o json
is "$(result lower-case)" FAIL "an @domain login with capitals: lower-case FAILs too"
remedy local-login | grep -q "('anna@aarhus.example')"
ok $? "and the remedy gives it in lower case"
run 1 ulogin-user diagnose anna@arhus.example -o json
is "$(result local-login)" FAIL "@domain of an unknown local login: FAIL"
detail local-login | grep -q "names the domain 'arhus.example', whose local login solution is not known here"
ok $? "it says the domain is not known"
remedy local-login | grep -q "check the domain for typing errors"
ok $? "and suggests a typing error"

# ---- upper case --------------------------------------------------------------
run 1 ulogin-user diagnose Mett0001 -o json
is "$(result lower-case)" FAIL "upper-case letters: FAIL"
is "$(remedy lower-case)" "log in as 'mett0001'" "the remedy: the lower-case username"
is "$(result found)" OK "the checks go on with the lower-case username"
is "$(result blocked)" OK "all the way"

# ---- not found, with close matches -----------------------------------------
run 1 ulogin-user diagnose kris0001 -o json
is "$(result found)" FAIL "an unknown username: FAIL (exit 1, a verdict, not 67)"
detail found | grep -q "^no user 'kris0001'; similar usernames: kirs0001 (Kirsten Brandt)"
ok $? "similar usernames: kirs0001 (two letters swapped)"
is "$(result blocked)" SKIP "the account checks do not apply"
run 1 ulogin-user diagnose "Malthe Frederiksen" -o json
detail found | grep -q "by name: malt0001 (Malthe Frederiksen)"
ok $? "a name typed as the username: the person by name"
run 1 ulogin-user diagnose 'x*)(uid=*' -o json
detail found | grep -q "^no user 'x\*)(uid=\*'"
ok $? "filter characters are only characters (escaped by libldap)"
detail found | grep -q "similar\|by name"
is $? 1 "and match nobody"

# ---- no institution (the manager: an administrator sees no one who has none)
printf 'dn: %s\nchangetype: modify\ndelete: uloginInstitution\n' "$(people fred0001)" | dm_ldif
run 77 ulogin-user diagnose fred0001 -o json
is "$(result found)" UNKNOWN "kirs0001 cannot see a user of no institution"
as_manager
run 1 ulogin-user diagnose fred0001 -o json
is "$(result institution)" FAIL "no institution: FAIL"
is "$(detail institution)" "not attached to any institution" "in words"
remedy institution | grep -q "administrative system"
ok $? "the remedy: the administrative system"
as kirs0001

# ---- no roles ("no actors") ---------------------------------------------------
printf 'dn: %s\nchangetype: modify\ndelete: uloginRole\n' "$(people frej0001)" | dm_ldif
run 1 ulogin-user diagnose frej0001 -o json
is "$(result roles)" FAIL "no roles: FAIL"
detail roles | grep -q "no actors"
ok $? "in the login service's words (no actors)"
is "$(result institution)" OK "the institution is still there"

# ---- not identified by national ID ---------------------------------------
printf 'dn: %s\nchangetype: modify\nreplace: uloginIdentified\nuloginIdentified: FALSE\n' "$(people lars0001)" | dm_ldif
run 1 ulogin-user diagnose lars0001 -o json
is "$(result identified)" FAIL "a teacher not identified by national ID: FAIL"
remedy identified | grep -q "national ID number in the school's administrative system"
ok $? "the remedy: the administrative system"
run 0 ulogin-user diagnose aase0001 -o json
is "$(result identified)" SKIP "a grade-0 pupil not identified: reported, not needed"
detail identified | grep -q "^not identified by national ID; only staff and upper-secondary students need it"
ok $? "and why not"

# ---- attached only through a phased-out CSV import --------------------------
ldapadd -x -H "$ULOGIN_URI" -D "cn=admin,$B" -y "$S/admin.pw" >/dev/null <<EOF
dn: cn=csvsrc,ou=imports,$B
objectClass: uloginImportSource
cn: csvsrc
uloginSourceKind: csv
uloginDeprecated: TRUE
uloginInstitution: 280001
EOF
ok $? "the manager adds a phased-out CSV source"
printf 'dn: %s\nchangetype: modify\nreplace: uloginSource\nuloginSource: csvsrc\n' "$(people bjoe0001)" | dm_ldif
run 1 ulogin-user diagnose bjoe0001 -o json
is "$(result import)" FAIL "attached only through a phased-out CSV import: FAIL"
is "$(detail import)" "attached only through the phased-out CSV import csvsrc" "naming it"
remedy import | grep -q "ulogin-import source review csvsrc"
ok $? "the remedy: review, migrate, delete"
printf 'dn: %s\nchangetype: modify\nadd: uloginSource\nuloginSource: example\n' "$(people bjoe0001)" | dm_ldif
run 0 ulogin-user diagnose bjoe0001 -o json
is "$(result import)" OK "also attached through another source: OK"

# ---- blocked -------------------------------------------------------------------
run 1 ulogin-user diagnose malt0001 -o json
is "$(result blocked)" FAIL "blocked: FAIL"
detail blocked | grep -q "^blocked by kirs0001 on 2026-01-05 08:15 UTC: Blocked by the school pending a conversation with the parents$"
ok $? "by whom, when and why"
remedy blocked | grep -q "ulogin-user unblock malt0001"
ok $? "the remedy: unblock"
is "$(result locked-out)" SKIP "a block is not a lock-out"

# ---- locked out after failed logins (real binds) --------------------------
for i in 1 2 3 4 5 6; do bind_as birg0001 wrong-password; done
bind_as birg0001 Teach3r-Bakke3
grep -q "Account locked" "$TEST_TMP/bind.out"
ok $? "slapd locked birg0001 out after five wrong passwords"
run 1 ulogin-user diagnose birg0001 -o json
is "$(result locked-out)" FAIL "locked out: FAIL"
detail locked-out | grep -Eq "^locked out after 5 failed logins on 20[0-9-]+ [0-9:]+ UTC, until 20[0-9-]+ [0-9:]+ UTC$"
ok $? "after how many failures, when, and until when"
remedy locked-out | grep -Eq "^wait until 20.*, or an administrator unlocks it now \(ulogin-user unlock birg0001\)"
ok $? "the remedy: wait, or unlock"
is "$(result blocked)" OK "a lock-out is not a block"

# ---- password expired (a policy whose passwords last a second) -------------
ldapadd -x -H "$ULOGIN_URI" -D "cn=admin,$B" -y "$S/admin.pw" >/dev/null <<EOF
dn: cn=brief,ou=policies,$B
objectClass: pwdPolicy
objectClass: device
cn: brief
pwdAttribute: userPassword
pwdMaxAge: 1
pwdGraceAuthNLimit: 0
EOF
ok $? "the manager adds a policy of one second"
printf 'dn: %s\nchangetype: modify\nreplace: pwdPolicySubentry\npwdPolicySubentry: cn=brief,ou=policies,%s\n' "$(people sune0001)" "$B" | dm_ldif
sleep 2
bind_as sune0001 Supp0rt-Bakke1
grep -q "Password expired" "$TEST_TMP/bind.out"
ok $? "slapd says sune0001's password has expired"
run 1 ulogin-user diagnose sune0001 -o json
is "$(result expired)" FAIL "expired: FAIL"
detail expired | grep -q "^the password expired on 20"
ok $? "since when"
remedy expired | grep -q "national e-ID"
ok $? "staff: the remedy is national e-ID or the support desk"

# ---- must change -----------------------------------------------------------------
printf 'dn: %s\nchangetype: modify\nadd: pwdReset\npwdReset: TRUE\n' "$(people pete0001)" >"$TEST_TMP/reset.ldif"
ldapmodify_as kirs0001 "$TEST_TMP/reset.ldif" >/dev/null
ok $? "kirs0001 sets must-change on pete0001 with ldapmodify"
run 1 ulogin-user diagnose pete0001 -o json
is "$(result must-change)" FAIL "must change: FAIL"
detail must-change | grep -q "^must choose a new password at the next login"
ok $? "in words"

# ---- reset window open -----------------------------------------------------
cat >"$TEST_TMP/window.ldif" <<EOF
dn: cn=reset,$(people soer0001)
changetype: add
objectClass: uloginResetWindow
objectClass: dynamicObject
cn: reset
EOF
ldapmodify_as mett0001 "$TEST_TMP/window.ldif" >/dev/null
ok $? "mett0001 opens a reset window for her student soer0001"
run 0 ulogin-user diagnose soer0001 -o json
is "$(result reset-window)" OK "a reset window does not stop a login"
detail reset-window | grep -Eq "^a reset window is open until 20.* \(opened by mett0001\)$"
ok $? "until when, and who opened it"
remedy reset-window | grep -q "logs in with the username alone"
ok $? "what the user does now"

# ---- no password: only an operator who may search userPassword can tell ----
# soer0001 has no password (and no pwdChangedTime).  kirs0001 may not
# search userPassword, so she cannot tell: UNKNOWN, not a FAIL.
is "$(result password)" UNKNOWN "as kirs0001: soer0001's password is UNKNOWN, not FAIL"
detail password | grep -q "you may not check whether a password is set"
ok $? "and why"
ldapsearch -x -LLL -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-s base -b "$(people soer0001)" '(!(userPassword=*))' 1.1 >"$TEST_TMP/pw" 2>&1
grep -q '^dn:' "$TEST_TMP/pw"
is $? 1 "slapd does not tell kirs0001 that soer0001 has no password either"
# loui0001 has a password, but no pwdChangedTime (the manager removes it
# with the Relax Rules control): kirs0001 was told "no password" before.
printf 'dn: %s\nchangetype: modify\ndelete: pwdChangedTime\n' "$(people loui0001)" |
	ldapmodify -e relax -x -H "$ULOGIN_URI" -D "cn=admin,$B" -y "$S/admin.pw" >/dev/null
ok $? "the manager removes loui0001's pwdChangedTime"
run 0 ulogin-user diagnose loui0001 -o json
is "$(result password)" UNKNOWN "as kirs0001: a password without pwdChangedTime is UNKNOWN, never FAIL"
as_manager
run 0 ulogin-user diagnose loui0001 -o json
is "$(result password)" OK "the manager, who may search userPassword: OK"
run 1 ulogin-user diagnose soer0001 -o json
is "$(result password)" FAIL "the manager: soer0001 has no password yet: FAIL"
as kirs0001

# ---- a block written with seconds (00000101000000Z) is a block too ----------
# slapd's generalizedTimeMatch finds it equal to 000001010000Z, and the
# access rules let an administrator write it: every program must agree.
printf 'dn: %s\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 00000101000000Z\n' \
	"$(people emma0001)" >"$TEST_TMP/block.ldif"
ldapmodify_as kirs0001 "$TEST_TMP/block.ldif" >/dev/null
ok $? "kirs0001 blocks emma0001 with ldapmodify, the lock written with seconds"
is "$(dm_attr "$(people emma0001)" pwdAccountLockedTime)" 00000101000000Z \
	"slapd keeps the value as written"
run 1 ulogin-user diagnose emma0001 -o json
is "$(result blocked)" FAIL "diagnose: blocked (FAIL), not OK"
is "$(result locked-out)" SKIP "and not a lock-out"
run 0 ulogin-user show emma0001 -o json
is "$(jq -r .state "$OUT")" blocked "show: state blocked"
run 0 ulogin-user list --blocked -o tsv
cut -f1 "$OUT" | grep -qx emma0001
ok $? "list --blocked lists emma0001"
run 0 ulogin-user history emma0001 -o tsv
awk -F '\t' '$2 == "slapd" && $4 == "block"' "$OUT" | grep -q .
ok $? "history: slapd's record of it is a block"
awk -F '\t' '$4 == "locked-out"' "$OUT" | grep -q .
is $? 1 "not a lock-out"

# ---- a lock whose time cannot be read locks for good, as the state says -----
printf 'dn: %s\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 202601050815Z\n' \
	"$(people astr0001)" | dm_ldif
ok $? "the manager locks astr0001 with a time without seconds"
run 1 ulogin-user diagnose astr0001 -o json
is "$(result locked-out)" FAIL "diagnose: locked out (FAIL), not 'not locked out'"
detail locked-out | grep -q "until an administrator unlocks it"
ok $? "until an administrator unlocks it"
run 0 ulogin-user show astr0001 -o json
is "$(jq -r .state "$OUT")" locked-out "show agrees: locked-out"

# ---- a claimed reset window is used, not open --------------------------------
cat >"$TEST_TMP/window2.ldif" <<EOF
dn: cn=reset,$(people osca0001)
changetype: add
objectClass: uloginResetWindow
objectClass: dynamicObject
cn: reset
EOF
ldapmodify_as kirs0001 "$TEST_TMP/window2.ldif" >/dev/null
ok $? "kirs0001 opens a reset window for osca0001"
run 0 ulogin-user diagnose osca0001 -o json
detail reset-window | grep -q "^a reset window is open until"
ok $? "diagnose: open"
printf 'dn: cn=reset,%s\nchangetype: modify\nreplace: description\ndescription: claimed\n' \
	"$(people osca0001)" | dm_ldif
ok $? "the window is claimed (marked as the login service marks it)"
run 0 ulogin-user diagnose osca0001 -o json
is "$(detail reset-window)" "no reset window open" "diagnose: a claimed window is not open"
run 0 ulogin-user show osca0001 -o json
test "$(jq -r .state "$OUT")" != reset-window-open
ok $? "show agrees: not reset-window-open"

# ---- a teacher: her students only, and what she may not read -------------
as mett0001
run 0 ulogin-user diagnose soer0001 -o json
is "$(result password)" UNKNOWN "a teacher may not search userPassword either: UNKNOWN"
is "$(result identified)" UNKNOWN "a teacher may not read the national ID mark: UNKNOWN, not OK"
is "$(result import)" UNKNOWN "nor the import source"
stderr_has "could not check password, identified, import: you may not read what they need" \
	"and she is told"
is "$(result reset-window)" OK "she sees the reset window she opened"
run 77 ulogin-user diagnose noah0001 -o json
is "$(result found)" UNKNOWN "another class's student: UNKNOWN"
is "$(detail found)" "user 'noah0001' exists, but you may not see it" "in words"
stderr_has "cannot diagnose 'noah0001': the account exists, but you may not see it" \
	"exit 77 and an error"
ldap_search "$(people noah0001)" '(objectClass=*)' uloginRole >"$TEST_TMP/noah" 2>&1
grep -q uloginRole "$TEST_TMP/noah"
is $? 1 "slapd shows mett0001 nothing of noah0001 either"

# ---- on a terminal: the remedy under the check, every value inert --------------
as kirs0001
run 1 ulogin-user diagnose Malt0001 -o table
stdout_has "^blocked +FAIL +blocked by kirs0001 on " "table: one line a check"
stdout_has "^ +what to do: log in as 'malt0001'$" "and what to do under a FAIL"
stdout_lacks "what to do: .*reset window" "not under an OK"
printf 'dn: %s\nchangetype: modify\nreplace: uloginBlockReason\nuloginBlockReason:: %s\n' \
	"$(people malt0001)" "$(printf 'bad\033[2Jreason' | base64)" | dm_ldif
run 1 ulogin-user diagnose malt0001 -o table
stdout_has 'bad\\x1b\[2Jreason' "a control character from the directory is shown escaped"
LC_ALL=C grep -q "$(printf '\033')" "$OUT"
is $? 1 "and never reaches the terminal"

# ---- usage and errors ----------------------------------------------------------
run 64 ulogin-user diagnose
stderr_has "needs LOGIN" "diagnose needs a login"
run 64 ulogin-user diagnose a b
run 0 ulogin-user diagnose --help
stdout_has "^Usage: ulogin-user diagnose LOGIN" "--help"
run 69 ulogin-user diagnose mett0001 -H ldap://127.0.0.1:1
stderr_has "cannot (reach|connect)" "no server: exit 69 in words"

# Nothing was written by diagnose.
grep -q '"program":"ulogin-user"' "$S/audit.log" 2>/dev/null
is $? 1 "diagnose changes nothing (no audit line)"

done_testing

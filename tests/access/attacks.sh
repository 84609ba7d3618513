#!/bin/sh
# The attacks of issue 10, replayed as the same accounts with OpenLDAP's
# own clients, never through ulogin: slapd must refuse each.  (Every cell
# of who may do what is tests/access/matrix.sh; this file is the story
# of each attack, step by step.)
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

B=$ULOGIN_BASE
kirs=$(people kirs0001)
mett=$(people mett0001)

as_pw() {	# as_pw USERNAME PASSWORD TOOL ARGS...: simple bind
	u=$1 pw=$2 tool=$3
	shift 3
	(umask 077 && printf '%s' "$pw" >"$TEST_TMP/pw.$u")
	"$tool" -x -H "$ULOGIN_URI" -D "$(people "$u")" -y "$TEST_TMP/pw.$u" "$@"
}
as_kirs() { as_pw kirs0001 Adm1n-Bakke2026 "$@"; }
as_mett() { as_pw mett0001 Teach3r-Bakke1 "$@"; }
dm() {
	tool=$1
	shift
	"$tool" -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" "$@"
}
change() {	# change EXPECTED-RC WHO DESCRIPTION (LDIF on stdin)
	want=$1 who=$2 what=$3
	_last_cmd="ldapmodify as $who"
	cat >"$TEST_TMP/change.ldif"
	"as_$who" ldapmodify -f "$TEST_TMP/change.ldif" >"$OUT" 2>"$ERR"
	rc=$?
	is "$rc" "$want" "$what (ldapmodify exits $want)"
}
run 0 ulogin-policy apply -q

# ---- 1. every student, and any local account, read everyone -------------
# A student with a password of their own.
dm ldappasswd -s 'Stud3nt-Aase-0' "$(people aase0001)" >/dev/null
dm ldapmodify >/dev/null <<EOF
dn: $(people aase0001)
changetype: modify
delete: pwdReset
EOF
dm ldapmodify >/dev/null <<EOF
dn: $(people pete0001)
changetype: modify
replace: mobile
mobile: +4511223344
EOF
as_pw aase0001 'Stud3nt-Aase-0' ldapsearch -LLL -o ldif-wrap=no \
	-b "ou=people,$B" '(objectClass=uloginAccount)' mobile \
	uloginBlockReason pwdFailureTime pwdHistory userPassword \
	>"$OUT" 2>"$ERR"
is "$(grep -c '^dn: ' "$OUT")" 1 "a student's search of ou=people finds only the student"
! grep -q '+4511223344' "$OUT"
ok $? "a student does not read a parent's mobile"
! grep -Eiq '^(pwdHistory|userPassword|uloginBlockReason):' "$OUT"
ok $? "nor any password, earlier password or block reason"
as_pw aase0001 'Stud3nt-Aase-0' ldapsearch -LLL -b "uid=malt0001,ou=people,$B" \
	-s base uloginBlockReason >"$OUT" 2>"$ERR"
is "$?" 50 "a student's look at a blocked classmate: insufficient access"
# ppolicy's pwdHistory (the parents' policy keeps earlier passwords),
# even of one's own entry.
pete=$(people pete0001)
dm ldappasswd -s 'Par3nt-Home1-b' "$pete" >/dev/null
dm ldappasswd -s 'Par3nt-Home1-c' "$pete" >/dev/null
dm ldapmodify >/dev/null <<EOF
dn: $pete
changetype: modify
delete: pwdReset
EOF
[ -n "$(ldap_attr "$pete" pwdHistory)" ]
ok $? "pete0001 has earlier passwords in pwdHistory"
as_pw pete0001 'Par3nt-Home1-c' ldapsearch -LLL -b "$pete" \
	-s base pwdHistory userPassword >"$OUT" 2>"$ERR"
! grep -Eiq '^(pwdHistory|userPassword)' "$OUT"
ok $? "not even the parent reads their own hashes"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 711 "$TEST_TMP" "$_sandbox"
	setpriv --reuid=65534 --regid=65534 --clear-groups ldapsearch -Q \
		-Y EXTERNAL -H "$ULOGIN_LDAPI" -LLL -b "$B" '(objectClass=*)' \
		cn mobile >"$OUT" 2>"$ERR"
	grep -q 'uidNumber=65534' "$_sandbox/slapd.log" 2>/dev/null || true
	is "$(grep -c '^dn: ' "$OUT")" 0 \
		"a local Unix account over ldapi:// (nobody) sees no entry at all"
else
	ok 0 "a local Unix account: needs root to become another user # SKIP not root"
fi
ldapsearch -x -H "$ULOGIN_URI" -LLL -b "$B" '(objectClass=*)' cn >"$OUT" 2>"$ERR"
is "$(grep -c '^dn: ' "$OUT")" 0 "anonymous sees no entry at all"

# ---- 2. an institution administrator writes every attribute ---------------
soer=$(people soer0001)
change 50 kirs "kirs0001 cannot make a student's entry a password policy with a module" <<EOF
dn: $soer
changetype: modify
add: objectClass
objectClass: pwdPolicy
objectClass: pwdPolicyChecker
-
add: pwdAttribute
pwdAttribute: userPassword
-
add: pwdCheckModule
pwdCheckModule: /tmp/evil.so
EOF
is "$(ldap_attr "$soer" pwdCheckModule)" "" "no pwdCheckModule on the student"
change 50 kirs "kirs0001 cannot point a user's policy link at a student" <<EOF
dn: $(people noah0001)
changetype: modify
replace: pwdPolicySubentry
pwdPolicySubentry: $soer
EOF
change 50 kirs "kirs0001 cannot point a policy link at a made-up entry under ou=policies" <<EOF
dn: $(people noah0001)
changetype: modify
replace: pwdPolicySubentry
pwdPolicySubentry: cn=nothing,ou=policies,$B
EOF
change 0 kirs "kirs0001 may point a policy link at a real policy (an override)" <<EOF
dn: $(people noah0001)
changetype: modify
replace: pwdPolicySubentry
pwdPolicySubentry: cn=udskoling,ou=policies,$B
EOF
change 50 kirs "kirs0001 cannot switch off lockout in a policy" <<EOF
dn: cn=udskoling,ou=policies,$B
changetype: modify
replace: pwdLockout
pwdLockout: FALSE
EOF
change 50 kirs "kirs0001 cannot make a pupil an administrator with a role" <<EOF
dn: $soer
changetype: modify
add: uloginRole
uloginRole: admin
EOF
change 50 kirs "kirs0001 cannot give a pupil the administrator right" <<EOF
dn: $soer
changetype: modify
add: uloginAdminOf
uloginAdminOf: 280001
EOF
change 50 kirs "kirs0001 cannot give a pupil the support role" <<EOF
dn: $soer
changetype: modify
add: uloginRole
uloginRole: support
EOF
lars=$(people lars0001)
change 50 kirs "kirs0001 cannot add the role student to a teacher" <<EOF
dn: $lars
changetype: modify
add: uloginRole
uloginRole: student
EOF
change 50 kirs "nor take the role teacher away" <<EOF
dn: $lars
changetype: modify
delete: uloginRole
uloginRole: teacher
EOF
_last_cmd="ldappasswd as kirs0001 for lars0001"
as_kirs ldappasswd -s 'Taken-0ver-Pw77' "$lars" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "kirs0001 cannot set a teacher's password"
ldapwhoami -x -H "$ULOGIN_URI" -D "$lars" -w 'Teach3r-Bakke2' >/dev/null 2>&1
ok $? "lars0001 still logs in with his own password"
change 50 kirs "kirs0001 cannot delete a teacher (and add the username again)" <<EOF
dn: $lars
changetype: delete
EOF
change 50 kirs "kirs0001 cannot add a teacher with a password of her choosing" <<EOF
dn: uid=fake0001,ou=people,$B
changetype: add
objectClass: inetOrgPerson
objectClass: uloginAccount
uid: fake0001
cn: Fake Teacher
sn: Teacher
uloginRole: teacher
uloginInstitution: 280001
userPassword: Known-To-Kirsten1
EOF
change 50 kirs "kirs0001 cannot move a student of hers to another school" <<EOF
dn: $soer
changetype: modify
add: uloginInstitution
uloginInstitution: 280002
EOF
change 50 kirs "kirs0001 cannot add another school to her own entry" <<EOF
dn: $kirs
changetype: modify
add: uloginInstitution
uloginInstitution: 280002
EOF
change 50 kirs "kirs0001 cannot make herself an administrator of another school" <<EOF
dn: $kirs
changetype: modify
add: uloginAdminOf
uloginAdminOf: 280002
EOF
# Another administrator of 280001.
dm ldapmodify >/dev/null <<EOF
dn: $(people birg0001)
changetype: modify
add: uloginAdminOf
uloginAdminOf: 280001
EOF
change 50 kirs "kirs0001 cannot block another administrator" <<EOF
dn: $(people birg0001)
changetype: modify
add: pwdAccountLockedTime
pwdAccountLockedTime: 000001010000Z
EOF
change 50 kirs "nor weaken another administrator's policy" <<EOF
dn: $(people birg0001)
changetype: modify
replace: pwdPolicySubentry
pwdPolicySubentry: cn=pictures,ou=policies,$B
EOF
change 50 kirs "nor say another administrator blocked someone" <<EOF
dn: $soer
changetype: modify
replace: uloginBlockedBy
uloginBlockedBy: $(people birg0001)
EOF

# ---- 3. a teacher forges the step-up and who opened a reset ---------------
change 50 mett "mett0001 cannot write uloginStepUpUntil 20991231000000Z" <<EOF
dn: $soer
changetype: modify
replace: uloginStepUpUntil
uloginStepUpUntil: 20991231000000Z
EOF
change 50 mett "mett0001 cannot write uloginResetBy" <<EOF
dn: $soer
changetype: modify
replace: uloginResetBy
uloginResetBy: $(people lars0001)
EOF
change 50 mett "mett0001 cannot add a step-up that never ends (not dynamic)" <<EOF
dn: cn=stepup,$soer
changetype: add
objectClass: uloginStepUp
cn: stepup
EOF
change 0 mett "mett0001 opens a step-up for her student" <<EOF
dn: cn=stepup,$soer
changetype: add
objectClass: uloginStepUp
objectClass: dynamicObject
cn: stepup
EOF
is "$(ldap_attr "cn=stepup,$soer" creatorsName)" "$mett" \
	"slapd stamps who opened it"
_last_cmd="ldapexop refresh as mett0001"
as_mett ldapexop refresh "cn=stepup,$soer" 10800 >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "slapd refuses a step-up of 3 hours"
as_mett ldapexop refresh "cn=stepup,$soer" 7200 >"$OUT" 2>&1
ok $? "and allows 2 hours"
change 19 mett "mett0001 cannot rewrite who opened it (creatorsName)" <<EOF
dn: cn=stepup,$soer
changetype: modify
replace: creatorsName
creatorsName: $(people lars0001)
EOF
change 19 mett "nor the time (entryTtl) by a plain modify" <<EOF
dn: cn=stepup,$soer
changetype: modify
replace: entryTtl
entryTtl: 86400
EOF
change 50 mett "mett0001 cannot open a reset window for a student of another class" <<EOF
dn: cn=reset,$(people noah0001)
changetype: add
objectClass: uloginResetWindow
objectClass: dynamicObject
cn: reset
EOF
change 0 mett "mett0001 opens a reset window for her student" <<EOF
dn: cn=reset,$soer
changetype: add
objectClass: uloginResetWindow
objectClass: dynamicObject
cn: reset
EOF
as_mett ldapexop refresh "cn=reset,$soer" 60 >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "slapd refuses to change a reset window's 5 minutes, even shorter"
_last_cmd="ldappasswd as mett0001"
as_mett ldappasswd -s 'sol hus bil kat' "$soer" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "a teacher cannot set a student's password"

# ---- 4. an administrator's password is one-time ------------------------
as_kirs ldappasswd -s 'abc' "$soer" >"$OUT" 2>&1
ok $? "kirs0001 sets a student's password (slapd does not check an administrator's)"
is "$(ldap_attr "$soer" pwdReset)" TRUE "but leaves it must-change (pwdReset)"
ldapsearch -x -H "$ULOGIN_URI" -D "$soer" -w abc -b "$soer" -s base -LLL cn \
	>"$OUT" 2>&1
is "$?" 50 "with it, the student may only change the password"
ldappasswd -x -H "$ULOGIN_URI" -D "$soer" -w abc -a abc -s 'sol hus bil kat' \
	>"$OUT" 2>&1
ok $? "the student chooses pictures of their own"
is "$(ldap_attr "$soer" pwdReset)" "" "and is no longer must-change"

# ---- 5. the check module never repeats a password -------------------------
ldappasswd -x -H "$ULOGIN_URI" -D "$soer" -w 'sol hus bil kat' \
	-a 'sol hus bil kat' -s 'Sommer2026-Secret!' >"$OUT" 2>&1
[ $? -ne 0 ]
ok $? "slapd refuses a password that is not pictures"
! grep -q 'Sommer2026' "$OUT"
ok $? "and its message does not quote it"
! grep -q 'Sommer2026' "$_sandbox/slapd.log"
ok $? "nor does slapd's log"

done_testing

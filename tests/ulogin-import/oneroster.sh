#!/bin/sh
# OneRoster 1.1 CSV end to end: a bulk export directory into the directory
# (users, grades kept as written, levels, classes with members and
# teachers, parent links), a later export with a user to be deleted, a
# delta export refused whole, a bad row reported by file and line.
. "$top_srcdir/tests/lib.sh"
sandbox_start
allow_sources or1
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1

manifest() {	# manifest USERS-MODE
	cat <<EOF
propertyName,value
manifest.version,1.0
oneroster.version,1.1
file.academicSessions,absent
file.categories,absent
file.classes,bulk
file.classResources,absent
file.courses,absent
file.courseResources,absent
file.demographics,absent
file.enrollments,bulk
file.lineItems,absent
file.orgs,bulk
file.resources,absent
file.results,absent
file.users,$1
source.systemName,Testsystem
EOF
}
users_header='sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,metadata.dk.cpr,favouriteColour'
# The export: Mia and Nils in 3a (grade 03) with their guardian Rasmus
# (named from both sides), Olga in 5b, Sune in kindergarten (KG), and
# Petra who teaches both classes and works at two schools.  Unknown and
# metadata.* columns are filled in and must be ignored.
users_rows='u-s1,active,2026-08-01T00:00:00Z,true,org-1,student,,,Mia,Skov,,,mia@example.dk,,,u-g1,03,,010203-1234,blue
u-s2,active,2026-08-01T00:00:00Z,true,org-1,student,,,Nils,Skov,,,,,,,03,,,red
u-s3,active,2026-08-01T00:00:00Z,true,org-1,student,,,Olga,Ravn,,,,,,,05,,,
u-s4,active,2026-08-01T00:00:00Z,true,org-1,student,,,Sune,Holt,,,,,,,KG,,,
u-t1,active,2026-08-01T00:00:00Z,true,"org-1,org-2",teacher,,,Petra,Lund,,,petra@example.dk,,+4512345678,,,,,
u-g1,active,2026-08-01T00:00:00Z,true,org-1,guardian,,,Rasmus,Skov,,,,,,"u-s1,u-s2",,,,'
export_dir() {	# export_dir DIR USERS-MODE: a whole export, users.csv from stdin
	mkdir -p "$1"
	manifest "$2" >"$1/manifest.csv"
	cat >"$1/orgs.csv" <<'EOF'
sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,metadata.dk.kommune
org-1,active,2026-08-01T00:00:00Z,Bakkeskolen,school,280001,,751
org-2,active,2026-08-01T00:00:00Z,Fjordskolen,school,280002,,630
EOF
	cat >"$1/classes.csv" <<'EOF'
sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods
c-1,active,2026-08-01T00:00:00Z,3. klasse A,03,course-1,3a,homeroom,,org-1,term-1,,,
c-2,active,2026-08-01T00:00:00Z,5. klasse B,05,course-1,5b,homeroom,,org-1,term-1,,,
EOF
	cat >"$1/enrollments.csv" <<'EOF'
sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
e-1,active,2026-08-01T00:00:00Z,c-1,org-1,u-s1,student,false,,
e-2,active,2026-08-01T00:00:00Z,c-1,org-1,u-s2,student,false,,
e-3,active,2026-08-01T00:00:00Z,c-2,org-1,u-s3,student,false,,
e-4,active,2026-08-01T00:00:00Z,c-1,org-1,u-t1,teacher,true,,
e-5,active,2026-08-01T00:00:00Z,c-2,org-1,u-t1,teacher,true,,
EOF
	{ echo "$users_header"; cat; } >"$1/users.csv"
}
dump() {
	for ou in people classes; do
		ldap_search "ou=$ou,$ULOGIN_BASE" '(objectClass=*)' '*' \
			pwdPolicySubentry pwdAccountLockedTime pwdReset
	done
}
srcdn=cn=or1,ou=imports,$ULOGIN_BASE
c3a=cn=280001-3a,ou=classes,$ULOGIN_BASE
c5b=cn=280001-5b,ou=classes,$ULOGIN_BASE

echo "$users_rows" | export_dir export1 bulk
run 0 ulogin-import run --no-initial-passwords export1 --source or1 --format oneroster
stderr_has "^ulogin-import: 'or1': 6 rows, 6 added, 0 changed, 0 left, 0 detached, 0 unchanged, 0 skipped, 0 failed, 2 classes added, 0 classes changed, 0 classes removed$" \
	"6 users and 2 classes added, no bad row"
is "$(ldap_attr "$srcdn" uloginSourceKind)" "oneroster" "the source's kind is oneroster"

is "$(ldap_search "ou=people,$ULOGIN_BASE" '(uloginSource=or1)' uid | sed -n 's/^uid: //p' | sort | tr '\n' ' ')" \
	"mia0001 nils0001 olga0001 petr0001 rasm0001 sune0001 " "the six users, by generated username"
is "$(ldap_attr "$(people mia0001)" uloginExternalId)" "u-s1" "the external id is the sourcedId"
is "$(ldap_attr "$(people mia0001)" cn)" "Mia Skov" "cn from givenName and familyName"
is "$(ldap_attr "$(people mia0001)" mail)" "mia@example.dk" "mail from email"
is "$(ldap_attr "$(people mia0001)" uloginGrade)" "03" "grade 03 is kept as written"
is "$(ldap_attr "$(people mia0001)" uloginLevel)" "indskoling" "grade 03: indskoling"
is "$(ldap_attr "$(people mia0001)" pwdPolicySubentry)" "cn=pictures,ou=policies,$ULOGIN_BASE" \
	"grade 03: the picture policy"
is "$(ldap_attr "$(people olga0001)" uloginGrade)" "05" "grade 05 is kept as written"
is "$(ldap_attr "$(people olga0001)" uloginLevel)" "mellemtrin" "grade 05: mellemtrin"
is "$(ldap_attr "$(people sune0001)" uloginGrade)" "0" "kindergarten (KG) is grade 0"
is "$(ldap_attr "$(people sune0001)" uloginLevel)" "indskoling" "KG: indskoling"
is "$(ldap_attr "$(people mia0001)" uloginNationalIdHmac)" "" \
	"metadata.dk.cpr is not a national id column: nothing stored"
is "$(ldap_attr "$(people petr0001)" uloginRole)" "teacher" "Petra is a teacher"
is "$(ldap_attr "$(people petr0001)" uloginInstitution | sort | tr '\n' ' ')" "280001 280002 " \
	"a quoted orgSourcedIds with a comma: both schools"
is "$(ldap_attr "$(people petr0001)" uloginGrade)" "" "a teacher has no grade"
is "$(ldap_attr "$(people petr0001)" mobile)" "+4512345678" "the phone number, E.164"
is "$(ldap_attr "$(people rasm0001)" uloginRole)" "parent" "guardian is the parent role"
is "$(ldap_attr "$(people mia0001)" uloginParent)" "$(people rasm0001)" \
	"Mia's parent link (agentSourcedIds on both sides, one link)"
is "$(ldap_attr "$(people nils0001)" uloginParent)" "$(people rasm0001)" \
	"Nils's parent link (from the guardian's agentSourcedIds)"
is "$(ldap_attr "$(people olga0001)" uloginParent)" "" "Olga has no parent link"

is "$(ldap_attr "$c3a" member | sort | tr '\n' ' ')" \
	"$(people mia0001) $(people nils0001) " "class 280001-3a: Mia and Nils are members"
is "$(ldap_attr "$c3a" uloginTeacher)" "$(people petr0001)" "class 280001-3a: Petra teaches it"
is "$(ldap_attr "$c3a" uloginGrade)" "03" "class 280001-3a: grade 03"
is "$(ldap_attr "$c3a" uloginInstitution)" "280001" "class 280001-3a: institution 280001"
is "$(ldap_attr "$c3a" uloginClassName)" "3a" "the class name is the classCode"
is "$(ldap_attr "$c5b" member)" "$(people olga0001)" "class 280001-5b: Olga"
is "$(ldap_attr "$c5b" uloginTeacher)" "$(people petr0001)" "class 280001-5b: Petra"
is "$(ldap_search "ou=classes,$ULOGIN_BASE" "(|(member=$(people rasm0001))(uloginTeacher=$(people rasm0001)))" dn)" \
	"" "the guardian is in no class"

# The same export again changes nothing.
run 0 ulogin-import run --no-initial-passwords export1 --source or1 --format oneroster
stderr_has "'or1': 6 rows, 0 added, 0 changed, 0 left, 0 detached, 6 unchanged, 0 skipped, 0 failed, 0 classes added, 0 classes changed, 0 classes removed$" \
	"the second identical run changes nothing"

# ---- a later export: Olga is to be deleted --------------------------------
echo "$users_rows" | sed 's/^u-s3,active,/u-s3,tobedeleted,/' | export_dir export2 bulk
run 0 ulogin-import run --no-initial-passwords export2 --source or1 --format oneroster -n
stdout_has '^- user olga0001 \(left: blocked\)$' "the plan blocks olga0001"
stdout_has '^~ class 280001-5b: \+0 -1 students, \+0 -0 teachers$' "and takes her out of 5b"
# 1 of 6: within max_leavers (10%, rounded up).
run 0 ulogin-import run --no-initial-passwords export2 --source or1 --format oneroster
stderr_has "'or1': 5 rows, 0 added, 0 changed, 1 left, " "the run blocks one"
is "$(ldap_attr "$(people olga0001)" pwdAccountLockedTime)" "000001010000Z" \
	"status tobedeleted: olga0001 is locked"
ldap_attr "$(people olga0001)" uloginBlockReason | grep -q "or1"
ok $? "the block reason names the source or1"
is "$(ldap_attr "$c5b" member)" "" "olga0001 is out of 5b"
ldap_exists "$(people olga0001)"
ok $? "olga0001 is kept, not deleted"

# ---- a delta export: refused whole ----------------------------------------
echo "$users_rows" | export_dir delta delta
dump >before.ldif
last_run=$(ldap_attr "$srcdn" uloginLastRun)
run 65 ulogin-import run --no-initial-passwords delta --source or1 --format oneroster --force
stderr_has "delta" "the message says delta exports are not supported"
stderr_has "nothing was changed" "and that nothing was changed"
dump >after.ldif
cmp -s before.ldif after.ldif
ok $? "the delta export changed nothing in the directory"
is "$(ldap_attr "$srcdn" uloginLastRun)" "$last_run" "not even the source entry (no run recorded)"
is "$(ldap_attr "$srcdn" uloginLock)" "" "no lock left behind"

# ---- a bad row --------------------------------------------------------------
# Line 8 of users.csv (the header is line 1) has a role OneRoster does not
# know; the new user on line 9 still goes in.
{ echo "$users_rows" | sed 's/^u-s3,active,/u-s3,tobedeleted,/'
  echo 'u-x1,active,2026-08-01T00:00:00Z,true,org-1,x,,,Xavier,Bad,,,,,,,,,,'
  echo 'u-s5,active,2026-08-01T00:00:00Z,true,org-1,student,,,Tilde,Berg,,,,,,,04,,,'
} | export_dir export3 bulk
run 1 ulogin-import run --no-initial-passwords "$TEST_TMP/export3" --source or1 --format oneroster
stderr_has "^$TEST_TMP/export3/users.csv:8: key=u-x1: unknown role 'x'\$" \
	"the bad row is reported as DIR/users.csv:LINE: key=ID: reason"
stderr_has "'or1': 7 rows, 1 added, 0 changed, 0 left, 0 detached, 5 unchanged, 1 skipped, " \
	"the summary counts the skipped row"
ldap_exists "$(people tild0001)"
ok $? "the good row after the bad one was applied"
is "$(ldap_search "ou=people,$ULOGIN_BASE" '(uloginExternalId=u-x1)' dn)" "" \
	"the bad row added nobody"
is "$(ldap_attr "$srcdn" uloginLastOutcome | cut -c1-8)" "partial:" "the source records a partial run"

done_testing

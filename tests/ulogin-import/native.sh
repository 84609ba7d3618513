#!/bin/sh
# ulogin-import run with ulogin's own CSV, end to end: new students, a
# teacher and a parent in classes, every attribute as the server has it,
# the national ID only as a keyed HMAC, initial passwords that log in once,
# a second identical run that writes nothing, and a changed roster moving a
# pupil to another class, another pupil up a level, and changing fields.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
allow_sources skole
run 0 ulogin-policy apply -q

P=ou=policies,$ULOGIN_BASE
C=ou=classes,$ULOGIN_BASE

# A fixed key (the sandbox makes a random text one with openssl rand -hex
# 32): the HMAC is over the key file's bytes.  A key with a NUL byte is
# refused at the end.
KEY=$ULOGIN_SANDBOX/import.key
printf '\237\034\053\304\361\002\246\167\220\343\021\325\054\277\140\231' >"$KEY"
printf '\244\006\323\162\350\035\131\300\265\341\070\371\044\217\313\126' >>"$KEY"
chmod 600 "$KEY"
is "$(wc -c <"$KEY")" 32 "the test key is 32 bytes"
hexkey() { od -An -v -tx1 "$1" | tr -d ' \n'; }
hmac() {	# hmac KEYFILE TEXT: hex HMAC-SHA256 of TEXT under the key's bytes
	printf %s "$2" | openssl dgst -sha256 -mac HMAC \
		-macopt "hexkey:$(hexkey "$1")" | sed 's/^.*= *//'
}

# Everything a run could write, operational attributes too.
dump() {
	{
		ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=*)' '*' '+'
		ldap_search "$C" '(objectClass=*)' '*' '+'
	} >"$1" 2>&1
}
sorted() { sort | tr '\n' ' '; }
# What the runs printed, for the check that no CPR number is ever shown.
keep() { cat "$OUT" "$ERR" >>"$TEST_TMP/outputs"; }

H='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
R1=$TEST_TMP/roster1.csv
cat >"$R1" <<EOF
$H
E100,Anna,Berg,Elev,280001,,5a,5,anna.berg@example.dk,20 30 40 50,010110-1234,F100
E101,Bo,Dahl,Elev,280001,,5a,5,,,,
E102,Carl,Eriksen,Elev,280001,,6b,6,,,,
E103,Ida,Holm,Elev,280001,,3c,3,,,,
L100,Tove,Lund,Lærer,280001,,"5a,6b",,tove.lund@example.dk,,,
F100,Per,Berg,Forælder,280001,,,,per.berg@example.dk,+45 61 62 63 64,,
EOF
PW=$TEST_TMP/passwords.csv

# ---- the first run: six new people, three new classes -------------------
run 0 ulogin-import run "$R1" --source skole --passwords "$PW"
stderr_has "^ulogin-import: 'skole': 6 rows, 6 added, 0 changed, 0 left, 0 detached, 0 unchanged, 0 skipped, 0 failed, 3 classes added, 0 classes changed, 0 classes removed$" \
	"the summary counts 6 added and 3 classes"
keep

# anna0001 is in the example school: the generated name takes the next number.
anna=$(people anna0002)
ldap_exists "$anna"
ok $? "Anna got the generated username anna0002"
is "$(ldap_attr "$anna" uid)" "anna0002" "uid"
is "$(ldap_attr "$anna" objectClass | sorted)" "inetOrgPerson uloginAccount " \
	"objectClasses inetOrgPerson + uloginAccount"
is "$(ldap_attr "$anna" cn)" "Anna Berg" "cn"
is "$(ldap_attr "$anna" displayName)" "Anna Berg" "displayName"
is "$(ldap_attr "$anna" givenName)" "Anna" "givenName"
is "$(ldap_attr "$anna" sn)" "Berg" "sn"
is "$(ldap_attr "$anna" mail)" "anna.berg@example.dk" "mail"
is "$(ldap_attr "$anna" mobile)" "+4520304050" "mobile in E.164 with +45"
is "$(ldap_attr "$anna" uloginRole)" "student" "Elev is the role student"
is "$(ldap_attr "$anna" uloginInstitution)" "280001" "uloginInstitution"
is "$(ldap_attr "$anna" uloginGrade)" "5" "uloginGrade"
is "$(ldap_attr "$anna" uloginLevel)" "mellemtrin" "grade 5 is level mellemtrin"
is "$(ldap_attr "$anna" uloginExternalId)" "E100" "uloginExternalId"
want_hmac=$(hmac "$KEY" 0101101234)
is "$(ldap_attr "$anna" uloginNationalIdHmac)" "$want_hmac" \
	"uloginNationalIdHmac is HMAC-SHA256 of the CPR digits under the key"
is "$(ldap_attr "$anna" uloginParent)" "$(people per0001)" \
	"uloginParent is the parent's DN (by external id F100)"
is "$(ldap_attr "$anna" uloginSource)" "skole" "uloginSource"
run 0 ulogin-user show anna0002 -o json
is "$(jq -c '[.parents, .sources]' "$OUT")" '[["per0001"],["skole"]]' \
	"ulogin-user show names her parent by username, and her import source"
is "$(ldap_attr "$anna" pwdPolicySubentry)" "cn=mellemtrin,$P" \
	"pwdPolicySubentry: the mellemtrin policy"
is "$(ldap_attr "$anna" pwdReset)" "TRUE" "pwdReset TRUE: must change at first login"
is "$(ldap_attr "$anna" uloginChangeBy)" "" "a new user has no change-by deadline"

is "$(ldap_attr "$(people bo0001)" uloginExternalId)" "E101" "Bo is bo0001"
is "$(ldap_attr "$(people ida0001)" pwdPolicySubentry)" "cn=pictures,$P" \
	"grade 3: the picture policy"
tove=$(people tove0001)
is "$(ldap_attr "$tove" uloginRole)" "teacher" "Lærer is the role teacher"
is "$(ldap_attr "$tove" pwdPolicySubentry)" "cn=staff,$P" "a teacher gets the staff policy"
is "$(ldap_attr "$tove" uloginGrade)" "" "a teacher has no grade"
per=$(people per0001)
is "$(ldap_attr "$per" uloginRole)" "parent" "Forælder is the role parent"
is "$(ldap_attr "$per" mobile)" "+4561626364" "a mobile with +45 and spaces normalised"
is "$(ldap_attr "$per" pwdPolicySubentry)" "cn=parent,$P" "a parent gets the parent policy"
is "$(ldap_attr "$per" pwdReset)" "TRUE" "the parent must change the password too"

# Classes: <institution>-<class>, students as member, teachers as uloginTeacher.
is "$(ldap_attr "cn=280001-5a,$C" member | sorted)" "$anna $(people bo0001) " \
	"class 280001-5a has Anna and Bo as members"
is "$(ldap_attr "cn=280001-5a,$C" uloginTeacher)" "$tove" "Tove teaches 280001-5a"
is "$(ldap_attr "cn=280001-5a,$C" uloginGrade)" "5" "280001-5a is grade 5"
is "$(ldap_attr "cn=280001-5a,$C" uloginInstitution)" "280001" "280001-5a belongs to 280001"
is "$(ldap_attr "cn=280001-5a,$C" uloginSource)" "skole" "280001-5a is attached to the source"
is "$(ldap_attr "cn=280001-6b,$C" member)" "$(people carl0001)" "280001-6b has Carl"
is "$(ldap_attr "cn=280001-6b,$C" uloginTeacher)" "$tove" "Tove teaches 280001-6b"
is "$(ldap_attr "cn=280001-6b,$C" uloginGrade)" "6" "280001-6b is grade 6"
is "$(ldap_attr "cn=280001-3c,$C" member)" "$(people ida0001)" "280001-3c has Ida"
ldap_search "$C" "(member=$per)" dn >"$TEST_TMP/perclass"
is "$(cat "$TEST_TMP/perclass")" "" "a parent is in no class"

# The source entry records the run.
src="cn=skole,ou=imports,$ULOGIN_BASE"
is "$(ldap_attr "$src" uloginSourceKind)" "csv" "source kind csv"
is "$(ldap_attr "$src" uloginLastOutcome)" "ok" "outcome ok"
is "$(ldap_attr "$src" uloginLastCounts)" \
	"rows=6 added=6 changed=0 left=0 detached=0 unchanged=0 skipped=0 failed=0 classes_added=3 classes_changed=0 classes_removed=0" \
	"the source entry has the counts"
is "$(ldap_attr "$src" uloginLock)" "" "the lock is released"

# ---- the initial passwords -----------------------------------------------
is "$(stat -c %a "$PW")" "600" "the passwords file is mode 0600"
is "$(head -n 1 "$PW")" "username,password,note" "the passwords file has a header"
is "$(tail -n +2 "$PW" | cut -d, -f1 | sorted)" \
	"anna0002 bo0001 carl0001 ida0001 per0001 tove0001 " \
	"one line for each new user"
binds=0 must=0
tail -n +2 "$PW" >"$TEST_TMP/pwlines"
while IFS=, read -r user pw; do
	ldapwhoami -x -e ppolicy -H "$ULOGIN_URI" -D "$(people "$user")" \
		-w "$pw" >"$TEST_TMP/who" 2>&1 && binds=$((binds + 1))
	grep -q 'Password must be changed' "$TEST_TMP/who" && must=$((must + 1))
done <"$TEST_TMP/pwlines"
is "$binds" 6 "every initial password binds (ldapwhoami)"
is "$must" 6 "ppolicy says every initial password must be changed"
ldapwhoami -x -H "$ULOGIN_URI" -D "$anna" -w 'not-the-password' >/dev/null 2>&1
is "$?" 49 "a wrong password does not bind (the check above can fail)"

# ---- a passwords file that exists: refused, nothing changed -------------
R1B=$TEST_TMP/roster1b.csv
cp "$R1" "$R1B"
echo 'E104,Jonas,Krog,Elev,280001,,5a,5,,,,' >>"$R1B"
cp "$PW" "$TEST_TMP/pw.before"
dump "$TEST_TMP/before"
run 73 ulogin-import run "$R1B" --source skole --passwords "$PW"
stderr_has "cannot create '$PW': it exists" "the existing passwords file is named"
keep
dump "$TEST_TMP/after"
cmp -s "$TEST_TMP/before" "$TEST_TMP/after"
ok $? "nothing in people or classes changed"
ldap_exists "$(people jona0002)"
ok $((! $?)) "the new pupil was not added"
cmp -s "$TEST_TMP/pw.before" "$PW"
ok $? "the passwords file was not touched"

# ---- the same file again: nothing written --------------------------------
dump "$TEST_TMP/before"
n=$(ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=*)' dn | grep -c '^dn: ')
n=$((n + $(ldap_search "$C" '(objectClass=*)' dn | grep -c '^dn: ')))
is "$(grep -c '^dn: ' "$TEST_TMP/before")" "$n" \
	"the dump holds every entry of people and classes ($n)"
grep -q '^modifyTimestamp: ' "$TEST_TMP/before" && grep -q '^entryCSN: ' "$TEST_TMP/before"
ok $? "the dump has modifyTimestamp and entryCSN"
run 0 ulogin-import run --no-initial-passwords "$R1" --source skole
stderr_has "^ulogin-import: 'skole': 6 rows, 0 added, 0 changed, 0 left, 0 detached, 6 unchanged, 0 skipped, 0 failed, 0 classes added, 0 classes changed, 0 classes removed$" \
	"the second run: 0 added, 0 changed, 6 unchanged"
keep
dump "$TEST_TMP/after"
cmp -s "$TEST_TMP/before" "$TEST_TMP/after"
ok $? "people and classes are byte for byte the same, operational attributes too"
diff "$TEST_TMP/before" "$TEST_TMP/after" | head -n 10 | sed 's/^/# /'

# ---- a changed roster ------------------------------------------------------
# Bo moves from 5a to 6b (and up to grade 6, the same level); Ida goes from
# grade 3 to 4 (indskoling -> mellemtrin) and from class 3c to 4c; Anna's
# mail changes and her mobile is gone.
R2=$TEST_TMP/roster2.csv
cat >"$R2" <<EOF
$H
E100,Anna,Berg,Elev,280001,,5a,5,anna.b@example.dk,,010110-1234,F100
E101,Bo,Dahl,Elev,280001,,6b,6,,,,
E102,Carl,Eriksen,Elev,280001,,6b,6,,,,
E103,Ida,Holm,Elev,280001,,4c,4,,,,
L100,Tove,Lund,Lærer,280001,,"5a,6b",,tove.lund@example.dk,,,
F100,Per,Berg,Forælder,280001,,,,per.berg@example.dk,+45 61 62 63 64,,
EOF
bo=$(people bo0001) ida=$(people ida0001)
anna_hash=$(ldap_attr "$anna" userPassword)
before=$(date -u +%s)
run 0 ulogin-import run --no-initial-passwords "$R2" --source skole
stderr_has "^ulogin-import: 'skole': 6 rows, 0 added, 3 changed, 0 left, 0 detached, 3 unchanged, 0 skipped, 0 failed, 1 classes added, 2 classes changed, 1 classes removed$" \
	"the changed roster: 3 changed, a class added, changed and removed"
keep

# The class move: out of 5a, into 6b.
is "$(ldap_attr "cn=280001-5a,$C" member)" "$anna" "Bo left 280001-5a (only Anna stays)"
is "$(ldap_attr "cn=280001-6b,$C" member | sorted)" "$bo $(people carl0001) " \
	"Bo is in 280001-6b with Carl"
ldap_search "$C" "(member=$bo)" dn >"$TEST_TMP/boclass"
is "$(cat "$TEST_TMP/boclass")" "dn: cn=280001-6b,$C" "Bo is a member of 280001-6b only"
is "$(ldap_attr "cn=280001-6b,$C" uloginTeacher)" "$tove" "6b keeps its teacher"
is "$(ldap_attr "$bo" uloginGrade)" "6" "Bo is grade 6"
is "$(ldap_attr "$bo" uloginLevel)" "mellemtrin" "grade 6 is still mellemtrin"
is "$(ldap_attr "$bo" pwdPolicySubentry)" "cn=mellemtrin,$P" "Bo keeps the mellemtrin policy"
is "$(ldap_attr "$bo" uloginChangeBy)" "" "no deadline within a level"

# The level change.
is "$(ldap_attr "$ida" uloginGrade)" "4" "Ida is grade 4"
is "$(ldap_attr "$ida" uloginLevel)" "mellemtrin" "grade 4 is level mellemtrin"
is "$(ldap_attr "$ida" pwdPolicySubentry)" "cn=mellemtrin,$P" \
	"the policy link moves to the mellemtrin policy"
by=$(ldap_attr "$ida" uloginChangeBy)
by_s=$(date -u -d "$(echo "$by" | sed -E 's/^(....)(..)(..)(..)(..)(..)Z$/\1-\2-\3 \4:\5:\6/')" +%s 2>/dev/null || echo 0)
is "$(( (by_s - before + 60) / 86400 ))" 30 "uloginChangeBy is 30 days ahead ($by)"
ldap_exists "cn=280001-3c,$C"
ok $((! $?)) "class 280001-3c, no longer in the roster, is removed"
is "$(ldap_attr "cn=280001-4c,$C" member)" "$ida" "Ida is in the new class 280001-4c"
is "$(ldap_attr "cn=280001-4c,$C" uloginGrade)" "4" "280001-4c is grade 4"

# The field change.
is "$(ldap_attr "$anna" mail)" "anna.b@example.dk" "Anna's mail changed"
is "$(ldap_attr "$anna" mobile)" "" "Anna's mobile is removed"
is "$(ldap_attr "$anna" cn)" "Anna Berg" "Anna's name is untouched"
is "$(ldap_attr "$anna" uloginNationalIdHmac)" "$want_hmac" "Anna's HMAC is untouched"
is "$(ldap_attr "$anna" userPassword)" "$anna_hash" "a change does not touch the password"
is "$(ldap_attr "$anna" uloginChangeBy)" "" "no deadline for a field change"

# ---- the national ID never in clear --------------------------------------
ldap_search "$ULOGIN_BASE" '(objectClass=*)' '*' '+' >"$TEST_TMP/all"
cat "$TEST_TMP/all" "$AUDIT_LOG" "$PW" >"$TEST_TMP/everything"
grep -c '^dn: ' "$TEST_TMP/all" | grep -qv '^0$'
ok $? "the whole directory was dumped"
! grep -aqE '0101101234|010110-1234' "$TEST_TMP/everything"
ok $? "the CPR digits are nowhere in the directory, the audit log or the passwords file"
# A new CPR number for Anna, shown as a plan: the change is named, the
# number is not.
sed 's/010110-1234/020220-5678/' "$R2" >"$TEST_TMP/roster3.csv"
run 0 ulogin-import run --no-initial-passwords "$TEST_TMP/roster3.csv" --source skole -n -v
stdout_is "~ user anna0002: national id" "the plan names the national id change"
keep
! grep -aqE '0101101234|010110-1234|0202205678|020220-5678' "$TEST_TMP/outputs"
ok $? "no CPR number was ever on stdout or stderr"

# ---- a binary key with a NUL byte is refused, not cut short --------------
KEY2=$TEST_TMP/binary.key
printf '\001\002\003\000\004\005\006\007\010\011\013\014\016\017\020\021' >"$KEY2"
printf '\022\023\024\025\026\027\030\031\032\033\034\035\036\037\040\012' >>"$KEY2"
chmod 600 "$KEY2"
is "$(wc -c <"$KEY2")" 32 "the binary key is 32 bytes, a NUL at byte 4, a newline last"
run 78 ulogin-import run --no-initial-passwords "$R2" --source skole -n --key-file "$KEY2"
stderr_has "the key in '$KEY2' is binary data" "a key with a NUL byte is refused"
stderr_has "openssl rand -hex 32" "... with how to make a usable one"

done_testing

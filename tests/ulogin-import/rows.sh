#!/bin/sh
# ulogin-import run: rows are whole or refused.  A row with more or fewer
# fields than the header, a control character or line break in a value, a
# blank name, a mail address with a name or a header in it, an empty cell
# the mapping has no "empty:" rule for: each is a bad row, named as
# FILE:LINE: key=KEY: reason, and its user stays as they are.  A column
# the mapping does not name is not the export's business: its values stay.
# A NUL byte refuses the whole file at its line.  "07" and "7" are one
# grade from either format.
. "$top_srcdir/tests/lib.sh"
sandbox_start
allow_sources rows rows-or
run 0 ulogin-policy apply -q

H='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
attr() { ldap_attr "$(people "$1")" "$2"; }
esc=$(printf '\033')
rlo=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE

# ---- the first export: everyone whole --------------------------------------
F=$TEST_TMP/first.csv
cat >"$F" <<EOF
$H
R1,Anna,Berg,Elev,280001,,5a,5,anna@example.dk,20 11 11 11,,
R2,Bo,Dahl,Elev,280001,,5a,07,bo@example.dk,20 22 22 22,,
R3,Cai,Eng,Elev,280001,,5a,5,cai@example.dk,20 33 33 33,,
EOF
run 0 ulogin-import run --no-initial-passwords "$F" --source rows
is "$(attr bo0001 uloginGrade)" "7" "a native grade 07 is stored as 7"
is "$(attr bo0001 uloginLevel)" "udskoling" "... of udskoling"

# ---- bad rows ----------------------------------------------------------------
# R6's quoted mail holds a CR LF and a Bcc header: the row starts on line
# 7 and ends on 8.
F=$TEST_TMP/bad.csv
{
	echo "$H"
	echo 'R1,Anna,Berg,Elev,280001,,5a,5,anna@example.dk'
	echo 'R2,Bo,Dahl,Elev,280001,,5a,7,bo@example.dk,20 22 22 22,,,x'
	echo 'R3,Cai,Eng,Elev,280001,,5a,5,,,,'
	echo "R4,Dan${esc}[8m,Dam,Elev,280001,,5a,5,,,,"
	echo 'R5,   ,Berg,Elev,280001,,5a,5,,,,'
	printf '%s\r\n%s\n' 'R6,Eva,Eng,Elev,280001,,5a,5,"eva@example.dk' 'Bcc: all@example.dk",,,'
	echo 'R7,Finn,Fisk,Elev,280001,,5a,5,Finn Fisk <finn@example.dk>,,,'
	echo "R8,Gry,${rlo}dnuL,Elev,280001,,5a,5,,,,"
} >"$F"
RES=$TEST_TMP/results.csv
run 1 ulogin-import run --no-initial-passwords "$F" --source rows --results "$RES"
stderr_has "^$F:2: key=R1: the row has 9 fields, the header has 12\$" \
	"a short row is a bad row, with its line and key"
stderr_has "^$F:3: key=R2: the row has 13 fields, the header has 12\$" \
	"a long row is a bad row"
stderr_has "^$F:5: key=R4: column 'Fornavn' holds a control character\$" \
	"an escape sequence in a name is a bad row"
stderr_has "^$F:6: key=R5: no given name \\(column 'Fornavn' is blank\\)\$" \
	"a name of spaces is a bad row"
stderr_has "^$F:7: key=R6: column 'Email' holds a line break\$" \
	"a line break (Bcc: header) in a mail address is a bad row, at the line the row starts"
stderr_has "^$F:9: key=R7: bad mail address 'Finn Fisk <finn@example.dk>': give the address alone, without a name or <>\$" \
	"a mail address with a display name is a bad row"
stderr_has "^$F:10: key=R8: column 'Efternavn' holds a bidirectional control character\$" \
	"a right-to-left override in a surname is a bad row"
is "$(grep -c "^$F:[0-9]*: key=" "$ERR")" 7 "seven bad rows, one message each"
! grep -q -e "$esc" -e "$rlo" -e 'Bcc' -e "$(printf '\r')" "$ERR"
ok $? "no control character, override or header of a row is printed"
stderr_has "^ulogin-import: 'rows': 8 rows, 0 added, 1 changed, 0 left, 0 detached, 0 unchanged, 7 skipped, 0 failed," \
	"the summary: 7 skipped, 1 changed, nobody left"
grep -q ",2,R1,,skip,skipped,\"the row has 9 fields, the header has 12\"" "$RES"
ok $? "--results: the short row, skipped, with the reason"

# The users of the short and long rows are left as they are: the missing
# columns did not remove Anna's mail and mobile.
is "$(attr anna0001 mail)" "anna@example.dk" "the short row's user keeps her mail"
is "$(attr anna0001 mobile)" "+4520111111" "... and her mobile"
is "$(attr bo0001 mobile)" "+4520222222" "the long row's user keeps his mobile"
# The shipped mapping says empty: clear for mail and mobile.
is "$(attr cai0001 mail)" "" "an empty mail with 'empty: clear' removes the mail"
is "$(attr cai0001 mobile)" "" "... and an empty mobile the mobile"
is "$(attr cai0001 uloginGrade)" "5" "... and nothing else"
ldap_search "ou=people,$ULOGIN_BASE" '(|(uloginExternalId=R4)(uloginExternalId=R5)(uloginExternalId=R6)(uloginExternalId=R7)(uloginExternalId=R8))' dn >"$TEST_TMP/found"
is "$(cat "$TEST_TMP/found")" "" "no bad row's person was added"

# ---- a mapping without mobile, and without an empty: rule for mail -------
MAP=$TEST_TMP/map.yaml
cat >"$MAP" <<'EOF'
columns:
  external_id: ElevID
  given_name: Fornavn
  surname: Efternavn
  role: Rolle
  institution: Institution
  classes: Klasser
  grade: Klassetrin
  mail: Email
roles:
  Elev: student
EOF
F=$TEST_TMP/nomobile.csv
cat >"$F" <<'EOF'
ElevID,Fornavn,Efternavn,Rolle,Institution,Klasser,Klassetrin,Email
R1,Anna,Berg,Elev,280001,5a,5,anna@example.dk
R2,Bo,Dahl,Elev,280001,5a,7,
R3,Cai,Eng,Elev,280001,5a,5,cai@example.dk
EOF
run 1 ulogin-import run --no-initial-passwords "$F" --source rows --map "$MAP"
stderr_has "^$F:3: key=R2: no mail address \\(column 'Email' is empty; the mapping does not say empty: clear\\)\$" \
	"an empty mail without an empty: rule is a bad row"
is "$(attr bo0001 mail)" "bo@example.dk" "... and the mail stays"
is "$(attr anna0001 mobile)" "+4520111111" \
	"a mobile the mapping has no column for stays"
is "$(attr cai0001 mail)" "cai@example.dk" "a mapped mail is set"

echo 'empty:
  mail: clear' >>"$MAP"
run 0 ulogin-import run --no-initial-passwords "$F" --source rows --map "$MAP"
is "$(attr bo0001 mail)" "" "with 'empty: mail: clear' the empty mail removes the mail"
is "$(attr bo0001 mobile)" "+4520222222" "... and the unmapped mobile stays"
is "$(attr anna0001 mobile)" "+4520111111" "... also for the others"

# ---- a NUL byte: the whole file is refused, at its line ----------------------
dump() { ldap_search "$ULOGIN_BASE" '(objectClass=*)' '*' '+' | grep -v -e '^modifyTimestamp' -e '^entryCSN' -e '^contextCSN'; }
dump >"$TEST_TMP/dir.before"
F=$TEST_TMP/nul.csv
{
	echo "$H"
	echo 'R1,Anna,Berg,Elev,280001,,5a,5,anna@example.dk,,,'
	printf 'R9,Ib\000,Ild,Elev,280001,,5a,5,,,,\n'
	echo 'R3,Cai,Eng,Elev,280001,,5a,5,,,,'
} >"$F"
run 65 ulogin-import run --no-initial-passwords "$F" --source rows
stderr_has "^ulogin-import: cannot read '$F': line 3 \\(byte [0-9]+\\): the line holds a NUL byte: the file is damaged, or not text \\(UTF-16\\? save it as UTF-8\\)\$" \
	"a NUL byte refuses the file, naming its line"
iconv -f UTF-8 -t WINDOWS-1252 "$F" >"$F.1252"
run 65 ulogin-import run --no-initial-passwords "$F.1252" --source rows --encoding windows-1252
stderr_has "^ulogin-import: cannot read '$F.1252': line 3 \\(byte [0-9]+\\): the line holds a NUL byte" \
	"in a Windows-1252 file too (where it used to cut the field)"
dump >"$TEST_TMP/dir.after"
cmp -s "$TEST_TMP/dir.before" "$TEST_TMP/dir.after"
ok $? "nothing was written to the directory"

# ---- OneRoster: the same rules, and the same grades --------------------------
D=$TEST_TMP/or
mkdir -p "$D"
cat >"$D/manifest.csv" <<'EOF'
propertyName,value
manifest.version,1.0
oneroster.version,1.1
file.orgs,bulk
file.classes,absent
file.enrollments,absent
file.users,bulk
EOF
cat >"$D/orgs.csv" <<'EOF'
sourcedId,status,name,type,identifier
org-1,active,Bakkeskolen,school,280001
EOF
cat >"$D/users.csv" <<EOF
sourcedId,status,orgSourcedIds,role,givenName,familyName,grades
o1,active,org-1,student,Ole,Olsen,07
o2,active,org-1,student,Pia,Holm
o3,active,org-1,student,Rud,"Rask
Hansen",3
EOF
run 1 ulogin-import run --no-initial-passwords "$D" --format oneroster --source rows-or
stderr_has "^$D/users.csv:3: key=o2: the row has 6 fields, the header has 7\$" \
	"OneRoster: a short row is a bad row"
stderr_has "^$D/users.csv:4: key=o3: familyName holds a line break\$" \
	"OneRoster: a line break in a name is a bad row"
is "$(attr ole0001 uloginGrade)" "7" "OneRoster grades 07 is stored as 7, as the native 07"
is "$(attr ole0001 uloginGrade)" "$(attr bo0001 uloginGrade)" \
	"the same grade from both formats"
# users.csv has no email, sms or phone column: what the users have stays.
printf 'dn: %s\nchangetype: modify\nreplace: mobile\nmobile: +4520999999\n-\nreplace: mail\nmail: ole@example.dk\n' "$(people ole0001)" |
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
ok $? "setup: Ole gets a mobile and a mail by hand"
run 1 ulogin-import run --no-initial-passwords "$D" --format oneroster --source rows-or
stderr_has "^ulogin-import: 'rows-or': 3 rows, 0 added, 0 changed, 0 left, 0 detached, 1 unchanged, 2 skipped" \
	"OneRoster again: Ole unchanged"
is "$(attr ole0001 mobile)" "+4520999999" "a mobile without a sms or phone column stays"
is "$(attr ole0001 mail)" "ole@example.dk" "a mail without an email column stays"

done_testing

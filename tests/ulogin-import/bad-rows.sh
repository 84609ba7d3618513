#!/bin/sh
# ulogin-import run: each kind of bad row is named as FILE:LINE: key=KEY:
# reason, skipped, and the rest of the file applied (exit 1); --results
# has a line for every input row, --report the counts and the errors.
. "$top_srcdir/tests/lib.sh"
sandbox_start
allow_sources skole
run 0 ulogin-policy apply -q

H='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
F=$TEST_TMP/roster.csv
cat >"$F" <<EOF
$H
B1,Anna,Berg,Elev,280001,,5a,5,anna@example.dk,,,
B2,,Dahl,Elev,280001,,5a,5,,,,
B3,Carl,Eriksen,Rektor,280001,,5a,5,,,,
B1,Dora,Dam,Elev,280001,,5a,5,,,,
B5,Emil,Eng,Elev,280001,same.user,5a,5,,,,
B6,Frida,Fisk,Elev,280001,same.user,5a,5,,,,
B7,Gry,Gran,Elev,280001,,5a,11,,,,
B8,Hans,Hald,Elev,280001,,5a,x,,,,
B9,Ib,Ild,Elev,280001,,5a,5,,12ab,,
B10,Jens,Juul,Elev,280001,,5a,5,jens.example.dk,,,
B11,Kim,Krog,Elev,280001,,5a,5,,,,
B12,Lis,Lund,Elev,280001,,5a,5,,,311299-12345,
B13,Mia,Mose,Elev,280001,,5a,5,,123,,
EOF
RES=$TEST_TMP/results.csv
REP=$TEST_TMP/report.json

run 1 ulogin-import run --no-initial-passwords "$F" --source skole --results "$RES" --report "$REP"
stderr_has "^$F:3: key=B2: no given name \(column 'Fornavn' is empty\)$" \
	"missing given name: named with line, key and column"
stderr_has "^$F:4: key=B3: unknown role 'Rektor'$" "unknown role named"
stderr_has "^$F:5: key=B1: duplicate key: the same external id is on line 2$" \
	"duplicate external id: the second row, naming the first line"
stderr_has "^$F:7: key=B6: duplicate username 'same.user'.*line 6" \
	"duplicate username: the second row, naming the first line"
stderr_has "^$F:8: key=B7: bad grade '11' \(0-10 or g1-g3\)$" "grade 11 refused"
stderr_has "^$F:9: key=B8: bad grade 'x' \(0-10 or g1-g3\)$" "grade x refused"
stderr_has "^$F:10: key=B9: bad mobile number: " "a mobile with letters refused"
stderr_has "^$F:14: key=B13: bad mobile number: " "a mobile of three digits refused"
stderr_has "^$F:11: key=B10: bad mail address 'jens.example.dk'$" "a mail without @ refused"
stderr_has "^$F:13: key=B12: .*national ID" "a malformed national ID number refused"
! grep -qE '311299|12345' "$ERR"
ok $? "the malformed national ID number is not repeated"
is "$(grep -c "^$F:[0-9]*: key=" "$ERR")" 10 "ten bad rows, one message each"
stderr_has "^ulogin-import: 'skole': 13 rows, 3 added, 0 changed, 0 left, 0 detached, 0 unchanged, 10 skipped, 0 failed, 1 classes added, 0 classes changed, 0 classes removed$" \
	"the summary: 3 added, 10 skipped"

# The bad rows' people are not in the directory; the good rows are.
for key in B2 B3 B6 B7 B8 B9 B10 B12 B13; do
	ldap_search "ou=people,$ULOGIN_BASE" "(uloginExternalId=$key)" dn >"$TEST_TMP/found"
	is "$(cat "$TEST_TMP/found")" "" "the row of $key was not applied"
done
ldap_search "ou=people,$ULOGIN_BASE" '(|(givenName=Dora)(givenName=Frida))' dn >"$TEST_TMP/found"
is "$(cat "$TEST_TMP/found")" "" "neither duplicate (Dora, Frida) was added"
is "$(ldap_attr "$(people anna0001)" uloginExternalId)" "B1" "the first B1 row was added (anna0001)"
is "$(ldap_attr "$(people anna0001)" givenName)" "Anna" "... with its own values"
is "$(ldap_attr "$(people same.user)" givenName)" "Emil" "the first same.user row was added"
is "$(ldap_attr "$(people kim0001)" uloginExternalId)" "B11" "a good row after the bad ones was added"
is "$(ldap_attr "cn=280001-5a,ou=classes,$ULOGIN_BASE" member | sort | tr '\n' ' ')" \
	"$(people anna0001) $(people kim0001) $(people same.user) " \
	"the class has the good rows' pupils only"
is "$(ldap_attr "cn=skole,ou=imports,$ULOGIN_BASE" uloginLastOutcome)" \
	"partial: some rows were skipped or failed" "the source entry says partial"

# --results: one line per input row.
tr -d '\r' <"$RES" >"$TEST_TMP/res"
is "$(head -n 1 "$TEST_TMP/res")" "file,line,key,username,action,result,reason" \
	"results header"
is "$(tail -n +2 "$TEST_TMP/res" | wc -l)" 13 "results: a line for each of the 13 rows"
is "$(tail -n +2 "$TEST_TMP/res" | cut -d, -f2,3,5,6 | tr '\n' ' ')" \
	"2,B1,add,ok 3,B2,skip,skipped 4,B3,skip,skipped 5,B1,skip,skipped 6,B5,add,ok 7,B6,skip,skipped 8,B7,skip,skipped 9,B8,skip,skipped 10,B9,skip,skipped 11,B10,skip,skipped 12,B11,add,ok 13,B12,skip,skipped 14,B13,skip,skipped " \
	"results: line, key, action and result of every row"
grep -qx "$F,2,B1,anna0001,add,ok," "$TEST_TMP/res"
ok $? "results: an added row names the username and has no reason"
grep -qx "$F,4,B3,,skip,skipped,unknown role 'Rektor'" "$TEST_TMP/res"
ok $? "results: a skipped row has the reason"
grep -qx "$F,8,B7,,skip,skipped,bad grade '11' (0-10 or g1-g3)" "$TEST_TMP/res"
ok $? "results: the bad grade's reason"

# --report: JSON counts and errors.
is "$(jq -r '.counts.skipped' "$REP")" 10 "report: counts.skipped"
is "$(jq -r '.counts.added' "$REP")" 3 "report: counts.added"
is "$(jq -r '.counts.rows' "$REP")" 13 "report: counts.rows"
is "$(jq -r '.outcome' "$REP")" "partial: some rows were skipped or failed" "report: outcome"
is "$(jq -r '.source + " " + .format + " " + (.dry_run | tostring)' "$REP")" \
	"skole native false" "report: source, format, dry_run"
is "$(jq -r '.errors | length' "$REP")" 10 "report: ten errors"
is "$(jq -r '[.errors[] | "\(.line):\(.key)"] | join(" ")' "$REP")" \
	"3:B2 4:B3 5:B1 7:B6 8:B7 9:B8 10:B9 11:B10 13:B12 14:B13" \
	"report: every error with its line and key"
is "$(jq -r '.errors[] | select(.line == 5) | .reason' "$REP")" \
	"duplicate key: the same external id is on line 2" "report: the duplicate's reason"
is "$(jq -r '.errors[] | select(.line == 4) | .reason' "$REP")" \
	"unknown role 'Rektor'" "report: the unknown role's reason"
! grep -qE '311299|12345' "$REP" "$RES"
ok $? "neither file repeats the malformed national ID number"

# A bad row for someone already in the directory leaves that user alone:
# the row is skipped, the user is still in the export and does not leave.
F2=$TEST_TMP/roster2.csv
cat >"$F2" <<EOF
$H
B1,Anna,Berg,Elev,280001,,5a,5,anna@example.dk,,,
B5,Emil,Eng,Elev,280001,same.user,5a,5,,,,
B11,Kim,Krog,Elev,280001,,5a,x,,,,
EOF
ULOGIN_MAX_LEAVERS=100% run 1 ulogin-import run --no-initial-passwords "$F2" --source skole
stderr_has "^$F2:4: key=B11: bad grade 'x'" "the bad row of an existing user is named"
stderr_has "^ulogin-import: 'skole': 3 rows, 0 added, 0 changed, 0 left, 0 detached, 2 unchanged, 1 skipped" \
	"the summary: 1 skipped, no one left"
is "$(ldap_attr "$(people kim0001)" pwdAccountLockedTime)" "" \
	"the user of the bad row is not blocked"
is "$(ldap_attr "$(people kim0001)" uloginLeftAt)" "" "... nor marked as left"
is "$(ldap_attr "$(people kim0001)" uloginGrade)" "5" "... nor changed"
ldap_search "ou=classes,$ULOGIN_BASE" "(member=$(people kim0001))" dn >"$TEST_TMP/found"
is "$(cat "$TEST_TMP/found")" "dn: cn=280001-5a,ou=classes,$ULOGIN_BASE" \
	"... nor taken out of the class"

# A change the server refuses: a plain entry (not a ulogin user, so the
# import does not see it) has the new user's DN.  That row fails, named
# with its line; the summary counts what was made.
printf 'dn: %s\nobjectClass: account\nuid: nora.nord\n' "$(people nora.nord)" |
	ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
ok $? "setup: a plain account entry takes the DN of nora.nord"
F3=$TEST_TMP/roster3.csv
{ sed 's/^B11,Kim,Krog,Elev,280001,,5a,x,/B11,Kim,Krog,Elev,280001,,5a,5,/' "$F2"
  echo 'B20,Nora,Nord,Elev,280001,nora.nord,5a,5,,,,'; } >"$F3"
ULOGIN_MAX_LEAVERS=100% run 1 ulogin-import run --no-initial-passwords "$F3" --source skole --results "$RES"
stderr_has "^$F3:5: key=B20: cannot add user 'nora.nord': it already exists" \
	"the refused add is named with its line and key"
stderr_has "^ulogin-import: 'skole': 4 rows, 0 added, 0 changed, 0 left, 0 detached, 3 unchanged, 0 skipped, 1 failed," \
	"the summary: nothing added, 1 failed"
grep -q ",5,B20,nora.nord,add,failed," "$RES"
ok $? "--results: the row failed"
is "$(ldap_attr "$(people nora.nord)" objectClass)" account "the entry in the way is untouched"

done_testing

#!/bin/sh
# ulogin-import run: the files it writes name pupils (--plan, --report,
# --results) or hold their passwords (--passwords), and the audit log
# names every change.  Each is created mode 0600 whatever the umask, never
# through a symbolic link, and never replaces a file unless --overwrite
# says so (a passwords file never).
. "$top_srcdir/tests/lib.sh"
umask 022
sandbox_start
allow_sources skole
run 0 ulogin-policy apply -q

is "$(stat -c %a "$AUDIT_LOG")" 600 "the audit log of a fresh sandbox is 0600"

H='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
F=$TEST_TMP/roster.csv
printf '%s\nP1,Anna,Berg,Elev,280001,,5a,5,,,,\nP2,Bo,Dahl,Elev,280001,,5a,5,,,,\n' \
	"$H" >"$F"
D=$TEST_TMP/out
mkdir "$D"

# ---- every file 0600 ------------------------------------------------------
run 0 ulogin-import run --no-initial-passwords "$F" --source skole -n --plan "$D/plan.json" -q
is "$(stat -c %a "$D/plan.json")" 600 "--plan (a dry run): 0600"
run 0 ulogin-import run "$F" --source skole --plan "$D/plan.ldif" \
	--report "$D/report.json" --results "$D/results.csv" \
	--passwords "$D/passwords.csv"
for f in plan.ldif report.json results.csv passwords.csv; do
	is "$(stat -c %a "$D/$f")" 600 "$f: 0600 under umask 022"
done
is "$(jq -r .outcome "$D/report.json")" ok "the report was written"
is "$(stat -c %a "$AUDIT_LOG")" 600 "the audit log is still 0600"

# ---- an existing file is not replaced without --overwrite -----------------
audit_lines=$(grep -c . "$AUDIT_LOG")
before=$(ldap_attr "cn=skole,ou=imports,$ULOGIN_BASE" uloginLastRun)
cp "$D/report.json" "$TEST_TMP/report.before"
sleep 1
run 73 ulogin-import run --no-initial-passwords "$F" --source skole --report "$D/report.json"
stderr_is "ulogin-import: cannot create report '$D/report.json': it exists
hint: give --overwrite to replace it, or name a new file" \
	"the existing report is named, with the way out"
cmp -s "$TEST_TMP/report.before" "$D/report.json"
ok $? "the report was not touched"
is "$(ldap_attr "cn=skole,ou=imports,$ULOGIN_BASE" uloginLastRun)" "$before" \
	"the refusal came before the run: the source's last run is the same"
is "$(grep -c . "$AUDIT_LOG")" "$audit_lines" "... and nothing was audited"
run 73 ulogin-import run --no-initial-passwords "$F" --source skole -n --results "$D/results.csv"
stderr_has "^ulogin-import: cannot create results '$D/results.csv': it exists$" \
	"an existing --results file, even in a dry run"
run 73 ulogin-import run --no-initial-passwords "$F" --source skole -n --plan "$D/plan.ldif"
stderr_has "^ulogin-import: cannot create plan '$D/plan.ldif': it exists$" \
	"an existing --plan file"

# --overwrite replaces it, and makes it private again.
chmod 644 "$D/report.json" "$D/results.csv"
run 0 ulogin-import run --no-initial-passwords "$F" --source skole --overwrite \
	--report "$D/report.json" --results "$D/results.csv"
is "$(jq -r '.counts.unchanged' "$D/report.json")" 2 \
	"--overwrite: the report is this run's"
is "$(tr -d '\r' <"$D/results.csv" | cut -d, -f5 | tail -n +2 | tr '\n' ' ')" \
	"unchanged unchanged " "--overwrite: the results are this run's"
is "$(stat -c %a "$D/report.json") $(stat -c %a "$D/results.csv")" "600 600" \
	"--overwrite: made 0600 again"

# A passwords file is never replaced, --overwrite or not.
cp "$D/passwords.csv" "$TEST_TMP/pw.before"
printf 'P3,Cia,Eng,Elev,280001,,5a,5,,,,\n' >>"$F"
run 73 ulogin-import run "$F" --source skole --overwrite \
	--passwords "$D/passwords.csv"
stderr_has "cannot create '$D/passwords.csv': it exists" \
	"--overwrite does not replace a passwords file"
cmp -s "$TEST_TMP/pw.before" "$D/passwords.csv"
ok $? "the passwords file was not touched"
ldap_exists "$(people cia0001)"
ok $((! $?)) "the new pupil was not added"

# ---- a symbolic link is never followed ------------------------------------
echo "keep me" >"$TEST_TMP/victim"
ln -s "$TEST_TMP/victim" "$D/link.json"
ln -s "$TEST_TMP/nothing-here" "$D/dangling.csv"
for opt in "" --overwrite; do
	run 73 ulogin-import run --no-initial-passwords "$F" --source skole -n $opt \
		--report "$D/link.json"
	stderr_is "ulogin-import: cannot create report '$D/link.json': it is a symbolic link
hint: a link is never followed: name the file itself" \
		"a link at the report's path is refused ${opt:-without --overwrite}"
	run 73 ulogin-import run --no-initial-passwords "$F" --source skole -n $opt \
		--results "$D/dangling.csv"
	stderr_has "cannot create results '$D/dangling.csv': it is a symbolic link" \
		"a dangling link is refused ${opt:-without --overwrite}"
done
is "$(cat "$TEST_TMP/victim")" "keep me" "the link's target was not written"
[ ! -e "$TEST_TMP/nothing-here" ]
ok $? "the dangling link's target was not created"
ln -s "$TEST_TMP/victim" "$D/pw-link.csv"
run 73 ulogin-import run "$F" --source skole --passwords "$D/pw-link.csv"
is "$(cat "$TEST_TMP/victim")" "keep me" "nor through a --passwords link"

# The audit log too: a link put in its place stops every change.
mv "$AUDIT_LOG" "$TEST_TMP/audit.real"
ln -s "$TEST_TMP/audit.real" "$AUDIT_LOG"
run 73 ulogin-import run --no-initial-passwords "$F" --source skole
stderr_has "^ulogin-import: cannot write audit log '$AUDIT_LOG': it is a symbolic link$" \
	"an audit log that is a link is refused"
ldap_exists "$(people cia0001)"
ok $((! $?)) "... and nothing was changed"

# The log of ulogin-nightly-import names pupils too.
ln -s "$TEST_TMP/victim" "$D/import.log"
run 73 ulogin-nightly-import --log "$D/import.log" --lock "$D/lock" -- \
	"$F" --source skole -n
stderr_is "ulogin-nightly-import: cannot write log '$D/import.log': it is a symbolic link" \
	"ulogin-nightly-import: a log that is a link is refused"
is "$(cat "$TEST_TMP/victim")" "keep me" "... and its target was not written"
run 0 ulogin-nightly-import --log "$D/new.log" --lock "$D/lock" -- \
	"$F" --source skole -n -q
is "$(stat -c %a "$D/new.log")" 600 "ulogin-nightly-import: a new log is 0600"

# A directory that does not exist: named before anything is done.
run 73 ulogin-import run --no-initial-passwords "$F" --source skole -n --report "$TEST_TMP/no/such/r.json"
stderr_is "ulogin-import: cannot create report '$TEST_TMP/no/such/r.json': No such file or directory" \
	"a report in a missing directory"

done_testing

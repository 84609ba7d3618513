#!/bin/sh
# Phasing out a CSV import (ulogin-import source): deprecate it, so that
# its nightly runs warn; review who would lose access (at risk: no other
# source keeps them) and write the keep list; migrate the kept users to
# the source of the administrative system, by an id map or by national ID
# number, without touching their passwords; delete the source through the
# leaver path, with its dry run and the max_leavers guard.  The phase-out
# is done as the import service account, as the nightly job runs.
. "$top_srcdir/tests/lib.sh"
sandbox_start
# csvsrc: the CSV import being phased out.  sis: the administrative
# system's, sharing users with it, giving students only.  oldcsv: another
# CSV import, also being phased out.
allow_sources csvsrc "sis:links=csvsrc:roles=student,parent" \
	"oldcsv:links=csvsrc"
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1
S=$_sandbox
B=$ULOGIN_BASE

header='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
# Anna and Bo are in sis too; Frida in oldcsv too; the others only here.
# Dina carries a national ID number.
cat >csv.csv <<EOF
$header
C1,Anna,Aas,Elev,280001,,5a,5,,,,
C2,Bo,Berg,Elev,280001,,5a,5,,,,
C3,Carl,Dahl,Elev,280001,,5a,5,,,,
C4,Dina,Eng,Elev,280001,,5a,5,,,150316-4012,
C5,Erik,Fisk,Lærer,280001,,5a,,,,,
C6,Frida,Gran,Elev,280001,,5a,5,,,,
C7,Gustav,Holm,Elev,280001,,5a,5,,,,
C8,Hans,Juul,Elev,280001,,5a,5,,,,
EOF
{ echo "$header"; echo 'C6,Frida,Gran,Elev,280001,,,5,,,,'; } >oldcsv.csv
cat >sis1.csv <<EOF
$header
C1,Anna,Aas,Elev,280001,,,5,,,,
C2,Bo,Berg,Elev,280001,,,5,,,,
S9,Ida,Kure,Elev,280001,,,5,,,,
EOF
# Once the school has registered Carl and Dina in its administrative
# system: their new ids there, Dina with her national ID number.
{ cat sis1.csv; echo 'S3,Carl,Dahl,Elev,280001,,,5,,,,'
  echo 'S4,Dina,Eng,Elev,280001,,,5,,,150316-4012,'; } >sis2.csv

pw_of() { awk -F, -v u="$1" '$1 == u { print $2 }' pw.csv; }
dm_search() {	# what the directory manager sees, operational attributes too
	(as_manager && ldap_search "$1" '(objectClass=*)' '*' '+')
}
# What a phase-out may change: people, classes, sources (not the service
# accounts, whose last bind slapd records).
dump() {
	for ou in people classes imports; do dm_search "ou=$ou,$B"; done
}
stderr_lacks() { ! grep -Eq -- "$1" "$ERR"; ok $? "$2"; }
day_in() { date -u -d "+$1 days" +%Y-%m-%d; }
by=$(day_in 60)
csvsrc=cn=csvsrc,ou=imports,$B

as import
run 0 ulogin-import run csv.csv --source csvsrc --passwords pw.csv -q
run 0 ulogin-import run --no-initial-passwords oldcsv.csv --source oldcsv -q
run 0 ulogin-import run --no-initial-passwords sis1.csv --source sis -q
is "$(dm_attr "$(people anna0001)" uloginSource | sort | tr '\n' ' ')" \
	"csvsrc sis " "anna0001 is in csvsrc and sis (linked)"
is "$(dm_attr "$(people frid0001)" uloginSource | sort | tr '\n' ' ')" \
	"csvsrc oldcsv " "frid0001 is in csvsrc and oldcsv"
# Carl and Erik log in once; the others never did.
carl_pw=$(pw_of carl0001)
bind_as carl0001 "$carl_pw"
ok $? "carl0001 binds with his first password"
bind_as erik0001 "$(pw_of erik0001)"
ok $? "erik0001 binds with his first password"
dm_attr "$(people carl0001)" pwdLastSuccess | grep -Eq '^20[0-9]{12}Z$'
ok $? "the server recorded carl0001's login (pwdLastSuccess)"

# ---- deprecate -----------------------------------------------------------------

run 0 ulogin-import source deprecate csvsrc --by "$by"
stderr_has "^ulogin-import: import source 'csvsrc' is being phased out, to be deleted by $by; its runs warn$" \
	"deprecate says what it did"
is "$(dm_attr "$csvsrc" uloginDeprecated)" TRUE "uloginDeprecated: TRUE"
is "$(dm_attr "$csvsrc" uloginDeprecatedBy)" "$(echo "$by" | tr -d -)000000Z" \
	"uloginDeprecatedBy: the day, as a generalized time"
grep -q "\"action\":\"import.source.deprecate\",\"target\":\"$csvsrc\"" "$AUDIT_LOG"
ok $? "the audit log has the deprecation"
run 0 ulogin-import source deprecate oldcsv
is "$(dm_attr "cn=oldcsv,ou=imports,$B" uloginDeprecated)" TRUE \
	"oldcsv deprecated, without a date"
run 0 ulogin-import source list -o tsv
is "$(grep '^csvsrc	' "$OUT" | cut -f3)" yes "source list: csvsrc deprecated"
is "$(grep '^sis	' "$OUT" | cut -f3)" no "source list: sis not deprecated"

# The nightly run of a deprecated source warns, in its log, and says it
# in its summary.
command -v flock >/dev/null 2>&1 && command -v bash >/dev/null 2>&1
if [ $? -eq 0 ]; then
	run 0 ulogin-nightly-import --log nightly.log --lock nightly.lock -- \
		csv.csv --source csvsrc --no-initial-passwords
	grep -Eq "\[csvsrc\] ulogin-import: warning: import source 'csvsrc' is being phased out, to be deleted by $by\$" nightly.log
	ok $? "nightly log: the warning"
	grep -Eq "\[csvsrc\] ulogin-import: 'csvsrc': 8 rows, .* 0 classes removed; being phased out, to be deleted by $by\$" nightly.log
	ok $? "nightly log: the summary notes it"
else
	ok 0 "# SKIP flock or bash is not installed"
	ok 0 "# SKIP flock or bash is not installed"
fi
run 0 ulogin-import run --no-initial-passwords csv.csv --source csvsrc
stderr_has "^hint: keep the users it alone attaches: 'ulogin-import source review csvsrc'" \
	"the warning comes with a hint"
run 0 ulogin-import run --no-initial-passwords oldcsv.csv --source oldcsv
stderr_has "^ulogin-import: warning: import source 'oldcsv' is being phased out$" \
	"a deprecated source without a date warns too"
stderr_has "; being phased out$" "and its summary says so"
run 0 ulogin-import run --no-initial-passwords sis1.csv --source sis
stderr_lacks "phased out" "a source that is not deprecated does not warn"

# ---- review ---------------------------------------------------------------------

no_times() { sed -E 's/20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/TIME/'; }
run 0 ulogin-import source review csvsrc -o csv
is "$(tr -d '\r' <"$OUT" | no_times)" "$(cat <<'EOF'
"username","name","external-id","state","other-sources","never-logged-in","last-login"
"carl0001","Carl Dahl","C3","at-risk","","no","TIME"
"dina0001","Dina Eng","C4","at-risk","","yes",""
"erik0001","Erik Fisk","C5","at-risk","","no","TIME"
"frid0001","Frida Gran","C6","at-risk","oldcsv","yes",""
"gust0001","Gustav Holm","C7","at-risk","","yes",""
"hans0001","Hans Juul","C8","at-risk","","yes",""
EOF
)" "review -o csv: exactly the at-risk users (oldcsv is being phased out too)"
stderr_is "ulogin-import: 'csvsrc' (being phased out, to be deleted by $by): 6 at risk (4 never logged in), 2 safe (also in a source not being phased out), 0 left; --all lists them all" \
	"review sums it up on stderr"
cp "$OUT" review.csv
run 0 ulogin-import source review csvsrc --all -o tsv
is "$(tail -n +2 "$OUT" | cut -f1,4,5 | tr '\t\n' ': ')" \
	"carl0001:at-risk: dina0001:at-risk: erik0001:at-risk: frid0001:at-risk:oldcsv gust0001:at-risk: hans0001:at-risk: anna0001:safe:sis bo0001:safe:sis " \
	"review --all: the safe ones too, after those at risk"
run 0 ulogin-import source review csvsrc -o json
jq -e 'length == 6 and (.[] | select(.username == "carl0001") | ."other-sources" == [] and ."never-logged-in" == "no" and (."last-login" | test("^20")))' \
	"$OUT" >/dev/null 2>&1
ok $? "review -o json: other-sources is a list, last-login a time"
run 67 ulogin-import source review nosuch
stderr_has "^ulogin-import: cannot find import source 'nosuch'$" "review of no such source: 67"

# ---- migrate -------------------------------------------------------------------

# The keep list: the review, less those who go (Frida, Gustav, Hans);
# Anna is safe anyway, Erik is a teacher (sis gives students only), and
# nosuch is nobody.
{ grep -v -e '^"frid' -e '^"gust' -e '^"hans' review.csv
  echo '# and these:'; echo 'anna0001'; echo 'nosuch'; } >keep.csv
printf 'csvsrc id,sis id\nC3,S3\nC7,S7\n' >ids.csv
carl=$(people carl0001)
dina=$(people dina0001)
carl_hash=$(dm_attr "$carl" userPassword)
dina_hash=$(dm_attr "$dina" userPassword)
before=$(dump)
run 1 ulogin-import source migrate csvsrc --to sis --keep keep.csv --id-map ids.csv --roster sis2.csv -n -o tsv
is "$(cat "$OUT")" "$(printf '%s\n' \
	'username	external-id	new-external-id	result	reason' \
	'anna0001	C1	C1	would migrate	' \
	'carl0001	C3	S3	would migrate	' \
	'dina0001	C4	S4	would migrate	' \
	"erik0001	C5		refused	source 'sis' may not give the role 'teacher' (it gives student, parent)" \
	'nosuch			refused	no such user')" \
	"migrate -n: what would move, and who not, and why"
stderr_has "^ulogin-import: cannot migrate 'erik0001': source 'sis' may not give the role 'teacher'" \
	"a refused user is an error on stderr"
stderr_has "^ulogin-import: dry run, nothing written: 'csvsrc' to 'sis': 3 to migrate, 2 refused, 0 failed$" \
	"migrate -n sums it up"
is "$(dump)" "$before" "migrate -n changed nothing (ldapsearch of the whole tree)"

run 1 ulogin-import source migrate csvsrc --to sis --keep keep.csv --id-map ids.csv --roster sis2.csv -o tsv
stdout_has '^carl0001	C3	S3	migrated	$' "carl0001 migrated to S3 (by the id map)"
stdout_has '^dina0001	C4	S4	migrated	$' "dina0001 migrated to S4 (by her national ID number)"
stdout_has '^anna0001	C1	C1	migrated	$' "anna0001 keeps her sis id"
stdout_has '^erik0001	C5		refused	' "erik0001 refused"
stderr_has "'csvsrc' to 'sis': 3 migrated, 2 refused, 0 failed$" "the summary"
is "$(dm_attr "$carl" uloginSource)" sis "carl0001: his only source is sis"
is "$(dm_attr "$carl" uloginSourceKey)" sis:S3 "carl0001: his key is sis:S3"
is "$(dm_attr "$carl" uloginSourceGrant | sort | tr '\n' ' ')" \
	"sis:institution:280001 sis:role:student " "carl0001: what csvsrc gave, sis gives"
is "$(dm_attr "$carl" uloginExternalId)" C3 "carl0001: uloginExternalId stays (his first id)"
is "$(dm_attr "$carl" userPassword)" "$carl_hash" "carl0001: the password is untouched"
bind_as carl0001 "$carl_pw"
ok $? "carl0001 still binds with the same password (ldapwhoami)"
is "$(dm_attr "$dina" uloginSourceKey)" sis:S4 "dina0001: her key is sis:S4"
dm_attr "$dina" uloginSourceGrant | grep -qx sis:identified
ok $? "dina0001: identified, now by sis"
is "$(dm_attr "$dina" userPassword)" "$dina_hash" "dina0001: the password is untouched"
is "$(dm_attr "$(people anna0001)" uloginSource)" sis "anna0001: only sis now"
is "$(dm_attr "$(people anna0001)" uloginSourceKey)" sis:C1 "anna0001: her sis key"
is "$(dm_attr "$(people erik0001)" uloginSource)" csvsrc "erik0001 is left as he was"
is "$(dm_attr "$(people gust0001)" uloginSourceKey)" csvsrc:C7 \
	"gust0001, in the id map but not kept, is not touched"
is "$(grep -c '"action":"import.migrate"' "$AUDIT_LOG")" 3 "three migrations audited"
is "$(dm_attr "$csvsrc" uloginLock)" "" "the lock of csvsrc is released"
is "$(dm_attr "cn=sis,ou=imports,$B" uloginLock)" "" "and that of sis"

# The administrative system's next export has them: they are its users.
run 0 ulogin-import run --no-initial-passwords sis2.csv --source sis
stderr_has "'sis': 5 rows, 0 added, " "sis finds Carl and Dina by their keys: nobody added"
run 1 ulogin-import source migrate csvsrc --to sis --keep keep.csv --id-map ids.csv -o tsv
stdout_has "^carl0001			refused	not attached through import source 'csvsrc'$" \
	"migrating again: carl0001 is not of csvsrc any more"

# ---- delete ---------------------------------------------------------------------

run 0 ulogin-import source review csvsrc -o tsv
is "$(tail -n +2 "$OUT" | cut -f1 | tr '\n' ' ')" "erik0001 frid0001 gust0001 hans0001 " \
	"after the migration: four at risk"
before=$(dump)
run 65 ulogin-import source delete csvsrc -n
stderr_has "would block 3 of the 5 users of source 'csvsrc' \(max_leavers 10% allows 1\); nothing was changed" \
	"delete -n: the guard"
stderr_has "^hint: deleting a source blocks every user only it attaches" \
	"the hint says why a deletion blocks"
run 0 ulogin-import source delete csvsrc -n --force
is "$(sort "$OUT")" "$(printf '%s\n' '- class 280001-5a' \
	'- user bo0001 (detached: another source keeps it)' \
	'- user erik0001 (left: blocked)' \
	'- user frid0001 (detached: another source keeps it)' \
	'- user gust0001 (left: blocked)' '- user hans0001 (left: blocked)')" \
	"delete -n --force: the plan (in the order the directory gives)"
is "$(dump)" "$before" "delete -n changed nothing (ldapsearch of the whole tree)"
run 64 ulogin-import source delete csvsrc --force
stderr_has "refusing to delete a source without confirmation" "delete without a terminal needs --yes"
run 65 ulogin-import source delete csvsrc --yes
stderr_has "would block 3 of the 5 users of source 'csvsrc'" "delete --yes: refused by the guard"
is "$(dm_attr "$(people erik0001)" pwdAccountLockedTime)" "" "the refused delete blocked nobody"
is "$(dm_attr "$csvsrc" uloginLastOutcome)" "refused: would block 3 of 5 users" \
	"the refusal is recorded"

run 0 ulogin-import source delete csvsrc --force --yes
stderr_has "'csvsrc': 0 rows, 0 added, 0 changed, 3 left, 2 detached, " "the run's summary"
stderr_has "^ulogin-import: import source 'csvsrc' is deleted: 3 users blocked as left, 2 detached; its runs are refused from now on$" \
	"delete says what it did"
for u in erik0001 gust0001 hans0001; do
	is "$(dm_attr "$(people $u)" pwdAccountLockedTime)" 000001010000Z "$u is blocked"
	is "$(dm_attr "$(people $u)" uloginBlockReason)" \
		"left: no longer in import source 'csvsrc'" "$u: left csvsrc"
done
dm_attr "$(people erik0001)" uloginLeftAt | grep -Eq '^20[0-9]{12}Z$'
ok $? "erik0001: uloginLeftAt"
bind_as erik0001 "$(pw_of erik0001)"
ok $((! $?)) "erik0001 can no longer bind"
for u in bo0001 frid0001; do
	is "$(dm_attr "$(people $u)" pwdAccountLockedTime)" "" "$u is not blocked"
	dm_attr "$(people $u)" uloginSource | grep -qx csvsrc
	ok $((! $?)) "$u is detached from csvsrc"
done
is "$(dm_attr "$(people frid0001)" uloginSourceKey)" oldcsv:C6 "frid0001 keeps her oldcsv key only"
bind_as bo0001 "$(pw_of bo0001)"
ok $? "bo0001 still binds"
bind_as carl0001 "$carl_pw"
ok $? "carl0001 (migrated) still binds"
is "$(dm_attr "$carl" uloginSource)" sis "carl0001 is untouched"
ldap_exists "$(class 280001-5a)"
ok $((! $?)) "csvsrc's class is deleted"
is "$(dm_attr "$csvsrc" uloginLastOutcome)" deleted "the source is marked deleted"
run 0 ulogin-import source list -o tsv
is "$(grep '^csvsrc	' "$OUT" | cut -f2-5,7)" "$(printf 'csv\tyes\t0\t3\tdeleted')" \
	"source list: csvsrc deleted, 3 leavers kept"
run 0 ulogin-import source review csvsrc --all -o tsv
is "$(tail -n +2 "$OUT" | cut -f1,4 | tr '\t\n' ': ')" \
	"erik0001:left gust0001:left hans0001:left " \
	"review --all: nobody at risk any more, the leavers left"

# A deleted source runs no more (its rows would come back as new users).
lines=$(grep -c . "$AUDIT_LOG")
run 78 ulogin-import run --no-initial-passwords csv.csv --source csvsrc
stderr_has "^ulogin-import: import source 'csvsrc' was deleted, and runs no more$" \
	"a run of the deleted source is refused"
is "$(grep -c . "$AUDIT_LOG")" "$lines" "and writes nothing"
# Nobody left to delete: a second delete changes nothing.
run 0 ulogin-import source delete csvsrc --yes
stderr_has "'csvsrc': 0 rows, 0 added, 0 changed, 0 left, 0 detached, " "delete again: nothing to do"

# ---- undo, usage ------------------------------------------------------------------

run 0 ulogin-import source deprecate oldcsv --undo
is "$(dm_attr "cn=oldcsv,ou=imports,$B" uloginDeprecated)" "" "--undo: oldcsv no longer deprecated"
run 0 ulogin-import source deprecate oldcsv --undo
stderr_has "import source 'oldcsv' is not being phased out" "--undo again: nothing to do"
run 67 ulogin-import source deprecate nosuch
stderr_has "cannot find import source 'nosuch'" "deprecate of no such source: 67"
run 0 ulogin-import source --help
stdout_has '^Usage: ulogin-import source list' "source --help"
run 64 ulogin-import source frobnicate x
stderr_has "unknown source command 'frobnicate'" "an unknown source command"
run 64 ulogin-import source review
stderr_has "'source review' needs NAME" "review without NAME"
run 64 ulogin-import source deprecate csvsrc --by 2020-01-01
stderr_has "--by 2020-01-01 has passed" "a day in the past"
run 64 ulogin-import source deprecate csvsrc --by 2026-02-30
stderr_has "--by needs a day as YYYY-MM-DD, not '2026-02-30'" "no such day"
run 64 ulogin-import source review csvsrc --by "$by"
stderr_has "--by does not go with 'source review'" "--by goes with deprecate only"
run 64 ulogin-import source migrate csvsrc --keep keep.csv
stderr_has "'source migrate' needs --to NAME and --keep FILE" "migrate needs --to"
run 66 ulogin-import source migrate csvsrc --to sis --keep nosuch.csv
stderr_has "cannot read keep list 'nosuch.csv'" "a missing keep list: 66"
printf 'Carl!\n' >bad-keep.csv
run 65 ulogin-import source migrate csvsrc --to sis --keep bad-keep.csv
stderr_has "cannot read keep list 'bad-keep.csv': line 1: bad username 'Carl!'" \
	"a bad keep list: 65, with the line"
run 78 ulogin-import source migrate csvsrc --to kommune --keep keep.csv
stderr_has "import source 'kommune' is not in the config" "migrate to a source the config lacks: 78"

done_testing

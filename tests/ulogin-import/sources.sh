#!/bin/sh
# ulogin-import list and show: the import sources after a CSV and a
# OneRoster source ran (kind, users, leavers, last run, outcome, counts,
# lock), the users of one source with their state; --help of every
# command; usage errors.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
allow_sources skole or1:links=skole
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1

json_ok() {	# json_ok JQ-EXPRESSION DESCRIPTION: jq -e over stdout
	jq -e "$1" "$OUT" >/dev/null 2>&1
	ok $? "$2"
}
# Seconds between an ISO 8601 UTC time and now.
age() { echo $(( $(date -u +%s) - $(date -u -d "$1" +%s 2>/dev/null || echo 0) )); }

# ---- a CSV source: one run ok, the next partial with a leaver ----------------
header='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
cat >skole1.csv <<EOF
$header
K1,Ebbe,Ulv,Elev,280001,,4q,4,,,,
K2,Fie,Ulv,Elev,280001,,4q,4,,,,
K3,Gry,Ulv,Elev,280001,,4q,4,,,,
K4,Hugo,Ulv,Elev,280001,,4q,4,,,,
K5,Iben,Ulv,Lærer,280001,,4q,,,,,
EOF
# Gry left; line 5 has a role nobody knows.
cat >skole2.csv <<EOF
$header
K1,Ebbe,Ulv,Elev,280001,,4q,4,,,,
K2,Fie,Ulv,Elev,280001,,4q,4,,,,
K4,Hugo,Ulv,Elev,280001,,4q,4,,,,
K9,Jens,Ulv,Rektor,280001,,,,,,,
K5,Iben,Ulv,Lærer,280001,,4q,,,,,
EOF
run 0 ulogin-import run --no-initial-passwords skole1.csv --source skole -q
run 1 ulogin-import run --no-initial-passwords skole2.csv --source skole --force -q
stderr_has "^skole2.csv:5: key=K9: unknown role 'Rektor'" "the bad row is reported"

# ---- a OneRoster source, sharing Ebbe (K1) with skole --------------------------
oneroster_manifest or
cat >or/orgs.csv <<'EOF'
sourcedId,status,name,type,identifier
org-1,active,Bakkeskolen,school,280001
EOF
cat >or/classes.csv <<'EOF'
sourcedId,status,title,grades,classCode,schoolSourcedId
c-1,active,Hold 4,04,hold4,org-1
EOF
cat >or/enrollments.csv <<'EOF'
sourcedId,status,classSourcedId,schoolSourcedId,userSourcedId,role
e-1,active,c-1,org-1,K1,student
e-2,active,c-1,org-1,o-2,student
EOF
cat >or/users.csv <<'EOF'
sourcedId,status,orgSourcedIds,role,givenName,familyName,grades
K1,active,org-1,student,Ebbe,Ulv,04
o-2,active,org-1,student,Kamma,Vest,04
EOF
run 0 ulogin-import run --no-initial-passwords or --source or1 --format oneroster -q

# ---- list -------------------------------------------------------------------
run 0 ulogin-import list -o tsv
is "$(head -n 1 "$OUT")" "$(printf 'source\tkind\tdeprecated\tusers\tleft\tlast-run\toutcome\tcounts\tlock')" \
	"tsv: the header names the columns"
skole=$(grep '^skole	' "$OUT")
or1=$(grep '^or1	' "$OUT")
is "$(echo "$skole" | cut -f2-5)" "$(printf 'csv\tno\t4\t1')" \
	"skole: kind csv, not deprecated, 4 users, 1 left"
is "$(echo "$or1" | cut -f2-5)" "$(printf 'oneroster\tno\t2\t0')" \
	"or1: kind oneroster, not deprecated, 2 users, 0 left"
skole_last=$(echo "$skole" | cut -f6)
echo "$skole_last" | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
ok $? "skole: last-run is an ISO 8601 UTC time ($skole_last)"
a=$(age "$skole_last")
[ "$a" -ge 0 ] && [ "$a" -lt 300 ]
ok $? "skole: the last run was just now (${a}s ago)"
a=$(age "$(echo "$or1" | cut -f6)")
[ "$a" -ge 0 ] && [ "$a" -lt 300 ]
ok $? "or1: the last run was just now (${a}s ago)"
echo "$skole" | cut -f7 | grep -q '^partial'
ok $? "skole: outcome partial (a row was skipped)"
is "$(echo "$or1" | cut -f7)" "ok" "or1: outcome ok"
is "$(echo "$skole" | cut -f8)" \
	"rows=5 added=0 changed=0 left=1 detached=0 unchanged=4 skipped=1 failed=0 classes_added=0 classes_changed=1 classes_removed=0" \
	"skole: the counts of the last run"
is "$(echo "$or1" | cut -f8)" \
	"rows=2 added=1 changed=1 left=0 detached=0 unchanged=0 skipped=0 failed=0 classes_added=1 classes_changed=0 classes_removed=0" \
	"or1: the counts of its run (Kamma added, Ebbe attached)"
is "$(echo "$or1" | cut -f9)" "" "or1: no lock"
grep -q '^example	csv	' "$OUT"
ok $? "the example source is listed too"
is "$(grep '^example	' "$OUT" | cut -f6,7)" "$(printf '\t')" "example never ran: no last run, no outcome"

run 0 ulogin-import list -o json
json_ok 'type == "array"' "json: an array"
json_ok '.[] | select(.source == "or1") | .kind == "oneroster" and .users == 2 and .left == 0 and .outcome == "ok" and .deprecated == "no" and .lock == null' \
	"json: or1 kind, users, left, outcome, no lock"
json_ok '.[] | select(.source == "skole") | .kind == "csv" and .users == 4 and .left == 1 and (.outcome | startswith("partial"))' \
	"json: skole kind, users, left, outcome partial"
json_ok '.[] | select(.source == "skole") | ."last-run" | test("^20[0-9-]{8}T[0-9:]{8}Z$")' \
	"json: skole's last-run is a time"
json_ok '.[] | select(.source == "example") | ."last-run" == null and .outcome == null' \
	"json: example never ran (null, not an empty string)"
json_ok '[.[].source] | sort == ["example", "or1", "skole"]' "json: exactly the three sources"

# A run that holds the lock shows in the list; unlock clears it.
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null 2>&1 <<EOF
dn: cn=or1,ou=imports,$ULOGIN_BASE
changetype: modify
add: uloginLock
uloginLock: otherhost 4242 20260101000000Z
EOF
ok $? "ldapmodify puts a lock on or1"
run 0 ulogin-import list -o json
json_ok '.[] | select(.source == "or1") | .lock | test("otherhost 4242")' "json: the lock and its holder"
run 64 ulogin-import unlock --source or1
stderr_has "--yes" "unlock without a terminal needs --yes"
run 0 ulogin-import unlock --source or1 --yes
is "$(ldap_attr "cn=or1,ou=imports,$ULOGIN_BASE" uloginLock)" "" "unlock --yes removed the lock"

# ---- show --------------------------------------------------------------------
run 0 ulogin-import show skole -o tsv
is "$(head -n 1 "$OUT")" "$(printf 'username\tname\texternal-id\troles\tinstitutions\tstate\tleft-at\tother-sources')" \
	"show tsv: the header names the columns"
is "$(tail -n +2 "$OUT" | cut -f1 | sort | tr '\n' ' ')" "ebbe0001 fie0001 gry0001 hugo0001 iben0001 " \
	"show lists the five users of skole, the leaver included"
stdout_has '^gry0001	Gry Ulv	K3	student	280001	left	20[0-9-]{8}T[0-9:]{8}Z	$' \
	"show: gry0001 left, with the time"
# New accounts must change the first password: the state of ulogin-user
# show (ulogin(7), STATES).
stdout_has '^hugo0001	Hugo Ulv	K4	student	280001	must-change		$' \
	"show: hugo0001 must change the first password"
stdout_has '^iben0001	Iben Ulv	K5	teacher	280001	must-change		$' "show: iben0001 the teacher"
stdout_has '^ebbe0001	Ebbe Ulv	K1	student	280001	must-change		or1$' \
	"show: ebbe0001 also has the source or1"
cp "$OUT" "$TEST_TMP/skole.tsv"
run 0 ulogin-user show hugo0001 -o tsv
is "$(sed -n 's/^state	//p' "$OUT")" \
	"$(awk -F '\t' '$1 == "hugo0001" { print $6 }' "$TEST_TMP/skole.tsv")" \
	"ulogin-user show says the same state"
run 0 ulogin-user show ebbe0001 -o json
json_ok '.sources | sort == ["or1", "skole"]' "ulogin-user show: ebbe0001's two import sources"
run 0 ulogin-import show or1 -o json
json_ok 'length == 2' "show json: the two users of or1"
json_ok '.[] | select(.username == "ebbe0001") | ."other-sources" == ["skole"]' \
	"show json: ebbe0001's other source is skole"
json_ok '.[] | select(.username == "kamm0001") | .state == "must-change" and ."left-at" == null' \
	"show json: kamm0001 must-change, never left"
json_ok '.[] | select(.username == "kamm0001") | ."other-sources" == []' \
	"show json: no other source is an empty list"
run 67 ulogin-import show nosuch
stderr_has "cannot find import source 'nosuch'" "show of an unknown source: 67 and says so"
stdout_empty "show of an unknown source prints nothing on stdout"

# ---- --help and usage errors ----------------------------------------------------
run 0 ulogin-import --help
stdout_has '^Usage: ulogin-import ' "--help prints the usage to stdout"
stderr_is "" "--help prints nothing on stderr"
for cmd in run list show purge unlock; do
	run 0 ulogin-import "$cmd" --help
	stdout_has "^Usage: ulogin-import $cmd" "$cmd --help prints its usage to stdout"
	stderr_is "" "$cmd --help prints nothing on stderr"
done
run 64 ulogin-import --frobnicate
stderr_has "unknown option '--frobnicate'" "an unknown option is named"
stderr_has "^Try 'ulogin-import --help'.$" "and points to --help"
stdout_empty "a usage error prints nothing on stdout"
run 64 ulogin-import list --frobnicate
stderr_has "^Try 'ulogin-import list --help'.$" "a command's unknown option points to its --help"
run 64 ulogin-import frobnicate
stderr_has "unknown command 'frobnicate'" "an unknown command is named"
run 64 ulogin-import run --no-initial-passwords skole1.csv
stderr_has "--source" "run without --source is a usage error"
run 64 ulogin-import run --no-initial-passwords skole1.csv --source 'bad name'
stderr_has "bad source name 'bad name'" "a source name with a space is refused"
run 66 ulogin-import run --no-initial-passwords nosuch.csv --source skole
stderr_has "cannot read 'nosuch.csv'" "a missing input file: 66"

done_testing

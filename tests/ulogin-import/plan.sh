#!/bin/sh
# ulogin-import --dry-run --plan: the plan on stdout, as LDIF and as JSON.
# The LDIF plan applied with OpenLDAP's ldapmodify gives the same directory
# as a real run of the same roster: sandbox A applies the plan, sandbox B
# (started from the same state in this file) runs the import for real, and
# the two directories are compared entry by entry.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
allow_sources skole
run 0 ulogin-policy apply -q

# A second sandbox, started the same way as the first.
SB2=$TEST_TMP/sb2
sandbox2_start "$SB2"
in_b() { ( . "$SB2/env" && "$@" ); }	# run a command against sandbox B
in_b allow_sources skole
run 0 in_b ulogin-policy apply -q

# ou=people and ou=classes as sorted "dn<TAB>attr: value" lines: user
# attributes plus the password policy state, without the password hashes;
# times of day (left, blocked, change-by) as T, since the two runs happen
# at different seconds.
dump() {
	for ou in people classes; do
		ldap_search "ou=$ou,$ULOGIN_BASE" '(objectClass=*)' '*' \
			pwdPolicySubentry pwdAccountLockedTime pwdReset ||
			echo "ldapsearch of ou=$ou failed"
	done | awk '/^dn: /{ dn = $0; next } NF { print dn "\t" $0 }' |
	grep -v "	userPassword:" |
	sed -E 's/	(uloginLeftAt|uloginBlockedAt|uloginChangeBy): [0-9]{14}Z$/	\1: T/' |
	sort
}
apply_ldif() {	# apply_ldif FILE: OpenLDAP's ldapmodify, as the manager
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" -f "$1"
}
times_as_t() {
	sed -E 's/^(uloginLeftAt|uloginBlockedAt|uloginChangeBy): [0-9]{14}Z$/\1: T/' "$1"
}

cd "$TEST_TMP" || exit 1
header='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
cat >r0.csv <<EOF
$header
S1,Anne,Berg,Elev,280001,,3c,3,,,,P1
S2,Bo,Ask,Elev,280001,,3c,3,,,,
S3,Cai,Dam,Elev,280001,,5c,5,cai@example.dk,,,
S4,Ditte,Holm,Elev,280001,,5c,5,,,,
T1,Dorte,Eg,Lærer,280001,,"3c,5c",,dorte@example.dk,20304050,,
P1,Erik,Berg,Forælder,280001,,,,,,,
EOF
# A year later: 3c moves up to 4c (a new level: mellemtrin), Cai has a new
# mail address, Ditte left, Anna is new (the example school already has
# an anna0001), the teacher follows the class.
cat >r1.csv <<EOF
$header
S1,Anne,Berg,Elev,280001,,4c,4,,,,P1
S2,Bo,Ask,Elev,280001,,4c,4,,,,
S3,Cai,Dam,Elev,280001,,5c,5,cai.dam@example.dk,,,
S5,Anna,Ny,Elev,280001,,5c,5,,,,
T1,Dorte,Eg,Lærer,280001,,"4c,5c",,dorte@example.dk,20304050,,
P1,Erik,Berg,Forælder,280001,,,,,,,
EOF

# The same starting point in both sandboxes: R0 imported for real.
run 0 ulogin-import run --no-initial-passwords r0.csv --source skole
stderr_has "^ulogin-import: 'skole': 6 rows, 6 added, 0 changed, 0 left, 0 detached, 0 unchanged, 0 skipped, 0 failed, 2 classes added, 0 classes changed, 0 classes removed$" \
	"A: the first run adds 6 users and 2 classes"
run 0 in_b ulogin-import run --no-initial-passwords r0.csv --source skole -q
in_b dump >b0.dump
dump >a0.dump
same_text a0.dump b0.dump "A and B start from the same directory"
is "$(grep -c "^dn: uid=anne0001,ou=people,dc=example,dc=dk	" b0.dump)" 20 \
	"the dump has Anne's 20 attribute values (it is not empty)"

# ---- the dry run ----------------------------------------------------------
dump >before.dump
source_before=$(ldap_search "cn=skole,ou=imports,$ULOGIN_BASE" '(objectClass=*)' '*')
run 0 ulogin-import run --no-initial-passwords r1.csv --source skole --force -n --plan plan.ldif
stdout_has '^~ user anne0001: grade, level, password policy, change-by deadline$' \
	"the plan shows Anne's grade, level, policy and deadline change"
stdout_has '^~ user bo0001: grade, level, password policy, change-by deadline$' \
	"the plan shows Bo's level change"
stdout_has '^~ user cai0001: mail$' "the plan shows Cai's new mail address"
stdout_has '^\+ user anna0002 \(Anna Ny; student; 280001; grade 5\)$' \
	"the plan adds Anna as anna0002"
stdout_has '^- user ditt0001 \(left: blocked\)$' "the plan blocks Ditte"
stdout_has '^\+ class 280001-4c \(2 students, 1 teacher\)$' "the plan adds 4c"
stdout_has '^~ class 280001-5c: \+1 -1 students, \+0 -0 teachers$' \
	"the plan moves one student into and one out of 5c"
stdout_has '^- class 280001-3c$' "the plan deletes 3c"
is "$(wc -l <"$OUT")" 8 "the plan has 8 steps, one a line"
cp "$OUT" plan.txt
stderr_has "^ulogin-import: dry run, nothing written: 'skole': 6 rows, 1 added, 3 changed, 1 left, 0 detached, 2 unchanged, 0 skipped, 0 failed, 1 classes added, 1 classes changed, 1 classes removed$" \
	"the dry run's summary counts the plan"
dump >after.dump
same_text before.dump after.dump "the dry run changed no user and no class"
is "$(ldap_search "cn=skole,ou=imports,$ULOGIN_BASE" '(objectClass=*)' '*')" \
	"$source_before" "the dry run did not touch the source entry (no lock, no last run)"

grep -q '^userPassword' plan.ldif
ok $((! $?)) "the LDIF plan holds no password"
grep -q '^dn: uid=ditt0001,ou=people,dc=example,dc=dk$' plan.ldif
ok $? "the LDIF plan has the leaver"

# ---- the JSON plan ----------------------------------------------------------
run 0 ulogin-import run --no-initial-passwords r1.csv --source skole --force -n --plan plan.json -q
jq -e 'type == "array"' plan.json >/dev/null 2>&1
ok $? "the JSON plan is valid JSON (an array)"
is "$(jq -r '.[].step' plan.json 2>&1 | sort | tr '\n' ' ')" \
	"add change change change class-add class-change class-delete leave " \
	"the JSON plan has one entry per step, of the expected kinds"
is "$(jq -r '.[].text' plan.json 2>&1 | sort)" "$(sort plan.txt)" \
	"the JSON steps' texts are the plan's lines"
is "$(jq -r '.[] | select(.step == "class-delete") | .changetype + " " + .dn' plan.json 2>&1)" \
	"delete cn=280001-3c,ou=classes,dc=example,dc=dk" "the class delete is a delete of 3c"
is "$(jq -r '.[] | select(.step == "leave") | .changes[] | select(.attr == "pwdAccountLockedTime") | .values[0]' plan.json 2>&1)" \
	"000001010000Z" "the JSON leave step locks the account"
# -o json: the same JSON on stdout instead of the plan's lines.
run 0 ulogin-import run --no-initial-passwords r1.csv --source skole --force -n -o json -q
# (Steps and changed attributes: a deadline's second may differ.)
jq -S '[.[] | {step, text, dn, attrs: [.changes[]?.attr]}]' "$OUT" >stdout.json 2>&1
jq -S '[.[] | {step, text, dn, attrs: [.changes[]?.attr]}]' plan.json >file.json 2>&1
same_text file.json stdout.json "-n -o json prints the JSON plan on stdout"

# ---- the LDIF plan applied with ldapmodify vs a real run ---------------------
apply_ldif plan.ldif >ldapmodify.log 2>&1
ok $? "ldapmodify -f applies the LDIF plan"
dump >a1.dump
run 0 in_b ulogin-import run --no-initial-passwords r1.csv --source skole --force --plan real.ldif
stderr_has "^ulogin-import: 'skole': 6 rows, 1 added, 3 changed, 1 left, 0 detached, 2 unchanged, 0 skipped, 0 failed, 1 classes added, 1 classes changed, 1 classes removed$" \
	"B: the real run does what the plan said"
in_b dump >b1.dump
same_text a1.dump b1.dump \
	"the plan applied with ldapmodify gives the same people and classes as the real run"
times_as_t plan.ldif >plan.t
times_as_t real.ldif >real.t
same_text plan.t real.t "the real run's --plan is the dry run's plan"
grep -q "^dn: uid=anna0002,ou=people,dc=example,dc=dk	uloginExternalId: S5$" a1.dump &&
	grep -q "^dn: uid=anna0002,ou=people,dc=example,dc=dk	uloginExternalId: S5$" b1.dump
ok $? "the generated username anna0002 is the same on both sides"
grep -q "^dn: uid=ditt0001,ou=people,dc=example,dc=dk	pwdAccountLockedTime: 000001010000Z$" a1.dump
ok $? "the leaver is locked after ldapmodify"
grep -q "^dn: cn=280001-3c," a1.dump
ok $((! $?)) "class 3c is gone after ldapmodify"

# A's directory already is R1: the real run finds nothing to do.
run 0 ulogin-import run --no-initial-passwords r1.csv --source skole
stderr_has "^ulogin-import: 'skole': 6 rows, 0 added, 0 changed, 0 left, 0 detached, 6 unchanged, 0 skipped, 0 failed, 0 classes added, 0 classes changed, 0 classes removed$" \
	"A: the real run after ldapmodify has nothing to do"
stdout_empty "A: nothing to print either"
dump >a2.dump
same_text a1.dump a2.dump "A: the run changed nothing"
# And B's second identical run changes nothing either.
run 0 in_b ulogin-import run --no-initial-passwords r1.csv --source skole -n
stdout_empty "B: a dry run of the same roster plans nothing"
stderr_has "6 unchanged" "B: all 6 users unchanged"

# The deadline in the plan is level_change_days (30) out.
by=$(sed -n 's/^uloginChangeBy: //p' plan.ldif | head -n 1)
by_s=$(date -u -d "$(echo "$by" | sed -E 's/^(....)(..)(..)(..)(..)(..)Z$/\1-\2-\3 \4:\5:\6/')" +%s 2>/dev/null || echo 0)
is "$(( (by_s - $(date -u +%s) + 3600) / 86400 ))" 30 "the planned deadline is 30 days out ($by)"

done_testing

#!/bin/sh
# ulogin-import run, safely: a file that cannot be read whole changes
# nothing; a truncated export is refused before any write unless --force;
# a dry run writes nothing at all; one run per source at a time (the lock,
# and unlock for a dead run's lock); usage, input and config errors.
. "$top_srcdir/tests/lib.sh"
sandbox_start
allow_sources skole neu neu2 batch
run 0 ulogin-policy apply -q

H='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
SRC="cn=skole,ou=imports,$ULOGIN_BASE"

# The whole directory, operational attributes too, and the audit log.
snapshot() {	# snapshot NAME
	ldap_search "$ULOGIN_BASE" '(objectClass=*)' '*' '+' >"$TEST_TMP/$1.ldif" 2>&1
	cp "$AUDIT_LOG" "$TEST_TMP/$1.audit"
}
same_as() {	# same_as NAME WHAT: the directory and audit log are as at NAME
	snapshot now
	cmp -s "$TEST_TMP/$1.ldif" "$TEST_TMP/now.ldif"
	ok $? "$2: the directory is unchanged (all entries, operational attributes too)"
	diff "$TEST_TMP/$1.ldif" "$TEST_TMP/now.ldif" | head -n 10 | sed 's/^/# /'
	cmp -s "$TEST_TMP/$1.audit" "$TEST_TMP/now.audit"
	ok $? "$2: the audit log is unchanged"
}
people_dump() {	# people_dump FILE: people and classes only
	{
		ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=*)' '*' '+'
		ldap_search "ou=classes,$ULOGIN_BASE" '(objectClass=*)' '*' '+'
	} >"$1" 2>&1
}
line_start() {	# line_start FILE N: the byte offset of line N
	head -n $(($2 - 1)) "$1" | wc -c
}
reported_byte() { sed -nE 's/.*line [0-9]+ \(byte ([0-9]+)\).*/\1/p' "$ERR" | head -n 1; }
binds() {	# binds USER PASSWORD
	ldapwhoami -x -H "$ULOGIN_URI" -D "$(people "$1")" -w "$2" >/dev/null 2>&1
}

# ---- thirty pupils --------------------------------------------------------
roster() {	# roster FIRST LAST: rows s01..s30 (grade 5, class 5a)
	echo "$H"
	i=$1
	while [ "$i" -le "$2" ]; do
		n=$(printf %02d "$i")
		echo "S$n,Elev,Nummer$n,Elev,280001,s$n,5a,5,s$n@example.dk,,,"
		i=$((i + 1))
	done
}
roster 1 30 >"$TEST_TMP/all30.csv"
run 0 ulogin-import run "$TEST_TMP/all30.csv" --source skole --passwords "$TEST_TMP/pw.csv"
stderr_has "^ulogin-import: 'skole': 30 rows, 30 added," "30 pupils added"
pw_of() { grep "^$1," "$TEST_TMP/pw.csv" | cut -d, -f2; }
binds s25 "$(pw_of s25)"
ok $? "s25's initial password binds"

# ---- files that cannot be read whole: nothing happens -----------------------
broken() {	# broken FILE WHAT LINE: exit 65 for an existing and a new source
	snapshot before
	run 65 ulogin-import run --no-initial-passwords "$1" --source skole
	stderr_has "^ulogin-import: cannot read '$1': line $3 \(byte [0-9]+\): " \
		"$2: the message names line $3 and a byte offset"
	stderr_has "^hint: nothing was changed" "$2: the hint says nothing was changed"
	cp "$ERR" "$TEST_TMP/broken.err"
	run 65 ulogin-import run --no-initial-passwords "$1" --source neu
	ldap_exists "cn=neu,ou=imports,$ULOGIN_BASE"
	ok $((! $?)) "$2: no source entry for the new source 'neu'"
	same_as before "$2"
	cp "$TEST_TMP/broken.err" "$ERR"
}

F=$TEST_TMP/quote.csv
{ roster 1 2; echo 'S03,"Elev,Nummer03,Elev,280001,s03,5a,5,,,,'; roster 4 30 | tail -n +2; } >"$F"
broken "$F" "unterminated quote" 4
b=$(reported_byte)
[ -n "$b" ] && [ "$b" -ge "$(line_start "$F" 4)" ] && [ "$b" -le "$(wc -c <"$F")" ]
ok $? "unterminated quote: byte $b is where the broken record starts or later"

F=$TEST_TMP/utf8.csv
{ roster 1 2; printf 'S03,Elev,N\370mmer03,Elev,280001,s03,5a,5,,,,\n'; roster 4 30 | tail -n +2; } >"$F"
broken "$F" "invalid UTF-8" 4
b=$(reported_byte) start=$(line_start "$F" 4)
[ -n "$b" ] && [ "$b" -ge "$start" ] && [ "$b" -le $((start + 10)) ]
ok $? "invalid UTF-8: byte $b is on line 4 (at $start), not after the bad byte ($((start + 10)))"
stderr_has "not valid UTF-8" "invalid UTF-8: the reason is given"

F=$TEST_TMP/header.csv
roster 1 30 | sed '1s/,CPR,/,Personnummer,/' >"$F"
broken "$F" "header without a mapped column" 1
stderr_has "no column 'CPR'" "the missing column is named"

# ---- a truncated export ------------------------------------------------------
roster 1 20 >"$TEST_TMP/first20.csv"
people_dump "$TEST_TMP/people.before"
run 65 ulogin-import run --no-initial-passwords "$TEST_TMP/first20.csv" --source skole
stderr_has "^ulogin-import: the run would block 10 of the 30 users of source 'skole' \(max_leavers 10% allows 3\); nothing was changed$" \
	"a truncated export is refused with the would-block message"
people_dump "$TEST_TMP/people.after"
cmp -s "$TEST_TMP/people.before" "$TEST_TMP/people.after"
ok $? "refused: people and classes are unchanged"
ldap_search "ou=people,$ULOGIN_BASE" '(pwdAccountLockedTime=*)' dn >"$TEST_TMP/locked"
is "$(cat "$TEST_TMP/locked")" "" "refused: no one is blocked"
is "$(ldap_attr "$SRC" uloginLastOutcome)" "refused: would block 10 of 30 users" \
	"the source entry records the refusal"
is "$(ldap_attr "$SRC" uloginLock)" "" "the refused run released its lock"
binds s25 "$(pw_of s25)"
ok $? "s25 can still log in"

run 0 ulogin-import run --no-initial-passwords "$TEST_TMP/first20.csv" --source skole --force
stderr_has "^ulogin-import: 'skole': 20 rows, 0 added, 0 changed, 10 left, 0 detached, 20 unchanged," \
	"--force: 10 left"
ldap_search "ou=people,$ULOGIN_BASE" '(pwdAccountLockedTime=000001010000Z)' uid |
	sed -n 's/^uid: //p' | sort | tr '\n' ' ' >"$TEST_TMP/locked"
is "$(cat "$TEST_TMP/locked")" "s21 s22 s23 s24 s25 s26 s27 s28 s29 s30 " \
	"--force: exactly s21-s30 are blocked"
is "$(ldap_attr "$(people s25)" uloginBlockReason)" \
	"left: no longer in import source 'skole'" "the block reason names the source"
ldap_attr "$(people s25)" uloginLeftAt | grep -qE '^[0-9]{14}Z$'
ok $? "uloginLeftAt is set"
n=0
for i in 21 22 23 24 25 26 27 28 29 30; do
	binds "s$i" "$(pw_of "s$i")" && n=$((n + 1))
done
is "$n" 0 "none of the 10 can log in with the initial password (ldapwhoami)"
binds s20 "$(pw_of s20)"
ok $? "s20, still in the export, can"
is "$(ldap_attr "$SRC" uloginLastOutcome)" "ok" "the forced run's outcome is ok"

# ---- a dry run writes nothing ---------------------------------------------------
# s20 leaves, s19's mail changes, s31 is new (1 leaver of 20: allowed).
{ roster 1 19 | sed 's/^S19,\(.*\),s19@example.dk,/S19,\1,s19.new@example.dk,/'
  echo 'S31,Ny,Elev,Elev,280001,s31,5a,5,,,,'; } >"$TEST_TMP/dry.csv"
grep -q 's19.new@example.dk' "$TEST_TMP/dry.csv"
ok $? "the dry-run roster changes s19's mail"
snapshot before
run 0 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source skole -n
stdout_has '^\+ user s31 \(Ny Elev; student; 280001; grade 5\)$' "the plan: + a new user"
stdout_has '^~ user s19: mail$' "the plan: ~ a changed user"
stdout_has '^- user s20 \(left: blocked\)$' "the plan: - a leaver"
stdout_has '^~ class 280001-5a: \+1 -1 students' "the plan: ~ the class"
stderr_has "^ulogin-import: dry run, nothing written: 'skole': 20 rows, 1 added, 1 changed, 1 left," \
	"the summary says dry run, nothing written"
same_as before "dry run"

# ---- one run at a time: the lock ------------------------------------------------
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null 2>&1 <<LDIF
dn: $SRC
changetype: modify
replace: uloginLock
uloginLock: otherhost 4242 20260101000000Z
LDIF
ok $? "ldapmodify sets a lock as another run would"
people_dump "$TEST_TMP/people.before"
run 75 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source skole
stderr_has "^ulogin-import: source 'skole' is being imported by another run \(otherhost 4242 20260101000000Z\)$" \
	"a held lock: exit 75 naming the holder"
stderr_has "^hint: .*ulogin-import unlock --source skole" "the hint names unlock"
people_dump "$TEST_TMP/people.after"
cmp -s "$TEST_TMP/people.before" "$TEST_TMP/people.after"
ok $? "the locked-out run changed nothing"
is "$(ldap_attr "$SRC" uloginLock)" "otherhost 4242 20260101000000Z" "the other run's lock stays"
echo '{"outcome": "ok", "stale": true}' >"$TEST_TMP/locked.json"
run 75 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source skole \
	--report "$TEST_TMP/locked.json"
is "$(jq -r .outcome "$TEST_TMP/locked.json")" \
	"refused: another run holds the lock" \
	"the report of a locked-out run says so (no stale report left)"
run 0 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source skole -n
stdout_has '^\+ user s31 ' "a dry run takes no lock, so it runs while another run holds it"

run 64 ulogin-import unlock --source skole
stderr_has "refusing to unlock without confirmation" "unlock without --yes and no terminal refuses"
is "$(ldap_attr "$SRC" uloginLock)" "otherhost 4242 20260101000000Z" "... and keeps the lock"
run 67 ulogin-import unlock --source nosuch --yes
stderr_has "cannot find import source 'nosuch'" "unlock of an unknown source: 67"
run 0 ulogin-import unlock --source skole --yes
is "$(ldap_attr "$SRC" uloginLock)" "" "unlock --yes removes the lock"
run 0 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source skole
stderr_has "^ulogin-import: 'skole': 20 rows, 1 added, 1 changed, 1 left," "after unlock a run works"
is "$(ldap_attr "$(people s19)" mail)" "s19.new@example.dk" "... and applies its changes"

# ---- usage, input and config errors -------------------------------------------------
people_dump "$TEST_TMP/people.before"
run 66 ulogin-import run --no-initial-passwords "$TEST_TMP/nosuch.csv" --source skole
stderr_has "cannot read '$TEST_TMP/nosuch.csv'" "a missing input file: 66, named"
run 64 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source skole --format xml
stderr_has "--format is native or oneroster, not 'xml'" "an unknown --format: 64"
run 64 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source 'sko le'
stderr_has "bad source name 'sko le'" "a bad source name: 64"
run 64 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source "$(printf 'x%.0s' $(seq 65))"
stderr_has "bad source name" "a source name of 65 characters: 64"
for w in 0 257 x; do
	run 64 ulogin-import run --no-initial-passwords "$TEST_TMP/dry.csv" --source skole --window "$w"
	stderr_has "--window needs a number from 1 to 256" "--window $w: 64"
done

CFG=$TEST_TMP/leavers.yaml
cp "$ULOGIN_CONFIG" "$CFG"
echo 'max_leavers: "lots"' >>"$CFG"
chmod 600 "$CFG"
run 78 ulogin-import -c "$CFG" run "$TEST_TMP/dry.csv" --source skole
stderr_has "max_leavers 'lots'" "a bad max_leavers in the config: 78, named"

CFG=$TEST_TMP/nokey.yaml
grep -v '^import_key_file:' "$ULOGIN_CONFIG" >"$CFG"
chmod 600 "$CFG"
grep -q import_key_file "$CFG"
ok $((! $?)) "the config copy has no import_key_file"
run 78 ulogin-import -c "$CFG" run "$TEST_TMP/dry.csv" --source neu2
stderr_has "national_id column but no HMAC key file" \
	"a mapping with national_id and no key file: 78"
ldap_exists "cn=neu2,ou=imports,$ULOGIN_BASE"
ok $((! $?)) "... before anything is written (no source entry)"
people_dump "$TEST_TMP/people.after"
cmp -s "$TEST_TMP/people.before" "$TEST_TMP/people.after"
ok $? "none of the failed commands changed people or classes"

# ---- a change the server refuses ------------------------------------------
# When the server refuses one change (here: the cn of a new class is taken
# by an entry that is no class), only that change fails; the others of the
# same kind, sent along with it, go in.
printf 'dn: cn=280001-9z,ou=classes,%s\nobjectClass: organizationalRole\ncn: 280001-9z\n' \
	"$ULOGIN_BASE" | ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" >/dev/null
ok $? "an entry that is no class takes the cn 280001-9z"
BATCH=$TEST_TMP/batch.csv
{
	echo 'ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
	echo 'Z1,Zia,Ahl,Elev,280001,zia.ahl,9x,9,,,,'
	echo 'Z2,Zeb,Bo,Elev,280001,zeb.bo,9y,9,,,,'
	echo 'Z3,Zoe,Cy,Elev,280001,zoe.cy,9z,9,,,,'
} >"$BATCH"
run 1 ulogin-import run --no-initial-passwords "$BATCH" --source batch
stderr_has "cannot update class '280001-9z'" "the refused class is named"
stdout_empty "nothing on stdout"
for u in zia.ahl zeb.bo zoe.cy; do
	ldap_exists "$(people "$u")"
	ok $? "user $u was added"
done
is "$(ldap_attr "cn=280001-9x,ou=classes,$ULOGIN_BASE" member)" \
	"$(people zia.ahl)" "class 9x, sent along with the refused one, was added"
is "$(ldap_attr "cn=280001-9y,ou=classes,$ULOGIN_BASE" member)" \
	"$(people zeb.bo)" "class 9y too"
is "$(ldap_attr "cn=280001-9z,ou=classes,$ULOGIN_BASE" objectClass)" \
	organizationalRole "the entry holding the cn is untouched"
grep -q '"action":"import.class.add","target":"cn=280001-9x,ou=classes,'"$ULOGIN_BASE"'","result":"ok"' "$AUDIT_LOG"
ok $? "the audit log has the class that went in"
grep -q '"action":"import.class.add","target":"cn=280001-9z,ou=classes,'"$ULOGIN_BASE"'","result":"it already exists"' "$AUDIT_LOG"
ok $? "... and the refused one, with why"

done_testing

#!/bin/sh
# Leavers: a user the roster no longer lists is blocked and marked (the
# server refuses their bind), not deleted; the same roster again changes
# nothing; coming back unblocks them; purge deletes them once they left
# long enough ago.  A user several sources share is only detached until
# the last source drops them.
. "$top_srcdir/tests/lib.sh"
sandbox_start
allow_sources skole kommune:links=skole
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1

header='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
# Ten pupils of 7x, their teacher and a parent: 12 users.
rows='E01,Ulrik,Aas,Elev,280001,,7x,7,,,,
E02,Yrsa,Bak,Elev,280001,,7x,7,,,,
E03,Zenia,Dahl,Elev,280001,,7x,7,,,,
E04,Quinn,Eng,Elev,280001,,7x,7,,,,
E05,Wanda,Fisk,Elev,280001,,7x,7,,,,
E06,Xenia,Gran,Elev,280001,,7x,7,,,,
E07,Vagn,Hald,Elev,280001,,7x,7,,,,
E08,Ivar,Iver,Elev,280001,,7x,7,,,,
E09,Otto,Juul,Elev,280001,,7x,7,,,,
E10,Gert,Krag,Elev,280001,,7x,7,,,,
T01,Tove,Lind,Lærer,280001,,7x,,,,,
P01,Rolf,Aas,Forælder,280001,,,,,,,'
{ echo "$header"; echo "$rows"; } >all.csv
# Vagn (vagn0001) left the school.
{ echo "$header"; echo "$rows" | grep -v '^E07,'; } >without-vagn.csv

# An initial password of the passwords file; a bind with it.
pw_of() { awk -F, -v u="$1" '$1 == u { print $2 }' pw.csv; }
bind_as() {	# bind_as USERNAME PASSWORD: ldapwhoami's exit code
	printf '%s' "$2" >bind.pw
	chmod 600 bind.pw
	ldapwhoami -x -H "$ULOGIN_URI" -D "$(people "$1")" -y bind.pw \
		-e ppolicy >bind.out 2>&1
}
ldapmodify_admin() {
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
}
class=cn=280001-7x,ou=classes,$ULOGIN_BASE
vagn=$(people vagn0001)

run 0 ulogin-import run all.csv --source skole --passwords pw.csv
stderr_has "'skole': 12 rows, 12 added, " "the first run adds 12 users"
is "$(tail -n +2 pw.csv | wc -l)" 12 "the passwords file has the 12 new users"
is "$(stat -c %a pw.csv)" 600 "the passwords file is private (0600)"
vpw=$(pw_of vagn0001)
bind_as vagn0001 "$vpw"
ok $? "before he leaves, vagn0001 can bind with his initial password"
ldap_attr "$class" member | grep -qx "$vagn"
ok $? "vagn0001 is a member of 7x"

# ---- leaving ------------------------------------------------------------
# Three of twelve at once is more than max_leavers (10%, rounded up: 2)
# allows.
{ echo "$header"; echo "$rows" | grep -v -e '^E07,' -e '^E08,' -e '^E09,'; } >without-three.csv
run 65 ulogin-import run --no-initial-passwords without-three.csv --source skole
stderr_has "would block 3 of the 12 users of source 'skole' \(max_leavers 10% allows 2\); nothing was changed" \
	"three leavers of twelve are refused"
is "$(ldap_attr "$vagn" pwdAccountLockedTime)" "" "the refused run blocked nobody"
run 0 ulogin-import run --no-initial-passwords without-vagn.csv --source skole -n
stdout_is "$(printf '%s\n' '- user vagn0001 (left: blocked)' \
	'~ class 280001-7x: +0 -1 students, +0 -0 teachers')" \
	"the plan: vagn0001 leaves and is taken out of 7x"
run 0 ulogin-import run --no-initial-passwords without-vagn.csv --source skole --results res1.csv
stderr_has "'skole': 11 rows, 0 added, 0 changed, 1 left, 0 detached, 11 unchanged, 0 skipped, 0 failed, 0 classes added, 1 classes changed, 0 classes removed$" \
	"the summary counts one leaver"
grep -Eq '^[^,]*,[^,]*,E07,vagn0001,leave,ok,' res1.csv
ok $? "the results file has vagn0001: leave, ok"
bind_as vagn0001 "$vpw"
ok $((! $?)) "vagn0001 can no longer bind (ldapwhoami fails)"
grep -Eq 'Invalid credentials|Account locked' bind.out
ok $? "the server says invalid credentials / account locked"
is "$(ldap_attr "$vagn" pwdAccountLockedTime)" "000001010000Z" \
	"pwdAccountLockedTime 000001010000Z (locked for good)"
left_at=$(ldap_attr "$vagn" uloginLeftAt)
echo "$left_at" | grep -Eq '^20[0-9]{12}Z$'
ok $? "uloginLeftAt is set ($left_at)"
ldap_attr "$vagn" uloginBlockReason | grep -q "skole"
ok $? "the block reason names the source"
is "$(ldap_attr "$vagn" uloginBlockedBy)" "$ULOGIN_BIND_DN" "uloginBlockedBy: who ran the import"
ldap_attr "$class" member | grep -qx "$vagn"
ok $((! $?)) "vagn0001 is no longer a member of 7x"
is "$(ldap_attr "$class" member | wc -l)" 9 "7x keeps its 9 other pupils"
ldap_exists "$vagn"
ok $? "the leaver is kept (blocked, not deleted)"
run 0 ulogin-user show vagn0001 -o tsv
stdout_has '^state	left$' "ulogin-user show: state left"
run 0 ulogin-import show skole -o tsv
stdout_has '^vagn0001	Vagn Hald	E07	student	280001	left	20' \
	"ulogin-import show: vagn0001 left"

# The same roster again: nothing changes, the leaver is not left twice.
run 0 ulogin-import run --no-initial-passwords without-vagn.csv --source skole
stderr_has "'skole': 11 rows, 0 added, 0 changed, 0 left, 0 detached, 11 unchanged, 0 skipped, 0 failed, 0 classes added, 0 classes changed, 0 classes removed$" \
	"the second run changes nothing"
is "$(ldap_attr "$vagn" uloginLeftAt)" "$left_at" "uloginLeftAt is unchanged"
is "$(grep -c "\"action\":\"import.leave\",\"target\":\"$vagn\"" "$AUDIT_LOG")" 1 \
	"the audit log has one leave of vagn0001, not two"

# ---- coming back ---------------------------------------------------------
run 0 ulogin-import run --no-initial-passwords all.csv --source skole -n
stdout_has '^~ user vagn0001: back again$' "the plan: vagn0001 is back again"
run 0 ulogin-import run --no-initial-passwords all.csv --source skole
stderr_has "'skole': 12 rows, 0 added, 1 changed, 0 left, " "the comeback is one change"
is "$(ldap_attr "$vagn" pwdAccountLockedTime)" "" "pwdAccountLockedTime is gone"
is "$(ldap_attr "$vagn" uloginLeftAt)" "" "uloginLeftAt is gone"
is "$(ldap_attr "$vagn" uloginBlockReason)" "" "the block reason is gone"
bind_as vagn0001 "$vpw"
ok $? "vagn0001 can bind again"
ldap_attr "$class" member | grep -qx "$vagn"
ok $? "vagn0001 is back in 7x"
run 0 ulogin-user show vagn0001 -o tsv
stdout_lacks '^state	left$' "ulogin-user show: no longer left"

# ---- purge ----------------------------------------------------------------
run 0 ulogin-import run --no-initial-passwords without-vagn.csv --source skole -q
is "$(ldap_attr "$vagn" pwdAccountLockedTime)" "000001010000Z" "vagn0001 left again"
run 0 ulogin-import purge --source skole --older-than 90d --yes
ldap_exists "$vagn"
ok $? "purge --older-than 90d keeps a user who left just now"
# He left long ago; and some other class still names him.
ldapmodify_admin <<EOF
dn: $vagn
changetype: modify
replace: uloginLeftAt
uloginLeftAt: 20200101000000Z
EOF
ok $? "ldapmodify moves vagn0001's leaving date to 2020"
ldapmodify_admin <<EOF
dn: cn=280001-9z,ou=classes,$ULOGIN_BASE
changetype: add
objectClass: uloginClass
cn: 280001-9z
uloginClassName: 9z
uloginInstitution: 280001
member: $vagn
uloginTeacher: $vagn
EOF
ok $? "ldapmodify adds a class 9z naming vagn0001"
run 64 ulogin-import purge --source skole --older-than 90d
stderr_has "--yes" "purge without --yes (no terminal) says to add --yes"
ldap_exists "$vagn"
ok $? "purge without --yes deleted nobody"
run 0 ulogin-import purge --source skole --older-than 90d -n -o tsv
stdout_has "^vagn0001	$vagn\$" "purge -n lists vagn0001"
is "$(grep -c . "$OUT")" 2 "purge -n lists only vagn0001 (and the header)"
ldap_exists "$vagn"
ok $? "purge -n deleted nobody"
run 0 ulogin-import purge --source skole --older-than 90d --yes -o tsv
stdout_has "^vagn0001	" "purge names the deleted user"
ldap_exists "$vagn"
ok $((! $?)) "purge deleted vagn0001 (ldapsearch finds no entry)"
is "$(ldap_search "ou=classes,$ULOGIN_BASE" "(|(member=$vagn)(uloginTeacher=$vagn))" dn)" "" \
	"no class names vagn0001 any more"
is "$(ldap_search "ou=people,$ULOGIN_BASE" '(uloginSource=skole)' dn | grep -c '^dn:')" 11 \
	"the 11 others of the source are all still there"
run 67 ulogin-import purge --source nosuch --older-than 90d --yes
stderr_has "nosuch" "purge of an unknown source names it"

# ---- a user two sources share ---------------------------------------------
# The municipality's own roster also has Ulrik (same external id) and a
# consultant.
{ echo "$header"
  echo 'E01,Ulrik,Aas,Elev,280001,,,7,,,,'
  echo 'K01,Kaj,Munk,Pædagog,280001,,,,,,,'
} >kommune.csv
{ echo "$header"; echo 'K01,Kaj,Munk,Pædagog,280001,,,,,,,'; } >kommune-without-ulrik.csv
ulrik=$(people ulri0001)
upw=$(pw_of ulri0001)
run 0 ulogin-import run --no-initial-passwords kommune.csv --source kommune -q
is "$(ldap_attr "$ulrik" uloginSource | sort | tr '\n' ' ')" "kommune skole " \
	"the same external id in two sources: one user with both sources"
is "$(ldap_search "ou=people,$ULOGIN_BASE" '(uloginExternalId=E01)' dn | grep -c '^dn:')" 1 \
	"no second user for E01"

# skole drops Ulrik: detached only.  Vagn is gone for good, so skole now
# has 10 rows.
echo "$rows" | grep -v -e '^E07,' -e '^E01,' >rows10
{ echo "$header"; cat rows10; } >without-ulrik.csv
run 0 ulogin-import run --no-initial-passwords without-ulrik.csv --source skole -n
stdout_has '^- user ulri0001 \(detached' "the plan: ulri0001 is detached from skole"
run 0 ulogin-import run --no-initial-passwords without-ulrik.csv --source skole
stderr_has " 0 left, 1 detached, " "the summary counts one detached user"
is "$(ldap_attr "$ulrik" uloginSource)" "kommune" "ulri0001's only source is now kommune"
is "$(ldap_attr "$ulrik" pwdAccountLockedTime)" "" "ulri0001 is not locked"
is "$(ldap_attr "$ulrik" uloginLeftAt)" "" "ulri0001 has not left"
bind_as ulri0001 "$upw"
ok $? "ulri0001 can still bind"

# The last source drops him; with max_leavers 0 (an absolute count, from
# the environment) even one leaver needs --force.
run 65 env ULOGIN_MAX_LEAVERS=0 ulogin-import run --no-initial-passwords kommune-without-ulrik.csv --source kommune
stderr_has "would block 1 of the 2 users of source 'kommune' \(max_leavers 0 allows 0\)" \
	"max_leavers 0 refuses to block anyone"
is "$(ldap_attr "$ulrik" pwdAccountLockedTime)" "" "the refused run blocked nobody"
run 0 env ULOGIN_MAX_LEAVERS=0 ulogin-import run --no-initial-passwords kommune-without-ulrik.csv --source kommune --force -n
stdout_has '^- user ulri0001 \(left: blocked\)$' "the plan: now ulri0001 is blocked"
run 0 env ULOGIN_MAX_LEAVERS=0 ulogin-import run --no-initial-passwords kommune-without-ulrik.csv --source kommune --force
stderr_has " 1 left, 0 detached, " "the forced run blocks one"
is "$(ldap_attr "$ulrik" pwdAccountLockedTime)" "000001010000Z" "ulri0001 is locked"
ldap_attr "$ulrik" uloginBlockReason | grep -q "kommune"
ok $? "the block reason names kommune"
bind_as ulri0001 "$upw"
ok $((! $?)) "ulri0001 can no longer bind"

done_testing

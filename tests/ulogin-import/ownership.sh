#!/bin/sh
# Import sources own their users: rows match only the source's own users
# (external ids compared exactly); an id of another, unlinked source is a
# conflict, never merged; a row asking for an institution, role, class or
# parent beyond the source's rights is a bad row; two linked sources share
# a user, and one that drops the user takes away only its own role;
# uloginIdentified follows the national ID number.  The runs bind as the
# import service account, as in production; the directory is checked with
# ldapsearch as the directory manager.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
# skole writes 280001; sis shares users with skole; andet writes 280002.
allow_sources skole=280001 sis=280001:links=skole andet=280002 \
	elever=280001:roles=student
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1

header='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
roster() {	# roster FILE ROW...: a roster with these rows
	local f=$1
	shift
	{ echo "$header"; printf '%s\n' "$@"; } >"$f"
}
import() {	# import ARGS...: ulogin-import run as the import service
	run "$@"
}
# One user's entry, without the attributes slapd keeps itself.
entry() {
	(as_manager && ldapsearch -x -LLL -o ldif-wrap=no -H "$ULOGIN_URI" \
		-D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
		-b "$(people "$1")" -s base '(objectClass=*)' '*' | sort)
}
values() {	# values USER ATTR: the values, sorted, on one line
	dm_attr "$(people "$1")" "$2" | sort | tr '\n' ' ' | sed 's/ $//'
}
as import

# ---- a conflict: another source's external id --------------------------
# lars0001 is a teacher of the example school's source, external id
# BAK-0003.  A row of skole with that id must not touch him.
entry lars0001 >lars.before
roster conflict.csv 'BAK-0003,Lars,Nielsen,Elev,280001,,,5,,,,' \
	'S1,Sara,Ask,Elev,280001,,5s,5,,,,'
import 1 ulogin-import run conflict.csv --source skole --passwords pw1.csv
stderr_is_line() { grep -Fqx -- "$1" "$ERR"; ok $? "$2"; }
stderr_is_line "conflict.csv:2: key=BAK-0003: conflict: external id 'BAK-0003' belongs to user 'lars0001' of source 'example'; not merged (if it is the same person, link the two sources in the config)" \
	"the conflict is reported with its line and both sources"
stderr_has "'skole': 2 rows, 1 added, .* 1 skipped, " \
	"the other row goes in; the conflicting one is skipped"
entry lars0001 >lars.after
same_text lars.before lars.after "lars0001 is unchanged (ldapsearch)"
is "$(values lars0001 uloginRole)" teacher "lars0001 did not become a student"
is "$(values lars0001 uloginSource)" example "lars0001 is still only example's"

# The same username as an administrator's: not taken over.
roster takeover.csv 'S9,Kirsten,Brandt,Elev,280001,kirs0001,,5,,,,'
import 1 ulogin-import run takeover.csv --source skole --passwords pw2.csv
stderr_is_line "takeover.csv:2: key=S9: username 'kirs0001' belongs to another user (external id BAK-0001)" \
	"a row naming an administrator's username is a bad row"
is "$(values kirs0001 uloginSource)" example "kirs0001 stays example's"
is "$(values kirs0001 uloginRole)" staff "kirs0001 did not become a student"
# Made by hand, with no source and no external id, but an administrator:
# no source may take them over either.
cat >hand.ldif <<EOF
dn: uid=hand0001,ou=people,$ULOGIN_BASE
objectClass: inetOrgPerson
objectClass: uloginAccount
uid: hand0001
cn: Hanne Hand
sn: Hand
givenName: Hanne
uloginRole: staff
uloginInstitution: 280001
uloginAdminOf: 280001
EOF
(as_manager && ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" -f hand.ldif >/dev/null)
ok $? "a user made by hand: hand0001, an administrator"
roster hand.csv 'S8,Hanne,Hand,Pædagog,280001,hand0001,,,,,,'
import 1 ulogin-import run hand.csv --source skole --passwords pw3.csv
stderr_is_line "hand.csv:2: key=S8: username 'hand0001' belongs to a user this source may not take over" \
	"a user made by hand who is beyond the source's rights is not taken over"
is "$(values hand0001 uloginSource)" "" "hand0001 has no source"

# ---- rows beyond the source's rights ------------------------------------
roster rights.csv 'R1,Rita,Ro,Elev,999999,,,5,,,,' \
	'R2,Rasmus,Ro,Elev,#4;1+a=b,,,5,,,,' \
	'R3,Rune,Ro,admin,280001,,,,,,,' \
	'R4,Rikke,Ro,Elev,280002,,,5,,,,' \
	'R5,Ronja,Ro,Elev,280001,,5r,5,,,,S1' \
	'R6,Rolf,Ro,Elev,280001,,5r,5,,,,BAK-0003'
import 1 ulogin-import run rights.csv --source skole --passwords pw4.csv
stderr_is_line "rights.csv:2: key=R1: source 'skole' may not write institution 999999 (it writes 280001)" \
	"an institution the source may not write: a bad row with its line"
stderr_is_line "rights.csv:3: key=R2: source 'skole' may not write institution #4;1+a=b (it writes 280001)" \
	"a hostile institution number: a bad row"
stderr_is_line "rights.csv:4: key=R3: an import never gives the role 'admin' (the administrator right is granted with 'ulogin-user admin grant')" \
	"the role admin: a bad row with its line"
stderr_is_line "rights.csv:5: key=R4: source 'skole' may not write institution 280002 (it writes 280001)" \
	"another school's institution: a bad row"
stderr_is_line "rights.csv:7: key=R6: parent 'BAK-0003' is user 'lars0001' of source 'example', not of this source" \
	"a parent of another source: a bad row"
stderr_has "'skole': 6 rows, 1 added, .* 5 skipped, " "only Ronja, within the rights, goes in"
is "$(dm_attr "$(people rito0001)" uid)" "" "no user for the row with institution 999999"
is "$(values ronj0001 uloginParent)" "$(people sara0001)" \
	"Ronja's parent, a user of skole, is linked"
is "$(values lars0001 uloginRole)" teacher "lars0001 is still unchanged"

# A source that gives students only: a teacher row is beyond its rights.
roster elever.csv 'L1,Lene,Lund,Lærer,280001,,,,,,,'
import 1 ulogin-import run elever.csv --source elever --passwords pw5.csv
stderr_is_line "elever.csv:2: key=L1: source 'elever' may not give the role 'teacher' (it gives student)" \
	"a role the source may not give: a bad row"
# A class of an institution the source may not write (OneRoster names a
# class's school): a source writing 280002 cannot reach a 280001 pupil.
roster andet.csv 'A1,Aske,Alf,Elev,280002,sara0001,,5,,,,'
import 1 ulogin-import run andet.csv --source andet --passwords pw6.csv
stderr_is_line "andet.csv:2: key=A1: username 'sara0001' belongs to another user (external id S1)" \
	"another source's username is not taken over"

# ---- external ids compare exactly ----------------------------------------
roster exact1.csv 'U-1,Uffe,Ulf,Elev,280001,,,6,,,,'
import 0 ulogin-import run exact1.csv --source elever --passwords pw7.csv
roster exact2.csv 'u-1,Ulla,Ulf,Elev,280001,,,6,,,,'
import 0 ulogin-import run exact2.csv --source elever --force --passwords pw8.csv
stderr_has "'elever': 1 rows, 1 added, 0 changed, 1 left, " \
	"u-1 is not U-1: a new user, and U-1 leaves"
is "$(values uffe0001 uloginSourceKey)" "elever:U-1" "Uffe keeps his key U-1"
is "$(values ulla0001 uloginSourceKey)" "elever:u-1" "Ulla's key is u-1"
is "$(dm_attr "$(people uffe0001)" uloginLeftAt | grep -c .)" 1 \
	"Uffe is marked as left"

# ---- two linked sources share a user -------------------------------------
# Pia is a parent to skole and staff to sis (the same id in both systems).
roster share1.csv 'S1,Sara,Ask,Elev,280001,,5s,5,,,,' 'P1,Pia,Ask,Forælder,280001,,,,,,,'
import 0 ulogin-import run share1.csv --source skole --passwords pw9.csv
roster share2.csv 'P1,Pia,Ask,Pædagog,280001,,,,,,,'
import 0 ulogin-import run share2.csv --source sis --passwords pw10.csv
is "$(values pia0001 uloginRole)" "parent staff" "Pia: the union of both sources' roles"
is "$(values pia0001 uloginSource)" "sis skole" "Pia is in both sources"
is "$(values pia0001 uloginSourceKey)" "sis:P1 skole:P1" "Pia has a key in each"
is "$(values pia0001 uloginSourceGrant)" \
	"sis:institution:280001 sis:role:staff skole:institution:280001 skole:role:parent" \
	"what each source gives is recorded"
# skole drops Pia: only its role goes.
roster share3.csv 'S1,Sara,Ask,Elev,280001,,5s,5,,,,'
import 0 ulogin-import run share3.csv --source skole --passwords pw11.csv
stderr_has "'skole': 1 rows, 0 added, 0 changed, 0 left, 1 detached, " \
	"skole detaches Pia (sis keeps her)"
is "$(values pia0001 uloginRole)" staff "Pia loses only skole's role (parent)"
is "$(values pia0001 uloginSource)" sis "Pia is only sis's now"
is "$(values pia0001 uloginSourceGrant)" "sis:institution:280001 sis:role:staff" \
	"skole's grants are gone, sis's stay"
is "$(values pia0001 pwdAccountLockedTime)" "" "Pia is not blocked"
# The same run again changes nothing.
import 0 ulogin-import run share3.csv --source skole --passwords pw12.csv
stderr_has "'skole': 1 rows, 0 added, 0 changed, 0 left, 0 detached, 1 unchanged, " \
	"a rerun changes nothing"

# ---- identified by national ID number ------------------------------------
roster cpr1.csv 'S1,Sara,Ask,Elev,280001,,5s,5,,,150316-4012,'
import 0 ulogin-import run cpr1.csv --source skole --passwords pw13.csv
is "$(values sara0001 uloginIdentified)" TRUE "a row with a CPR number: identified"
is "$(values sara0001 uloginSourceGrant)" \
	"skole:identified skole:institution:280001 skole:role:student" \
	"skole records that it identified Sara"
import 0 ulogin-import run share3.csv --source skole --passwords pw14.csv
is "$(values sara0001 uloginIdentified)" "" \
	"no source carries her CPR number any more: no longer identified"
is "$(values sara0001 uloginSourceGrant)" \
	"skole:institution:280001 skole:role:student" "the grant went with it"

# ---- a first password whose record is lost --------------------------------
# An account made before each first password's file was recorded (here:
# its record removed by the manager), never used: the next run with
# --passwords gives it a new one, which binds and must be changed.  One
# whose password an administrator set since keeps it.
roster lost.csv 'S1,Sara,Ask,Elev,280001,,5s,5,,,,' 'L1,Lis,Lund,Elev,280001,,5s,5,,,,' \
	'L2,Leo,Lund,Elev,280001,,5s,5,,,,'
import 0 ulogin-import run lost.csv --source skole --passwords pw16.csv
is "$(values lis0001 uloginInitialPassword)" "$(hostname):$TEST_TMP/pw16.csv" \
	"a new user records where its first password is"
for u in lis0001 leo0001; do
	printf 'dn: %s\nchangetype: modify\ndelete: uloginInitialPassword\n\n' \
		"$(people $u)"
done >lost.ldif
(as_manager && ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" -f lost.ldif >/dev/null)
ok $? "the records of lis0001 and leo0001 are removed"
sleep 3	# the administrator's password is set later
printf 'Adm1n-Sat-7x' >leo.pw
ldappasswd -x -H "$ULOGIN_URI" -D "$(people kirs0001)" -y "$_sandbox/kirs0001.pw" \
	-T leo.pw "$(people leo0001)" >/dev/null
ok $? "the administrator sets leo0001's password"
import 0 ulogin-import run lost.csv --source skole --passwords pw17.csv
stderr_has "'skole': 3 rows, 0 added, 0 changed, .* 1 first passwords re-issued$" \
	"the summary counts the re-issued first password"
lis=$(awk -F, '$1 == "lis0001" { print $2 }' pw17.csv)
[ -n "$lis" ]
ok $? "lis0001's new first password is in the new file"
grep -c '^leo0001,' pw17.csv >leo.count
is "$(cat leo.count)" 0 "leo0001, whose password the administrator set, is not re-issued"
printf '%s' "$lis" >lis.pw
ldapwhoami -x -H "$ULOGIN_URI" -D "$(people lis0001)" -y lis.pw -e ppolicy >whoami.out 2>&1
ok $? "lis0001 binds with the re-issued password (ldapwhoami)"
grep -q "Password must be changed" whoami.out
ok $? "... and ldapwhoami's password-policy control says it must be changed"
is "$(values lis0001 pwdReset)" TRUE "the re-issued password must be changed at the first login"
is "$(values lis0001 uloginInitialPassword)" "$(hostname):$TEST_TMP/pw17.csv" \
	"the record points at the new file"
printf 'Adm1n-Sat-7x' >leo.pw
ldapwhoami -x -H "$ULOGIN_URI" -D "$(people leo0001)" -y leo.pw >/dev/null 2>&1
ok $? "leo0001 still binds with the administrator's password"
import 0 ulogin-import run lost.csv --source skole --passwords pw18.csv
[ ! -e pw18.csv ]
ok $? "a run that hands out no password leaves no passwords file"
# The server's side: raw ldapmodify as the import service may replace no
# password but a first one that is unrecorded and unused: not sara0001's
# nor lis0001's, whose first passwords are recorded (lis0001's anew).
for u in sara0001 lis0001; do
	printf 'dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: Nyt-Kodeord-42x\n' \
		"$(people "$u")" >steal.ldif
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" -f steal.ldif >steal.out 2>&1
	is "$?" 50 "raw ldapmodify as the import service: $u's password is refused (50)"
done

# ---- an unconfigured source may not run ----------------------------------
import 78 ulogin-import run share3.csv --source ukendt --passwords pw15.csv
stderr_has "^ulogin-import: import source 'ukendt' is not in the config " \
	"a source the config does not name: exit 78"
stderr_has "^hint: a source may only write what the config allows: add it under 'sources:'" \
	"... with a hint that says where"
[ ! -e pw15.csv ]
ok $? "... and no passwords file was made"

done_testing

#!/bin/sh
# ulogin-user find and list: each criterion, criteria combined, names with
# filter syntax taken literally, output formats, no match.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 ||
	skip_all "jq is not installed (Debian package jq)"
sandbox_start --example

tab=$(printf '\t')
header="username${tab}given_name${tab}surname${tab}roles${tab}institutions${tab}grade${tab}state"

# The usernames on stdout (tsv, header dropped), space-separated.
found() {
	tail -n +2 "$OUT" | cut -f1 | tr '\n' ' '
}

json_ok() {	# json_ok FILTER DESCRIPTION
	jq -e "$1" "$OUT" >/dev/null 2>&1
	ok $? "$2"
}

# --name: a part of a given name, surname or username, any case.
run 0 ulogin-user find --name nielsen -o tsv
is "$(head -n 1 "$OUT")" "$header" "tsv header line"
is "$(found)" "pete0001 soer0001 " "--name matches surnames"
run 0 ulogin-user find --name NIELSEN -o tsv
is "$(found)" "pete0001 soer0001 " "--name ignores case"
run 0 ulogin-user find --name frede -o tsv
is "$(found)" "fred0001 fred0002 malt0001 " \
	"--name matches given names and surnames (Frederikke, Frederik, Frederiksen)"
run 0 ulogin-user find --name SØREN -o tsv
is "$(found)" "emma0001 soer0001 soer0002 " \
	"--name ignores case beyond ASCII (Søren, Sørensen)"
run 0 ulogin-user find --name 0002 -o tsv
is "$(found)" "fred0002 karl0002 soer0002 " "--name matches usernames"
stdout_has "^soer0002${tab}Søren${tab}Knudsen${tab}student${tab}280001${tab}5${tab}active\$" \
	"a row has every column"

# Names with filter syntax are stored and matched literally.
cat >"$TEST_TMP/odd.ldif" <<EOF
dn: uid=jann0001,ou=people,$ULOGIN_BASE
objectClass: inetOrgPerson
objectClass: uloginAccount
uid: jann0001
cn: Jan*ne Holm
givenName: Jan*ne
sn: Holm
uloginRole: student
uloginInstitution: 280002

dn: uid=boek0001,ou=people,$ULOGIN_BASE
objectClass: inetOrgPerson
objectClass: uloginAccount
uid: boek0001
cn: Bo Ek (junior)
givenName: Bo
sn: Ek (junior)
uloginRole: student
uloginInstitution: 280002
EOF
ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-f "$TEST_TMP/odd.ldif" >/dev/null 2>&1
ok $? "ldapadd: two users with '*' and '(' in their names"
run 0 ulogin-user find --name 'n*n' -o tsv
is "$(found)" "jann0001 " "--name 'n*n' finds only the name with a literal star"
run 0 ulogin-user find --name '*' -o tsv
is "$(found)" "jann0001 " "--name '*' does not list everyone"
run 0 ulogin-user find --name '(' -o tsv
is "$(found)" "boek0001 " "--name '(' finds only the name with a parenthesis"
run 0 ulogin-user find --name '(junior)' -o tsv
is "$(found)" "boek0001 " "--name '(junior)' is taken literally"
run 0 ulogin-user find --name '*)(uid=*' -o tsv
is "$(found)" "" "filter injection in --name matches nobody"
run 0 ulogin-user find --name 'n\2an' -o tsv
is "$(found)" "" "a filter escape in --name is taken literally"

# --class: the students and the teachers of the class.
run 0 ulogin-user find --class 280001-5b -o tsv
is "$(found)" "birg0001 elle0001 karl0001 karl0002 lars0001 magn0001 math0001 soer0002 " \
	"--class lists the class's students and teachers"
ldap_search "cn=280001-5b,ou=classes,$ULOGIN_BASE" '(objectClass=*)' \
	member uloginTeacher | grep -c '^\(member\|uloginTeacher\): ' >"$TEST_TMP/n"
is "$(tail -n +2 "$OUT" | grep -c .)" "$(cat "$TEST_TMP/n")" \
	"--class: one row per member and teacher on the server"
run 67 ulogin-user find --class 280001-9z
stderr_has "cannot find class '280001-9z'" "unknown class is named"
stdout_empty "unknown class: nothing on stdout"
run 67 ulogin-user find --class '280001-5b,ou=classes'
stderr_has "cannot find class" "a DN in --class is not a class"
run 67 ulogin-user find --class '*'
stderr_has "cannot find class" "a wildcard in --class is not a class"

# --institution, --role, --mail.
run 0 ulogin-user find --institution 280002 --role teacher -o tsv
is "$(found)" "hann0001 henr0001 joer0001 " "--institution with --role"
run 0 ulogin-user find --role support -o tsv
is "$(found)" "sann0001 sune0001 " "--role support"
run 64 ulogin-user find --role admin -o tsv
stderr_has "^ulogin-user: unknown role 'admin'$" "admin is not a role"
stderr_has "^hint: administrator is not a role but a right per institution: ulogin-user admin grant" \
	"and the hint says what it is"
run 0 ulogin-user find --mail mette.holm@bakkeskolen.example.org -o tsv
is "$(found)" "mett0001 " "--mail finds the owner of the address"
run 0 ulogin-user find --mail METTE.HOLM@bakkeskolen.example.org -o tsv
is "$(found)" "mett0001 " "--mail ignores case"
run 0 ulogin-user find --mail 'mette*' -o tsv
is "$(found)" "" "--mail is a whole address, not a pattern"

# Criteria are ANDed.
run 0 ulogin-user find --name søren --class 280001-5b -o tsv
is "$(found)" "soer0002 " "--name and --class together"
run 0 ulogin-user find --class 280001-5b --role teacher -o tsv
is "$(found)" "birg0001 lars0001 " "--class and --role together"
run 0 ulogin-user find --name lund --institution 280002 --role parent -o tsv
is "$(found)" "thom0001 " "--name, --institution and --role together"
run 0 ulogin-user find --class 280001-5b --institution 280002 -o tsv
is "$(found)" "" "a class of 280001 has nobody of 280002"

# Usage errors.
run 64 ulogin-user find
stderr_has "needs at least one of" "find without criteria is a usage error"
stderr_has "^Try 'ulogin-user find --help'.\$" "find without criteria points to --help"
run 64 ulogin-user find --name ''
stderr_has "cannot be empty" "an empty --name is refused"
run 64 ulogin-user find --role wizard
stderr_has "unknown role 'wizard'" "unknown role is named"

# list: everybody, sorted by username.
run 0 ulogin-user list -o tsv
is "$(head -n 1 "$OUT")" "$header" "list: tsv header line"
ldap_search "$ULOGIN_BASE" '(objectClass=uloginAccount)' 1.1 |
	grep -c '^dn: ' >"$TEST_TMP/n"
is "$(tail -n +2 "$OUT" | grep -c .)" "$(cat "$TEST_TMP/n")" \
	"list: one row per uloginAccount entry on the server"
tail -n +2 "$OUT" | cut -f1 >"$TEST_TMP/listed"
LC_ALL=C sort "$TEST_TMP/listed" | cmp -s - "$TEST_TMP/listed"
ok $? "list is sorted by username"
run 0 ulogin-user list --role teacher -o tsv
is "$(found)" "birg0001 hann0001 henr0001 joer0001 lars0001 mett0001 " \
	"list --role teacher"
run 0 ulogin-user list --institution 280001 --role parent -o tsv
is "$(found)" "loui0001 pete0001 " "list --institution --role"

# Formats.
run 0 ulogin-user find --name sune -o csv
is "$(head -n 1 "$OUT" | tr -d '\r"')" \
	"username,given_name,surname,roles,institutions,grade,state" "csv header"
stdout_has '^"?sune0001"?,"?Sune"?,"?Holst"?,"support,staff",' \
	"csv row: two roles in one quoted field"
run 0 ulogin-user find --name sune -o json
json_ok 'type == "array" and length == 1' "json: an array of one user"
json_ok '.[0].username == "sune0001"' "json: username"
json_ok '.[0].roles == ["support", "staff"]' "json: roles is an array"
json_ok '.[0].institutions == ["280001"]' "json: institutions is an array"
run 0 ulogin-user find --name sune -o table
stdout_has '^USERNAME +GIVEN NAME +SURNAME +ROLES +INSTITUTIONS +GRADE +STATE$' \
	"table header"
stdout_has '^sune0001 +Sune +Holst +support, staff +280001 +active$' \
	"table row"

# No match: success, an empty result.
run 0 ulogin-user find --name zzzz -o tsv
stdout_is "$header" "no match, tsv: the header only"
run 0 ulogin-user find --name zzzz -o json
json_ok '. == []' "no match, json: an empty array"
run 0 ulogin-user find --name zzzz -o csv
is "$(grep -c . "$OUT")" 1 "no match, csv: the header only"
run 0 ulogin-user find --name zzzz -q -o tsv
stderr_is "" "no match with -q: nothing on stderr"

# A repeated --role matches any of them (and still ANDs with the rest).
n_tp=$(ldap_search "ou=people,$ULOGIN_BASE" \
	'(&(objectClass=uloginAccount)(|(uloginRole=teacher)(uloginRole=parent)))' dn |
	grep -c '^dn:')
run 0 ulogin-user list --role teacher --role parent -o tsv
is "$(($(grep -c . "$OUT") - 1))" "$n_tp" "list --role teacher --role parent: teachers or parents"
run 0 ulogin-user find --role teacher --role parent --institution 280002 -o tsv
stdout_lacks '	280001	' "combined with --institution: only 280002"
stdout_has '^thom0001	' "a 280002 parent is found"
stdout_has '^henr0001	' "a 280002 teacher is found"

# Users attached only through a deprecated import are pending-migration,
# in list as in show.
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null 2>&1 <<LDIF
dn: cn=example,ou=imports,$ULOGIN_BASE
changetype: modify
replace: uloginDeprecated
uloginDeprecated: TRUE
LDIF
ok $? "ldapmodify marks the example import deprecated"
run 0 ulogin-user find --name aase0001 -o tsv
stdout_has '^aase0001	.*	pending-migration$' "list/find shows pending-migration"
run 0 ulogin-user show aase0001 -o json
json_ok '.state == "pending-migration"' "show agrees: pending-migration"

done_testing

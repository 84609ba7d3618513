#!/bin/sh
# ulogin-user modify: names (and cn), grade (and level), roles,
# institutions, removing a value; refused fields, bad values, unknown
# users; dry run; audit trail.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

attr() {	# attr USER ATTR: the server's values, space-separated
	ldap_attr "$(people "$1")" "$2" | sort | tr '\n' ' '
}

audit_lines() {
	grep -c . "$AUDIT_LOG" 2>/dev/null || echo 0
}

# Names: cn follows the given name and the surname.
run 0 ulogin-user modify soer0002 --set given-name=Sørine
is "$(attr soer0002 givenName)" "Sørine " "--set given-name changes givenName"
is "$(attr soer0002 cn)" "Sørine Knudsen " "--set given-name changes cn"
is "$(attr soer0002 sn)" "Knudsen " "the surname is untouched"
run 0 ulogin-user modify soer0002 --set surname='Ørsted-Bæk' \
	--set given-name=Sara
is "$(attr soer0002 cn)" "Sara Ørsted-Bæk " "both names at once give the new cn"
run 0 ulogin-user modify soer0002 --set givenName=Sif
is "$(attr soer0002 cn)" "Sif Ørsted-Bæk " "the attribute name works as a field name"

# Grade and level.
run 0 ulogin-user modify soer0001 --set grade=8
is "$(attr soer0001 uloginGrade)" "8 " "--set grade=8 changes uloginGrade"
is "$(attr soer0001 uloginLevel)" "udskoling " "grade 8 is level udskoling"
run 0 ulogin-user modify soer0001 --set grade=g2
is "$(attr soer0001 uloginLevel)" "gymnasium " "grade g2 is level gymnasium"
run 0 ulogin-user modify soer0001 --set grade=5
is "$(attr soer0001 uloginLevel)" "mellemtrin " "grade 5 is level mellemtrin"

# Roles and institutions: add and remove one value.
run 0 ulogin-user modify soer0001 --add role=parent
is "$(attr soer0001 uloginRole)" "parent student " "--add role=parent"
run 0 ulogin-user modify soer0001 --remove role=parent
is "$(attr soer0001 uloginRole)" "student " "--remove role=parent"
run 0 ulogin-user modify mett0001 --add institution=280002
is "$(attr mett0001 uloginInstitution)" "280001 280002 " "--add institution"
run 0 ulogin-user modify mett0001 --remove institution=280002
is "$(attr mett0001 uloginInstitution)" "280001 " "--remove institution"
run 64 ulogin-user modify soer0001 --add grade=3
stderr_has "'grade' has one value" "--add on a one-value field is refused"

# An empty value removes the attribute; nothing else changes.
is "$(attr kirs0001 mail)" "kirsten.brandt@bakkeskolen.example.org " \
	"kirs0001 has a mail address"
run 0 ulogin-user modify kirs0001 --set mail=
is "$(attr kirs0001 mail)" "" "--set mail= removes mail"
is "$(attr kirs0001 cn)" "Kirsten Brandt " "--set mail= leaves the name alone"
run 0 ulogin-user modify kirs0001 --set mobile=+4512345678 \
	--set identified=no
is "$(attr kirs0001 mobile)" "+4512345678 " "--set mobile"
is "$(attr kirs0001 uloginIdentified)" "FALSE " "--set identified=no stores FALSE"
run 0 ulogin-user modify noah0001 --set grade=
is "$(attr noah0001 uloginGrade)" "" "--set grade= removes the grade"
is "$(attr noah0001 uloginLevel)" "" "--set grade= removes the level too"

# --set replaces: a one-value field never ends up with two values, whether
# the program takes the last --set or refuses the repetition.
for pair in given-name:givenName mail:mail; do
	f=${pair%%:*} a=${pair#*:}
	_last_cmd="ulogin-user modify agne0001 --set $f=Aa --set $f=Bb"
	ulogin-user modify agne0001 --set "$f=Aa" --set "$f=Bb" \
		>"$OUT" 2>"$ERR" </dev/null
	rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 64 ]
	ok $? "--set $f twice: done (0) or refused as usage (64), got $rc"
	n=$(ldap_attr "$(people agne0001)" "$a" | grep -c .)
	[ "$n" -le 1 ]
	ok $? "--set $f twice leaves at most one $a on the server, got $n"
done
_last_cmd=

# Refused: unknown fields, passwords, the server's password policy state.
before=$(audit_lines)
run 64 ulogin-user modify soer0001 --set shoesize=42
stderr_has "unknown field 'shoesize'" "unknown field is named"
stderr_has "^hint: fields are " "unknown field: the hint lists the fields"
for f in password userPassword PASSWORD; do
	run 64 ulogin-user modify mett0001 --set "$f=Stolen-Pass99"
	stderr_has "cannot change '$f'" "--set $f=... is refused"
done
ldapwhoami -x -H "$ULOGIN_URI" -D "$(people mett0001)" -w Teach3r-Bakke1 \
	>/dev/null 2>&1
ok $? "mett0001's password still works"
ldapwhoami -x -H "$ULOGIN_URI" -D "$(people mett0001)" -w Stolen-Pass99 \
	>/dev/null 2>&1
is "$?" 49 "the refused password was not set"
run 64 ulogin-user modify mett0001 --set given-name=Changed \
	--set userPassword=Stolen-Pass99
is "$(attr mett0001 givenName)" "Mette " \
	"a refused field stops the whole change, valid fields included"
run 64 ulogin-user modify mett0001 --set pwdReset=TRUE
stderr_has "cannot change 'pwdReset'" "--set pwdReset=TRUE is refused"
is "$(attr mett0001 pwdReset)" "" "pwdReset was not set"
run 64 ulogin-user modify mett0001 --set pwdAccountLockedTime=000001010000Z
is "$(attr mett0001 pwdAccountLockedTime)" "" "pwdAccountLockedTime was not set"
run 64 ulogin-user modify mett0001 --set uid=hacker
stderr_has "cannot change 'uid'" "the username cannot be changed"
run 64 ulogin-user modify soer0001 --set grade=11
stderr_has "unknown grade '11'" "bad grade is named"
run 64 ulogin-user modify soer0001 --set grade=abc
stderr_has "unknown grade 'abc'" "non-numeric grade is named"
is "$(attr soer0001 uloginGrade)" "5 " "bad grades changed nothing"
run 64 ulogin-user modify soer0001 --add role=wizard
stderr_has "unknown role 'wizard'" "unknown role is named"
run 64 ulogin-user modify soer0001 --set given-name=
stderr_has "'given-name' cannot be empty" "an empty given name is refused"
run 64 ulogin-user modify soer0001
stderr_has "nothing to change" "modify without changes is a usage error"
is "$(audit_lines)" "$before" "refused changes leave no audit line"

# Unknown institution and user.
run 67 ulogin-user modify soer0001 --add institution=999999
stderr_has "cannot find institution '999999'" "unknown institution is named"
is "$(attr soer0001 uloginInstitution)" "280001 " \
	"the unknown institution was not added"
run 67 ulogin-user modify nobody1 --set grade=3
stderr_has "^ulogin-user: cannot find user 'nobody1'\$" "unknown user is named"
ldap_exists "$(people nobody1)"
ok $((! $?)) "modify of an unknown user created nothing"
run 67 ulogin-user modify 'soer000*' --set grade=3
stderr_has "cannot find user" "a wildcard is not a username"
is "$(attr soer0001 uloginGrade)" "5 " "the wildcard changed nobody"

# --dry-run prints LDIF that ldapmodify can apply, and changes nothing.
run 0 ulogin-user modify emma0001 -n --set grade=4 --set surname=Berg
stdout_has '^dn: uid=emma0001,ou=people,dc=example,dc=dk$' "dry run prints the DN"
stdout_has '^changetype: modify$' "dry run prints changetype modify"
stdout_has '^replace: uloginGrade$' "dry run replaces uloginGrade"
stdout_has '^uloginGrade: 4$' "dry run shows the new grade"
stdout_has '^uloginLevel: mellemtrin$' "dry run shows the new level"
stdout_has '^cn: Emma Berg$' "dry run shows the new cn"
! grep -q "changed user" "$ERR"
ok $? "dry run does not claim it changed the user"
cp "$OUT" "$TEST_TMP/emma.ldif"
is "$(attr emma0001 uloginGrade)" "3 " "dry run changed nothing"
grep -q 'uid=emma0001' "$AUDIT_LOG"
ok $((! $?)) "dry run wrote no audit line"
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-f "$TEST_TMP/emma.ldif" >/dev/null 2>&1
ok $? "ldapmodify applies the dry run's LDIF"
is "$(attr emma0001 uloginLevel)" "mellemtrin " "the applied LDIF changed the level"
is "$(attr emma0001 cn)" "Emma Berg " "the applied LDIF changed cn"

# -q prints errors only.
run 0 ulogin-user modify emma0001 -q --set mobile=87654321
stderr_is "" "-q: nothing on stderr"

# Every change is in the audit trail.
grep -q '"action":"user.modify","target":"uid=soer0002,ou=people,dc=example,dc=dk","result":"ok"' "$AUDIT_LOG"
ok $? "audit log has user.modify of soer0002"
grep -q '"action":"user.modify","target":"uid=kirs0001,ou=people,dc=example,dc=dk","result":"ok"' "$AUDIT_LOG"
ok $? "audit log has user.modify of kirs0001"
is "$(grep -c '"target":"uid=soer0001,' "$AUDIT_LOG")" 5 \
	"one audit line per change of soer0001"
grep -q '"operator":"cn=admin,dc=example,dc=dk"' "$AUDIT_LOG"
ok $? "audit log names the operator"
! grep -q 'Stolen-Pass99' "$AUDIT_LOG"
ok $? "the refused password never reached the audit log"

# Adding a value that is there or removing one that is not is already
# done: exit 0, a note, and reruns of a script succeed.
run 0 ulogin-user modify mett0001 --add role=teacher --remove role=parent
stderr_has "'mett0001' already has role=teacher" "adding a present value: a note"
stderr_has "'mett0001' has no role=parent" "removing an absent value: a note"
stderr_has "nothing to change for 'mett0001'" "nothing else to do"

# An entry without a given name (imports may make one) gets a proper cn.
ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null 2>&1 <<LDIF
dn: $(people nogiven1)
objectClass: inetOrgPerson
objectClass: uloginAccount
uid: nogiven1
cn: Old
sn: Old
LDIF
run 0 ulogin-user modify nogiven1 --set surname=Smith
is "$(ldap_attr "$(people nogiven1)" cn)" "Smith" "cn is the surname alone"

done_testing

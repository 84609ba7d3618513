#!/bin/sh
# ulogin-user add: generated and given usernames, validation, exact storage
# of awkward names, dry run, audit trail.  (The initial password and the
# passwords file: password.sh.)
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
PW=$TEST_TMP/initial.csv

# A username is generated from the given name: four letters, lowest free
# four digits (the example school already has soer0001 and soer0002).
run 0 ulogin-user add --given-name 'Søren' --surname 'Kierkegaard' \
	--role student --institution 280001 --grade 5 -o tsv --passwords "$PW"
stdout_is "$(printf 'username\tname\tdn\nsoer0003\tSøren Kierkegaard\tuid=soer0003,ou=people,dc=example,dc=dk')" \
	"add prints the generated username, name and DN"
is "$(ldap_attr "$(people soer0003)" cn)" "Søren Kierkegaard" "the server has cn"
is "$(ldap_attr "$(people soer0003)" uloginLevel)" "mellemtrin" \
	"grade 5 gives level mellemtrin"
is "$(ldap_attr "$(people soer0003)" objectClass | sort | tr '\n' ' ')" \
	"inetOrgPerson uloginAccount " "objectClasses inetOrgPerson + uloginAccount"

# An explicit username.
run 0 ulogin-user add kari.nordmann --given-name Kari --surname Nordmann \
	--role teacher --role staff --institution 280001 --institution 280002 \
	--mail kari@example.dk -o tsv -q --passwords "$PW"
is "$(ldap_attr "$(people kari.nordmann)" uloginRole | sort | tr '\n' ' ')" \
	"staff teacher " "both roles stored"
is "$(ldap_attr "$(people kari.nordmann)" uloginInstitution | sort | tr '\n' ' ')" \
	"280001 280002 " "both institutions stored"

# Adding the same username again fails and changes nothing.
run 65 ulogin-user add kari.nordmann --given-name Other --surname Person \
	--role student --institution 280001 --passwords "$PW"
stderr_has "^ulogin-user: cannot add user 'kari.nordmann': the username is taken$" \
	"duplicate add names the problem"
stderr_has "^hint: " "duplicate add gives a hint"
is "$(ldap_attr "$(people kari.nordmann)" givenName)" "Kari" \
	"the existing user is unchanged"

# Names with filter and DN syntax and non-ASCII letters are stored exactly.
weird='Ærø*(x)\,+=<>#;'
run 0 ulogin-user add --given-name "$weird" --surname 'O"Brien; Ünal' \
	--role student --institution 280002 -o tsv --passwords "$PW"
user=$(tail -n 1 "$OUT" | cut -f1)
is "$user" "aero0001" "username from the letters only"
is "$(ldap_attr "$(people aero0001)" givenName)" "$weird" \
	"given name stored byte for byte"
is "$(ldap_attr "$(people aero0001)" sn)" 'O"Brien; Ünal' \
	"surname stored byte for byte"

# Bad input: usage errors before anything is written.
run 64 ulogin-user add --given-name Bo
stderr_has "needs --given-name and --surname" "missing surname is a usage error"
stderr_has "^Try 'ulogin-user add --help'.$" "usage error points to --help"
run 64 ulogin-user add Kari --given-name Kari --surname Hansen --role student \
	--institution 280001 --passwords "$PW"
stderr_has "cannot use username 'Kari': usernames are lower case" \
	"upper-case username refused"
run 64 ulogin-user add 'k*ri' --given-name Kari --surname Hansen \
	--role student --institution 280001 --passwords "$PW"
stderr_has "cannot use username 'k\*ri'" "username with * refused"
run 64 ulogin-user add --given-name Bo --surname Ek --role wizard \
	--institution 280001
stderr_has "unknown role 'wizard'" "unknown role refused"
run 64 ulogin-user add --given-name Bo --surname Ek --grade 11 --role student \
	--institution 280001 --passwords "$PW"
stderr_has "unknown grade '11'" "unknown grade refused"
run 67 ulogin-user add --given-name Bo --surname Ek --institution 999999 \
	--role student --passwords "$PW"
stderr_has "cannot find institution '999999'" "unknown institution refused"
ldap_search "ou=people,$ULOGIN_BASE" '(givenName=Bo)' dn >"$TEST_TMP/bo"
is "$(cat "$TEST_TMP/bo")" "" "no Bo was added by the failed commands"

# --dry-run prints LDIF that ldapmodify can apply, and adds nothing.
run 0 ulogin-user add -n --given-name Ida --surname Lund --role student \
	--institution 280001
stdout_has '^dn: uid=ida0001,ou=people,dc=example,dc=dk$' "dry run prints the DN"
stdout_has '^changetype: add$' "dry run prints changetype add"
cp "$OUT" "$TEST_TMP/ida.ldif"
ldap_exists "$(people ida0001)"
ok $((! $?)) "dry run added nothing"
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-f "$TEST_TMP/ida.ldif" >/dev/null 2>&1
ok $? "ldapmodify applies the dry run's LDIF"
is "$(ldap_attr "$(people ida0001)" cn)" "Ida Lund" "the applied LDIF made the user"

# Every change is in the audit trail, as one JSON line.
grep -q '"action":"user.add","target":"uid=soer0003,ou=people,dc=example,dc=dk","result":"ok"' "$AUDIT_LOG"
ok $? "audit log has the add of soer0003"
grep -q '"operator":"cn=admin,dc=example,dc=dk"' "$AUDIT_LOG"
ok $? "audit log names the operator"
grep -q '"result":"it already exists"' "$AUDIT_LOG"
ok $? "audit log records the failed duplicate add"
! grep -q "$(cat "$ULOGIN_PASSWORD_FILE")" "$AUDIT_LOG"
ok $? "audit log never contains the bind password"

# An audit log that cannot be written stops the change before it is made.
ULOGIN_AUDIT_LOG=/nonexistent/dir/audit.log run 73 ulogin-user add \
	--given-name Nils --surname Holm --role student --institution 280001 \
	--passwords "$PW"
stderr_has "cannot write audit log '/nonexistent/dir/audit.log'" \
	"unwritable audit log is named"
ldap_exists "$(people nils0001)"
ok $((! $?)) "nothing was added without an audit trail"

done_testing

#!/bin/sh
# ulogin-user delete: confirmation, removal from every class (members and
# teachers), unknown users, several users, dry run, audit trail.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example


# The classes that name DN as member or uloginTeacher, per the server.
classes_naming() {
	ldap_search "ou=classes,$ULOGIN_BASE" \
		"(|(member=$1)(uloginTeacher=$1))" cn |
		sed -n 's/^cn: //p' | sort | tr '\n' ' '
}

values() {	# values DN ATTR: the server's values, sorted, space-separated
	ldap_attr "$1" "$2" | sort | tr '\n' ' '
}

# Without --yes and without a terminal nothing is deleted.
run 64 ulogin-user delete soer0001
stderr_has "without confirmation" "delete without --yes refuses"
stderr_has "^hint: .*--yes" "the hint names --yes"
ldap_exists "$(people soer0001)"
ok $? "the user is still there"
is "$(classes_naming "$(people soer0001)")" "280001-0a " \
	"the user is still in the class"

# --dry-run prints the LDIF and deletes nothing.
run 0 ulogin-user delete -n fred0001
stdout_has '^dn: uid=fred0001,ou=people,dc=example,dc=dk$' "dry run prints the user's DN"
stdout_has '^changetype: delete$' "dry run prints changetype delete"
stdout_has '^dn: cn=280001-0a,ou=classes,dc=example,dc=dk$' "dry run prints the class"
stdout_has '^delete: member$' "dry run removes the member value"
! grep -q "deleted user" "$ERR"
ok $? "dry run does not claim it deleted the user"
cp "$OUT" "$TEST_TMP/fred.ldif"
ldap_exists "$(people fred0001)"
ok $? "dry run deleted nothing"
is "$(classes_naming "$(people fred0001)")" "280001-0a " \
	"dry run left the class alone"
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-f "$TEST_TMP/fred.ldif" >/dev/null 2>&1
ok $? "ldapmodify applies the dry run's LDIF"
ldap_exists "$(people fred0001)"
ok $((! $?)) "the applied LDIF deleted the user"
is "$(classes_naming "$(people fred0001)")" "" \
	"the applied LDIF removed the user from the class"

# A student: the entry and the class membership go.
run 0 ulogin-user delete --yes soer0001
stderr_has "deleted user 'soer0001'" "delete says what it did"
ldap_exists "$(people soer0001)"
ok $((! $?)) "the entry is gone"
is "$(classes_naming "$(people soer0001)")" "" "no class names the user any more"
is "$(values "$(class 280001-0a)" member | grep -c 'uid=aase0001,')" 1 \
	"the class keeps its other members"

# A teacher of two classes: uloginTeacher goes from both, the other
# teachers stay.
is "$(classes_naming "$(people birg0001)")" "280001-0a 280001-5b " \
	"birg0001 teaches two classes"
run 0 ulogin-user delete birg0001 --yes
ldap_exists "$(people birg0001)"
ok $((! $?)) "the teacher's entry is gone"
is "$(classes_naming "$(people birg0001)")" "" \
	"no class names the teacher any more"
is "$(values "$(class 280001-0a)" uloginTeacher)" \
	"uid=mett0001,ou=people,dc=example,dc=dk " "280001-0a keeps mett0001"
is "$(values "$(class 280001-5b)" uloginTeacher)" \
	"uid=lars0001,ou=people,dc=example,dc=dk " "280001-5b keeps lars0001"

# Unknown users.
run 67 ulogin-user delete --yes nobody1
stderr_has "^ulogin-user: cannot find user 'nobody1'\$" "unknown user is named"
run 67 ulogin-user delete --yes 'mads000*'
stderr_has "cannot find user 'mads000\*'" "a wildcard is not a username"
ldap_exists "$(people mads0001)"
ok $? "the wildcard deleted nobody"
run 67 ulogin-user delete --yes 'mads0001,ou=people'
ldap_exists "$(people mads0001)"
ok $? "a DN fragment deleted nobody"

# Several users, one unknown: partly done.
run 1 ulogin-user delete --yes nobody1 mads0001
stderr_has "cannot find user 'nobody1'" "the unknown one is reported"
ldap_exists "$(people mads0001)"
ok $((! $?)) "the known one is deleted"
is "$(classes_naming "$(people mads0001)")" "" "and removed from its class"

run 64 ulogin-user delete --yes
stderr_has "needs USER" "delete without USER is a usage error"

# The audit trail has every step.
grep -q '"action":"user.delete","target":"uid=soer0001,ou=people,dc=example,dc=dk","result":"ok"' "$AUDIT_LOG"
ok $? "audit log has user.delete of soer0001"
grep -q '"action":"class.remove-member","target":"cn=280001-0a,ou=classes,dc=example,dc=dk","result":"ok"' "$AUDIT_LOG"
ok $? "audit log has class.remove-member of 280001-0a"
grep -q '"action":"class.remove-member","target":"cn=280001-5b,ou=classes,dc=example,dc=dk","result":"ok"' "$AUDIT_LOG"
ok $? "audit log has class.remove-member of 280001-5b (the teacher)"
grep -q '"action":"user.delete","target":"uid=mads0001,' "$AUDIT_LOG"
ok $? "audit log has user.delete of mads0001"
grep -q 'fred0001' "$AUDIT_LOG"
ok $((! $?)) "the dry run wrote no audit line"

# If the server refuses to delete the entry, its class memberships stay.
ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null 2>&1 <<LDIF
dn: cn=child,$(people karl0001)
objectClass: organizationalRole
cn: child
LDIF
ok $? "ldapadd gives karl0001 an entry below it"
run 65 ulogin-user delete --yes karl0001
stderr_has "cannot delete user 'karl0001': it still has entries below it" \
	"the refusal is explained"
ldap_search "ou=classes,$ULOGIN_BASE" "(member=$(people karl0001))" dn |
	grep -q '^dn: cn=280001-5b'
ok $? "karl0001 is still a member of 280001-5b"

done_testing

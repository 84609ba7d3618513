#!/bin/sh
# ulogin-user admin: the administrator right of an institution, granted,
# listed and revoked by its administrators -- to its teachers and staff
# only, never from the last one without --force -- and refused by slapd
# for anybody else's ldapmodify.  The policy link follows the right.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
S=$_sandbox
B=$ULOGIN_BASE
cfg2=$TEST_TMP/admins.yaml
run 0 ulogin-policy apply -q

as kirs0001
run 0 ulogin-user admin list -o tsv
stdout_is "username	name	admin_of
kirs0001	Kirsten Brandt	280001" "an administrator lists the administrators she may see"
run 0 ulogin-user admin grant lars0001 --institution 280001
stderr_has "'lars0001' is now an administrator of '280001'" "grant says what it did"
is "$(ldap_attr "$(people lars0001)" uloginAdminOf)" 280001 "slapd holds the right"
run 0 ulogin-user admin list --institution 280001 -o json
is "$(jq -r '[.[].username] | join(",")' "$OUT")" "kirs0001,lars0001" "now two of them"
run 0 ulogin-user admin grant lars0001 --institution 280001
stderr_has "an administrator of '280001' already" "granting again is no error"
run 0 ulogin-user show lars0001 -o json
is "$(jq -r '.admin_of | join(",")' "$OUT")" 280001 "ulogin-user show lists the right"

run 65 ulogin-user admin grant soer0001 --institution 280001
stderr_has "'soer0001' is neither a teacher nor other staff" "a pupil never gets it"
stderr_has "^hint: the administrator right goes to teachers and other staff only$" \
	"and the hint says so"
run 77 ulogin-user admin grant henr0001 --institution 280002
stderr_has "you are not an administrator of institution '280002'" \
	"an administrator of 280001 cannot grant 280002's right"
run 77 ulogin-user admin grant henr0001 --institution 280001
stderr_has "user 'henr0001' is not one you may see or change" \
	"nor give 280001's right to someone of 280002"
run 64 ulogin-user admin grant lars0001
stderr_has "needs one --institution NUMBER" "grant needs --institution"
run 64 ulogin-user admin frob lars0001 --institution 280001
stderr_has "unknown admin command 'frob'" "an unknown admin command"
run 64 ulogin-user admin list lars0001
stderr_has "takes no USER" "list takes no user"
run 64 ulogin-user admin grant lars0001 --institution 280001 --force
stderr_has "--force goes with 'admin revoke'" "--force is for revoke"

# What an administrator adds: pupils and parents, under names nobody has,
# also at schools she cannot see.
run 0 ulogin-user add --given-name Ella --surname Holm --role student \
	--institution 280001 -o tsv --passwords "$TEST_TMP/initial.csv"
stdout_is "username	name	dn
ella0002	Ella Holm	$(people ella0002)" \
	"a made username skips ella0001 of 280002, which she cannot see"
is "$(dm_attr "$(people ella0001)" uloginInstitution)" 280002 \
	"ella0001 of 280002 is untouched"
run 77 ulogin-user add --given-name Tina --surname Berg --role teacher \
	--institution 280001 --passwords "$TEST_TMP/initial.csv"
stderr_is "ulogin-user: cannot give the role 'teacher' to 'tina0001': administrators give and take student and parent only
hint: teachers and staff come from the import of their institution, support staff from the directory manager" \
	"an administrator cannot add a teacher, and is told where teachers come from"
is "$(dm_attr "$(people tina0001)" uid)" "" "no entry was made"
run 77 ulogin-user modify mett0001 --remove role=teacher
stderr_has "cannot take the role 'teacher' from 'mett0001'" "nor take a teacher's role"
run 77 ulogin-user modify soer0001 --set role=support
stderr_has "cannot give the role 'support' to 'soer0001'" "nor make a pupil support staff"
is "$(ldap_attr "$(people soer0001)" uloginRole)" student "the pupil is still a student"
run 0 ulogin-user modify soer0001 --add role=parent -q
is "$(ldap_attr "$(people soer0001)" uloginRole | sort | tr '\n' ' ')" "parent student " \
	"but she gives the role parent"

# A teacher (no right) is refused by the program and by slapd.
as mett0001
run 77 ulogin-user admin grant birg0001 --institution 280001
stderr_has "you are not an administrator of institution '280001'" "a teacher cannot grant"
printf 'dn: %s\nchangetype: modify\nadd: uloginAdminOf\nuloginAdminOf: 280001\n' \
	"$(people mett0001)" >"$TEST_TMP/self.ldif"
run 50 ldapmodify_as mett0001 "$TEST_TMP/self.ldif"
stderr_has 'Insufficient access' "nor give herself the right with ldapmodify (slapd)"
is "$(ldap_attr "$(people mett0001)" uloginAdminOf)" "" "she has no right"

# Revoking, and the last administrator.
as lars0001
run 0 ulogin-user admin revoke kirs0001 --institution 280001
stderr_has "'kirs0001' is no longer an administrator of '280001'" \
	"an administrator revokes another's right"
is "$(ldap_attr "$(people kirs0001)" uloginAdminOf)" "" "slapd no longer holds it"
run 65 ulogin-user admin revoke lars0001 --institution 280001
stderr_has "'lars0001' is the last administrator of '280001'" "not from the last one"
stderr_has "grant the right to someone else first, or give --force" "the hint"
is "$(ldap_attr "$(people lars0001)" uloginAdminOf)" 280001 "the right stays"
run 0 ulogin-user admin revoke lars0001 --institution 280001 --force
is "$(ldap_attr "$(people lars0001)" uloginAdminOf)" "" "--force takes it from the last one"
run 77 ulogin-user admin grant lars0001 --institution 280001
ok $? "without the right, lars0001 cannot give it back to himself"

# The policy follows the right: admins get the config's admin policy.
as_manager
sed 's/^  admin: staff$/  admin: gymnasium/' "$ULOGIN_CONFIG" >"$cfg2"
chmod 600 "$cfg2"
run 0 ulogin-user -c "$cfg2" admin grant lars0001 --institution 280001 -q
is "$(ldap_attr "$(people lars0001)" pwdPolicySubentry)" \
	"cn=gymnasium,ou=policies,$B" "granting links the administrators' policy in the same write"
run 0 ulogin-user -c "$cfg2" admin revoke lars0001 --institution 280001 --force -q
is "$(ldap_attr "$(people lars0001)" pwdPolicySubentry)" \
	"cn=staff,ou=policies,$B" "revoking links the teacher's policy again"
is "$(jq -r 'select(.action == "admin.grant" or .action == "admin.revoke") | .action' "$AUDIT_LOG" | sort | uniq -c | awk '{ print $1 $2 }' | tr '\n' ' ')" \
	"2admin.grant 3admin.revoke " "every grant and revoke is in the audit trail"

done_testing

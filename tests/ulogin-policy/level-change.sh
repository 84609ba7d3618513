#!/bin/sh
# A pupil who moves up a level gets the new level's policy and 30 days to
# change password; `apply` forces the change once the deadline has passed,
# and forgets the deadline once it was met.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

# Before the policies are in the directory a grade still changes, but no
# link to a missing policy is ever written.
run 0 ulogin-user modify astr0001 --set grade=4
stderr_has "policy 'mellemtrin' of 'astr0001' is not in the directory" \
	"the missing policy is named"
is "$(ldap_attr "$(people astr0001)" uloginGrade)" "4" "the grade changed"
is "$(ldap_attr "$(people astr0001)" pwdPolicySubentry)" "" "no dangling link"
is "$(ldap_attr "$(people astr0001)" uloginChangeBy)" "" "no deadline"

run 0 ulogin-policy apply -q
dn=$(people will0001)
is "$(ldap_attr "$dn" pwdPolicySubentry)" "cn=pictures,ou=policies,$ULOGIN_BASE" \
	"grade 3: the picture policy"

# Same level (3 -> 2): no new policy, no deadline.
run 0 ulogin-user modify will0001 --set grade=2 -q
is "$(ldap_attr "$dn" pwdPolicySubentry)" "cn=pictures,ou=policies,$ULOGIN_BASE" \
	"grade 2: still the picture policy"
is "$(ldap_attr "$dn" uloginChangeBy)" "" "no deadline within a level"

# Up a level (-> 4, mellemtrin): new policy, deadline 30 days out.
before=$(date -u +%s)
run 0 ulogin-user modify will0001 --set grade=4 -q
is "$(ldap_attr "$dn" uloginLevel)" "mellemtrin" "grade 4 is mellemtrin"
is "$(ldap_attr "$dn" pwdPolicySubentry)" "cn=mellemtrin,ou=policies,$ULOGIN_BASE" \
	"the link points at the new level's policy"
by=$(ldap_attr "$dn" uloginChangeBy)
by_s=$(date -u -d "$(echo "$by" | sed -E 's/^(....)(..)(..)(..)(..)(..)Z$/\1-\2-\3 \4:\5:\6/')" +%s)
days=$(( (by_s - before + 60) / 86400 ))
is "$days" 30 "the change-by deadline is 30 days out ($by)"
run 0 ulogin-user show will0001 -o json
grep -q '"change_by": "20' "$OUT"
ok $? "show reports the deadline"

# Before the deadline, apply leaves it alone.
run 0 ulogin-policy apply -o tsv
stdout_lacks '^user	will0001	' "apply before the deadline changes nothing for will0001"

# The deadline passes without a new password: apply forces the change.
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null 2>&1 <<LDIF
dn: $dn
changetype: modify
replace: uloginChangeBy
uloginChangeBy: 20260101000000Z
LDIF
ok $? "ldapmodify moves the deadline into the past"
run 0 ulogin-policy apply -o tsv
stdout_has '^user	will0001	must change now' "apply reports the forced change"
is "$(ldap_attr "$dn" pwdReset)" "TRUE" "the server now requires a new password"
is "$(ldap_attr "$dn" uloginChangeBy)" "" "the deadline is cleared"
run 0 ulogin-user show will0001 -o tsv
stdout_has '^state	must-change$' "show: must-change"

# A deadline that was met (password changed after the level change) is
# simply forgotten.
run 0 ulogin-user modify emma0001 --set grade=4 -q
edn=$(people emma0001)
ldappasswd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-s 'Sommer-Hus-2026x' "$edn" >/dev/null 2>&1
ok $? "emma0001 gets a new password after moving up"
run 0 ulogin-policy apply -o tsv
stdout_has '^user	emma0001	deadline met' "apply reports the deadline as met"
is "$(ldap_attr "$edn" uloginChangeBy)" "" "the met deadline is cleared"

# An override keeps its policy through a level change: no deadline.
run 0 ulogin-policy set osca0001 pictures -q
run 0 ulogin-user modify osca0001 --set grade=7 -q
is "$(ldap_attr "$(people osca0001)" pwdPolicySubentry)" \
	"cn=pictures,ou=policies,$ULOGIN_BASE" "the override still applies"
is "$(ldap_attr "$(people osca0001)" uloginChangeBy)" "" \
	"no deadline when the policy does not change"

done_testing

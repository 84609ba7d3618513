#!/bin/sh
# ulogin-policy effective, set, clear: which policy applies to a user and
# why -- an administrator's override, the level from the grade, the role,
# the default -- and an override never links to a policy that is not in
# the directory.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

policies=ou=policies,$ULOGIN_BASE
pdn() { printf 'cn=%s,%s' "$1" "$policies"; }
link() { ldap_attr "$(people "$1")" pwdPolicySubentry; }
field() {	# field NAME: a value of the record effective -o tsv printed
	awk -F '\t' -v k="$1" '$1 == k { print $2 }' "$OUT"
}
audit_lines() {
	cat "$AUDIT_LOG" 2>/dev/null | grep -c .
}
entry_csn() { ldap_attr "$(people "$1")" entryCSN; }
rootdn_add() {	# rootdn_add < LDIF
	ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
}

# A pupil in upper secondary (grade g2, no uloginLevel stored: the level
# must follow from the grade) and a user with no role and no grade.
rootdn_add <<EOF
dn: $(people gymn0001)
objectClass: inetOrgPerson
objectClass: uloginAccount
uid: gymn0001
cn: Gustav Ymer
givenName: Gustav
sn: Ymer
uloginRole: student
uloginInstitution: 280001
uloginGrade: g2

dn: $(people gaes0001)
objectClass: inetOrgPerson
objectClass: uloginAccount
uid: gaes0001
cn: Gæst Besøgende
givenName: Gæst
sn: Besøgende
uloginInstitution: 280001
EOF
ok $? "ldapadd: gymn0001 (student, grade g2) and gaes0001 (no role, no grade)"
run 0 ulogin-policy apply -q

# effective USER: policy, source, reason, link.
effective() {	# effective USER POLICY SOURCE REASON-REGEX
	run 0 ulogin-policy effective "$1" -o tsv
	is "$(field username)" "$1" "effective $1: the username"
	is "$(field policy)" "$2" "effective $1: policy $2"
	is "$(field source)" "$3" "effective $1: because of the $3"
	field reason | grep -Eq -- "$4"
	ok $? "effective $1: the reason says '$4' (got '$(field reason)')"
	is "$(field linked)" "$(pdn "$2")" "effective $1: linked to cn=$2"
	is "$(field link_current)" yes "effective $1: the link is up to date"
	is "$(link "$1")" "$(pdn "$2")" \
		"ldapsearch: $1's pwdPolicySubentry is cn=$2"
}

# (2) level, from the grade.
effective soer0001 pictures level 'indskoling.*grade 0'
effective magn0001 mellemtrin level 'mellemtrin.*grade 5'
effective noah0001 udskoling level 'udskoling.*grade 8'
effective gymn0001 gymnasium level 'gymnasium.*grade g2'
# (3) role.
effective mett0001 staff role 'teacher'
effective pete0001 parent role 'parent'
# (4) the default.
effective gaes0001 default default 'default'

# The expiry date: pwdChangedTime plus the linked policy's pwdMaxAge.
run 0 ulogin-policy effective mett0001 -o tsv
changed=$(ldap_attr "$(people mett0001)" pwdChangedTime)
age=$(ldap_attr "$(pdn staff)" pwdMaxAge)
t=$(echo "$changed" | sed -E 's/^(....)(..)(..)(..)(..)(..).*Z$/\1-\2-\3 \4:\5:\6/')
want=$(date -u -d "@$(($(date -u -d "$t" +%s) + age))" +%Y-%m-%dT%H:%M:%SZ)
is "$(field expires)" "$want" \
	"effective mett0001: expires = pwdChangedTime $changed + pwdMaxAge $age"
run 0 ulogin-policy effective soer0001 -o tsv
is "$(field expires)" "" "a picture password (no max age) never expires"

# (1) override: set, then clear.
lines=$(audit_lines)
run 0 ulogin-policy set magn0001 pictures
stderr_has "magn0001.*pictures" "set says what it did"
is "$(ldap_attr "$(people magn0001)" uloginPolicyOverride)" pictures \
	"ldapsearch: uloginPolicyOverride pictures"
is "$(link magn0001)" "$(pdn pictures)" \
	"ldapsearch: the link follows the override at once"
is "$(audit_lines)" "$((lines + 1))" "set writes one audit line"
grep -q "\"action\":\"policy.override\",\"target\":\"$(people magn0001)\",\"result\":\"ok\"" \
	"$AUDIT_LOG"
ok $? "the audit line is the override of magn0001"
effective magn0001 pictures override 'administrator'
run 0 ulogin-policy apply -o tsv
stdout_lacks 'magn0001' "apply keeps the override's link"
is "$(link magn0001)" "$(pdn pictures)" "after apply: still cn=pictures"

run 0 ulogin-policy clear magn0001
is "$(ldap_attr "$(people magn0001)" uloginPolicyOverride)" "" \
	"ldapsearch: clear removes uloginPolicyOverride"
is "$(link magn0001)" "$(pdn mellemtrin)" \
	"ldapsearch: clear puts the level's link back"
effective magn0001 mellemtrin level 'mellemtrin.*grade 5'
run 0 ulogin-policy clear magn0001
stdout_empty "clear without an override changes nothing and prints nothing"

# An override outranks the role too, and the role outranks the default.
run 0 ulogin-policy set mett0001 udskoling
effective mett0001 udskoling override 'administrator'
run 0 ulogin-policy clear mett0001
effective mett0001 staff role 'teacher'

# set with a policy that is not in the directory: 67, nothing written.
# "gammel" is defined in this config but was never applied.
cp "$ULOGIN_CONFIG" "$TEST_TMP/gammel.yaml"
sed -i 's/^policies:$/policies:\n  gammel:\n    min_length: 6/' \
	"$TEST_TMP/gammel.yaml"
grep -q '^  gammel:$' "$TEST_TMP/gammel.yaml"
ok $? "a config with a policy 'gammel' that is not in the directory"
csn=$(entry_csn magn0001)
lines=$(audit_lines)
run 67 ulogin-policy set magn0001 gammel -c "$TEST_TMP/gammel.yaml"
stderr_has "cannot find policy 'gammel'" "set names the missing policy"
run 67 ulogin-policy set magn0001 nosuchpolicy
stderr_has "'nosuchpolicy'" "set names a policy defined nowhere"
is "$(ldap_attr "$(people magn0001)" uloginPolicyOverride)" "" \
	"ldapsearch: no uloginPolicyOverride was written"
is "$(link magn0001)" "$(pdn mellemtrin)" "ldapsearch: the link is unchanged"
is "$(entry_csn magn0001)" "$csn" "ldapsearch: magn0001 was not modified at all"
is "$(audit_lines)" "$lines" "no audit line for a refused set"
ldap_exists "$(pdn gammel)"
ok $((! $?)) "set did not create the policy either"

# The policy name is a name, not a case-insensitive DN fragment: after
# 'set USER PICTURES' (accepted, as the entry cn=PICTURES matches
# cn=pictures) the user's policy must still work everywhere.
run 0 ulogin-policy set karl0001 PICTURES
run 0 ulogin-policy effective karl0001 -o tsv
is "$(field link_current)" yes "effective karl0001 after set PICTURES: link up to date"
_last_cmd="printf '%s\\n' 'sol hest bil træ' | ulogin-policy check --user karl0001"
printf '%s\n' 'sol hest bil træ' | ulogin-policy check --user karl0001 \
	>"$OUT" 2>"$ERR"
rc=$?
is "$rc" 0 "check --user karl0001 after set PICTURES uses the picture policy"
run 0 ulogin-policy apply -o tsv
! grep -q 'karl0001' "$ERR"
ok $? "apply after set PICTURES does not call karl0001's policy missing"
run 0 ulogin-policy clear karl0001

# Unknown users: 67 for every command, with the username.
for cmd in effective clear; do
	run 67 ulogin-policy "$cmd" nobo0001
	stderr_has "cannot find user 'nobo0001'" "$cmd names the unknown user"
done
run 67 ulogin-policy set nobo0001 pictures
stderr_has "cannot find user 'nobo0001'" "set names the unknown user"
! grep -q "ulogin-policy find" "$ERR"
ok $? "the hint does not suggest 'ulogin-policy find', which does not exist"
run 64 ulogin-policy find --name x
ldap_exists "$(people nobo0001)"
ok $((! $?)) "no user nobo0001 was created"

# Usage errors.
run 64 ulogin-policy effective
run 64 ulogin-policy set magn0001
run 64 ulogin-policy clear

done_testing

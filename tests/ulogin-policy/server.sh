#!/bin/sh
# What the server itself enforces once 'apply' has run: picture names,
# no crash on hostile input, overrides only to the config's policies,
# the strictest role first.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
[ -f "$top_builddir/module/.libs/ulogin_check.so" ] ||
	skip_all "the check module was not built"

run 0 ulogin-policy apply -q
bind_ok() { ldapwhoami -x -H "$ULOGIN_URI" -D "$(people "$1")" -w "$2" >/dev/null 2>&1; }
self_passwd() {	# self_passwd USER OLD NEW
	ldappasswd -x -H "$ULOGIN_URI" -D "$(people "$1")" -w "$2" -s "$3" \
		>"$OUT" 2>"$ERR"
}

# A pupil on the picture policy: slapd checks the names, not just words.
ldappasswd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-s 'sol hus bil kat' "$(people soer0001)" >/dev/null 2>&1
ok $? "the rootdn gives soer0001 a picture password"
self_passwd soer0001 'sol hus bil kat' 'a a a a'
ok $((! $?)) "slapd refuses four words that are not pictures"
grep -q "Word 1 is not the name of one of the pictures" "$OUT"
ok $? "with the engine's sentence"
! grep -q "'a'" "$OUT"
ok $? "which does not quote any part of the password"
! grep -q "a a a a" "$_sandbox/slapd.log"
ok $? "nor does slapd's log"
self_passwd soer0001 'sol hus bil kat' 'ko ur træ fly'
ok $? "four real pictures are accepted"
bind_ok soer0001 'ko ur træ fly'
ok $? "and log in"

# Hostile input: a forbidden character repeated in the set and thousands
# of times in the password must not hurt slapd.
cfg=$TEST_TMP/hostile.yaml
sed 's/^    forbid: "@%&"$/    forbid: "@@@@@@@@%\&"/' "$ULOGIN_CONFIG" >"$cfg"
chmod 600 "$cfg"
grep -q 'forbid: "@@@@@@@@%&"' "$cfg"
ok $? "the hostile config repeats @ in forbid"
run 0 ulogin-policy -c "$cfg" apply -q
ldap_attr "cn=staff,ou=policies,$ULOGIN_BASE" pwdCheckModuleArg |
	grep -q 'forbid=%40%40%40%40%40%40%40%40%25%26'
ok $? "the server's staff policy carries the repeated @"
long=$(printf '%03000d' 0 | tr 0 @)
self_passwd mett0001 'Teach3r-Bakke1' "$long"
ok $((! $?)) "a password of 3000 forbidden characters is refused"
grep -q 'Do not use these characters' "$OUT"
ok $? "with the forbidden-characters sentence"
bind_ok mett0001 'Teach3r-Bakke1'
ok $? "slapd is still running and the old password still works"

# Overrides only name the config's policies (those have lockout on and
# the check module): a hand-made entry without lockout is refused.
ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null 2>&1 <<LDIF
dn: cn=legacy,ou=policies,$ULOGIN_BASE
objectClass: device
objectClass: pwdPolicy
cn: legacy
pwdAttribute: userPassword
pwdLockout: FALSE
LDIF
ok $? "ldapadd makes a policy entry outside the config"
run 67 ulogin-policy set emma0001 legacy
stderr_has "cannot use policy 'legacy': it is not in the config" \
	"set refuses a policy that is not configured"
is "$(ldap_attr "$(people emma0001)" uloginPolicyOverride)" "" "nothing was written"
run 0 ulogin-policy set emma0001 PICTURES -q
is "$(ldap_attr "$(people emma0001)" uloginPolicyOverride)" "pictures" \
	"a configured name in other case is stored as configured"

# apply leaves the hand-made entry's structural class alone and goes on.
run 0 ulogin-policy apply -q

# Several roles: the one with most at stake decides (the administrator
# right before staff before teacher before parent).  The right is
# uloginAdminOf, not a role.
cfg2=$TEST_TMP/roles.yaml
sed 's/^  admin: staff$/  admin: gymnasium/' "$ULOGIN_CONFIG" >"$cfg2"
chmod 600 "$cfg2"
run 0 ulogin-policy -c "$cfg2" effective kirs0001 -o tsv
stdout_has '^policy	gymnasium$' "the right + staff: the administrators' policy"
stdout_has '^reason	the administrator right$' "and says so"
run 0 ulogin-policy -c "$cfg2" effective lars0001 -o tsv
stdout_has '^reason	role teacher$' "a teacher without the right: the teachers' policy"

done_testing

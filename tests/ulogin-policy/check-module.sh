#!/bin/sh
# The ppolicy check module (module/ulogin_check.so): slapd itself refuses a
# weak password with the rule engine's sentences, whichever client sets it.
. "$top_srcdir/tests/lib.sh"

module=$top_builddir/module/.libs/ulogin_check.so
[ -f "$module" ] || skip_all "the check module was not built ($module)"
sandbox_start --example

policies=ou=policies,$ULOGIN_BASE
teacher=$(people mett0001)	# Mette Holm, password Teach3r-Bakke1
admin=$(people kirs0001)	# administrator of institution 280001
student=$(people soer0001)	# a student of 280001, no password yet

rootdn_modify() {	# rootdn_modify LDIF-FILE
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" -f "$1" >/dev/null 2>&1
}

# OpenLDAP 2.5 loads the module each policy names in pwdCheckModule; 2.6
# ignores that attribute (it is obsolete there) and loads the one module
# of the overlay's olcPPolicyCheckModule, which a policy switches on with
# pwdUseCheckModule.  (The 2.6 branch is written from slapo-ppolicy(5)
# and has not run here: the test machine has 2.5.)
slapd_version=$( (${ULOGIN_SANDBOX_SLAPD:-/usr/sbin/slapd} -VV 2>&1) |
	sed -n 's/.*slapd \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
case $slapd_version in
2.5) use_module="pwdCheckModule: $module" ;;
2.6)
	use_module="pwdUseCheckModule: TRUE"
	cat >"$TEST_TMP/overlay.ldif" <<EOF
dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
changetype: modify
replace: olcPPolicyCheckModule
olcPPolicyCheckModule: $module
EOF
	ldapmodify -Y EXTERNAL -H "$ULOGIN_LDAPI" -f "$TEST_TMP/overlay.ldif" \
		>/dev/null 2>&1 ||
		skip_all "cannot set olcPPolicyCheckModule on slapd 2.6"
	;;
*) skip_all "slapd ${slapd_version:-of an unknown version} is not 2.5 or 2.6" ;;
esac

# Policies that name the module (pwdCheckQuality 2: a password the module
# cannot check is refused), the rules in the engine's own words.  No
# pwdMinLength: ppolicy would count bytes and answer before the module.
policy() {	# policy NAME RULES
	cat <<EOF
dn: cn=$1,$policies
changetype: add
objectClass: organizationalRole
objectClass: pwdPolicy
objectClass: pwdPolicyChecker
cn: $1
pwdAttribute: userPassword
pwdAllowUserChange: TRUE
pwdMustChange: TRUE
pwdCheckQuality: 2
$use_module
pwdCheckModuleArg: $2

EOF
}
link() {	# link USER-DN POLICY
	printf 'dn: %s\nchangetype: modify\nreplace: pwdPolicySubentry\npwdPolicySubentry: cn=%s,%s\n\n' \
		"$1" "$2" "$policies"
}
{
	policy strict 'minlen=10 classes=3 forbid=%40%25%26 latin nouser nonames'
	policy pictures 'pictures=4'
	policy broken 'minlen=ten'
	link "$teacher" strict
	link "$student" strict
} >"$TEST_TMP/policies.ldif"
rootdn_modify "$TEST_TMP/policies.ldif"
ok $? "the policies are added and mett0001 and soer0001 linked to cn=strict"
is "$(ldap_attr "cn=strict,$policies" pwdCheckQuality)" 2 \
	"cn=strict has pwdCheckQuality 2"

# The teacher changes her own password with OpenLDAP's ldappasswd.  On a
# refusal it exits 1 and prints slapd's answer on stdout.
passwd_self() {	# passwd_self EXIT OLD NEW
	run "$1" ldappasswd -x -H "$ULOGIN_URI" -D "$teacher" -w "$2" -s "$3"
}
old=Teach3r-Bakke1

passwd_self 1 "$old" 'Ab1-x'
stdout_has '^Result: Constraint violation \(19\)$' "a short password is refused"
stdout_has '^Additional info: Use at least 10 characters \(this one has 5\)\.$' \
	"the refusal is the engine's sentence about length"

passwd_self 1 "$old" 'Sø-Granit-2026'
stdout_has '^Additional info: Use only the letters a-z and A-Z, digits and ordinary symbols: no letters such as æ, ø and å, and no other alphabets\.$' \
	"a password with ø is refused with the Latin-only sentence"
! grep -q 'Sø-Granit' "$ULOGIN_SANDBOX/slapd.log"
ok $? "the refused password does not reach slapd's log"
passwd_self 1 "$old" 'Blåbær-Ulv-2026'
stdout_has 'no letters such as æ, ø and å' "å and æ are refused too"

passwd_self 1 "$old" 'Granit@Ulv-2026'
stdout_has '^Additional info: Do not use these characters: @ % &\.$' \
	"a password with @ is refused"

passwd_self 1 "$old" 'Granit-Mett0001'
stdout_has '^Additional info: Do not put your username in the password\.$' \
	"a password containing the username is refused, in any case"

passwd_self 1 "$old" 'Granit-Holm-2026'
stdout_has '^Additional info: Do not put your name in the password\.$' \
	"a password containing the surname (sn) is refused"
passwd_self 1 "$old" 'METTE-granit-26'
stdout_has 'Do not put your name' "a password containing the given name is refused"
# Every value of givenName and sn counts, not only the first.
printf 'dn: %s\nchangetype: modify\nadd: givenName\ngivenName: Marianne\n' \
	"$teacher" >"$TEST_TMP/given.ldif"
rootdn_modify "$TEST_TMP/given.ldif"
ok $? "mett0001 gets a second given name"
passwd_self 1 "$old" 'Granit-Marianne-6'
stdout_has '^Additional info: Do not put your name in the password\.$' \
	"a password containing the second given name is refused, once"

# Everything wrong at once: every broken rule is listed, in one message.
passwd_self 1 "$old" 'holmø@'
for s in 'Use at least 10 characters \(this one has 6\)\.' \
	'Mix at least 3 of these: .* \(this one has 2\)\.' \
	'Do not use these characters: @ % &\.' \
	'no letters such as æ, ø and å' 'Do not put your name in the password\.'; do
	stdout_has "^Additional info: .*$s" "the message lists: $s"
done

ldapwhoami -x -H "$ULOGIN_URI" -D "$teacher" -w "$old" >/dev/null 2>&1
ok $? "after the refusals the old password still works"

# A good password is accepted, and works.
passwd_self 0 "$old" 'Granit-Ulv-2026'
run 0 ldapwhoami -x -H "$ULOGIN_URI" -D "$teacher" -w 'Granit-Ulv-2026'
stdout_is "dn:$teacher" "ldapwhoami works with the new password"
old=Granit-Ulv-2026

# A plain modify of userPassword by the user is checked the same way.
printf 'dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n' \
	"$teacher" 'kort' >"$TEST_TMP/weak.ldif"
run 19 ldapmodify -x -H "$ULOGIN_URI" -D "$teacher" -w "$old" \
	-f "$TEST_TMP/weak.ldif"
stderr_has 'Constraint violation \(19\)' "ldapmodify by the user: refused"
stderr_has 'additional info: Use at least 10 characters \(this one has 4\)\.' \
	"ldapmodify by the user: the engine's sentence"

# A service that writes a password without manage (the import, giving a
# first password to an account that has none) is checked against the
# student's entry: the username in the rule is the student's, not the
# service's.
passwd_student() {	# passwd_student EXIT NEW
	printf 'dn: %s\nchangetype: modify\nadd: userPassword\nuserPassword: %s\n' \
		"$student" "$2" >"$TEST_TMP/first.ldif"
	run "$1" ldapmodify -x -H "$ULOGIN_URI" \
		-D "cn=import,ou=services,$ULOGIN_BASE" -y "$_sandbox/import.pw" \
		-f "$TEST_TMP/first.ldif"
}
passwd_student 19 'Soer0001-Granit'
stderr_has 'additional info: Do not put your username in the password\.$' \
	"the import's first password for a student is checked"
passwd_student 19 'Granit-Nielsen-1'
stderr_has 'Do not put your name' "the student's surname is refused"
passwd_student 0 'Granit-Kirsten-1'
ldapwhoami -x -H "$ULOGIN_URI" -D "$student" -w 'Granit-Kirsten-1' \
	>/dev/null 2>&1
ok $? "the import sets a good password for the student"

# The login service's claim of a reset window (ulogin-user claim) is a
# password administrator's change, like an administrator's below: manage
# access, so the password is must-change (the tools make it from the
# rule engine; the module does not check it).  (Who may open and claim
# the window is the access matrix's business, tests/access/matrix.sh.)
printf 'dn: cn=reset,%s\nchangetype: add\nobjectClass: uloginResetWindow\nobjectClass: dynamicObject\ncn: reset\ndescription: claimed\n' \
	"$student" >"$TEST_TMP/window.ldif"
run 0 ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" -f "$TEST_TMP/window.ldif"
run 0 ldappasswd -x -H "$ULOGIN_URI" -D "cn=login,ou=services,$ULOGIN_BASE" \
	-y "$_sandbox/login.pw" -s 'Granit-Kirsten-2' "$student"
is "$(ldap_attr "$student" pwdReset)" "TRUE" "a claimed password is must-change"
run 0 ldapdelete -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" "cn=reset,$student"

# An institution administrator has manage access to a student's password:
# slapd then treats the change as a password administrator's, which
# ppolicy does not check (the tools do) but leaves must-change, so the
# password works for one login only.
run 0 ldappasswd -x -H "$ULOGIN_URI" -D "$admin" -w Adm1n-Bakke2026 \
	-s 'kort' "$student"
is "$(ldap_attr "$student" pwdReset)" "TRUE" \
	"the administrator's password for the student is must-change"

# From here the student changes their own password (checked, as every
# change but a password administrator's).
current=kort
passwd_self() {	# passwd_self EXIT NEW
	run "$1" ldappasswd -x -H "$ULOGIN_URI" -D "$student" -w "$current" \
		-a "$current" -s "$2"
	[ "$rc" -ne 0 ] || current=$2
}

# Picture passwords: the module has no picture set, so it checks the
# number of words and that they are words of letters; whether they are
# pictures from the set is for the tools to check.
printf 'dn: %s\nchangetype: modify\nreplace: pwdPolicySubentry\npwdPolicySubentry: cn=pictures,%s\n' \
	"$student" "$policies" >"$TEST_TMP/pictures.ldif"
rootdn_modify "$TEST_TMP/pictures.ldif"
ok $? "soer0001 is linked to cn=pictures"
passwd_self 1 'sol hest'
stdout_has '^Additional info: Choose exactly 4 pictures \(you chose 2\)\.$' \
	"two pictures out of four are refused"
passwd_self 1 'sol hest bil 7'
stdout_has '^Additional info: Write the names of the pictures, in letters, with a space between them\.$' \
	"a word that cannot be a picture's name is refused"
passwd_self 0 'sol hest bil træ'
ldapwhoami -x -H "$ULOGIN_URI" -D "$student" -w 'sol hest bil træ' \
	>/dev/null 2>&1
ok $? "four picture names are accepted"

# A policy whose rules cannot be parsed refuses every password and says
# why, for the administrator.
printf 'dn: %s\nchangetype: modify\nreplace: pwdPolicySubentry\npwdPolicySubentry: cn=broken,%s\n' \
	"$student" "$policies" >"$TEST_TMP/broken.ldif"
rootdn_modify "$TEST_TMP/broken.ldif"
passwd_self 1 'Granit-Ulv-2027'
stdout_has "^Additional info: The password policy's rules cannot be read \(pwdCheckModuleArg: expected a number\): ask an administrator\.$" \
	"a broken pwdCheckModuleArg refuses, naming the problem"

# The rootdn is not checked: OpenLDAP 2.5's ppolicy skips the quality
# check for anyone with manage access to the password attribute (the
# rootdn always has it) -- ppolicy_add's "!is_pwdadmin" test and
# ppolicy_modify's "if (is_pwdadmin) goto do_modify".  Imports and repairs
# by the directory manager can therefore set any password; the tools must
# check first.
run 0 ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" -f "$TEST_TMP/weak.ldif"
ldapwhoami -x -H "$ULOGIN_URI" -D "$teacher" -w kort >/dev/null 2>&1
ok $? "the rootdn's plain modify with a weak password is not checked"

done_testing

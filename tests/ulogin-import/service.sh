#!/bin/sh
# The import as it runs every night: bound as its service account
# (cn=import,ou=services), not the directory manager.  slapd lets it write
# people, classes and its sources, and match national ID HMACs without
# reading them; a rerun still changes nothing, a changed national ID is
# still written, leavers are blocked, and a role it may not give (support)
# is a bad row.  New users are linked to their policy.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
allow_sources bakke
S=$_sandbox
B=$ULOGIN_BASE
roster=$TEST_TMP/roster.csv
cp "$top_srcdir/data/example-roster.csv" "$roster"
hmac() {	# hmac TEXT: hex HMAC-SHA256 of TEXT under the sandbox's key,
	# whose text (less its final newline) is the key
	printf %s "$1" | openssl dgst -sha256 -mac HMAC \
		-macopt "key:$(cat "$S/import.key")" | sed 's/^.*= *//'
}
import_search() {	# what the import account itself reads of an entry
	ldapsearch -x -LLL -o ldif-wrap=no -H "$ULOGIN_URI" \
		-D "cn=import,ou=services,$B" -y "$S/import.pw" -s base -b "$1" \
		'(objectClass=*)' "$2"
}

run 0 ulogin-policy apply -q
as import
is "$ULOGIN_BIND_DN" "cn=import,ou=services,$B" "the import binds as its service account"

run 0 ulogin-import run --no-initial-passwords "$roster" --source bakke
stderr_has " 8 added," "the first run adds the roster's users"
ida=$(people ida0001)
is "$(dm_attr "$ida" uloginNationalIdHmac)" "$(hmac 1503164012)" \
	"the directory manager sees the HMAC the import wrote"
import_search "$ida" uloginNationalIdHmac >"$OUT"
! grep -qi '^uloginNationalIdHmac' "$OUT"
ok $? "the import itself cannot read it back"
is "$(dm_attr "$ida" pwdPolicySubentry)" "cn=mellemtrin,ou=policies,$B" \
	"a new grade-4 pupil is linked to mellemtrin"

# Again: nothing to do -- the HMACs are matched, not read.
lines=$(grep -c . "$AUDIT_LOG")
run 0 ulogin-import run --no-initial-passwords "$roster" --source bakke
stderr_has " 0 changed, .* 8 unchanged," "the same roster again: all 8 unchanged"
is "$(grep -c . "$AUDIT_LOG")" "$((lines + 2))" \
	"only the lock and the end of the run are written"

# A corrected national ID is written.
sed -i 's/^BAK-1001,\(.*\),150316-4012,/BAK-1001,\1,150316-4020,/' "$roster"
run 0 ulogin-import run --no-initial-passwords "$roster" --source bakke
stderr_has " 1 changed," "one user changed"
is "$(dm_attr "$ida" uloginNationalIdHmac)" "$(hmac 1503164020)" \
	"the new HMAC is stored"

# Roles an import may give; one it may not.
printf 'BAK-1099,Sigurd,Hjælp,support,280001,,,,,,,\n' >>"$roster"
run 1 ulogin-import run --no-initial-passwords "$roster" --source bakke
stderr_has "key=BAK-1099: an import never gives the role 'support' (the directory manager gives it)$" "the role support is a bad row"
ldap_exists "$(people sigu0001)"
ok $((! $?)) "and no such user was added"

# What an import may not do, even with ldapmodify as its account.
printf 'dn: %s\nchangetype: modify\nadd: uloginRole\nuloginRole: support\n' \
	"$ida" >"$TEST_TMP/support.ldif"
run 50 ldapmodify -x -H "$ULOGIN_URI" -D "cn=import,ou=services,$B" \
	-y "$S/import.pw" -f "$TEST_TMP/support.ldif"
printf 'dn: %s\nchangetype: modify\nadd: uloginAdminOf\nuloginAdminOf: 280001\n' \
	"$(people mett0001)" >"$TEST_TMP/admin.ldif"
run 50 ldapmodify -x -H "$ULOGIN_URI" -D "cn=import,ou=services,$B" \
	-y "$S/import.pw" -f "$TEST_TMP/admin.ldif"
printf 'dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: Chosen-By-Import1\n' \
	"$(people mett0001)" >"$TEST_TMP/pw.ldif"
run 50 ldapmodify -x -H "$ULOGIN_URI" -D "cn=import,ou=services,$B" \
	-y "$S/import.pw" -f "$TEST_TMP/pw.ldif"
ok $? "nor set the password of someone who has one"

# A leaver is blocked by the import account.
grep -v '^BAK-1002,' "$roster" | grep -v '^BAK-1099,' >"$TEST_TMP/less.csv"
run 0 ulogin-import run --no-initial-passwords "$TEST_TMP/less.csv" --source bakke --force
is "$(dm_attr "$(people noah0002)" pwdAccountLockedTime)" 000001010000Z \
	"the leaver is blocked"
is "$(dm_attr "$(people noah0002)" uloginBlockedBy)" "cn=import,ou=services,$B" \
	"by the import account"

done_testing

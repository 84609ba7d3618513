#!/bin/sh
# The access model and what is generated from it agree: the shipped access
# rules (data/ulogin-acl.ldif, and data/ulogin-accesslog-acl.ldif for
# slapd's access log) and the ACCESS table of ulogin(7) are what
# scripts/access-gen makes of data/access.model today ("make
# update-access" brings them up to date), the model is complete, and the
# generator handles another base DN and bad arguments.
. "$top_srcdir/tests/lib.sh"

gen="$top_srcdir/scripts/access-gen"

run 0 "$gen" acl
"$gen" acl | diff -u "$top_srcdir/data/ulogin-acl.ldif" - >"$TEST_TMP/acl.diff"
ok $? "data/ulogin-acl.ldif is what the model gives (make update-access)"
sed 's/^/#   /' "$TEST_TMP/acl.diff" | head -n 20

"$gen" logacl | diff -u "$top_srcdir/data/ulogin-accesslog-acl.ldif" - >"$TEST_TMP/logacl.diff"
ok $? "data/ulogin-accesslog-acl.ldif is what the model gives (make update-access)"
sed 's/^/#   /' "$TEST_TMP/logacl.diff" | head -n 20

"$gen" splice "$top_srcdir/man/ulogin.7" |
	diff -u "$top_srcdir/man/ulogin.7" - >"$TEST_TMP/man.diff"
ok $? "the ACCESS table of ulogin(7) is what the model gives (make update-access)"
sed 's/^/#   /' "$TEST_TMP/man.diff" | head -n 20

# Every name the rules use is defined (the generator stops otherwise),
# and nothing that looks like one is left over.
run 0 "$gen" acl
stdout_lacks '@[A-Za-z0-9_.-]+@' "no @NAME@ is left in the rules"
stdout_has '^olcAccess: \{0\}to ' "the rules are numbered from {0}"
stdout_has '^dn: olcDatabase=\{1\}mdb,cn=config$' "the rules are a change of the database entry"

# Another base: it is in every rule, escaped where it is a regex.
run 0 "$gen" acl --base dc=kommune-x.example,dc=dk --database 'olcDatabase={2}mdb,cn=config'
stdout_has '^dn: olcDatabase=\{2\}mdb,cn=config$' "--database names the entry changed"
stdout_has 'ou=people,dc=kommune-x\\.example,dc=dk\$' "--base is escaped inside a dn.regex"
stdout_has 'dn.one="ou=people,dc=kommune-x.example,dc=dk"' "--base is used as it is elsewhere"
stdout_lacks 'dc=example,dc=dk' "no rule names the example base any more"

# The access log's rules: their own database, the log's base, and the
# secrets first (nobody reads a password's hash from a logged change).
run 0 "$gen" logacl --log-base cn=log --database 'olcDatabase={3}mdb,cn=config' --base dc=kommune-x.example,dc=dk
stdout_has '^dn: olcDatabase=\{3\}mdb,cn=config$' "logacl: --database names the log's database"
stdout_has '^olcAccess: \{0\}to dn.subtree="cn=log" attrs=reqMod val.regex="\^\(userPassword\|pwdHistory\|uloginNationalIdHmac\)' \
	"logacl: the first rule hides the values of secrets"
stdout_has 'by dn.one="ou=people,dc=kommune-x.example,dc=dk" read' "logacl: --base is used for people"
stdout_lacks 'cn=accesslog|dc=example,dc=dk' "logacl: no rule names the example log or base"
stdout_lacks '@[A-Za-z0-9_.-]+@' "logacl: no @NAME@ is left in the rules"
run 64 "$gen" acl --log-base cn=log
stderr_has "--log-base goes with 'logacl'" "--log-base is logacl's"

# Every cell of the matrix has an expectation for every kind.
run 0 "$gen" matrix
kinds=$("$gen" kinds | wc -l)
ops=$(awk '/^\[ops\]/ { on = 1; next } /^\[/ { on = 0 } on && !/^#/ && NF { n++ } END { print n }' "$top_srcdir/data/access.model")
rows=$(awk '/^\[matrix\]/ { on = 1; next } /^\[/ { on = 0 } on && !/^#/ && NF { n++ } END { print n }' "$top_srcdir/data/access.model")
is "$rows" "$ops" "the matrix has a row for each of the $ops operations"
bad=$(awk '{ print $4 }' "$OUT" | tr '+' '\n' | sort -u |
	grep -vxE 'own|class|inst|inst-users|inst-pupils|inst-staff|staff|pupils|people|yes|-')
is "$bad" "" "every cell names known scopes"
is "$(awk '{ print $3 }' "$OUT" | sort -u | wc -l)" "$kinds" "every kind has a column"

# Bad arguments.
run 64 "$gen" acl --base
stderr_has "needs a DN" "--base without a DN is a usage error"
run 64 "$gen" frobnicate
stderr_has "unknown command 'frobnicate'" "an unknown command is named"
run 64 "$gen" acl --base 'dc=a"b'
stderr_has "must not hold quotes" "a base DN with a quote is refused"
run 0 "$gen" --help
stdout_has '^Usage: access-gen acl' "--help prints the usage"

done_testing

#!/bin/sh
# More users than one page (500): list and find page through all of them,
# also while the account state needs look-ups of policies and import
# sources on the same connection (slapd keeps one paged search per
# connection).
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

n=620
{
	i=1
	while [ "$i" -le "$n" ]; do
		u=$(printf 'bulk%04d' "$i")
		printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: uloginAccount\nuid: %s\ncn: Bulk %d\nsn: Bulk\ngivenName: B%d\nuloginRole: student\nuloginInstitution: 280001\nuloginSource: example\n\n' \
			"$u" "$ULOGIN_BASE" "$u" "$i" "$i"
		i=$((i + 1))
	done
	printf 'dn: cn=280001-9z,ou=classes,%s\nobjectClass: uloginClass\ncn: 280001-9z\nuloginInstitution: 280001\n' "$ULOGIN_BASE"
	i=1
	while [ "$i" -le "$n" ]; do
		printf 'member: uid=bulk%04d,ou=people,%s\n' "$i" "$ULOGIN_BASE"
		i=$((i + 1))
	done
	printf '\n'
} >"$TEST_TMP/bulk.ldif"
ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-f "$TEST_TMP/bulk.ldif" >/dev/null 2>&1
ok $? "ldapadd adds $n students and a class with all of them"

total=$(ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=uloginAccount)' dn |
	grep -c '^dn:')
for i in 1 2 3; do
	run 0 ulogin-user list -o tsv
	is "$(($(wc -l <"$OUT") - 1))" "$total" "list shows all $total users (run $i)"
done
run 0 ulogin-user find --institution 280001 -o tsv
is "$(grep -c '^bulk' "$OUT")" "$n" "find --institution pages through all $n"
run 0 ulogin-user find --class 280001-9z -o tsv
is "$(($(wc -l <"$OUT") - 1))" "$n" "find --class lists all $n members"
run 0 ulogin-user find --class 280001-9z --name B61 -o tsv
is "$(tail -n +2 "$OUT" | cut -f1 | tr '\n' ' ')" "bulk0061 bulk0610 bulk0611 bulk0612 bulk0613 bulk0614 bulk0615 bulk0616 bulk0617 bulk0618 bulk0619 " \
	"find --class with --name: both criteria"

done_testing

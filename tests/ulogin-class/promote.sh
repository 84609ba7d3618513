#!/bin/sh
# ulogin-class promote: the school-year rollover.  -n prints the plan and
# changes nothing (the directory is dumped before and after); the real
# run moves every class and its students a grade up, renames 5b to 6b,
# closes a class past the top grade, and gives students who reach a new
# level that level's policy and 30 days to change password -- which
# ldappasswd by the student then agrees with.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
S=$_sandbox
B=$ULOGIN_BASE
dump() {	# everything under the base, as the directory manager sees it
	ldapsearch -x -LLL -o ldif-wrap=no -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" -b "$B" '(objectClass=*)' '*' \
		pwdPolicySubentry memberOf | grep -v '^modifyTimestamp\|^modifiersName'
}

run 0 ulogin-policy apply -q
# A tenth-grade class, the top grade: it closes.
run 0 ulogin-class create 280001-10x --institution 280001 --grade 10 \
	--title 'Bakkeskolen, class 10x'
run 0 ulogin-user add tea0001 --given-name Tea --surname Top --role student \
	--institution 280001 --grade 10 -q --passwords "$TEST_TMP/initial.csv"
run 0 ulogin-class add 280001-10x tea0001 agne0001 -q
# A pupil put ahead by hand: grade 7 in class 5b.
run 0 ulogin-user add ada0001 --given-name Ada --surname Ahead --role student \
	--institution 280001 --grade 7 -q --passwords "$TEST_TMP/initial.csv"
run 0 ulogin-class add 280001-5b ada0001 -q

as kirs0001
dump >"$TEST_TMP/before"
run 0 ulogin-class promote -n --institution 280001
stdout_has "^- class 280001-10x \(grade 10: past the top grade, closed\)$" "the plan closes 10x"
stdout_has "^~ class 280001-8a -> 280001-9a \(grade 8 -> 9\)$" "and renames 8a to 9a"
stdout_has "^~ class 280001-0a -> 280001-1a \(grade 0 -> 1\)$" "and 0a to 1a"
stdout_has "^~ user astr0001 grade 3 -> 4, level indskoling -> mellemtrin$" \
	"a student reaching a new level is shown as one"
stdout_has "^~ user soer0002 grade 5 -> 6$" "a student staying at the level too"
stdout_lacks "^~ user tea0001 " "a student of the closed class only is not moved"
stdout_has "^= user ada0001 stays in grade 7 \(at or past the class's new grade 6\)$" \
	"a pupil ahead of her class is never moved down a grade"
stderr_has "would promote 5 classes and 24 students \(6 to a new level\); nothing changed \(dry run\)" \
	"-n says what it would do"
dump >"$TEST_TMP/after"
cmp -s "$TEST_TMP/before" "$TEST_TMP/after"
ok $? "promote -n changes nothing in the directory"

run 64 ulogin-class promote --institution 280001
stderr_has "refusing to go on without confirmation" "off a terminal it needs --yes"
run 0 ulogin-class promote --institution 280001 --yes
stderr_has "^ulogin-class: promoted 4 classes \(4 renamed\), closed 1, moved 24 students up a grade \(6 to a new level\)$" \
	"a one-line summary"
ldap_exists "$(class 280001-10x)"
ok $((! $?)) "the top class is closed"
ldap_exists "$(class 280001-8a)"
ok $((! $?)) "8a is gone ..."
is "$(ldap_attr "$(class 280001-9a)" uloginGrade)" 9 "... it is 9a, grade 9"
is "$(ldap_attr "$(class 280001-9a)" uloginClassName)" 9a "with the short name 9a"
is "$(ldap_attr "$(class 280001-9a)" description)" "Bakkeskolen, class 9a" "and the title follows"
is "$(ldap_attr "$(people noah0001)" memberOf)" "$(class 280001-9a)" \
	"slapd keeps the students' memberOf with the new name"
is "$(ldap_attr "$(people noah0001)" uloginGrade)" 9 "a student of 8a is grade 9"
is "$(ldap_attr "$(people ada0001)" uloginGrade)" 7 "the pupil ahead keeps grade 7"
is "$(ldap_attr "$(people agne0001)" uloginGrade)" 9 \
	"a student of 8a who was in 10x too moved with 8a"
is "$(ldap_attr "$(people tea0001)" uloginGrade)" 10 \
	"a student of the closed class keeps her grade (she leaves)"
# A level change: the new level's policy and a deadline, in the same write.
dn=$(people astr0001)
is "$(ldap_attr "$dn" uloginGrade)/$(ldap_attr "$dn" uloginLevel)" 4/mellemtrin \
	"astr0001 is grade 4, mellemtrin"
is "$(ldap_attr "$dn" pwdPolicySubentry)" "cn=mellemtrin,ou=policies,$B" \
	"linked to the mellemtrin policy"
deadline=$(ldap_attr "$dn" uloginChangeBy)
want=$(date -u -d '+30 days' +%Y%m%d)
is "${deadline%??????Z}" "$want" "and must change password within 30 days ($deadline)"
is "$(ldap_attr "$(people soer0002)" uloginChangeBy)" "" "no deadline when the level stays"
# The server agrees with the tools about the new policy.
dm_pw() {
	ldappasswd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
		-s "$2" "$(people "$1")" >/dev/null 2>&1
}
dm_pw astr0001 'sol hus bil kat'
printf 'sol hus bil kat' | ulogin-policy check --user astr0001 >"$OUT" 2>&1
is "$?" 65 "ulogin-policy check refuses pictures for a mellemtrin pupil"
ldappasswd -x -H "$ULOGIN_URI" -D "$dn" -w 'sol hus bil kat' -a 'sol hus bil kat' \
	-s 'hus bil kat sol' >"$OUT" 2>&1
[ $? -ne 0 ]
ok $? "and so does slapd, for the pupil's own change"
is "$(jq -r 'select(.action == "class.promote") | .operator' "$AUDIT_LOG" | sort -u)" \
	"$(people kirs0001)" "the promotion is in the audit trail, by kirs0001"

# A teacher may not promote.
as mett0001
run 77 ulogin-class promote --yes -q
ok $? "a teacher cannot promote her classes (slapd refuses)"
run 64 ulogin-class promote --grade 5
stderr_has "unrecognized option|unknown option" "promote has no --grade"

done_testing

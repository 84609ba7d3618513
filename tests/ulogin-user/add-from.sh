#!/bin/sh
# ulogin-user add --from FILE --passwords FILE: many users from a CSV
# file, each added the way one 'add' adds (checks, policy, initial
# password with pwdReset), bad rows reported with their line and
# skipped, exit 1 when any row failed.  No password handed out may be
# found in any file but the passwords file.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
B=$ULOGIN_BASE
run 0 ulogin-policy apply -q

HAND=$TEST_TMP/handout		# the passwords file, and nothing else
mkdir -m 700 "$HAND"
PF=$HAND/new.csv
password_of() { awk -F, -v u="$1" '$1 == u { p = $2 } END { print p }' "$PF"; }

as kirs0001
cat >"$TEST_TMP/new.csv" <<'EOF'
given_name,surname,role,institution,grade,mail,mobile
Ida,Holm,student,280001,5,,
Per,Holm,parent;student,280001,,per.holm@example.org,20 30 40 50
Bad,Mail,student,280001,,not-a-mail,
Ulf,Other,student,280002,3,,
Bad,Grade,student,280001,12,,
Tina,Berg,teacher,280001,,,
Bo,Lund,student,280001,0,,
EOF
run 1 ulogin-user add --from "$TEST_TMP/new.csv" --passwords "$PF" -o tsv
stdout_is "line	username	name	dn
2	ida0001	Ida Holm	$(people ida0001)
3	per0001	Per Holm	$(people per0001)
8	bo0001	Bo Lund	$(people bo0001)" "the users added, with their lines"
stderr_has "^$TEST_TMP/new.csv:4: not added: bad mail address 'not-a-mail'" \
	"a bad mail address is reported with its line"
stderr_has "cannot add users to institution '280002': you are not an administrator of it" \
	"another school's row is refused by the tool"
stderr_has "^$TEST_TMP/new.csv:5: not added \(see above\)$" "with its line"
stderr_has "^$TEST_TMP/new.csv:6: not added: bad grade '12'" "a bad grade"
stderr_has "cannot give the role 'teacher' to 'tina0001'" "a teacher: not an administrator's to add"
stderr_has "^$TEST_TMP/new.csv:7: not added \(see above\)$" "with its line"
stderr_has "^ulogin-user: 3 of 7 users added; their initial passwords are in '$PF'$" \
	"a summary"
stderr_has "^ulogin-user: 4 rows of '$TEST_TMP/new.csv' not added \(see above\)$" \
	"and the count of rows not added"
is "$(cut -d, -f1 "$PF" | tr '\n' ' ')" "username ida0001 per0001 bo0001 " \
	"the passwords file has the three users, after the header"
is "$(stat -c %a "$PF")" 600 "and is private (0600)"
is "$(ldap_attr "$(people per0001)" uloginRole | sort | tr '\n' ' ')" "parent student " \
	"several roles in a cell, separated by ';'"
is "$(ldap_attr "$(people per0001)" mobile)" "+4520304050" \
	"a mobile number normalised as the import does"
is "$(dm_attr "$(people bo0001)" pwdPolicySubentry)" "cn=pictures,ou=policies,$B" \
	"each user linked to their policy"
is "$(printf '%s\n' "$(password_of bo0001)" | wc -w | tr -d ' ')" 4 \
	"a grade-0 pupil's password is four pictures"
for u in ida0001 per0001 bo0001; do
	whoami_as "$u" "$(password_of "$u")" | grep -q 'Password must be changed'
	ok $? "$u's initial password binds, and must be changed"
done
for u in bad0001 ulf0001 tina0001; do
	ldap_exists "$(people "$u")"
	ok $((! $?)) "$u was not added"
done
is "$(grep -c '"action":"user.add","target":.*"result":"ok"' "$AUDIT_LOG")" 3 \
	"three audited adds"

# A file whose columns are separated by ';' separates values with ','; an
# add slapd refuses (the username is taken) voids its password line.
printf 'Given_Name;Surname;Role;Institution;Username\nAsta;Dahl;student,parent;280001;\nElla;Anden;student;280001;ella0001\n' \
	>"$TEST_TMP/semi.csv"
run 1 ulogin-user add --from "$TEST_TMP/semi.csv" --passwords "$PF" -q
is "$(ldap_attr "$(people asta0001)" uloginRole | sort | tr '\n' ' ')" "parent student " \
	"';' between columns, ',' between values"
stderr_has "cannot add user 'ella0001': the username is taken" "slapd refuses the taken username"
stderr_has "semi.csv:3: not added" "with its line"
is "$(tail -n 1 "$PF")" "ella0001,,not made: the username is taken" \
	"its password line was voided"
is "$(grep -c '^ella0001,' "$PF")" 2 "after it was on disk"

# Usage and bad files: nothing added.
run 64 ulogin-user add --from "$TEST_TMP/new.csv"
stderr_has "'add --from' needs --passwords FILE" "--from needs --passwords"
run 64 ulogin-user add --from "$TEST_TMP/new.csv" --passwords "$PF" \
	--given-name Ida --surname Holm
stderr_has "--from takes the users from the file" "and no user values of its own"
printf 'given_name,surname,role,institution,klasse\nA,B,student,280001,5a\n' \
	>"$TEST_TMP/unknown.csv"
run 65 ulogin-user add --from "$TEST_TMP/unknown.csv" --passwords "$PF"
stderr_has "unknown column 'klasse'" "an unknown column is refused"
stderr_has "^hint: the columns are given_name, surname, role, institution" "the hint lists them"
printf 'given_name,surname,institution\nA,B,280001\n' >"$TEST_TMP/norole.csv"
run 65 ulogin-user add --from "$TEST_TMP/norole.csv" --passwords "$PF"
stderr_has "no column 'role' in the header" "a missing required column"
run 66 ulogin-user add --from "$TEST_TMP/nonexistent.csv" --passwords "$PF"
stderr_has "nonexistent.csv" "a missing file is named"
# A file that cannot be read as a whole (a quote never closed in row 3)
# changes nothing: the good row before it is not added either.
printf 'given_name,surname,role,institution\nGood,Row,student,280001\n"Broken,Quote,student,280001\n' \
	>"$TEST_TMP/broken.csv"
run 65 ulogin-user add --from "$TEST_TMP/broken.csv" --passwords "$PF"
stderr_has "^ulogin-user: $TEST_TMP/broken.csv:3: " "the broken line is named"
stderr_has "^hint: nothing was added: correct the file" "and the hint says nothing was added"
ldap_exists "$(people good0001)"
ok $((! $?)) "the good row before it was not added"
grep -q '^good0001,' "$PF"
ok $((! $?)) "and has no line in the passwords file"
ldap_exists "$(people a0001)"
ok $((! $?)) "none of these added anyone"
lines=$(wc -l <"$PF")

# --dry-run: the adds as LDIF, no password, no line.
printf 'given_name,surname,role,institution\nDry,Run,student,280001\n' >"$TEST_TMP/dry.csv"
run 0 ulogin-user add -n --from "$TEST_TMP/dry.csv" --passwords "$PF"
stdout_has "^dn: $(people dry0001)$" "the dry run prints the add"
stdout_lacks '[Uu]ser[Pp]assword' "without a password"
is "$(wc -l <"$PF")" "$lines" "and writes no line"
ldap_exists "$(people dry0001)"
ok $((! $?)) "nor adds the user"

# No password handed out is in any other file, nor in the audit log.
# (Generated passwords have no ',' or '"': the file's fields are plain.)
handed=$(tail -n +2 "$PF" | cut -d, -f2 | grep .)
is "$(printf '%s\n' "$handed" | wc -l | tr -d ' ')" 5 \
	"five passwords were handed out (one voided after)"
secrets_nowhere "$HAND" "no handed-out password is in any other file or the audit log" \
	"$handed"

done_testing

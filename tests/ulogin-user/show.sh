#!/bin/sh
# ulogin-user show: one user in words, in every output format; the account
# state (blocked, must-change, failures, locked-out) as the server keeps it;
# unknown users and usernames with filter or DN syntax.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 ||
	skip_all "jq is not installed (Debian package jq)"
sandbox_start --example

tab=$(printf '\t')

# json_ok FILTER DESCRIPTION: jq -e FILTER holds for the JSON on stdout.
json_ok() {
	jq -e "$1" "$OUT" >/dev/null 2>&1
	ok $? "$2"
}

# bind_as USER PASSWORD: OpenLDAP's own client logs in as a user.
bind_as() {
	ldapwhoami -x -H "$ULOGIN_URI" -D "$(people "$1")" -w "$2" \
		>/dev/null 2>&1
}

# A student, as a script reads it.
run 0 ulogin-user show soer0001 -o json
json_ok '.username == "soer0001"' "json: username"
json_ok '.name == "Søren Nielsen"' "json: full name, UTF-8 intact"
json_ok '.dn == "uid=soer0001,ou=people,dc=example,dc=dk"' "json: DN"
json_ok '.classes == ["280001-0a"]' "json: classes is an array with the class"
json_ok '.teaches == []' "json: a student teaches nothing"
json_ok '.roles == ["student"]' "json: roles is an array"
json_ok '.institutions == ["280001"]' "json: institutions is an array"
json_ok '.grade == "0"' "json: grade"
json_ok '.level == "indskoling"' "json: grade 0 is level indskoling"
json_ok '.state == "active"' "json: state active"
json_ok '.must_change == false' "json: no password change pending"
json_ok '.identified == true' "json: identified by national ID"
! grep -q 'uloginNationalIdHmac\|81c51eb7' "$OUT"
ok $? "the national ID HMAC is never shown"

run 0 ulogin-user show soer0001 -o tsv
is "$(head -n 1 "$OUT")" "field${tab}value" "tsv: header line"
stdout_has "^username${tab}soer0001\$" "tsv: username row"
stdout_has "^name${tab}Søren Nielsen\$" "tsv: name row"
stdout_has "^classes${tab}280001-0a\$" "tsv: classes row"
stdout_has "^level${tab}indskoling\$" "tsv: level row"
stdout_has "^state${tab}active\$" "tsv: state row"

run 0 ulogin-user show soer0001 -o table
stdout_has '^Username: +soer0001$' "table: username in words"
stdout_has '^Classes: +280001-0a$' "table: classes in words"
stdout_has '^State: +active$' "table: state in words"

run 0 ulogin-user show soer0001 -o csv
is "$(head -n 1 "$OUT" | tr -d '\r"')" "field,value" "csv: header field,value"
tr -d '\r"' <"$OUT" | grep -qx 'username,soer0001'
ok $? "csv: username row"
tr -d '\r"' <"$OUT" | grep -qx 'level,indskoling'
ok $? "csv: level row"

# A teacher: the classes taught, not classes attended.
run 0 ulogin-user show mett0001 -o json
json_ok '.teaches == ["280001-0a", "280001-3a"]' \
	"teacher: teaches both classes, sorted"
json_ok '.classes == []' "teacher: member of no class"
json_ok '.roles == ["teacher"]' "teacher: role teacher"

# The blocked student: the state, the reason from the directory, who
# blocked it -- and the server really refuses the login.
reason=$(ldap_attr "$(people malt0001)" uloginBlockReason)
is "$reason" "Blocked by the school pending a conversation with the parents" \
	"the example's block reason is in the directory"
export reason
run 0 ulogin-user show malt0001 -o json
json_ok '.state == "blocked"' "blocked student: state blocked"
json_ok '.state_reason | contains($ENV.reason)' \
	"blocked student: the reason from the directory is shown"
json_ok '.blocked_by == "uid=kirs0001,ou=people,dc=example,dc=dk"' \
	"blocked student: who blocked it"
bind_as malt0001 'Blocked-Malthe8'
is "$?" 49 "the blocked student really cannot log in (ldapwhoami: 49)"

# A password set by an administrator must be changed at the next login
# (the default policy has pwdMustChange: TRUE).
ldappasswd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-s 'Temp-Pass1234' "$(people aase0001)" >/dev/null 2>&1
ok $? "ldappasswd: the administrator sets aase0001's password"
is "$(ldap_attr "$(people aase0001)" pwdReset)" "TRUE" \
	"the server marked the password for change (pwdReset)"
run 0 ulogin-user show aase0001 -o json
json_ok '.must_change == true' "must_change yes after an admin's reset"
json_ok '.state == "must-change"' "state must-change after an admin's reset"
bind_as aase0001 'Temp-Pass1234'
ok $? "the student can still log in with the new password"
run 0 ulogin-user show aase0001 -o tsv
stdout_has "^state${tab}must-change\$" "after that login the state is still must-change"
stdout_has "^must_change${tab}yes\$" "after that login must_change is still yes"

# Wrong passwords are counted by the server and shown.
bind_as mett0001 'wrong-1'
is "$?" 49 "first wrong password refused"
bind_as mett0001 'wrong-2'
is "$?" 49 "second wrong password refused"
is "$(ldap_attr "$(people mett0001)" pwdFailureTime | grep -c .)" 2 \
	"the server recorded two failures"
run 0 ulogin-user show mett0001 -o json
json_ok '.failures == 2' "failures shows 2"
json_ok '.state == "active"' "two failures do not lock the account"

# pwdMaxFailure (5) wrong passwords lock the account out.
for i in 1 2 3 4 5; do
	bind_as lars0001 "wrong-$i"
done
bind_as lars0001 'Teach3r-Bakke2'
is "$?" 49 "after 5 wrong passwords even the right one is refused"
run 0 ulogin-user show lars0001 -o json
json_ok '.state == "locked-out"' "state locked-out after 5 wrong passwords"
json_ok '.state_reason | test("wrong password")' \
	"locked-out: the reason says why"

# Unknown users.
run 67 ulogin-user show nobody1
stdout_empty "unknown user: nothing on stdout"
is "$(head -n 1 "$ERR")" "ulogin-user: cannot find user 'nobody1'" \
	"unknown user: the error line"
sed -n 2p "$ERR" | grep -q '^hint: '
ok $? "unknown user: the second line is a hint"
is "$(grep -c . "$ERR")" 2 "unknown user: an error and a hint, nothing else"
grep -q '^hint: .*find --name' "$ERR"
ok $? "unknown user: the hint says how to search by name"

# Filter and DN syntax in USER never reaches the server as syntax.
for user in 'a*' '*' 'soer000*' 'x,ou=people' 'soer0001,ou=people' \
	'uid=soer0001' 'soer0001)(uid=*' 'soer0001\2a'; do
	run 67 ulogin-user show "$user"
	stdout_empty "show '$user' shows nobody"
	stderr_has "cannot find user" "show '$user' says it cannot find the user"
done

# The block, not a wrong password, kept malt0001 out: without the lock
# the same password works.
printf 'dn: %s\nchangetype: modify\ndelete: pwdAccountLockedTime\n\n' \
	"$(people malt0001)" >"$TEST_TMP/unblock.ldif"
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-f "$TEST_TMP/unblock.ldif" >/dev/null 2>&1
ok $? "ldapmodify removes malt0001's lock"
bind_as malt0001 'Blocked-Malthe8'
ok $? "unlocked, malt0001 logs in with the same password"
run 0 ulogin-user show malt0001 -o json
json_ok '.state != "blocked"' "unlocked, malt0001 is no longer shown blocked"

# Operands.
run 64 ulogin-user show
stderr_has "^Try 'ulogin-user show --help'.\$" "show without USER is a usage error"
run 64 ulogin-user show soer0001 soer0002
stderr_has "too many arguments" "show takes one USER"

# Times: ISO 8601 UTC for scripts, words with a time zone on a terminal.
run 0 ulogin-user show mett0001 -o json
json_ok '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' \
	"json: created is ISO 8601 UTC"
json_ok '.password_expires | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")' \
	"json: password_expires is ISO 8601"
json_ok '.password_set == true' "json: a teacher has a password"
run 0 ulogin-user show mett0001 -o table
stdout_has '^Created: +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC$' \
	"table: created in words with the time zone"

done_testing

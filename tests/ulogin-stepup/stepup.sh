#!/bin/sh
# ulogin-stepup as a teacher, an administrator, the login service: a
# student and a whole class stepped up, status and check, revoke, the
# 2-hour bound, expiry, and refusals -- by the program (exit 77, clear
# words) and by slapd for the same account's raw ldapmodify.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
S=$_sandbox

# Work as an example operator (DIR/env-NAME), as the README's tour does.
window_of() {	# the server's step-up entry of a user, as LDIF
	ldap_search "cn=stepup,$(people "$1")" '(objectClass=*)' \
		creatorsName entryTtl entryExpireTimestamp 2>/dev/null
}
ttl_of() {	# the seconds slapd says a user's step-up has left
	window_of "$1" | sed -n 's/^entryTtl: //p'
}

# ---- a teacher, one student ------------------------------------------------
as mett0001
run 0 ulogin-stepup grant soer0001 -o tsv
stdout_has "^username	name	until	by$" "grant prints a header"
stdout_has "^soer0001	Søren Nielsen	20[0-9-]+T[0-9:]+Z	mett0001$" \
	"the row: who, until when, by whom"
stderr_has "^ulogin-stepup: stepped up 1 user until " "and a one-line summary"
window_of soer0001 >"$TEST_TMP/w"
grep -q "^creatorsName: $(people mett0001)$" "$TEST_TMP/w"
ok $? "slapd stamped mett0001 as who opened the step-up"
between "$(sed -n 's/^entryTtl: //p' "$TEST_TMP/w")" 7140 7200 \
	"for 2 hours, the default (slapd's entryTtl counts down)"
run 0 ulogin-stepup check soer0001 -o json
is "$(jq -r .stepped_up "$OUT")" true "check: stepped up"
is "$(jq -r .by "$OUT")" mett0001 "check: by mett0001"
run 0 ulogin-stepup status -o tsv
stdout_has "^soer0001	.*	mett0001	1[12][0-9]$" "status: soer0001, about 120 minutes left"

# ---- the whole class --------------------------------------------------------
run 0 ulogin-stepup grant --class 280001-0a --for 45m -o tsv
is "$(($(grep -c . "$OUT") - 1))" 6 "the whole class: six students"
for u in soer0001 aase0001 fred0001 mads0001 frej0001 laer0001; do
	between "$(ttl_of "$u")" 2640 2700 \
		"$u is stepped up for 45 minutes (slapd's entryTtl)"
done
run 0 ulogin-stepup status --class 280001-0a -o csv
is "$(($(grep -c . "$OUT") - 1))" 6 "status --class: the six"
is "$(jq -r 'select(.action == "stepup.grant") | .result' "$AUDIT_LOG" | sort -u)" \
	ok "every grant is in the audit trail, ok"

# ---- refused: another class, the 2-hour bound, passwords --------------------
run 77 ulogin-stepup grant noah0001
stderr_has "^ulogin-stepup: user 'noah0001' is not in a class you teach \(280001-0a, 280001-3a\)$" \
	"another class's student: exit 77, and which classes are hers"
is "$(window_of noah0001)" "" "noah0001 was not stepped up"
run 77 ulogin-stepup grant --class 280001-8a
stderr_has "you do not teach class '280001-8a'" "another class: refused"
run 77 ulogin-stepup grant soer0001 noah0001
is "$(window_of soer0001 | grep -c entryTtl)" 1 \
	"one refused user stops the command before any change"
run 67 ulogin-stepup grant nobo0001
stderr_has "cannot find user 'nobo0001'" "an unknown user is named (67)"
run 64 ulogin-stepup grant soer0001 --for 3h
stderr_has "a step-up lasts at most 120 minutes, not 180" "--for 3h: the limit in the words"
run 64 ulogin-stepup grant soer0001 --for soon
stderr_has "is not a time" "--for must be a time"
run 64 ulogin-stepup grant
stderr_has "needs USER... or --class CLASS" "grant needs someone"
run 64 ulogin-stepup grant soer0001 --class 280001-0a
stderr_has "not both" "USER and --class are not both"

# The same teacher with OpenLDAP's own clients: slapd refuses.
pw=$S/mett0001.pw
printf 'dn: cn=stepup,%s\nchangetype: add\nobjectClass: uloginStepUp\nobjectClass: dynamicObject\ncn: stepup\n' \
	"$(people noah0001)" >"$TEST_TMP/add.ldif"
run 50 ldapmodify_as mett0001 "$TEST_TMP/add.ldif"
stderr_has 'Insufficient access' "ldapmodify as mett0001 for another class: insufficient access"
printf 'dn: %s\nchangetype: modify\nreplace: uloginStepUpUntil\nuloginStepUpUntil: 20991231000000Z\n' \
	"$(people soer0001)" >"$TEST_TMP/forge.ldif"
run 50 ldapmodify_as mett0001 "$TEST_TMP/forge.ldif"
run 1 ldapexop -x -H "$ULOGIN_URI" -D "$(people mett0001)" -y "$pw" \
	refresh "cn=stepup,$(people soer0001)" 10800
stderr_has 'Insufficient access' "ldapexop refresh to 3 hours: insufficient access"
_last_cmd="ldappasswd as mett0001"
ldappasswd -x -H "$ULOGIN_URI" -D "$(people mett0001)" -y "$pw" \
	-s 'sol hus bil kat' "$(people soer0001)" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "a teacher cannot set a student's password (ldappasswd)"

# ---- revoke ----------------------------------------------------------------
run 0 ulogin-stepup revoke soer0001
stderr_has "ended 1 step-up" "revoke says what it did"
is "$(window_of soer0001)" "" "the step-up entry is gone"
run 1 ulogin-stepup check soer0001 -o json
is "$(jq -r .stepped_up "$OUT")" false "check after revoke: exit 1, not stepped up"
run 0 ulogin-stepup revoke soer0001
stderr_has "'soer0001' is not stepped up" "revoking again is no error"
run 0 ulogin-stepup revoke --class 280001-0a
stderr_has "ended 5 step-ups" "revoke --class ends the rest of the class"

# ---- expiry: a short step-up ends by itself ----------------------------------
run 0 ulogin-stepup grant aase0001 --for 3s
run 0 ulogin-stepup check aase0001
sleep 4
run 1 ulogin-stepup check aase0001 -o json
is "$(jq -r .stepped_up "$OUT")" false "3 seconds later: check exits 1"
run 0 ulogin-stepup status -o tsv
stdout_lacks '^aase0001	' "and status no longer lists it"
# slapd deletes the ended entry itself (slapo-dds looks every 10 s).
tries=0
while [ -n "$(window_of aase0001)" ] && [ $tries -lt 60 ]; do
	sleep 0.5
	tries=$((tries + 1))
done
is "$(window_of aase0001)" "" "slapd deletes the ended step-up entry by itself"

# ---- another teacher takes over; an administrator; other schools -------------
as mett0001
run 0 ulogin-stepup grant soer0001 -q
as birg0001
run 0 ulogin-stepup grant soer0001 --for 10m -q
window_of soer0001 | grep -q "^creatorsName: $(people birg0001)$"
ok $? "another teacher of the class replaces the step-up; slapd stamps her"
as kirs0001
run 0 ulogin-stepup grant noah0001 -q
ok $? "an administrator steps up any student of her institution"
run 77 ulogin-stepup grant ella0001
stderr_has "user 'ella0001' is not of an institution you administer \(280001\)" \
	"but not of another institution (77)"
run 65 ulogin-stepup grant lars0001 soer0001
stderr_has "^ulogin-stepup: 'lars0001' is not a student: step-ups are for students$" \
	"a teacher named by mistake: a step-up is for students (65)"
is "$(dm_attr "cn=stepup,$(people lars0001)" entryTtl)" "" "no step-up for the teacher"

# ---- a service checks -------------------------------------------------------
as login
run 0 ulogin-stepup check noah0001 -o json
is "$(jq -r .by "$OUT")" kirs0001 "the login service checks a step-up: by kirs0001"
run 77 ulogin-stepup grant noah0001
stderr_has "cannot step up 'noah0001': you are not allowed" \
	"the login service may not step anyone up: slapd refuses"

# ---- dry run ------------------------------------------------------------------
as mett0001
run 0 ulogin-stepup grant fred0001 -n
stdout_has "^dn: cn=stepup,uid=fred0001,ou=people,$ULOGIN_BASE$" "-n prints the LDIF of the add"
stdout_has "^# refresh: ldapexop refresh 'cn=stepup,uid=fred0001,ou=people,$ULOGIN_BASE' 7200$" \
	"and the refresh, as the command that would send it"
is "$(window_of fred0001)" "" "and changes nothing"

done_testing

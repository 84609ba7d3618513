#!/bin/sh
# ulogin-user reset and claim: a teacher or an administrator opens a
# 5-minute reset window, the login service claims it once and gets a new
# password that binds and must be changed.  Refusals by the program (exit
# 77, clear words) and by slapd for the same accounts' raw ldapadd,
# ldappasswd and ldapexop; a short window; two claims at once; and no
# handed-out password anywhere in the test's files or slapd's log.
ULOGIN_SANDBOX_LOGLEVEL=stats
export ULOGIN_SANDBOX_LOGLEVEL
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
S=$_sandbox
B=$ULOGIN_BASE
LOGIN="cn=login,ou=services,$B"
# What the test itself captured of the claims' output: the only place a
# handed-out password may be.
C=$TEST_TMP/captured
mkdir -p "$C"
passwords=

window_of() {	# the server's reset window of a user, as LDIF
	(as_manager && ldap_search "cn=reset,$(people "$1")" '(objectClass=*)' \
		creatorsName createTimestamp entryExpireTimestamp description \
		2>/dev/null)
}
window_ldif() {	# the LDIF that adds a reset window below a user
	printf 'dn: cn=reset,%s\nchangetype: add\nobjectClass: uloginResetWindow\nobjectClass: dynamicObject\ncn: reset\n' \
		"$(people "$1")"
}
mark_ldif() {	# the LDIF that marks a user's reset window claimed
	printf 'dn: cn=reset,%s\nchangetype: modify\nadd: description\ndescription: claimed\n' \
		"$(people "$1")"
}
as_login() {	# OpenLDAP's TOOL as the login service account
	tool=$1
	shift
	"$tool" -x -H "$ULOGIN_URI" -D "$LOGIN" -y "$S/login.pw" "$@"
}
as_dm() {	# OpenLDAP's TOOL as the directory manager
	tool=$1
	shift
	"$tool" -x -H "$ULOGIN_URI" -D "cn=admin,$B" -y "$S/admin.pw" "$@"
}
keep_password() {	# keep_password NAME: the claim's password, from $OUT
	cp "$OUT" "$C/$1"
	pw=$(jq -r .password "$OUT")
	passwords="$passwords
$pw"
}
stderr_lacks() {	# stderr_lacks REGEX DESCRIPTION
	! grep -Eq -- "$1" "$ERR"
	ok $? "$2"
}
binds() {	# binds USER PASSWORD: ldapwhoami with the ppolicy control
	bind_as "$1" "$2"
	r=$?
	rm -f "$TEST_TMP/bind.pw"
	return $r
}

# Policies in the directory and every user linked to its own (as in
# production), so a claim gives each the password its policy asks for.
run 0 ulogin-policy apply -q

# ---- a teacher opens a window ---------------------------------------------
as mett0001
run 0 ulogin-user reset soer0001 -o tsv
stdout_has "^username	until	by$" "reset prints a header"
stdout_has "^soer0001	20[0-9-]+T[0-9:]+Z	mett0001$" \
	"the row: who, until when, by whom"
stderr_has "^ulogin-user: opened 1 reset window until .*: the user logs in with the username alone, once" \
	"and a one-line summary in words"
window_of soer0001 >"$TEST_TMP/w1"
grep -q "^creatorsName: $(people mett0001)$" "$TEST_TMP/w1"
ok $? "slapd stamped mett0001 as who opened the window"
ttl=$(as_manager && ldap_attr "cn=reset,$(people soer0001)" entryTtl)
between "$ttl" 290 300 "for 5 minutes (slapd's entryTtl)"
is "$(jq -r 'select(.action == "reset.open") | .operator + " " + .result' "$AUDIT_LOG")" \
	"$(people mett0001) ok" "the audit trail has the window, by mett0001"

# Open already: said, not extended.
sleep 1
run 0 ulogin-user reset soer0001 -o tsv
stderr_has "^ulogin-user: the reset window of 'soer0001' is open already, until .* \(opened by mett0001\)$" \
	"a second reset says the window is open already, and until when"
stdout_has "^soer0001	20[0-9-]+T[0-9:]+Z	mett0001$" "and prints it"
window_of soer0001 >"$TEST_TMP/w2"
same_text "$TEST_TMP/w1" "$TEST_TMP/w2" \
	"the window is not extended (same creation and expiry time)"

# show still shows it.
run 0 ulogin-user show soer0001 -o json
is "$(jq -r .reset_by "$OUT")" mett0001 "show: reset window opened by mett0001"
is "$(jq -r '.reset_until != null' "$OUT")" true "show: and until when"

# ---- the login service claims it --------------------------------------------
as login
run 0 ulogin-user claim soer0001 -o json
keep_password soer-json
is "$(jq -r .username "$OUT")" soer0001 "claim prints the username"
is "$(jq -r .policy "$OUT")" pictures "the policy of grade 0: pictures"
printf '%s\n' "$pw" | grep -Eq '^[^ ]+ [^ ]+ [^ ]+ [^ ]+$'
ok $? "and the password is four pictures"
is "$(jq -r .must_change "$OUT")" true "must_change: true"
binds soer0001 "$pw"
ok $? "the new password binds (ldapwhoami)"
grep -q 'Password must be changed' "$TEST_TMP/bind.out"
ok $? "and must be changed: ldapwhoami -e ppolicy says so"
is "$(dm_attr "$(people soer0001)" pwdReset)" TRUE "slapd set pwdReset"
is "$(window_of soer0001)" "" "the window is closed (deleted)"
for a in reset.claim reset.password reset.close; do
	is "$(jq -r "select(.action == \"$a\") | .operator + \" \" + .result" "$AUDIT_LOG")" \
		"$LOGIN ok" "the audit trail has $a, by the login service"
done

run 77 ulogin-user claim soer0001
stderr_has "^ulogin-user: cannot claim a new password for 'soer0001': no reset window is open$" \
	"a second claim: exit 77, no window"
stderr_has "^hint: a teacher or an administrator opens one with 'ulogin-user reset soer0001'" \
	"with what to do"
stdout_empty "and no password"
binds soer0001 "$pw"
ok $? "the first password still binds"
as mett0001
run 0 ulogin-user show soer0001 -o json
is "$(jq -r .reset_until "$OUT")" null "show after the claim: no window"

# The table form, as a kiosk operator sees it.
run 0 ulogin-user reset bjoe0001 -q
as login
run 0 ulogin-user claim bjoe0001 -o tsv
cp "$OUT" "$C/bjoe-tsv"
stdout_has "^field	value$" "tsv: field and value"
pw=$(sed -n 's/^password	//p' "$OUT")
passwords="$passwords
$pw"
stdout_has "^must_change	yes$" "tsv: must_change yes"
binds bjoe0001 "$pw"
ok $? "bjoe0001's password binds"

# ---- a short window ---------------------------------------------------------
# The directory manager (above the access rules) shortens one window to
# 2 seconds; the product's 5 minutes and its rules stay as they are.
as mett0001
run 0 ulogin-user reset aase0001 -q
as_dm ldapexop refresh "cn=reset,$(people aase0001)" 2 >/dev/null 2>&1
ok $? "the directory manager shortens aase0001's window to 2 seconds"
sleep 3
as login
run 77 ulogin-user claim aase0001
stderr_has "cannot claim a new password for 'aase0001': (no reset window is open|the reset window closed at .*)$" \
	"a claim after the window: exit 77, in words"
stdout_empty "and no password"
is "$(dm_attr "$(people aase0001)" pwdChangedTime)" "" "aase0001 got no password"

# ---- refused: another class, staff, another institution --------------------
as mett0001
run 77 ulogin-user reset noah0001
stderr_has "^ulogin-user: user 'noah0001' is not in a class you teach \(280001-0a, 280001-3a\)$" \
	"a teacher's reset of another class's student: exit 77, and her classes"
is "$(window_of noah0001)" "" "no window for noah0001"
window_ldif noah0001 >"$TEST_TMP/add.ldif"
run 50 ldapmodify_as mett0001 "$TEST_TMP/add.ldif"
stderr_has 'Insufficient access' "slapd refuses mett0001's own ldapadd of the window"
run 77 ulogin-user reset soer0001 noah0001
is "$(window_of soer0001)" "" "one refused user stops the command before any change"
run 67 ulogin-user reset nobo0001
stderr_has "cannot find user 'nobo0001'" "an unknown user is named (67)"

as kirs0001
run 77 ulogin-user reset lars0001
stderr_has "^ulogin-user: cannot reset the password of 'lars0001': staff get no reset window$" \
	"an administrator's reset of a staff member: what staff do instead"
stderr_has "^hint: staff reset their own password with national e-ID \\(MitID\\); one who cannot is sent a one-time password in a sealed letter" \
	"and the sealed letter"
is "$(window_of lars0001)" "" "no window for lars0001"
window_ldif lars0001 >"$TEST_TMP/add.ldif"
run 50 ldapmodify_as kirs0001 "$TEST_TMP/add.ldif"
stderr_has 'Insufficient access' "slapd refuses her own ldapadd of a window below staff"
run 77 ulogin-user reset soer0001 lars0001
is "$(window_of soer0001)" "" "a staff member among students: nothing opened"
run 77 ulogin-user reset ella0001
stderr_has "user 'ella0001' is not of an institution you administer \(280001\)" \
	"another institution's student (77)"
run 0 ulogin-user reset noah0001 pete0001 -o csv
stdout_has '^"noah0001",".*","kirs0001"' "an administrator resets any student of her institution"
stdout_has '^"pete0001",".*","kirs0001"' "and a parent"

# ---- the login service: only a claimed window, never staff ------------------
# (Passwords their policy allows: slapd checks that before the access.)
as mett0001
run 0 ulogin-user reset emma0001 -q
_last_cmd="ldappasswd as the login service, no window (fred0001)"
as_login ldappasswd -s 'sol hus bil kat' "$(people fred0001)" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "the login service cannot set a password without a window"
_last_cmd="ldappasswd as the login service, window not claimed (emma0001)"
as_login ldappasswd -s 'sol hus bil kat' "$(people emma0001)" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "nor with a window it has not claimed"
window_ldif osca0001 >"$TEST_TMP/add.ldif"
_last_cmd="ldapadd as the login service"
as_login ldapmodify -f "$TEST_TMP/add.ldif" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "the login service cannot open a window"
_last_cmd="ldapexop refresh as the login service"
as_login ldapexop refresh "cn=reset,$(people emma0001)" 300 >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "nor extend one"
_last_cmd="ldapdelete as the login service"
as_login ldapdelete "cn=reset,$(people emma0001)" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "nor delete one it has not claimed"
mark_ldif emma0001 >"$TEST_TMP/mark.ldif"
as_login ldapmodify -f "$TEST_TMP/mark.ldif" >/dev/null 2>&1
ok $? "it marks one claimed (what a claim does first)"
printf 'dn: cn=reset,%s\nchangetype: modify\ndelete: description\n' \
	"$(people emma0001)" >"$TEST_TMP/unmark.ldif"
_last_cmd="unmark as the login service"
as_login ldapmodify -f "$TEST_TMP/unmark.ldif" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "but cannot take the mark away"
run 50 ldapmodify_as mett0001 "$TEST_TMP/unmark.ldif"
stderr_has 'Insufficient access' "nor can the teacher who opened it"

# A process killed after the mark and before the password: the window is
# used up; a claim says so and changes nothing; a new reset replaces it.
as login
run 77 ulogin-user claim emma0001
stderr_has "cannot claim a new password for 'emma0001': the reset window has been used already$" \
	"a marked window gives no password: 77"
is "$(dm_attr "$(people emma0001)" pwdChangedTime)" "" "emma0001's password untouched"
as mett0001
run 0 ulogin-user show emma0001 -o json
is "$(jq -r .reset_until "$OUT")" null "show: a used window is not open"
run 0 ulogin-user reset emma0001 -o tsv
stderr_lacks "open already" "a new reset replaces the used window"
window_of emma0001 | grep -q '^description'
[ $? -ne 0 ]
ok $? "the new window is not marked"
as login
run 0 ulogin-user claim emma0001 -o json
keep_password emma
binds emma0001 "$pw"
ok $? "and its claim gives a password that binds"

# Staff: even with a window made by the directory manager, the login
# service cannot set the password; the claim says so and the old one
# still works.
window_ldif lars0001 | as_dm ldapmodify >/dev/null 2>&1
ok $? "the directory manager opens a window below staff (lars0001)"
run 77 ulogin-user claim lars0001
stderr_has "cannot set the new password of 'lars0001'" \
	"the login service's claim for staff: refused by slapd (77)"
binds lars0001 "$(cat "$S/lars0001.pw")"
ok $? "lars0001's own password still binds"
as_dm ldapdelete "cn=reset,$(people lars0001)" >/dev/null 2>&1
window_ldif lars0001 | as_dm ldapmodify >/dev/null 2>&1
mark_ldif lars0001 | as_dm ldapmodify >/dev/null 2>&1
_last_cmd="ldappasswd as the login service, staff with a claimed window"
as_login ldappasswd -s 'Kiosk-Guess-2026-Long!' "$(people lars0001)" >"$OUT" 2>&1
grep -q 'Insufficient access (50)' "$OUT"
ok $? "nor with raw ldappasswd under a claimed window"
run 77 ulogin-user reset fred0001
stderr_has "cannot open a reset window for 'fred0001'" \
	"the login service cannot open a window with ulogin-user either"

# ---- two claims at once -----------------------------------------------------
for round in 1 2 3; do
	as mett0001
	ulogin-user reset fred0001 -q >/dev/null 2>&1
	as login
	ulogin-user claim fred0001 -o json >"$C/race$round.a" 2>"$TEST_TMP/race.a.err" </dev/null &
	pa=$!
	ulogin-user claim fred0001 -o json >"$C/race$round.b" 2>"$TEST_TMP/race.b.err" </dev/null &
	pb=$!
	wait $pa
	ra=$?
	wait $pb
	rb=$?
	is "$(printf '%s\n' $ra $rb | sort -n | tr '\n' ' ')" "0 77 " \
		"round $round: of two claims at once, one gets a password, the other 77"
	winner=$C/race$round.a
	[ $ra -eq 0 ] || winner=$C/race$round.b
	pw=$(jq -r .password "$winner")
	passwords="$passwords
$pw"
	is "$(cat "$C/race$round.a" "$C/race$round.b" | grep -c '"password"')" 1 \
		"round $round: exactly one password printed"
	cat "$TEST_TMP/race.a.err" "$TEST_TMP/race.b.err" >"$ERR"
	! grep -q Sanitizer "$ERR"
	ok $? "round $round: no memory error in either claim"
	stderr_has "cannot claim a new password for 'fred0001': (the reset window has been used already|no reset window is open)" \
		"round $round: the other is told the window is gone"
	binds fred0001 "$pw"
	ok $? "round $round: the winner's password binds"
done

# ---- a claim killed at any point: never two passwords from one window ------
for delay in 0 0.005 0.01 0.02 0.04 0.08 0.15; do
	as mett0001
	ulogin-user reset laer0001 -q >/dev/null 2>&1
	as login
	ulogin-user claim laer0001 -o json >"$C/kill$delay" 2>/dev/null </dev/null &
	pk=$!
	sleep $delay
	kill -9 $pk 2>/dev/null
	wait $pk
	rk=$?
	ulogin-user claim laer0001 -o json >"$C/after$delay" 2>"$ERR" </dev/null
	ra=$?
	given=$(cat "$C/kill$delay" "$C/after$delay" | grep -c '"password"')
	[ "$given" -le 1 ] && { [ $rk -ne 0 ] || [ $ra -eq 77 ]; } &&
		{ [ $ra -eq 0 ] || [ $ra -eq 77 ]; }
	ok $? "claim killed after ${delay}s (exit $rk), the next exits $ra: at most one password"
	passwords="$passwords
$(cat "$C/kill$delay" "$C/after$delay" | sed -n 's/^ *"password": "\(.*\)",$/\1/p')"
done

# ---- dry run, usage ---------------------------------------------------------
as mett0001
run 0 ulogin-user reset mads0001 -n
stdout_has "^dn: cn=reset,uid=mads0001,ou=people,$B$" "reset -n prints the LDIF of the add"
is "$(window_of mads0001)" "" "and opens nothing"
run 0 ulogin-user reset mads0001 -q
as login
run 0 ulogin-user claim mads0001 -n
stdout_has "^description: claimed$" "claim -n prints the mark"
stdout_has "^# reset.password: a new password for $(people mads0001) \(not sent: --dry-run\)$" \
	"and the password change, without a password"
window_of mads0001 | grep -q '^description'
[ $? -ne 0 ]
ok $? "and leaves the window unclaimed"
is "$(dm_attr "$(people mads0001)" pwdChangedTime)" "" "and the password unset"
as mett0001
run 0 ulogin-user reset will0001 will0001 -o tsv
is "$(grep -c '^will0001	' "$OUT")" 1 "a user named twice gets one window"
as login
run 67 ulogin-user claim nobo0001
stderr_has "cannot find user 'nobo0001'" "claim of an unknown user: 67"
run 64 ulogin-user reset
stderr_has "'reset' needs USER" "reset needs a user"
run 64 ulogin-user claim soer0001 aase0001
run 0 ulogin-user reset --help
stdout_has "^Usage: ulogin-user reset USER\.\.\. " "reset --help"
run 0 ulogin-user claim --help
stdout_has "^Usage: ulogin-user claim USER " "claim --help"

# ---- no password anywhere ---------------------------------------------------
n=0
printf '%s\n' "$passwords" | sed '/^$/d' >"$TEST_TMP/handed-out"
between "$(wc -l <"$TEST_TMP/handed-out")" 6 99 "at least six passwords were handed out"
while IFS= read -r p; do
	found=$(grep -rlF -- "$p" "$TEST_TMP" | grep -v "^$C/" |
		grep -vx -e "$OUT" -e "$TEST_TMP/handed-out")
	[ -z "$found" ] || { n=$((n + 1)); echo "# '$p' in: $found"; }
done <"$TEST_TMP/handed-out"
is "$n" 0 "no handed-out password in the sandbox, slapd's log or the audit log"
grep -q 'EXT oid=1.3.6.1.4.1.4203.1.11.1' "$S/slapd.log"
ok $? "(slapd's log does record the password changes)"

done_testing

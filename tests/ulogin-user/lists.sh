#!/bin/sh
# ulogin-user list --blocked|--locked|--expired|--expiring D|--idle D|
# --never-logged-in|--must-change: a directory with accounts of each kind
# (and of the kinds each list must leave out), and every list compared
# with exactly the accounts it must find.  The state is the one of show.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
B=$ULOGIN_BASE
D=86400
now=$(date -u +%s)
gtime() { date -u -d "@$1" +%Y%m%d%H%M%SZ; }
dm_ldif() {	# LDIF on stdin, as the directory manager (-e relax: server attributes)
	ldapmodify -e relax -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
}
set_attr() {	# set_attr USER ATTR VALUE
	printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n' \
		"$(people "$1")" "$2" "$2" "$3" | dm_ldif
}
# The default policy (every user's here) lets a password live a year.
max_age=$(ldap_attr "cn=default,ou=policies,$B" pwdMaxAge)
expires_in() {	# expires_in USER SECONDS
	set_attr "$1" pwdChangedTime "$(gtime $((now + $2 - max_age)))"
}
login() {	# login USER: a successful bind, which slapd records (pwdLastSuccess)
	bind_as "$1" "$(cat "$_sandbox/$1.pw")"
}
listed() {	# the usernames of the list in $OUT, sorted, on one line
	tail -n +2 "$OUT" | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//'
}

# ---- the directory ---------------------------------------------------------------
# Blocked: malt0001 (the example's) and emma0001 (by the administrator,
# with an expired password: blocked, not expired).
as kirs0001
run 0 ulogin-user block emma0001 --reason "lists test" -q
as_manager
expires_in emma0001 $((-30 * D))
# Left: blocked and marked, as the import leaves a leaver: its own state.
set_attr sofi0001 uloginLeftAt "$(gtime $((now - 2 * D)))" &&
	set_attr sofi0001 pwdAccountLockedTime 000001010000Z
ok $? "sofi0001 has left"
# Locked out: henr0001 by wrong passwords, osca0001 a minute ago; the
# lock-out of bjoe0001 (a day ago) has run out (pwdLockoutDuration).
lock_out henr0001 &&
	set_attr osca0001 pwdAccountLockedTime "$(gtime $((now - 60)))" &&
	set_attr bjoe0001 pwdAccountLockedTime "$(gtime $((now - D)))"
ok $? "lock-outs of a minute and of a day ago"
is "$(ldap_attr "cn=default,ou=policies,$B" pwdLockoutDuration)" 900 \
	"(a lock-out lasts 15 minutes)"
# Expired: noah0001, clar0001 (who must change too), rosa0001 of 280002.
expires_in noah0001 $((-1 * D)) && expires_in clar0001 $((-100 * D)) &&
	expires_in rosa0001 $((-3600)) && set_attr clar0001 pwdReset TRUE
ok $? "three expired passwords"
# Expiring within 14 days: anna0001 (7 days), joer0001 (13 days); not
# seba0001 (blocked), agne0001 (left), mett0001 (20 days).
expires_in anna0001 $((7 * D + 3600)) && expires_in joer0001 $((13 * D)) &&
	expires_in seba0001 $((5 * D)) && expires_in agne0001 $((5 * D)) &&
	expires_in mett0001 $((20 * D)) &&
	set_attr seba0001 pwdAccountLockedTime 000001010000Z &&
	set_attr agne0001 uloginLeftAt "$(gtime "$now")"
ok $? "five passwords that expire soon"
# Must change: aase0001, fred0001, clar0001 (whose state is expired) and
# will0001 (attached only through a deprecated source: pending-migration).
set_attr aase0001 pwdReset TRUE && set_attr fred0001 pwdReset TRUE &&
	set_attr will0001 pwdReset TRUE && dm_ldif <<EOF
dn: cn=example,ou=imports,$B
changetype: modify
replace: uloginDeprecated
uloginDeprecated: TRUE
EOF
ok $? "four must change; the example source is deprecated"
# ... which would make every example user pending-migration: give all
# but will0001 a second, current source.
ldap_search "ou=people,$B" '(objectClass=uloginAccount)' uid |
	sed -n 's/^uid: //p' | grep -vx will0001 | while read -r u; do
		printf 'dn: %s\nchangetype: modify\nadd: uloginSource\nuloginSource: sis\n\n' \
			"$(people "$u")"
	done | dm_ldif
ok $? "everyone else is attached through a current source too"
# Idle: made 90 days ago (mads0001 never logged in; karl0001 did, today);
# laer0001 made 30 days ago.
set_attr mads0001 createTimestamp "$(gtime $((now - 90 * D)))" &&
	set_attr karl0001 createTimestamp "$(gtime $((now - 90 * D)))" &&
	set_attr laer0001 createTimestamp "$(gtime $((now - 30 * D)))"
ok $? "creation times moved back (Relax Rules control)"
ldappasswd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-s 'Karla-Pass-2026x' "$(people karl0001)" >/dev/null 2>&1
printf 'Karla-Pass-2026x' >"$_sandbox/karl0001.pw"
printf 'dn: %s\nchangetype: modify\ndelete: pwdReset\n' "$(people karl0001)" | dm_ldif
# Logins: loui0001 and karl0001 now, thom0001 and cami0001 a few seconds
# later.
login loui0001 && login karl0001
ok $? "loui0001 and karl0001 log in"
sleep 4
login thom0001 && login cami0001
ok $? "thom0001 and cami0001 log in, 4 seconds later"

# ---- the lists ---------------------------------------------------------------------
run 0 ulogin-user list --idle 2s -o tsv
all_but=$(ldap_search "ou=people,$B" '(objectClass=uloginAccount)' uid |
	sed -n 's/^uid: //p' | grep -vx -e thom0001 -e cami0001 | sort |
	tr '\n' ' ' | sed 's/ $//')
is "$(listed)" "$all_but" \
	"--idle 2s: everyone but the two who logged in just now"
run 0 ulogin-user list --blocked -o tsv
is "$(listed)" "emma0001 malt0001 seba0001 sofi0001" \
	"--blocked: exactly the blocked, sofi0001 who left too (not agne0001, who left unblocked)"
is "$(awk -F '\t' '$1 == "sofi0001" { print $5 }' "$OUT")" "left" \
	"--blocked: sofi0001 shows her state, left"
is "$(head -n 1 "$OUT")" "username	name	roles	institutions	state	reason	blocked_by	blocked_at	block_reason" \
	"--blocked: the columns"
is "$(awk -F '\t' '$1 == "emma0001" { print $7 "|" $9 }' "$OUT")" "kirs0001|lists test" \
	"--blocked: by whom and why"
run 0 ulogin-user list --locked -o tsv
is "$(listed)" "henr0001 osca0001" \
	"--locked: the lock-outs in force (not bjoe0001's, which ran out)"
is "$(head -n 1 "$OUT")" "username	name	roles	institutions	state	reason	locked_at	locked_until" \
	"--locked: the columns"
is "$(awk -F '\t' '$1 == "osca0001" { print $8 }' "$OUT")" \
	"$(date -u -d "@$((now - 60 + 900))" +%Y-%m-%dT%H:%M:%SZ)" \
	"--locked: until when"
run 0 ulogin-user list --expired -o tsv
is "$(listed)" "clar0001 noah0001 rosa0001" \
	"--expired: exactly the expired (not the blocked emma0001)"
is "$(head -n 1 "$OUT")" "username	name	roles	institutions	state	reason	expires" \
	"--expired: the columns"
run 0 ulogin-user list --expiring 14d -o tsv
is "$(listed)" "anna0001 joer0001" \
	"--expiring 14d: not blocked seba0001, left agne0001, or mett0001 (20 days)"
is "$(head -n 1 "$OUT")" "username	name	roles	institutions	state	reason	expires	days_left	mail	mobile" \
	"--expiring: the columns"
run 0 ulogin-user list --expiring 30d -o json
is "$(jq -r '[.[].username] | sort | join(" ")' "$OUT")" "anna0001 joer0001 mett0001" \
	"--expiring 30d: mett0001 too"
jq -e '.[] | select(.username == "anna0001") | .days_left == 7 and .state == "active" and has("mail") and has("mobile")' \
	"$OUT" >/dev/null
ok $? "--expiring -o json: days left as a number, the state, mail and mobile"
is "$(jq -r '.[] | select(.username == "joer0001") | .mail' "$OUT")" \
	"$(ldap_attr "$(people joer0001)" mail)" "--expiring -o json: the mail address"
run 0 ulogin-user list --must-change -o tsv
is "$(listed)" "aase0001 clar0001 fred0001 will0001" \
	"--must-change: the condition, whatever state wins"
is "$(awk -F '\t' '$1 == "will0001" { print $5 }' "$OUT")" "pending-migration" \
	"--must-change: will0001 (a deprecated source) shown as pending-migration"
is "$(awk -F '\t' '$1 == "clar0001" { print $5 }' "$OUT")" "expired" \
	"--must-change: clar0001 shown as expired"
run 0 ulogin-user list --idle 60d -o tsv
is "$(listed)" "mads0001" \
	"--idle 60d: never logged in, made 90 days ago (not laer0001, not karl0001)"
is "$(head -n 1 "$OUT")" "username	name	roles	institutions	state	reason	last_login	created" \
	"--idle: the columns"
run 0 ulogin-user list --never-logged-in -o tsv
never=$(ldap_search "ou=people,$B" '(&(objectClass=uloginAccount)(!(pwdLastSuccess=*)))' uid |
	sed -n 's/^uid: //p' | sort | tr '\n' ' ' | sed 's/ $//')
is "$(listed)" "$never" "--never-logged-in: exactly those without pwdLastSuccess"
stdout_lacks '^(loui0001|karl0001|thom0001|cami0001)	' "... so none of the four"
stdout_has '^henr0001	' "... but henr0001, who only failed"

# ---- combined --------------------------------------------------------------------
run 0 ulogin-user list --never-logged-in --idle 60d -o tsv
is "$(listed)" "mads0001" "--never-logged-in --idle 60d"
run 0 ulogin-user list --never-logged-in --role parent -o tsv
is "$(listed)" "pete0001" "--never-logged-in --role parent: the parent who did not log in"
run 0 ulogin-user list --expiring 14d --role teacher -o tsv
is "$(listed)" "joer0001" "--expiring 14d --role teacher"
run 0 ulogin-user list --blocked --institution 280002 -o tsv
is "$(listed)" "" "--blocked --institution 280002: nobody"
run 0 ulogin-user list --expired --institution 280002 -o csv
is "$(tail -n +2 "$OUT" | cut -d, -f1 | tr -d '"')" "rosa0001" "--expired --institution 280002 -o csv"
is "$(head -n 1 "$OUT" | tr -d '"\r')" "username,name,roles,institutions,state,reason,expires" \
	"the csv header"

# An administrator lists what slapd lets her see: her own institution.
as kirs0001
run 0 ulogin-user list --expired -o tsv
is "$(listed)" "clar0001 noah0001" "as kirs0001: --expired, 280001 only"
run 0 ulogin-user list --locked -o tsv
is "$(listed)" "osca0001" "as kirs0001: --locked, 280001 only"
as_manager

# Without a filter, list is as it was.
run 0 ulogin-user list --role parent -o tsv
is "$(head -n 1 "$OUT")" "username	given_name	surname	roles	institutions	grade	state" \
	"list without a filter: the find columns"

# ---- usage -----------------------------------------------------------------------
run 64 ulogin-user list --blocked --locked
stderr_has "give one of --blocked, --locked, --expired and --must-change" \
	"two state filters"
run 64 ulogin-user list --expiring soon
stderr_has -- "--expiring needs a duration" "a bad duration"
run 64 ulogin-user list --idle 0
stderr_has -- "--idle needs a duration" "a zero duration"
run 64 ulogin-user find --blocked --name x
stderr_has "unknown option '--blocked'" "the filters are list's"

done_testing

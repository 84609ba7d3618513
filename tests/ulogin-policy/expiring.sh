#!/bin/sh
# ulogin-policy expiring: exactly the accounts whose pwdChangedTime plus
# the pwdMaxAge of their linked policy falls within the window (not
# already expired, not later), soonest first, with the date and the days
# left; --institution filters; tsv, csv and json for scripts.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

run 0 ulogin-policy apply -q
# Two overrides, so that the linked policy differs from the level's:
# magn0001 (grade 5, mellemtrin: never expires) gets udskoling (365d),
# jona0001 (grade 9, udskoling) gets mellemtrin.
run 0 ulogin-policy set magn0001 udskoling -q
run 0 ulogin-policy set jona0001 mellemtrin -q

now=$(date -u +%s)
H=3600 D=86400
gtime() { date -u -d "@$1" +%Y%m%d%H%M%SZ; }
changed_at() {	# changed_at USER EPOCH: pwdChangedTime, as the rootdn
	printf 'dn: %s\nchangetype: modify\nreplace: pwdChangedTime\n%s\n' \
		"$(people "$1")" "pwdChangedTime: $(gtime "$2")" |
	ldapmodify -e relax -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
}
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
epoch() {	# epoch GENERALIZED-TIME
	date -u -d "$(echo "$1" |
		sed -E 's/^(....)(..)(..)(..)(..)(..).*Z$/\1-\2-\3 \4:\5:\6/')" +%s
}
max_age() {	# max_age USER: pwdMaxAge of the policy the user is linked to
	local a
	a=$(ldap_attr "$(ldap_attr "$(people "$1")" pwdPolicySubentry)" pwdMaxAge)
	echo "${a:-0}"
}

# expires_in USER SECONDS: set pwdChangedTime (operational: the rootdn with
# the Relax Rules control) so that the password expires SECONDS from now.
expires_in() {
	local changed=$((now + $2 - $(max_age "$1")))
	changed_at "$1" "$changed"
	ok $? "ldapmodify -e relax: $1's password expires in $2 s"
	echo "$((now + $2))" >"$TEST_TMP/expiry.$1"
}
expires_in mett0001 $((1 * D + H))	# staff, 280001: in, 1 day
expires_in magn0001 $((5 * D + H))	# override udskoling, 280001: in
expires_in noah0001 $((7 * D + H))	# udskoling, 280001: in
expires_in thom0001 $((13 * D + H))	# parent, 280002: in
expires_in henr0001 $((14 * D - H))	# staff, 280002: in, just
expires_in hann0001 $((14 * D + H))	# staff, 280002: out, just
expires_in lars0001 $((-1 * D))	# staff: expired yesterday
expires_in joer0001 $((-1 * H))	# staff: expired an hour ago
# Policies without a max age: never expire, however old the password.
changed_at soer0001 $((now - 400 * D)) &&
	changed_at jona0001 $((now - 360 * D))
ok $? "soer0001 (pictures) and jona0001 (override mellemtrin): old passwords"
is "$(max_age magn0001)" 31536000 "magn0001 is linked to a policy of 365 days"
is "$(max_age jona0001)" 0 "jona0001 is linked to a policy without max age"

# What the window should hold, worked out from the directory alone: every
# account with pwdChangedTime, plus the pwdMaxAge of its linked policy;
# blocked and left accounts are not expiring (ulogin(7), STATES).
expected() {	# expected SECONDS [INSTITUTION...]
	local within=$1 u changed age e
	shift
	ldap_search "ou=people,$ULOGIN_BASE" \
		'(&(objectClass=uloginAccount)(pwdChangedTime=*))' uid |
		sed -n 's/^uid: //p' |
	while read -r u; do
		if [ $# -gt 0 ]; then
			ldap_attr "$(people "$u")" uloginInstitution |
				grep -qxF -e "$@" || continue
		fi
		[ "$(ldap_attr "$(people "$u")" pwdAccountLockedTime)" = \
			000001010000Z ] && continue
		[ -n "$(ldap_attr "$(people "$u")" uloginLeftAt)" ] && continue
		changed=$(epoch "$(ldap_attr "$(people "$u")" pwdChangedTime)")
		age=$(max_age "$u")
		[ "$age" -gt 0 ] || continue
		e=$((changed + age))
		[ "$e" -ge "$now" ] && [ "$e" -le $((now + within)) ] &&
			printf '%s %s\n' "$e" "$u"
	done | sort -n | cut -d' ' -f2 | tr '\n' ' '
}
listed() { tail -n +2 "$OUT" | cut -f1 | tr '\n' ' '; }
col() {	# col USER N: column N of USER's row
	awk -F '\t' -v u="$1" -v n="$2" '$1 == u { print $n }' "$OUT"
}

is "$(expected $((14 * D)))" "mett0001 magn0001 noah0001 thom0001 henr0001 " \
	"(the directory: five passwords expire within 14 days)"

# ---- --within 14d, the default ------------------------------------------
run 0 ulogin-policy expiring --within 14d -o tsv
is "$(head -n 1 "$OUT")" \
	"$(printf '%s\t' username name mail mobile institutions policy expires |
		sed 's/$/days_left/')" \
	"the tsv columns"
is "$(listed)" "$(expected $((14 * D)))" \
	"--within 14d lists exactly those, soonest first"
for u in mett0001 magn0001 noah0001 thom0001 henr0001; do
	is "$(col "$u" 7)" "$(iso "$(cat "$TEST_TMP/expiry.$u")")" \
		"$u: expires = pwdChangedTime + pwdMaxAge"
done
is "$(col mett0001 8)" 1 "mett0001: 1 day left (1 day 1 hour)"
is "$(col magn0001 8)" 5 "magn0001: 5 days left"
is "$(col noah0001 8)" 7 "noah0001: 7 days left"
is "$(col thom0001 8)" 13 "thom0001: 13 days left"
is "$(col magn0001 6)" udskoling "magn0001: the linked policy (override), not the level's"
is "$(col noah0001 6)" udskoling "noah0001: policy udskoling"
is "$(col thom0001 6)" parent "thom0001: policy parent"
is "$(col mett0001 2)" "Mette Holm" "the name"
is "$(col mett0001 3)" "$(ldap_attr "$(people mett0001)" mail)" "the mail address"
is "$(col thom0001 5)" 280002 "the institution"
! grep -Eq '^(hann0001|lars0001|joer0001|soer0001|jona0001)	' "$OUT"
ok $? "not listed: hann0001 (later), lars0001 joer0001 (expired), soer0001 jona0001"
cp "$OUT" "$TEST_TMP/14d"
run 0 ulogin-policy expiring -o tsv
is "$(cut -f1,6,8 "$OUT")" "$(cut -f1,6,8 "$TEST_TMP/14d")" \
	"without --within the window is 14 days"

# ---- other windows ---------------------------------------------------------
run 0 ulogin-policy expiring --within 7d -o tsv
is "$(listed)" "$(expected $((7 * D)))" "--within 7d: exactly those of the directory"
is "$(listed)" "mett0001 magn0001 " "--within 7d: mett0001 and magn0001"
run 0 ulogin-policy expiring --within 26h -o tsv
is "$(listed)" "mett0001 " "--within 26h: only mett0001 (25 hours)"
run 0 ulogin-policy expiring --within 24h -o tsv
is "$(listed)" "" "--within 24h: nobody"
run 0 ulogin-policy expiring --within 400d -o tsv
is "$(listed | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(expected $((400 * D)) | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"--within 400d: also everyone who changed password when the school was loaded"
is "$(tail -n +2 "$OUT" | cut -f7)" "$(tail -n +2 "$OUT" | cut -f7 | sort)" \
	"--within 400d: soonest first (equal dates in any order)"
! grep -q '^malt0001	' "$OUT"
ok $? "--within 400d: not the blocked malt0001 (nobody warns a blocked account)"

# ---- --institution ------------------------------------------------------------
run 0 ulogin-policy expiring --within 14d --institution 280002 -o tsv
is "$(listed)" "$(expected $((14 * D)) 280002)" "--institution 280002: exactly its users"
is "$(listed)" "thom0001 henr0001 " "--institution 280002: thom0001 and henr0001"
run 0 ulogin-policy expiring --within 14d --institution 280001 -o tsv
is "$(listed)" "mett0001 magn0001 noah0001 " "--institution 280001: the other three"
run 0 ulogin-policy expiring --within 14d --institution 280001 \
	--institution 280002 -o tsv
is "$(listed)" "$(expected $((14 * D)))" "both institutions: all five"
run 0 ulogin-policy expiring --within 14d --institution 999999 -o tsv
is "$(listed)" "" "an institution nobody belongs to: nobody"

# ---- json and csv ---------------------------------------------------------------
run 0 ulogin-policy expiring --within 14d -o json
for k in username name mail mobile institutions policy expires days_left; do
	is "$(grep -c "^    \"$k\": " "$OUT")" 5 "json: every object has \"$k\""
done
stdout_has '^    "username": "mett0001",$' "json: mett0001"
stdout_has "^    \"expires\": \"$(iso "$(cat "$TEST_TMP/expiry.mett0001")")\",\$" \
	"json: mett0001's expiry date"
if command -v jq >/dev/null 2>&1; then
	is "$(jq -r '.[] | .username' "$OUT" | tr '\n' ' ')" \
		"$(expected $((14 * D)))" "jq reads the same five users, in order"
	is "$(jq -r '.[0].institutions | type' "$OUT")" array \
		"json: institutions is a list"
fi
run 0 ulogin-policy expiring --within 14d -o csv
# (No field here has a comma or a quote inside: strip the quotes.)
is "$(head -n 1 "$OUT" | tr -d '\r"')" \
	"username,name,mail,mobile,institutions,policy,expires,days_left" \
	"the csv header"
is "$(tail -n +2 "$OUT" | tr -d '\r"' | cut -d, -f1 | tr '\n' ' ')" \
	"$(expected $((14 * D)))" "csv: the same five users"

# ---- usage -----------------------------------------------------------------------
run 64 ulogin-policy expiring --within soon
stderr_has -- '--within' "a bad duration is a usage error"
run 64 ulogin-policy expiring --within 0
run 64 ulogin-policy expiring extra

done_testing

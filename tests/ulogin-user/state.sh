#!/bin/sh
# The one account state (ulogin(7), STATES): one account in each state,
# and the same state in ulogin-user show, find, list and ulogin-import
# show.  Each case also holds a fact of lower precedence (most must
# change their password), so that the precedence is what decides:
# left, blocked, locked-out, pending-migration, reset-window-open,
# expired, must-change, idle, active.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
B=$ULOGIN_BASE
gtime() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
dm_ldif() {	# LDIF on stdin, as the directory manager (-e relax: server attributes)
	ldapmodify -e relax -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
}
set_must_change() {	# set_must_change USER...: pwdReset TRUE, as an administrator's reset leaves it
	for u in "$@"; do
		printf 'dn: %s\nchangetype: modify\nreplace: pwdReset\npwdReset: TRUE\n\n' \
			"$(people "$u")"
	done | dm_ldif
}
old_password() {	# old_password USER: changed 400 days ago (the default policy: 365)
	printf 'dn: %s\nchangetype: modify\nreplace: pwdChangedTime\npwdChangedTime: %s\n' \
		"$(people "$1")" "$(gtime '-400 days')" | dm_ldif
}

# ---- the cases ---------------------------------------------------------------
# must-change: the case where ulogin-import show said "active".
set_must_change aase0001
ok $? "aase0001 must change password (pwdReset)"
# expired, and must change too.
old_password noah0001 && set_must_change noah0001
ok $? "noah0001's password was changed 400 days ago"
# reset-window-open: a window an administrator opened, over an expired
# password that must be changed.
old_password astr0001 && set_must_change astr0001
printf 'dn: cn=reset,%s\nobjectClass: uloginResetWindow\nobjectClass: dynamicObject\ncn: reset\n' \
	"$(people astr0001)" | ldapadd -x -H "$ULOGIN_URI" -D "$(people kirs0001)" \
	-y "$_sandbox/kirs0001.pw" >/dev/null 2>&1
ok $? "kirs0001 opens a reset window for astr0001 (ldapadd of a dynamic entry)"
# pending-migration: attached only through a source being phased out,
# and must change (which used to hide it).
dm_ldif <<EOF
dn: cn=oldcsv,ou=imports,$B
changetype: add
objectClass: uloginImportSource
cn: oldcsv
uloginSourceKind: csv
uloginDeprecated: TRUE

dn: $(people will0001)
changetype: modify
replace: uloginSource
uloginSource: oldcsv
-
replace: pwdReset
pwdReset: TRUE
EOF
ok $? "will0001 is attached only through the deprecated source oldcsv"
# locked-out: wrong passwords, over an expired password.
old_password henr0001
lock_out henr0001
bind_as henr0001 "$(cat "$_sandbox/henr0001.pw")"
is "$?" 49 "henr0001 is locked out after wrong passwords"
# blocked: the example's malt0001, who must change too.
set_must_change malt0001
# left: as the import leaves a leaver: blocked and marked.
dm_ldif <<EOF
dn: $(people sofi0001)
changetype: modify
replace: uloginLeftAt
uloginLeftAt: $(gtime '-2 days')
-
replace: pwdAccountLockedTime
pwdAccountLockedTime: 000001010000Z
-
replace: uloginBlockReason
uloginBlockReason: left: no longer in import source 'example'
-
replace: pwdReset
pwdReset: TRUE
EOF
ok $? "sofi0001 has left (blocked and marked, as the import does)"
# idle: never logged in, and made three years ago.
printf 'dn: %s\nchangetype: modify\nreplace: createTimestamp\ncreateTimestamp: %s\n' \
	"$(people mads0001)" "$(gtime '-3 years')" | dm_ldif
ok $? "mads0001 was made three years ago and never logged in"
# active: karl0001 logs in.
ldappasswd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-s 'Karla-Pass-2026x' "$(people karl0001)" >/dev/null 2>&1
printf 'dn: %s\nchangetype: modify\ndelete: pwdReset\n' "$(people karl0001)" | dm_ldif
bind_as karl0001 'Karla-Pass-2026x'
ok $? "karl0001 logs in"

# ---- every program says the same -----------------------------------------------
run 0 ulogin-user list -o tsv
cp "$OUT" "$TEST_TMP/list"
run 0 ulogin-import show example -o tsv
cp "$OUT" "$TEST_TMP/import"
run 0 ulogin-import show oldcsv -o tsv
cp "$OUT" "$TEST_TMP/import-old"
cell() {	# cell FILE USER COLUMN
	awk -F '\t' -v u="$2" -v n="$3" '$1 == u { print $n }' "$1"
}
agree() {	# agree USER STATE REASON-REGEX
	run 0 ulogin-user show "$1" -o json
	is "$(jq -r .state "$OUT")" "$2" "$1: ulogin-user show says $2"
	jq -e --arg re "$3" '.state_reason | test($re)' "$OUT" >/dev/null
	ok $? "$1: and why ($3)"
	is "$(cell "$TEST_TMP/list" "$1" 7)" "$2" "$1: ulogin-user list says $2"
	run 0 ulogin-user find --name "$1" -o tsv
	is "$(cell "$OUT" "$1" 7)" "$2" "$1: ulogin-user find says $2"
	src=$TEST_TMP/import
	[ "$1" = will0001 ] && src=$TEST_TMP/import-old
	is "$(cell "$src" "$1" 6)" "$2" "$1: ulogin-import show says $2"
}
agree sofi0001 left "^left the school on "
agree malt0001 blocked "^blocked by kirs0001 on .*: Blocked by the school"
agree henr0001 locked-out "^too many wrong passwords; unlocks at "
agree will0001 pending-migration "deprecated CSV import"
agree astr0001 reset-window-open "^a password reset window is open until .*, opened by kirs0001$"
agree noah0001 expired "^the password expired on "
agree aase0001 must-change "^must choose a new password at the next login$"
agree mads0001 idle "^never logged in since it was made on "
agree karl0001 active "^not blocked"

run 0 ulogin-user show astr0001 -o json
jq -e '.reset_until != null and .reset_by == "kirs0001"' "$OUT" >/dev/null
ok $? "show: the window's end and who opened it"

# When the window is gone, the next state shows.
ldapdelete -x -H "$ULOGIN_URI" -D "$(people kirs0001)" -y "$_sandbox/kirs0001.pw" \
	"cn=reset,$(people astr0001)" >/dev/null 2>&1
ok $? "the window is closed (ldapdelete)"
run 0 ulogin-user list -o tsv
cp "$OUT" "$TEST_TMP/list"
run 0 ulogin-import show example -o tsv
cp "$OUT" "$TEST_TMP/import"
agree astr0001 expired "^the password expired on "

# An administrator's view is the same (as far as she may see).
as kirs0001
run 0 ulogin-user show aase0001 -o json
is "$(jq -r .state "$OUT")" must-change "as kirs0001: aase0001 must-change too"
run 0 ulogin-user list --institution 280001 -o tsv
is "$(cell "$OUT" malt0001 7)" blocked "as kirs0001: list says malt0001 blocked"

# A teacher sees the state an administrator sees: a student who never
# logged in, made three years ago, is idle to both (teachers read
# createTimestamp, as the state needs).
printf 'dn: %s\nchangetype: modify\nreplace: createTimestamp\ncreateTimestamp: %s\n' \
	"$(people fred0001)" "$(gtime '-3 years')" | (as_manager && dm_ldif)
ok $? "fred0001 was made three years ago (Relax Rules control)"
run 0 ulogin-user show fred0001 -o json
is "$(jq -r .state "$OUT")" idle "as kirs0001: fred0001 is idle"
run 0 ulogin-user list --idle 2y -o tsv
cut -f1 "$OUT" | grep -qx fred0001
ok $? "as kirs0001: list --idle 2y lists fred0001"
as mett0001
run 0 ulogin-user show fred0001 -o json
is "$(jq -r .state "$OUT")" idle "as mett0001, her teacher: idle too"
run 0 ulogin-user list --idle 2y -o tsv
cut -f1 "$OUT" | grep -qx fred0001
ok $? "as mett0001: list --idle 2y lists fred0001 too"
ldap_search "$(people fred0001)" '(objectClass=*)' createTimestamp >"$TEST_TMP/ct" 2>&1
grep -q '^createTimestamp: ' "$TEST_TMP/ct"
ok $? "slapd lets mett0001 read fred0001's createTimestamp"
ldap_search "$(people noah0001)" '(objectClass=*)' createTimestamp >"$TEST_TMP/ct" 2>&1
grep -q '^createTimestamp: ' "$TEST_TMP/ct"
is $? 1 "but not that of noah0001, whom she does not teach"

done_testing

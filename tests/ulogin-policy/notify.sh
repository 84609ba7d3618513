#!/bin/sh
# ulogin-expiry-notify: warnings by mail and SMS on the notice days only.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
sandbox_start --example

run 0 ulogin-policy apply -q
# Passwords changed so that they expire in 7 days (mett0001, with mail),
# 7 days (pete0001, given a mobile), 10 days (lars0001): the staff and
# parent policies have a 365-day maximum age.  pwdChangedTime is the
# server's, so the rootdn sets it with the Relax Rules control.
changed() {	# changed USER DAYS-LEFT
	t=$(date -u -d "@$(( $(date +%s) - (365 - $2) * 86400 + 3600 ))" +%Y%m%d%H%M%SZ)
	printf 'dn: %s\nchangetype: modify\nreplace: pwdChangedTime\npwdChangedTime: %s\n' \
		"$(people "$1")" "$t" |
	ldapmodify -e relax -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
}
changed mett0001 7 && changed pete0001 7 && changed lars0001 10
ok $? "ldapmodify -e relax sets three pwdChangedTime values"
printf 'dn: %s\nchangetype: modify\nreplace: mobile\nmobile: +4512345678\n-\ndelete: mail\n' \
	"$(people pete0001)" | ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
ok $? "pete0001 has a mobile number and no mail"

# --dry-run: what would be sent, as JSON, on the default days 14,7,1.
run 0 ulogin-expiry-notify --dry-run --sms-command true
is "$(jq -r '[.[] | "\(.username):\(.channel):\(.days_left)"] | sort | join(" ")' "$OUT")" \
	"mett0001:mail:7 pete0001:sms:7" "dry run: mett0001 by mail, pete0001 by SMS; lars0001 (10 days) not today"
jq -e '.[] | select(.username == "mett0001") | .to == "mette.holm@bakkeskolen.example.org"' "$OUT" >/dev/null
ok $? "dry run: mail goes to the user's address"
# The notifier's own service account (what cron runs it as) reads what
# it needs, and finds the same.
cp "$OUT" "$TEST_TMP/as-manager.json"
as notify
run 0 ulogin-expiry-notify --dry-run --sms-command true
same_text "$OUT" "$TEST_TMP/as-manager.json" \
	"as the notify service: the same notices as the directory manager's"
as_manager

# Real sending through a mail command and an SMS hook.
mailbox=$TEST_TMP/mail
smsbox=$TEST_TMP/sms
run 0 ulogin-expiry-notify --mail-command "cat >>'$mailbox'" \
	--sms-command "sh -c 'printf \"%s \" \"\$1\"; cat' hook >>'$smsbox'" \
	--from helpdesk@example.dk
grep -q '^To: mette.holm@bakkeskolen.example.org$' "$mailbox"
ok $? "mail: To:"
grep -q '^From: helpdesk@example.dk$' "$mailbox"
ok $? "mail: From: as given"
grep -q '^Subject: Your password expires in 7 days$' "$mailbox"
ok $? "mail: Subject: names the days"
grep -q 'Your password for mett0001 expires in 7 days' "$mailbox"
ok $? "mail: the text"
is "$(grep -c '^To:' "$mailbox")" 1 "exactly one mail"
grep -q '^+4512345678 Your password for pete0001 expires in 7 days' "$smsbox"
ok $? "SMS: the hook got the number and the text"

# A blocked account is not warned: its state is blocked, not expiring
# (the same state as ulogin-user list --expiring).
changed hann0001 7 && printf 'dn: %s\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n' \
	"$(people hann0001)" | ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
ok $? "hann0001's password expires in 7 days, and she is blocked"
run 0 ulogin-expiry-notify --dry-run
stdout_lacks '"hann0001"' "the blocked hann0001 gets no notice"
run 0 ulogin-user list --expiring 8d -o tsv
stdout_lacks '^hann0001	' "(nor is she in ulogin-user list --expiring)"

# A mail address with a line break (a manager's typo, or worse) never
# becomes a header: the notice is refused and said, escaped.
changed joer0001 7 && printf 'dn: %s\nchangetype: modify\nreplace: mail\nmail:: %s\n' \
	"$(people joer0001)" "$(printf 'j@example.dk\nBcc: evil@example.org' | base64 -w0)" |
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
ok $? "joer0001 (7 days) has a mail address with a line break in it"
: >"$mailbox"
run 1 ulogin-expiry-notify --mail-command "cat >>'$mailbox'"
! grep -q 'Bcc' "$mailbox"
ok $? "no Bcc: header reached the mail command"
! grep -q 'joer0001' "$mailbox"
ok $? "no mail for joer0001 at all"
stderr_has "^ulogin-expiry-notify: cannot warn 'joer0001': the mail address is not one plain address: 'j@example.dk\\\\nBcc: evil@example.org'\$" \
	"refused, and said with the line break escaped"
grep -q '^To: mette.holm@bakkeskolen.example.org$' "$mailbox"
ok $? "the others are still warned"
run 64 ulogin-expiry-notify --from 'helpdesk@example.dk
Bcc: evil@example.org'
stderr_has "^ulogin-expiry-notify: --from needs one plain mail address" \
	"a --from with a line break is a usage error"
printf 'dn: %s\nchangetype: modify\nreplace: mail\nmail: joer@example.dk\n' \
	"$(people joer0001)" | ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1

# A failing mail command is reported, exit 1.
changed kirs0001 1
run 1 ulogin-expiry-notify --mail-command false
stderr_has "cannot send mail to 'kirs0001'" "a failed send is reported"

# Without any channel a due user is reported, but that is no failure.
run 0 ulogin-expiry-notify --no-mail
stderr_has "warning: cannot warn 'mett0001': no mail address or mobile number" \
	"no channel: reported as a warning"

run 64 ulogin-expiry-notify --days soon
stderr_has "^ulogin-expiry-notify: --days needs numbers" "bad --days"

done_testing

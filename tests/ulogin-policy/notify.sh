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

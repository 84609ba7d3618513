#!/bin/sh
# The readline shell (no command on a terminal, or --interactive) and the
# confirmation of deletes on a terminal.  'script' gives the program a
# real pseudo-terminal.
. "$top_srcdir/tests/lib.sh"
command -v script >/dev/null 2>&1 || skip_all "script(1) is not installed (bsdutils)"
sandbox_start --example

# Several commands over one connection; per-line options apply per line.
run_in 'show soer0001 -o json
find --name kirs -o tsv
bogus
list --role support -o csv
quit
' 0 ulogin-user --interactive
stdout_has '"username": "soer0001"' "show in the shell prints JSON"
stdout_has "^kirs0001	Kirsten	Brandt" "find in the shell prints tsv"
stdout_has '^"sann0001","Sanna","Krog"' "the next line's -o csv applies to it"
stderr_has "^ulogin-user: unknown command 'bogus'$" "an unknown command is reported"
# Two commands in one session.
run_in 'show soer0001
show aase0001
' 0 ulogin-user --interactive -o tsv
is "$(grep -c '^username	' "$OUT")" 2 "two shows in one session"

# An unclosed quote is a usage error, and the shell goes on.
run_in "find --name 'open
show soer0001 -o tsv
" 0 ulogin-user --interactive
stderr_has "a quote is not closed" "unclosed quote reported"
stdout_has "^username	soer0001$" "the shell went on after the error"

# No command and no terminal: a usage error, not a shell.
run 64 ulogin-user
stderr_has "^ulogin-user: missing command$" "no command without a terminal"

# No command on a terminal: the shell.
printf 'show soer0001 -o tsv\nquit\n' | script -qec "ulogin-user" /dev/null \
	>"$OUT" 2>"$ERR"
ok $? "ulogin-user on a terminal starts the shell and quits"
grep -q 'ulogin-user> ' "$OUT"
ok $? "the shell shows its prompt"
grep -q 'soer0001' "$OUT"
ok $? "the shell ran the command"

# delete on a terminal asks; 'n' keeps the user, 'y' deletes.
printf 'n\n' | script -qec "ulogin-user delete fred0001" /dev/null \
	>"$OUT" 2>&1
ok $? "declining a delete is not an error"
grep -q "Delete user 'fred0001' (Frederikke Hansen)? This cannot be undone. \[y/N\]" "$OUT"
ok $? "delete asks, naming the user"
ldap_exists "$(people fred0001)"
ok $? "after 'n' the user is still there"
printf 'y\n' | script -qec "ulogin-user delete fred0001" /dev/null \
	>"$OUT" 2>&1
ok $? "confirmed delete succeeds"
ldap_exists "$(people fred0001)"
ok $((! $?)) "after 'y' the user is gone"

# Connection options cannot change inside the shell; the session goes on.
run_in 'show kirs0001 -b dc=nowhere,dc=dk
show kirs0001 -o tsv
' 0 ulogin-user --interactive
stderr_has "connection options cannot change inside the shell" \
	"-b on a shell line is refused"
stdout_has "^username	kirs0001$" "the next line still works"

# -W asks on the terminal, without echo.
(sleep 1; cat "$ULOGIN_PASSWORD_FILE"; printf '\n') |
	script -qec "ulogin-user -c /dev/null -H '$ULOGIN_URI' -b '$ULOGIN_BASE' -D '$ULOGIN_BIND_DN' -W show soer0001 -o tsv" /dev/null \
	>"$OUT" 2>&1
ok $? "-W: the password typed at the prompt logs in"
grep -q "Password for $ULOGIN_BIND_DN: " "$OUT"
ok $? "-W: the prompt names the bind DN"
grep -q "^username	soer0001" "$OUT"
ok $? "-W: the command ran"
! grep -q "$(cat "$ULOGIN_PASSWORD_FILE")" "$OUT"
ok $? "-W: the password was not echoed"

done_testing

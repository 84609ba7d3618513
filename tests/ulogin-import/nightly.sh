#!/bin/sh
# ulogin-nightly-import, the cron wrapper: ulogin-import's exit status
# passed through, every line logged with a time stamp, one run per lock
# file (75 while another holds it), and the output mailed when a run fails.
. "$top_srcdir/tests/lib.sh"
command -v flock >/dev/null 2>&1 || skip_all "flock is not installed (util-linux)"
command -v bash >/dev/null 2>&1 || skip_all "bash is not installed"
sandbox_start --example
allow_sources storskole=280009
run 0 ulogin-policy apply -q

log=$TEST_TMP/import.log
lock=$TEST_TMP/import.lock
mailbox=$TEST_TMP/mailbox
roster=$top_srcdir/data/example-roster.csv
# A sendmail that keeps what it is given, first on PATH.
mkdir "$TEST_TMP/bin"
cat >"$TEST_TMP/bin/sendmail" <<EOF
#!/bin/sh
printf 'args: %s\n' "\$*" >>'$mailbox'
cat >>'$mailbox'
EOF
chmod +x "$TEST_TMP/bin/sendmail"
PATH=$TEST_TMP/bin:$PATH
export PATH

# ---- usage -----------------------------------------------------------------

run 0 ulogin-nightly-import --help
stdout_has '^Usage: ulogin-nightly-import ' "--help prints the usage on stdout"
run 64 ulogin-nightly-import --log "$log"
stderr_has "^ulogin-nightly-import: nothing to import" "no arguments for ulogin-import: usage error"
stderr_has "^Try 'ulogin-nightly-import --help'\\.$" "usage error: a Try line"
run 64 ulogin-nightly-import --no-such-option -- "$roster" --source bakkeskolen --no-initial-passwords
stderr_has "unknown option '--no-such-option'" "an unknown option is named"
run 64 ulogin-nightly-import --mail nobody -- "$roster" --source bakkeskolen --no-initial-passwords
stderr_has "--mail needs an address" "--mail without an address"
[ ! -e "$log" ]
ok $? "usage errors write no log"

# ---- a good run: exit 0, logged, nothing mailed ----------------------------

run 0 ulogin-nightly-import --log "$log" --lock "$lock" --mail it@kommune.example \
	-- "$roster" --source bakkeskolen --no-initial-passwords
stdout_empty "a good run prints nothing on stdout"
[ ! -s "$ERR" ]
ok $? "a good run prints nothing on stderr"
[ ! -e "$mailbox" ]
ok $? "a good run mails nothing"
is "$(ldap_attr "$(people ida0001)" uloginSource)" bakkeskolen \
	"the roster was imported (ida0001 is attached to bakkeskolen)"
stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4} \[bakkeskolen\]'
grep -Eq "^$stamp ulogin-nightly-import: start: ulogin-import run .*example-roster.csv --source bakkeskolen --no-initial-passwords --no-progress\$" "$log"
ok $? "log: a start line with the time, the source and the command"
grep -Eq "^$stamp ulogin-import: 'bakkeskolen': 8 rows, 8 added, " "$log"
ok $? "log: ulogin-import's summary line, time-stamped"
grep -Eq "^$stamp ulogin-nightly-import: end: exit 0 \\(done\\) after [0-9]+s\$" "$log"
ok $? "log: an end line with the exit status"
[ -z "$(find "$log" -perm /077)" ]
ok $? "log: created readable by its owner only"

# ---- a broken file: 65 passed through, output mailed ------------------------

printf 'ElevID,Fornavn\n"BAK-1,Ida\n' >"$TEST_TMP/broken.csv"
run 65 ulogin-nightly-import --log "$log" --lock "$lock" --mail it@kommune.example \
	--mail rektor@bakkeskolen.example.org -- "$TEST_TMP/broken.csv" --source bakkeskolen --no-initial-passwords
grep -Eq "^$stamp ulogin-import: cannot read '.*broken.csv': line 2 " "$log"
ok $? "log: ulogin-import's error, time-stamped"
grep -Eq "^$stamp ulogin-nightly-import: end: exit 65 " "$log"
ok $? "log: the end line gives exit 65"
grep -q '^args: -t -oi$' "$mailbox"
ok $? "mail: sendmail -t -oi was run"
grep -q '^To: it@kommune.example,rektor@bakkeskolen.example.org$' "$mailbox"
ok $? "mail: To: both addresses"
grep -q "^Subject: ulogin-import of 'bakkeskolen' on .*: exit 65 " "$mailbox"
ok $? "mail: the subject names the source and the exit status"
grep -q "^ulogin-import: cannot read '.*broken.csv': line 2 (byte [0-9]*): " "$mailbox"
ok $? "mail: the body holds ulogin-import's output"
grep -q '^hint: nothing was changed' "$mailbox"
ok $? "mail: the hint too"
grep -Eq "^$stamp ulogin-nightly-import: output mailed to it@kommune.example rektor@bakkeskolen.example.org\$" "$log"
ok $? "log: the mail is noted"

# Without --mail the output goes to cron, on stderr.
run 65 ulogin-nightly-import --log "$log" --lock "$lock" \
	-- "$TEST_TMP/broken.csv" --source bakkeskolen --no-initial-passwords
stderr_has "^ulogin-import: cannot read '.*broken.csv'" "no --mail: a failed run's output on stderr"

# ---- partly done: 1 passed through -----------------------------------------

{
	head -n 1 "$roster"
	tail -n +2 "$roster"
	echo 'BAK-1099,Rasmus,Rask,Rektor,280001,,,,,,,'
} >"$TEST_TMP/one-bad.csv"
rm -f "$mailbox"
run 1 ulogin-nightly-import --log "$log" --lock "$lock" --mail it@kommune.example \
	-- "$TEST_TMP/one-bad.csv" --source bakkeskolen --no-initial-passwords
grep -q "one-bad.csv:10: key=BAK-1099: unknown role 'Rektor'" "$mailbox"
ok $? "exit 1: the bad row is mailed"
grep -Eq "^$stamp ulogin-nightly-import: end: exit 1 " "$log"
ok $? "log: exit 1"

# ---- the lock file held by another: 75, ulogin-import not run ---------------

flock "$lock" sleep 60 >/dev/null 2>&1 </dev/null &
holder=$!
i=0
while flock -n "$lock" true 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
rm -f "$mailbox"
lines=$(grep -c 'start: ulogin-import run' "$log")
run 75 ulogin-nightly-import --log "$log" --lock "$lock" --mail it@kommune.example \
	-- "$roster" --source bakkeskolen --no-initial-passwords
stderr_has "^ulogin-nightly-import: another ulogin-nightly-import holds '.*import.lock'" \
	"lock held: said on stderr"
is "$(grep -c 'start: ulogin-import run' "$log")" "$lines" "lock held: ulogin-import was not run"
grep -Eq "^$stamp ulogin-nightly-import: another ulogin-nightly-import holds " "$log"
ok $? "lock held: noted in the log"
grep -q "^Subject: .*exit 75 " "$mailbox"
ok $? "lock held: mailed"
# flock's child, the sleep, holds the lock too: end both.
sleeper=$(ps -o pid= --ppid "$holder" 2>/dev/null)
kill $sleeper "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

run 0 ulogin-nightly-import --log "$log" --lock "$lock" -- "$roster" --source bakkeskolen --no-initial-passwords
stderr_is "" "the lock released: the next run goes ahead (and changes nothing)"

# ---- no mailer at all: said in the log ---------------------------------------

if [ -x /usr/sbin/sendmail ] || [ -x /usr/lib/sendmail ] ||
	PATH=${PATH#"$TEST_TMP/bin:"} command -v sendmail >/dev/null 2>&1 ||
	PATH=${PATH#"$TEST_TMP/bin:"} command -v mail >/dev/null 2>&1; then
	ok 0 "no mailer # SKIP this machine has sendmail or mail"
else
	saved_path=$PATH
	PATH=${PATH#"$TEST_TMP/bin:"}
	run 65 ulogin-nightly-import --log "$log" --lock "$lock" \
		--mail it@kommune.example -- "$TEST_TMP/broken.csv" --source bakkeskolen --no-initial-passwords
	PATH=$saved_path
	grep -Eq "^$stamp ulogin-nightly-import: cannot mail the output to it@kommune.example: neither sendmail nor mail is installed\$" "$log"
	ok $? "no mailer: said in the log"
	stderr_has "^ulogin-import: cannot read " "no mailer: the output goes to stderr instead"
fi

# ---- a signal: passed on once, the run stops cleanly ------------------------

# A school of 3000 pupils, long enough to stop midway.
awk 'BEGIN {
	print "ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre"
	for (i = 1; i <= 3000; i++)
		printf "S%04d,Elev%d,Hansen,Elev,280009,s%04d,%da,%d,,,,\n",
		    i, i, i, i % 10, i % 10
}' >"$TEST_TMP/big.csv"
big_users() {
	ldap_search "ou=people,$ULOGIN_BASE" '(uloginSource=storskole)' 1.1 |
		grep -c '^dn:'
}
# start_wrapper: the wrapper in a process group of its own ($wrapper), as
# timeout(1) runs it, once ulogin-import has added a user.
start_wrapper() {
	before=$(big_users)
	setsid ulogin-nightly-import --log "$log" --lock "$lock" \
		--mail it@kommune.example -- "$TEST_TMP/big.csv" --source storskole --no-initial-passwords \
		>"$OUT" 2>"$ERR" </dev/null &
	wrapper=$!
	wait_for_growth "$before" big_users
}
bigstamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4} \[storskole\]'
src=cn=storskole,ou=imports,$ULOGIN_BASE
rm -f "$mailbox"
start_wrapper
kill -TERM "$wrapper"
ok $? "SIGTERM reached the wrapper while ulogin-import ran"
wait "$wrapper"
is "$?" 75 "SIGTERM to the wrapper: exit 75, passed through"
grep -Eq "^$bigstamp ulogin-import: stopped by SIGTERM: [0-9]+ of the 3010 changes were made\$" "$log"
ok $? "log: ulogin-import stopped cleanly and said so"
grep -Eq "^$bigstamp ulogin-nightly-import: a signal came; it was passed on to ulogin-import as SIGTERM\$" "$log"
ok $? "log: the wrapper says it passed the signal on"
grep -Eq "^$bigstamp ulogin-nightly-import: end: exit 75 \(another run holds the lock, or a signal stopped the run" "$log"
ok $? "log: the end line, exit 75"
grep -q "^Subject: .*exit 75 " "$mailbox"
ok $? "the interrupted run is mailed"
is "$(ldap_attr "$src" uloginLock)" "" "the directory lock is released"
first=$(big_users)
[ "$first" -gt 0 ] && [ "$first" -lt 3000 ]
ok $? "the run stopped midway ($first of 3000 users)"

# timeout(1) signals the wrapper's whole process group: ulogin-import, in a
# session of its own, gets the signal once, from the wrapper, and still
# stops cleanly.
start_wrapper
kill -s TERM -- "-$wrapper"
ok $? "SIGTERM reached the wrapper's process group"
wait "$wrapper"
is "$?" 75 "SIGTERM to the process group: exit 75"
is "$(ldap_attr "$src" uloginLock)" "" "the directory lock is released again"
case $(ldap_attr "$src" uloginLastOutcome) in
"interrupted: stopped by SIGTERM with "*) ok 0 "the source records the run as interrupted" ;;
*) ok 1 "the source records the run as interrupted" ;;
esac
[ "$(big_users)" -gt "$first" ]
ok $? "the second run made more before it stopped"

run 0 ulogin-nightly-import --log "$log" --lock "$lock" -- "$TEST_TMP/big.csv" --source storskole --no-initial-passwords
is "$(big_users)" 3000 "the next run makes the rest: ldapsearch finds all 3000 users"

# ---- a log that cannot be written: 73 ----------------------------------------

run 73 ulogin-nightly-import --log "$TEST_TMP/no/such/dir/import.log" --lock "$lock" \
	-- "$roster" --source bakkeskolen --no-initial-passwords
stderr_has "cannot write log" "a log that cannot be written: exit 73"

done_testing

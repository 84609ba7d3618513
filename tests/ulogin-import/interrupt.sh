#!/bin/sh
# A run stopped by a signal (a cron job's timeout sends SIGTERM, a user
# presses Ctrl-C) sends no new change, records the ones on their way,
# records the run as interrupted and releases the lock (exit 75), so the
# next run finishes the work; more SIGTERMs (a shutdown) change nothing; a
# signal its parent told it to ignore (a background job's SIGINT) is
# ignored; a reader of its output that went away does not stop it.
. "$top_srcdir/tests/lib.sh"
sandbox_start
allow_sources skole andre tredje=280003 fjerde=280004
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1

# 3000 pupils, u0001-u3000, in ten classes: long enough to stop midway.
awk 'BEGIN {
	print "ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre"
	for (i = 1; i <= 3000; i++)
		printf "E%04d,Elev%d,Hansen,Elev,280001,u%04d,%da,%d,,,,\n",
		    i, i, i, i % 10, i % 10
}' >roster.csv
SRC=cn=skole,ou=imports,$ULOGIN_BASE
users() {	# the users below ou=people, by OpenLDAP's ldapsearch
	ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=uloginAccount)' 1.1 |
		grep -c '^dn:'
}
# start_run [FILE SOURCE]: ulogin-import in the background ($pid), once it
# has added a user (so the lock is held and writes are on their way).
start_run() {
	start_users=$(users)
	ulogin-import run --no-initial-passwords "${1:-roster.csv}" --source "${2:-skole}" \
		--report report.json >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	wait_for_growth "$start_users" users
}

# Two SIGTERMs, as a shutdown may send: the second changes nothing.
start_run
before=$(users)
kill -TERM "$pid"
ok $? "SIGTERM reached the running import (it had added $before of 3000)"
kill -TERM "$pid" 2>/dev/null
wait "$pid"
rc=$?
_last_cmd="ulogin-import run --no-initial-passwords roster.csv --source skole (SIGTERM twice midway)"
is "$rc" 75 "a run stopped by SIGTERM exits 75, also after a second one"
stderr_has "^ulogin-import: SIGTERM: stopping once the changes on their way are answered\$" \
	"it says it is stopping"
now=$(users)
stderr_has "^ulogin-import: stopped by SIGTERM: $now of the 3010 changes were made\$" \
	"it says how many changes were made: as many as ldapsearch finds users"
stderr_has "^hint: the lock is released; run again with the same input" \
	"the hint: run again"
is "$(ldap_attr "$SRC" uloginLock)" "" "the lock is released"
outcome=$(ldap_attr "$SRC" uloginLastOutcome)
is "$outcome" "interrupted: stopped by SIGTERM with $now of 3010 changes made" \
	"the source records the run as interrupted"
added=$(ldap_attr "$SRC" uloginLastCounts | sed -n 's/.* added=\([0-9]*\) .*/\1/p')
is "$now" "$added" "the users in the directory are the ones the recorded counts call added"
[ "$now" -lt 3000 ]
ok $? "the run stopped before the end ($now of 3000 users)"
stderr_has "'skole': 3000 rows, $now added, .* 0 failed, 0 classes added" \
	"the summary counts what was made, not what was planned"
is "$(jq -r .outcome report.json) $(jq .counts.added report.json)" "$outcome $now" \
	"--report has the outcome and the counts of what was made"

run 0 ulogin-import run --no-initial-passwords roster.csv --source skole
stderr_has "'skole': 3000 rows, $((3000 - now)) added, 0 changed, 0 left, 0 detached, $now unchanged, 0 skipped, 0 failed, 10 classes added" \
	"the next run makes the rest"
is "$(users)" 3000 "ldapsearch finds all 3000 users"
is "$(ldap_attr "cn=280001-7a,ou=classes,$ULOGIN_BASE" member | grep -c .)" 300 \
	"class 7a has its 300 pupils"
is "$(ldap_attr "$SRC" uloginLastOutcome)" ok "the source records the finished run"

# A background job of a script ignores SIGINT: so does the run.  Another
# school's 3000 pupils, v0001-v3000.
sed -e 's/,u\([0-9]*\),/,v\1,/' -e '2,$s/^E/F/' -e 's/,280001,/,280002,/' \
	roster.csv >other.csv
start_run other.csv andre
kill -INT "$pid"
ok $? "SIGINT reached the running import"
wait "$pid"
is "$?" 0 "the background run, which ignores SIGINT, finishes (exit 0)"
is "$(users)" 6000 "ldapsearch finds the other school's 3000 users too"

# Its output read by a program that went away (a log pipe that died): the
# run ends as usual, lock released, instead of dying of SIGPIPE.
sed -e 's/,u\([0-9]*\),/,w\1,/' -e '2,$s/^E/G/' -e 's/,280001,/,280003,/' \
	roster.csv >third.csv
{ ulogin-import run --no-initial-passwords third.csv --source tredje 2>&1 >/dev/null </dev/null
  echo $? >third.rc; } | true
is "$(cat third.rc)" 0 "with its output to a closed pipe, the run exits 0"
is "$(ldap_attr "cn=tredje,ou=imports,$ULOGIN_BASE" uloginLock)" "" "... and releases its lock"
is "$(ldap_attr "cn=tredje,ou=imports,$ULOGIN_BASE" uloginLastOutcome)" ok "... and records its outcome"
is "$(users)" 9000 "ldapsearch finds the third school's 3000 users"

# Ctrl-C twice: the second ends the program at once, and the lock stays
# for 'unlock'.  (env gives the background run a SIGINT that is not
# ignored; a wide window keeps it busy answering after the first one.)
sed -e 's/,u\([0-9]*\),/,x\1,/' -e '2,$s/^E/H/' -e 's/,280001,/,280004,/' \
	roster.csv >fourth.csv
start_users=$(users)
env --default-signal=INT ulogin-import run --no-initial-passwords fourth.csv --source fjerde --window 256 \
	>"$OUT" 2>"$ERR" </dev/null &
pid=$!
wait_for_growth "$start_users" users
kill -INT "$pid"
tries=0
until grep -q "SIGINT: stopping" "$ERR" || [ $tries -ge 200 ]; do
	sleep 0.01
	tries=$((tries + 1))
done
kill -STOP "$pid"
ok $? "after a first Ctrl-C, the run is still answering when the second comes"
stderr_has "^ulogin-import: SIGINT: stopping once the changes on their way are answered \(Ctrl-C again quits at once and leaves the lock\)\$" \
	"the first Ctrl-C: it says a second one quits at once"
kill -INT "$pid"
kill -CONT "$pid"
wait "$pid"
is "$?" 130 "the second Ctrl-C ends it at once (killed by SIGINT)"
case $(ldap_attr "cn=fjerde,ou=imports,$ULOGIN_BASE" uloginLock) in
*" $pid "*) ok 0 "the lock stays, naming the run's process" ;;
*) ok 1 "the lock stays, naming the run's process" ;;
esac
run 0 ulogin-import unlock --source fjerde --yes
run 0 ulogin-import run --no-initial-passwords fourth.csv --source fjerde
is "$(users)" 12000 "after unlock, a run makes the rest"
done_testing

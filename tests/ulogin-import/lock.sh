#!/bin/sh
# The lock of a run that died: a run killed outright (SIGKILL, the machine's
# out-of-memory killer) leaves its lock in the directory; the next run on the
# same host sees that its process is gone and takes the lock over (audited,
# said on stderr and in the summary) instead of waiting for 'unlock'.  A lock
# held on another host, by a process that still runs here, or that cannot be
# read is left alone: exit 75, naming the holder and its age.  unlock keeps
# the lock of a process that still runs here unless --force.
. "$top_srcdir/tests/lib.sh"
sandbox_start
allow_sources skole
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"

HOST=$(uname -n)
SRC=cn=skole,ou=imports,$ULOGIN_BASE

# 3000 pupils, u0001-u3000, in ten classes: long enough to kill midway.
pupils 3000 >roster.csv
set_lock() {	# set_lock VALUE: as another run would, with ldapmodify
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1 <<LDIF
dn: $SRC
changetype: modify
replace: uloginLock
uloginLock: $1
LDIF
	ok $? "ldapmodify sets the lock '$1'"
}
gtime() { date -u -d "@$1" +%Y%m%d%H%M%SZ; }	# gtime EPOCH
words() { date -u -d "@$1" '+%Y-%m-%d %H:%M UTC'; }	# as the messages say it
# The audit log's lock takeovers of skole, one JSON line each.
takeovers() {
	jq -c "select(.action == \"import.lock.takeover\" and .target == \"$SRC\")" \
		"$AUDIT_LOG"
}
re() { printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'; }	# as a regex

# ---- a run killed outright -----------------------------------------------------
ulogin-import run roster.csv --source skole --passwords pw1.csv \
	>"$OUT" 2>"$ERR" </dev/null &
pid=$!
wait_for_growth 0 users
kill -KILL "$pid"
wait "$pid"
is "$?" 137 "the run is killed by SIGKILL midway"
killed_at=$(users)
[ "$killed_at" -lt 3000 ]
ok $? "it had made $killed_at of the 3000 users"
lock=$(ldap_attr "$SRC" uloginLock)
case $lock in
"$HOST $pid "*) ok 0 "its lock stays, naming this host and its process ($lock)" ;;
*) ok 1 "its lock stays, naming this host and its process ($lock)" ;;
esac
since=$(date -u -d "$(echo "$lock" | sed -E 's/.* ([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z$/\1-\2-\3 \4:\5:\6/')" +%s)

run 0 ulogin-import run roster.csv --source skole --passwords pw2.csv
stderr_has "^ulogin-import: warning: took over the lock of source 'skole' from a run that died: process $pid on host $(re "$HOST") since $(words "$since") \([0-9]+ (s|min) ago\) is gone\$" \
	"the next run takes the lock over, and says whose it was"
stderr_has "^ulogin-import: 'skole': 3000 rows, $((3000 - killed_at)) added, .* 10 classes added, 0 classes changed, 0 classes removed; took over the lock of a dead run: process $pid on host $(re "$HOST") since " \
	"the summary says so too"
is "$(users)" 3000 "ldapsearch finds all 3000 users"
is "$(ldap_attr "$SRC" uloginLock)" "" "the lock is released at the end"
is "$(ldap_attr "$SRC" uloginLastOutcome)" ok "the run is recorded as ok"
is "$(takeovers | jq -r '[.result, .comment, .operator] | join("|")')" \
	"ok|the run of the lock '$lock' is gone|$ULOGIN_BIND_DN" \
	"the audit log has the takeover, with the dead run's lock"
ulogin-import list -o json | jq -e '.[] | select(.source == "skole") | .lock == null' >/dev/null
ok $? "ulogin-import list shows no lock"

# ---- another host's lock: held, whatever its age -----------------------------
t=$(( $(date +%s) - 3 * 3600 - 12 * 60 ))
set_lock "web02 4711 $(gtime "$t")"
run 75 ulogin-import run --no-initial-passwords roster.csv --source skole
stderr_is "ulogin-import: source 'skole' is being imported by another run: process 4711 on host web02 since $(words "$t") (3 h 12 min ago)
hint: try again later; if no import runs on web02 any more, remove the lock with 'ulogin-import unlock --source skole'" \
	"a lock of another host: exit 75, naming the host, the process and its age"
is "$(ldap_attr "$SRC" uloginLock)" "web02 4711 $(gtime "$t")" "the lock stays"
is "$(takeovers | wc -l)" 1 "no takeover is audited"
run 0 ulogin-import unlock --source skole --yes
is "$(ldap_attr "$SRC" uloginLock)" "" "unlock --yes removes it"
jq -e "select(.action == \"import.unlock\" and .target == \"$SRC\") | .comment == \"the lock was 'web02 4711 $(gtime "$t")'\"" \
	"$AUDIT_LOG" >/dev/null
ok $? "the audit log has the unlock, with the lock removed"

# ---- a process that still runs here: held ------------------------------------
now=$(date +%s)
set_lock "$HOST $$ $(gtime "$now")"
run 75 ulogin-import run --no-initial-passwords roster.csv --source skole
stderr_has "^ulogin-import: source 'skole' is being imported by another run: process $$ on host $(re "$HOST") since $(words "$now") \([0-9]+ s ago\)\$" \
	"a lock of a live process on this host (the test's shell): exit 75"
stderr_has "^hint: try again later; that process still runs on this host \('kill $$' stops it cleanly, releasing the lock\)\$" \
	"the hint: it still runs here, and how to stop it"
is "$(ldap_attr "$SRC" uloginLock)" "$HOST $$ $(gtime "$now")" "the lock stays"
run 75 ulogin-import unlock --source skole --yes
stderr_has "^ulogin-import: cannot remove the lock of 'skole': its run still goes on: process $$ on host $(re "$HOST") since " \
	"unlock keeps the lock of a process that still runs here"
stderr_has "^hint: 'kill $$' stops it cleanly, releasing the lock; if that process is no import, give --force\$" \
	"... and says what to do"
is "$(ldap_attr "$SRC" uloginLock)" "$HOST $$ $(gtime "$now")" "the lock stays"
run 0 ulogin-import unlock --source skole --yes --force
is "$(ldap_attr "$SRC" uloginLock)" "" "unlock --force removes it"

# ---- a process number handed out again -----------------------------------------
# The test's shell started after this lock was taken: it cannot be the run
# that took it, whose process number the system has given to someone else.
t=$(( $(date +%s) - 3600 ))
set_lock "$HOST $$ $(gtime "$t")"
run 0 ulogin-import run --no-initial-passwords roster.csv --source skole
stderr_has "^ulogin-import: warning: took over the lock of source 'skole' from a run that died: process $$ on host $(re "$HOST") since $(words "$t") \(1 h ago\) is gone\$" \
	"a lock naming a process that started after it was taken is a dead run's"
is "$(ldap_attr "$SRC" uloginLock)" "" "... and is released at the end"

# ---- a lock that cannot be read --------------------------------------------------
set_lock "garbage"
run 75 ulogin-import run --no-initial-passwords roster.csv --source skole
stderr_is "ulogin-import: source 'skole' is locked by 'garbage', which names no host, process and time: it is taken as held by a running import
hint: try again later; if no import of 'skole' runs any more, remove the lock with 'ulogin-import unlock --source skole'" \
	"a lock that cannot be read is held: exit 75, saying so"
is "$(ldap_attr "$SRC" uloginLock)" "garbage" "the lock stays"

# ---- two runs finding the same dead lock ----------------------------------------
# Both see its process gone; the takeover is asserted on the old lock, so
# only one of them gets it.  The other finds the winner's lock, or none
# once the winner is done.
sh -c 'exit 0' &
dead=$!
wait "$dead"
dead_lock="$HOST $dead $(gtime "$(date +%s)")"
set_lock "$dead_lock"
before=$(takeovers | wc -l)
ulogin-import run --no-initial-passwords roster.csv --source skole >one.out 2>one.err </dev/null &
one=$!
ulogin-import run --no-initial-passwords roster.csv --source skole >two.out 2>two.err </dev/null &
two=$!
wait "$one"
rc1=$?
wait "$two"
rc2=$?
case "$rc1 $rc2" in
"0 0"|"0 75"|"75 0") ok 0 "of two runs at once, one or both (one after the other) succeed ($rc1 $rc2)" ;;
*) ok 1 "of two runs at once, one or both (one after the other) succeed ($rc1 $rc2)" ;;
esac
is "$(takeovers | tail -n +$((before + 1)) | jq -r 'select(.result == "ok") | .comment')" \
	"the run of the lock '$dead_lock' is gone" \
	"the audit log has exactly one takeover of the dead lock"
is "$(cat one.err two.err | grep -c 'took over the lock')" 2 \
	"one run says it took the lock over (warning and summary)"
is "$(ldap_attr "$SRC" uloginLock)" "" "no lock is left"
done_testing

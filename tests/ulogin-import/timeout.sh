#!/bin/sh
# A run under timeout(1), as a cron job runs it.  timeout signals the
# program and then its own process group, so the run gets the same signal
# twice at once: one interruption, not a person's second Ctrl-C.  Every
# time, the run stops cleanly: exit 75, its lock released, the run recorded
# as interrupted, the summary printed, the initial password of every user it
# made on disk; and the same input again makes the rest.  SIGHUP and
# SIGTERM from timeout do the same.
. "$top_srcdir/tests/lib.sh"
command -v timeout >/dev/null 2>&1 ||
	skip_all "timeout is not installed (Debian package coreutils)"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
sandbox_start
allow_sources big
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1

# 20000 pupils, u0001-u20000: more than the eight runs that are stopped
# make.
N=20000
pupils $N >big.csv
SRC=cn=big,ou=imports,$ULOGIN_BASE
passwords() {	# passwords FILE: its password lines (none if no file)
	if [ -f "$1" ]; then tail -n +2 "$1" | grep -c '^u[0-9]*,.'; else echo 0; fi
}

# timeout_run SIG N: the run under timeout -s SIG, its output and
# passwords in pwN.csv, once it writes; then timeout's time is up (its
# SIGALRM, which is what its own timer sends), so it signals the run and
# its process group while the run is writing.  (env gives the background
# job a SIGINT that is not ignored.)
timeout_run() {
	before=$(users)
	_last_cmd="timeout --preserve-status -s $1 ulogin-import run big.csv --source big --passwords pw$2.csv"
	env --default-signal=INT timeout --preserve-status -s "$1" 600 \
		ulogin-import run big.csv --source big --passwords "pw$2.csv" \
		--report "report$2.json" >"$OUT" 2>"$ERR" </dev/null &
	tpid=$!
	wait_for_growth "$before" users
	kill -ALRM "$tpid"
	wait "$tpid"
	rc=$?
	after=$(users)
}

i=0
for sig in INT INT INT INT INT HUP TERM; do
	i=$((i + 1))
	timeout_run "$sig" "$i"
	is "$rc" 75 "$i (SIG$sig): the run under timeout exits 75"
	stderr_has "^ulogin-import: SIG$sig: stopping once the changes on their way are answered" \
		"$i (SIG$sig): it says it is stopping"
	stderr_has "^ulogin-import: stopped by SIG$sig: $((after - before)) of the [0-9]+ changes were made\$" \
		"$i (SIG$sig): it says how many changes were made ($((after - before)))"
	stderr_has "^ulogin-import: 'big': $N rows, $((after - before)) added, " \
		"$i (SIG$sig): the summary counts them"
	is "$(ldap_attr "$SRC" uloginLock)" "" "$i (SIG$sig): the lock is released"
	case $(ldap_attr "$SRC" uloginLastOutcome) in
	"interrupted: stopped by SIG$sig with $((after - before)) of "*)
		ok 0 "$i (SIG$sig): the run is recorded as interrupted" ;;
	*) ok 1 "$i (SIG$sig): the run is recorded as interrupted" ;;
	esac
	is "$(passwords "pw$i.csv")" $((after - before)) \
		"$i (SIG$sig): every user it made has a password in pw$i.csv"
done

# And with timeout's own timer, whenever it fires: while the file or the
# directory is read, or while the run writes, it stops cleanly.
before=$(users)
run 75 timeout --preserve-status -s INT 1 ulogin-import run big.csv \
	--source big --passwords pw8.csv --report report8.json
is "$(ldap_attr "$SRC" uloginLock)" "" "timeout -s INT 1: the lock is released"
case $(jq -r .outcome report8.json) in
"interrupted: stopped by SIGINT "*) ok 0 "timeout -s INT 1: --report says interrupted" ;;
*) ok 1 "timeout -s INT 1: --report says interrupted" ;;
esac
is "$(passwords pw8.csv)" $(($(users) - before)) \
	"timeout -s INT 1: every user it made has a password in pw8.csv"

[ "$(users)" -lt $N ]
ok $? "the eight runs made $(users) of the $N users"

run 0 ulogin-import run big.csv --source big --passwords pw-last.csv
is "$(users)" $N "a run to the end makes the rest: ldapsearch finds all $N users"
is "$(ldap_attr "$SRC" uloginLastOutcome)" ok "that run is recorded as ok"
is "$(ldap_attr "$SRC" uloginLock)" "" "... and releases the lock"
total=0
for f in pw*.csv; do
	total=$((total + $(passwords "$f")))
done
is "$total" $N "every one of the $N users has its initial password in a file"
done_testing

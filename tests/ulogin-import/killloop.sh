#!/bin/sh
# Not one password lost: an import killed with SIGKILL at random moments
# (20 times), and one whose slapd is stopped under it (5 times), each
# followed by the next night's run.  After the last run every user of the
# source binds, with ldapwhoami, with the password its passwords files
# recorded last for it (or was reported as re-issued): nobody holds a
# password that nobody has.  The roster grows each round, so every round
# has users to add; the runs bind as the import service account.
. "$top_srcdir/tests/lib.sh"
server_may_vanish
sandbox_start
allow_sources kill=280001
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1
sb=$TEST_TMP/sb

# 1000 pupils of grade 5 (passwords of letters and digits), given names
# that share a username prefix, so that generated usernames compete.
awk 'BEGIN {
	print "ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre"
	for (i = 1; i <= 1000; i++)
		printf "K%04d,Kaj,Kure,Elev,280001,,5k,5,,,,\n", i
}' >all.csv
roster_of() { head -n "$(($1 + 1))" all.csv >"r$2.csv"; }
# A random number from 0 to $1 - 1 (the test's own dice: no secret).
dice() { od -An -N2 -tu2 /dev/urandom | awk -v n="$1" '{ print $1 % n }'; }
users() {
	(as_manager && ldap_search "ou=people,$ULOGIN_BASE" '(uloginSource=kill)' uid) |
		sed -n 's/^uid: //p'
}
slapd_pid() { cat "$sb/slapd.pid" 2>/dev/null; }
start_slapd() { ulogin-sandbox start "$sb" >/dev/null 2>&1; }

as import
round=0 kills=0 stops=0 exits="" unexpected=0
while [ "$kills" -lt 20 ] || [ "$stops" -lt 5 ]; do
	round=$((round + 1))
	roster_of $((round * 40)) "$round"
	ulogin-import run "r$round.csv" --source kill --passwords "pw$round.csv" \
		--window 16 >"out$round" 2>"err$round" </dev/null &
	pid=$!
	if [ $((round % 5)) -eq 0 ] && [ "$stops" -lt 5 ]; then
		# slapd goes away under the run, and comes back after a while.
		sleep "0.$(dice 10)"
		kill -TERM "$(slapd_pid)" 2>/dev/null
		while [ -n "$(slapd_pid)" ] && kill -0 "$(slapd_pid)" 2>/dev/null; do
			sleep 0.1
		done
		sleep "$(dice 6)"
		start_slapd
		wait "$pid"
		e=$?
		exits="$exits $e"
		stops=$((stops + 1))
		# Done, stopped by the server's going away (69), or waiting for
		# another run's lock (75): nothing else.
		case $e in
		0 | 1 | 69 | 75) ;;
		*)
			unexpected=$((unexpected + 1))
			echo "# round $round ended with exit $e:"
			sed 's/^/#   /' "err$round" | head -n 40
			;;
		esac
	else
		sleep "0.$(dice 10)$(dice 10)"
		kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
		wait "$pid"
		exits="$exits $?"
	fi
done
echo "# $round rounds, $kills SIGKILLs, $stops slapd stops; exits:$exits"
ok 0 "$kills runs killed with SIGKILL and $stops slapd stops mid-run"
is "$unexpected" 0 "every run whose slapd went away ended with a documented exit status"

# The next night: the whole roster, the dead run's lock taken over.
roster_of 1000 final
run 0 ulogin-import run rfinal.csv --source kill --passwords pwfinal.csv
stderr_has "'kill': 1000 rows, " "the last run reads the whole roster"
run 0 ulogin-import run rfinal.csv --source kill --passwords pwagain.csv
stderr_has "'kill': 1000 rows, 0 added, 0 changed, 0 left, 0 detached, 1000 unchanged, " \
	"the run after it changes nothing: the source has converged"
is "$(users | wc -l)" 1000 "ldapsearch finds the source's 1000 users"

# The password each user holds: in each passwords file the last line for
# them counts (one with no password says the file's password was not
# set); of the files, the newest in which it was set.
for f in $(seq 1 "$round") final; do
	[ -f "pw$f.csv" ] || continue
	tail -n +2 "pw$f.csv" |
		awk -F, '{ pw[$1] = $2 } END { for (u in pw) if (pw[u] != "") print u "," pw[u] }'
done | awk -F, '{ pw[$1] = $2 } END { for (u in pw) print u "," pw[u] }' >known.csv
is "$(stat -c %a pwfinal.csv 2>/dev/null || stat -c %a "$(ls pw*.csv | head -n 1)")" 600 \
	"the passwords files are private (0600)"
missing=0 wrong=0
for u in $(users); do
	p=$(awk -F, -v u="$u" '$1 == u { print $2 }' known.csv)
	if [ -z "$p" ]; then
		missing=$((missing + 1))
		echo "# no recorded password for $u; its lines:"
		grep -H "^$u," pw*.csv | sed 's/^/#   /'
		echo "# made by $(dm_attr "$(people "$u")" createTimestamp), recorded in $(dm_attr "$(people "$u")" uloginInitialPassword)"
		continue
	fi
	printf '%s' "$p" >bind.pw
	if ! ldapwhoami -x -H "$ULOGIN_URI" -D "$(people "$u")" -y bind.pw \
		>/dev/null 2>&1; then
		wrong=$((wrong + 1))
		echo "# $u does not bind with its recorded password"
	fi
done
rm -f bind.pw
is "$missing" 0 "every user of the source has a recorded password"
is "$wrong" 0 "every user binds with the password recorded for them (ldapwhoami)"

done_testing

#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions run through trap and timed
# tests/bench/import.sh [N [RUNS]]: ulogin-import side by side with
# OpenLDAP's own tools on one private slapd (DESIGN.md section 8), for an
# N-row roster (default 100000), RUNS times (default 3; medians reported):
#
#   import N new users        ldapadd -c of the same entries       <= 1.0x
#     and the import's own CPU against slapd's CPU in the same run <= 15%
#   re-import, no change      ldapsearch -E pr=1000 of the subtrees <= 1.3x
#   re-import, 1% changed     the same search + ldapmodify          <= 1.2x
#   peak RSS of the import                                          <= 100 MB
#   first load offline        ldapadd -c of the same entries       <= 0.15x
#     (ulogin-import --offline, then ulogin-offline-load: slapd stopped,
#     a slapcat copy, slapadd -q, the check, slapd started)
#
# Both sides bind as the import service account (cn=import,ou=services),
# as a nightly import does, so the access rules, ppolicy and the password
# check module apply to both alike; the no-change pair is also timed as
# the directory manager (no access rules), where the client's own work is
# what is left.  Each row shows the wall times, their ratio, and the CPU
# seconds of the client and of slapd over the same step: which side is the
# bound.  The LDIF for ldapadd is ulogin-import's own dry-run plan of the
# roster plus an initial password per user that the user's policy accepts
# (pictures for the picture policy), so both sides write the same entries
# and slapd checks and hashes one password per user on both.  Every timed
# step starts from the same directory state: a copy of the stopped
# sandbox.  Prints a table; exits 0 whatever the times are (it is a
# measurement), 1 if a step itself failed.  Not part of "make check".
#
# ulogin-import is built without the sanitizers in a copy of the source
# tree (default ${TMPDIR:-/tmp}/ulogin-bench-build-UID, or
# $ULOGIN_BENCH_BUILD), so the build directory here is left alone.
# $ULOGIN_BENCH_KEEP=1 keeps the work directory (rosters, LDIF, logs).
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
n=${1:-100000}
runs=${2:-3}
case $n:$runs in
*[!0-9:]* | 0* | *:0* | *:)
	echo "usage: tests/bench/import.sh [N [RUNS]]  (N: roster rows, default 100000;" \
		"RUNS: default 3)" >&2
	exit 64
	;;
esac
export LDAPNOINIT=1 LC_ALL=C.UTF-8 TZ=UTC
unset ULOGIN_CONFIG ULOGIN_URI ULOGIN_BASE ULOGIN_BIND_DN \
	ULOGIN_PASSWORD_FILE ULOGIN_OUTPUT ULOGIN_AUDIT_LOG ULOGIN_SASL_MECH \
	ULOGIN_IMPORT_MAP ULOGIN_IMPORT_KEY_FILE ULOGIN_MAX_LEAVERS

say() { printf 'bench: %s\n' "$*" >&2; }
fail() {
	say "$*"
	exit 1
}

for tool in ldapadd ldapmodify ldapsearch make gcc autoreconf awk tar git; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done
[ -x /usr/sbin/slapd ] || command -v slapd >/dev/null 2>&1 ||
	fail "slapd is not installed (Debian package slapd)"
time_bin=
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
	time_bin=/usr/bin/time
else
	say "/usr/bin/time (GNU time, Debian package 'time') is missing:" \
		"peak RSS is not measured (apt-get install time)"
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/ulogin-bench.XXXXXX")
sb=$dir/sb
cleanup() {
	scripts/ulogin-sandbox stop "$sb" >/dev/null 2>&1 || true
	if [ "${ULOGIN_BENCH_KEEP:-0}" = 1 ]; then
		say "work files kept in $dir"
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
# a build without the sanitizers, in a copy of the source tree

build=${ULOGIN_BENCH_BUILD:-${TMPDIR:-/tmp}/ulogin-bench-build-$(id -u)}
say "building ulogin without sanitizers in $build"
mkdir -p "$build"
# The working tree as it is (tracked and new files, not ignored ones; in
# an unpacked release, everything but build products), with its time
# stamps, so make rebuilds only what changed since the last bench.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard |
		tar --null --ignore-failed-read -T - -cf - 2>/dev/null
else
	tar --exclude=.libs --exclude=.deps --exclude='*.o' --exclude='*.lo' \
		--exclude='*.la' --exclude=config.status --exclude=config.log \
		--exclude=Makefile --exclude=libtool --exclude=sandbox \
		--exclude=autom4te.cache -cf - .
fi | tar -C "$build" -xf - || fail "cannot copy the source tree to $build"
(
	cd "$build"
	if [ ! -f config.status ]; then
		[ -x configure ] || autoreconf -fi
		./configure --disable-sanitizers
	fi
	make -j"$(nproc 2>/dev/null || echo 2)" ulogin-import ulogin-policy \
		module/ulogin_check.la
) >"$dir/build.log" 2>&1 || {
	tail -n 30 "$dir/build.log" >&2
	fail "the build in $build failed (log above)"
}
bin=$build
if nm "$bin/ulogin-import" 2>/dev/null | grep -q __asan_init; then
	fail "$bin/ulogin-import is built with the sanitizers; remove $build"
fi
export ULOGIN_CHECK_MODULE=$build/module/.libs/ulogin_check.so
export ULOGIN_DATADIR=$top/data

# ---------------------------------------------------------------------------
# the sandbox: started from a saved copy so each measurement starts alike.
# A copy runs only from $sb again: its slapd.d names the paths in $sb.

sb_start() {
	scripts/ulogin-sandbox start "$sb" >"$dir/sandbox.log" 2>&1 || {
		cat "$dir/sandbox.log" >&2
		fail "cannot start the sandbox"
	}
	# shellcheck disable=SC1091
	. "$sb/env"
	slapd_pid=$(cat "$sb/slapd.pid")
}
sb_stop() {
	scripts/ulogin-sandbox stop "$sb" >/dev/null 2>&1 ||
		fail "cannot stop the sandbox"
}
sb_save() {	# sb_save NAME: a copy of the stopped sandbox
	sb_stop
	rm -rf "${dir:?}/${1:?}"
	cp -a "$sb" "$dir/$1" || fail "cannot copy the sandbox"
	sb_start
}
sb_restore() {	# sb_restore NAME: back to the copy NAME (kept)
	sb_stop
	rm -rf "$sb"
	cp -a "$dir/$1" "$sb" || fail "cannot copy the sandbox"
	sb_start
}

ldap() {	# ldap TOOL ARGS...: an OpenLDAP client as the directory manager
	local tool=$1
	shift
	"$tool" -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" "$@"
}
# with WHO COMMAND...: COMMAND with the settings of the import service
# (import) or the directory manager (manager), in a subshell: ulogin's
# programs read them from the environment, ldap() passes them on.
with() {
	local who=$1
	shift
	(
		# shellcheck disable=SC1091
		case $who in
		import) . "$sb/env-import" ;;
		*) . "$sb/env" ;;
		esac
		"$@"
	)
}

# CPU seconds (user + system) of slapd so far, and of this shell's
# finished children (bash's times builtin, run in this shell, not in a
# subshell: it counts waited-for grandchildren too).
slapd_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
		"/proc/$slapd_pid/stat"
}
children_cpu() {	# children_cpu VAR: the seconds into VAR
	times >"$dir/times.now"
	printf -v "$1" '%s' "$(awk 'NR == 2 {
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2]
	}' "$dir/times.now")"
}

# timed NAME WHO COMMAND...: run COMMAND as WHO (see with(); stdout and
# stderr to $dir/NAME.out and .err); set T (wall seconds), CPU (its CPU
# seconds), SLAPD (slapd's CPU seconds meanwhile), RSS (peak kB of a
# program, or empty) and RC, and add them to $dir/times.
timed() {
	local name=$1 who=$2 start end c0 c1 s0
	shift 2
	children_cpu c0
	s0=$(slapd_cpu)
	start=$(date +%s.%N)
	RC=0
	# GNU time runs programs, not shell functions.
	if [ -n "$time_bin" ] && [ "$(type -t "$1")" = file ]; then
		with "$who" "$time_bin" -v -o "$dir/$name.time" "$@" \
			>"$dir/$name.out" 2>"$dir/$name.err" || RC=$?
	else
		with "$who" "$@" >"$dir/$name.out" 2>"$dir/$name.err" || RC=$?
	fi
	end=$(date +%s.%N)
	SLAPD=$(awk -v a="$s0" -v b="$(slapd_cpu)" 'BEGIN { printf "%.2f", b - a }')
	children_cpu c1
	CPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
	T=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
	RSS=
	if [ -f "$dir/$name.time" ]; then
		RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' \
			"$dir/$name.time")
	fi
	printf '%s %s %s %s %s %s\n' "$name" "$T" "$CPU" "$SLAPD" "${RSS:-0}" \
		"$(cut -d' ' -f1 /proc/loadavg)" >>"$dir/times"
	say "  $name: ${T}s, CPU ${CPU}s, slapd ${SLAPD}s${RSS:+, peak RSS ${RSS} kB}"
}
must() {	# must WHAT NAME: fail if the last timed command failed
	if [ "$RC" -ne 0 ]; then
		tail -n 20 "$dir/$2.err" >&2
		fail "$1 failed (exit $RC; $dir/$2.err above)"
	fi
}

# content NAME: the content of ou=people and ou=classes as sorted lines in
# $dir/NAME.content, without passwords, times and server-made attributes:
# what both sides must agree on.
content() {
	local ou
	for ou in people classes; do
		ldap ldapsearch -LLL -o ldif-wrap=no -E pr=1000/noprompt \
			-b "ou=$ou,$ULOGIN_BASE" -s one '*' pwdPolicySubentry pwdReset
	done | sed -e '/^#/d' -e '/^userPassword:/d' -e 's/^\(uloginChangeBy:\).*/\1/' \
		-e '/^uloginInitialPassword:/d' |
		LC_ALL=C sort >"$dir/$1.content"
}
same=yes
compare_content() {	# compare_content A B: warn if they differ
	if ! cmp -s "$dir/$1.content" "$dir/$2.content"; then
		same=NO
		say "WARNING: the directory after $2 differs from the one after $1:"
		diff "$dir/$1.content" "$dir/$2.content" | head -n 10 >&2 || true
	fi
}
count() {	# count OU: entries directly below ou=OU
	ldap ldapsearch -LLL -E pr=1000/noprompt -b "ou=$1,$ULOGIN_BASE" -s one 1.1 |
		grep -c '^dn:' || true
}

check_counts() {	# check_counts WHO: all users and classes are there
	if [ "$(count people)" -ne "$nusers" ] || [ "$(count classes)" -ne "$nclasses" ]; then
		fail "$1 did not add all $nusers users and $nclasses classes"
	fi
}

# ---------------------------------------------------------------------------
# the roster: ~90% students in classes of 25 over 40 schools (grades 0-10),
# ~8% teachers in 1-2 classes, ~2% staff; usernames given, no CPR

say "generating a roster of $n rows"
awk -v n="$n" -v seed=4 '
function letter(j) { return j < 26 ? substr("abcdefghijklmnopqrstuvwxyz", j + 1, 1) : "x" j }
function class(c,  k) { k = int(c / ninst); return (k % 11) letter(int(k / 11)) }
BEGIN {
	srand(seed)
	ng = split("Anna Mads Sofie Oliver Ida Noah Emma Lucas Freja William " \
	    "Clara Victor Laura Emil Alma Oscar Ella Carl Karla Alfred Maja " \
	    "Aksel Agnes Valdemar Søren Åse Jørgen Bjørk Signe Zoë", given, " ")
	ns = split("Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen " \
	    "Sørensen Rasmussen Jørgensen Petersen Madsen Kristensen Olsen " \
	    "Thomsen Christiansen Poulsen Johansen Møller Mortensen", sur, " ")
	ninst = 40
	nstud = int(n * 0.90); nteach = int(n * 0.08)
	nclass = int((nstud + 24) / 25); if (nclass < 1) nclass = 1
	print "ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre"
	for (i = 0; i < n; i++) {
		u = sprintf("u%07d", i + 1)
		g = given[int(rand() * ng) + 1]; s = sur[int(rand() * ns) + 1]
		trin = ""; klasser = ""
		if (i < nstud) {		# class c: the k-th of school c % 40
			c = int(i / 25)
			role = "Elev"; klasser = class(c); trin = int(c / ninst) % 11
		} else if (i < nstud + nteach) {
			c = int(rand() * nclass)
			role = "Lærer"; klasser = class(c)
			if (rand() < 0.5 && c + ninst < nclass)
				klasser = "\"" klasser "," class(c + ninst) "\""
		} else {
			c = int(rand() * ninst)
			role = "Pædagog"
		}
		printf "E%07d,%s,%s,%s,%d,%s,%s,%s,%s@skole.example.dk,%08d,,\n",
		    i + 1, g, s, role, 300001 + c % ninst, u, klasser, trin, u,
		    20000000 + int(rand() * 79999999)
	}
}' >"$dir/roster.csv"

# The same roster with 1% of the rows changed: every 100th row a new
# grade (students, every other one) or a new mail address.
awk -F, -v OFS=, '
NR > 1 && (NR - 1) % 100 == 50 {
	if ($4 == "Elev" && (NR - 1) % 200 == 50) $8 = ($8 + 1) % 11
	else sub(/@skole/, "@ny.skole")
	changed++
}
{ print }
END { print changed > "/dev/stderr" }' "$dir/roster.csv" >"$dir/roster-1pct.csv" \
	2>"$dir/changed-rows"
nchanged=$(cat "$dir/changed-rows")


# ---------------------------------------------------------------------------
# an empty directory with the policies, and the equivalent LDIF

say "starting a sandbox in $sb"
sb_start
# The roster's source, writing its 40 schools (ulogin.yaml "sources:"; the
# sandbox keeps the section when it starts again).
awk -v add="  bench:\n    institutions: [$(seq -s, 300001 300040)]\n" \
	'{ print } /^sources:$/ { printf "%s", add }' "$sb/ulogin.yaml" \
	>"$sb/ulogin.yaml.new" && mv "$sb/ulogin.yaml.new" "$sb/ulogin.yaml"
"$bin/ulogin-policy" apply >"$dir/policy.out" 2>&1 ||
	fail "ulogin-policy apply failed: $(cat "$dir/policy.out")"
timed plan-add import "$bin/ulogin-import" run "$dir/roster.csv" --source bench \
	--no-progress -n --plan "$dir/plan-add.ldif"
must "ulogin-import --dry-run --plan" plan-add
# An initial password per new user that the user's policy accepts, like
# ulogin-import's own: four pictures, or letters and digits by turns
# (never a name or the username in them).
awk -v seed=7 -v pictures="$top/data/pictures.txt" '
BEGIN {
	srand(seed)
	lo = "abcdefghijkmnopqrstuvwxyz"; up = "ABCDEFGHJKLMNPQRSTUVWXYZ"; dg = "23456789"
	while ((getline line <pictures) > 0)
		if (line !~ /^#/ && line != "")
			pic[npic++] = line
}
function pick(s) { return substr(s, int(rand() * length(s)) + 1, 1) }
function pw(policy,  s, i, k, used) {
	s = ""
	if (policy ~ /^cn=pictures,/) {
		for (i = 0; i < 4; i++) {
			do k = int(rand() * npic); while (k in used)
			used[k] = 1
			s = s (i ? " " : "") pic[k]
		}
		return s
	}
	for (i = 0; i < 7; i++)
		s = s pick(i % 2 ? up : lo) pick(dg)
	return s
}
/^dn: uid=/ { user = 1; policy = "" }
/^pwdPolicySubentry: / { policy = substr($0, 20) }
/^$/ { if (user) print "userPassword: " pw(policy); user = 0 }
{ print }
END { if (user) print "userPassword: " pw(policy) }' "$dir/plan-add.ldif" >"$dir/bench.ldif"
nusers=$(grep -c '^dn: uid=' "$dir/bench.ldif" || true)
nclasses=$(grep -c '^dn: cn=' "$dir/bench.ldif" || true)
[ "$nusers" -eq "$n" ] ||
	fail "the plan adds $nusers users, not $n (see $dir/plan-add.err)"
sb_save empty

search() {	# search: the paged search of both subtrees, all attributes
	ldap ldapsearch -E pr=1000/noprompt -b "ou=people,$ULOGIN_BASE" >/dev/null &&
		ldap ldapsearch -E pr=1000/noprompt -b "ou=classes,$ULOGIN_BASE" >/dev/null
}

# One run: every pair side by side, each step from its saved state; the
# first run also checks that both sides made the same directory.
for ((r = 1; r <= runs; r++)); do
	say "run $r of $runs (load average $(cut -d' ' -f1-3 /proc/loadavg))"

	# a. ldapadd -c of the LDIF into the empty directory, as the import
	((r == 1)) || sb_restore empty
	timed ldapadd-$r import ldap ldapadd -c -f "$dir/bench.ldif"
	must "ldapadd" ldapadd-$r
	if ((r == 1)); then
		check_counts ldapadd
		content ldapadd
	fi

	# b. ulogin-import of the roster into the same empty directory
	sb_restore empty
	timed import-$r import "$bin/ulogin-import" run "$dir/roster.csv" \
		--source bench --no-progress --passwords "$dir/passwords-$r.csv"
	must "ulogin-import run" import-$r
	if ((r == 1)); then
		check_counts ulogin-import
		content import
		compare_content ldapadd import
		timed plan-change import "$bin/ulogin-import" run \
			"$dir/roster-1pct.csv" --source bench --no-progress -n \
			--plan "$dir/change.ldif"
		must "ulogin-import --dry-run --plan (1% changed)" plan-change
		nmods=$(grep -c '^changetype: modify' "$dir/change.ldif" || true)
		sb_save imported
	else
		sb_restore imported
	fi

	# c. the same roster again (no change) against reading the subtrees,
	# as the import and as the directory manager
	for who in import manager; do
		timed rerun-$who-$r $who "$bin/ulogin-import" run \
			"$dir/roster.csv" --source bench --no-progress \
			--passwords "$dir/passwords-$who-$r.csv"
		must "ulogin-import run (no change)" rerun-$who-$r
		grep -q " 0 added, 0 changed, .* $n unchanged" "$dir/rerun-$who-$r.err" ||
			say "WARNING: the rerun was not a no-op: $(tail -n 1 "$dir/rerun-$who-$r.err")"
		timed search-$who-$r $who search
		must "ldapsearch" search-$who-$r
	done

	# d. 1% changed: ldapmodify of the dry run's changes, then the same
	# state again and ulogin-import
	sb_restore imported
	timed modify-$r import ldap ldapmodify -f "$dir/change.ldif"
	must "ldapmodify" modify-$r
	((r == 1)) && content ldapmodify
	sb_restore imported
	timed change-$r import "$bin/ulogin-import" run "$dir/roster-1pct.csv" \
		--source bench --no-progress --passwords "$dir/passwords-1pct-$r.csv"
	must "ulogin-import run (1% changed)" change-$r
	if ((r == 1)); then
		content import-1pct
		compare_content ldapmodify import-1pct
	fi
done
sb_stop

# ---------------------------------------------------------------------------
# f. offline first load (DESIGN.md section 8): the whole offline path into
# the empty directory -- ulogin-import --offline, then ulogin-offline-load
# (slapd stopped, a slapcat copy, slapadd -q, the check, slapd started) --
# against the same ldapadd -c.

say "f. offline first load of $n rows (--offline + ulogin-offline-load)"
sb_restore empty
timed offline-import import "$bin/ulogin-import" run "$dir/roster.csv" \
	--source bench --no-progress --offline "$dir/offline.ldif" \
	--passwords "$dir/offline-passwords.csv"
must "ulogin-import --offline" offline-import
T_offline_import=$T RSS_offline=$RSS
timed offline-load manager "$top/scripts/ulogin-offline-load" --sandbox "$sb" \
	--backup "$dir/offline-before.ldif" "$dir/offline.ldif"
must "ulogin-offline-load" offline-load
T_offline_load=$T
check_counts "the offline load"
content offline
compare_content ldapadd offline
T_offline=$(awk -v a="$T_offline_import" -v b="$T_offline_load" \
	'BEGIN { printf "%.3f", a + b }')
sb_stop

# ---------------------------------------------------------------------------
# e. the table: per pair the medians over the runs of the wall times, of
# the ratio (each run's own), of the client's and slapd's CPU

col() {	# col NAME FIELD: the median of FIELD (2 wall, 3 CPU, 4 slapd, 5 RSS)
	awk -v name="$1" -v f="$2" '
	{ k = $1; sub(/-[0-9]+$/, "", k) }
	k == name { v[n++] = $f }
	END {
		if (!n) { print 0; exit }
		for (i = 0; i < n; i++)		# a few values: insertion sort
			for (j = i; j > 0 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		print n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
	}' "$dir/times"
}
ratios() {	# ratios OURS REF [REF2]: each run's ratio, as "median (min-max)"
	awk -v a="$1" -v b="$2" -v c="${3:-}" '
	{ k = $1; r = k; sub(/-[0-9]+$/, "", k); sub(/.*-/, "", r) }
	k == a { ours[r] = $2 } k == b { ref[r] += $2 } c != "" && k == c { ref[r] += $2 }
	END {
		for (r in ours) if (ref[r] > 0) v[n++] = ours[r] / ref[r]
		for (i = 0; i < n; i++)
			for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		m = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
		printf "%.2f %.2f-%.2f\n", m, v[0], v[n - 1]
	}' "$dir/times"
}
row() {	# row NAME OURS REF [REF2] TARGET
	local name=$1 ours=$2 ref=$3 ref2='' target
	if [ $# -eq 5 ]; then ref2=$4; target=$5; else target=$4; fi
	local r range
	read -r r range <<<"$(ratios "$ours" "$ref" "$ref2")"
	awk -v name="$name" -v a="$(col "$ours" 2)" -v b="$(col "$ref" 2)" \
	    -v b2="${ref2:+$(col "$ref2" 2)}" -v r="$r" -v range="$range" -v t="$target" \
	    -v ca="$(col "$ours" 3)" -v sa="$(col "$ours" 4)" \
	    -v cb="$(col "$ref" 3)" -v sb="$(col "$ref" 4)" \
	    -v cb2="${ref2:+$(col "$ref2" 3)}" -v sb2="${ref2:+$(col "$ref2" 4)}" 'BEGIN {
		printf "%-34s %8.2fs %8.2fs %5.2f (%s) %6s %6.2f/%6.1fs %6.2f/%6.1fs  %s\n",
		    name, a, b + b2, r, range, t == "-" ? "-" : "<=" t, ca, sa,
		    cb + cb2, sb + sb2, t == "-" ? "(info)" : r <= t ? "PASS" : "FAIL"
	}'
}
echo
echo "ulogin-import against OpenLDAP's tools, N=$n ($nusers users, $nclasses classes;" \
	"$nchanged rows changed = $nmods modify records)"
echo "both sides bound as cn=import,ou=services unless said; medians of $runs runs" \
	"(ratio: median of each run's own, and its range); load average" \
	"$(awk '{ print $6 }' "$dir/times" | sort -n | sed -n '1p;$p' | paste -sd- -)" \
	"over the timed steps on $(nproc 2>/dev/null || echo '?') cores"
printf '%-34s %9s %9s %-17s %6s %15s %15s  %s\n' operation ulogin OpenLDAP \
	"ratio (range)" target "CPU ulogin/slapd" "CPU ref/slapd" result
row "import N new users (fresh)" import ldapadd 1.0
awk -v c="$(col import 3)" -v s="$(col import 4)" 'BEGIN {
	r = s > 0 ? c / s : 0
	printf "%-34s %20s %5.2f %11s %6s %33s  %s\n", "  its CPU / slapd CPU, same run", "",
	    r, "", "<=0.15", "", r <= 0.15 ? "PASS" : "FAIL"
}'
row "re-import, no change" rerun-import search-import 1.3
row "re-import, 1% changed" change search-import modify 1.2
row "  no change, as directory manager" rerun-manager search-manager -
if [ -n "$time_bin" ]; then
	awk -v k="$(col import 5)" -v a="$(col rerun-import 5)" -v b="$(col change 5)" 'BEGIN {
		printf "%-34s %7.1fMB %9s %17s %6s %33s  %s\n", "peak RSS, N-row import", k / 1024,
		    "-", "-", "<=100MB", "", k / 1024 <= 100 ? "PASS" : "FAIL"
		printf "(peak RSS of the no-change rerun %.1f MB, of the 1%% rerun %.1f MB)\n",
		    a / 1024, b / 1024
	}'
else
	printf '%-34s %9s %9s %17s %6s %33s  %s\n' "peak RSS, N-row import" n/a - - "<=100MB" \
		"" "not measured (/usr/bin/time missing)"
fi
echo "(CPU: seconds of the client, and of slapd over the same step; references:" \
	"ldapadd $(col ldapadd 2)s, ldapsearch of ou=people + ou=classes" \
	"$(col search-import 2)s, as directory manager $(col search-manager 2)s," \
	"ldapmodify $(col modify 2)s)"
echo "same directory content on both sides: $same"
# f. offline first load: one run, against the median ldapadd
awk -v a="$T_offline" -v b="$(col ldapadd 2)" 'BEGIN {
	r = b > 0 ? a / b : 0
	printf "%-34s %8.2fs %8.2fs %5.2f %13s %6s %33s  %s\n",
	    "first load, offline (f.)", a, b, r, "", "<=0.15", "",
	    r <= 0.15 ? "PASS" : "FAIL"
}'
echo "(offline: ulogin-import --offline ${T_offline_import}s," \
	"peak RSS $(awk -v k="${RSS_offline:-0}" 'BEGIN { printf "%.1f", k / 1024 }') MB;" \
	"ulogin-offline-load ${T_offline_load}s)"
exit 0

#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions run through trap and timed
# tests/bench/import.sh [N]: ulogin-import side by side with OpenLDAP's own
# tools on one private slapd (DESIGN.md section 8), for an N-row roster
# (default 100000):
#
#   import N new users        ldapadd -c of the equivalent LDIF    <= 0.6x
#   re-import, no change      ldapsearch -E pr=1000 of the subtree <= 2x
#   re-import, 1% changed     the same search + ldapmodify         <= 1.2x
#   peak RSS of the import                                         <= 100 MB
#   first load offline        ldapadd -c of the equivalent LDIF    <= 0.15x
#     (ulogin-import --offline, then ulogin-offline-load: slapd
#     stopped, a slapcat copy, slapadd -q, the check, slapd started)
#
# The LDIF for ldapadd is ulogin-import's own dry-run plan of the roster
# plus a cleartext userPassword per user (slapd hashes both sides' with
# olcPPolicyHashCleartext), so both sides write the same entries.  Every
# measured operation starts from the same directory state: a copy of the
# stopped sandbox.  Prints a table; exits 0 whatever the times are (it is a
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
case $n in
'' | *[!0-9]* | 0*)
	echo "usage: tests/bench/import.sh [N]  (N: number of roster rows, default 100000)" >&2
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

# timed NAME COMMAND...: run COMMAND (stdout and stderr to $dir/NAME.out
# and .err); set T (wall seconds), RSS (peak kB, or empty) and RC.
timed() {
	local name=$1 start end
	shift
	start=$(date +%s.%N)
	RC=0
	# GNU time runs programs, not shell functions.
	if [ -n "$time_bin" ] && [ "$(type -t "$1")" = file ]; then
		"$time_bin" -v -o "$dir/$name.time" "$@" >"$dir/$name.out" \
			2>"$dir/$name.err" || RC=$?
	else
		"$@" >"$dir/$name.out" 2>"$dir/$name.err" || RC=$?
	fi
	end=$(date +%s.%N)
	T=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
	RSS=
	if [ -f "$dir/$name.time" ]; then
		RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' \
			"$dir/$name.time")
	fi
}
must() {	# must WHAT: fail if the last timed command failed
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
	done | sed -e '/^#/d' -e '/^userPassword:/d' -e 's/^\(uloginChangeBy:\).*/\1/' |
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
"$bin/ulogin-policy" apply >"$dir/policy.out" 2>&1 ||
	fail "ulogin-policy apply failed: $(cat "$dir/policy.out")"
timed plan-add "$bin/ulogin-import" run "$dir/roster.csv" --source bench \
	--no-progress -n --plan "$dir/plan-add.ldif"
must "ulogin-import --dry-run --plan" plan-add
# One cleartext password per new user, like ulogin-import's own.
awk -v seed=7 '
BEGIN { srand(seed); cs = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789" }
function pw(  s, i) { s = ""; for (i = 0; i < 12; i++) s = s substr(cs, int(rand() * length(cs)) + 1, 1); return s }
/^dn: uid=/ { user = 1 }
/^$/ { if (user) print "userPassword: " pw(); user = 0 }
{ print }
END { if (user) print "userPassword: " pw() }' "$dir/plan-add.ldif" >"$dir/bench.ldif"
nusers=$(grep -c '^dn: uid=' "$dir/bench.ldif" || true)
nclasses=$(grep -c '^dn: cn=' "$dir/bench.ldif" || true)
[ "$nusers" -eq "$n" ] ||
	fail "the plan adds $nusers users, not $n (see $dir/plan-add.err)"
sb_save empty

# a. ldapadd -c of the LDIF into the empty directory
say "a. ldapadd -c of $nusers users and $nclasses classes"
timed ldapadd ldap ldapadd -c -f "$dir/bench.ldif"
must "ldapadd" ldapadd
T_ldapadd=$T
check_counts ldapadd
content ldapadd

# b. ulogin-import of the roster into the same empty directory
say "b. ulogin-import run of $n rows"
sb_restore empty
timed import "$bin/ulogin-import" run "$dir/roster.csv" --source bench --no-progress
must "ulogin-import run" import
T_import=$T RSS_import=$RSS
check_counts ulogin-import
content import
compare_content ldapadd import

# c. the same roster again (no change) against reading the subtree
say "c. no-change rerun"
timed rerun "$bin/ulogin-import" run "$dir/roster.csv" --source bench --no-progress
must "ulogin-import run (no change)" rerun
T_rerun=$T RSS_rerun=$RSS
grep -q " 0 added, 0 changed, .* $n unchanged" "$dir/rerun.err" ||
	say "WARNING: the rerun was not a no-op: $(tail -n 1 "$dir/rerun.err")"
search() {
	ldap ldapsearch -E pr=1000/noprompt -b "ou=people,$ULOGIN_BASE" >/dev/null &&
		ldap ldapsearch -E pr=1000/noprompt -b "ou=classes,$ULOGIN_BASE" >/dev/null
}
timed search search
must "ldapsearch" search
T_search=$T

# d. 1% changed: the changes as LDIF (dry run), applied by ldapmodify, then
# the same state again and ulogin-import.
say "d. rerun with $nchanged rows changed"
timed plan-change "$bin/ulogin-import" run "$dir/roster-1pct.csv" --source bench \
	--no-progress -n --plan "$dir/change.ldif"
must "ulogin-import --dry-run --plan (1% changed)" plan-change
nmods=$(grep -c '^changetype: modify' "$dir/change.ldif" || true)
sb_save imported
timed modify ldap ldapmodify -f "$dir/change.ldif"
must "ldapmodify" modify
T_modify=$T
content ldapmodify
sb_restore imported
timed change "$bin/ulogin-import" run "$dir/roster-1pct.csv" --source bench --no-progress
must "ulogin-import run (1% changed)" change
T_change=$T RSS_change=$RSS
content import-1pct
compare_content ldapmodify import-1pct
sb_stop

# ---------------------------------------------------------------------------
# f. offline first load (DESIGN.md section 8), a block of its own: the
# whole offline path into the empty directory, against the same ldapadd.

bench_offline() {
	say "f. offline first load of $n rows (--offline + ulogin-offline-load)"
	sb_restore empty
	timed offline-import "$bin/ulogin-import" run "$dir/roster.csv" \
		--source bench --no-progress --offline "$dir/offline.ldif" \
		--passwords "$dir/offline-passwords.csv"
	must "ulogin-import --offline" offline-import
	T_offline_import=$T RSS_offline=$RSS
	timed offline-load scripts/ulogin-offline-load --sandbox "$sb" \
		--backup "$dir/offline-before.ldif" "$dir/offline.ldif"
	must "ulogin-offline-load" offline-load
	T_offline_load=$T
	# shellcheck disable=SC1091
	. "$sb/env"
	check_counts "the offline load"
	content offline
	compare_content ldapadd offline
	T_offline=$(awk -v a="$T_offline_import" -v b="$T_offline_load" \
		'BEGIN { printf "%.3f", a + b }')
	sb_stop
}
bench_offline

# ---------------------------------------------------------------------------
# e. the table

T_ref_change=$(awk -v a="$T_search" -v b="$T_modify" 'BEGIN { printf "%.3f", a + b }')
echo
echo "ulogin-import against OpenLDAP's tools, N=$n ($nusers users, $nclasses classes;" \
	"$nchanged rows changed = $nmods modify records)"
printf '%-36s %10s %10s %7s %8s  %s\n' operation ulogin OpenLDAP ratio target result
row() {	# row NAME OURS REFERENCE TARGET
	awk -v name="$1" -v a="$2" -v b="$3" -v t="$4" 'BEGIN {
		r = b > 0 ? a / b : 0
		printf "%-36s %9.2fs %9.2fs %7.2f %8s  %s\n", name, a, b, r, "<=" t,
		    r <= t ? "PASS" : "FAIL"
	}'
}
row "import N new users (fresh)" "$T_import" "$T_ldapadd" 0.6
row "re-import, no change" "$T_rerun" "$T_search" 2
row "re-import, 1% changed" "$T_change" "$T_ref_change" 1.2
if [ -n "$RSS_import" ]; then
	awk -v k="$RSS_import" 'BEGIN {
		printf "%-36s %8.1fMB %10s %7s %8s  %s\n", "peak RSS, N-row import", k / 1024,
		    "-", "-", "<=100MB", k / 1024 <= 100 ? "PASS" : "FAIL"
	}'
	awk -v a="$RSS_rerun" -v b="$RSS_change" 'BEGIN {
		printf "(peak RSS of the no-change rerun %.1f MB, of the 1%% rerun %.1f MB)\n", a / 1024, b / 1024
	}'
else
	printf '%-36s %10s %10s %7s %8s  %s\n' "peak RSS, N-row import" n/a - - "<=100MB" \
		"not measured (/usr/bin/time missing)"
fi
echo "(references: ldapadd ${T_ldapadd}s; ldapsearch of ou=people + ou=classes ${T_search}s;" \
	"ldapmodify ${T_modify}s)"
echo "same directory content on both sides: $same"
# f. offline first load
row "first load, offline (f.)" "$T_offline" "$T_ldapadd" 0.15
echo "(offline: ulogin-import --offline ${T_offline_import}s," \
	"peak RSS $(awk -v k="${RSS_offline:-0}" 'BEGIN { printf "%.1f", k / 1024 }') MB;" \
	"ulogin-offline-load ${T_offline_load}s)"
exit 0

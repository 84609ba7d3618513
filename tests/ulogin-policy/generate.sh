#!/bin/sh
# ulogin-policy generate: for every shipped policy, 1000 passwords that
# all pass 'ulogin-policy check' of that policy, nearly all different;
# pictures from the picture file; --user avoids the user's names; bad
# counts and policies are refused.
. "$top_srcdir/tests/lib.sh"
command -v perl >/dev/null 2>&1 || skip_all "perl is not installed"
sandbox_start --example

N=1000
# A setting of a policy in a config: setting FILE POLICY KEY
setting() {
	awk -v p="$2" -v k="$3" '
		/^[^ #]/ { inpol = ($0 ~ /^policies:/); cur = ""; next }
		inpol && /^  [^ #]/ { cur = $1; sub(/:$/, "", cur); next }
		inpol && cur == p && $1 == k ":" {
			v = $0; sub(/^ *[^:]*: */, "", v)
			gsub(/^"|"$/, "", v); print v
		}' "$1"
}
pictures_file=$(sed -n 's/^pictures_file: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' \
	"$ULOGIN_CONFIG")

# The rules of a policy, checked here, independently of the program, on
# every line of a file: prints the lines that break one, with why.
oracle() {	# oracle CONFIG POLICY FILE
	MINLEN=$(setting "$1" "$2" min_length) \
	MAXLEN=$(setting "$1" "$2" max_length) \
	REQUIRE=$(setting "$1" "$2" require) \
	CLASSES=$(setting "$1" "$2" classes) \
	CLASSES_OF=$(setting "$1" "$2" classes_of) \
	FORBID=$(setting "$1" "$2" forbid) \
	LATIN=$(setting "$1" "$2" latin_only) \
	PICTURES=$(setting "$1" "$2" pictures) \
	PICFILE=$pictures_file \
	perl -CSD -ne '
		BEGIN {
			our %e = map { $_ => $ENV{$_} // "" } qw(MINLEN MAXLEN
				REQUIRE CLASSES CLASSES_OF FORBID LATIN PICTURES
				PICFILE);
			utf8::decode($e{FORBID});
			our %pic;
			if ($e{PICTURES}) {
				open(my $f, "<:encoding(UTF-8)", $e{PICFILE}) or
					die "$e{PICFILE}: $!";
				while (<$f>) {
					s/#.*//; s/\s+$//;
					$pic{lc $_} = 1 if length;
				}
			}
			sub classes { my %c; for (split //, shift) {
				$c{ /[0-9]/ ? "digit" : /\p{Ll}/ ? "lower" :
				    /\p{Lu}/ ? "upper" : / / ? "none" : "symbol" } = 1 }
				delete $c{none}; return \%c }
		}
		chomp; my $pw = $_; my @bad;
		if ($e{PICTURES}) {
			my @w = split / /, $pw; my %seen;
			push @bad, "not $e{PICTURES} pictures" if @w != $e{PICTURES};
			for (@w) {
				push @bad, "$_ is no picture" unless $pic{lc $_};
				push @bad, "$_ twice" if $seen{lc $_}++;
			}
		} else {
			my $n = length $pw; my $c = classes($pw);
			push @bad, "length $n" if $e{MINLEN} && $n < $e{MINLEN};
			push @bad, "length $n" if $e{MAXLEN} && $n > $e{MAXLEN};
			for (grep { /^\w+$/ } split /[\s,\[\]]+/, $e{REQUIRE}) {
				push @bad, "no $_" unless $c->{$_};
			}
			if ($e{CLASSES}) {
				my @of = grep { /^\w+$/ } split /[\s,\[\]]+/,
					$e{CLASSES_OF};
				@of = qw(lower upper digit symbol) unless @of;
				my $have = grep { $c->{$_} } @of;
				push @bad, "$have classes" if $have < $e{CLASSES};
			}
			for my $f (split //, $e{FORBID}) {
				push @bad, "has $f" if index($pw, $f) >= 0;
			}
			push @bad, "not Latin" if $e{LATIN} =~ /^(true|yes)$/ &&
				$pw =~ /[^\x20-\x7e]/;
		}
		print "$pw: @bad\n" if @bad;
	' "$3"
}

# The policies of the shipped config, as the sandbox's config has them.
names=$(awk '/^[^ #]/ { inpol = ($0 ~ /^policies:/); next }
	inpol && /^  [^ #]/ { n = $1; sub(/:$/, "", n); print n }' \
	"$ULOGIN_CONFIG")
is "$(echo $names)" \
	"pictures mellemtrin udskoling gymnasium staff parent default" \
	"the shipped config has seven policies"

# How many of each policy's passwords also go through 'check', one
# process each: all of them with GENERATE_CHECK_ALL=1 (slow under the
# sanitizers), else an evenly spread sample; the rest are checked by
# the independent rules above.
every=${GENERATE_CHECK_ALL:+1}
every=${every:-10}

for p in $names; do
	run 0 ulogin-policy generate --policy "$p" -n "$N"
	cp "$OUT" "$TEST_TMP/$p.out"
	is "$(grep -c '' "$TEST_TMP/$p.out")" "$N" "$p: $N lines"
	u=$(sort -u "$TEST_TMP/$p.out" | grep -c '')
	[ "$u" -ge $((N * 99 / 100)) ]
	ok $? "$p: at least 99% different ($u of $N)"
	oracle "$ULOGIN_CONFIG" "$p" "$TEST_TMP/$p.out" >"$TEST_TMP/$p.bad"
	is "$(head -n 3 "$TEST_TMP/$p.bad")" "" \
		"$p: all $N meet the policy's rules, checked line by line here"
	bad=0 checked=0 i=0
	while IFS= read -r pw; do
		i=$((i + 1))
		[ $((i % every)) -eq 0 ] || continue
		checked=$((checked + 1))
		if ! printf '%s\n' "$pw" |
			ulogin-policy check --policy "$p" >"$OUT" 2>"$ERR"; then
			bad=$((bad + 1))
			printf '#   %s: %s\n' "$pw" "$(cat "$OUT" "$ERR")"
		fi
	done <"$TEST_TMP/$p.out"
	is "$bad" 0 "$p: all $checked fed back one at a time pass 'check --policy $p'"
done

# Pictures: four distinct names from the picture file.
awk '{ print NF }' "$TEST_TMP/pictures.out" | sort -u >"$TEST_TMP/nf"
is "$(cat "$TEST_TMP/nf")" 4 "pictures: every line has four words"
tr ' ' '\n' <"$TEST_TMP/pictures.out" | sort -u >"$TEST_TMP/used"
sed 's/#.*//; s/[[:space:]]*$//; /^$/d' "$pictures_file" | sort -u \
	>"$TEST_TMP/known"
is "$(comm -23 "$TEST_TMP/used" "$TEST_TMP/known")" "" \
	"pictures: every word is a name from $(basename "$pictures_file")"
is "$(comm -13 "$TEST_TMP/used" "$TEST_TMP/known" | grep -c .)" 0 \
	"pictures: all $(grep -c . "$TEST_TMP/known") pictures are used in $N passwords"
is "$(awk '{ delete s; for (i = 1; i <= NF; i++) if (s[$i]++) d++ }
	END { print d + 0 }' "$TEST_TMP/pictures.out")" 0 \
	"pictures: no picture twice in one password"

# Without --policy: the default policy.
run 0 ulogin-policy generate
is "$(grep -c '' "$OUT")" 1 "one password by default"
pw=$(cat "$OUT")
printf '%s\n' "$pw" | ulogin-policy check --policy default >/dev/null 2>&1
ok $? "it passes the default policy"

# -o: a table with the one column password, in every format.
run 0 ulogin-policy generate --policy staff -n 3 -o tsv
is "$(head -n 1 "$OUT")" password "-o tsv: the heading password"
is "$(grep -c '' "$OUT")" 4 "-o tsv: and three passwords"
sed 1d "$OUT" >"$TEST_TMP/tsv.out"
is "$(oracle "$ULOGIN_CONFIG" staff "$TEST_TMP/tsv.out")" "" "-o tsv: they meet the policy"
run 0 ulogin-policy generate --user soer0001 -n 2 -o csv
is "$(sed -n 1p "$OUT" | tr -d '\r')" '"password"' "-o csv: the heading password"
is "$(sed 1d "$OUT" | tr -d '\r' | awk '{ print NF }' | sort -u)" 4 \
	"-o csv: picture passwords, quoted whole with their spaces"
if command -v jq >/dev/null 2>&1; then
	run 0 ulogin-policy generate --policy staff -n 5 -o json
	is "$(jq -r 'map(keys | join(",")) | unique | join(" ")' "$OUT")" password \
		"-o json: records with the one field password"
	jq -r '.[].password' "$OUT" >"$TEST_TMP/json.out"
	is "$(grep -c '' "$TEST_TMP/json.out")" 5 "-o json: five of them"
	is "$(oracle "$ULOGIN_CONFIG" staff "$TEST_TMP/json.out")" "" "-o json: they meet the policy"
else
	ok 0 "# SKIP jq is not installed"
fi
run 0 ulogin-policy generate --policy staff -n 2 -o table
is "$(head -n 1 "$OUT")" PASSWORD "-o table: the heading PASSWORD"
# --user: the user's effective policy, without the user's names.
run 0 ulogin-policy generate --user soer0001 -n 3
is "$(awk '{ print NF }' "$OUT" | sort -u)" 4 \
	"--user soer0001 (grade 0): picture passwords"
run 0 ulogin-policy generate --user mett0001 -n "$N"
cp "$OUT" "$TEST_TMP/mett.out"
is "$(grep -Eic 'mett0001|mette|holm' "$TEST_TMP/mett.out")" 0 \
	"--user mett0001: no line contains mett0001, Mette or Holm"
is "$(oracle "$ULOGIN_CONFIG" staff "$TEST_TMP/mett.out" | head -n 3)" "" \
	"--user mett0001: all meet the staff policy"
i=0 bad=0
while IFS= read -r pw && [ $i -lt 20 ]; do
	i=$((i + 1))
	printf '%s\n' "$pw" | ulogin-policy check --user mett0001 \
		>/dev/null 2>&1 || bad=$((bad + 1))
done <"$TEST_TMP/mett.out"
is "$bad" 0 "--user mett0001: the first 20 pass 'check --user mett0001'"

# The same with a policy whose few letters make the names likely: only
# e, m and t, so that 'mette' turns up by chance in many passwords.
# Without --user it does; with --user mett0001 never.
tiny=$TEST_TMP/tiny.yaml
{
	sed '/^# The shipped/,$d' "$ULOGIN_CONFIG"
	cat <<'EOF'
policies:
  met:
    min_length: 12
    classes: 1
    classes_of: [lower]
    forbid: "abcdfghijklnopqrsuvwxyz"
    no_names: true
  impossible:
    require: [digit]
    forbid: "0123456789"
roles:
  teacher: met
default_policy: met
EOF
} >"$tiny"
run 0 ulogin-policy generate -c "$tiny" --policy met -n "$N"
n=$(grep -ic mette "$OUT")
[ "$n" -gt 10 ]
ok $? "policy met without a user: 'mette' turns up by chance ($n of $N)"
run 0 ulogin-policy generate -c "$tiny" --user mett0001 -n "$N"
is "$(grep -c '' "$OUT")" "$N" "policy met for mett0001: $N lines"
is "$(grep -Eic 'mette|holm' "$OUT")" 0 \
	"policy met for mett0001: never 'mette'"
is "$(grep -vc '^[emt]*$' "$OUT")" 0 "policy met: only e, m and t"

# A policy no password can meet: an error, not a bad password.
run 78 ulogin-policy generate -c "$tiny" --policy impossible
stdout_empty "no password is printed for an impossible policy"
run 78 ulogin-policy generate -c "$tiny" --policy impossible -o json
stdout_empty "-o json: nothing printed for an impossible policy"
stderr_has "impossible" "the error names the policy"

# Usage and lookups.
run 64 ulogin-policy generate --policy staff -n 0
stderr_has '\-n' "-n 0 is refused"
stdout_empty "nothing printed for -n 0"
run 64 ulogin-policy generate --policy staff -n -5
run 64 ulogin-policy generate --policy staff -n many
run 64 ulogin-policy generate --policy staff --user mett0001
run 67 ulogin-policy generate --policy nosuchpolicy
stderr_has "'nosuchpolicy'" "an unknown policy is named"
run 67 ulogin-policy generate --user nobo0001
stderr_has "cannot find user 'nobo0001'" "an unknown user is named"
sed 's|^pictures_file: .*|pictures_file: "/nonexistent/pictures.txt"|' \
	"$ULOGIN_CONFIG" >"$TEST_TMP/nopics.yaml"
run 78 ulogin-policy generate -c "$TEST_TMP/nopics.yaml" --policy pictures
stderr_has '/nonexistent/pictures.txt' "a missing picture file is named"
stdout_empty "and no password is printed"

done_testing

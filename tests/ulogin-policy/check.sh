#!/bin/sh
# ulogin-policy check: one candidate from standard input, every rule kind
# accepting and refusing (characters, not bytes; æøå and Cyrillic), every
# broken rule listed, --user with the user's policy and names, and the
# usage errors.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

# check_pw EXIT CANDIDATE [OPTIONS...]: what a user types,
#   printf '%s\n' CANDIDATE | ulogin-policy check OPTIONS...
check_pw() {
	local want=$1 cand=$2
	shift 2
	_last_cmd="printf '%s\\n' '$cand' | ulogin-policy check $*"
	printf '%s\n' "$cand" | ulogin-policy check "$@" >"$OUT" 2>"$ERR"
	rc=$?
	if [ "$rc" -eq 99 ] || grep -q 'Sanitizer' "$ERR"; then
		ok 1 "check '$cand' $* ran without a memory error"
		return
	fi
	is "$rc" "$want" "'$cand' | check $* exits $want"
}
codes() {	# the codes on stdout, sorted, space-separated
	cut -f1 "$OUT" | sort | tr '\n' ' '
}
sorted() {	# sorted WORD...: the same form, for comparing with codes
	printf '%s\n' "$@" | sort | tr '\n' ' '
}
passes() {	# passes CANDIDATE OPTIONS...
	check_pw 0 "$@"
	stdout_empty "  nothing broken is printed"
}

# A config with one policy per rule kind, so that each refusal has one
# cause; the connection settings are the sandbox's.
rules=$TEST_TMP/rules.yaml
{
	sed '/^# The shipped/,$d' "$ULOGIN_CONFIG"
	grep '^pictures_file:' "$ULOGIN_CONFIG"
	cat <<'EOF'
policies:
  length:
    min_length: 10
  short:
    max_length: 8
  lowerdigit:
    require: [lower, digit]
  upperdigit:
    require: upper, digit
  three:
    classes: 3
  twoof:
    classes: 2
    classes_of: [upper, symbol]
  forbid:
    forbid: "@%&ø"
  latin:
    latin_only: true
  person:
    no_username: true
    no_names: true
  pictures:
    pictures: 4
levels:
  indskoling: pictures
  mellemtrin: person
  udskoling: person
roles:
  teacher: person
  parent: person
default_policy: length
EOF
} >"$rules"

# ---- min_length / max_length: characters, not bytes ----------------------
check_pw 65 'æøåæøåæøå' -c "$rules" --policy length
is "$(codes)" "$(sorted min-length)" "9 × æøå (18 bytes) is too short"
stdout_has '^min-length	Use at least 10 characters \(this one has 9\)\.$' \
	"the sentence counts 9 characters"
passes 'æøåæøåæøåæ' -c "$rules" --policy length
check_pw 65 'жжжжжжжжж' -c "$rules" --policy length
stdout_has 'this one has 9' "9 Cyrillic letters are 9 characters"
passes 'жжжжжжжжжж' -c "$rules" --policy length
passes 'æøåæøåæø' -c "$rules" --policy short
check_pw 65 'æøåæøåæøå' -c "$rules" --policy short
stdout_has '^max-length	Use at most 8 characters \(this one has 9\)\.$' \
	"max_length counts characters"
check_pw 65 'Ab1-Ab1-x' -c "$rules" --policy short
is "$(codes)" "$(sorted max-length)" "an ASCII password one too long"

# ---- require: every named class must appear -------------------------------
check_pw 65 'ABCDEFGH' -c "$rules" --policy lowerdigit
is "$(codes)" "$(sorted required-class required-class)" \
	"no small letter and no digit: both listed"
stdout_has 'Add a small letter' "the sentence asks for a small letter"
stdout_has 'Add a digit' "the sentence asks for a digit"
check_pw 65 'ÆØÅ12345' -c "$rules" --policy lowerdigit
is "$(codes)" "$(sorted required-class)" "Æ Ø Å are capitals, not small letters"
passes 'æøå12345' -c "$rules" --policy lowerdigit
passes 'ж1' -c "$rules" --policy lowerdigit
check_pw 65 'жжж' -c "$rules" --policy lowerdigit
stdout_has 'Add a digit' "Cyrillic small letters, no digit"
passes 'Ж1' -c "$rules" --policy upperdigit
check_pw 65 'ж1' -c "$rules" --policy upperdigit
stdout_has 'Add a capital letter' "require: upper refuses only small letters"

# ---- classes: N of the classes (of classes_of) -----------------------------
passes 'Æøå123' -c "$rules" --policy three
check_pw 65 'æøå123' -c "$rules" --policy three
stdout_has '^min-classes	Mix at least 3 of these: .*\(this one has 2\)\.$' \
	"two classes of three"
passes 'Жж-' -c "$rules" --policy three
check_pw 65 'Жжжжж' -c "$rules" --policy three
stdout_has 'this one has 2' "Cyrillic capital and small letters: two classes"
check_pw 65 'abc 123' -c "$rules" --policy three
stdout_has 'this one has 2' "the space belongs to no class"
passes 'Ø€' -c "$rules" --policy twoof
check_pw 65 'жЖ' -c "$rules" --policy twoof
stdout_has 'capital letters and symbols \(this one has 1\)' \
	"classes_of: small letters do not count"
check_pw 65 'abcdef123' -c "$rules" --policy twoof
stdout_has 'this one has 0' "none of upper and symbol"
passes 'Жא' -c "$rules" --policy twoof

# ---- forbid ---------------------------------------------------------------
check_pw 65 'Sø-2026' -c "$rules" --policy forbid
is "$(codes)" "$(sorted forbidden)" "ø is forbidden"
stdout_has '^forbidden	Do not use these characters: @ % & ø\.$' \
	"the sentence lists the forbidden characters"
check_pw 65 'mail@skole' -c "$rules" --policy forbid
is "$(codes)" "$(sorted forbidden)" "@ is forbidden"
passes 'So-2026-å' -c "$rules" --policy forbid

# ---- latin_only ------------------------------------------------------------
passes 'Hello World 2026!' -c "$rules" --policy latin
check_pw 65 'Blåbær' -c "$rules" --policy latin
is "$(codes)" "$(sorted latin-only)" "å and æ are not Latin-only"
stdout_has 'no letters such as æ, ø and å' "the Latin-only sentence"
check_pw 65 'Привет-2026' -c "$rules" --policy latin
is "$(codes)" "$(sorted latin-only)" "Cyrillic is not Latin-only"
check_pw 65 'café' -c "$rules" --policy latin
is "$(codes)" "$(sorted latin-only)" "é is not Latin-only"

# ---- bad UTF-8 ---------------------------------------------------------------
_last_cmd="printf 'ab\\377cd\\n' | ulogin-policy check --policy latin"
printf 'ab\377cd\n' | ulogin-policy check -c "$rules" --policy latin \
	>"$OUT" 2>"$ERR"
rc=$?
is "$rc" 65 "a candidate that is not UTF-8 is refused with 65"
is "$(codes)" "$(sorted encoding)" "the code says why"

# ---- no_username / no_names: with --user --------------------------------
# mett0001 Mette Holm (teacher: policy person); soer0001 Søren Nielsen
# (grade 0: pictures); birg0001 Birgitte Kjærsgaard.
check_pw 65 'xMETT0001x' -c "$rules" --user mett0001
is "$(codes)" "$(sorted username)" "the username, in upper case"
stdout_has '^username	Do not put your username in the password\.$' \
	"the username sentence"
check_pw 65 'Granit-HOLM' -c "$rules" --user mett0001
is "$(codes)" "$(sorted name)" "the surname, in upper case"
stdout_has '^name	Do not put your name in the password\.$' "the name sentence"
check_pw 65 'mette2026' -c "$rules" --user mett0001
is "$(codes)" "$(sorted name)" "the given name"
passes 'mett001-Granit' -c "$rules" --user mett0001
passes 'Granit-HOLM' -c "$rules" --policy person
check_pw 65 'xKJÆRSGAARDx' -c "$rules" --user birg0001
is "$(codes)" "$(sorted name)" "a surname with æ, in upper case (Æ)"
passes 'Granit-Ulv' -c "$rules" --user birg0001
# Every value of givenName counts, as in slapd's check module.
printf 'dn: %s\nchangetype: modify\nadd: givenName\ngivenName: Marianne\n' \
	"$(people mett0001)" |
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
ok $? "mett0001 gets a second given name, Marianne"
check_pw 65 'Granit-Marianne-6' -c "$rules" --user mett0001
is "$(codes)" "$(sorted name)" "the second given name is refused too"

# ---- pictures ----------------------------------------------------------------
pics=$(sed -n 's/^pictures_file: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ULOGIN_CONFIG")
is "$(grep -c . "$pics")" 24 "the picture file has 24 names"
passes 'sol hest bil træ' -c "$rules" --policy pictures
passes 'SOL Hest BIL TRÆ' -c "$rules" --policy pictures
passes 'sol hest bil træ' -c "$rules" --user soer0001
check_pw 65 'sol hest bil' -c "$rules" --policy pictures
is "$(codes)" "$(sorted picture-count)" "three pictures"
stdout_has 'Choose exactly 4 pictures \(you chose 3\)\.' "the count sentence"
check_pw 65 'sol hest bil træ måne' -c "$rules" --policy pictures
stdout_has 'you chose 5' "five pictures"
check_pw 65 'sol hest bil dinosaur' -c "$rules" --policy pictures
is "$(codes)" "$(sorted picture-unknown)" "a word that is not a picture"
stdout_has 'Word 4 is not the name of one of the pictures' "the sentence says which word"
stdout_lacks 'dinosaur' "and does not repeat it"
check_pw 65 'Granit-Ulv-2026' -c "$rules" --policy pictures
stdout_has 'picture' "an ordinary password is not a picture password"

# ---- the shipped policies: every broken rule, one code a line --------------
check_pw 65 'holmø@' --policy staff
is "$(codes)" "$(sorted min-length min-classes forbidden latin-only)" \
	"staff: 'holmø@' breaks four rules, all listed"
is "$(grep -c . "$OUT")" 4 "one line per broken rule"
stderr_has "breaks 4 rules of policy 'staff'" "stderr counts them"
check_pw 65 'holmø@' --user mett0001
is "$(codes)" "$(sorted min-length min-classes forbidden latin-only name)" \
	"--user mett0001: the name is broken too (five rules)"
check_pw 65 'ABCDEFG' --policy mellemtrin
is "$(codes)" "$(sorted min-length required-class required-class)" \
	"mellemtrin: too short, no small letter, no digit"
passes 'Granit-Ulv-2026' --policy staff
stderr_has "meets policy 'staff'" "a good password: stderr says it passes"
! grep -q 'Granit-Ulv-2026' "$OUT" "$ERR"
ok $? "the candidate is not echoed"
passes 'granit7ulv' --policy mellemtrin
passes 'Blåbær-Ulv-26' --policy parent

# --user takes the user's effective policy and names.
passes 'Mette-Granit-26x' --policy staff
check_pw 65 'Mette-Granit-26x' --user mett0001
is "$(codes)" "$(sorted name)" "--user mett0001 refuses her given name"
check_pw 65 'Blåbær-Ulv-26' --user mett0001
is "$(codes)" "$(sorted latin-only)" \
	"--user mett0001 checks the staff policy (Latin only), not parent/default"
check_pw 65 'Granit-Ulv-26' --user soer0001
stdout_has '^picture-count	' "--user soer0001 checks the picture policy"
check_pw 67 'Granit-Ulv-2026' --user nobo0001
stderr_has "cannot find user 'nobo0001'" "--user with an unknown user"

# A long candidate is checked whole: the @ at the end counts.
# (Refused as too long would do as well: exit 65 either way.)
long=$(printf 'Aa1-%.0s' $(seq 300))@
_last_cmd="printf '%s\\n' 'Aa1-...(1200 characters)@' | ulogin-policy check --policy staff"
printf '%s\n' "$long" | ulogin-policy check --policy staff >"$OUT" 2>"$ERR"
rc=$?
is "$rc" 65 "a 1201-character candidate ending in @ is refused (65)"
# Longer than any policy allows: bad input data (65), not "no input" (66).
long=$(printf 'Aa1-%.0s' $(seq 1250))
_last_cmd="printf '%s\\n' 'Aa1-...(5000 characters)' | ulogin-policy check --policy staff"
printf '%s\n' "$long" | ulogin-policy check --policy staff >"$OUT" 2>"$ERR"
rc=$?
is "$rc" 65 "a 5000-character candidate is refused as bad input (65)"

# ---- -o: the broken rules as a table (rule, message) in every format --------
if command -v jq >/dev/null 2>&1; then
	check_pw 65 'ABCDEFGH' -c "$rules" --policy lowerdigit -o json
	is "$(jq -r 'map(.rule) | join(" ")' "$OUT")" "required-class required-class" \
		"-o json: a record per broken rule"
	is "$(jq -r '.[0] | keys_unsorted | join(",")' "$OUT")" "rule,message" \
		"-o json: with the fields rule and message"
	is "$(jq -r '.[].message' "$OUT" | sort | tr '\n' '|')" \
		"$(printf '%s|' 'Add a digit (0-9).' 'Add a small letter (a-z).' | tr '|' '\n' | sort | tr '\n' '|')" \
		"-o json: the sentences"
	check_pw 0 'æøå12345' -c "$rules" --policy lowerdigit -o json
	stdout_is "[]" "-o json: a password that passes gives []"
else
	ok 0 "# SKIP jq is not installed"
fi
check_pw 65 'æøåæøåæøå' -c "$rules" --policy length -o csv
is "$(tr -d '\r' <"$OUT")" '"rule","message"
"min-length","Use at least 10 characters (this one has 9)."' \
	"-o csv: a heading and a row"
check_pw 65 'æøåæøåæøå' -c "$rules" --policy length -o tsv
stdout_is "rule	message
min-length	Use at least 10 characters (this one has 9)." "-o tsv: a heading and a row"
check_pw 65 'æøåæøåæøå' -c "$rules" --policy length -o table
stdout_is "RULE        MESSAGE
min-length  Use at least 10 characters (this one has 9)." "-o table: a heading and a row"
check_pw 0 'æøåæøåæøåæ' -c "$rules" --policy length -o tsv
stdout_is "rule	message" "-o tsv: only the heading when it passes"
check_pw 64 'æøåæøåæøåæ' -c "$rules" --policy length -o yaml
stderr_has "unknown output format 'yaml'" "an unknown format is refused"

# ---- usage ---------------------------------------------------------------------
run 64 ulogin-policy check Secret1
stderr_has "Try 'ulogin-policy check --help'" \
	"a candidate on the command line is refused"
! grep -q Secret1 "$OUT"
ok $? "the operand is not echoed on stdout"
run 66 ulogin-policy check --policy staff
stderr_has 'no password given on standard input' "empty stdin: 66"
stdout_empty "nothing on stdout"
check_pw 67 'Granit-Ulv-2026' --policy nosuchpolicy
stderr_has "cannot find policy 'nosuchpolicy'" "an unknown policy is named"
check_pw 64 'Granit-Ulv-2026' --policy staff --user mett0001
stderr_has 'not both' "--policy and --user together"
check_pw 64 'Granit-Ulv-2026' --policy
run 0 ulogin-policy check --help
stdout_has '^Usage: ulogin-policy check' "check --help"

done_testing

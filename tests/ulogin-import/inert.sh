#!/bin/sh
# Inert output: a roster whose names, keys and classes hold terminal escape
# sequences (clear screen, window title), a carriage return, a bell and a
# right-to-left override, in a file whose name is not UTF-8, and entries
# that a directory manager filled with the same and with C1 controls:
# none of it reaches the operator's terminal, the plan, the report, the
# results, the audit log or the nightly job's log and mail as such.
# Every value is shown escaped; JSON stays valid and keeps the exact
# value; LDIF carries it base64.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
sandbox_start
allow_sources skole
run 0 ulogin-policy apply -q

# The bytes that must never be printed raw: C0 controls but tab and
# newline, a CR but at the end of a CSV line, DEL, C1 controls (as UTF-8),
# the bidirectional and invisible format characters, and bytes that are
# not UTF-8 (here: the 0xff of the file name).
hostile='[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!$)|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8b\x8e\x8f\xa8-\xae]|\xe2\x81[\xa0\xa6-\xa9]|\xef\xbb\xbf|\xff'
inert() {	# inert FILE DESCRIPTION
	! LC_ALL=C grep -qP "$hostile" "$1"
	ok $? "$2"
}
has() {		# has FILE TEXT DESCRIPTION: TEXT, literally
	grep -qF -- "$2" "$1"
	ok $? "$3"
}

ESC=$(printf '\033')
RLO=$(printf '\342\200\256')		# U+202E RIGHT-TO-LEFT OVERRIDE
given="Kari${ESC}[2J${ESC}]0;pwned$(printf '\007')"
surname="Berg$(printf '\r')Ha$(printf '\007')\\"
shown="Kari\\x1b[2J\\x1b]0;pwned\\x07 Berg\\rHa\\x07\\\\"

D=$TEST_TMP/out
mkdir "$D"
F=$TEST_TMP/elever-$(printf '\377').csv	# a Latin-1 file name
Fx=$TEST_TMP/elever-\\xff.csv		# ... as it is shown
{
	echo 'ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
	printf 'I1%s,%s,"%s",Elev,280001,,5%sa,5,,,,\n' "$RLO" "$given" \
		"$surname" "$RLO"
	printf 'I2%s[31m,Ola,Nord,Elev,280001,,5a,x%s[5m,,,,\n' "$ESC" "$ESC"
} >"$F"
bad_row="$Fx:3: key=I2\\x1b[31m: bad grade 'x\\x1b[5m' (0-10 or g1-g3)"

# ---- the plan: on the terminal, as JSON, as LDIF --------------------------
run 1 ulogin-import run --no-initial-passwords "$F" --source skole -n --plan "$D/plan.json"
inert "$OUT" "dry run: the plan lines are inert"
inert "$ERR" "dry run: the messages are inert"
has "$OUT" "+ user kari0001 ($shown; student; 280001; grade 5)" \
	"the plan shows the name escaped"
has "$OUT" "+ class 280001-5\\u202ea (1 student, 0 teachers)" \
	"the plan shows the class's right-to-left override escaped"
has "$ERR" "$bad_row" "the bad row's file, key and value are shown escaped"
inert "$D/plan.json" "the JSON plan is inert"
jq -e . "$D/plan.json" >/dev/null
ok $? "the JSON plan is valid JSON"
is "$(jq -j '.[] | select(.step == "add") | .changes[] |
	select(.attr == "givenName") | .values[0]' "$D/plan.json")" "$given" \
	"the JSON plan keeps the exact value"

run 1 ulogin-import run --no-initial-passwords "$F" --source skole -n --plan "$D/plan.ldif"
inert "$D/plan.ldif" "the LDIF plan is inert"
is "$(sed -n 's/^givenName:: //p' "$D/plan.ldif" | base64 -d)" "$given" \
	"the LDIF plan has the value base64-encoded (RFC 2849), exact"
is "$(sed -n 's/^uloginClassName:: //p' "$D/plan.ldif" | base64 -d)" \
	"5${RLO}a" "... and the class name"

# ---- a real run: stdout, stderr, --results, --report ----------------------
run 1 ulogin-import run "$F" --source skole -v --results "$D/results.csv" \
	--report "$D/report.json" --passwords "$D/passwords.csv"
inert "$OUT" "run -v: the plan lines are inert"
inert "$ERR" "run: the messages are inert"
has "$ERR" "$bad_row" "run: the bad row is shown escaped"
inert "$D/results.csv" "--results is inert"
tr -d '\r' <"$D/results.csv" >"$TEST_TMP/results"
has "$TEST_TMP/results" "$Fx,2,I1\\u202e,kari0001,add,ok," \
	"--results: the added row, file name and key escaped"
has "$TEST_TMP/results" "$Fx,3,I2\\x1b[31m,,skip,skipped,bad grade 'x\\x1b[5m' (0-10 or g1-g3)" \
	"--results: the skipped row and its reason escaped"
inert "$D/report.json" "--report is inert"
jq -e . "$D/report.json" >/dev/null
ok $? "--report is valid JSON"
is "$(jq -r .input "$D/report.json")" "$Fx" \
	"--report: the file name that is not UTF-8 is there, escaped"
is "$(jq -j '.errors[0].key' "$D/report.json")" "I2${ESC}[31m" \
	"--report: a key keeps its exact value in JSON's escapes"
inert "$D/passwords.csv" "--passwords is inert"
inert "$AUDIT_LOG" "the audit log is inert"
jq -e . "$AUDIT_LOG" >/dev/null
ok $? "every line of the audit log is valid JSON"
is "$(jq -r 'select(.action == "import.class.add") | .target' "$AUDIT_LOG" | head -n 1)" \
	"cn=280001-5\\E2\\80\\AEa,ou=classes,$ULOGIN_BASE" \
	"the audit log names the class by its escaped DN"

# ---- what the directory holds, shown: every format ------------------------
for f in table tsv csv json; do
	run 0 ulogin-user show kari0001 -o $f
	inert "$OUT" "ulogin-user show -o $f is inert"
done
jq -e . "$OUT" >/dev/null
ok $? "ulogin-user show -o json is valid JSON"
is "$(jq -j .given_name "$OUT")" "$given" "... and keeps the exact value"
run 0 ulogin-user show kari0001 -o table
stdout_has '^Given name: +Kari\\x1b\[2J\\x1b\]0;pwned\\x07$' \
	"show: the given name escaped"
stdout_has '^External ID: +I1\\u202e$' "show: the external id escaped"
run 0 ulogin-user list -o table
inert "$OUT" "ulogin-user list is inert"
run 0 ulogin-import show skole -o table
inert "$OUT" "ulogin-import show is inert"
has "$OUT" "$shown" "ulogin-import show: the name escaped"
run 0 ulogin-class list -o tsv
inert "$OUT" "ulogin-class list is inert"
has "$OUT" "280001-5\\u202ea" "ulogin-class list: the class escaped"

# ---- values a directory manager wrote -------------------------------------
# shellcheck disable=SC2059 # the argument is a format of octal escapes
b64() { printf "$1" | base64 -w0; }
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null <<EOF
dn: $(people kari0001)
changetype: modify
replace: displayName
displayName:: $(b64 'A\302\2332J\177\342\200\250B\342\201\246C')
-
replace: mail
mail:: $(b64 'kari@example.dk\033[2J\nBcc: x@example.dk')

dn: cn=skole,ou=imports,$ULOGIN_BASE
changetype: modify
replace: uloginLastOutcome
uloginLastOutcome:: $(b64 'ok\033]0;owned\007')
EOF
ok $? "setup: the directory manager writes control characters"
for f in table tsv csv json; do
	run 0 ulogin-user show kari0001 -o $f
	inert "$OUT" "a manager's values: ulogin-user show -o $f is inert"
done
run 0 ulogin-user show kari0001 -o table
stdout_has '^Display name: +A\\u009b2J\\x7f\\u2028B\\u2066C$' \
	"C1 control, DEL, line separator and isolate escaped"
stdout_has '^Mail: +kari@example\.dk\\x1b\[2J\\nBcc: x@example\.dk$' \
	"a mail address cannot break a line"
run 0 ulogin-user list -o csv
inert "$OUT" "a manager's values: ulogin-user list -o csv is inert"
run 0 ulogin-import list -o table
inert "$OUT" "ulogin-import list is inert"
has "$OUT" "ok\\x1b]0;owned\\x07" "ulogin-import list: the outcome escaped"

# ---- arguments that are not UTF-8 -----------------------------------------
run 67 ulogin-user show "kari$(printf '\377\033[2J')"
inert "$ERR" "an argument echoed in an error is inert"
has "$ERR" "cannot find user 'kari\\xff\\x1b[2J'" "... and shown escaped"

# ---- the nightly job's log and mail ---------------------------------------
mkdir "$TEST_TMP/bin"
cat >"$TEST_TMP/bin/sendmail" <<EOF
#!/bin/sh
cat >>'$D/mailbox'
EOF
chmod +x "$TEST_TMP/bin/sendmail"
PATH=$TEST_TMP/bin:$PATH
run 1 ulogin-nightly-import --log "$D/import.log" \
	--lock "$D/lock" --mail it@kommune.example -- "$F" --source skole
inert "$D/import.log" "the nightly log is inert"
has "$D/import.log" "$bad_row" "the nightly log has the bad row escaped"
inert "$D/mailbox" "the failure mail is inert"
has "$D/mailbox" "$bad_row" "the failure mail has the bad row escaped"

done_testing

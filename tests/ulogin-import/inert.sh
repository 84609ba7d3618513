#!/bin/sh
# Inert output: nothing reaches the operator's terminal, the plan, the
# report, the results, the audit log or the nightly job's log and mail as
# a terminal escape sequence (clear screen, window title), a carriage
# return, a bell, a right-to-left override or a byte that is not UTF-8.
# A roster row whose cells hold a control character or a bidirectional
# control is refused as a bad row that names the column, never the value
# (nor a key that holds one), and makes nothing in the directory.  What
# does reach the directory and the output -- invisible format characters
# in a roster, whatever a directory manager writes with ldapmodify, file
# names and arguments -- is shown escaped; JSON stays valid and keeps the
# exact value; LDIF carries it base64.
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
inert() {	# inert FILE DESCRIPTION: FILE has text, none of it hostile
	[ -s "$1" ] && ! LC_ALL=C grep -qP "$hostile" "$1"
	ok $? "$2"
}
has() {		# has FILE TEXT DESCRIPTION: TEXT, literally
	grep -qF -- "$2" "$1"
	ok $? "$3"
}
line() {	# line FILE TEXT DESCRIPTION: TEXT is a whole line of FILE
	grep -qxF -- "$2" "$1"
	ok $? "$3"
}
# messages FILE: the lines of FILE that are no summary, hint or progress
# of ulogin-import's (the bad rows, here).
messages() { grep -v -e '^ulogin-import: ' -e '^hint: ' "$1"; }
# shellcheck disable=SC2059 # the argument is a format of octal escapes
b64() { printf "$1" | base64 -w0; }
b64v() { printf '%s' "$1" | base64 -w0; }	# b64v VALUE: as it is

ESC=$(printf '\033')
TAB=$(printf '\t')
BEL=$(printf '\007')
RLO=$(printf '\342\200\256')		# U+202E RIGHT-TO-LEFT OVERRIDE
LRM=$(printf '\342\200\216')		# U+200E LEFT-TO-RIGHT MARK
RLM=$(printf '\342\200\217')		# U+200F RIGHT-TO-LEFT MARK
ZWSP=$(printf '\342\200\213')		# U+200B ZERO WIDTH SPACE
WJ=$(printf '\342\201\240')		# U+2060 WORD JOINER
ALM=$(printf '\330\234')		# U+061C ARABIC LETTER MARK
BOM=$(printf '\357\273\277')		# U+FEFF ZERO WIDTH NO-BREAK SPACE
given="Kari${ESC}[2J${ESC}]0;pwned${BEL}"
surname="Berg$(printf '\r')Ha${BEL}\\"
shown="Kari\\x1b[2J\\x1b]0;pwned\\x07 Berg\\rHa\\x07\\\\"

D=$TEST_TMP/out
mkdir "$D"
# A Latin-1 file name that clears the screen.
F=$TEST_TMP/elever-$(printf '\377')${ESC}[2J.csv
Fx=$TEST_TMP/elever-\\xff\\x1b[2J.csv	# ... as it is shown

# ---- a roster: hostile rows are refused -----------------------------------
# Lines 2-10 each hold a control character or a bidirectional control in
# a cell that is used; line 12 a bad username with a mark in it.  Line 11
# is whole: its invisible format characters are no controls, and reach
# the directory.  Line 13 is plain.
{
	echo 'ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
	printf 'I1,%s,Berg,Elev,280001,,5a,5,,,,\n' "$given"
	printf 'I2,Ola,"%s",Elev,280001,,5a,5,,,,\n' "$surname"
	printf 'I3,Per,Nord,Elev,280001,,5%sa,5,,,,\n' "$RLO"
	printf 'I4%s[31m,Ib,Nord,Elev,280001,,5a,5,,,,\n' "$ESC"
	printf 'I5%s,Jo,Nord,Elev,280001,,5a,5,,,,\n' "$RLO"
	printf 'I6,Eva,Nord,Elev,280001,,5a,x%s[5m,,,,\n' "$ESC"
	printf 'I7,Bo,Lund,Elev,280001,bo%s]0;x%s,5a,5,,,,\n' "$ESC" "$BEL"
	printf 'I8,A\302\2332J\177,Dam,Elev,280001,,5a,5,,,,\n'
	printf 'I9,Gry,Lund\342\201\246,Elev,280001,,5a,5,,,,\n'
	printf 'Z1%s,Li%sne,Da%shl%s,Elev,280001,,5%sb,5,,,,\n' \
		"$ZWSP" "$LRM" "$WJ" "$ALM" "$BOM"
	printf 'Z2%s,Ole,Hansen,Elev,280001,ole%s,5b,5,,,,\n' "$RLM" "$LRM"
	echo 'K1,Kari,Berg,Elev,280001,,5a,5,,,,'
} >"$F"
cat >"$TEST_TMP/bad-rows" <<EOF
$Fx:2: key=I1: column 'Fornavn' holds a control character
$Fx:3: key=I2: column 'Efternavn' holds a line break
$Fx:4: key=I3: column 'Klasser' holds a bidirectional control character
$Fx:5: key=-: column 'ElevID' holds a control character
$Fx:6: key=-: column 'ElevID' holds a bidirectional control character
$Fx:7: key=I6: column 'Klassetrin' holds a control character
$Fx:8: key=I7: column 'Brugernavn' holds a control character
$Fx:9: key=I8: column 'Fornavn' holds a control character
$Fx:10: key=I9: column 'Efternavn' holds a bidirectional control character
$Fx:12: key=Z2\\u200f: bad username 'ole\\u200e': only a-z, 0-9, '.', '-', '_' and one '@' are allowed
EOF
line_shown="Li\\u200ene Da\\u2060hl\\u061c"

# ---- the plan: on the terminal, as JSON, as LDIF --------------------------
run 1 ulogin-import run --no-initial-passwords "$F" --source skole -n --plan "$D/plan.json"
inert "$OUT" "dry run: the plan lines are inert"
inert "$ERR" "dry run: the messages are inert"
messages "$ERR" >"$TEST_TMP/got"
same_text "$TEST_TMP/bad-rows" "$TEST_TMP/got" \
	"dry run: each hostile row is a bad row: file, line, key and column, escaped, no value"
line "$ERR" "$Fx:5: key=-: column 'ElevID' holds a control character" \
	"a key that holds a control character is not shown: key=-"
line "$ERR" "$Fx:4: key=I3: column 'Klasser' holds a bidirectional control character" \
	"a class name with a right-to-left override is a bad row"
line "$OUT" "+ user line0001 ($line_shown; student; 280001; grade 5)" \
	"the plan shows the invisible characters of a whole row escaped"
line "$OUT" "+ class 280001-5\\ufeffb (1 student, 0 teachers)" \
	"... and of its class"
line "$OUT" "+ user kari0001 (Kari Berg; student; 280001; grade 5)" \
	"the plain row is planned"
is "$(grep -c '^+ user ' "$OUT")" 2 "no refused row is planned"
inert "$D/plan.json" "the JSON plan is inert"
jq -e . "$D/plan.json" >/dev/null
ok $? "the JSON plan is valid JSON"
is "$(jq -j --arg dn "$(people line0001)" '.[] | select(.dn == $dn) |
	.changes[] | select(.attr == "givenName") | .values[0]' "$D/plan.json")" \
	"Li${LRM}ne" "the JSON plan keeps the exact value"
is "$(jq -ac '[.[] | .changes[] | select(.attr == "uloginExternalId") |
	.values[]] | sort' "$D/plan.json")" '["K1","Z1\u200b"]' \
	"the JSON plan has the whole rows only"

run 1 ulogin-import run --no-initial-passwords "$F" --source skole -n --plan "$D/plan.ldif"
inert "$D/plan.ldif" "the LDIF plan is inert"
is "$(sed -n 's/^givenName:: //p' "$D/plan.ldif" | base64 -d)" "Li${LRM}ne" \
	"the LDIF plan has the value base64-encoded (RFC 2849), exact"
is "$(sed -n 's/^uloginClassName:: //p' "$D/plan.ldif" | base64 -d)" \
	"5${BOM}b" "... and the class name"
is "$(grep -c '^dn: uid=' "$D/plan.ldif")" 2 \
	"the LDIF plan has the whole rows only"

# ---- a real run: stdout, stderr, --results, --report ----------------------
run 1 ulogin-import run "$F" --source skole -v --results "$D/results.csv" \
	--report "$D/report.json" --passwords "$D/passwords.csv"
inert "$OUT" "run -v: the plan lines are inert"
inert "$ERR" "run: the messages are inert"
messages "$ERR" >"$TEST_TMP/got"
same_text "$TEST_TMP/bad-rows" "$TEST_TMP/got" "run: the same bad rows"
has "$ERR" "import.class.add cn=280001-5\\\\EF\\\\BB\\\\BFb,ou=classes,$ULOGIN_BASE: Success" \
	"run -v: a DN is shown escaped, its backslashes doubled"
inert "$D/results.csv" "--results is inert"
tr -d '\r' <"$D/results.csv" >"$TEST_TMP/results"
cat >"$TEST_TMP/want" <<EOF
file,line,key,username,action,result,reason
$Fx,2,I1,,skip,skipped,column 'Fornavn' holds a control character
$Fx,3,I2,,skip,skipped,column 'Efternavn' holds a line break
$Fx,4,I3,,skip,skipped,column 'Klasser' holds a bidirectional control character
$Fx,5,,,skip,skipped,column 'ElevID' holds a control character
$Fx,6,,,skip,skipped,column 'ElevID' holds a bidirectional control character
$Fx,7,I6,,skip,skipped,column 'Klassetrin' holds a control character
$Fx,8,I7,,skip,skipped,column 'Brugernavn' holds a control character
$Fx,9,I8,,skip,skipped,column 'Fornavn' holds a control character
$Fx,10,I9,,skip,skipped,column 'Efternavn' holds a bidirectional control character
$Fx,11,Z1\\u200b,line0001,add,ok,
$Fx,12,Z2\\u200f,,skip,skipped,"bad username 'ole\\u200e': only a-z, 0-9, '.', '-', '_' and one '@' are allowed"
$Fx,13,K1,kari0001,add,ok,
EOF
same_text "$TEST_TMP/want" "$TEST_TMP/results" \
	"--results: every row, file name, key and reason escaped, no refused value"
inert "$D/report.json" "--report is inert"
jq -e . "$D/report.json" >/dev/null
ok $? "--report is valid JSON"
is "$(jq -r .input "$D/report.json")" "$Fx" \
	"--report: the file name that is not UTF-8 is there, escaped"
is "$(jq -ac '[.errors[] | [.line, .key]]' "$D/report.json")" \
	'[[2,"I1"],[3,"I2"],[4,"I3"],[5,null],[6,null],[7,"I6"],[8,"I7"],[9,"I8"],[10,"I9"],[12,"Z2\u200f"]]' \
	"--report: every bad row, a hostile key left out"
is "$(jq -j '.errors[] | select(.line == 12) | .key' "$D/report.json")" "Z2${RLM}" \
	"--report: a key keeps its exact value in JSON's escapes"
inert "$D/passwords.csv" "--passwords is inert"
is "$(cut -d, -f1 "$D/passwords.csv" | tr -d '\r' | tr '\n' ' ')" \
	"username line0001 kari0001 " "--passwords: the whole rows' users only"
inert "$AUDIT_LOG" "the audit log is inert"
jq -e . "$AUDIT_LOG" >/dev/null
ok $? "every line of the audit log is valid JSON"
is "$(jq -r 'select(.action == "import.class.add") | .target' "$AUDIT_LOG" | sort | tr '\n' ' ')" \
	"cn=280001-5\\EF\\BB\\BFb,ou=classes,$ULOGIN_BASE cn=280001-5a,ou=classes,$ULOGIN_BASE " \
	"the audit log names the classes by their escaped DN"
is "$(jq -r 'select(.action == "import.add") | .target' "$AUDIT_LOG" | sort | tr '\n' ' ')" \
	"$(people kari0001) $(people line0001) " \
	"the audit log: the whole rows' users only"

# ---- the refused rows made nothing ----------------------------------------
is "$(users)" 2 "the directory has the whole rows' users only"
ldap_search "ou=people,$ULOGIN_BASE" \
	'(|(uloginExternalId=I*)(uloginExternalId=Z2*)(uid=bo*)(uid=ole*)(givenName=*\1b*)(sn=*\0d*))' \
	dn >"$TEST_TMP/found"
is "$(cat "$TEST_TMP/found")" "" "no refused row's person is in the directory"
is "$(ldap_search "ou=classes,$ULOGIN_BASE" '(objectClass=uloginClass)' 1.1 |
	grep -c '^dn:')" 2 "the directory has the whole rows' classes only"
! ldap_exists "$(class "280001-5${RLO}a")"
ok $? "the refused class name made no class"

# ---- what the directory holds, shown: every format ------------------------
for f in table tsv csv json; do
	run 0 ulogin-user show line0001 -o $f
	inert "$OUT" "ulogin-user show -o $f is inert"
done
jq -e . "$OUT" >/dev/null
ok $? "ulogin-user show -o json is valid JSON"
is "$(jq -j .given_name "$OUT")" "Li${LRM}ne" "... and keeps the exact value"
run 0 ulogin-user show line0001 -o table
stdout_has '^Given name: +Li\\u200ene$' "show: the given name escaped"
stdout_has '^External ID: +Z1\\u200b$' "show: the external id escaped"
stdout_has '^Classes: +280001-5\\ufeffb$' "show: the class escaped"
run 0 ulogin-user list -o table
inert "$OUT" "ulogin-user list is inert"
has "$OUT" "Da\\u2060hl\\u061c" "ulogin-user list: the surname escaped"
run 0 ulogin-import show skole -o table
inert "$OUT" "ulogin-import show is inert"
has "$OUT" "$line_shown" "ulogin-import show: the name escaped"
run 0 ulogin-class list -o tsv
inert "$OUT" "ulogin-class list is inert"
has "$OUT" "280001-5\\ufeffb" "ulogin-class list: the class escaped"

# ---- values a directory manager wrote -------------------------------------
# Kari's names, mail, external id and block reason; a class of the
# source's whose name holds an override and an escape; the source's last
# outcome, and a source of its own with an escape in its name.
hclass="280001-5${RLO}${ESC}[7ma"
hclass_shown="280001-5\\u202e\\x1b[7ma"
hsource="sk${ESC}[2Jole"
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null <<EOF
dn: $(people kari0001)
changetype: modify
replace: givenName
givenName:: $(b64v "$given")
-
replace: sn
sn:: $(b64v "$surname")
-
replace: cn
cn:: $(b64v "$given $surname")
-
replace: displayName
displayName:: $(b64 'A\302\2332J\177\342\200\250B\342\201\246C')
-
replace: mail
mail:: $(b64 'kari@example.dk\033[2J\nBcc: x@example.dk')
-
replace: uloginExternalId
uloginExternalId:: $(b64 'K1\342\200\256')
-
replace: uloginBlockReason
uloginBlockReason:: $(b64 'mobning\033[8m skjult')
-
replace: pwdAccountLockedTime
pwdAccountLockedTime: 000001010000Z

dn:: $(b64v "$(class "$hclass")")
changetype: add
objectClass: uloginClass
cn:: $(b64v "$hclass")
uloginClassName:: $(b64v "5${RLO}${ESC}[7ma")
uloginInstitution: 280001
uloginGrade: 5
uloginSource: skole
member: $(people kari0001)
description:: $(b64 'Klasse\033]0;owned\007')

dn: cn=skole,ou=imports,$ULOGIN_BASE
changetype: modify
replace: uloginLastOutcome
uloginLastOutcome:: $(b64 'ok\033]0;owned\007')

dn:: $(b64v "cn=$hsource,ou=imports,$ULOGIN_BASE")
changetype: add
objectClass: uloginImportSource
cn:: $(b64v "$hsource")
uloginSourceKind: csv
EOF
ok $? "setup: the directory manager writes control characters"
is "$(ldap_attr "$(people kari0001)" sn)" "$surname" \
	"setup: the surname is as written"
for f in table tsv csv json; do
	run 0 ulogin-user show kari0001 -o $f
	inert "$OUT" "a manager's values: ulogin-user show -o $f is inert"
done
is "$(jq -j .given_name "$OUT")" "$given" "show -o json keeps the exact value"
is "$(jq -j .mail "$OUT")" "kari@example.dk${ESC}[2J
Bcc: x@example.dk" "... of the mail too"
run 0 ulogin-user show kari0001 -o table
stdout_has '^Name: +Kari\\x1b\[2J\\x1b\]0;pwned\\x07 Berg\\rHa\\x07\\\\$' \
	"the name escaped"
stdout_has '^Given name: +Kari\\x1b\[2J\\x1b\]0;pwned\\x07$' \
	"the given name escaped"
stdout_has '^Surname: +Berg\\rHa\\x07\\\\$' "the surname escaped"
stdout_has '^Display name: +A\\u009b2J\\x7f\\u2028B\\u2066C$' \
	"C1 control, DEL, line separator and isolate escaped"
stdout_has '^Mail: +kari@example\.dk\\x1b\[2J\\nBcc: x@example\.dk$' \
	"a mail address cannot break a line"
stdout_has '^External ID: +K1\\u202e$' "the external id escaped"
stdout_has '^Why: +blocked by an administrator: mobning\\x1b\[8m skjult$' \
	"the block reason escaped"
stdout_has '^(Classes:)? +280001-5\\u202e\\x1b\[7ma$' "the class escaped"
for f in table csv; do
	run 0 ulogin-user list -o $f
	inert "$OUT" "a manager's values: ulogin-user list -o $f is inert"
	has "$OUT" "Kari\\x1b[2J\\x1b]0;pwned\\x07" \
		"ulogin-user list -o $f: the given name escaped"
done
run 0 ulogin-import show skole -o table
inert "$OUT" "a manager's values: ulogin-import show is inert"
has "$OUT" "$shown" "ulogin-import show: the name escaped"
has "$OUT" "K1\\u202e" "ulogin-import show: the external id escaped"
run 0 ulogin-import list -o table
inert "$OUT" "ulogin-import list is inert"
has "$OUT" "ok\\x1b]0;owned\\x07" "ulogin-import list: the outcome escaped"
stdout_has '^sk\\x1b\[2Jole ' "ulogin-import list: the source's name escaped"
run 0 ulogin-import list -o json
inert "$OUT" "ulogin-import list -o json is inert"
is "$(jq -j '.[0].source' "$OUT")" "$hsource" \
	"ulogin-import list -o json keeps the exact name"
run 0 ulogin-class list -o tsv
inert "$OUT" "a manager's values: ulogin-class list is inert"
has "$OUT" "$hclass_shown${TAB}280001${TAB}5${TAB}Klasse\\x1b]0;owned\\x07" \
	"ulogin-class list: the class and its title escaped"
run 0 ulogin-class show "$hclass"
inert "$OUT" "ulogin-class show is inert"
inert "$ERR" "ulogin-class show: its messages are inert"
has "$ERR" "class $hclass_shown of institution 280001, grade 5 (Klasse\\x1b]0;owned\\x07)" \
	"ulogin-class show: the class and its title escaped"
has "$OUT" "$shown" "ulogin-class show: the student's name escaped"
run 0 ulogin-class promote -n
inert "$OUT" "ulogin-class promote: the plan lines are inert"
line "$OUT" "~ class $hclass_shown -> 280001-6\\u202e\\x1b[7ma (grade 5 -> 6)" \
	"ulogin-class promote: the plan line shows the class escaped"

# The import removes the class of its own that the roster no longer has:
# its plan line, the plans and the audit log show the manager's name.
hdn=$(class "$hclass")
hdn_shown=$(class "$hclass_shown")
run 1 ulogin-import run --no-initial-passwords "$F" --source skole -n \
	--plan "$D/plan2.json"
inert "$OUT" "a manager's values: the import's plan lines are inert"
line "$OUT" "- class $hclass_shown" \
	"the import's plan line shows the class escaped"
inert "$D/plan2.json" "a manager's values: the JSON plan is inert"
is "$(jq -j '.[] | select(.step == "class-delete") | .dn' "$D/plan2.json")" \
	"$hdn" "the JSON plan keeps the exact DN"
run 1 ulogin-import run --no-initial-passwords "$F" --source skole -n \
	--plan "$D/plan2.ldif"
inert "$D/plan2.ldif" "a manager's values: the LDIF plan is inert"
is "$(sed -n 's/^dn:: //p' "$D/plan2.ldif" | base64 -d)" "$hdn" \
	"the LDIF plan has the DN base64-encoded, exact"
run 1 ulogin-import run --no-initial-passwords "$F" --source skole -v
inert "$OUT" "a manager's values: run -v: the plan lines are inert"
inert "$ERR" "a manager's values: run -v: the messages are inert"
has "$ERR" "import.class.delete $hdn_shown: Success" \
	"run -v: the DN escaped"
! ldap_exists "$hdn"
ok $? "the class was removed"
inert "$AUDIT_LOG" "a manager's values: the audit log is inert"
jq -e . "$AUDIT_LOG" >/dev/null
ok $? "... and valid JSON"
is "$(jq -j 'select(.action == "import.class.delete") | .target' "$AUDIT_LOG")" \
	"$hdn" "the audit log keeps the exact DN in JSON's escapes"

# A lock that a manager wrote: refused, shown, removed and audited inert.
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	>/dev/null <<EOF
dn: cn=skole,ou=imports,$ULOGIN_BASE
changetype: modify
replace: uloginLock
uloginLock:: $(b64 'pc\033]0;owned\007 pid 1')
EOF
ok $? "setup: the directory manager writes a lock with a window title"
run 0 ulogin-import list -o table
inert "$OUT" "ulogin-import list: a lock is inert"
has "$OUT" "pc\\x1b]0;owned\\x07 pid 1" "ulogin-import list: the lock escaped"
run 75 ulogin-import run --no-initial-passwords "$F" --source skole
inert "$ERR" "a run that finds the lock: the message is inert"
has "$ERR" "source 'skole' is locked by 'pc\\x1b]0;owned\\x07 pid 1'" \
	"... and shows the lock escaped"
run 0 ulogin-import unlock --source skole --yes
inert "$ERR" "unlock: the message is inert"
has "$ERR" "removed the lock of 'skole': 'pc\\x1b]0;owned\\x07 pid 1'" \
	"unlock: the lock escaped"
inert "$AUDIT_LOG" "unlock: the audit log is inert"
is "$(jq -j 'select(.action == "import.unlock") | .comment' "$AUDIT_LOG")" \
	"the lock was 'pc${ESC}]0;owned${BEL} pid 1'" \
	"the audit log's comment keeps the exact value in JSON's escapes"

# ---- file names and arguments ---------------------------------------------
run 67 ulogin-user show "kari$(printf '\377\033[2J')"
inert "$ERR" "an argument echoed in an error is inert"
has "$ERR" "cannot find user 'kari\\xff\\x1b[2J'" "... and shown escaped"
run 64 ulogin-import run --no-initial-passwords "$F" \
	--source "sk${ESC}[2J$(printf '\377')${RLO}ole"
inert "$ERR" "a --source that is no name: the error is inert"
has "$ERR" "bad source name 'sk\\x1b[2J\\xff\\u202eole'" "... and shows it escaped"
run 66 ulogin-import run --no-initial-passwords \
	"$TEST_TMP/no${ESC}]0;x${BEL}such.csv" --source skole
inert "$ERR" "a missing roster: the error is inert"
has "$ERR" "cannot read '$TEST_TMP/no\\x1b]0;x\\x07such.csv'" \
	"... and shows its name escaped"
run 67 ulogin-class show "280001-9${RLO}x"
inert "$ERR" "a missing class: the error is inert"
has "$ERR" "280001-9\\u202ex" "... and shows its name escaped"

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
has "$D/import.log" "$Fx:2: key=I1: column 'Fornavn' holds a control character" \
	"the nightly log has the bad row, its file name escaped"
has "$D/import.log" "$Fx:5: key=-: column 'ElevID' holds a control character" \
	"... and a hostile key left out"
inert "$D/mailbox" "the failure mail is inert"
has "$D/mailbox" "$Fx:2: key=I1: column 'Fornavn' holds a control character" \
	"the failure mail has the bad row escaped"
has "$D/mailbox" "ulogin-import run $Fx --source skole" \
	"the failure mail shows the command line escaped"
inert "$AUDIT_LOG" "at the end, the audit log is inert"

done_testing

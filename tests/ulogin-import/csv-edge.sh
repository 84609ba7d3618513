#!/bin/sh
# ulogin-import run: every CSV edge case reaches the directory byte for
# byte -- quoted delimiters, doubled quotes, line breaks inside quotes,
# spaces (RFC 4180 keeps them), CRLF, a UTF-8 BOM, Windows-1252 and
# ISO-8859-1 files, tab and semicolon delimiters, detected or forced.
. "$top_srcdir/tests/lib.sh"
sandbox_start
allow_sources edge-quotes edge-crlf edge-bom edge-1252 edge-latin1 edge-tab edge-forced edge-forced2
run 0 ulogin-policy apply -q

C=ou=classes,$ULOGIN_BASE
H='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
attr() { ldap_attr "$(people "$1")" "$2"; }
hex() { od -An -v -tx1 | tr -d ' \n'; }
# The bytes of a value (ldap_attr ends it with a newline).
attrhex() { printf %s "$(attr "$1" "$2")" | hex; }
no_source() {	# no_source NAME DESCRIPTION
	ldap_exists "cn=$1,ou=imports,$ULOGIN_BASE"
	ok $((! $?)) "$2"
}

# ---- quotes, line breaks and spaces (LF line ends) -----------------------
F=$TEST_TMP/quotes.csv
# Zoë with a combining diaeresis (NFD): no normalising either.
zoe_nfd=$(printf 'Zoe\314\210')
cat >"$F" <<EOF
$H
Q1,Anna,"Berg, Holm",Elev,280001,q.anna,,,,,,
Q2,Bo,"O""Brien ""Bobby""",Elev,280001,q.bo,,,,,,
Q3,"Anna
Marie",Lund,Elev,280001,q.marie,,,,,,
Q4,"  Anna ",  Vik  ,Elev,280001,q.space,,,,,,
Q5,Carl,Dahl,Elev,280001,q.carl,"5a,6b",5,,,,
Q6,$zoe_nfd,"""",Elev,280001,q.zoe,,,,,,
Q7,Dan,Dam,Rektor,280001,q.dan,,,,,,
EOF
run 1 ulogin-import run --no-initial-passwords "$F" --source edge-quotes
is "$(attr q.anna sn)" "Berg, Holm" "a quoted delimiter is data"
is "$(attr q.bo sn)" 'O"Brien "Bobby"' "doubled quotes are one quote each"
is "$(attr q.marie givenName)" "$(printf 'Anna\nMarie')" \
	"a line break inside quotes is kept (LF)"
is "$(attr q.marie cn)" "$(printf 'Anna\nMarie Lund')" "and is in cn too"
is "$(attrhex q.space givenName)" "$(printf '  Anna ' | hex)" \
	"spaces inside quotes are kept: '  Anna '"
is "$(attrhex q.space sn)" "$(printf '  Vik  ' | hex)" \
	"spaces around an unquoted field are kept: '  Vik  '"
is "$(attrhex q.zoe givenName)" "$(printf %s "$zoe_nfd" | hex)" \
	"a decomposed Zoë is stored as it came (no normalising)"
is "$(attr q.zoe sn)" '"' 'a field of one doubled quote is a single "'
is "$(ldap_attr "cn=280001-5a,$C" member)" "$(people q.carl)" \
	"a quoted list \"5a,6b\": member of 280001-5a"
is "$(ldap_attr "cn=280001-6b,$C" member)" "$(people q.carl)" \
	"... and of 280001-6b"
# Line numbers count physical lines: Q3 spans lines 4 and 5, Q7 is on 9.
stderr_has "^$F:9: key=Q7: unknown role 'Rektor'$" \
	"a bad row after a quoted line break is named by its physical line"

# ---- CRLF line ends, a CRLF inside quotes, no newline at the very end ----
F=$TEST_TMP/crlf.csv
# The surname last: a CR left on it would show.
printf '%s\r\n' \
	'ElevID,Fornavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre,Efternavn' \
	'C1,Anna,Elev,280001,c.anna,,,,,,,Berg' \
	'C2,"Anna' \
	'Marie",Elev,280001,c.marie,,,anna.marie@example.dk,,,,"Holm"' >"$F"
printf 'C3,Bo,Elev,280001,c.bo,,,,,,,Dahl' >>"$F"
run 0 ulogin-import run --no-initial-passwords "$F" --source edge-crlf
is "$(attrhex c.anna sn)" "$(printf Berg | hex)" "CRLF: the last field has no CR"
is "$(attrhex c.marie sn)" "$(printf Holm | hex)" "CRLF: a quoted last field has no CR"
is "$(attrhex c.marie givenName)" "$(printf 'Anna\r\nMarie' | hex)" \
	"CRLF inside quotes is data (RFC 4180)"
is "$(attr c.marie mail)" "anna.marie@example.dk" "the record after the line break is whole"
is "$(attr c.bo sn)" "Dahl" "a last line without a line end is read"

# ---- a UTF-8 BOM -----------------------------------------------------------
F=$TEST_TMP/bom.csv
printf '\357\273\277%s\n%s\n' "$H" 'B1,Bjørn,Ærø,Elev,280001,b.bjoern,,,,,,' >"$F"
run 0 ulogin-import run --no-initial-passwords "$F" --source edge-bom
is "$(attrhex b.bjoern uloginExternalId)" "$(printf B1 | hex)" \
	"BOM: the first column is found, its values have no BOM"
is "$(attr b.bjoern cn)" "Bjørn Ærø" "BOM: UTF-8 names"

# ---- Windows-1252, ';', detected ------------------------------------------
F=$TEST_TMP/cp1252.csv
printf '%s\r\n' "$(echo "$H" | tr , ';')" \
	'W1;Søren;Kjærgård;Elev;280001;w.soeren;;;;;;' \
	'W2;Åse;Bøgh – “Bo”;Lærer;280001;w.aase;;;;;;' \
	'W3;Zoë;Müller, €;Elev;280001;w.zoe;;;;;;' |
	iconv -f UTF-8 -t WINDOWS-1252 >"$F"
cp "$AUDIT_LOG" "$TEST_TMP/audit.before"
ldap_search "$ULOGIN_BASE" '(objectClass=*)' '*' '+' >"$TEST_TMP/dir.before"
run 65 ulogin-import run --no-initial-passwords "$F" --source edge-1252
# The first byte that is not UTF-8: the æ of Forældre in the header.
bad=$(LC_ALL=C awk -v c="$(printf '\346')" 'NR == 1 { print index($0, c) - 1; exit }' "$F")
stderr_has "^ulogin-import: cannot read '$F': line 1 \(byte [0-9]+\): the text is not valid UTF-8" \
	"without --encoding: refused, naming line 1 and a byte offset"
b=$(sed -nE 's/.*line 1 \(byte ([0-9]+)\).*/\1/p' "$ERR")
[ -n "$b" ] && [ "$b" -ge 0 ] && [ "$b" -le "$bad" ]
ok $? "the byte offset ($b) points into line 1, at or before the bad byte ($bad)"
stderr_has "encoding windows-1252" "the message suggests --encoding windows-1252"
ldap_search "$ULOGIN_BASE" '(objectClass=*)' '*' '+' >"$TEST_TMP/dir.after"
cmp -s "$TEST_TMP/dir.before" "$TEST_TMP/dir.after"
ok $? "nothing was written to the directory"
cmp -s "$TEST_TMP/audit.before" "$AUDIT_LOG"
ok $? "nothing was written to the audit log"
no_source edge-1252 "no source entry was made"

run 0 ulogin-import run --no-initial-passwords "$F" --source edge-1252 --encoding windows-1252
is "$(attr w.soeren cn)" "Søren Kjærgård" "Windows-1252: æ ø å as UTF-8"
is "$(attr w.aase sn)" "Bøgh – “Bo”" "Windows-1252: en dash and curly quotes (0x96, 0x93, 0x94)"
is "$(attr w.aase uloginRole)" "teacher" "Windows-1252: the role Lærer is recognised"
is "$(attr w.zoe sn)" "Müller, €" "Windows-1252: the euro sign (0x80) and a comma in a ';' file"

# ---- ISO-8859-1 ---------------------------------------------------------------
F=$TEST_TMP/latin1.csv
printf '%s\n' "$H" \
	'L1,Jürgen,Ærøskøbing,Elev,280001,l.juergen,,,,,,' \
	'L2,Émile,"Straße, ½",Forælder,280001,l.emile,,,,,,' |
	iconv -f UTF-8 -t ISO-8859-1 >"$F"
run 0 ulogin-import run --no-initial-passwords "$F" --source edge-latin1 --encoding iso-8859-1
is "$(attr l.juergen cn)" "Jürgen Ærøskøbing" "ISO-8859-1: ü Æ ø as UTF-8"
is "$(attr l.emile sn)" "Straße, ½" "ISO-8859-1: ß ½ and a quoted comma"
is "$(attr l.emile uloginRole)" "parent" "ISO-8859-1: the role Forælder is recognised"

# ---- tab-separated -----------------------------------------------------------
F=$TEST_TMP/tab.csv
{
	echo "$H" | tr , '\t'
	printf 'T1\tAnna\tBerg, Holm; Vik\tElev\t280001\tt.anna\t5a\t5\t\t\t\t\n'
	printf 'T2\tBo\t"Dahl"\tElev\t280001\tt.bo\t5a\t5\t\t\t\t\n'
} >"$F"
run 0 ulogin-import run --no-initial-passwords "$F" --source edge-tab
is "$(attr t.anna sn)" "Berg, Holm; Vik" "tab: commas and semicolons are data"
is "$(attr t.bo sn)" "Dahl" "tab: a quoted field"
is "$(ldap_attr "cn=280001-5a,$C" member | sort | tr '\n' ' ')" \
	"$(people q.carl) $(people t.anna) $(people t.bo) " \
	"tab: the class is shared with the other source's pupil"

# ---- --delimiter forcing -------------------------------------------------------
# A ';' file whose header has an extra column full of commas: detection
# guesses ',' and the columns are not found; --delimiter ';' reads it.
F=$TEST_TMP/forced.csv
printf '%s;%s\n%s\n' "$(echo "$H" | tr , ';')" 'Note (a, b, c, d, e, f, g, h, i, j, k, l, m)' \
	'D1;Dorte;Berg, Holm;Elev;280001;d.dorte;;;;;;;x, y' >"$F"
run 65 ulogin-import run --no-initial-passwords "$F" --source edge-forced
stderr_has "no column '[^']*' in the header" "detected ',': the mapped columns are missing"
no_source edge-forced "the refused file made no source entry"
run 0 ulogin-import run --no-initial-passwords "$F" --source edge-forced --delimiter ';'
is "$(attr d.dorte sn)" "Berg, Holm" "--delimiter ';': the file is read with ';'"
is "$(attr d.dorte givenName)" "Dorte" "--delimiter ';': every column in place"
# And ',' forced on a comma file whose header is full of semicolons.
F=$TEST_TMP/forced2.csv
printf '%s,%s\n%s\n' "$H" 'Note;a;b;c;d;e;f;g;h;i;j;k;l;m' \
	'D2;x,Dina,Dam;Sø,Elev,280001,d.dina,,,,,,,' >"$F"
run 65 ulogin-import run --no-initial-passwords "$F" --source edge-forced2
stderr_has "no column '[^']*' in the header" "detected ';': the mapped columns are missing"
run 0 ulogin-import run --no-initial-passwords "$F" --source edge-forced2 --delimiter ,
is "$(attr d.dina sn)" "Dam;Sø" "--delimiter ',': a semicolon in a value is data"
is "$(attr d.dina uloginExternalId)" "D2;x" "--delimiter ',': the first column is whole"

done_testing

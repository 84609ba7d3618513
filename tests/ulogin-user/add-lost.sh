#!/bin/sh
# ulogin-user add when the connection fails during the add (DESIGN §6:
# the outcome is read back, not assumed).  A proxy in front of slapd
# (tests/ldap-cut.py) cuts the connection at the add request: after slapd
# has it (the user is made, the answer is lost), before (nothing is made),
# or after with no way back (nobody can tell).  The initial password is
# never lost for a user who may exist: kept in the passwords file, or
# shown on the terminal; a line for a user not made is voided.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (for the proxy and a pseudo-terminal)"
sandbox_start --example
run 0 ulogin-policy apply -q
SLAPD_PORT=${ULOGIN_URI##*:}

HAND=$TEST_TMP/handout
mkdir -m 700 "$HAND"
PF=$HAND/initial.csv
handed=
hand() { handed="$handed$1
"; }
line_of() { grep "^$1," "$PF"; }

# proxy MODE: start the proxy; PROXY_URI is its address.
proxy() {
	rm -f "$TEST_TMP/proxy.port"
	python3 "$top_srcdir/tests/ldap-cut.py" "$TEST_TMP/proxy.port" \
		"$SLAPD_PORT" "$1" &
	proxy_pid=$!
	i=0
	while [ ! -s "$TEST_TMP/proxy.port" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	PROXY_URI=ldap://127.0.0.1:$(cat "$TEST_TMP/proxy.port")
}
proxy_stop() { kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null; }

as kirs0001

# ---- made: slapd made the user, the answer was lost ---------------------
proxy made
ULOGIN_URI=$PROXY_URI run 0 ulogin-user add --given-name Mia --surname Made \
	--role student --institution 280001 --grade 5 --passwords "$PF" -o tsv
proxy_stop
stderr_has "the connection to the directory failed during the add of '$(people mia0001)'; reading back whether it was made" \
	"add says the connection failed and that it reads back"
stderr_has "^ulogin-user: reading back shows that 'mia0001' was added$" \
	"and that reading back shows the user was added"
stdout_has "^mia0001	Mia Made	$(people mia0001)$" "the user is printed as added"
is "$(dm_attr "$(people mia0001)" cn)" "Mia Made" "ldapsearch: mia0001 exists"
is "$(grep -c '^mia0001,' "$PF")" 1 "her line in the passwords file is kept, not voided"
pw1=$(line_of mia0001 | cut -d, -f2)
hand "$pw1"
must_change mia0001 "$pw1" "ldapwhoami: the kept password is hers (must change)"

# ---- drop: the add never reached slapd ----------------------------------
proxy drop
ULOGIN_URI=$PROXY_URI run 69 ulogin-user add --given-name Quin --surname Never \
	--role student --institution 280001 --grade 5 --passwords "$PF"
proxy_stop
stderr_has "^ulogin-user: cannot add user 'quin0001': the connection to the directory failed, and reading back shows the user was not added: nothing was changed$" \
	"add says reading back shows nothing was added"
ldap_exists "$(people quin0001)"
ok $((! $?)) "ldapsearch: quin0001 does not exist"
is "$(line_of quin0001 | tail -n 1)" "quin0001,,not made: the connection failed before it was" \
	"her line is voided, saying why"
hand "$(line_of quin0001 | head -n 1 | cut -d, -f2)"

# ---- lost: made, and no connection to read it back ----------------------
proxy lost
ULOGIN_URI=$PROXY_URI run 69 ulogin-user add --given-name Lis --surname Lost \
	--role student --institution 280001 --grade 5 --passwords "$PF"
proxy_stop
stderr_has "^ulogin-user: cannot tell whether user 'lis0001' was added: the connection failed during the add and the entry cannot be read back" \
	"add says exactly that it cannot tell"
stderr_has "^hint: the initial password is kept in the passwords file" \
	"and that the password is kept"
is "$(grep -c '^lis0001,' "$PF")" 1 "her line is kept, not voided"
pw3=$(line_of lis0001 | cut -d, -f2)
hand "$pw3"
is "$(dm_attr "$(people lis0001)" cn)" "Lis Lost" "ldapsearch: lis0001 was made"
must_change lis0001 "$pw3" "ldapwhoami: the kept password is hers"

# add_on_terminal MODE GIVEN SURNAME: add on a pseudo-terminal through
# the proxy in MODE; what it showed in $shown, its exit code in $rc.
add_on_terminal() {
	proxy "$1"
	shown=$(ULOGIN_URI=$PROXY_URI python3 "$top_srcdir/tests/on-terminal.py" \
		ulogin-user add --given-name "$2" --surname "$3" --role student \
		--institution 280001 --grade 5 </dev/null)
	rc=$?
	proxy_stop
}

# On a terminal: the password is shown all the same, and why.
add_on_terminal lost Tor Term
is "$rc" 69 "on a terminal: exit 69"
pw4=$(printf '%s\n' "$shown" | sed -n 's/^Initial password of tor0001, should the add have been made: //p')
hand "$pw4"
[ -n "$pw4" ]
ok $? "the password is shown, should the add have been made"
printf '%s\n' "$shown" | grep -q "cannot tell whether user 'tor0001' was added"
ok $? "with what is unknown"
must_change tor0001 "$pw4" "ldapwhoami: it is tor0001's password"

# On a terminal, made: shown once as for any add.
add_on_terminal made Tea Made
is "$rc" 0 "on a terminal, made: exit 0"
pw5=$(printf '%s\n' "$shown" | sed -n 's/^Initial password of tea0001: //p')
hand "$pw5"
must_change tea0001 "$pw5" "the shown password is tea0001's"

secrets_nowhere "$HAND" "no handed-out password is in any other file or the audit log" \
	"$handed"

done_testing

#!/bin/sh
# Every way to create a user or change what decides their policy leaves
# pwdPolicySubentry on their effective policy, in the same write: right
# after ulogin-user add, modify --set grade=..., a change of roles, and an
# import, the user's own ldappasswd and ulogin-policy check --user give
# the same answer for the same candidates.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
allow_sources bakke
S=$_sandbox
B=$ULOGIN_BASE
run 0 ulogin-policy apply -q

link_of() { ldap_attr "$(people "$1")" pwdPolicySubentry; }

# A first password for USER from the directory manager, without
# must-change, so that the user's own changes go through ppolicy's
# checks (the directory manager's are not checked).
first_password() {	# first_password USER PASSWORD
	ldappasswd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" -s "$2" "$(people "$1")" >/dev/null 2>&1
	printf 'dn: %s\nchangetype: modify\ndelete: pwdReset\n' "$(people "$1")" |
		ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
			-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
	current=$2
}

# Do the tool and slapd agree on CANDIDATE for USER?  The user changes
# their own password (ldappasswd -a old -s new) when the tool says it is
# good; a refused candidate must be refused by both.
agree() {	# agree USER CANDIDATE WHAT
	printf '%s' "$2" | ulogin-policy check --user "$1" >/dev/null 2>&1
	tool=$?
	ldappasswd -x -H "$ULOGIN_URI" -D "$(people "$1")" -w "$current" \
		-a "$current" -s "$2" >"$TEST_TMP/passwd" 2>&1
	server=$?
	if [ $tool -eq 0 ]; then
		is "$server" 0 "$3: '$2' is good for ulogin-policy and slapd alike"
		[ $server -eq 0 ] && current=$2
	else
		[ $server -ne 0 ]
		ok $? "$3: '$2' is refused by ulogin-policy (exit $tool) and slapd alike"
	fi
}

# ---- ulogin-user add: a teacher (the directory manager adds staff) ---------
run 0 ulogin-user add --given-name Tove --surname Berg --role teacher \
	--institution 280001 -o tsv --passwords "$TEST_TMP/initial.csv"
is "$(link_of tove0001)" "cn=staff,ou=policies,$B" \
	"the new teacher is linked to the staff policy by the add itself"
is "$(grep -c '"action":"user.add"' "$AUDIT_LOG")" 1 \
	"in one write (one audited change)"
first_password tove0001 'Granit-Ulv-2026-x'
agree tove0001 'Æbleskive-2026-Xy' "a new teacher"
agree tove0001 'Skovsnegl-2027-Qz' "a new teacher"

# An administrator adds a pupil: the level's policy, in the add.
as kirs0001
run 0 ulogin-user add --given-name Ulla --surname Kløve --role student \
	--institution 280001 --grade 5 -o tsv --passwords "$TEST_TMP/initial.csv"
is "$(link_of ulla0001)" "cn=mellemtrin,ou=policies,$B" "a grade-5 pupil: mellemtrin"
as_manager
first_password ulla0001 'kage2026x'
agree ulla0001 'kage' "a new grade-5 pupil"
agree ulla0001 'blomst2027' "a new grade-5 pupil"

# ---- modify: grade (a new level), roles ------------------------------------
as kirs0001
run 0 ulogin-user modify ulla0001 --set grade=7
as_manager
is "$(link_of ulla0001)" "cn=udskoling,ou=policies,$B" "grade 7: relinked to udskoling"
[ -n "$(ldap_attr "$(people ulla0001)" uloginChangeBy)" ]
ok $? "with a deadline to change password (a new level)"
agree ulla0001 'blomst2028' "after modify --set grade=7"
agree ulla0001 'Blomster-2028-Uk' "after modify --set grade=7"

# A parent who also becomes staff: the staff policy (roles are ordered).
first_password loui0001 'Forældre-ok-0'
run 0 ulogin-user modify loui0001 --add role=staff
is "$(link_of loui0001)" "cn=staff,ou=policies,$B" "a parent given the role staff: staff policy"
agree loui0001 'Parent-Pass-12' "after modify --add role=staff"
run 0 ulogin-user modify loui0001 --remove role=staff
is "$(link_of loui0001)" "cn=parent,ou=policies,$B" "and back: the parent policy"

# ---- an import --------------------------------------------------------------
run 0 ulogin-import run --no-initial-passwords "$top_srcdir/data/example-roster.csv" --source bakke -q
is "$(link_of ida0001)" "cn=mellemtrin,ou=policies,$B" "an imported grade-4 pupil: mellemtrin"
first_password ida0001 'perle2026x'
agree ida0001 'perle' "after an import"
agree ida0001 'perlemor2027' "after an import"

done_testing

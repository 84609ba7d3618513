#!/bin/sh
# Passwords at the help desk: the initial password of ulogin-user add (for
# the user's policy, in the add with pwdReset, shown once on a terminal or
# appended to --passwords FILE), passwd (checked against the user's policy
# before anything is sent) and expire -- as the example school's
# administrator kirs0001 and teacher mett0001, with slapd refusing what
# they may not do, and checked with OpenLDAP's own clients.  No password
# handed out here may be found in any file but the passwords files.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (for a pseudo-terminal)"
sandbox_start --example
S=$_sandbox
B=$ULOGIN_BASE
run 0 ulogin-policy apply -q

HAND=$TEST_TMP/handout		# the passwords files, and nothing else
mkdir -m 700 "$HAND"
PF=$HAND/initial.csv
handed=
hand() { handed="$handed$1
"; }

# The password of USER in the passwords file (its last line).
initial_of() { awk -F, -v u="$1" '$1 == u { p = $2 } END { print p }' "$PF"; }
binds_plainly() {	# binds_plainly USER PASSWORD DESCRIPTION
	out=$(whoami_as "$1" "$2")
	case $out in
	*"must be changed"*) ok 1 "$3" ;;
	*"dn:$(people "$1")"*) ok 0 "$3" ;;
	*) ok 1 "$3"; echo "#   ldapwhoami: $out" ;;
	esac
}
bind_fails() {	# bind_fails USER PASSWORD DESCRIPTION
	whoami_as "$1" "$2" | grep -q 'Invalid credentials (49)'
	ok $? "$3"
}
lines() { wc -l <"$1" | tr -d ' '; }
on_terminal() { python3 "$top_srcdir/tests/on-terminal.py" "$@"; }

# ---- add: the initial password -----------------------------------------
as kirs0001
run 0 ulogin-user add --given-name Ida --surname Holm --role student \
	--institution 280001 --grade 5 --passwords "$PF" -o tsv
stdout_is "username	name	dn
ida0001	Ida Holm	$(people ida0001)" "add prints the new user, never the password"
stderr_has "^ulogin-user: the initial password of 'ida0001' is in '$PF'$" \
	"and says where the password is"
is "$(stat -c %a "$PF")" 600 "the passwords file is made private (0600)"
is "$(head -n 1 "$PF")" "username,password,note" "with the import's header"
pw1=$(initial_of ida0001)
hand "$pw1"
[ -n "$pw1" ]
ok $? "the file holds ida0001's initial password"
printf '%s' "$pw1" | ulogin-policy check --user ida0001 >/dev/null 2>&1
ok $? "it meets her policy (mellemtrin, grade 5)"
is "$(dm_attr "$(people ida0001)" pwdPolicySubentry)" \
	"cn=mellemtrin,ou=policies,$B" "the add linked her policy"
is "$(dm_attr "$(people ida0001)" pwdReset)" TRUE "and set pwdReset: TRUE"
is "$(grep -c '"action":"user.add"' "$AUDIT_LOG")" 1 \
	"all in one audited change, the add"

# It works for the first login only: that login must change it.
must_change ida0001 "$pw1" \
	"ldapwhoami -e ppolicy with the initial password: 'Password must be changed'"
printf '%s' "$pw1" | ldapsearch -x -LLL -H "$ULOGIN_URI" -D "$(people ida0001)" \
	-y /dev/stdin -s base -b "$(people ida0001)" uid >/dev/null 2>&1
is $? 50 "and slapd lets that login do nothing else (ldapsearch: 50)"
pw1b=Blomst2031x
hand "$pw1b"
ldappasswd -x -H "$ULOGIN_URI" -D "$(people ida0001)" -w "$pw1" -a "$pw1" \
	-s "$pw1b" >/dev/null 2>&1
ok $? "ida0001 changes it herself with ldappasswd"
binds_plainly ida0001 "$pw1b" "her own new password binds with no must-change"
bind_fails ida0001 "$pw1" "the initial password no longer works"

# The youngest: four pictures.  A second add appends to the file.
run 0 ulogin-user add --given-name Bo --surname Lund --role student \
	--institution 280001 --grade 0 --passwords "$PF" -q
pw2=$(initial_of bo0001)
hand "$pw2"
is "$(printf '%s\n' "$pw2" | wc -w | tr -d ' ')" 4 "a grade-0 pupil gets four pictures"
is "$(lines "$PF")" 3 "the second add appended its line (header + 2)"
is "$(stat -c %a "$PF")" 600 "the file is still 0600"
must_change bo0001 "$pw2" "the picture password must be changed at the first login"

# On a terminal: shown once, and said so.
shown=$(on_terminal ulogin-user add --given-name Tea --surname Tty \
	--role student --institution 280001 --grade 2 </dev/null)
is $? 0 "add on a terminal, without --passwords, exits 0"
pw3=$(printf '%s\n' "$shown" | sed -n 's/^Initial password of tea0001: //p')
hand "$pw3"
is "$(printf '%s\n' "$pw3" | wc -w | tr -d ' ')" 4 "the terminal shows tea0001's four pictures"
printf '%s\n' "$shown" | grep -q '^It is shown this once and kept nowhere else'
ok $? "and says it is shown once only"
must_change tea0001 "$pw3" "the shown password must be changed at the first login"
is "$(lines "$PF")" 3 "the passwords file is not touched without --passwords"

# Not a terminal and no --passwords: refused, nothing added.
run 64 ulogin-user add --given-name Nils --surname Pipe --role student \
	--institution 280001
stderr_has "the initial password would go to a file or pipe \(standard output is not a terminal\); nothing was added" \
	"a script must say where the password goes"
stderr_has "^hint: give --passwords FILE" "the hint names --passwords"
ldap_exists "$(people nils0001)"
ok $((! $?)) "nils0001 was not added"

# --dry-run: the add as LDIF, with pwdReset but without any password.
run 0 ulogin-user add -n --given-name Dry --surname Run --role student \
	--institution 280001 --grade 5 --passwords "$PF"
stdout_has "^# user.add: an initial password for policy 'mellemtrin' goes in the add of 'dry0001'; --dry-run makes none and shows none$" \
	"the dry run says a password would go in"
stdout_has '^pwdReset: TRUE$' "with pwdReset"
stdout_lacks '[Uu]ser[Pp]assword' "and no userPassword"
is "$(lines "$PF")" 3 "the dry run wrote nothing to the passwords file"
ldap_exists "$(people dry0001)"
ok $((! $?)) "and added nobody"

# A passwords file that is not one to append to is refused before
# anything is sent.
ln -s "$PF" "$HAND/link.csv"
run 73 ulogin-user add --given-name Lis --surname Link --role student \
	--institution 280001 --passwords "$HAND/link.csv"
stderr_has "cannot add to passwords file '$HAND/link.csv': it is a symbolic link" \
	"a symbolic link is refused"
printf 'username,password,note\n' >"$HAND/open.csv"
chmod 644 "$HAND/open.csv"
run 73 ulogin-user add --given-name Lis --surname Link --role student \
	--institution 280001 --passwords "$HAND/open.csv"
stderr_has "cannot add to passwords file '$HAND/open.csv': it is not private \(mode 0644, not 0600\)" \
	"a file others may read is refused"
printf 'name,mail\n' >"$HAND/other.csv"
chmod 600 "$HAND/other.csv"
run 73 ulogin-user add --given-name Lis --surname Link --role student \
	--institution 280001 --passwords "$HAND/other.csv"
stderr_has "it is not a passwords file" "a file of something else is refused"
# Another user's passwords file (made as root, the one who can chown).
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	printf 'username,password,note\n' >"$HAND/theirs.csv"
	chmod 600 "$HAND/theirs.csv"
	chown nobody "$HAND/theirs.csv"
	run 73 ulogin-user add --given-name Lis --surname Link --role student \
		--institution 280001 --passwords "$HAND/theirs.csv"
	stderr_has "cannot add to passwords file '$HAND/theirs.csv': it belongs to another user" \
		"another user's file is refused"
else
	ok 0 "# SKIP another user's file: not run as root"
	ok 0 "# SKIP another user's file: not run as root"
fi
is "$(lines "$HAND/open.csv") $(lines "$HAND/other.csv") $(lines "$PF")" "1 1 3" \
	"no file was written"
ldap_exists "$(people lis0001)"
ok $((! $?)) "and lis0001 was not added"

# An add that slapd refuses voids its line: the username is taken (by a
# pupil of 280002, whom kirs0001 cannot see).
run 65 ulogin-user add ella0001 --given-name Ella --surname Anden \
	--role student --institution 280001 --passwords "$PF"
stderr_has "cannot add user 'ella0001': the username is taken" "slapd refuses the add"
is "$(grep -c '^ella0001,' "$PF")" 2 "the line was on disk before the add, then voided"
is "$(tail -n 1 "$PF")" "ella0001,,not made: the username is taken" \
	"the last line says the user was not made, and why"
pw4=$(grep '^ella0001,' "$PF" | head -n 1 | cut -d, -f2)
hand "$pw4"
bind_fails ella0001 "$pw4" "the voided password was never set"

# A passwords file edited by hand whose last line has no newline: the
# next line starts on a line of its own, not joined to that one.
printf 'username,password,note\nold0001,,given out on paper' >"$HAND/edited.csv"
chmod 600 "$HAND/edited.csv"
run 0 ulogin-user add --given-name Nyt --surname Linje --role student \
	--institution 280001 --grade 5 --passwords "$HAND/edited.csv" -q
is "$(sed -n 2p "$HAND/edited.csv")" "old0001,,given out on paper" \
	"the hand-edited last line is kept as it was"
is "$(sed -n 3p "$HAND/edited.csv" | cut -d, -f1)" "nyt0001" \
	"the new user's line is a line of its own"
is "$(lines "$HAND/edited.csv")" 3 "three lines, the last ended by a newline"
hand "$(sed -n 3p "$HAND/edited.csv" | cut -d, -f2)"

# ---- add: a role and an institution of one's own -------------------------
run 64 ulogin-user add --given-name Ulf --surname Berg --institution 280001 \
	--passwords "$PF"
stderr_has "'add' needs at least one --role and one --institution" "no role: a usage error"
run 64 ulogin-user add --given-name Ulf --surname Berg --role student \
	--passwords "$PF"
stderr_has "'add' needs at least one --role and one --institution" "no institution: a usage error"
run 77 ulogin-user add --given-name Ulf --surname Berg --role student \
	--institution 280002 --passwords "$PF"
stderr_is "ulogin-user: cannot add users to institution '280002': you are not an administrator of it
hint: you add people to the institutions you administer (280001); an administrator of '280002' adds them there" \
	"an administrator of 280001 is told she cannot add to 280002"
is "$(lines "$PF")" 5 "nothing was written for it"
cat >"$TEST_TMP/other-school.ldif" <<EOF
dn: $(people ulf0001)
objectClass: inetOrgPerson
objectClass: uloginAccount
uid: ulf0001
cn: Ulf Berg
sn: Berg
givenName: Ulf
uloginRole: student
uloginInstitution: 280002
EOF
ldapadd -x -H "$ULOGIN_URI" -D "$(people kirs0001)" -y "$S/kirs0001.pw" \
	-f "$TEST_TMP/other-school.ldif" >"$OUT" 2>"$ERR"
is $? 50 "slapd refuses her ldapadd into 280002 (Insufficient access)"
ldap_exists "$(people ulf0001)"
ok $((! $?)) "ulf0001 was not added"

# ---- expire ------------------------------------------------------------------
run 0 ulogin-user expire ida0001
stderr_has "^ulogin-user: 'ida0001' must change password at the next login$" \
	"expire says what it did"
is "$(dm_attr "$(people ida0001)" pwdReset)" TRUE "pwdReset: TRUE in the directory"
must_change ida0001 "$pw1b" "ldapwhoami -e ppolicy: her password must now be changed"
run 0 ulogin-user expire ida0001
stderr_has "'ida0001' must already change password" "expiring again changes nothing"
is "$(grep -c '"action":"user.expire","target":"uid=ida0001' "$AUDIT_LOG")" 1 \
	"the expiry is audited, once"
run 67 ulogin-user expire nosuch0001
stderr_has "cannot find user 'nosuch0001'" "expire: an unknown user"
run 77 ulogin-user expire ella0001
stderr_has "user 'ella0001' is not one you may see or change" "expire: not hers"

# ---- passwd: checked before anything is sent ---------------------------------
before=$(dm_attr "$(people ida0001)" modifyTimestamp)
changed=$(dm_attr "$(people ida0001)" pwdChangedTime)
run_in 'abc
' 65 ulogin-user passwd ida0001
stdout_is "code	rule
min-length	Use at least 8 characters (this one has 3).
required-class	Add a digit (0-9)." "every broken rule, code and sentence"
stderr_has "^ulogin-user: the password breaks 2 rules of policy 'mellemtrin'; nothing was changed$" \
	"and that nothing was changed"
run_in 'abc
' 65 ulogin-user passwd ida0001 -o json
stdout_has '"code": "min-length"' "the rules as JSON with -o json"
is "$(dm_attr "$(people ida0001)" modifyTimestamp) $(dm_attr "$(people ida0001)" pwdChangedTime)" \
	"$before $changed" "ldapsearch: neither modifyTimestamp nor pwdChangedTime moved"
must_change ida0001 "$pw1b" "the old password still binds"
! grep -q '"action":"user.passwd"' "$AUDIT_LOG"
ok $? "no password change was audited, as none was sent"

pw5=kagehus2031
hand "$pw5"
run_in "$pw5
" 0 ulogin-user passwd ida0001
stderr_has "^ulogin-user: the password of 'ida0001' is set; it must be changed at the next login$" \
	"a good password is set; slapd's ppolicy asks for a change (pwdMustChange)"
must_change ida0001 "$pw5" "it binds, with must-change"
bind_fails ida0001 "$pw1b" "the old one is gone"
grep -q '"action":"user.passwd","target":"uid=ida0001,ou=people,dc=example,dc=dk","result":"ok"' "$AUDIT_LOG"
ok $? "the change is audited"

# What slapd does by itself: a password set by an administrator (manage
# on userPassword) under a policy with pwdMustChange: TRUE gets pwdReset.
pw10=krukke2033
hand "$pw10"
is "$(dm_attr "$(people karl0001)" pwdReset)" "" "karl0001 has no pwdReset"
ldappasswd -x -H "$ULOGIN_URI" -D "$(people kirs0001)" -y "$S/kirs0001.pw" \
	-s "$pw10" "$(people karl0001)" >/dev/null 2>&1
ok $? "kirs0001 sets karl0001's password with plain ldappasswd"
is "$(dm_attr "$(people karl0001)" pwdReset)" TRUE \
	"slapd's ppolicy set pwdReset: TRUE by itself (pwdMustChange)"
must_change karl0001 "$pw10" "so ldapwhoami says it must be changed"

pw6=blomst2032
hand "$pw6"
run_in "$pw6
" 0 ulogin-user passwd magn0001 --must-change
is "$(dm_attr "$(people magn0001)" pwdReset)" TRUE "--must-change: pwdReset TRUE"
must_change magn0001 "$pw6" "and ldapwhoami says so"
run_in '' 66 ulogin-user passwd magn0001
stderr_has "no password given on standard input" "no password: exit 66"
run 64 ulogin-user passwd --must-change
stderr_has "'--must-change' is for someone else's password|--must-change is for someone else's password" \
	"--must-change on one's own password is a usage error"
run_in 'whatever12
' 67 ulogin-user passwd nosuch0001
stderr_has "cannot find user 'nosuch0001'" "passwd: an unknown user (67)"
run_in 'whatever12
' 77 ulogin-user passwd ella0001
stderr_has "user 'ella0001' is not one you may see or change" "passwd: not hers (77)"

# Staff: never by an administrator -- the tool says what staff do, and
# slapd refuses the raw ldappasswd.
run_in 'Kage-2026-xyzQ12
' 77 ulogin-user passwd lars0001
stderr_is "ulogin-user: cannot set the password of 'lars0001': staff passwords are not set by administrators
hint: staff reset their own password with national e-ID (MitID); one who cannot is sent a one-time password in a sealed letter: an administrator of their institution asks the support desk, with the workplace's CVR number, the user's name and username" \
	"an administrator is told what staff do instead"
ldappasswd -x -H "$ULOGIN_URI" -D "$(people kirs0001)" -y "$S/kirs0001.pw" \
	-s 'Kage-2026-xyzQ12' "$(people lars0001)" >"$OUT" 2>&1
is $? 1 "ldappasswd as kirs0001 on lars0001 fails"
stdout_has 'Insufficient access \(50\)' "slapd: Insufficient access"
binds_plainly lars0001 "$(cat "$S/lars0001.pw")" "lars0001's password is unchanged"

# The support desk sets staff passwords (and slapd's ppolicy makes them
# must-change); it sets no pupil's.
as sune0001
pw11=Stempel-Kuvert-2031
hand "$pw11"
run_in "$pw11
" 0 ulogin-user passwd lars0001
stderr_has "the password of 'lars0001' is set; it must be changed at the next login" \
	"support sets a teacher's password, which must then be changed"
must_change lars0001 "$pw11" "ldapwhoami: lars0001 must change it"
run_in 'blomst2034
' 77 ulogin-user passwd magn0001
stderr_has "the support desk sets staff passwords only" "support sets no pupil's password"

# Teachers: never (they open reset windows).
as mett0001
run_in 'cykel hund tog hus
' 77 ulogin-user passwd soer0001
stderr_has "cannot set the password of 'soer0001': teachers do not set passwords" \
	"a teacher is told she does not set passwords"
stderr_has "hint: open a reset window instead" "and what to do instead"
pic=$(as_manager && ulogin-policy generate --user soer0001)
ldappasswd -x -H "$ULOGIN_URI" -D "$(people mett0001)" -y "$S/mett0001.pw" \
	-s "$pic" "$(people soer0001)" >"$OUT" 2>&1
is $? 1 "ldappasswd as mett0001 on her pupil soer0001 fails"
stdout_has 'Insufficient access \(50\)' "slapd: Insufficient access, for a password that meets the policy"
run 77 ulogin-user expire soer0001
stderr_has "cannot expire the password of 'soer0001'" "nor may she expire it"
printf 'dn: %s\nchangetype: modify\nadd: pwdReset\npwdReset: TRUE\n' \
	"$(people soer0001)" >"$TEST_TMP/expire.ldif"
ldapmodify_as mett0001 "$TEST_TMP/expire.ldif" >"$OUT" 2>"$ERR"
is $? 50 "slapd refuses her ldapmodify of pwdReset"

# passwd without USER: one's own, on a terminal (asked twice, no echo).
shown=$(printf 'kort\nkort\n' | on_terminal ulogin-user passwd)
is $? 65 "a weak password of her own: exit 65"
printf '%s\n' "$shown" | grep -Eq 'breaks [0-9]+ rules? of policy .staff.'
ok $? "her own password is checked against the staff policy"
# Ctrl-D in the middle of the line ends the input before Enter: that is
# no password, not the letters typed so far.
shown=$(printf 'Tavle\004\004\nTavle\004\004\n' | on_terminal ulogin-user passwd)
is $? 66 "Ctrl-D before Enter cancels passwd, exit 66"
printf '%s\n' "$shown" | grep -q 'no password entered: the input ended before Enter; nothing was changed'
ok $? "and says that nothing was changed"
pw7=Tavle-Kridt-2031
hand "$pw7"
shown=$(printf '%s\n%s\n' "$pw7" "$pw7" | on_terminal ulogin-user passwd)
is $? 0 "passwd without USER sets her own"
printf '%s\n' "$shown" | grep -q '^New password: $'
ok $? "asked on the terminal"
printf '%s\n' "$shown" | grep -q "$pw7"
ok $((! $?)) "without echo"
binds_plainly mett0001 "$pw7" "her new password binds, with no must-change"
bind_fails mett0001 "$(cat "$S/mett0001.pw")" "her old one is gone"

# A new user's first login changes it with passwd: the account may do
# nothing else, so slapd checks the new password itself.
as_manager
shown=$(printf '%s\n%s\n%s\n' "$pw2" 'tog hus bil kage' 'tog hus bil kage' |
	ULOGIN_BIND_DN=$(people bo0001) ULOGIN_PASSWORD_FILE= \
	on_terminal ulogin-user -W passwd)
is $? 65 "bo0001's first login: a password his policy refuses, exit 65"
printf '%s\n' "$shown" | grep -q 'the directory server checks the new one'
ok $? "he is told the server checks it"
printf '%s\n' "$shown" | grep -q "server says: Word 4 is not the name of one of the pictures"
ok $? "and the server's check says why"
pw9='bil ko cykel hund'
hand "$pw9"
shown=$(printf '%s\n%s\n%s\n' "$pw2" "$pw9" "$pw9" |
	ULOGIN_BIND_DN=$(people bo0001) ULOGIN_PASSWORD_FILE= \
	on_terminal ulogin-user -W passwd)
is $? 0 "then he changes his initial password with passwd"
binds_plainly bo0001 "$pw9" "his own picture password binds plainly"

# ---- passwd under a policy without pwdMustChange ----------------------------
# A password someone else sets must be changed at the next login whatever
# the policy says: the directory manager takes pwdMustChange out of the
# policies of ida0001 and lars0001; passwd adds pwdReset itself, for an
# administrator and for the support desk alike.
# policy_must_change USER VALUE: as the directory manager, set
# pwdMustChange of USER's policy entry.
policy_must_change() {
	pol=$(dm_attr "$(people "$1")" pwdPolicySubentry)
	printf 'dn: %s\nchangetype: modify\nreplace: pwdMustChange\npwdMustChange: %s\n' \
		"${pol:-cn=default,ou=policies,$B}" "$2" |
		(as_manager && ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
			-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1)
}
for u in ida0001 lars0001; do
	policy_must_change "$u" FALSE
	ok $? "the manager sets pwdMustChange: FALSE in $u's policy"
done
as kirs0001
pw12=sommer2035
hand "$pw12"
run_in "$pw12
" 0 ulogin-user passwd ida0001
stderr_has "^ulogin-user: the password of 'ida0001' is set; it must be changed at the next login$" \
	"an administrator's passwd says the password must be changed"
is "$(dm_attr "$(people ida0001)" pwdReset)" TRUE \
	"pwdReset: TRUE, though the policy does not ask for it"
as sune0001
pw13=Segl-Brev-2036x
hand "$pw13"
run_in "$pw13
" 0 ulogin-user passwd lars0001
stderr_has "^ulogin-user: the password of 'lars0001' is set; it must be changed at the next login$" \
	"the support desk's passwd says the password must be changed"
is "$(dm_attr "$(people lars0001)" pwdReset)" TRUE \
	"pwdReset: TRUE on the staff entry"
# slapd's ppolicy enforces pwdReset at a bind only under a policy with
# pwdMustChange: TRUE (every policy ulogin-policy apply writes has it).
# Put back, the pwdReset that passwd added is what makes the bind
# must-change.
for u in ida0001 lars0001; do
	policy_must_change "$u" TRUE
done
must_change ida0001 "$pw12" "ldapwhoami -e ppolicy: ida0001 must change it"
must_change lars0001 "$pw13" "ldapwhoami -e ppolicy: lars0001 must change it"
# slapd is the guard: the support desk may add pwdReset to a staff
# entry, never to a pupil's.
printf 'dn: %s\nchangetype: modify\nadd: pwdReset\npwdReset: TRUE\n' \
	"$(people magn0001)" >"$TEST_TMP/reset-pupil.ldif"
ldapmodify_as sune0001 "$TEST_TMP/reset-pupil.ldif" >"$OUT" 2>&1
is $? 50 "ldapmodify as sune0001: pwdReset on a pupil is refused (50)"

# ---- no password anywhere but the passwords files --------------------------
secrets_nowhere "$HAND" "no handed-out password is in any other file or the audit log" \
	"$handed"
is "$(printf '%s' "$handed" | grep -c .)" 14 "all 14 of them"

done_testing

#!/bin/sh
# The offline first load (ulogin-import run --offline, ulogin-offline-load)
# against the online import of the same rosters, one native CSV and one
# OneRoster export: sandbox A imports them online, sandbox B writes them
# as LDIF and loads them with slapadd -q.  The two directories must hold
# the same users, classes and sources (memberOf, the policy links and
# pwdReset included; password hashes and times aside), every password
# in B's passwords files must bind, and a load that is not a source's
# first one is refused, by ulogin-import and by the loader.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example
A=$_sandbox
B=$TEST_TMP/sb2
sandbox2_start "$B"
# The same HMAC key on both sides, so that the HMACs are the same.
cp "$A/import.key" "$B/import.key"
# The sources both may run; 280009 has no entry under ou=institutions.
# skole2 shares its users with skole.  (ulogin-sandbox keeps them when it
# starts slapd again; b_sources leaves the ones it has as they are.)
b_sources() {
	(. "$B/env" && allow_sources skole=280001,280002,280009 or1 \
		skole2:links=skole skole3 tom strict late broken new)
}
b_sources
. "$B/env"
run 0 ulogin-policy apply -q
. "$A/env"
allow_sources skole=280001,280002,280009 or1
run 0 ulogin-policy apply -q
cd "$TEST_TMP" || exit 1

on() {	# on SANDBOX [ACCOUNT]: work in sandbox A or B (as the import)
	if [ -n "${2:-}" ]; then . "$1/env-$2"; else . "$1/env"; fi
}

# What both directories must agree on: every user, class and source with
# their attributes, memberOf and the ppolicy ones; a hash or a time only
# as being there, and where the first passwords went (each side's own
# passwords file) as being recorded.  One line per value, "DN | attr:
# value", sorted.
dump() {	# dump SANDBOX FILE
	(
		. "$1/env"
		for ou in people classes imports; do
			ldap_search "ou=$ou,$ULOGIN_BASE" '(objectClass=*)' '*' \
				memberOf pwdReset pwdPolicySubentry \
				pwdChangedTime pwdAccountLockedTime
		done
	) | awk '
		/^dn::? / { dn = $0; print dn; next }
		/^$/ { next }
		/^userPassword::? / { $0 = "userPassword: (a hash)" }
		/^pwdChangedTime: / { $0 = "pwdChangedTime: (a time)" }
		/^uloginLastRun: / { $0 = "uloginLastRun: (a time)" }
		/^uloginInitialPassword: / { $0 = "uloginInitialPassword: (a file)" }
		{ print dn " | " $0 }
	' | LC_ALL=C sort >"$2"
}

# binds FILE: every username,password,note line of a passwords file binds.
binds() {
	n=0 bad=0
	while IFS=, read -r user pw note; do
		[ "$user" = username ] && continue
		n=$((n + 1))
		printf '%s' "$pw" >"$TEST_TMP/pw"
		ldapwhoami -x -H "$ULOGIN_URI" -D "$(people "$user")" \
			-y "$TEST_TMP/pw" >/dev/null 2>&1 || bad=$((bad + 1))
	done <"$1"
	rm -f "$TEST_TMP/pw"
	echo "$n $bad"
}

# ---- the rosters -----------------------------------------------------------
# Pupils of three levels (no expiry for the youngest two: no
# pwdChangedTime), one in two classes, Danish letters, a national ID, a
# parent link, a school with no entry under ou=institutions, a teacher of
# two classes, and a bad row (no given name) that both sides skip.
H='ElevID,Fornavn,Efternavn,Rolle,Institution,Brugernavn,Klasser,Klassetrin,Email,Mobil,CPR,Forældre'
cat >r1.csv <<EOF
$H
E100,Anna,Berg,Elev,280001,,5a,5,anna.berg@example.dk,20 30 40 50,010110-1234,F100
E101,Bo,Dahl,Elev,280001,,5a,5,,,,
E102,Carl,Eriksen,Elev,280001,,"6b,6x",6,,,,
E103,Ida,Holm,Elev,280001,,2c,2,,,,
E104,Søren,Ølund,Elev,280002,,9a,9,,,,
E105,Åse,Ærø,Elev,280009,,1a,1,,,,
E106,,Tom,Elev,280001,,5a,5,,,,
L100,Tove,Lund,Lærer,280001,,"5a,6b",,tove.lund@example.dk,,,
F100,Per,Berg,Forælder,280001,,,,per.berg@example.dk,+45 61 62 63 64,,
EOF
# Two schools with a class each, Petra teaching both, Rasmus the guardian
# of Mia and Nils.
oneroster_manifest or1
cat >or1/orgs.csv <<'EOF'
sourcedId,status,name,type,identifier
org-1,active,Bakkeskolen,school,280001
org-2,active,Fjordskolen,school,280002
EOF
cat >or1/classes.csv <<'EOF'
sourcedId,status,title,grades,classCode,schoolSourcedId
c-1,active,4. klasse A,04,4a,org-1
c-2,active,7. klasse B,07,7b,org-2
EOF
cat >or1/enrollments.csv <<'EOF'
sourcedId,status,classSourcedId,schoolSourcedId,userSourcedId,role
e-1,active,c-1,org-1,u-s1,student
e-2,active,c-1,org-1,u-s2,student
e-3,active,c-2,org-2,u-s3,student
e-4,active,c-1,org-1,u-t1,teacher
e-5,active,c-2,org-2,u-t1,teacher
EOF
cat >or1/users.csv <<'EOF'
sourcedId,status,orgSourcedIds,role,givenName,familyName,email,phone,agentSourcedIds,grades
u-s1,active,org-1,student,Mia,Skov,mia@example.dk,,u-g1,04
u-s2,active,org-1,student,Nils,Skov,,,,04
u-s3,active,org-2,student,Olga,Ravn,,,,07
u-t1,active,"org-1,org-2",teacher,Petra,Lund,petra@example.dk,+4512345678,,
u-g1,active,org-1,guardian,Rasmus,Skov,,,"u-s1,u-s2",
EOF

# ---- A: online, as the import service ------------------------------------
on "$A" import
run 1 ulogin-import run r1.csv --source skole --passwords a1.csv
stderr_has "key=E106" "online: the row without a given name is skipped"
run 0 ulogin-import run or1 --format oneroster --source or1 --passwords a2.csv
on "$A"
ldap_exists "$(people anna0002)"
ok $? "online: Anna is anna0002 (the example school has an anna0001)"

# ---- B: offline, as the import service -----------------------------------
on "$B" import
run 1 ulogin-import run -n r1.csv --source skole --offline b1.ldif \
	--passwords b1.csv
[ ! -e b1.ldif ] && [ ! -e b1.csv ]
ok $? "a dry run writes no file"
run 1 ulogin-import run r1.csv --source skole --offline b1.ldif \
	--passwords b1.csv
stderr_has "key=E106" "offline: the same row is skipped"
stderr_has "'skole': 9 rows, 8 added, 0 changed, .* 1 skipped, 0 failed, 6 classes added" \
	"offline: the summary counts as the online one does"
stderr_has "warning: 1 institution the roster names has no entry under ou=institutions: 280009" \
	"a warning names the institution that has no entry"
stderr_has "ulogin-offline-load" "the message says how to load the file"
is "$(stat -c %a b1.ldif) $(stat -c %a b1.csv)" "600 600" \
	"the LDIF and the passwords file are private (0600)"
is "$(head -n 1 b1.csv)" "username,password,note" "the passwords file has the usual header"
is "$(grep -c '^dn: uid=' b1.ldif) $(grep -c '^dn: cn=.*ou=classes' b1.ldif)" "8 6" \
	"the file holds 8 users and 6 classes"
is "$(tail -n 1 b1.ldif)" "# end of ulogin-offline-ldif: entries=15 users=8 classes=6" \
	"and ends with the line that says it is whole"
leaked=0
while IFS=, read -r user pw note; do
	[ "$user" = username ] && continue
	if grep -qF -- "$pw" b1.ldif "$B/audit.log"; then leaked=1; fi
done <b1.csv
is "$leaked" 0 "no password is in the LDIF or the audit log"
grep -q '"action":"import.offline","target":"cn=skole,ou=imports,dc=example,dc=dk","result":"ok"' \
	"$B/audit.log"
ok $? "the audit log records the offline run"
on "$B"
! ldap_exists "$(people anna0002)"
ok $? "nothing is in the directory before the load"

run 0 ulogin-offline-load --sandbox "$B" b1.ldif
b_sources
stderr_has "loaded 15 entries of source 'skole' \(8 users, 6 classes\)" \
	"ulogin-offline-load says what it loaded"
run 0 ulogin-sandbox status "$B"
ok $? "the sandbox runs again after the load"
on "$B"
is "$(binds b1.csv)" "8 0" "all 8 passwords of the passwords file bind"
is "$(ldap_attr "$(people carl0001)" memberOf | sort | tr '\n' ' ')" \
	"cn=280001-6b,ou=classes,$ULOGIN_BASE cn=280001-6x,ou=classes,$ULOGIN_BASE " \
	"memberOf: Carl is a member of his two classes"
is "$(ldap_attr "$(people soer0003)" pwdChangedTime | cut -c1-2)" "20" \
	"pwdChangedTime where the policy ages passwords (udskoling)"
is "$(ldap_attr "$(people anna0002)" pwdChangedTime)" "" \
	"none where it does not (mellemtrin), as ppolicy does online"
is "$(ldap_attr "$(people anna0002)" pwdReset)" "TRUE" "pwdReset: TRUE"
is "$(ldap_attr "$(people anna0002)" uloginInitialPassword)" \
	"$(hostname):$TEST_TMP/b1.csv" \
	"uloginInitialPassword names the passwords file, as online"
is "$(ldap_attr "$(people anna0002)" uloginSourceKey)" "skole:E100" \
	"the source's key, as online"
is "$(ldap_attr "$(people anna0002)" userPassword | cut -c1-9)" "{SSHA512}" \
	"the password is stored as {SSHA512}"
is "$(ldap_attr "cn=skole,ou=imports,$ULOGIN_BASE" uloginLastOutcome)" \
	"partial: some rows were skipped or failed" "the source entry records the run"

# The OneRoster export as B's second source: slapd stopped by hand, the
# loader given slapd's configuration directory.
on "$B" import
run 0 ulogin-import run or1 --format oneroster --source or1 --offline b2.ldif \
	--passwords b2.csv
run 75 ulogin-offline-load -F "$B/slapd.d" b2.ldif
stderr_has "slapd \(pid [0-9]+\) is running" "-F: a running slapd is refused"
run 0 ulogin-sandbox stop "$B"
run 0 ulogin-offline-load -F "$B/slapd.d" b2.ldif
stderr_has "start slapd again" "-F: the loader says to start slapd again"
run 0 ulogin-sandbox start "$B"
b_sources
on "$B"
is "$(binds b2.csv)" "5 0" "all 5 OneRoster passwords bind"

# ---- the comparison ------------------------------------------------------
dump "$A" a.dump
dump "$B" b.dump
is "$(grep -c '^dn: uid=[^|]*$' b.dump)" "$(grep -c '^dn: uid=[^|]*$' a.dump)" \
	"both directories hold the same number of users"
diff a.dump b.dump >dump.diff
ok $? "online and offline directories are the same (memberOf, links, pwdReset included)"
sed -n '1,20s/^/#   /p' dump.diff

# ---- what --offline refuses ------------------------------------------------
on "$B" import
run 65 ulogin-import run r1.csv --source skole --offline again.ldif
stderr_has "source 'skole' already has users in the directory: --offline is only for its first load" \
	"a source that has users is refused"
[ ! -e again.ldif ]
ok $? "and no file is written"

# A new source that shares its users with skole, whose roster names
# someone skole has (Anna, by her external id): that would be a change.
printf '%s\n%s\n' "$H" 'E100,Anna,Berg,Elev,280001,,,5,,,,' >r2.csv
run 65 ulogin-import run r2.csv --source skole2 --offline r2.ldif
stderr_has "would change what is already in the directory, which an offline load cannot: ~ user anna0002" \
	"a row that matches an existing user is refused, by name"
# A new pupil in a class that exists.
printf '%s\n%s\n' "$H" 'E300,Vera,Vang,Elev,280001,,5a,5,,,,' >r3.csv
run 65 ulogin-import run r3.csv --source skole3 --offline r3.ldif
stderr_has "~ class 280001-5a" "a class that exists is refused"
# A source entry without users (an online run of an empty export).
printf '%s\n' "$H" >empty.csv
run 0 ulogin-import run empty.csv --source tom
run 65 ulogin-import run r3.csv --source tom --offline tom.ldif
stderr_has "source 'tom' already has an entry in the directory" \
	"a source entry that exists is refused"
[ ! -e r2.ldif ] && [ ! -e r3.ldif ] && [ ! -e tom.ldif ]
ok $? "none of the refusals wrote a file"
: >exists.ldif
run 73 ulogin-import run r3.csv --source new --offline exists.ldif
stderr_has "cannot create 'exists.ldif': it exists" "an existing file is never overwritten"

# The policy in the directory is what counts: with staff passwords of 40
# characters required there, slapd would refuse the teacher's add, and
# so the file leaves her out.
on "$B"
cat >strict.ldif <<EOF
dn: cn=staff,ou=policies,$ULOGIN_BASE
changetype: modify
replace: pwdCheckModuleArg
pwdCheckModuleArg: minlen=40
EOF
ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-f strict.ldif >/dev/null 2>&1
ok $? "the staff policy in B now wants 40 characters"
printf '%s\n%s\n%s\n' "$H" 'E400,Gry,Gram,Elev,280001,,8k,8,,,,' \
	'L400,Hans,Hald,Lærer,280001,,8k,,,,,' >r4.csv
on "$B" import
run 1 ulogin-import run r4.csv --source strict --offline r4.ldif \
	--passwords r4.csv.pw
stderr_has "cannot add user 'hans0001': .*40 characters" \
	"the teacher whose password slapd would refuse is reported"
is "$(grep -c '^dn: uid=' r4.ldif) $(grep -c hans r4.csv.pw)" "1 0" \
	"he is neither in the file nor in the passwords file"
grep -q '^uloginLastOutcome: partial' r4.ldif
ok $? "the source entry records a partial run"

# ---- what the loader refuses -------------------------------------------------
run 66 ulogin-offline-load --sandbox "$B" nosuch.ldif
stderr_has "cannot read 'nosuch.ldif': no such file" "a missing file: 66"
head -n 20 r4.ldif >cut.ldif
run 65 ulogin-offline-load --sandbox "$B" cut.ldif
stderr_has "was cut short" "a file without its last line is refused"
# An entry of the file made meanwhile: refused before slapadd runs.
printf '%s\n%s\n' "$H" 'E500,Lene,Lys,Elev,280001,,3z,3,,,,' >r5.csv
run 0 ulogin-import run r5.csv --source late --offline r5.ldif \
	--no-initial-passwords
is "$(grep -c '^userPassword' r5.ldif) $(grep -c '^uloginInitialPassword: none$' r5.ldif)" \
	"0 1" "--no-initial-passwords: no password, and the user says so"
on "$B"
printf 'dn: cn=280001-3z,ou=classes,%s\nobjectClass: uloginClass\ncn: 280001-3z\n' \
	"$ULOGIN_BASE" | ldapadd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
ok $? "the class 280001-3z is made by hand meanwhile"
run 65 ulogin-offline-load --sandbox "$B" r5.ldif
b_sources
stderr_has "1 entry of 'r5.ldif' exists already in the directory: cn=280001-3z,ou=classes" \
	"the loader refuses a file whose entries exist"
run 0 ulogin-sandbox status "$B"
on "$B"
! ldap_exists "cn=late,ou=imports,$ULOGIN_BASE"
ok $? "nothing of it was loaded, and slapd runs again"
# slapadd failing half-way (an entry it cannot read after one it added):
# the copy taken before is put back.
on "$B" import
printf '%s\n%s\n' "$H" 'E600,Vilja,Vind,Elev,280001,,3y,3,,,,' >r6.csv
run 0 ulogin-import run r6.csv --source broken --offline r6.ldif \
	--no-initial-passwords
awk '/^dn: cn=280001-3y/ { print; print "noSuchAttribute: x"; next } { print }' \
	r6.ldif >bad.ldif
run 73 ulogin-offline-load --sandbox "$B" bad.ldif
stderr_has "the copy taken before is put back" "a failed slapadd puts the copy back"
on "$B"
! ldap_exists "$(people vilj0001)"
ok $? "the user slapadd had added before it failed is gone again"
ldap_exists "$(people anna0002)"
ok $? "and the users loaded before are there"

done_testing

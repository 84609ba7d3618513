#!/bin/sh
# ulogin-user history: a user's trail, newest first, from the tools' audit
# log and from slapd's own access log -- so changes made with raw
# ldapmodify and ldappasswd are there too, with who made them -- and never
# a password or a hash, in any format.  Who reads which log records is
# slapd's decision (data/access.model, [logacl]): shown here with
# OpenLDAP's own ldapsearch as each kind of operator.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
S=$_sandbox
B=$ULOGIN_BASE
LOG=cn=accesslog
SOER=$(people soer0001)
# The passwords this test hands out; none may turn up anywhere.
PW_RAW=Raw-Kirsten-Set-4471
PW_DM=Manager-Set-Pw-9925
PW_AASE=Aase-Own-Pw-3310

# A record of slapd's log as the example user NAME sees it, with OpenLDAP's
# ldapsearch: log_as NAME FILTER [ATTR...] (the LDIF on stdout).
log_as() {
	_who=$1 _filter=$2
	shift 2
	ldapsearch -x -LLL -o ldif-wrap=no -H "$ULOGIN_URI" -D "$(people "$_who")" \
		-y "$S/$_who.pw" -b "$LOG" -s one "$_filter" "$@"
}
log_dm() {
	_filter=$1
	shift
	ldapsearch -x -LLL -o ldif-wrap=no -H "$ULOGIN_URI" -D "cn=admin,$B" \
		-y "$S/admin.pw" -b "$LOG" -s one "$_filter" "$@"
}
records() { grep -c '^dn: ' || true; }

# ---- the four changes, a second apart so that their order is plain --------

as kirs0001
run 0 ulogin-user modify soer0001 --set mail=soeren@example.dk -q
sleep 1
# A raw ldapmodify of the password as the administrator (in clear: the
# server's password policy hashes it before it is stored or logged).
printf 'dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n' \
	"$SOER" "$PW_RAW" |
	ldapmodify -x -H "$ULOGIN_URI" -D "$(people kirs0001)" -y "$S/kirs0001.pw" \
		>"$TEST_TMP/raw.out" 2>&1
ok $? "kirs0001 sets soer0001's password with ldapmodify"
sleep 1
printf '%s' "$PW_DM" | ldappasswd -x -H "$ULOGIN_URI" -D "cn=admin,$B" \
	-y "$S/admin.pw" -T /dev/stdin "$SOER" >"$TEST_TMP/passwd.out" 2>&1
ok $? "the manager sets it again with ldappasswd"
# A login with it, and a wrong password: slapd's password policy records
# both itself.
bind_as soer0001 "$PW_DM"
ok $? "soer0001 logs in with it"
bind_as soer0001 Not-The-Password-1
[ $? -ne 0 ]
ok $? "and fails once with a wrong password"
sleep 1
printf 'dn: %s\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n-\nreplace: uloginBlockReason\nuloginBlockReason: raw block\n' \
	"$SOER" >"$TEST_TMP/block.ldif"
run 0 ldapmodify_as kirs0001 "$TEST_TMP/block.ldif"
bind_as soer0001 "$PW_DM"
[ $? -ne 0 ]
ok $? "the raw block holds: soer0001 cannot log in"
rm -f "$TEST_TMP/bind.pw"

# ---- the trail, as the administrator --------------------------------------

run 0 ulogin-user history soer0001 -o tsv
cp "$OUT" "$TEST_TMP/history.tsv"
is "$(head -n 1 "$OUT")" "time	source	operator	action	result	detail" \
	"the columns are time, source, operator, action, result, detail"
# source, operator and action of each record, newest first.
awk -F '\t' 'NR > 1 { print $2, $3, $4 }' "$OUT" >"$TEST_TMP/got"
sed -n 1,6p "$TEST_TMP/got" >"$TEST_TMP/newest"
cat >"$TEST_TMP/want" <<EOF
slapd kirs0001 block
slapd slapd login-failed
slapd cn=admin,$B password
slapd kirs0001 password
ulogin kirs0001 user.modify
slapd kirs0001 modify
EOF
same_text "$TEST_TMP/want" "$TEST_TMP/newest" \
	"the block, the failed login, ldappasswd, the raw ldapmodify and modify, newest first, each with who did it"
is "$(tail -n 1 "$TEST_TMP/got")" "slapd cn=admin,$B add" "the oldest is the example's add"
stdout_has '	block	ok	pwdAccountLockedTime: 000001010000Z; uloginBlockReason: raw block$' \
	"the block says what was written"
stdout_has '	user\.modify	ok	' "the tools' own line of the modify is there"
stdout_has '	modify	ok	mail: soeren@example\.dk$' "and slapd's record of it, with the new mail"
is "$(grep -c 'userPassword: changed' "$OUT")" 2 \
	"each password change reads 'userPassword: changed'"
stdout_lacks '	login	' "a good login is left out without --logins"

run 0 ulogin-user history soer0001 --logins -o json
is "$(jq -r '[.[] | select(.action == "login")] | length' "$OUT")" 1 \
	"--logins adds slapd's record of the login"
is "$(jq -r '.[0] | [.time, .source, .operator, .action, .result] | join(" ")' "$OUT" |
	sed 's/^[0-9T:-]*Z /TIME /')" "TIME slapd kirs0001 block ok" \
	"-o json: the newest record first, with its fields"
is "$(jq -r 'map(keys_unsorted | join(",")) | unique | join(" ")' "$OUT")" \
	"time,source,operator,action,result,detail" "every JSON record has the six fields"
cp "$OUT" "$TEST_TMP/history.json"

run 0 ulogin-user history soer0001 -o csv
cp "$OUT" "$TEST_TMP/history.csv"
is "$(head -n 1 "$OUT" | tr -d '\r')" '"time","source","operator","action","result","detail"' \
	"-o csv has the same columns"
is "$(sed -n 2p "$OUT" | cut -d, -f2-5)" '"slapd","kirs0001","block","ok"' "-o csv: the block first"
run 0 ulogin-user history soer0001 -o table
cp "$OUT" "$TEST_TMP/history.table"
stdout_has '^TIME +SOURCE +OPERATOR +ACTION +RESULT +DETAIL' "-o table has a heading"
stdout_has 'slapd +kirs0001 +block +ok' "-o table: the block"

run 0 ulogin-user history soer0001 --limit 2 -o json
is "$(jq -r 'map(.action) | join(" ")' "$OUT")" "block login-failed" "--limit 2: the two newest"
run 0 ulogin-user history soer0001 --since 1h -o json
is "$(jq length "$OUT")" "$(($(wc -l <"$TEST_TMP/history.tsv") - 1))" "--since 1h: all of it"
tomorrow=$(date -u -d tomorrow +%Y-%m-%d)
run 0 ulogin-user history soer0001 --since 1y -o json
is "$(jq length "$OUT")" "$(($(wc -l <"$TEST_TMP/history.tsv") - 1))" "--since 1y: a year ago, all of it"
run 0 ulogin-user history soer0001 --since "$tomorrow" -o tsv
stdout_is "time	source	operator	action	result	detail" "--since tomorrow: nothing"
stderr_has "no records of 'soer0001' that you may see" "and it says so"

# ---- no password, no hash, anywhere -----------------------------------------

as_manager
run 0 ulogin-user history soer0001 -o json
cp "$OUT" "$TEST_TMP/history-dm.json"
is "$(jq -r '[.[] | select(.action == "password")] | map(.detail) | join(" / ")' "$OUT")" \
	"userPassword: changed; pwdReset: TRUE / userPassword: changed; pwdReset: TRUE" \
	"the manager, who reads the hashes in slapd's log, sees 'userPassword: changed' too"
hash=$(dm_attr "$SOER" userPassword)
case $hash in '{SSHA}'*) ok 0 "soer0001's password is stored hashed" ;; *) ok 1 "soer0001's password is stored hashed" ;; esac
# The log holds it (for the manager): the test would catch a leak.
log_dm "(reqDN=$SOER)" reqMod | grep -qF "userPassword:= $hash"
ok $? "slapd's log holds the hash, for the manager only"
# Every file this test left but slapd's own databases (where the hashes
# live): no password, no hash of one.
leaks=$(grep -rlF -e "$PW_RAW" -e "$PW_DM" -e "$PW_AASE" -e "$hash" \
	--exclude='*.mdb' "$TEST_TMP" 2>/dev/null)
is "$leaks" "" "no password or its hash in any file of the test (but slapd's databases)"
leaks=$(grep -lE '\{(SSHA|SSHA512|SSHA256|ARGON2|CRYPT|SMD5|MD5|SHA)[0-9]*\}' \
	"$TEST_TMP"/history* 2>/dev/null)
is "$leaks" "" "no hash of any kind in any format of history's output"
# Nor anywhere else but slapd's databases and the sandbox's own set-up
# (config.ldif and base.ldif: the manager's and the services' hashes).
leaks=$(grep -rlE '\{(SSHA|SSHA512|SSHA256|ARGON2|CRYPT|SMD5|MD5|SHA)[0-9]*\}' \
	--exclude='*.mdb' --exclude=config.ldif --exclude=base.ldif "$TEST_TMP" 2>/dev/null)
is "$leaks" "" "no hash of any kind in any file the test left"

# ---- a deleted user: only the manager reads slapd's records of it ----------

as kirs0001
run 0 ulogin-user add hist0001 --given-name Hilde --surname Storm --role student \
	--institution 280001 --passwords "$TEST_TMP/hist.csv" -q
sleep 1
as_manager
run 0 ulogin-user delete hist0001 --yes -q
run 0 ulogin-user history hist0001 -o json
is "$(jq -r 'map(.source + ":" + .action) | join(" ")' "$OUT")" \
	"ulogin:user.delete slapd:delete ulogin:user.add slapd:add" \
	"the manager reads a deleted user's trail from both logs"
stderr_has "user 'hist0001' no longer exists" "and is told the user is gone"
as kirs0001
run 0 ulogin-user history hist0001 -o json
is "$(jq -r 'map(.source + ":" + .action) | join(" ")' "$OUT")" \
	"ulogin:user.delete ulogin:user.add" \
	"the administrator: the audit lines only (slapd's follow the institution, which is gone)"
run 67 ulogin-user history nobo0001
stderr_has "cannot find user 'nobo0001', nor any record of one" "an unknown user: 67"

# ---- the audit log unreadable: said, and slapd's log still shown -----------

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	# As nobody, with kirs0001's settings in files nobody may read.
	chmod 711 "$TEST_TMP" "$S"
	mkdir "$TEST_TMP/nobody"
	cp "$S/kirs0001.pw" "$TEST_TMP/nobody/pw"
	sed "s|^password_file: .*|password_file: \"$TEST_TMP/nobody/pw\"|" \
		"$ULOGIN_CONFIG" >"$TEST_TMP/nobody/ulogin.yaml"
	chown -R 65534:65534 "$TEST_TMP/nobody"
	run 0 env ULOGIN_CONFIG="$TEST_TMP/nobody/ulogin.yaml" \
		ULOGIN_PASSWORD_FILE="$TEST_TMP/nobody/pw" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$top_builddir/ulogin-user" history soer0001 -o json
else
	chmod 000 "$AUDIT_LOG"
	run 0 ulogin-user history soer0001 -o json
	chmod 600 "$AUDIT_LOG"
fi
stderr_has "^ulogin-user: warning: cannot read the audit log '.*audit\.log': Permission denied; showing what the directory server recorded$" \
	"an audit log the operator may not read is said to be unreadable"
is "$(jq -r '[.[] | select(.source == "ulogin")] | length' "$OUT")" 0 "no audit lines then"
is "$(jq -r '.[0].action' "$OUT")" block "but slapd's records are shown"

# ---- slapd decides who reads the log (OpenLDAP's ldapsearch) ---------------

# A student with a password of her own, to search with.
printf '%s' "$PW_AASE" | ldappasswd -x -H "$ULOGIN_URI" -D "cn=admin,$B" \
	-y "$S/admin.pw" -T /dev/stdin "$(people aase0001)" >/dev/null 2>&1
printf 'dn: %s\nchangetype: modify\ndelete: pwdReset\n' "$(people aase0001)" |
	ldapmodify -x -H "$ULOGIN_URI" -D "cn=admin,$B" -y "$S/admin.pw" >/dev/null 2>&1
(umask 077 && printf '%s' "$PW_AASE" >"$S/aase0001.pw")

n=$(log_dm "(reqDN=$SOER)" 1.1 | records)
[ "$n" -ge 6 ]
ok $? "the manager reads every record of soer0001 ($n)"
is "$(log_as kirs0001 "(reqDN=$SOER)" 1.1 | records)" "$n" \
	"kirs0001 (administrator of 280001) reads them all"
is "$(log_as poul0001 "(reqDN=$SOER)" 1.1 | records)" 0 \
	"poul0001 (administrator of 280002) reads none"
is "$(log_as aase0001 "(reqDN=$SOER)" 1.1 | records)" 0 \
	"aase0001 (a student of the same class) reads none"
is "$(log_as aase0001 "(reqDN=$(people aase0001))" 1.1 | records)" 0 \
	"nor her own: the log is the help desk's"
is "$(log_as lars0001 "(reqDN=$SOER)" 1.1 | records)" 0 \
	"lars0001 (a teacher of other classes) reads none"
is "$(log_as mett0001 "(reqDN=$SOER)" 1.1 | records)" "$n" \
	"mett0001 (soer0001's teacher) reads who changed what, when"
log_as mett0001 "(reqDN=$SOER)" reqMod >"$TEST_TMP/mett.ldif"
grep -q '^reqMod: pwdAccountLockedTime:= 000001010000Z$' "$TEST_TMP/mett.ldif"
ok $? "the teacher reads the block (account state)"
! grep -q '^reqMod: mail:' "$TEST_TMP/mett.ldif"
ok $? "but not the new mail address, which she cannot read on the entry either"
log_as kirs0001 "(reqDN=$SOER)" reqMod >"$TEST_TMP/kirs.ldif"
grep -q '^reqMod: mail:= soeren@example.dk$' "$TEST_TMP/kirs.ldif"
ok $? "the administrator reads the mail change"

# Nobody but the manager reads the value of a password, earlier password
# or national ID HMAC from the log.
for who in kirs0001 mett0001 sune0001 poul0001 aase0001; do
	log_as "$who" '(objectClass=*)' reqMod reqOld >"$TEST_TMP/log-$who.ldif" 2>&1
	got=$(grep -cE '^reqMod: (userPassword|pwdHistory|uloginNationalIdHmac)[;:]|^reqOld:' \
		"$TEST_TMP/log-$who.ldif")
	is "$got" 0 "$who reads no password, hash or HMAC value in the whole log"
done
[ "$(grep -c '^reqMod: ' "$TEST_TMP/log-kirs0001.ldif")" -gt 10 ]
ok $? "(while kirs0001's search of the whole log does find changes)"
[ "$(log_dm '(objectClass=*)' reqMod | grep -cE '^reqMod: userPassword:[-+=] \{')" -gt 0 ]
ok $? "while the manager does read them"
# No filter probes a hidden value: administrators may read reqMod but not
# search it, so a substring filter on the hash matches nothing.
is "$(log_as kirs0001 "(reqMod=userPassword:= {SSHA}*)" 1.1 | records)" 0 \
	"kirs0001 cannot find a record by a piece of a hash"
is "$(log_as kirs0001 "(reqMod=mail:= soeren*)" 1.1 | records)" 0 \
	"nor by any reqMod value"
[ "$(log_dm "(reqMod=userPassword:= {SSHA}*)" 1.1 | records)" -gt 0 ]
ok $? "the manager's same search finds them"

# ---- classes: a change of a class that names the user ------------------------

as kirs0001
run 0 ulogin-class add 280001-3a soer0001 -q
run 0 ulogin-user history soer0001 --limit 1 -o json
is "$(jq -r '.[0] | [.source, .operator, .action, .detail] | join(" ")' "$OUT")" \
	"slapd kirs0001 class.add-member class 280001-3a" \
	"a new class is in the trail, with who added the user"
run 0 ulogin-user history soer0001 -o json
is "$(jq -r '[.[] | select(.action == "class.add-member") | .detail] | join(",")' "$OUT")" \
	"class 280001-3a,class 280001-0a" "and so is the class the example put the user in"
# The administrator may look a class's record up by the member it names
# (equality), never by a piece of a value (substrings).
[ "$(log_as kirs0001 "(reqMod=member:+ $SOER)" 1.1 | records)" -ge 2 ]
ok $? "kirs0001 finds the class records by 'member:+ DN'"
is "$(log_as kirs0001 "(reqMod=member:+ uid=soer*)" 1.1 | records)" 0 \
	"but not by a substring of it"
is "$(log_as poul0001 "(reqMod=member:+ $SOER)" 1.1 | records)" 0 \
	"poul0001 finds none of 280001's class records"
is "$(log_as mett0001 "(reqMod=member:+ $SOER)" 1.1 | records)" 0 \
	"nor does the class's teacher (who reads no class records)"

# ---- windows: opened by a teacher, ended by slapd ----------------------------

as mett0001
run 0 ulogin-stepup grant aase0001 -q
# The manager shortens it to 5 seconds; slapo-dds ends it (it looks every
# 10 seconds).
(as_manager && ldapexop -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
	-y "$ULOGIN_PASSWORD_FILE" refresh "cn=stepup,$(people aase0001)" 5 >/dev/null)
tries=0
while (as_manager && ldap_exists "cn=stepup,$(people aase0001)") && [ $tries -lt 60 ]; do
	sleep 0.5
	tries=$((tries + 1))
done
as kirs0001
run 0 ulogin-user history aase0001 -o json
is "$(jq -r '[.[] | select(.source == "slapd") | .operator + " " + .action][0:3] | join(", ")' "$OUT")" \
	"slapd stepup.expired, cn=admin,$B stepup.modify, mett0001 stepup.modify" \
	"the step-up: opened and lengthened by the teacher, shortened by the manager, ended by slapd"
is "$(jq -r '[.[] | select(.source == "ulogin") | .operator + " " + .action] | join(", ")' "$OUT")" \
	"mett0001 stepup.grant, mett0001 stepup.grant" "the tools' lines of the step-up, the teacher's"

# ---- the log database as shipped: indexed, and closed until its rules come --
# The sandbox's log database is data/ulogin-accesslog.ldif's: history's
# filter looks records up by reqDN and by reqMod (a class naming the
# user), so both are indexed, or each history reads the whole log.
ldapi=$(. "$_sandbox/env" && printf %s "$ULOGIN_LDAPI")
ldapsearch -LLL -Y EXTERNAL -H "$ldapi" \
	-b 'olcDatabase={2}mdb,cn=config' -s base olcDbIndex olcAccess \
	>"$TEST_TMP/logdb" 2>/dev/null
grep -qx 'olcDbIndex: reqMod eq' "$TEST_TMP/logdb"
ok $? "the log database indexes reqMod (eq)"
grep -qx 'olcDbIndex: reqDN eq' "$TEST_TMP/logdb"
ok $? "and reqDN (eq)"
grep -q '^olcAccess: {0}to \* by \* none' "$TEST_TMP/logdb"
is $? 1 "the sandbox's log has the generated rules, not the placeholder"
# A log database added from the shipped entry alone (the first of the two
# steps of ulogin(7)), before its rules are applied: nobody but the
# manager reads it.
mkdir -p "$TEST_TMP/log2"
awk -v dir="$TEST_TMP/log2" '
	/^#/ { next }
	/^$/ && seen { exit }
	/^dn: / { seen = 1; print "dn: olcDatabase={3}mdb,cn=config"; next }
	/^olcDatabase: / { print "olcDatabase: {3}mdb"; next }
	/^olcSuffix: / { print "olcSuffix: cn=log2"; next }
	/^olcRootDN: / { print "olcRootDN: cn=admin," base; next }
	/^olcDbDirectory: / { print "olcDbDirectory: " dir; next }
	seen { print }
' base="$B" "$top_srcdir/data/ulogin-accesslog.ldif" >"$TEST_TMP/log2.ldif"
ldapadd -Y EXTERNAL -H "$ldapi" -f "$TEST_TMP/log2.ldif" >/dev/null 2>&1
ok $? "a second log database is added from the shipped entry"
printf 'dn: cn=log2\nobjectClass: auditContainer\ncn: log2\n' |
	ldapadd -x -H "$ULOGIN_URI" -D "cn=admin,$B" -y "$_sandbox/admin.pw" >/dev/null 2>&1
ok $? "the manager writes to it"
as kirs0001
ldapsearch -x -LLL -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-b cn=log2 -s base >"$TEST_TMP/log2.out" 2>&1
grep -q '^dn: cn=log2' "$TEST_TMP/log2.out"
is $? 1 "kirs0001 reads nothing of it before its rules are applied"
ldapsearch -x -LLL -H "$ULOGIN_URI" -b cn=log2 -s base >"$TEST_TMP/log2.out" 2>&1
grep -q '^dn: cn=log2' "$TEST_TMP/log2.out"
is $? 1 "nor does an anonymous client"

# ---- usage -----------------------------------------------------------------

as kirs0001
run 64 ulogin-user history
stderr_has "'history' needs USER" "history needs USER"
run 64 ulogin-user history soer0001 --limit 0
stderr_has "--limit takes a number from 1 to 1000000, not '0'" "--limit 0 is refused"
run 64 ulogin-user history soer0001 --since yesterday
stderr_has "--since takes a day \\(YYYY-MM-DD\\) or a time ago" "--since must be a day or a time ago"
run 64 ulogin-user history soer0001 --since 2026-02-30
stderr_has "not '2026-02-30'" "--since with no such day"
run 0 ulogin-user history --help
stdout_has '^Usage: ulogin-user history USER \[--limit N\] \[--since DATE\]' "history --help"

done_testing

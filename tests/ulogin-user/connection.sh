#!/bin/sh
# Connecting and logging in: unreachable servers, failover, password files,
# passwords refused on the command line and in the environment, config
# file errors, SASL EXTERNAL on ldapi://, the server's access rules for an
# institution's administrator and for a student, and no password in clear
# to another host.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 ||
	skip_all "jq is not installed (Debian package jq)"
# The server logs every operation, so the test can see what reached it.
ULOGIN_SANDBOX_LOGLEVEL=stats
export ULOGIN_SANDBOX_LOGLEVEL
sandbox_start --example
SLAPD_LOG=$_sandbox/slapd.log

now_ms() { echo $(($(date +%s%N) / 1000000)); }

attr() {	# attr USER ATTR: the server's values, space-separated
	ldap_attr "$(people "$1")" "$2" | sort | tr '\n' ' '
}

# The audit line of ACTION on USER's entry, as compact JSON.
audit_of() {	# audit_of ACTION USER
	jq -c --arg a "$1" --arg t "$(people "$2")" \
		'select(.action == $a and .target == $t)' "$AUDIT_LOG"
}

# A private file with CONTENT.
secret_file() {	# secret_file NAME CONTENT
	(umask 077 && printf '%s\n' "$2" >"$TEST_TMP/$1")
	printf '%s' "$TEST_TMP/$1"
}

# An unreachable server is reported as such, at once.
start=$(now_ms)
run 69 ulogin-user show soer0001 -H ldap://127.0.0.1:1
took=$(($(now_ms) - start))
[ "$took" -lt 5000 ]
ok $? "an unreachable server fails fast (${took} ms)"
stderr_has "cannot reach the directory server" "stderr says the server cannot be reached"
stderr_has "^hint: .*-H" "the hint names -H"
stdout_empty "unreachable: nothing on stdout"

# Failover: the second address of the list is used.
run 0 ulogin-user show soer0001 -H "ldap://127.0.0.1:1 $ULOGIN_URI" -o tsv
stdout_has "^username	soer0001\$" "failover to the second server works"

# Password files.
wrong=$(secret_file wrong.pw 'Not-The-Password1')
run 77 ulogin-user show soer0001 -y "$wrong"
stderr_has "wrong bind DN or password" "a wrong password says so"
stdout_empty "wrong password: nothing on stdout"
chmod 644 "$wrong"
run 78 ulogin-user show soer0001 -y "$wrong"
stderr_has "can be read by others" "a readable password file is refused"
stderr_has "^hint: .*chmod 600" "the hint says how to fix it"
run 66 ulogin-user show soer0001 -y "$TEST_TMP/missing.pw"
stderr_has "cannot read password file '$TEST_TMP/missing.pw'" \
	"a missing password file is named"

# No password on the command line or in the environment.
for opt in -w --password; do
	run 64 ulogin-user show soer0001 "$opt" secret
	stderr_has "not accepted on the command line" "$opt is refused"
	stderr_has "^hint: .*-y" "the $opt hint points to -y"
done
run 64 ulogin-user -w secret show soer0001
stderr_has "not accepted on the command line" "-w before the command is refused"
run 78 env ULOGIN_PASSWORD=x ulogin-user show soer0001
stderr_has "ULOGIN_PASSWORD" "ULOGIN_PASSWORD is named"
stdout_empty "ULOGIN_PASSWORD: nothing on stdout"

# Config file errors name the file and the line.
printf 'base: "dc=example,dc=dk"\n  uri: ldap://x: y\n' >"$TEST_TMP/bad.yaml"
run 78 ulogin-user show soer0001 -c "$TEST_TMP/bad.yaml"
stderr_has "$TEST_TMP/bad.yaml:2:" "a YAML syntax error gives FILE:LINE"
printf '# ulogin\nbase: "dc=example,dc=dk"\nserver: ldap://x\n' \
	>"$TEST_TMP/unknown.yaml"
run 78 ulogin-user show soer0001 -c "$TEST_TMP/unknown.yaml"
stderr_has "$TEST_TMP/unknown.yaml:3: 'server': unknown key" \
	"an unknown key is named with its line"
printf 'password: secret\n' >"$TEST_TMP/pw.yaml"
run 78 ulogin-user show soer0001 -c "$TEST_TMP/pw.yaml"
stderr_has "'password'" "a password in the config file is refused"
run 78 ulogin-user show soer0001 -c "$TEST_TMP/none.yaml"
stderr_has "cannot read config file '$TEST_TMP/none.yaml'" \
	"a missing config file is named"

# SASL EXTERNAL on the ldapi socket: no bind DN, no password; the server
# maps this user to cn=admin.
printf 'audit_log: "%s"\n' "$AUDIT_LOG" >"$TEST_TMP/external.yaml"
run 0 env -u ULOGIN_BIND_DN -u ULOGIN_PASSWORD_FILE \
	ulogin-user -c "$TEST_TMP/external.yaml" -H "$ULOGIN_LDAPI" \
	modify agne0001 --set mobile=11223344
is "$(attr agne0001 mobile)" "11223344 " "SASL EXTERNAL: the change was made"
is "$(audit_of user.modify agne0001 | jq -r .operator)" \
	"cn=admin,dc=example,dc=dk" \
	"SASL EXTERNAL: the audit log names the operator cn=admin"

# An administrator of 280001 (kirs0001) manages 280001's students only.
kirs=$(secret_file kirs.pw 'Adm1n-Bakke2026')
run 0 ulogin-user modify emma0001 -D "$(people kirs0001)" -y "$kirs" \
	--set mobile=12121212
is "$(attr emma0001 mobile)" "12121212 " "kirs0001 changed a 280001 student"
is "$(audit_of user.modify emma0001 | jq -r .operator)" \
	"uid=kirs0001,ou=people,dc=example,dc=dk" "the audit log names kirs0001"
run 77 ulogin-user modify vict0001 -D "$(people kirs0001)" -y "$kirs" \
	--set mobile=12121212
stderr_has "^ulogin-user: user 'vict0001' is not one you may see or change$" \
	"kirs0001 is not allowed to change a 280002 student"
stderr_has "^hint: .*administrators, the people of the institutions" \
	"and is told whom an administrator manages"
is "$(attr vict0001 mobile)" "" "the 280002 student is unchanged"
is "$(audit_of user.modify vict0001)" "" \
	"nothing was sent, so nothing is audited (slapd refused the look-up)"

# A student sees only themselves.
ldappasswd -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	-s 'Temp-Pass1234' "$(people osca0001)" >/dev/null 2>&1
ok $? "ldappasswd: an administrator sets osca0001's password"
ldappasswd -x -H "$ULOGIN_URI" -D "$(people osca0001)" -w 'Temp-Pass1234' \
	-a 'Temp-Pass1234' -s 'Own-Pass5678' >/dev/null 2>&1
ok $? "ldappasswd: osca0001 chooses an own password"
osca=$(secret_file osca.pw 'Own-Pass5678')
run 0 ulogin-user show osca0001 -D "$(people osca0001)" -y "$osca" -o tsv
stdout_has "^username	osca0001\$" "a student can look themselves up"
run 77 ulogin-user show will0001 -D "$(people osca0001)" -y "$osca" -o tsv
stderr_has "user 'will0001' is not one you may see" "but not a classmate"
run 77 ulogin-user modify will0001 -D "$(people osca0001)" -y "$osca" \
	--set mobile=66666666
stderr_has "not one you may see or change" "nor change a classmate"
is "$(attr will0001 mobile)" "" "the classmate is unchanged"
run 67 ulogin-user show nobo0001 -D "$(people osca0001)" -y "$osca"
stderr_has "cannot find user 'nobo0001'" "a username that does not exist is told apart"

# A plain ldap:// address that is not obviously this machine (127.0.0.1
# written as one number) must be protected by StartTLS before any
# password is sent.  The sandbox offers no TLS: the program must stop
# after the StartTLS request, before binding.
port=${ULOGIN_URI##*:}
lines=$(wc -l <"$SLAPD_LOG")
start=$(now_ms)
run 69 ulogin-user show soer0001 -H "ldap://2130706433:$port"
took=$(($(now_ms) - start))
[ "$took" -lt 5000 ]
ok $? "refusing a clear-text login is fast (${took} ms)"
stderr_has "TLS" "stderr says TLS was needed"
tail -n +"$((lines + 1))" "$SLAPD_LOG" >"$TEST_TMP/slapd.new"
grep -q 'EXT oid=1.3.6.1.4.1.1466.20037' "$TEST_TMP/slapd.new"
ok $? "the server received the StartTLS request"
! grep -q ' BIND ' "$TEST_TMP/slapd.new"
ok $? "the server received no bind (no password in clear)"

# A server that accepts but never answers is tests/ulogin-user/timeout.sh
# (tests reach nothing but this machine's loopback).

# No bind DN on ldap://: refused with a hint, never an anonymous bind that
# would make every user look missing.
printf 'audit_log: "%s"\n' "$AUDIT_LOG" >"$TEST_TMP/nobind.yaml"
run 78 env -u ULOGIN_BIND_DN -u ULOGIN_PASSWORD_FILE ulogin-user \
	-c "$TEST_TMP/nobind.yaml" -H "$ULOGIN_URI" -b "$ULOGIN_BASE" show soer0001
stderr_has "^ulogin-user: no bind DN configured for 'ldap://127.0.0.1:[0-9]+'$" \
	"no bind DN: the error"
stderr_has "^hint: give one with -D DN and -y FILE" "no bind DN: the hint"

# Every change is audited: no audit trail at all is a configuration error,
# and nothing changes.
printf 'syslog: false\n' >"$TEST_TMP/noaudit.yaml"
run 78 ulogin-user -c "$TEST_TMP/noaudit.yaml" -H "$ULOGIN_URI" \
	-b "$ULOGIN_BASE" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	modify emma0001 --set mail=x@example.dk
stderr_has "no audit trail" "no audit trail: the error"
is "$(ldap_attr "$(people emma0001)" mail)" "" "no audit trail: nothing changed"

# An audit log that fails mid-run: the change that was made is reported
# (exit 73) and no further change is made.
printf 'syslog: false\naudit_log: /dev/full\n' >"$TEST_TMP/full.yaml"
run 73 ulogin-user -c "$TEST_TMP/full.yaml" -H "$ULOGIN_URI" \
	-b "$ULOGIN_BASE" -D "$ULOGIN_BIND_DN" -y "$ULOGIN_PASSWORD_FILE" \
	delete --yes osca0001 will0001
stderr_has "was made but could not be audited" "the unaudited change is reported"
ldap_exists "$(people will0001)"
ok $? "after the audit failure no further user was deleted"

# A password after --pass= is refused without being echoed.
run 64 ulogin-user show soer0001 --pass=Hunter2secret
stderr_has "passwords are not accepted on the command line" "--pass= refused"
! grep -q Hunter2secret "$ERR"
ok $? "the refused password is not echoed"

# A base that is not a DN, and a password file that is a symbolic link.
run 78 ulogin-user -b 'not a dn' show soer0001
stderr_has "base DN 'not a dn' is not a valid DN" "bad base DN named"
ln -s "$ULOGIN_PASSWORD_FILE" "$TEST_TMP/link.pw"
run 77 ulogin-user -y "$TEST_TMP/link.pw" show soer0001
stderr_has "cannot read password file '$TEST_TMP/link.pw'" \
	"a symlinked password file is refused"

done_testing

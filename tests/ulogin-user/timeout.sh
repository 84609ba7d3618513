#!/bin/sh
# A server that accepts the connection but never answers: the program
# gives up after the configured timeout with exit 69, instead of hanging
# a cron job forever.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

cfg=$TEST_TMP/timeout.yaml
sed 's/^timeout: .*/timeout: 2/' "$ULOGIN_CONFIG" >"$cfg"
chmod 600 "$cfg"
grep -q '^timeout: 2$' "$cfg"
ok $? "test config sets a 2 second timeout"

pid=$(cat "$ULOGIN_SANDBOX/slapd.pid")
kill -STOP "$pid"
start=$(date +%s)
run 69 ulogin-user -c "$cfg" show soer0001
elapsed=$(( $(date +%s) - start ))
kill -CONT "$pid"
stderr_has "did not answer in time|cannot reach the directory server" \
	"stderr says the server did not answer"
[ "$elapsed" -le 8 ]
ok $? "gave up after about the timeout (took ${elapsed}s, limit 2s)"

# Once the server answers again, so does the program.
run 0 ulogin-user -c "$cfg" show soer0001 -o tsv
stdout_has '^username	soer0001$' "works again after the server recovers"

done_testing

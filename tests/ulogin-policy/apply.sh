#!/bin/sh
# ulogin-policy apply: the configured policies become ppolicy entries under
# ou=policies and every user's pwdPolicySubentry points at the effective
# one; a second run changes nothing; -n prints LDIF and changes nothing; a
# changed config changes exactly what changed; a bad config writes nothing.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

policies=ou=policies,$ULOGIN_BASE
pdn() { printf 'cn=%s,%s' "$1" "$policies"; }
module=$(sed -n 's/^check_module: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' \
	"$ULOGIN_CONFIG")
[ -n "$module" ] && [ "$module" != none ] ||
	skip_all "the check module was not built (check_module: $module)"
shipped="pictures mellemtrin udskoling gymnasium staff parent default"

audit_lines() {
	cat "$AUDIT_LOG" 2>/dev/null | grep -c .
}
# What the server changes on every write: entryCSN (microseconds) and
# modifyTimestamp of every policy and every user, one line per entry.
snapshot() {
	ldap_search "$ULOGIN_BASE" \
		'(|(objectClass=pwdPolicy)(objectClass=uloginAccount))' \
		entryCSN modifyTimestamp pwdPolicySubentry |
	awk '/^dn:/ { if (l != "") print l; l = $0; next }
		/./ { l = l " " $0 }
		END { if (l != "") print l }' | sort
}
words() {	# the words of a rule line, sorted: order does not matter
	tr ' ' '\n' | grep . | sort | tr '\n' ' '
}
users=$(ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=uloginAccount)' dn |
	grep -c '^dn:')

# ---- before: only the sandbox's own cn=default, nobody linked ----------
ldap_exists "$(pdn pictures)"
ok $((! $?)) "before apply there is no cn=pictures"
is "$(ldap_attr "$(people soer0001)" pwdPolicySubentry)" "" \
	"before apply soer0001 has no pwdPolicySubentry"

# ---- apply -n: LDIF, nothing written ------------------------------------
before=$(snapshot)
run 0 ulogin-policy apply -n
cp "$OUT" "$TEST_TMP/dry.ldif"
for p in $shipped; do
	stdout_has "^dn: cn=$p,$policies\$" "apply -n prints the entry of $p"
done
is "$(grep -c '^changetype: add$' "$OUT")" 6 \
	"apply -n adds the six policies the directory lacks"
stdout_has '^pwdPolicySubentry: cn=pictures,ou=policies,' \
	"apply -n prints the users' new links"
is "$(grep -c '^pwdPolicySubentry: ' "$OUT")" "$users" \
	"apply -n links every one of the $users users"
is "$(snapshot)" "$before" "apply -n changed no entry"
ldap_exists "$(pdn pictures)"
ok $((! $?)) "apply -n added no policy"
is "$(audit_lines)" 0 "apply -n wrote nothing to the audit log"

# ---- the first apply --------------------------------------------------
run 0 ulogin-policy apply -o tsv
cp "$OUT" "$TEST_TMP/first.tsv"
is "$(head -n 1 "$OUT")" "$(printf 'kind\tname\taction\tdetail')" \
	"apply prints a table: kind, name, action, detail"
for p in pictures mellemtrin udskoling gymnasium staff parent; do
	grep -q "^policy	$p	added	" "$OUT"
	ok $? "the table says policy $p was added"
done
grep -q '^policy	default	changed	' "$OUT"
ok $? "the table says the existing cn=default was changed"
is "$(grep -c '^user	[^	]*	linked	' "$OUT")" "$users" \
	"the table has one 'linked' row for each of the $users users"
is "$(($(wc -l <"$OUT") - 1))" "$(grep -c '^dn:' "$TEST_TMP/dry.ldif")" \
	"apply did as many changes as apply -n printed"
is "$(audit_lines)" "$(($(wc -l <"$OUT") - 1))" \
	"the audit log has one line per change"
grep -q "\"action\":\"policy.add\",\"target\":\"$(pdn udskoling)\",\"result\":\"ok\"" \
	"$AUDIT_LOG"
ok $? "the audit log has the add of cn=udskoling"

# What the server holds, policy by policy.
for p in $shipped; do
	dn=$(pdn "$p")
	ldap_exists "$dn"
	ok $? "$dn exists"
	is "$(ldap_attr "$dn" objectClass | sort | tr '\n' ' ')" \
		"organizationalRole pwdPolicy pwdPolicyChecker " \
		"$p: objectClass pwdPolicy and pwdPolicyChecker"
	is "$(ldap_attr "$dn" pwdAttribute)" userPassword "$p: pwdAttribute"
	is "$(ldap_attr "$dn" pwdLockout)" TRUE \
		"$p: pwdLockout TRUE (blocking works)"
	is "$(ldap_attr "$dn" pwdMustChange)" TRUE "$p: pwdMustChange TRUE"
	is "$(ldap_attr "$dn" pwdCheckQuality)" 2 "$p: pwdCheckQuality 2"
	is "$(ldap_attr "$dn" pwdCheckModule)" "$module" \
		"$p: pwdCheckModule is the configured check_module"
done
arg() { ldap_attr "$(pdn "$1")" pwdCheckModuleArg | words; }
is "$(arg pictures | tr ' ' '\n' | grep -v '^names=' | tr '\n' ' ')" \
	"$(echo 'pictures=4' | words)" "pictures: pwdCheckModuleArg pictures=4"
# The picture names go along, so slapd's module checks them too.
names=$(arg pictures | tr ' ' '\n' | sed -n 's/^names=//p')
is "$(printf '%b' "$(printf '%s' "$names" | sed 's/%/\\x/g')")" \
	"$(paste -sd, "$top_srcdir/data/pictures.txt")" \
	"pictures: the picture names travel with the rules"
is "$(arg mellemtrin)" "$(echo 'minlen=8 require=lower,digit' \
	'forbid=%40%25%26 latin nouser nonames' | words)" \
	"mellemtrin: the rules as configured"
is "$(arg udskoling)" \
	"$(echo 'minlen=10 classes=3 forbid=%40%25%26 latin nouser nonames' | words)" \
	"udskoling: the rules as configured"
is "$(arg gymnasium)" \
	"$(echo 'minlen=12 classes=3 forbid=%40%25%26 latin nouser nonames' | words)" \
	"gymnasium: the rules as configured"
is "$(arg staff)" \
	"$(echo 'minlen=12 classes=3 forbid=%40%25%26 latin nouser nonames' | words)" \
	"staff: the rules as configured"
is "$(arg parent)" "$(echo 'minlen=10 classes=3 nouser nonames' | words)" \
	"parent: the rules as configured"
is "$(arg default)" "$(echo 'minlen=10 classes=3 nouser' | words)" \
	"default: the rules as configured"
for p in udskoling gymnasium staff parent default; do
	is "$(ldap_attr "$(pdn "$p")" pwdMaxAge)" 31536000 \
		"$p: pwdMaxAge 31536000 (365d)"
	is "$(ldap_attr "$(pdn "$p")" pwdExpireWarning)" 1209600 \
		"$p: pwdExpireWarning 1209600 (14d)"
done
for p in pictures mellemtrin; do
	age=$(ldap_attr "$(pdn "$p")" pwdMaxAge)
	[ -z "$age" ] || [ "$age" = 0 ]
	ok $? "$p: no pwdMaxAge or 0, the password never expires (got '$age')"
done
is "$(ldap_attr "$(pdn mellemtrin)" pwdInHistory)" 3 "mellemtrin: history 3"
is "$(ldap_attr "$(pdn staff)" pwdInHistory)" 10 "staff: history 10"
is "$(ldap_attr "$(pdn staff)" pwdMaxFailure)" 5 "staff: max_failures 5"
is "$(ldap_attr "$(pdn pictures)" pwdLockoutDuration)" 300 \
	"pictures: lockout 5m is 300 seconds"
is "$(ldap_attr "$(pdn staff)" description)" \
	"Teachers and other staff: changed once a year" "staff: description"

# Every user points at the effective policy.
link() { ldap_attr "$(people "$1")" pwdPolicySubentry; }
is "$(link soer0001)" "$(pdn pictures)" "soer0001 (grade 0) -> pictures"
is "$(link will0001)" "$(pdn pictures)" "will0001 (grade 3) -> pictures"
is "$(link magn0001)" "$(pdn mellemtrin)" "magn0001 (grade 5) -> mellemtrin"
is "$(link vict0001)" "$(pdn mellemtrin)" "vict0001 (grade 6) -> mellemtrin"
is "$(link noah0001)" "$(pdn udskoling)" "noah0001 (grade 8) -> udskoling"
is "$(link tobi0001)" "$(pdn udskoling)" "tobi0001 (grade 9) -> udskoling"
is "$(link mett0001)" "$(pdn staff)" "mett0001 (teacher) -> staff"
is "$(link kirs0001)" "$(pdn staff)" "kirs0001 (admin, staff) -> staff"
is "$(link pete0001)" "$(pdn parent)" "pete0001 (parent) -> parent"
is "$(ldap_search "ou=people,$ULOGIN_BASE" \
	'(&(objectClass=uloginAccount)(!(pwdPolicySubentry=*)))' dn)" "" \
	"no user is left without a pwdPolicySubentry"
dangling=0
for target in $(ldap_search "ou=people,$ULOGIN_BASE" \
	'(objectClass=uloginAccount)' pwdPolicySubentry |
	sed -n 's/^pwdPolicySubentry: //p' | sort -u); do
	ldap_exists "$target" || dangling=$((dangling + 1))
done
is "$dangling" 0 "every pwdPolicySubentry names an existing policy entry"

# ---- the second apply changes nothing -----------------------------------
before=$(snapshot)
lines=$(audit_lines)
sleep 1	# modifyTimestamp has whole seconds
run 0 ulogin-policy apply -o tsv
stdout_is "$(printf 'kind\tname\taction\tdetail')" \
	"the second apply prints an empty table"
stderr_has 'up to date' "the second apply says everything is up to date"
is "$(audit_lines)" "$lines" "the second apply adds no audit line"
is "$(snapshot)" "$before" \
	"the second apply changes no entry (entryCSN, modifyTimestamp)"
run 0 ulogin-policy apply -n
stdout_empty "apply -n on an up-to-date directory prints no LDIF"

# ---- drift is repaired, only where it is --------------------------------
rootdn_modify() {	# rootdn_modify < LDIF
	ldapmodify -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" >/dev/null 2>&1
}
rootdn_modify <<EOF
dn: $(pdn staff)
changetype: modify
replace: pwdLockout
pwdLockout: FALSE

dn: $(people jona0001)
changetype: modify
replace: pwdPolicySubentry
pwdPolicySubentry: $(pdn pictures)

dn: $(people noah0001)
changetype: modify
replace: pwdPolicySubentry
pwdPolicySubentry: CN=Udskoling,OU=Policies,DC=example,DC=dk
EOF
ok $? "by hand: cn=staff pwdLockout FALSE, jona0001 to pictures, noah0001 in upper case"
noah_link=$(link noah0001)
run 0 ulogin-policy apply -o tsv
is "$(tail -n +2 "$OUT" | cut -f1-3 | sort | tr '\n' ' ')" \
	"$(printf 'policy\tstaff\tchanged user\tjona0001\tlinked ')" \
	"apply repairs cn=staff and jona0001 and nothing else"
is "$(ldap_attr "$(pdn staff)" pwdLockout)" TRUE "cn=staff has pwdLockout TRUE again"
is "$(link jona0001)" "$(pdn udskoling)" "jona0001 points at udskoling again"
is "$(link noah0001)" "$noah_link" \
	"a link that differs only in case is the same DN and is left alone"

# ---- a changed config changes exactly that policy -----------------------
awk '/^  udskoling:$/ { p = 1 }
	p && /^    min_length: 10$/ { sub(/10/, "11"); p = 0 }
	{ print }' "$ULOGIN_CONFIG" >"$TEST_TMP/u11.yaml"
is "$(diff "$ULOGIN_CONFIG" "$TEST_TMP/u11.yaml" | grep -c '^>')" 1 \
	"the copy of the config differs in one line (udskoling min_length 11)"
before=$(snapshot)
lines=$(audit_lines)
run 0 ulogin-policy apply -n -c "$TEST_TMP/u11.yaml"
is "$(grep '^dn:' "$OUT")" "dn: $(pdn udskoling)" \
	"apply -n with the new config changes only cn=udskoling"
stdout_has '^pwdCheckModuleArg: minlen=11 ' "apply -n shows the new minlen"
cp "$OUT" "$TEST_TMP/u11.ldif"
is "$(snapshot)" "$before" "apply -n with the new config changed nothing"
sleep 1
run 0 ulogin-policy apply -c "$TEST_TMP/u11.yaml" -o tsv
is "$(tail -n +2 "$OUT" | cut -f1-3)" "$(printf 'policy\tudskoling\tchanged')" \
	"apply with the new config changes exactly cn=udskoling"
stdout_has 'pwdCheckModuleArg' "the table names the changed attribute"
is "$(arg udskoling)" \
	"$(echo 'minlen=11 classes=3 forbid=%40%25%26 latin nouser nonames' | words)" \
	"cn=udskoling has minlen=11 on the server"
is "$(audit_lines)" "$((lines + 1))" "one audit line for the one change"
is "$(snapshot | grep -v "^dn: $(pdn udskoling) ")" \
	"$(echo "$before" | grep -v "^dn: $(pdn udskoling) ")" \
	"every other entry keeps its entryCSN and modifyTimestamp"
is "$(snapshot | grep -c "^dn: $(pdn udskoling) ")" 1 \
	"(cn=udskoling is in the snapshot)"
# The dry run's LDIF is the change: applied by ldapmodify to the old
# state, the new config has nothing left to do.
run 0 ulogin-policy apply -o tsv	# back to min_length 10
rootdn_modify <"$TEST_TMP/u11.ldif"
ok $? "ldapmodify applies the LDIF of apply -n"
run 0 ulogin-policy apply -c "$TEST_TMP/u11.yaml" -o tsv
stdout_is "$(printf 'kind\tname\taction\tdetail')" \
	"after the LDIF of apply -n, apply has nothing left to do"
run 0 ulogin-policy apply -o tsv
is "$(tail -n +2 "$OUT" | cut -f1-3)" "$(printf 'policy\tudskoling\tchanged')" \
	"the shipped config puts udskoling back, and only it"

# ---- a config naming an undefined policy: exit 78, nothing written -----
sed 's/^  udskoling: udskoling$/  udskoling: udskolingen/' "$ULOGIN_CONFIG" \
	>"$TEST_TMP/undefined.yaml"
grep -q '^  udskoling: udskolingen$' "$TEST_TMP/undefined.yaml"
ok $? "the broken config maps level udskoling to an undefined policy"
before=$(snapshot)
lines=$(audit_lines)
run 78 ulogin-policy apply -c "$TEST_TMP/undefined.yaml"
stderr_has "$TEST_TMP/undefined.yaml" "the error names the file"
stderr_has "'udskolingen'" "the error names the undefined policy"
stdout_empty "nothing on stdout"
run 78 ulogin-policy apply -n -c "$TEST_TMP/undefined.yaml"
stdout_empty "apply -n with the broken config prints no LDIF either"
is "$(snapshot)" "$before" "the broken config changed no entry"
is "$(audit_lines)" "$lines" "and wrote no audit line"
sed 's/^  parent: parent$/  parent: forældre/' "$ULOGIN_CONFIG" \
	>"$TEST_TMP/role.yaml"
run 78 ulogin-policy apply -c "$TEST_TMP/role.yaml"
stderr_has "'forældre'" "a role naming an undefined policy is refused too"
is "$(snapshot)" "$before" "nothing was written"

# ---- a user whose effective policy is not in the directory --------------
# An override naming a policy that exists nowhere (written by hand): apply
# must not link to it, must say so, and exit 1 (partly done: not every
# user points at the effective policy).
rootdn_modify <<EOF
dn: $(people alma0001)
changetype: modify
replace: uloginPolicyOverride
uloginPolicyOverride: spøgelse
EOF
ok $? "alma0001 gets an override to a policy that does not exist"
run 1 ulogin-policy apply -o tsv
stderr_has "alma0001" "apply names the user it could not link"
stderr_has "spøgelse" "apply names the missing policy"
is "$(link alma0001)" "$(pdn mellemtrin)" \
	"alma0001 keeps her link to an existing policy, no dangling link"
rootdn_modify <<EOF
dn: $(people alma0001)
changetype: modify
delete: uloginPolicyOverride
EOF

# ---- check_module: none -------------------------------------------------
sed 's|^check_module: .*|check_module: none|' "$ULOGIN_CONFIG" \
	>"$TEST_TMP/none.yaml"
links=$(ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=uloginAccount)' \
	pwdPolicySubentry | grep '^pwd' | sort)
run 0 ulogin-policy apply -c "$TEST_TMP/none.yaml" -o tsv
is "$(ldap_search "$policies" '(pwdCheckModule=*)' dn)" "" \
	"with check_module: none no policy names a pwdCheckModule"
for p in $shipped; do
	is "$(ldap_attr "$(pdn "$p")" pwdLockout)" TRUE \
		"$p: pwdLockout TRUE with check_module: none too"
done
is "$(ldap_search "ou=people,$ULOGIN_BASE" '(objectClass=uloginAccount)' \
	pwdPolicySubentry | grep '^pwd' | sort)" "$links" \
	"the users' links are the same"
run 0 ulogin-policy apply -c "$TEST_TMP/none.yaml" -o tsv
stdout_is "$(printf 'kind\tname\taction\tdetail')" \
	"apply with check_module: none is idempotent too"

done_testing

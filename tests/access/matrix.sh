#!/bin/sh
# The access matrix: every operation of data/access.model, tried as every
# kind of operator (binding as that account with OpenLDAP's own
# ldapsearch, ldapmodify, ldappasswd, ldapdelete and ldapexop, never
# through ulogin) on every target, against the outcome the model expects
# -- the same model the ACCESS table of ulogin(7) is generated from.  A
# change that the server makes is undone as the directory manager before
# the next try.  One TAP line per try.
. "$top_srcdir/tests/lib.sh"
sandbox_start --example

gen="$top_srcdir/scripts/access-gen"
B=$ULOGIN_BASE
P=$TEST_TMP/probe.out
[ -x "$gen" ] || { echo "Bail out! $gen is missing"; exit 1; }

# ---- the directory manager, for the fixture and for undoing ------------

dm() {	# dm TOOL ARGS...: as the directory manager, quietly
	tool=$1
	shift
	"$tool" -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" "$@" >/dev/null 2>&1
}
dm_ldif() { dm ldapmodify -c; }		# LDIF on stdin, errors ignored
dm_values() {	# dm_values DN ATTR: the values, one a line
	ldap_attr "$1" "$2"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

# ---- the model ------------------------------------------------------------

"$gen" kinds >"$TEST_TMP/kinds" || bail "cannot read the model's kinds"
"$gen" targets >"$TEST_TMP/targets" || bail "cannot read the model's targets"
"$gen" matrix >"$TEST_TMP/matrix" || bail "cannot read the model's matrix"
[ -s "$TEST_TMP/matrix" ] || bail "the model has no expectations"

kind_field() {	# kind_field KIND N
	awk -v k="$1" -v n="$2" '$1 == k { print $n }' "$TEST_TMP/kinds"
}
target_field() {	# target_field TARGET N
	awk -v t="$1" -v n="$2" '$1 == t { print $n }' "$TEST_TMP/targets"
}
has_fact() {	# has_fact FACTS NAME[=VALUE]: is it among FACTS?
	case ",$1," in *",$2,"* | *",$2="*) return 0 ;; esac
	return 1
}
fact() {	# fact FACTS NAME: the value of NAME=VALUE ('' if none)
	printf '%s\n' "$1" | tr ',' '\n' | sed -n "s/^$2=//p"
}

# ---- who is who -------------------------------------------------------------

account_dn() {	# the DN of a kind's account ('' if it has none)
	a=$(kind_field "$1" 2)
	case $a in
	anonymous | peercred | manager | -) echo "" ;;
	*=*) echo "$a,$B" ;;
	*) echo "uid=$a,ou=people,$B" ;;
	esac
}

# Run TOOL as KIND.
as_kind() {	# as_kind KIND TOOL ARGS...
	k=$1 tool=$2
	shift 2
	a=$(kind_field "$k" 2)
	case $a in
	anonymous) "$tool" -x -H "$ULOGIN_URI" "$@" ;;
	manager) "$tool" -x -H "$ULOGIN_URI" -D "$ULOGIN_BIND_DN" \
		-y "$ULOGIN_PASSWORD_FILE" "$@" ;;
	peercred)
		if [ "$local_mode" = peercred ]; then
			setpriv --reuid=65534 --regid=65534 --clear-groups \
				"$tool" -Q -Y EXTERNAL -H "$ULOGIN_LDAPI" "$@"
		else
			"$tool" -x -H "$ULOGIN_URI" -D "cn=nobody,$B" \
				-y "$TEST_TMP/pw-nobody" "$@"
		fi
		;;
	*=*)
		s=${a%%,*}
		"$tool" -x -H "$ULOGIN_URI" -D "$a,$B" -y "$_sandbox/${s#cn=}.pw" "$@"
		;;
	*) "$tool" -x -H "$ULOGIN_URI" -D "uid=$a,ou=people,$B" \
		-y "$TEST_TMP/pw-$a" "$@" ;;
	esac
}

# ---- the fixture ----------------------------------------------------------

# Every person the matrix touches: the targets and the operators.
persons=$(
	{
		awk '$2 ~ /^uid=/ { sub(/^uid=/, "", $2); sub(/,.*/, "", $2); print $2 }' \
			"$TEST_TMP/targets"
		awk '$2 ~ /^[a-z]+[0-9]+$/ { print $2 }' "$TEST_TMP/kinds"
	} | sort -u
)

# birg0001 is the other administrator of 280001.
printf 'dn: uid=birg0001,ou=people,%s\nchangetype: modify\nadd: uloginAdminOf\nuloginAdminOf: 280001\n' "$B" | dm_ldif

for u in $persons; do
	dn="uid=$u,ou=people,$B"
	ldap_exists "$dn" || bail "$dn is missing from the example data"
	# Two passwords, so that pwdHistory has one; the operators know
	# the second.  The directory manager's passwords leave pwdReset,
	# which the operators must not have.
	dm ldappasswd -s "Matrix-$u-one" "$dn"
	dm ldappasswd -s "Matrix-$u-two" "$dn"
	(umask 077 && printf 'Matrix-%s-two' "$u" >"$TEST_TMP/pw-$u")
	dm_ldif <<EOF
dn: $dn
changetype: modify
replace: mail
mail: $u@matrix.example.org
-
replace: uloginExternalId
uloginExternalId: MATRIX-$u
-
replace: uloginNationalIdHmac
uloginNationalIdHmac: 00000000000000000000000000000000000000000000000000000000$(printf '%s' "$u" | od -An -tx1 | tr -d ' \n' | cut -c1-8)
-
delete: pwdReset
EOF
	# A step-up that outlives the test.
	printf 'dn: cn=stepup,%s\nchangetype: add\nobjectClass: uloginStepUp\nobjectClass: dynamicObject\ncn: stepup\n' "$dn" | dm_ldif
	dm ldapexop refresh "cn=stepup,$dn" 86400
	for a in cn uloginInstitution mail pwdChangedTime uloginExternalId \
		userPassword pwdHistory uloginNationalIdHmac; do
		[ -n "$(dm_values "$dn" "$a")" ] ||
			bail "the fixture has no $a in $dn"
	done
	[ -n "$(dm_values "cn=stepup,$dn" entryTtl)" ] ||
		bail "the fixture has no step-up below $dn"
done

# The local Unix account: another user on this machine, over ldapi://.
# That needs root (to become nobody); otherwise an identity slapd knows
# nothing about stands in for it, and the TAP lines say so.
local_mode=peercred
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 711 "$TEST_TMP" "$_sandbox"
	who=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		ldapwhoami -Q -Y EXTERNAL -H "$ULOGIN_LDAPI" 2>&1)
	case $who in
	*uidNumber=65534,cn=peercred,cn=external,cn=auth*) ;;
	*) bail "cannot log in over ldapi:// as nobody: $who" ;;
	esac
else
	local_mode=stranger
	(umask 077 && printf 'Matrix-nobody-pw' >"$TEST_TMP/pw-nobody")
	printf 'dn: cn=nobody,%s\nchangetype: add\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: nobody\nuserPassword: Matrix-nobody-pw\n' "$B" | dm_ldif
fi

# ---- expectations ---------------------------------------------------------

# The facts of TARGET seen from KIND ("own": the operator's own entry).
target_facts() {	# target_facts KIND TARGET
	if [ "$2" = own ]; then
		f=$(kind_field "$1" 3)
		case ,$f, in *,admin=*) f="$f,admin" ;; esac
		echo "person,$f"
	else
		target_field "$2" 3
	fi
}

target_dn() {	# target_dn KIND TARGET ('' when the kind has no own entry)
	if [ "$2" = own ]; then
		account_dn "$1" | grep '^uid=' || true
	else
		e=$(target_field "$2" 2)
		case $e in *cn=config) echo "$e" ;; *) echo "$e,$B" ;; esac
	fi
}

# Does one scope cover the target?
covers() {	# covers SCOPE KIND TARGET
	o=$(kind_field "$2" 3)
	t=$(target_facts "$2" "$3")
	inst=$(fact "$t" inst)
	admin=$(fact "$o" admin)
	staff=no
	has_fact "$t" staff && staff=yes
	in_admin=no
	[ -n "$admin" ] && [ "$inst" = "$admin" ] && in_admin=yes
	case $1 in
	own) [ "$3" = own ] ;;
	class)
		c=$(fact "$t" class)
		[ -n "$c" ] && [ $staff = no ] &&
			case "+$(fact "$o" teaches)+" in *"+$c+"*) true ;; *) false ;; esac
		;;
	inst) [ $in_admin = yes ] ;;
	inst-users) [ $in_admin = yes ] && ! has_fact "$t" admin ;;
	inst-pupils) [ $in_admin = yes ] && [ $staff = no ] ;;
	inst-staff) [ $in_admin = yes ] && [ $staff = yes ] && [ "$3" != own ] ;;
	staff) [ $staff = yes ] ;;
	pupils) [ $staff = no ] ;;
	people | yes) true ;;
	-) false ;;
	*) bail "unknown scope '$1' in the model" ;;
	esac
}

expected() {	# expected CELL KIND TARGET: yes or no
	for s in $(printf '%s' "$1" | tr '+' ' '); do
		if covers "$s" "$2" "$3"; then
			echo yes
			return
		fi
	done
	echo no
}

# ---- trying an operation --------------------------------------------------

# How a client's answer counts: 0 allowed, 1 refused (insufficient
# access; the entry is not even visible; anonymous changes refused), 2
# anything else.
verdict() {	# verdict EXIT-STATUS (output in $P)
	if [ "$1" -eq 0 ]; then
		return 0
	fi
	if [ "$1" -eq 50 ] || [ "$1" -eq 32 ] || [ "$1" -eq 8 ] ||
		grep -Eq 'Insufficient access \(50\)|No such object \(32\)|Strong\(er\) authentication required \(8\)' "$P"; then
		return 1
	fi
	return 2
}

try_read() {	# try_read KIND DN ATTR
	as_kind "$1" ldapsearch -LLL -o ldif-wrap=no -b "$2" -s base \
		'(objectClass=*)' "$3" >"$P" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 32 ] && [ $rc -ne 50 ]; then
		return 2
	fi
	grep -Eiq "^$3::? " "$P"
	[ $? -eq 0 ] && return 0
	return 1
}

# slapd's access log of the entry DN: does what KIND reads of its records
# match the regex?  (The fixture's changes below give every person a
# record with a new mail, password and HMAC.)
try_log() {	# try_log KIND DN REGEX
	as_kind "$1" ldapsearch -LLL -o ldif-wrap=no -b cn=accesslog -s one \
		"(reqDN=$2)" reqType reqMod >"$P" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 32 ] && [ $rc -ne 50 ]; then
		return 2
	fi
	grep -Eq "$3" "$P" && return 0
	return 1
}

try_ldif() {	# try_ldif KIND (LDIF on stdin)
	as_kind "$1" ldapmodify >"$P" 2>&1
	verdict $?
}

try_tool() {	# try_tool KIND TOOL ARGS...
	k=$1
	shift
	as_kind "$k" "$@" >"$P" 2>&1
	verdict $?
}

other_inst() {	# the example institution a DN does not belong to
	case $(dm_values "$1" uloginInstitution | head -n 1) in
	280001) echo 280002 ;;
	*) echo 280001 ;;
	esac
}

# Put a value back as it was: present or absent.
restore_value() {	# restore_value DN ATTR VALUE WAS-THERE(yes|no)
	if [ "$4" = yes ]; then
		printf 'dn: %s\nchangetype: modify\nadd: %s\n%s: %s\n' "$1" "$2" "$2" "$3" | dm_ldif
	else
		printf 'dn: %s\nchangetype: modify\ndelete: %s\n%s: %s\n' "$1" "$2" "$2" "$3" | dm_ldif
	fi
}
value_there() {	# value_there DN ATTR VALUE: yes or no
	if dm_values "$1" "$2" | grep -Fxiq -- "$3"; then echo yes; else echo no; fi
}

# Try to replace an attribute with one value.
try_replace() {	# try_replace KIND DN ATTR VALUE
	printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n' "$2" "$3" "$3" "$4" |
		try_ldif "$1"
}

# Try to write a value (add or replace), then take the attribute away.
try_then_clear() {	# try_then_clear KIND DN add|replace ATTR VALUE
	printf 'dn: %s\nchangetype: modify\n%s: %s\n%s: %s\n' "$2" "$3" "$4" "$4" "$5" |
		try_ldif "$1"
	r=$?
	printf 'dn: %s\nchangetype: modify\ndelete: %s\n' "$2" "$4" | dm_ldif
	return $r
}

# Try to add a value the entry does not have (taken away first if it
# has), and put things back as they were.
try_add_value() {	# try_add_value KIND DN ATTR VALUE
	was=$(value_there "$2" "$3" "$4")
	restore_value "$2" "$3" "$4" no
	printf 'dn: %s\nchangetype: modify\nadd: %s\n%s: %s\n' "$2" "$3" "$3" "$4" |
		try_ldif "$1"
	r=$?
	restore_value "$2" "$3" "$4" no
	restore_value "$2" "$3" "$4" "$was"
	return $r
}

# Add (or, with delete, give the directory manager) a new account like
# DN: same roles, institutions, class; its DN is printed.
twin_ldif() {	# twin_ldif DN NEW-DN [full]
	uid=${2#uid=}
	uid=${uid%%,*}
	printf 'dn: %s\nchangetype: add\nobjectClass: inetOrgPerson\nobjectClass: uloginAccount\nuid: %s\ncn: Twin %s\nsn: Twin\n' "$2" "$uid" "$uid"
	dm_values "$1" uloginRole | sed 's/^/uloginRole: /'
	dm_values "$1" uloginInstitution | sed 's/^/uloginInstitution: /'
	if [ "${3:-}" = full ]; then
		dm_values "$1" uloginAdminOf | sed 's/^/uloginAdminOf: /'
	fi
}
twin_n=0
pw_n=0

# Try OP as KIND on the entry DN; 0 allowed, 1 refused, 2 other.
try_op() {	# try_op OP KIND DN
	op=$1 k=$2 dn=$3
	case $op in
	exists)
		as_kind "$k" ldapsearch -LLL -b "$dn" -s base '(objectClass=*)' 1.1 \
			>"$P" 2>&1
		case $? in
		0 | 50) return 0 ;;	# an answer that says it is there
		32) return 1 ;;
		*) return 2 ;;
		esac
		;;
	read-name) try_read "$k" "$dn" cn ;;
	read-school) try_read "$k" "$dn" uloginInstitution ;;
	read-contact) try_read "$k" "$dn" mail ;;
	read-state)
		# The state is read from both: each operator reads both or
		# neither (2: only one, which the expectations never are).
		try_read "$k" "$dn" pwdChangedTime
		state_rc=$?
		try_read "$k" "$dn" createTimestamp
		[ $? -eq $state_rc ] && return $state_rc
		return 2
		;;
	read-import) try_read "$k" "$dn" uloginExternalId ;;
	read-admin-right)
		# Every target holds the right for the time of the try.
		v=$(dm_values "$dn" uloginInstitution | head -n 1)
		was=$(value_there "$dn" uloginAdminOf "$v")
		restore_value "$dn" uloginAdminOf "$v" yes
		try_read "$k" "$dn" uloginAdminOf
		r=$?
		restore_value "$dn" uloginAdminOf "$v" "$was"
		return $r
		;;
	read-window) try_read "$k" "cn=stepup,$dn" cn ;;
	read-password) try_read "$k" "$dn" userPassword ;;
	read-history) try_read "$k" "$dn" pwdHistory ;;
	read-nid) try_read "$k" "$dn" uloginNationalIdHmac ;;
	read-log) try_log "$k" "$dn" '^reqType: ' ;;
	read-log-changes) try_log "$k" "$dn" '^reqMod: mail:= ' ;;
	read-log-secrets)
		try_log "$k" "$dn" '^reqMod:? (userPassword|pwdHistory|uloginNationalIdHmac)[;:]'
		;;
	write-name)
		try_replace "$k" "$dn" displayName "Matrix Name"
		;;
	write-contact)
		try_replace "$k" "$dn" mail "changed@matrix.example.org"
		;;
	write-grade)
		printf 'dn: %s\nchangetype: modify\nreplace: uloginGrade\nuloginGrade: 5\n-\nreplace: uloginLevel\nuloginLevel: mellemtrin\n' "$dn" | try_ldif "$k"
		;;
	unlock)
		printf 'dn: %s\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 20260101000000Z\n' "$dn" | dm_ldif
		printf 'dn: %s\nchangetype: modify\ndelete: pwdAccountLockedTime\npwdAccountLockedTime: 20260101000000Z\n' "$dn" | try_ldif "$k"
		r=$?
		printf 'dn: %s\nchangetype: modify\ndelete: pwdAccountLockedTime\n' "$dn" | dm_ldif
		return $r
		;;
	block-reason)
		printf 'dn: %s\nchangetype: modify\nreplace: uloginBlockReason\nuloginBlockReason: matrix\n-\nreplace: uloginBlockedAt\nuloginBlockedAt: 20260101000000Z\n' "$dn" | try_ldif "$k"
		;;
	prune-mark)
		try_then_clear "$k" "$dn" replace uloginPrunedAt 20260101000000Z
		;;
	blocked-by-other)
		try_replace "$k" "$dn" uloginBlockedBy "uid=lars0001,ou=people,$B"
		;;
	left) try_then_clear "$k" "$dn" replace uloginLeftAt 20260101000000Z ;;
	old-window)
		printf 'dn: %s\nchangetype: modify\nreplace: uloginStepUpUntil\nuloginStepUpUntil: 20991231000000Z\n-\nreplace: uloginResetBy\nuloginResetBy: uid=lars0001,ou=people,%s\n' "$dn" "$B" | try_ldif "$k"
		r=$?
		printf 'dn: %s\nchangetype: modify\ndelete: uloginStepUpUntil\n-\ndelete: uloginResetBy\n' "$dn" | dm_ldif
		return $r
		;;
	block) try_then_clear "$k" "$dn" add pwdAccountLockedTime 000001010000Z ;;
	must-change) try_then_clear "$k" "$dn" add pwdReset TRUE ;;
	policy-link)
		try_then_clear "$k" "$dn" replace pwdPolicySubentry \
			"cn=default,ou=policies,$B"
		;;
	policy-override)
		try_then_clear "$k" "$dn" replace uloginPolicyOverride default
		;;
	policy-elsewhere)
		try_then_clear "$k" "$dn" replace pwdPolicySubentry "$dn"
		;;
	check-module)
		printf 'dn: %s\nchangetype: modify\nadd: objectClass\nobjectClass: pwdPolicy\nobjectClass: pwdPolicyChecker\n-\nadd: pwdAttribute\npwdAttribute: userPassword\n-\nadd: pwdCheckModule\npwdCheckModule: /nonexistent/evil.so\n' "$dn" | try_ldif "$k"
		r=$?
		printf 'dn: %s\nchangetype: modify\ndelete: pwdCheckModule\n-\ndelete: pwdAttribute\n-\ndelete: objectClass\nobjectClass: pwdPolicyChecker\nobjectClass: pwdPolicy\n' "$dn" | dm_ldif
		return $r
		;;
	role-pupil) try_add_value "$k" "$dn" uloginRole parent ;;
	role-staff) try_add_value "$k" "$dn" uloginRole staff ;;
	role-support) try_add_value "$k" "$dn" uloginRole support ;;
	other-institution)
		try_add_value "$k" "$dn" uloginInstitution "$(other_inst "$dn")"
		;;
	admin-right)
		try_add_value "$k" "$dn" uloginAdminOf \
			"$(dm_values "$dn" uloginInstitution | head -n 1)"
		;;
	stepup)
		dm ldapdelete "cn=stepup,$dn"
		printf 'dn: cn=stepup,%s\nchangetype: add\nobjectClass: uloginStepUp\nobjectClass: dynamicObject\ncn: stepup\n' "$dn" | try_ldif "$k"
		r=$?
		if [ $r -eq 0 ]; then
			try_tool "$k" ldapexop refresh "cn=stepup,$dn" 7200
			[ $? -eq 0 ] || r=2	# added but not for 2 hours
		fi
		dm ldapdelete "cn=stepup,$dn"
		printf 'dn: cn=stepup,%s\nchangetype: add\nobjectClass: uloginStepUp\nobjectClass: dynamicObject\ncn: stepup\n' "$dn" | dm_ldif
		dm ldapexop refresh "cn=stepup,$dn" 86400
		return $r
		;;
	stepup-3h)
		try_tool "$k" ldapexop refresh "cn=stepup,$dn" 10800
		r=$?
		dm ldapexop refresh "cn=stepup,$dn" 86400
		return $r
		;;
	reset)
		dm ldapdelete "cn=reset,$dn"
		printf 'dn: cn=reset,%s\nchangetype: add\nobjectClass: uloginResetWindow\nobjectClass: dynamicObject\ncn: reset\n' "$dn" | try_ldif "$k"
		r=$?
		dm ldapdelete "cn=reset,$dn"
		return $r
		;;
	claim-window)
		dm ldapdelete "cn=reset,$dn"
		printf 'dn: cn=reset,%s\nchangetype: add\nobjectClass: uloginResetWindow\nobjectClass: dynamicObject\ncn: reset\n' "$dn" | dm_ldif
		printf 'dn: cn=reset,%s\nchangetype: modify\nadd: description\ndescription: claimed\n' "$dn" | try_ldif "$k"
		r=$?
		dm ldapdelete "cn=reset,$dn"
		return $r
		;;
	password | claim)
		uid=${dn#uid=}
		uid=${uid%%,*}
		if [ $op = claim ]; then
			printf 'dn: cn=reset,%s\nchangetype: add\nobjectClass: uloginResetWindow\nobjectClass: dynamicObject\ncn: reset\ndescription: claimed\n' "$dn" | dm_ldif
		fi
		pw_n=$((pw_n + 1))
		try_tool "$k" ldappasswd -s "Matrix-$uid-new$pw_n" "$dn"
		r=$?
		dm ldapdelete "cn=reset,$dn"
		dm ldappasswd -s "Matrix-$uid-two" "$dn"
		printf 'dn: %s\nchangetype: modify\ndelete: pwdReset\n' "$dn" | dm_ldif
		return $r
		;;
	add)
		twin_n=$((twin_n + 1))
		new="uid=twin$twin_n,ou=people,$B"
		twin_ldif "$dn" "$new" | try_ldif "$k"
		r=$?
		dm ldapdelete "$new"
		return $r
		;;
	delete)
		twin_n=$((twin_n + 1))
		new="uid=twin$twin_n,ou=people,$B"
		twin_ldif "$dn" "$new" full | dm_ldif
		ldap_exists "$new" || return 2
		try_tool "$k" ldapdelete "$new"
		r=$?
		dm ldapdelete "$new"
		return $r
		;;
	read-policy) try_read "$k" "$dn" pwdMaxAge ;;
	write-policy)
		try_replace "$k" "$dn" pwdMinLength "8"
		;;
	read-source) try_read "$k" "$dn" uloginSourceKind ;;
	write-source)
		try_replace "$k" "$dn" description "Example data loaded by ulogin-sandbox --example"
		;;
	read-class) try_read "$k" "$dn" member ;;
	write-class)
		try_add_value "$k" "$dn" member "uid=noah0001,ou=people,$B"
		;;
	read-institution) try_read "$k" "$dn" uloginCVR ;;
	write-institution)
		try_replace "$k" "$dn" description "Example school (fictitious)"
		;;
	read-config) try_read "$k" "$dn" olcSuffix ;;
	write-config)
		try_replace "$k" "$dn" olcDbMaxSize "10737418240"
		;;
	*) return 3 ;;
	esac
}

# ---- the matrix -----------------------------------------------------------

while read -r op target kind cell; do
	dn=$(target_dn "$kind" "$target")
	[ -n "$dn" ] || continue	# no entry of its own
	want=$(expected "$cell" "$kind" "$target")
	who="$kind ($(kind_field "$kind" 2)$([ "$kind" = local ] && [ "$local_mode" != peercred ] && echo ': cn=nobody stands in'))"
	try_op "$op" "$kind" "$dn"
	case $? in
	0) got=yes ;;
	1) got=no ;;
	3) ok 1 "$op: the test knows no way to try it"; continue ;;
	*)
		ok 1 "$who: $op on $target ($dn): unexpected answer"
		sed 's/^/#   /' "$P"
		continue
		;;
	esac
	if [ "$want" = yes ]; then w=allowed; else w=refused; fi
	if [ "$got" = "$want" ]; then
		ok 0 "$who: $op on $target is $w"
	else
		ok 1 "$who: $op on $target ($dn) should be $w"
		sed 's/^/#   /' "$P"
	fi
done <"$TEST_TMP/matrix"

done_testing

#!/bin/sh
# ulogin-class: institutions (list, show, add, modify), classes (list,
# show, create, delete) and their members (add, remove), as the directory
# manager, an institution administrator and a teacher; what slapd holds
# is checked with ldapsearch, and what the operator may not do is refused
# by the program (77) and by slapd for the same account's ldapmodify.
. "$top_srcdir/tests/lib.sh"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed (Debian package jq)"
sandbox_start --example
S=$_sandbox
B=$ULOGIN_BASE
values() {	# values DN ATTR: sorted, space-separated
	ldap_attr "$1" "$2" | sort | tr '\n' ' '
}

# ---- institutions -----------------------------------------------------------
as kirs0001
run 0 ulogin-class institution list -o tsv
stdout_is "number	name	cvr	address
280001	Bakkeskolen	29184621	Bakkevej 1, 8000 Aarhus C
280002	Fjordskolen	31572948	Fjordvej 12, 7100 Vejle" "institution list: number, name, CVR, address"
run 0 ulogin-class institution show 280001 -o json
is "$(jq -r '.name, .cvr, (.administrators | join(",")), .classes' "$OUT" | tr '\n' ' ')" \
	"Bakkeskolen 29184621 kirs0001 4 " "institution show: name, CVR, administrators, classes"
run 0 ulogin-class institution modify 280001 --address 'Bakkevej 3, 8000 Aarhus C'
is "$(ldap_attr "o=280001,ou=institutions,$B" postalAddress)" \
	'Bakkevej 3$8000 Aarhus C' "an administrator changes her school's address (postalAddress)"
run 77 ulogin-class institution modify 280002 --name Havskolen
stderr_has "not allowed" "but not another school's"
is "$(ldap_attr "o=280002,ou=institutions,$B" uloginInstitutionName)" Fjordskolen \
	"Fjordskolen keeps its name"
run 77 ulogin-class institution add 280003 --name Skovskolen --cvr 12345678
stderr_has "^hint: institutions are added by the directory manager$" \
	"an administrator cannot add an institution"
as_manager
run 0 ulogin-class institution add 280003 --name Skovskolen --cvr 12345678 \
	--address 'Skovvej 5, 8600 Silkeborg'
is "$(values "o=280003,ou=institutions,$B" objectClass)" \
	"uloginInstitutionEntry " "the directory manager adds one"
is "$(ldap_attr "o=280003,ou=institutions,$B" uloginCVR)" 12345678 "with its CVR"
run 65 ulogin-class institution add 280003 --name Skovskolen --cvr 12345678
stderr_has "institution '280003' exists already" "twice: exists already (65)"
run 64 ulogin-class institution add 280004 --name X --cvr 1234
stderr_has "'1234' is not a CVR number" "a CVR number is 8 digits"
run 64 ulogin-class institution add 28x --name X --cvr 12345678
stderr_has "'28x' is not an institution number" "an institution number is digits"
run 64 ulogin-class institution add 280004 --cvr 12345678
stderr_has "needs --name and --cvr" "add needs a name"
run 64 ulogin-class -H ldap://127.0.0.1:9 institution add 280004 --cvr 12345678
stderr_has "needs --name and --cvr" "said before connecting: no server needed for a usage error"
run 64 ulogin-class institution modify 280001
stderr_has "nothing to change" "modify needs something to change"
run 67 ulogin-class institution show 999999
stderr_has "cannot find institution '999999'" "an unknown institution (67)"
run 64 ulogin-class institution frob
stderr_has "unknown institution command 'frob'" "an unknown institution command"

# ---- classes: list and show -------------------------------------------------
as kirs0001
run 0 ulogin-class list -o tsv
is "$(cut -f1 "$OUT" | tr '\n' ' ')" \
	"class 280001-0a 280001-3a 280001-5b 280001-8a " \
	"an administrator lists the classes of her institution only"
stdout_has "^280001-5b	280001	5	Bakkeskolen, class 5b	6	lars0001,birg0001$" \
	"columns: class, institution, grade, title, students, teachers"
run 0 ulogin-class list --grade 8 -o tsv
is "$(cut -f1 "$OUT" | tr '\n' ' ')" "class 280001-8a " "--grade narrows the list"
run 0 ulogin-class show 280001-5b -o json
is "$(jq -r '[.[] | .role] | join(",")' "$OUT")" \
	"teacher,teacher,student,student,student,student,student,student" \
	"show: the teachers first, then the students"
is "$(jq -r '.[] | select(.username == "soer0002") | [.name, .grade, .level, .state] | join("/")' "$OUT")" \
	"Søren Knudsen/5/mellemtrin/active" "a student's name, grade, level and state"
stderr_has "^ulogin-class: class 280001-5b of institution 280001, grade 5 \(Bakkeskolen, class 5b\): 6 students, 2 teachers$" \
	"and a line about the class"
run 77 ulogin-class show 280002-1a
stderr_has "class '280002-1a' is not of an institution you administer \(280001\)" \
	"another school's class: 77"
run 67 ulogin-class show 280001-9z
stderr_has "cannot find class '280001-9z'" "an unknown class: 67"

as mett0001
run 0 ulogin-class list -o tsv
is "$(cut -f1 "$OUT" | tr '\n' ' ')" "class 280001-0a 280001-3a " \
	"a teacher lists the classes she teaches"
run 0 ulogin-class show 280001-0a -o tsv
stdout_has "^teacher	birg0001	+$" "her fellow teacher is named, though she may not read more of her"
stdout_has "^student	soer0001	Søren Nielsen	0	indskoling	active$" "and her students with their state"
run 77 ulogin-class show 280001-5b
stderr_has "you do not teach class '280001-5b' \(you teach 280001-0a, 280001-3a\)" \
	"a class she does not teach: 77, with the classes she does"
run 77 ulogin-class create 280001-7c --institution 280001 --grade 7
ok $? "a teacher cannot create a class"

# ---- create, add, remove, delete ---------------------------------------------
as kirs0001
run 0 ulogin-class create 280001-4c --institution 280001 --grade 4 --title 'Bakkeskolen, class 4c'
is "$(values "$(class 280001-4c)" objectClass)" "uloginClass " "the class is made"
is "$(ldap_attr "$(class 280001-4c)" uloginClassName)" 4c "with its short name"
run 65 ulogin-class create 280001-4c --institution 280001 --grade 4
stderr_has "class '280001-4c' exists already" "twice: 65"
run 64 ulogin-class create 4c --institution 280001 --grade 4
stderr_has "a class of institution 280001 is named 280001-CLASS" "the name carries the institution"
run 64 ulogin-class create 280001-4d --institution 280001 --grade 11
stderr_has "unknown grade '11'" "a bad grade"
run 64 ulogin-class create 280001-4d --grade 4
stderr_has "needs --institution and --grade" "create needs both"
run 77 ulogin-class create 280002-4c --institution 280002 --grade 4
stderr_has "class '280002-4c' is not of an institution you administer" "not in another school"
ldap_exists "$(class 280002-4c)"
ok $((! $?)) "nothing was made there"

run 0 ulogin-class add 280001-4c noah0001 clar0001
is "$(values "$(class 280001-4c)" member)" \
	"uid=clar0001,ou=people,$B uid=noah0001,ou=people,$B " "two students added"
is "$(values "$(people noah0001)" memberOf)" \
	"cn=280001-4c,ou=classes,$B cn=280001-8a,ou=classes,$B " \
	"slapd keeps memberOf on the student"
run 0 ulogin-class add 280001-4c mett0001 --teacher
is "$(ldap_attr "$(class 280001-4c)" uloginTeacher)" "$(people mett0001)" "a teacher added"
run 0 ulogin-class add 280001-4c noah0001
stderr_has "'noah0001' is in class '280001-4c' already" "adding again is no error"
run 65 ulogin-class add 280001-4c lars0001
stderr_has "'lars0001' is not a student" "a teacher is not added as a student"
run 65 ulogin-class add 280001-4c soer0001 --teacher
stderr_has "'soer0001' is not a teacher or other staff" "a student is not added as a teacher"
run 77 ulogin-class add 280001-4c ella0001
stderr_has "user 'ella0001' is not of an institution you administer" "another school's student: 77"
is "$(values "$(class 280001-4c)" member | wc -w)" 2 "the class is unchanged"

# Now mett0001 teaches noah0001 through 4c: her rights follow at once.
as mett0001
run 1 ulogin-stepup check noah0001
stdout_has "^stepped_up	no$" \
	"mett0001 now sees noah0001, a student of a class she teaches (exit 1: not stepped up, not 77)"
as kirs0001

# The same administrator with OpenLDAP's own tools: another school's
# student, or a member of her class moved to another school.
printf 'dn: %s\nchangetype: modify\nadd: member\nmember: %s\n' \
	"$(class 280001-4c)" "$(people ella0001)" >"$TEST_TMP/m.ldif"
run 50 ldapmodify_as kirs0001 "$TEST_TMP/m.ldif"
stderr_has 'Insufficient access' "slapd refuses another school's student in her class"
printf 'dn: %s\nchangetype: modify\nreplace: uloginInstitution\nuloginInstitution: 280002\n' \
	"$(class 280001-4c)" >"$TEST_TMP/i.ldif"
run 50 ldapmodify_as kirs0001 "$TEST_TMP/i.ldif"
stderr_has 'Insufficient access' "slapd refuses moving her class to another school"

run 0 ulogin-class remove 280001-4c clar0001 mett0001 ella0001
stderr_has "'ella0001' is not in class '280001-4c'" "removing someone not there is said"
is "$(values "$(class 280001-4c)" member)" "uid=noah0001,ou=people,$B " "clar0001 is out"
is "$(ldap_attr "$(class 280001-4c)" uloginTeacher)" "" "and the teacher"
run 64 ulogin-class delete 280001-4c
stderr_has "refusing to go on without confirmation" "delete off a terminal needs --yes"
ldap_exists "$(class 280001-4c)"
ok $? "so the class is still there"
run 0 ulogin-class delete 280001-4c -n
stdout_has "^changetype: delete$" "-n prints the delete"
run 0 ulogin-class delete 280001-4c --yes
ldap_exists "$(class 280001-4c)"
ok $((! $?)) "delete --yes deletes the class"
is "$(values "$(people noah0001)" memberOf)" "cn=280001-8a,ou=classes,$B " \
	"and slapd takes it out of the students' memberOf"
run 67 ulogin-class delete 280001-4c --yes
stderr_has "cannot find class" "deleting it again: 67"

# ---- audit ------------------------------------------------------------------
is "$(jq -r 'select(.action == "class.create" and .operator == "'"$(people kirs0001)"'") | .result' "$AUDIT_LOG" | head -n 1)" \
	ok "the audit trail names the administrator"

done_testing

/*
 * slapd-txn URI BIND-DN PASSWORD-FILE PARENT-DN COUNT BATCH PAUSE-US
 *
 * Add COUNT entries (cn=txn-PID-I, objectClass device) below PARENT-DN in
 * LDAP transactions (RFC 5805) of BATCH changes, waiting for each change's
 * answer, then PAUSE-US microseconds, before ending a transaction.  BATCH 0:
 * no transactions.  Used by slapd-txn.sh to show how slapd 2.5 behaves
 * when a transaction ends right after its last change; not part of ulogin.
 * Exit 0 when every entry was added, 1 at the first failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ldap.h>

static int
fail(const char *what, int rc, long i)
{
	fprintf(stderr, "slapd-txn: %s (entry %ld): %s\n", what, i,
		ldap_err2string(rc));
	return 1;
}

static long
number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0) {
		fprintf(stderr, "slapd-txn: '%s' is not a number\n", s);
		exit(64);
	}
	return v;
}

static int
add(LDAP *ld, const char *parent, long i, LDAPControl **ctrls)
{
	char cn[64], dn[512];
	char *classes[] = { "device", NULL }, *cns[] = { cn, NULL };
	LDAPMod oc = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = classes } };
	LDAPMod name = { LDAP_MOD_ADD, "cn", { .modv_strvals = cns } };
	LDAPMod *mods[] = { &oc, &name, NULL };

	snprintf(cn, sizeof(cn), "txn-%ld-%ld", (long)getpid(), i);
	snprintf(dn, sizeof(dn), "cn=%s,%s", cn, parent);
	return ldap_add_ext_s(ld, dn, mods, ctrls, NULL);
}

int
main(int argc, char **argv)
{
	char pw[256] = "";
	struct berval cred;
	LDAP *ld;
	FILE *f;
	long count, batch, pause_us;
	int version = LDAP_VERSION3, rc;

	if (argc != 8) {
		fprintf(stderr, "usage: slapd-txn URI BIND-DN PASSWORD-FILE "
			"PARENT-DN COUNT BATCH PAUSE-US\n");
		return 64;
	}
	count = number(argv[5]);
	batch = number(argv[6]);
	pause_us = number(argv[7]);
	if (!(f = fopen(argv[3], "r")) || !fgets(pw, sizeof(pw), f)) {
		fprintf(stderr, "slapd-txn: cannot read %s\n", argv[3]);
		return 66;
	}
	fclose(f);
	pw[strcspn(pw, "\n")] = '\0';
	cred.bv_val = pw;
	cred.bv_len = strlen(pw);
	if ((rc = ldap_initialize(&ld, argv[1])) != LDAP_SUCCESS)
		return fail("connect", rc, 0);
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	rc = ldap_sasl_bind_s(ld, argv[2], LDAP_SASL_SIMPLE, &cred, NULL, NULL,
			      NULL);
	if (rc != LDAP_SUCCESS)
		return fail("bind", rc, 0);
	for (long i = 0; i < count;) {
		struct berval *id = NULL;
		LDAPControl *spec = NULL, *ctrls[2] = { NULL, NULL };
		int failed = 0;

		if (!batch) {
			if ((rc = add(ld, argv[4], i++, NULL)) != LDAP_SUCCESS)
				return fail("add", rc, i - 1);
			continue;
		}
		if ((rc = ldap_txn_start_s(ld, NULL, NULL, &id)) != LDAP_SUCCESS)
			return fail("start transaction", rc, i);
		rc = ldap_control_create(LDAP_CONTROL_TXN_SPEC, 1, id, 1, &spec);
		if (rc != LDAP_SUCCESS)
			return fail("control", rc, i);
		ctrls[0] = spec;
		for (long k = 0; k < batch && i < count; k++, i++)
			if ((rc = add(ld, argv[4], i, ctrls)) != LDAP_SUCCESS)
				return fail("add", rc, i);
		if (pause_us)
			nanosleep(&(struct timespec){ pause_us / 1000000,
						     pause_us % 1000000 * 1000 },
				  NULL);
		rc = ldap_txn_end_s(ld, 1, id, NULL, NULL, &failed);
		if (rc != LDAP_SUCCESS)
			return fail("end transaction", rc, i);
		ber_bvfree(id);
		ldap_control_free(spec);
	}
	ldap_unbind_ext_s(ld, NULL, NULL);
	return 0;
}

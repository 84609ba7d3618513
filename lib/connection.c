#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ldap.h>
#include <openssl/crypto.h>
#include <ldif.h>
#include <sasl/sasl.h>

#include "audit.h"
#include "connection.h"
#include "dn.h"
#include "exitcodes.h"
#include "inert.h"
#include "prompt.h"
#include "banned.h"

#define PAGE_SIZE 1000

struct ulogin_conn {
	LDAP *ld;
	const struct ulogin_config *cfg;
	char *operator_dn;
	struct ulogin_audit *audit;
	char *diag;		/* the server's text for the last failure */
	int audit_failed;	/* a change went unaudited: make no more */
	char *matched;
};

/* ---- entries -------------------------------------------------------- */

const struct strv *
ulogin_entry_values(const struct ulogin_entry *e, const char *attr)
{
	for (size_t i = 0; i < e->nattrs; i++)
		if (strcasecmp(e->attrs[i].name, attr) == 0)
			return &e->attrs[i].values;
	return NULL;
}

const char *
ulogin_entry_get(const struct ulogin_entry *e, const char *attr)
{
	const struct strv *v = ulogin_entry_values(e, attr);

	return v && v->n ? v->v[0] : NULL;
}

int
ulogin_entry_has_value(const struct ulogin_entry *e, const char *attr,
		       const char *value)
{
	const struct strv *v = ulogin_entry_values(e, attr);

	for (size_t i = 0; v && i < v->n; i++)
		if (strcasecmp(v->v[i], value) == 0)
			return 1;
	return 0;
}

void
ulogin_entry_free(struct ulogin_entry *e)
{
	for (size_t i = 0; i < e->nattrs; i++) {
		free(e->attrs[i].name);
		strv_free(&e->attrs[i].values);
	}
	free(e->attrs);
	free(e->dn);
	memset(e, 0, sizeof(*e));
}

/*
 * The entry a search hands its callback: its DN, names and values where
 * they are, in the message (liblber ends each with a NUL in place, over
 * the tag after it, which it keeps), with the lists in buffers kept from
 * one entry to the next.  The callback only reads it, and copies what it
 * keeps.  ldap_get_attribute_ber() would allocate an array for every
 * attribute, and a copy of every value made three million allocations
 * and frees for a 100k-user read.
 */
struct entry_buf {
	struct ulogin_attr *attrs;
	char **values;		/* every attribute's, each list NULL-ended */
	size_t nattrs, nvalues;	/* allocated */
};

static void *
grow_to(void *p, size_t *have, size_t want, size_t size)
{
	if (want <= *have)
		return p;
	*have = want > 2 * *have ? want : 2 * *have;
	return xreallocarray(p, *have, size);
}

static void
entry_decode(LDAP *ld, LDAPMessage *msg, struct entry_buf *b,
	     struct ulogin_entry *e)
{
	static char none[1];
	BerElement *ber = NULL;
	struct berval dn;
	ber_len_t len;
	size_t nattrs = 0, nvalues = 0;

	memset(e, 0, sizeof(*e));
	e->dn = none;
	if (ldap_get_dn_ber(ld, msg, &ber, &dn) != LDAP_SUCCESS) {
		ber_free(ber, 0);
		return;
	}
	e->dn = dn.bv_val ? dn.bv_val : none;
	/* Each attribute: SEQUENCE { type, SET OF value }, to the end. */
	while (ber_peek_tag(ber, &len) != LBER_DEFAULT) {
		struct ulogin_attr *at;
		struct berval name, v;
		ber_tag_t tag;
		char *last;

		if (ber_skip_tag(ber, &len) == LBER_DEFAULT ||
		    ber_get_stringbv(ber, &name, 0) == LBER_DEFAULT)
			break;
		b->attrs = grow_to(b->attrs, &b->nattrs, nattrs + 1,
				   sizeof(*b->attrs));
		at = &b->attrs[nattrs++];
		at->name = name.bv_val;
		at->values.n = 0;
		at->values.alloc = nvalues;	/* where its list starts */
		for (tag = ber_first_element(ber, &len, &last);
		     tag != LBER_DEFAULT; tag = ber_next_element(ber, &len, last)) {
			if (ber_get_stringbv(ber, &v, 0) == LBER_DEFAULT)
				break;
			b->values = grow_to(b->values, &b->nvalues,
					    nvalues + 2, sizeof(*b->values));
			b->values[nvalues++] = v.bv_val;
			at->values.n++;
		}
		b->values = grow_to(b->values, &b->nvalues, nvalues + 1,
				    sizeof(*b->values));
		b->values[nvalues++] = NULL;
	}
	ber_free(ber, 0);
	/* The lists are where they are now the buffer has stopped growing. */
	for (size_t k = 0; k < nattrs; k++) {
		struct ulogin_attr *at = &b->attrs[k];

		at->values.v = &b->values[at->values.alloc];
		at->values.alloc = at->values.n + 1;
	}
	e->attrs = b->attrs;
	e->nattrs = nattrs;
}

static void
entry_buf_free(struct entry_buf *b)
{
	free(b->attrs);
	free(b->values);
}

/* ---- result codes in words ------------------------------------------ */

static const struct {
	int rc;
	int exit;
	const char *words;
} ldap_words[] = {
	{ LDAP_SUCCESS, ULOGIN_EX_OK, "done" },
	{ ULOGIN_LDAP_AUDIT_FAILED, ULOGIN_EX_CANTCREAT,
	  "the audit log cannot be written, so nothing more is changed" },
	{ LDAP_SERVER_DOWN, ULOGIN_EX_UNAVAILABLE,
	  "cannot reach the directory server" },
	{ LDAP_CONNECT_ERROR, ULOGIN_EX_UNAVAILABLE,
	  "cannot connect to the directory server" },
	{ LDAP_TIMEOUT, ULOGIN_EX_UNAVAILABLE,
	  "the directory server did not answer in time" },
	{ LDAP_UNAVAILABLE, ULOGIN_EX_UNAVAILABLE,
	  "the directory server is not available" },
	{ LDAP_PROTOCOL_ERROR, ULOGIN_EX_SOFTWARE,
	  "the directory server did not understand the request" },
	{ LDAP_BUSY, ULOGIN_EX_TEMPFAIL,
	  "the directory server is busy; try again later" },
	{ LDAP_TIMELIMIT_EXCEEDED, ULOGIN_EX_TEMPFAIL,
	  "the directory server ran out of time; try again later" },
	{ LDAP_ADMINLIMIT_EXCEEDED, ULOGIN_EX_SOFTWARE,
	  "the directory server's limits were reached" },
	{ LDAP_SIZELIMIT_EXCEEDED, ULOGIN_EX_SOFTWARE,
	  "the directory server's size limit was reached" },
	{ LDAP_INVALID_CREDENTIALS, ULOGIN_EX_NOPERM,
	  "wrong bind DN or password" },
	{ LDAP_INAPPROPRIATE_AUTH, ULOGIN_EX_NOPERM,
	  "this account cannot log in with a password" },
	{ LDAP_INSUFFICIENT_ACCESS, ULOGIN_EX_NOPERM,
	  "you are not allowed to do this" },
	{ LDAP_STRONG_AUTH_REQUIRED, ULOGIN_EX_NOPERM,
	  "the directory server requires a stronger login" },
	{ LDAP_CONFIDENTIALITY_REQUIRED, ULOGIN_EX_NOPERM,
	  "the directory server requires an encrypted connection" },
	{ LDAP_UNWILLING_TO_PERFORM, ULOGIN_EX_NOPERM,
	  "the directory server refused to do this" },
	{ LDAP_AUTH_UNKNOWN, ULOGIN_EX_CONFIG,
	  "the login method is not supported" },
	{ LDAP_NO_SUCH_OBJECT, ULOGIN_EX_NOUSER, "it does not exist" },
	{ LDAP_ALREADY_EXISTS, ULOGIN_EX_DATAERR, "it already exists" },
	{ LDAP_CONSTRAINT_VIOLATION, ULOGIN_EX_DATAERR,
	  "a value breaks a rule of the directory" },
	{ LDAP_INVALID_SYNTAX, ULOGIN_EX_DATAERR,
	  "a value has the wrong form" },
	{ LDAP_TYPE_OR_VALUE_EXISTS, ULOGIN_EX_DATAERR,
	  "the value is already there" },
	{ LDAP_NO_SUCH_ATTRIBUTE, ULOGIN_EX_DATAERR,
	  "the value is not there" },
	{ LDAP_OBJECT_CLASS_VIOLATION, ULOGIN_EX_DATAERR,
	  "the entry would lack a required value or have one it may not" },
	{ LDAP_NAMING_VIOLATION, ULOGIN_EX_DATAERR,
	  "the name is not allowed there" },
	{ LDAP_INVALID_DN_SYNTAX, ULOGIN_EX_DATAERR,
	  "the name is not a valid DN" },
	{ LDAP_NOT_ALLOWED_ON_NONLEAF, ULOGIN_EX_DATAERR,
	  "it still has entries below it" },
	{ LDAP_UNDEFINED_TYPE, ULOGIN_EX_CONFIG,
	  "the directory does not know an attribute; is the ulogin "
	  "schema loaded?" },
	{ LDAP_FILTER_ERROR, ULOGIN_EX_SOFTWARE, "bad search filter" },
	{ LDAP_NO_MEMORY, ULOGIN_EX_SOFTWARE, "out of memory" },
	{ LDAP_LOCAL_ERROR, ULOGIN_EX_SOFTWARE, "local error" },
	{ LDAP_PARAM_ERROR, ULOGIN_EX_SOFTWARE, "bad parameter" },
};

static int
find_words(int rc)
{
	for (size_t i = 0; i < sizeof(ldap_words) / sizeof(*ldap_words); i++)
		if (ldap_words[i].rc == rc)
			return (int)i;
	return -1;
}

int
ulogin_ldap_exit_code(int rc)
{
	int i = find_words(rc);

	return i < 0 ? ULOGIN_EX_SOFTWARE : ldap_words[i].exit;
}

const char *
ulogin_ldap_words(int rc)
{
	int i = find_words(rc);

	return i < 0 ? ldap_err2string(rc) : ldap_words[i].words;
}

static const char *
hint_for(int rc)
{
	switch (rc) {
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
		return "check the server address (-H, 'uri' in the config) "
		       "and that the server is running";
	case LDAP_INVALID_CREDENTIALS:
		return "check the bind DN (-D) and the password file (-y), "
		       "or use -W to type the password";
	case LDAP_INSUFFICIENT_ACCESS:
		return "the account you logged in as may not do this here; "
		       "log in (-D) as one that may, or ask whoever runs the "
		       "directory";
	case LDAP_CONFIDENTIALITY_REQUIRED:
	case LDAP_STRONG_AUTH_REQUIRED:
		return "use StartTLS (-Z) or an ldaps:// address";
	default:
		return NULL;
	}
}

static void
forget_diagnostics(struct ulogin_conn *c)
{
	free(c->diag);
	c->diag = NULL;
}

static void
remember_diagnostics(struct ulogin_conn *c)
{
	char *diag = NULL;

	free(c->diag);
	c->diag = NULL;
	if (ldap_get_option(c->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag) ==
	    LDAP_OPT_SUCCESS && diag && *diag)
		c->diag = xstrdup(diag);
	ldap_memfree(diag);
}

/* A connection that failed leaves a change's outcome unknown: it may
 * have been made. */
bool
ulogin_ldap_outcome_unknown(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR ||
	       rc == LDAP_TIMEOUT || rc == LDAP_UNAVAILABLE ||
	       rc == LDAP_BUSY || rc == LDAP_LOCAL_ERROR;
}

int
ulogin_ldap_error(struct ulogin_conn *c, int rc, const char *fmt, ...)
{
	const char *hint = hint_for(rc);
	va_list ap;
	char *what;

	/* ppolicy: the account we logged in as must change its password. */
	if (c && c->diag && strstr(c->diag, "modify password"))
		hint = "the account you logged in as must change its own "
		       "password first: 'ulogin-user passwd' (or "
		       "ldappasswd -S)";
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (c && c->diag)
		ulogin_error("%s: %s (server says: %s)", what,
			     ulogin_ldap_words(rc), c->diag);
	else
		ulogin_error("%s: %s", what, ulogin_ldap_words(rc));
	if (hint)
		ulogin_hint("%s", hint);
	free(what);
	return ulogin_ldap_exit_code(rc);
}

/* ---- connecting ------------------------------------------------------ */

const char *
ulogin_conn_base(const struct ulogin_conn *c)
{
	return c->cfg->base;
}

const char *
ulogin_conn_operator(const struct ulogin_conn *c)
{
	return c->operator_dn;
}

const struct ulogin_config *
ulogin_conn_config(const struct ulogin_conn *c)
{
	return c->cfg;
}

/* This machine: "localhost", 127.0.0.0/8 or ::1 as numbers, nothing that
 * merely looks like them ("127.evil.example" is a remote host). */
static int
is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!host || !*host || strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

int
ulogin_uri_needs_starttls(const char *uris, int *ldapi)
{
	char *list = xstrdup(uris), *save = NULL;
	int need = 0, n = 0;

	*ldapi = 0;
	for (char *u = strtok_r(list, " \t,", &save); u;
	     u = strtok_r(NULL, " \t,", &save)) {
		LDAPURLDesc *lud = NULL;

		if (ldap_url_parse(u, &lud) != LDAP_URL_SUCCESS) {
			free(list);
			return -1;
		}
		n++;
		if (strcasecmp(lud->lud_scheme, "ldap") == 0 &&
		    !is_loopback(lud->lud_host))
			need = 1;
		else if (strcasecmp(lud->lud_scheme, "ldapi") == 0)
			*ldapi = 1;
		ldap_free_urldesc(lud);
	}
	free(list);
	return n ? need : -1;
}

static int
sasl_quiet(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *i = in;

	for (; i && i->id != SASL_CB_LIST_END; i++) {
		i->result = i->defresult ? i->defresult : "";
		i->len = (unsigned)strlen(i->result);
	}
	return LDAP_SUCCESS;
}

static int
set_options(struct ulogin_conn *c)
{
	const struct ulogin_config *cfg = c->cfg;
	struct timeval tv = { cfg->timeout, 0 };
	int version = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;

	ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &tv);
	/* A signal the program catches (ulogin-import stops on one) must
	 * not look like a lost server while waiting for an answer. */
	ldap_set_option(c->ld, LDAP_OPT_RESTART, LDAP_OPT_ON);
	/* Certificates are always verified, whatever ldap.conf says. */
	ldap_set_option(c->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
	if (cfg->tls_ca_file)
		ldap_set_option(c->ld, LDAP_OPT_X_TLS_CACERTFILE,
				cfg->tls_ca_file);
	if (ldap_set_option(c->ld, LDAP_OPT_X_TLS_NEWCTX, &zero) !=
	    LDAP_OPT_SUCCESS) {
		ulogin_error("cannot set up TLS");
		ulogin_hint("check 'tls_ca_file' in the config and TLS_* in "
			    "ldap.conf");
		return ULOGIN_EX_CONFIG;
	}
	return 0;
}

static int
simple_bind(struct ulogin_conn *c)
{
	const struct ulogin_config *cfg = c->cfg;
	char *password = NULL;
	struct berval cred;
	int rc;

	/* -W is a flag, so it wins over a password file from the
	 * environment or a config file. */
	if (cfg->password_file && !cfg->ask_password) {
		if ((rc = ulogin_read_password_file(cfg->password_file,
						    &password)))
			return rc;
	} else if (cfg->ask_password || ulogin_interactive()) {
		char *prompt = xasprintf("Password for %s: ", cfg->bind_dn);

		password = ulogin_prompt_secret(prompt);
		free(prompt);
		if (!password && errno == ECANCELED) {
			ulogin_error("no password entered: the input ended "
				     "before Enter");
			return ULOGIN_EX_NOINPUT;
		}
		if (!password) {
			ulogin_error("cannot ask for the password: "
				     "no terminal");
			ulogin_hint("use -y FILE with a file readable only "
				    "by you");
			return ULOGIN_EX_CONFIG;
		}
	} else {
		ulogin_error("no password for '%s'", cfg->bind_dn);
		ulogin_hint("use -y FILE (a file readable only by you), -W "
			    "to type it, or 'password_file' in the config");
		return ULOGIN_EX_CONFIG;
	}
	if (!*password) {
		/* An empty password would be an unauthenticated bind. */
		ulogin_secret_free(password);
		ulogin_error("the password for '%s' is empty", cfg->bind_dn);
		return ULOGIN_EX_CONFIG;
	}
	cred.bv_val = password;
	cred.bv_len = strlen(password);
	rc = ldap_sasl_bind_s(c->ld, cfg->bind_dn, LDAP_SASL_SIMPLE, &cred,
			      NULL, NULL, NULL);
	ulogin_secret_free(password);
	if (rc != LDAP_SUCCESS) {
		remember_diagnostics(c);
		return ulogin_ldap_error(c, rc, "cannot log in as '%s'",
					 cfg->bind_dn);
	}
	c->operator_dn = xstrdup(cfg->bind_dn);
	return 0;
}

static int
sasl_bind(struct ulogin_conn *c, const char *mech)
{
	struct berval *authzid = NULL;
	int rc;

	rc = ldap_sasl_interactive_bind_s(c->ld, NULL, mech, NULL, NULL,
					  LDAP_SASL_QUIET, sasl_quiet, NULL);
	if (rc != LDAP_SUCCESS) {
		remember_diagnostics(c);
		return ulogin_ldap_error(c, rc, "cannot log in with SASL %s",
					 mech);
	}
	if (ldap_whoami_s(c->ld, &authzid, NULL, NULL) == LDAP_SUCCESS &&
	    authzid && authzid->bv_len > 3 &&
	    strncmp(authzid->bv_val, "dn:", 3) == 0)
		c->operator_dn = xstrndup(authzid->bv_val + 3,
					  authzid->bv_len - 3);
	else
		c->operator_dn = xasprintf("sasl:%s", mech);
	ber_bvfree(authzid);
	return 0;
}

/*
 * libldap reads a TCP connection one message at a time, a few bytes of
 * header and then the rest, with a poll() before each: three system calls
 * for every entry a search returns, most of the time a 100k-user read
 * spent in the kernel.  liblber's read-ahead layer (which libldap itself
 * puts under UDP only) takes whatever has arrived in one read, and libldap
 * does not poll while it holds a whole message.  Below TLS and SASL, which
 * sit above the provider level.
 */
static void
read_ahead(struct ulogin_conn *c)
{
	Sockbuf *sb = NULL;
	int size = 65536;

	if (ldap_get_option(c->ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS &&
	    sb && !ber_sockbuf_ctrl(sb, LBER_SB_OPT_HAS_IO,
				    &ber_sockbuf_io_readahead))
		ber_sockbuf_add_io(sb, &ber_sockbuf_io_readahead,
				   LBER_SBIOD_LEVEL_PROVIDER, &size);
}

int
ulogin_connect(const struct ulogin_config *cfg, struct ulogin_conn **out)
{
	struct ulogin_conn *c;
	int rc, ldapi, tls;

	if (!cfg->uri) {
		ulogin_error("no directory server configured");
		ulogin_hint("give one with -H ldap://HOST, 'uri' in the "
			    "config, or URI in ldap.conf");
		return ULOGIN_EX_CONFIG;
	}
	if (!cfg->base) {
		ulogin_error("no base DN configured");
		ulogin_hint("give one with -b, 'base' in the config, or BASE "
			    "in ldap.conf");
		return ULOGIN_EX_CONFIG;
	}
	{
		LDAPDN dn = NULL;

		if (ldap_str2dn(cfg->base, &dn, LDAP_DN_FORMAT_LDAPV3) !=
		    LDAP_SUCCESS || !dn) {
			ulogin_error("base DN '%s' is not a valid DN",
				     cfg->base);
			ulogin_hint("e.g. -b dc=kommune,dc=example");
			return ULOGIN_EX_CONFIG;
		}
		ldap_dnfree(dn);
	}
	if ((tls = ulogin_uri_needs_starttls(cfg->uri, &ldapi)) < 0) {
		ulogin_error("cannot use server address '%s'", cfg->uri);
		ulogin_hint("use ldap://HOST, ldaps://HOST or ldapi://PATH, "
			    "several separated by spaces");
		return ULOGIN_EX_CONFIG;
	}
	c = xcalloc(1, sizeof(*c));
	c->cfg = cfg;
	if (ldap_initialize(&c->ld, cfg->uri) != LDAP_SUCCESS) {
		free(c);
		ulogin_error("cannot use server address '%s'", cfg->uri);
		return ULOGIN_EX_CONFIG;
	}
	if ((rc = set_options(c)))
		goto fail;
	/* Connect now, so an unreachable server is reported as such. */
	if ((rc = ldap_connect(c->ld)) != LDAP_SUCCESS) {
		remember_diagnostics(c);
		rc = ulogin_ldap_error(c, rc, "cannot connect to '%s'",
				       cfg->uri);
		goto fail;
	}
	if (tls || cfg->starttls == ULOGIN_YES) {
		ulogin_debug("starting TLS");
		rc = ldap_start_tls_s(c->ld, NULL, NULL);
		if (rc == LDAP_PROTOCOL_ERROR) {
			ulogin_error("cannot start TLS with '%s': the server "
				     "does not offer StartTLS", cfg->uri);
			rc = ULOGIN_EX_UNAVAILABLE;
		} else if (rc != LDAP_SUCCESS) {
			remember_diagnostics(c);
			rc = ulogin_ldap_error(c, rc, "cannot start TLS with "
					       "'%s'", cfg->uri);
		}
		if (rc) {
			if (tls)
				ulogin_hint("a plain ldap:// address of another"
					    " host is only used with TLS; use "
					    "ldaps:// or a server with "
					    "StartTLS and a valid certificate");
			goto fail;
		}
	}
	if (cfg->bind_dn)
		rc = simple_bind(c);
	else if (cfg->sasl_mech || ldapi)
		rc = sasl_bind(c, cfg->sasl_mech ? cfg->sasl_mech
						 : "EXTERNAL");
	else {
		ulogin_error("no bind DN configured for '%s'", cfg->uri);
		ulogin_hint("give one with -D DN and -y FILE (or 'bind_dn' and "
			    "'password_file' in the config), or use ldapi:// "
			    "or -Y MECH for SASL");
		rc = ULOGIN_EX_CONFIG;
	}
	if (rc)
		goto fail;
	read_ahead(c);
	ulogin_debug("connected to %s as %s", cfg->uri, c->operator_dn);
	*out = c;
	return 0;
fail:
	ulogin_disconnect(c);
	return rc;
}

struct ulogin_conn *
ulogin_connect_again(const struct ulogin_config *cfg)
{
	struct ulogin_conn *again = NULL;

	for (int tries = 0; tries < 3 && !again; tries++) {
		if (tries)
			sleep(2);
		if (ulogin_connect(cfg, &again))
			again = NULL;
	}
	return again;
}

void
ulogin_disconnect(struct ulogin_conn *c)
{
	if (!c)
		return;
	if (c->ld)
		ldap_unbind_ext_s(c->ld, NULL, NULL);
	ulogin_audit_close(c->audit);
	free(c->operator_dn);
	free(c->diag);
	free(c->matched);
	free(c);
}

/* ---- searching ------------------------------------------------------- */

static int
scope_of(enum ulogin_scope s)
{
	return s == ULOGIN_SCOPE_BASE ? LDAP_SCOPE_BASE
	     : s == ULOGIN_SCOPE_ONE ? LDAP_SCOPE_ONELEVEL
				     : LDAP_SCOPE_SUBTREE;
}

/* The state of one query while a batch runs. */
struct pending {
	struct ulogin_query *q;
	int msgid;		/* -1 when finished */
	struct berval *cookie;	/* of the next page */
	int stopped;
};

/* Ask for the next page of a query. */
static int
send_page(struct ulogin_conn *c, struct pending *p)
{
	LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL };
	int rc;

	forget_diagnostics(c);
	/*
	 * slapd keeps one paged-results state per connection, so only
	 * searches that can return many entries page; a base read (at most
	 * one entry) must not disturb a paged search in progress.
	 */
	if (p->q->scope != ULOGIN_SCOPE_BASE) {
		rc = ldap_create_page_control(c->ld, PAGE_SIZE, p->cookie, 0,
					      &page);
		if (rc != LDAP_SUCCESS)
			return rc;
		ctrls[0] = page;
	}
	ulogin_debug("search %s (%s)", p->q->base, p->q->filter);
	rc = ldap_search_ext(c->ld, p->q->base, scope_of(p->q->scope),
			     p->q->filter, (char **)p->q->attrs, 0, ctrls,
			     NULL, NULL, 0, &p->msgid);
	ldap_control_free(page);
	ber_bvfree(p->cookie);
	p->cookie = NULL;
	return rc;
}

/* The code of a page's result, and the cookie of the next page if the
 * server gave one (a copy, in *cookie). */
static int
page_result(struct ulogin_conn *c, LDAPMessage *res, struct berval **cookie)
{
	LDAPControl **sctrls = NULL, *resp;
	int rc, err = LDAP_OTHER;

	*cookie = NULL;
	rc = ldap_parse_result(c->ld, res, &err, NULL, NULL, NULL, &sctrls, 0);
	if (rc == LDAP_SUCCESS)
		rc = err;
	resp = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, sctrls, NULL);
	if (rc == LDAP_SUCCESS && resp) {
		struct berval next = { 0, NULL };
		ber_int_t count;

		if (ldap_parse_pageresponse_control(c->ld, resp, &count,
						    &next) == LDAP_SUCCESS &&
		    next.bv_len)
			*cookie = ber_bvdup(&next);
		ber_memfree(next.bv_val);
	}
	ldap_controls_free(sctrls);
	return rc;
}

/* A query's final result (or the end of one page of it). */
static int
page_done(struct ulogin_conn *c, struct pending *p, LDAPMessage *res)
{
	int rc = page_result(c, res, &p->cookie);

	p->msgid = -1;
	if (rc != LDAP_SUCCESS) {
		remember_diagnostics(c);
		p->q->rc = rc;
		return 0;
	}
	if (p->cookie && !p->stopped)
		return (p->q->rc = send_page(c, p)) == LDAP_SUCCESS ? 1 : 0;
	p->q->rc = LDAP_SUCCESS;
	return 0;
}

/* The result at the end of a page's chain of messages, or NULL. */
static LDAPMessage *
page_end(LDAP *ld, LDAPMessage *chain)
{
	LDAPMessage *m, *end = NULL;

	for (m = ldap_first_message(ld, chain); m;
	     m = ldap_next_message(ld, m))
		if (ldap_msgtype(m) == LDAP_RES_SEARCH_RESULT)
			end = m;
	return end;
}

int
ulogin_search_all(struct ulogin_conn *c, struct ulogin_query *qs, size_t n)
{
	struct timeval tv = { c->cfg->timeout * 6, 0 };
	struct pending *p = xcalloc(n, sizeof(*p));
	struct entry_buf buf;
	int rc = LDAP_SUCCESS;

	memset(&buf, 0, sizeof(buf));

	/* Send every query first: the server works while we wait. */
	for (size_t i = 0; i < n; i++) {
		p[i].q = &qs[i];
		p[i].msgid = -1;
		if ((qs[i].rc = send_page(c, &p[i])) != LDAP_SUCCESS)
			p[i].msgid = -1;
	}
	/*
	 * Read the answers query by query, each by its own message id: the
	 * others wait in libldap's queue, and a callback may itself search
	 * (nested) without taking another query's messages.  A page is
	 * taken whole; when the server says there is more, the next page is
	 * asked for before this one's entries are handed out, so the server
	 * makes it while we work (else it waits for us after every page).
	 */
	for (size_t i = 0; i < n; i++) {
		struct pending *cur = &p[i];

		while (cur->msgid >= 0) {
			LDAPMessage *res = NULL, *m, *end;
			struct berval *next = NULL;
			int type = ldap_result(c->ld, cur->msgid, LDAP_MSG_ALL,
					       &tv, &res);

			if (type <= 0) {
				if (type == 0) {
					rc = LDAP_TIMEOUT;
				} else {
					ldap_get_option(c->ld,
						LDAP_OPT_RESULT_CODE, &rc);
					rc = rc ? rc : LDAP_SERVER_DOWN;
				}
				ldap_msgfree(res);
				/* A connection that is gone takes nothing
				 * more (an abandon sent on it is lost with
				 * its memory). */
				for (size_t k = i; k < n; k++)
					if (p[k].msgid >= 0) {
						if (rc == LDAP_TIMEOUT)
							ldap_abandon_ext(c->ld,
								p[k].msgid,
								NULL, NULL);
						qs[k].rc = rc;
						p[k].msgid = -1;
					}
				break;
			}
			end = page_end(c->ld, res);
			if (end && page_result(c, end, &next) == LDAP_SUCCESS &&
			    next) {
				cur->cookie = next;
				cur->msgid = -1;
				if ((cur->q->rc = send_page(c, cur)) !=
				    LDAP_SUCCESS)
					cur->msgid = -1;
				end = NULL;	/* done with */
			} else {
				ber_bvfree(next);
			}
			for (m = ldap_first_message(c->ld, res);
			     m && !cur->stopped; m = ldap_next_message(c->ld, m)) {
				struct ulogin_entry e;

				if (ldap_msgtype(m) != LDAP_RES_SEARCH_ENTRY)
					continue;
				entry_decode(c->ld, m, &buf, &e);
				cur->stopped = cur->q->fn(&e, cur->q->data);
			}
			/* The last page, or a failure: after the entries,
			 * whose callbacks may talk to the server. */
			if (end)
				page_done(c, cur, end);
			if (cur->stopped) {
				if (cur->msgid >= 0)
					ldap_abandon_ext(c->ld, cur->msgid,
							 NULL, NULL);
				cur->msgid = -1;
				cur->q->rc = LDAP_SUCCESS;
			}
			ldap_msgfree(res);
		}
	}
	for (size_t i = 0; i < n; i++)
		ber_bvfree(p[i].cookie);
	free(p);
	entry_buf_free(&buf);
	return rc;
}

int
ulogin_search(struct ulogin_conn *c, const char *base,
	      enum ulogin_scope scope, const char *filter,
	      const char *const *attrs, ulogin_entry_fn fn, void *data)
{
	struct ulogin_query q = { base, scope, filter, attrs, fn, data, 0 };

	ulogin_search_all(c, &q, 1);
	return q.rc;
}

int
ulogin_entry_note_cn(const struct ulogin_entry *e, void *data)
{
	const char *cn = ulogin_entry_get(e, "cn");

	if (cn)
		strv_push(data, cn);
	return 0;
}

int
ulogin_entry_keep(const struct ulogin_entry *e, void *data)
{
	struct ulogin_entry *out = data;

	/* A deep copy: the callback's entry is freed after it returns. */
	out->dn = xstrdup(e->dn);
	out->nattrs = e->nattrs;
	out->attrs = xcalloc(e->nattrs, sizeof(*e->attrs));
	for (size_t i = 0; i < e->nattrs; i++) {
		out->attrs[i].name = xstrdup(e->attrs[i].name);
		for (size_t j = 0; j < e->attrs[i].values.n; j++)
			strv_push(&out->attrs[i].values,
				  e->attrs[i].values.v[j]);
	}
	return 1;
}

static struct ulogin_attr *
entry_attr(struct ulogin_entry *e, const char *name, bool create)
{
	for (size_t i = 0; i < e->nattrs; i++)
		if (strcasecmp(e->attrs[i].name, name) == 0)
			return &e->attrs[i];
	if (!create)
		return NULL;
	e->attrs = xreallocarray(e->attrs, e->nattrs + 1, sizeof(*e->attrs));
	memset(&e->attrs[e->nattrs], 0, sizeof(*e->attrs));
	e->attrs[e->nattrs].name = xstrdup(name);
	return &e->attrs[e->nattrs++];
}

void
ulogin_entry_after(const struct ulogin_entry *before,
		   const struct ulogin_change *ch, struct ulogin_entry *out)
{
	memset(out, 0, sizeof(*out));
	if (before && before->dn && ch->op != ULOGIN_CHANGE_ADD)
		ulogin_entry_keep(before, out);
	else
		out->dn = xstrdup(ch->dn);
	for (size_t i = 0; i < ch->nmods; i++) {
		const struct ulogin_mod *m = &ch->mods[i];
		struct ulogin_attr *a = entry_attr(out, m->attr, true);
		struct strv kept = STRV_INIT;

		if (m->op == ULOGIN_MOD_REPLACE ||
		    (m->op == ULOGIN_MOD_DELETE && !m->values.n))
			strv_free(&a->values);
		else if (m->op == ULOGIN_MOD_DELETE) {
			for (size_t j = 0; j < a->values.n; j++)
				if (!strv_contains(&m->values, a->values.v[j]))
					strv_push(&kept, a->values.v[j]);
			strv_free(&a->values);
			a->values = kept;
			continue;
		}
		if (m->op != ULOGIN_MOD_DELETE)
			for (size_t j = 0; j < m->values.n; j++)
				if (!strv_contains(&a->values, m->values.v[j]))
					strv_push(&a->values, m->values.v[j]);
	}
}

int
ulogin_read(struct ulogin_conn *c, const char *dn, const char *const *attrs,
	    struct ulogin_entry *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ulogin_search(c, dn, ULOGIN_SCOPE_BASE, "(objectClass=*)",
			   attrs, ulogin_entry_keep, out);
	if (rc == LDAP_SUCCESS && !out->dn)
		rc = LDAP_NO_SUCH_OBJECT;
	return rc;
}

int
ulogin_exists(struct ulogin_conn *c, const char *dn, int *rc)
{
	static const char *const none[] = { LDAP_NO_ATTRS, NULL };
	struct ulogin_entry e;

	*rc = ulogin_read(c, dn, none, &e);
	ulogin_entry_free(&e);
	if (*rc == LDAP_SUCCESS)
		return 1;
	if (*rc == LDAP_NO_SUCH_OBJECT) {
		*rc = LDAP_SUCCESS;
		return 0;
	}
	return -1;
}

int
ulogin_compare(struct ulogin_conn *c, const char *dn, const char *attr,
	       const char *value)
{
	struct berval bv;
	int rc;

	bv.bv_val = (char *)value;
	bv.bv_len = strlen(value);
	rc = ldap_compare_ext_s(c->ld, dn, attr, &bv, NULL, NULL);
	if (rc != LDAP_COMPARE_TRUE && rc != LDAP_COMPARE_FALSE)
		remember_diagnostics(c);
	return rc;
}

/* ---- changing -------------------------------------------------------- */

void
ulogin_change_init(struct ulogin_change *ch, enum ulogin_change_op op,
		   const char *dn, const char *action)
{
	memset(ch, 0, sizeof(*ch));
	ch->op = op;
	ch->dn = xstrdup(dn);
	ch->action = action;
}

void
ulogin_change_mod(struct ulogin_change *ch, enum ulogin_mod_op op,
		  const char *attr, const char *value)
{
	struct ulogin_mod *m = NULL;

	for (size_t i = 0; i < ch->nmods; i++)
		if (ch->mods[i].op == op &&
		    strcasecmp(ch->mods[i].attr, attr) == 0)
			m = &ch->mods[i];
	if (!m) {
		ch->mods = xreallocarray(ch->mods, ch->nmods + 1,
					 sizeof(*ch->mods));
		m = &ch->mods[ch->nmods++];
		memset(m, 0, sizeof(*m));
		m->op = op;
		m->attr = xstrdup(attr);
	}
	if (value)
		strv_push(&m->values, value);
}

void
ulogin_change_set(struct ulogin_change *ch, const char *attr,
		  const char *value)
{
	for (size_t i = 0; i < ch->nmods; i++)
		if (ch->mods[i].op == ULOGIN_MOD_REPLACE &&
		    strcasecmp(ch->mods[i].attr, attr) == 0)
			strv_free(&ch->mods[i].values);
	ulogin_change_mod(ch, ULOGIN_MOD_REPLACE, attr, value);
}

void
ulogin_change_free(struct ulogin_change *ch)
{
	for (size_t i = 0; i < ch->nmods; i++) {
		free(ch->mods[i].attr);
		strv_free(&ch->mods[i].values);
	}
	free(ch->mods);
	free(ch->dn);
	free(ch->comment);
	free(ch->newrdn);
	memset(ch, 0, sizeof(*ch));
}

static void
ldif_line(FILE *out, const char *name, const char *value)
{
	char *line = ldif_put_wrap(LDIF_PUT_VALUE, name, value,
				   strlen(value), LDIF_LINE_WIDTH);

	if (line) {
		fputs(line, out);
		ber_memfree(line);
	}
}

void
ulogin_change_ldif(FILE *out, const struct ulogin_change *ch)
{
	static const char *const opname[] = { "add", "replace", "delete" };

	if (ch->op == ULOGIN_CHANGE_REFRESH) {
		/* LDIF has no extended operations; say what would be sent,
		 * as the command that sends it. */
		ulogin_print_inert(out, "# refresh: ldapexop refresh '%s' %ld",
				   ch->dn, ch->ttl);
		fputc('\n', out);
		return;
	}
	ldif_line(out, "dn", ch->dn);
	if (ch->op == ULOGIN_CHANGE_RENAME) {
		fputs("changetype: modrdn\n", out);
		ldif_line(out, "newrdn", ch->newrdn);
		fputs("deleteoldrdn: 1\n\n", out);
		return;
	}
	if (ch->op == ULOGIN_CHANGE_DELETE) {
		fputs("changetype: delete\n\n", out);
		return;
	}
	fprintf(out, "changetype: %s\n",
		ch->op == ULOGIN_CHANGE_ADD ? "add" : "modify");
	for (size_t i = 0; i < ch->nmods; i++) {
		const struct ulogin_mod *m = &ch->mods[i];

		if (ch->op == ULOGIN_CHANGE_MODIFY)
			fprintf(out, "%s: %s\n", opname[m->op], m->attr);
		for (size_t j = 0; j < m->values.n; j++)
			ldif_line(out, m->attr, m->values.v[j]);
		if (ch->op == ULOGIN_CHANGE_MODIFY)
			fputs("-\n", out);
	}
	fputc('\n', out);
}

static LDAPMod **
build_mods(const struct ulogin_change *ch)
{
	static const int ops[] = { LDAP_MOD_ADD, LDAP_MOD_REPLACE,
				   LDAP_MOD_DELETE };
	LDAPMod **mods = xcalloc(ch->nmods + 1, sizeof(*mods));

	for (size_t i = 0; i < ch->nmods; i++) {
		const struct ulogin_mod *m = &ch->mods[i];

		mods[i] = xcalloc(1, sizeof(**mods));
		mods[i]->mod_op = ops[m->op];
		mods[i]->mod_type = m->attr;
		mods[i]->mod_values = m->values.n ? m->values.v : NULL;
	}
	return mods;
}

static void
free_mods(LDAPMod **mods)
{
	for (size_t i = 0; mods[i]; i++)
		free(mods[i]);
	free(mods);
}

int
ulogin_prepare_changes(struct ulogin_conn *c)
{
	if (c->cfg->dry_run || c->audit)
		return 0;
	return ulogin_audit_open(c->cfg, &c->audit);
}

/* Send a change without waiting for its answer. */
static int
send_change(struct ulogin_conn *c, const struct ulogin_change *ch,
	    LDAPControl **ctrls, int *msgid)
{
	LDAPMod **mods = build_mods(ch);
	int rc;

	switch (ch->op) {
	case ULOGIN_CHANGE_ADD:
		rc = ldap_add_ext(c->ld, ch->dn, mods, ctrls, NULL, msgid);
		break;
	case ULOGIN_CHANGE_MODIFY:
		rc = ldap_modify_ext(c->ld, ch->dn, mods, ctrls, NULL, msgid);
		break;
	case ULOGIN_CHANGE_RENAME:
		rc = ldap_rename(c->ld, ch->dn, ch->newrdn, NULL, 1, ctrls,
				 NULL, msgid);
		break;
	case ULOGIN_CHANGE_REFRESH: {
		struct berval dn = { strlen(ch->dn), ch->dn };

		rc = ldap_refresh(c->ld, &dn, (ber_int_t)ch->ttl, ctrls, NULL,
				  msgid);
		break;
	}
	default:
		rc = ldap_delete_ext(c->ld, ch->dn, ctrls, NULL, msgid);
		break;
	}
	free_mods(mods);
	return rc;
}

/* The result code of an answer (freed), keeping the server's text. */
static int
answer_code(struct ulogin_conn *c, LDAPMessage *res)
{
	char *diag = NULL;
	int err = LDAP_OTHER, rc;

	rc = ldap_parse_result(c->ld, res, &err, NULL, &diag, NULL, NULL, 1);
	if (rc != LDAP_SUCCESS)
		err = rc;
	free(c->diag);
	c->diag = diag && *diag ? xstrdup(diag) : NULL;
	ldap_memfree(diag);
	return err;
}

/* Every change, made or refused, goes to the audit trail. */
static void
audit_change(struct ulogin_conn *c, const char *action, const char *dn,
	     const char *comment, int rc)
{
	struct ulogin_audit_record rec;

	ulogin_debug("%s %s: %s", action, dn, ldap_err2string(rc));
	rec.operator_dn = c->operator_dn;
	rec.action = action;
	rec.target = dn;
	rec.result = rc == LDAP_SUCCESS ? "ok" : ulogin_ldap_words(rc);
	rec.comment = comment;
	if (ulogin_audit_write(c->audit, &rec) < 0) {
		/* Every change must be in the trail: stop changing. */
		c->audit_failed = 1;
		if (rc == LDAP_SUCCESS)
			ulogin_error("the change to '%s' was made but could "
				     "not be audited; no further change will "
				     "be made", dn);
	}
}

int
ulogin_audit_note(struct ulogin_conn *c, const char *action, const char *dn,
		  const char *comment)
{
	int rc = ulogin_prepare_changes(c);

	if (rc || c->cfg->dry_run)
		return rc;
	audit_change(c, action, dn, comment, LDAP_SUCCESS);
	return c->audit_failed ? ULOGIN_EX_CANTCREAT : 0;
}

/* Before a change is sent: the audit trail is open and has not failed.
 * LDAP_SUCCESS, or ULOGIN_LDAP_AUDIT_FAILED. */
static int
ready_to_change(struct ulogin_conn *c)
{
	forget_diagnostics(c);
	if (!c->audit)
		abort();	/* ulogin_prepare_changes() was not called */
	return c->audit_failed ? ULOGIN_LDAP_AUDIT_FAILED : LDAP_SUCCESS;
}

/* The answer to a change sent as msgid (rc: how the sending went), which
 * goes to the audit trail as action on dn.  An LDAP code. */
static int
await_change(struct ulogin_conn *c, int rc, int msgid, const char *action,
	     const char *dn, const char *comment)
{
	struct timeval tv = { c->cfg->timeout * 6, 0 };
	LDAPMessage *res = NULL;

	if (rc == LDAP_SUCCESS) {
		rc = ldap_result(c->ld, msgid, LDAP_MSG_ALL, &tv, &res);
		if (rc == 0) {
			rc = LDAP_TIMEOUT;
			ldap_abandon_ext(c->ld, msgid, NULL, NULL);
		} else if (rc < 0) {
			ldap_get_option(c->ld, LDAP_OPT_RESULT_CODE, &rc);
		} else {
			rc = answer_code(c, res);
		}
	}
	audit_change(c, action, dn, comment, rc);
	return rc;
}

/* One change, with controls, waiting for its answer. */
static int
apply_one(struct ulogin_conn *c, const struct ulogin_change *ch,
	  LDAPControl **ctrls)
{
	int msgid, rc;

	if ((rc = ready_to_change(c)) != LDAP_SUCCESS)
		return rc;
	rc = send_change(c, ch, ctrls, &msgid);
	return await_change(c, rc, msgid, ch->action, ch->dn, ch->comment);
}

int
ulogin_apply(struct ulogin_conn *c, const struct ulogin_change *ch)
{
	if (c->cfg->dry_run) {
		ulogin_change_ldif(stdout, ch);
		return LDAP_SUCCESS;
	}
	return apply_one(c, ch, NULL);
}

int
ulogin_apply_asserted(struct ulogin_conn *c, const struct ulogin_change *ch,
		      const char *assertion)
{
	LDAPControl *ctrl = NULL, *ctrls[2] = { NULL, NULL };
	int rc;

	if (c->cfg->dry_run)
		return LDAP_SUCCESS;
	rc = ldap_create_assertion_control(c->ld, (char *)assertion, 1,
					   &ctrl);
	if (rc != LDAP_SUCCESS)
		return rc;
	ctrls[0] = ctrl;
	rc = apply_one(c, ch, ctrls);
	ldap_control_free(ctrl);
	return rc;
}

/*
 * Set a password with the Password Modify extended operation (RFC 3062),
 * so the server hashes it as configured and ppolicy sees a password
 * change (history, pwdChangedTime, pwdReset by an administrator).  The
 * audit trail gets the action, never the password.
 */
int
ulogin_password_modify(struct ulogin_conn *c, const char *dn,
		       const char *password, const char *action,
		       const char *comment)
{
	struct berval id, pw;
	int msgid, rc;

	if (c->cfg->dry_run) {
		printf("# %s: a new password for %s (not sent: --dry-run)\n",
		       action, dn);
		return LDAP_SUCCESS;
	}
	if ((rc = ready_to_change(c)) != LDAP_SUCCESS)
		return rc;
	id.bv_val = (char *)dn;
	id.bv_len = strlen(dn);
	pw.bv_val = (char *)password;
	pw.bv_len = strlen(password);
	rc = ldap_passwd(c->ld, &id, NULL, &pw, NULL, NULL, &msgid);
	return await_change(c, rc, msgid, action, dn, comment);
}

/* ---- pipelined changes ---------------------------------------------- */

/*
 * No LDAP transactions (RFC 5805) here, though they would let slapd write
 * many changes at once: in slapd 2.5.13 (Debian 12) they crash the server
 * when a transaction ends soon after its last change, leave an undecodable
 * entry in the database when a failed one was the first to use an
 * attribute, and keep every entry added in one in memory until a restart.
 * tests/bench/slapd-txn.sh shows all three.
 */

/*
 * And at most one change that carries a password is out at a time.
 * slapd 2.4 and 2.5's ppolicy overlay opens the check module afresh for
 * every password it checks (lt_dlopen, lt_dlsym, lt_dlclose) outside any
 * lock, and libltdl is not thread-safe: two checks at once, two pipelined
 * adds of new users on two of slapd's threads, crash it (SIGSEGV in
 * lt_dlsym, within a few thousand adds as the import service; the rootdn's
 * passwords are not checked).  The server hashes and checks one password
 * while the next change is made ready here, so little is lost: the writes
 * are serial in slapd anyway (one LMDB writer).
 */
struct in_flight {
	int msgid;		/* 0: free slot */
	bool password;		/* carries a userPassword value */
	void *tag;
	const char *action;
	char *dn;
	char *comment;
};

struct ulogin_pipeline {
	struct ulogin_conn *c;
	struct in_flight *slots;
	size_t window, busy;
	size_t passwords;	/* of the busy, the ones with a password */
	ulogin_done_fn done;
	void *data;
	int broken;		/* the connection failed: an LDAP code */
};

struct ulogin_pipeline *
ulogin_pipeline_start(struct ulogin_conn *c, size_t window,
		      ulogin_done_fn done, void *data)
{
	struct ulogin_pipeline *p = xcalloc(1, sizeof(*p));

	if (!c->audit && !c->cfg->dry_run)
		abort();	/* ulogin_prepare_changes() was not called */
	p->c = c;
	p->window = window ? window : 1;
	p->slots = xcalloc(p->window, sizeof(*p->slots));
	p->done = done;
	p->data = data;
	return p;
}

void
ulogin_change_wipe(struct ulogin_change *ch)
{
	for (size_t i = 0; i < ch->nmods; i++)
		if (!strcasecmp(ch->mods[i].attr, "userPassword"))
			for (size_t j = 0; j < ch->mods[i].values.n; j++)
				OPENSSL_cleanse(ch->mods[i].values.v[j],
					strlen(ch->mods[i].values.v[j]));
	ulogin_change_free(ch);
}

/* A change's outcome: to the audit trail, then to the caller. */
static void
finish_slot(struct ulogin_pipeline *p, struct in_flight *f, int rc)
{
	audit_change(p->c, f->action, f->dn, f->comment, rc);
	p->done(f->tag, rc, rc == LDAP_SUCCESS ? NULL : p->c->diag, p->data);
	free(f->dn);
	free(f->comment);
	if (f->password)
		p->passwords--;
	memset(f, 0, sizeof(*f));
	p->busy--;
}

/* The connection failed: nothing more will come, so every change still
 * out is done with its failure (whose outcome the caller may read back:
 * the server may have made it). */
static void
fail_outstanding(struct ulogin_pipeline *p)
{
	for (size_t i = 0; i < p->window; i++)
		if (p->slots[i].msgid)
			finish_slot(p, &p->slots[i], p->broken);
}

static bool
carries_password(const struct ulogin_change *ch)
{
	for (size_t i = 0; i < ch->nmods; i++)
		if (ch->mods[i].values.n &&
		    !strcasecmp(ch->mods[i].attr, "userPassword"))
			return true;
	return false;
}

/* Wait for one answer and hand it to its change. */
static int
collect_one(struct ulogin_pipeline *p)
{
	struct timeval tv = { p->c->cfg->timeout * 6, 0 };
	LDAPMessage *res = NULL;
	int rc, msgid;

	rc = ldap_result(p->c->ld, LDAP_RES_ANY, LDAP_MSG_ONE, &tv, &res);
	if (rc <= 0) {
		if (rc == 0)
			rc = LDAP_TIMEOUT;
		else
			ldap_get_option(p->c->ld, LDAP_OPT_RESULT_CODE, &rc);
		p->broken = rc ? rc : LDAP_SERVER_DOWN;
		fail_outstanding(p);
		return p->broken;
	}
	msgid = ldap_msgid(res);
	for (size_t i = 0; i < p->window; i++)
		if (p->slots[i].msgid == msgid) {
			forget_diagnostics(p->c);
			rc = answer_code(p->c, res);
			finish_slot(p, &p->slots[i], rc);
			return 0;
		}
	ldap_msgfree(res);	/* not ours (cannot happen): ignore */
	return 0;
}

int
ulogin_pipeline_send(struct ulogin_pipeline *p, const struct ulogin_change *ch,
		     void *tag)
{
	struct in_flight *f = NULL;
	bool password = carries_password(ch);
	int rc;

	if (p->c->cfg->dry_run) {
		p->done(tag, LDAP_SUCCESS, NULL, p->data);
		return LDAP_SUCCESS;
	}
	while (!p->broken &&
	       (p->busy >= p->window || (password && p->passwords)))
		collect_one(p);
	if (p->broken || p->c->audit_failed) {
		rc = p->broken ? p->broken : ULOGIN_LDAP_AUDIT_FAILED;
		p->done(tag, rc, NULL, p->data);
		return rc;
	}
	for (size_t i = 0; i < p->window && !f; i++)
		if (!p->slots[i].msgid)
			f = &p->slots[i];
	rc = send_change(p->c, ch, NULL, &f->msgid);
	if (rc != LDAP_SUCCESS) {
		f->msgid = 0;
		p->broken = rc;
		audit_change(p->c, ch->action, ch->dn, ch->comment, rc);
		p->done(tag, rc, NULL, p->data);
		fail_outstanding(p);
		return rc;
	}
	f->tag = tag;
	f->password = password;
	f->action = ch->action;
	f->dn = xstrdup(ch->dn);
	f->comment = ch->comment ? xstrdup(ch->comment) : NULL;
	p->busy++;
	p->passwords += password;
	return LDAP_SUCCESS;
}

int
ulogin_pipeline_drain(struct ulogin_pipeline *p)
{
	while (!p->broken && p->busy)
		collect_one(p);
	return p->broken;
}

int
ulogin_pipeline_end(struct ulogin_pipeline *p)
{
	int rc;

	if (!p)
		return LDAP_SUCCESS;
	rc = ulogin_pipeline_drain(p);
	if (p->broken)
		fail_outstanding(p);
	free(p->slots);
	free(p);
	return rc;
}

int
ulogin_conn_audit_failed(const struct ulogin_conn *c)
{
	return c->audit_failed;
}

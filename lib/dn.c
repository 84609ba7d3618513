#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldap.h>

#include "dn.h"
#include "mem.h"
#include "banned.h"

struct buf {
	char *s;
	size_t len, alloc;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->alloc) {
		b->alloc = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->alloc, 1);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

char *
ulogin_filter(const char *fmt, ...)
{
	struct buf b = { NULL, 0, 0 };
	va_list ap;

	buf_add(&b, "", 0);
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		const char *arg;
		struct berval in, out;

		if (*p != '%') {
			buf_add(&b, p, 1);
			continue;
		}
		switch (*++p) {
		case '%':
			buf_add(&b, "%", 1);
			break;
		case 'r':
			arg = va_arg(ap, const char *);
			buf_add(&b, arg, strlen(arg));
			break;
		case 's':
			arg = va_arg(ap, const char *);
			in.bv_val = (char *)arg;
			in.bv_len = strlen(arg);
			if (ldap_bv2escaped_filter_value(&in, &out) != 0)
				abort();	/* only fails on ENOMEM */
			buf_add(&b, out.bv_val, out.bv_len);
			ber_memfree(out.bv_val);
			break;
		default:
			abort();	/* a programming error */
		}
	}
	va_end(ap);
	return b.s;
}

char *
ulogin_dn_child(const char *parent, const char *attr, const char *value)
{
	LDAPDN pdn = NULL, dn;
	LDAPAVA ava, *avas[2] = { &ava, NULL };
	size_t n = 0;
	char *str = NULL, *out;

	if (ldap_str2dn(parent, &pdn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return NULL;
	while (pdn && pdn[n])
		n++;
	dn = xcalloc(n + 2, sizeof(*dn));
	memset(&ava, 0, sizeof(ava));
	ava.la_attr.bv_val = (char *)attr;
	ava.la_attr.bv_len = strlen(attr);
	ava.la_value.bv_val = (char *)value;
	ava.la_value.bv_len = strlen(value);
	ava.la_flags = LDAP_AVA_STRING;
	dn[0] = avas;
	for (size_t i = 0; i < n; i++)
		dn[i + 1] = pdn[i];
	if (ldap_dn2str(dn, &str, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		str = NULL;
	free(dn);
	ldap_dnfree(pdn);
	if (!str)
		return NULL;
	out = xstrdup(str);
	ldap_memfree(str);
	return out;
}

char *
ulogin_dn_first_value(const char *dn, const char *attr)
{
	LDAPDN d = NULL;
	char *out = NULL;

	if (ldap_str2dn(dn, &d, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return NULL;
	if (d && d[0] && d[0][0] && !d[0][1]) {
		LDAPAVA *a = d[0][0];

		if (a->la_attr.bv_len == strlen(attr) &&
		    strncasecmp(a->la_attr.bv_val, attr,
				a->la_attr.bv_len) == 0)
			out = xstrndup(a->la_value.bv_val,
				       a->la_value.bv_len);
	}
	ldap_dnfree(d);
	return out;
}

char *
ulogin_rdn(const char *attr, const char *value)
{
	struct berval in = { strlen(value), (char *)value };
	LDAPAVA ava, *avas[2] = { &ava, NULL };
	char *str = NULL, *out;

	memset(&ava, 0, sizeof(ava));
	ava.la_attr.bv_val = (char *)attr;
	ava.la_attr.bv_len = strlen(attr);
	ava.la_value = in;
	ava.la_flags = LDAP_AVA_STRING;
	if (ldap_rdn2str(avas, &str, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		abort();	/* only fails on ENOMEM */
	out = xstrdup(str);
	ldap_memfree(str);
	return out;
}

char *
ulogin_dn_parent(const char *dn)
{
	LDAPDN d = NULL;
	char *out = NULL;

	if (ldap_str2dn(dn, &d, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return NULL;
	if (d && d[0] && d[1] &&
	    ldap_dn2str(&d[1], &out, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		out = NULL;
	ldap_dnfree(d);
	if (!out)
		return NULL;
	{
		char *copy = xstrdup(out);

		ldap_memfree(out);
		return copy;
	}
}

char *
ulogin_dn_who(const char *dn)
{
	char *uid = dn ? ulogin_dn_first_value(dn, "uid") : NULL;

	return uid ? uid : xstrdup(dn ? dn : "");
}

static char *
normalise(const char *dn)
{
	char *s;

	if (ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAPV3, &s,
			      LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return NULL;
	return s;
}

int
ulogin_dn_equal(const char *a, const char *b)
{
	char *na = normalise(a), *nb = normalise(b);
	int eq = na && nb && strcasecmp(na, nb) == 0;

	ldap_memfree(na);
	ldap_memfree(nb);
	return eq;
}

char *
ulogin_dn_people(const char *base)
{
	return ulogin_dn_child(base, "ou", "people");
}

char *
ulogin_dn_classes(const char *base)
{
	return ulogin_dn_child(base, "ou", "classes");
}

char *
ulogin_dn_institutions(const char *base)
{
	return ulogin_dn_child(base, "ou", "institutions");
}

char *
ulogin_dn_policies(const char *base)
{
	return ulogin_dn_child(base, "ou", "policies");
}

char *
ulogin_dn_imports(const char *base)
{
	return ulogin_dn_child(base, "ou", "imports");
}

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <csv.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "exitcodes.h"
#include "msg.h"
#include "prompt.h"
#include "roster.h"
#include "rules.h"
#include "banned.h"

struct reader {
	struct strv header;
	struct strv fields;
	int have_header;
	size_t line;		/* the physical line being fed */
	size_t row_line;	/* where the current record started */
	size_t pending_line;	/* where the next record starts */
	size_t offset;		/* byte offset of that physical line */
	int row_started;
	ulogin_row_fn fn;
	void *data;
	int rc;			/* what fn returned, or our error */
	struct ulogin_roster_error *err;
};

static void
fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->rc)
		return;
	va_start(ap, fmt);
	r->err->message = xvasprintf(fmt, ap);
	va_end(ap);
	r->err->line = r->row_line;
	r->err->offset = r->offset;
	r->rc = ULOGIN_EX_DATAERR;
}

static void
on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;

	if (r->rc)
		return;
	if (!r->row_started) {
		r->row_started = 1;
		r->row_line = r->pending_line;
	}
	strv_push_owned(&r->fields, xstrndup(s ? s : "", len));
}

static int
valid_header(struct reader *r)
{
	for (size_t i = 0; i < r->fields.n; i++) {
		if (!*r->fields.v[i]) {
			fail(r, "column %zu of the header has no name", i + 1);
			return 0;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(r->fields.v[i], r->fields.v[j])) {
				fail(r, "column '%s' appears twice in the "
				     "header", r->fields.v[i]);
				return 0;
			}
	}
	return 1;
}

static void
on_row(int c, void *data)
{
	struct reader *r = data;
	struct ulogin_row row;

	if (r->rc)
		goto reset;
	if (!r->row_started)
		r->row_line = r->pending_line;
	/* A blank line is one empty field: skip it. */
	if (r->fields.n == 1 && !*r->fields.v[0])
		goto reset;
	if (!r->have_header) {
		if (valid_header(r)) {
			r->header = r->fields;
			memset(&r->fields, 0, sizeof(r->fields));
			r->have_header = 1;
		}
		goto reset;
	}
	row.line = r->row_line;
	row.header = &r->header;
	row.fields = &r->fields;
	r->rc = r->fn(&row, r->data);
reset:
	strv_free(&r->fields);
	r->row_started = 0;
	(void)c;
}

/* RFC 4180: spaces are data, so libcsv must not trim any. */
static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

char
ulogin_roster_detect_delimiter(const char *line)
{
	size_t comma = 0, semi = 0, tab = 0;
	int quoted = 0;

	for (const char *p = line; *p && *p != '\n'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ',')
			comma++;
		else if (!quoted && *p == ';')
			semi++;
		else if (!quoted && *p == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

static int
valid_utf8(const char *text, size_t len)
{
	char *z;
	int ok;

	if (memchr(text, '\0', len))
		return 0;
	z = xstrndup(text, len);
	ok = ulogin_utf8_length(z) >= 0;
	free(z);
	return ok;
}

/* Convert one line of a single-byte legacy encoding to UTF-8. */
static char *
to_utf8(iconv_t cd, const char *in, size_t len, size_t *out_len)
{
	size_t left = len, room = len * 3 + 1;
	char *out = xmalloc(room), *o = out, *i = (char *)in;

	if (iconv(cd, &i, &left, &o, &room) == (size_t)-1) {
		free(out);
		return NULL;
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

int
ulogin_roster_read(const char *path, const struct ulogin_roster_opts *o,
		   ulogin_row_fn fn, void *data,
		   struct ulogin_roster_error *err)
{
	struct csv_parser p;
	struct reader r;
	iconv_t cd = (iconv_t)-1;
	char *line = NULL;
	size_t alloc = 0;
	ssize_t n;
	FILE *f;

	memset(err, 0, sizeof(*err));
	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.data = data;
	r.err = err;
	if (!(f = fopen(path, "rb"))) {
		err->message = xasprintf("cannot open '%s': %s", path,
					 strerror(errno));
		return ULOGIN_EX_NOINPUT;
	}
	if (o->encoding && strcasecmp(o->encoding, "utf-8") &&
	    strcasecmp(o->encoding, "utf8")) {
		if (strcasecmp(o->encoding, "windows-1252") &&
		    strcasecmp(o->encoding, "iso-8859-1")) {
			fclose(f);
			err->message = xasprintf("unknown encoding '%s' (use "
				"utf-8, windows-1252 or iso-8859-1)",
				o->encoding);
			return ULOGIN_EX_USAGE;
		}
		cd = iconv_open("UTF-8", o->encoding);
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		fclose(f);
		err->message = xstrdup("cannot start the CSV parser");
		return ULOGIN_EX_SOFTWARE;
	}
	csv_set_space_func(&p, no_space);
	/* Fed a physical line at a time: a quoted newline simply leaves
	 * libcsv inside the field until the next line. */
	while (!r.rc && (n = getline(&line, &alloc, f)) >= 0) {
		char *text = line, *converted = NULL;
		size_t len = (size_t)n;

		r.line++;
		if (r.line == 1 && len >= 3 &&
		    !memcmp(text, "\xef\xbb\xbf", 3)) {
			text += 3;	/* the BOM is not data */
			len -= 3;
		}
		if (cd != (iconv_t)-1) {
			if (!(converted = to_utf8(cd, text, len, &len))) {
				r.row_line = r.line;
				fail(&r, "cannot convert from %s", o->encoding);
				break;
			}
			text = converted;
		} else if (!valid_utf8(text, len)) {
			r.row_line = r.line;
			fail(&r, "the text is not valid UTF-8; if the file is "
			     "from an older system, give --encoding "
			     "windows-1252");
			break;
		}
		/* Between records, a record starts on this line (a quoted
		 * field may run over several). */
		if (p.pstate == 0)
			r.pending_line = r.line;
		if (r.line == 1)
			csv_set_delim(&p, (unsigned char)(o->delimiter
				? o->delimiter
				: ulogin_roster_detect_delimiter(text)));
		if (csv_parse(&p, text, len, on_field, on_row, &r) != len &&
		    !r.rc) {
			if (!r.row_started)
				r.row_line = r.pending_line;
			fail(&r, "the CSV is broken (%s): check the quotes",
			     csv_strerror(csv_error(&p)));
		}
		free(converted);
		r.offset += (size_t)n;
	}
	if (!r.rc && csv_fini(&p, on_field, on_row, &r) != 0) {
		r.row_line = r.pending_line;
		fail(&r, "the file ends inside a quoted field: check the "
		     "quotes");
	}
	if (!r.rc && !r.have_header) {
		r.row_line = 1;
		fail(&r, "the file has no header line");
	}
	if (!r.rc && ferror(f))
		fail(&r, "cannot read '%s': %s", path, strerror(errno));
	csv_free(&p);
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	free(line);
	fclose(f);
	strv_free(&r.fields);
	strv_free(&r.header);
	return r.rc;
}

const char *
ulogin_row_get(const struct ulogin_row *row, const char *column)
{
	for (size_t i = 0; i < row->header->n && i < row->fields->n; i++)
		if (!strcasecmp(row->header->v[i], column))
			return row->fields->v[i];
	return NULL;
}

/* ---- normalising values ------------------------------------------------ */

char *
ulogin_mobile_e164(const char *in, const char *country, const char **why)
{
	size_t len = strlen(in), n = 0;
	char *digits = xmalloc(len + 1), *out;
	int plus = 0;

	for (const char *p = in; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
		else if (*p == '+' && n == 0 && !plus)
			plus = 1;
		else if (!strchr(" -./()", *p)) {
			free(digits);
			*why = "a phone number has only digits, spaces, '+', "
			       "'-', '.' and brackets";
			return NULL;
		}
	}
	digits[n] = '\0';
	if (!plus && n > 2 && digits[0] == '0' && digits[1] == '0') {
		memmove(digits, digits + 2, n - 1);	/* 0045... = +45... */
		n -= 2;
		plus = 1;
	}
	if (plus)
		out = xasprintf("+%s", digits);
	else if (country && country[0] == '+')
		out = xasprintf("%s%s", country, digits);
	else
		out = NULL;
	free(digits);
	/* E.164: at most 15 digits after the '+', and some at all. */
	if (!out || strlen(out) < 8 || strlen(out) > 16) {
		free(out);
		*why = out ? "a phone number has 7 to 15 digits"
			   : "the number has no country code (+45...)";
		return NULL;
	}
	return out;
}

char *
ulogin_nid_hmac(const char *nid, const unsigned char *key, size_t keylen,
		const char **why)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char digits[11], *hex;
	size_t n = 0;

	for (const char *p = nid; *p; p++) {
		if (*p >= '0' && *p <= '9' && n < 10)
			digits[n++] = *p;
		else if (*p != '-' && *p != ' ') {
			n = 11;		/* anything else: malformed */
			break;
		}
	}
	digits[n < 11 ? n : 10] = '\0';
	if (n != 10) {
		OPENSSL_cleanse(digits, sizeof(digits));
		*why = "a national ID number has ten digits (DDMMYY-NNNN)";
		return NULL;
	}
	if (!HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)digits, 10,
		  mac, &maclen)) {
		OPENSSL_cleanse(digits, sizeof(digits));
		*why = "cannot compute the HMAC";
		return NULL;
	}
	OPENSSL_cleanse(digits, sizeof(digits));
	hex = xmalloc(maclen * 2 + 1);
	for (unsigned int i = 0; i < maclen; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	OPENSSL_cleanse(mac, sizeof(mac));
	return hex;
}

int
ulogin_key_load(const char *path, unsigned char **key, size_t *len)
{
	char *text = NULL;
	int rc;

	/* The same rules as a password file: private, regular, no link. */
	if ((rc = ulogin_read_password_file(path, &text)))
		return rc;
	if (strlen(text) < 32) {
		ulogin_secret_free(text);
		ulogin_error("the key in '%s' is shorter than 32 bytes", path);
		ulogin_hint("make one with 'openssl rand -hex 32 > %s'", path);
		return ULOGIN_EX_CONFIG;
	}
	*len = strlen(text);
	*key = (unsigned char *)text;
	return 0;
}

void
ulogin_key_free(unsigned char *key, size_t len)
{
	if (!key)
		return;
	OPENSSL_cleanse(key, len);
	free(key);
}

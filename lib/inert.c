#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inert.h"
#include "mem.h"
#include "rules.h"
#include "banned.h"

/* Code points that act on a terminal or on how text is laid out, but that
 * JSON leaves as they are: DEL and the C1 controls; the bidirectional
 * controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which
 * reorder what follows; the line and paragraph separators (U+2028,
 * U+2029); and format characters no name needs that hide text (U+200B,
 * U+2060, U+FEFF, the annotation marks U+FFF9-U+FFFB).  The zero width
 * non-joiner and joiner (U+200C, U+200D) are left alone: the scripts that
 * need them use them in names. */
static bool
hides(uint32_t c)
{
	return (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200b ||
	       c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	       c == 0x2060 || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff ||
	       (c >= 0xfff9 && c <= 0xfffb);
}

/* Where escaped text goes: counted first (buf NULL), then written; or
 * straight to a stream (out). */
struct sink {
	char *buf;
	size_t len;
	FILE *out;
};

static void
put(struct sink *k, const char *s, size_t n)
{
	if (k->out)
		fwrite(s, 1, n, k->out);
	else if (k->buf)
		memcpy(k->buf + k->len, s, n);
	k->len += n;
}

/* \xhh for a byte, \uhhhh for a code point; in JSON \uHHHH, the way
 * jansson writes the escapes it makes. */
static void
put_hex(struct sink *k, char form, uint32_t v)
{
	char e[8];
	int n = snprintf(e, sizeof(e), form == 'x' ? "\\x%02x"
				       : form == 'u' ? "\\u%04x" : "\\u%04X",
			 (unsigned)v);

	put(k, e, (size_t)n);
}

/* Escape s into k.  For text, everything the header lists; for JSON text
 * (valid UTF-8 from jansson, which escapes the C0 controls, quotes and
 * backslashes itself), only what hides(). */
static void
escape(struct sink *k, const char *s, size_t len, bool json)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;

	while (p < end) {
		uint32_t c;
		size_t n = ulogin_utf8_next(p, &c);

		if (!n) {
			put_hex(k, 'x', *p);
			n = 1;
		} else if (json) {
			if (hides(c))
				put_hex(k, 'U', c);
			else
				put(k, (const char *)p, n);
		} else if (c == '\\') {
			put(k, "\\\\", 2);
		} else if (c == '\t' || c == '\n' || c == '\r') {
			put(k, c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r", 2);
		} else if (c < 0x20 || c == 0x7f) {
			put_hex(k, 'x', c);
		} else if (hides(c)) {
			put_hex(k, 'u', c);
		} else {
			put(k, (const char *)p, n);
		}
		p += n;
	}
}

static char *
escaped(const char *s, bool json)
{
	struct sink k = { NULL, 0, NULL };
	size_t len = strlen(s);

	escape(&k, s, len, json);
	k.buf = xmalloc(k.len + 1);
	k.len = 0;
	escape(&k, s, len, json);
	k.buf[k.len] = '\0';
	return k.buf;
}

char *
ulogin_inert(const char *s)
{
	return escaped(s, false);
}

void
ulogin_print_inert(FILE *out, const char *fmt, ...)
{
	va_list ap;
	char *text, *safe;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	safe = ulogin_inert(text);
	fputs(safe, out);
	fputc('\n', out);
	free(safe);
	free(text);
}

json_t *
ulogin_json_text(const char *s)
{
	json_t *v;
	char *safe;

	if (!s)
		return json_null();
	if ((v = json_string(s)))
		return v;
	/* Not UTF-8 (a file name from a Latin-1 share, a byte from the
	 * command line): the escaped form is UTF-8. */
	safe = ulogin_inert(s);
	v = json_string(safe);
	ulogin_secret_free(safe);
	return v ? v : json_null();
}

char *
ulogin_json_dumps(const json_t *v, size_t flags)
{
	char *text = json_dumps(v, flags), *out;

	if (!text)
		return NULL;
	out = escaped(text, true);
	free(text);
	return out;
}

/* One piece of jansson's text (whole UTF-8 characters), escaped as
 * ulogin_json_dumps escapes the whole, straight to the stream. */
static int
dump_piece(const char *buffer, size_t size, void *data)
{
	struct sink k = { NULL, 0, data };

	escape(&k, buffer, size, true);
	return ferror(k.out) ? -1 : 0;
}

int
ulogin_json_dumpf(const json_t *v, FILE *out, size_t flags)
{
	/* No copy of the whole text in memory (jansson's, grown by
	 * realloc, or an escaped one): a value may be a password. */
	if (json_dump_callback(v, dump_piece, out, flags) != 0)
		return -1;
	return fputc('\n', out) == EOF ? -1 : 0;
}

/* The password hash the offline first load writes: {SSHA512} as slapd's
 * pw-sha2 module checks it -- base64 of SHA-512(password + salt)
 * followed by the salt -- recomputed here with OpenSSL, and a new salt
 * every time. */
#include <openssl/evp.h>
#include "unit.h"
#include "offline.h"
#include "msg.h"

/* Does hash check password, the way pw-sha2's chk_ssha512 does? */
static int
checks(const char *hash, const char *password)
{
	const char *b64 = hash + strlen("{SSHA512}");
	unsigned char raw[128], md[64], *in;
	size_t len = strlen(password), saltlen;
	int n, ok;

	if (strncmp(hash, "{SSHA512}", 9) || strlen(b64) != 108)
		return 0;
	n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));
	/* 80 bytes are 108 characters with one '=' of padding, which
	 * EVP_DecodeBlock counts as a byte: 81. */
	if (n != 81)
		return 0;
	saltlen = 80 - 64;
	in = malloc(len + saltlen);
	memcpy(in, password, len);
	memcpy(in + len, raw + 64, saltlen);
	ok = EVP_Digest(in, len + saltlen, md, NULL, EVP_sha512(), NULL) == 1 &&
	     !memcmp(md, raw, 64);
	free(in);
	return ok;
}

static void
hash_checks(void **state)
{
	const char *const passwords[] = { "Hemmelig-42x", "ko banan blomst hund",
					  "Ærø-Søren-2", "x" };

	for (size_t i = 0; i < sizeof(passwords) / sizeof(*passwords); i++) {
		char *h = ulogin_hash_ssha512(passwords[i]);

		assert_non_null(h);
		assert_true(checks(h, passwords[i]));
		assert_false(checks(h, "Hemmelig-42y"));
		free(h);
	}
}

static void
salt_is_new_each_time(void **state)
{
	char *a = ulogin_hash_ssha512("Hemmelig-42x");
	char *b = ulogin_hash_ssha512("Hemmelig-42x");

	assert_string_not_equal(a, b);
	assert_true(checks(a, "Hemmelig-42x") && checks(b, "Hemmelig-42x"));
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_checks),
		cmocka_unit_test(salt_is_new_each_time),
	};

	ulogin_set_program("ulogin-test");
	return RUN_TAP(tests);
}

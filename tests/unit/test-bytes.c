/* test-bytes: base64, UTF-8 validation and the JSON bytes form (bytes.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/bytes.h"
#include "tap.h"

/* xorshift64*: a fixed-seed generator, the same on every libc. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static const struct {
	const char *plain, *b64;
} b64_vectors[] = {	/* RFC 4648, section 10 */
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static const char *const b64_bad[] = {
	"Z", "Zg", "Zg=", "Zg===", "Zm9vY",		/* length */
	"====", "Z===", "=Zg=", "Zm=v", "Zg==Zg==",	/* misplaced padding */
	"Zm9v=", "Zm9-", "Zm9_", "Zm9v\n", "Zm 9v", "Zm\t9",	/* alphabet, whitespace */
	"Zh==", "Zm9=",					/* non-zero discarded bits */
	"\xffm9v", "Zm9\x80",
};

static void
test_b64(void)
{
	uint8_t src[301], dec[304];
	char enc[B64_LEN(301) + 1];
	size_t i, n;
	int bad = 0;

	for (i = 0; i < sizeof b64_vectors / sizeof b64_vectors[0]; i++) {
		const char *p = b64_vectors[i].plain, *e = b64_vectors[i].b64;
		size_t len = b64_encode(p, strlen(p), enc);
		ssize_t got;

		ok(len == strlen(e) && strcmp(enc, e) == 0,
		    "b64_encode(\"%s\") = \"%s\"", p, e);
		memset(dec, 0xaa, sizeof dec);
		got = b64_decode(e, strlen(e), dec);
		ok(got == (ssize_t)strlen(p) && memcmp(dec, p, strlen(p)) == 0,
		    "b64_decode(\"%s\") = \"%s\"", e, p);
	}
	is_int(b64_decode("Zm9\0", 4, dec), -EINVAL, "b64_decode rejects a NUL character");
	for (i = 0; i < sizeof b64_bad / sizeof b64_bad[0]; i++)
		is_int(b64_decode(b64_bad[i], strlen(b64_bad[i]), dec), -EINVAL,
		    "b64_decode rejects bad input %zu", i);

	for (n = 0; n <= 300; n++) {
		ssize_t got;
		size_t k;

		for (k = 0; k < n; k++)
			src[k] = (uint8_t)rng();
		memset(enc, 0x55, sizeof enc);
		if (b64_encode(src, n, enc) != B64_LEN(n) || strlen(enc) != B64_LEN(n)) {
			bad++;
			continue;
		}
		got = b64_decode(enc, B64_LEN(n), dec);
		if (got != (ssize_t)n || memcmp(src, dec, n) != 0)
			bad++;
	}
	ok(bad == 0, "base64 round trip of random lengths 0..300 (%d failures)", bad);
}

static const struct {
	const char *s;
	size_t n;		/* 0: strlen */
	bool valid;
	const char *what;
} utf8_cases[] = {
	{ "", 0, true, "empty" },
	{ "abc", 0, true, "ASCII" },
	{ "a\0b", 3, true, "embedded NUL" },
	{ "\x7f", 0, true, "U+007F" },
	{ "\xc2\x80", 0, true, "U+0080" },
	{ "\xc3\xa9", 0, true, "U+00E9" },
	{ "\xdf\xbf", 0, true, "U+07FF" },
	{ "\xe0\xa0\x80", 0, true, "U+0800" },
	{ "\xe2\x82\xac", 0, true, "U+20AC" },
	{ "\xed\x9f\xbf", 0, true, "U+D7FF" },
	{ "\xee\x80\x80", 0, true, "U+E000" },
	{ "\xef\xbf\xbf", 0, true, "U+FFFF" },
	{ "\xf0\x90\x80\x80", 0, true, "U+10000" },
	{ "\xf0\x9f\x98\x80", 0, true, "U+1F600" },
	{ "\xf4\x8f\xbf\xbf", 0, true, "U+10FFFF" },
	{ "\x80", 0, false, "lone continuation 80" },
	{ "\xbf", 0, false, "lone continuation BF" },
	{ "\xc0\x80", 0, false, "overlong NUL C0 80" },
	{ "\xc1\xbf", 0, false, "overlong C1 BF" },
	{ "\xe0\x80\x80", 0, false, "overlong E0 80 80" },
	{ "\xe0\x9f\xbf", 0, false, "overlong E0 9F BF" },
	{ "\xf0\x80\x80\x80", 0, false, "overlong F0 80 80 80" },
	{ "\xf0\x8f\xbf\xbf", 0, false, "overlong F0 8F BF BF" },
	{ "\xed\xa0\x80", 0, false, "surrogate U+D800" },
	{ "\xed\xbf\xbf", 0, false, "surrogate U+DFFF" },
	{ "\xed\xa0\xbd\xed\xb8\x80", 0, false, "surrogate pair (CESU-8)" },
	{ "\xf4\x90\x80\x80", 0, false, "U+110000" },
	{ "\xf5\x80\x80\x80", 0, false, "lead F5" },
	{ "\xf8\x88\x80\x80\x80", 0, false, "5-byte form" },
	{ "\xfc\x84\x80\x80\x80\x80", 0, false, "6-byte form" },
	{ "\xfe", 0, false, "FE" },
	{ "\xff", 0, false, "FF" },
	{ "\xc3", 0, false, "truncated 2-byte" },
	{ "\xe2\x82", 0, false, "truncated 3-byte" },
	{ "\xf0\x9f\x98", 0, false, "truncated 4-byte" },
	{ "a\xc3", 0, false, "truncated at the end" },
	{ "\xc3\xa9", 1, false, "cut by the length" },
	{ "\xc3\x28", 0, false, "bad continuation 2-byte" },
	{ "\xe2\x28\xa1", 0, false, "bad second byte 3-byte" },
	{ "\xe2\x82\x28", 0, false, "bad third byte 3-byte" },
	{ "\xf0\x28\x8c\xbc", 0, false, "bad second byte 4-byte" },
	{ "\xf0\x90\x28\xbc", 0, false, "bad third byte 4-byte" },
	{ "\xf0\x90\x8c\x28", 0, false, "bad fourth byte 4-byte" },
	{ "abc\xc3\xa9\xff", 0, false, "valid then FF" },
};

/* A deliberately different reference: decode loosely, then demand the
 * canonical encoding of a scalar value. */
static bool
utf8_ref(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t c = s[i], cp;
		size_t len, k;
		uint8_t enc[4];

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (cp < 0x800) {
			if (len != 2)
				return false;
			enc[0] = 0xc0 | cp >> 6;
			enc[1] = 0x80 | (cp & 0x3f);
		} else if (cp < 0x10000) {
			if (len != 3)
				return false;
			enc[0] = 0xe0 | cp >> 12;
			enc[1] = 0x80 | (cp >> 6 & 0x3f);
			enc[2] = 0x80 | (cp & 0x3f);
		} else {
			if (len != 4)
				return false;
			enc[0] = 0xf0 | cp >> 18;
			enc[1] = 0x80 | (cp >> 12 & 0x3f);
			enc[2] = 0x80 | (cp >> 6 & 0x3f);
			enc[3] = 0x80 | (cp & 0x3f);
		}
		if (cp < 0x80 || memcmp(enc, s + i, len) != 0)
			return false;
		i += len;
	}
	return true;
}

static void
test_utf8(void)
{
	size_t i;
	uint32_t v;
	unsigned long mismatches = 0, valid3 = 0;
	uint8_t b[4];

	for (i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		size_t n = utf8_cases[i].n ? utf8_cases[i].n : strlen(utf8_cases[i].s);

		ok(utf8_valid(utf8_cases[i].s, n) == utf8_cases[i].valid, "utf8 %s: %s",
		    utf8_cases[i].what, utf8_cases[i].valid ? "valid" : "invalid");
	}
	/* Every string of one, two and three bytes against the reference. */
	for (v = 0; v < 1u << 24; v++) {
		b[0] = v >> 16;
		b[1] = v >> 8;
		b[2] = v;
		if (v < 256 && utf8_valid(b + 2, 1) != utf8_ref(b + 2, 1))
			mismatches++;
		if (v < 65536 && utf8_valid(b + 1, 2) != utf8_ref(b + 1, 2))
			mismatches++;
		if (utf8_valid(b, 3) != utf8_ref(b, 3))
			mismatches++;
		valid3 += utf8_ref(b, 3);
	}
	/* Every four-byte string with a 4-byte lead and continuations. */
	for (v = 0; v < 5u << 18; v++) {
		b[0] = 0xf0 + (v >> 18);
		b[1] = 0x80 | (v >> 12 & 0x3f);
		b[2] = 0x80 | (v >> 6 & 0x3f);
		b[3] = 0x80 | (v & 0x3f);
		if (utf8_valid(b, 4) != utf8_ref(b, 4))
			mismatches++;
	}
	for (i = 0; i < 1000000; i++) {
		uint32_t r = rng();

		memcpy(b, &r, 4);
		if (utf8_valid(b, 4) != utf8_ref(b, 4))
			mismatches++;
	}
	ok(mismatches == 0 && valid3 > 0,
	    "utf8_valid agrees with a reference decoder on all 1..3-byte strings and 4-byte forms (%lu mismatches)",
	    mismatches);
}

/* bytes -> json_bytes -> text -> parse -> json_get_bytes: same bytes? */
static bool
json_round_trip(const void *p, size_t n, const char *want_key)
{
	json_t *j, *back;
	char *text;
	void *out = NULL;
	size_t got = 99;
	bool good;

	j = json_bytes(p, n);
	if (!j)
		return false;
	if (want_key && !json_object_get(j, want_key)) {
		json_decref(j);
		return false;
	}
	text = json_dumps(j, JSON_COMPACT);
	back = text ? json_loads(text, JSON_ALLOW_NUL, NULL) : NULL;
	good = back && json_equal(j, back) && json_bytes_len(back) == (ssize_t)n &&
	    json_get_bytes(back, &out, &got) == 0 && out && got == n &&
	    memcmp(out, p, n) == 0;
	free(out);
	free(text);
	json_decref(back);
	json_decref(j);
	return good;
}

static void
test_json_bytes(void)
{
	json_t *j, *bad;
	void *out;
	size_t n, i, k;
	int fails = 0;
	uint8_t buf[300];
	const char *bad_json[] = {
		"{}", "[]", "\"text\"", "{\"text\":1}", "{\"b64\":null}",
		"{\"b64\":\"Zg=\"}", "{\"b64\":\"Zh==\"}", "{\"b64\":\"Zm9v!\"}",
		"{\"text\":\"a\",\"b64\":\"YQ==\"}", "{\"text\":\"a\",\"x\":1}",
		"{\"TEXT\":\"a\"}", "{\"bytes\":\"a\"}",
	};

	j = json_bytes("hello", 5);
	ok(j && json_is_string(json_object_get(j, "text")) &&
	    strcmp(json_string_value(json_object_get(j, "text")), "hello") == 0 &&
	    json_object_size(j) == 1, "json_bytes(\"hello\") is {\"text\":\"hello\"}");
	json_decref(j);

	j = json_bytes("\xff\x00\x01", 3);
	ok(j && json_is_string(json_object_get(j, "b64")) &&
	    strcmp(json_string_value(json_object_get(j, "b64")), "/wAB") == 0 &&
	    json_object_size(j) == 1, "json_bytes(ff 00 01) is {\"b64\":\"/wAB\"}");
	json_decref(j);

	j = json_bytes("a\0b", 3);
	ok(j && json_string_length(json_object_get(j, "text")) == 3,
	    "json_bytes keeps an embedded NUL as text");
	json_decref(j);

	j = json_bytes(NULL, 0);
	out = NULL;
	n = 7;
	ok(j && json_object_get(j, "text") && json_get_bytes(j, &out, &n) == 0 &&
	    out != NULL && n == 0 && json_bytes_len(j) == 0,
	    "empty bytes: {\"text\":\"\"}, decoded to a non-NULL buffer of 0 bytes");
	free(out);
	json_decref(j);

	j = json_pack("{s:s}", "b64", "");
	out = NULL;
	n = 7;
	ok(json_get_bytes(j, &out, &n) == 0 && out != NULL && n == 0,
	    "{\"b64\":\"\"} decodes to a non-NULL buffer of 0 bytes");
	free(out);
	json_decref(j);

	ok(json_round_trip("hello", 5, "text"), "round trip: text");
	ok(json_round_trip("\x00\x01\x02\xfe\xff", 5, "b64"), "round trip: binary");
	ok(json_round_trip("a\0b\0", 4, "text"), "round trip: embedded NUL (JSON_ALLOW_NUL)");
	ok(json_round_trip("", 0, "text"), "round trip: empty");
	ok(json_round_trip("\xed\xa0\x80", 3, "b64"), "round trip: surrogate bytes go to b64");
	ok(json_round_trip("caf\xc3\xa9 \xf0\x9f\x98\x80", 10, "text"), "round trip: multibyte text");

	for (i = 0; i < 600; i++) {
		size_t len = rng() % 301;

		for (k = 0; k < len; k++)	/* half printable text, half binary */
			buf[k] = i % 2 ? (uint8_t)rng() : (uint8_t)(0x20 + rng() % 95);
		if (!json_round_trip(buf, len, NULL))
			fails++;
	}
	ok(fails == 0, "round trip of 600 random buffers (%d failures)", fails);

	for (i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
		bad = json_loads(bad_json[i], JSON_DECODE_ANY, NULL);
		if (!bad)
			bail_out("cannot parse %s", bad_json[i]);
		out = NULL;
		ok(json_get_bytes(bad, &out, &n) == -EINVAL && out == NULL &&
		    json_bytes_len(bad) == -EINVAL,
		    "json_get_bytes and json_bytes_len reject %s", bad_json[i]);
		json_decref(bad);
	}
	ok(json_get_bytes(NULL, &out, &n) == -EINVAL && json_bytes_len(NULL) == -EINVAL,
	    "json_get_bytes and json_bytes_len reject NULL");
}

int
main(void)
{
	test_b64();
	test_utf8();
	test_json_bytes();
	return done_testing();
}

/* bytes.c: byte buffers in the trace: base64 (RFC 4648, standard alphabet,
 * padded), strict UTF-8 validation, and the {"text"} / {"b64"} JSON form.
 * No function here exits or prints. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/bytes.h"
#include "trace/elide.h"

static const char b64_alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encode(const void *src, size_t n, char *dst)
{
	const uint8_t *s = src;
	char *d = dst;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*d++ = b64_alphabet[v >> 18];
		*d++ = b64_alphabet[v >> 12 & 63];
		*d++ = b64_alphabet[v >> 6 & 63];
		*d++ = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;
		*d++ = b64_alphabet[v >> 18];
		*d++ = b64_alphabet[v >> 12 & 63];
		*d++ = '=';
		*d++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		*d++ = b64_alphabet[v >> 18];
		*d++ = b64_alphabet[v >> 12 & 63];
		*d++ = b64_alphabet[v >> 6 & 63];
		*d++ = '=';
	}
	*d = '\0';
	return (size_t)(d - dst);
}

/* Value of a base64 character, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool
b64_is_char(unsigned char c)
{
	return b64_value(c) >= 0;
}

/* Decodes into dst, or only validates when dst is NULL.  Strict: the length
 * is a multiple of 4, '=' appears only as one or two final pad characters,
 * and the bits a pad discards are zero (so every byte string has exactly one
 * encoding). */
static ssize_t
b64_decode_check(const char *src, size_t n, uint8_t *dst)
{
	size_t i, o = 0;

	if (n % 4 != 0)
		return -EINVAL;
	for (i = 0; i < n; i += 4) {
		const unsigned char *q = (const unsigned char *)src + i;
		int a = b64_value(q[0]), b = b64_value(q[1]);
		int c, d, pad = 0;
		uint32_t v;

		if (a < 0 || b < 0)
			return -EINVAL;
		if (i + 4 == n && q[3] == '=') {
			pad = q[2] == '=' ? 2 : 1;
		}
		c = pad == 2 ? 0 : b64_value(q[2]);
		d = pad >= 1 ? 0 : b64_value(q[3]);
		if (c < 0 || d < 0)
			return -EINVAL;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		if ((pad == 2 && (v & 0xffff)) || (pad == 1 && (v & 0xff)))
			return -EINVAL;	/* non-zero discarded bits */
		if (dst) {
			dst[o] = v >> 16;
			if (pad < 2)
				dst[o + 1] = v >> 8 & 0xff;
			if (pad < 1)
				dst[o + 2] = v & 0xff;
		}
		o += 3 - pad;
	}
	return (ssize_t)o;
}

ssize_t
b64_decode(const char *src, size_t n, void *dst)
{
	return b64_decode_check(src, n, dst);
}

/* Strict UTF-8 (Unicode 15, table 3-7: well-formed byte sequences). */
bool
utf8_valid(const void *p, size_t n)
{
	const uint8_t *s = p, *end = s + n;

	while (s < end) {
		uint8_t c = *s;
		size_t len, i;
		uint8_t lo = 0x80, hi = 0xbf;	/* range of the second byte */

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90;	/* overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* > U+10FFFF */
		} else {
			return false;	/* continuation, 0xc0, 0xc1, 0xf5.. */
		}
		if ((size_t)(end - s) < len)
			return false;	/* truncated */
		if (s[1] < lo || s[1] > hi)
			return false;
		for (i = 2; i < len; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += len;
	}
	return true;
}

/* The most JSON text a buffer of n bytes may take as {"text"}. */
#define TEXT_MAX(n) (2 * (n) + 16)

/* Length of p[0..n) as JSON text (jansson's escapes: two bytes for '"',
 * '\\' and \b \f \n \r \t, six for the other control characters),
 * without the quotes; stops counting past TEXT_MAX(n). */
static size_t
text_len(const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t len = 0, limit = TEXT_MAX(n);

	for (size_t i = 0; i < n && len <= limit; i++) {
		uint8_t c = s[i];

		if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
		    c == '\t')
			len += 2;
		else if (c < 0x20)
			len += 6;
		else
			len++;
	}
	return len;
}

json_t *
json_bytes(const void *p, size_t n)
{
	json_t *o, *s;
	char *b;

	if (n == 0)
		p = "";
	if (utf8_valid(p, n) && text_len(p, n) <= TEXT_MAX(n)) {
		s = json_stringn(p, n);
		if (!s)
			return NULL;
		o = json_object();
		if (!o || json_object_set_new(o, "text", s) < 0) {
			json_decref(o);
			return NULL;
		}
		return o;
	}
	if (n > (SIZE_MAX - 3) / 4 * 3 - 3)
		return NULL;
	b = malloc(B64_LEN(n) + 1);
	if (!b)
		return NULL;
	s = json_stringn(b, b64_encode(p, n, b));
	free(b);
	if (!s)
		return NULL;
	o = json_object();
	if (!o || json_object_set_new(o, "b64", s) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The string member of a bytes object: *is_b64 says which key.  NULL when j
 * is not exactly {"text": string} or {"b64": string}. */
static json_t *
bytes_member(const json_t *j, bool *is_b64)
{
	json_t *v;

	if (!json_is_object(j) || json_object_size(j) != 1)
		return NULL;
	if ((v = json_object_get(j, "text")) != NULL) {
		*is_b64 = false;
		return json_is_string(v) ? v : NULL;
	}
	if ((v = json_object_get(j, "b64")) != NULL) {
		*is_b64 = true;
		return json_is_string(v) ? v : NULL;
	}
	return NULL;
}

int
json_get_bytes(const json_t *j, void **out, size_t *n)
{
	bool is_b64;
	json_t *v = bytes_member(j, &is_b64);
	const char *s;
	size_t len;
	uint8_t *buf;
	ssize_t got;

	if (!v)
		return -EINVAL;
	if (json_bytes_elided(j, NULL))
		return -E2BIG;
	s = json_string_value(v);
	len = json_string_length(v);
	if (!is_b64) {
		buf = malloc(len ? len : 1);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, s, len);
		*out = buf;
		*n = len;
		return 0;
	}
	if (len % 4 != 0)
		return -EINVAL;
	buf = malloc(len ? len / 4 * 3 : 1);
	if (!buf)
		return -ENOMEM;
	got = b64_decode_check(s, len, buf);
	if (got < 0) {
		free(buf);
		return (int)got;
	}
	*out = buf;
	*n = (size_t)got;
	return 0;
}

bool
json_bytes_elided(const json_t *j, struct elided *e)
{
	bool is_b64;
	json_t *v = bytes_member(j, &is_b64);
	struct elided el;

	if (!v || !elided_get(v, e ? e : &el))
		return false;
	if (e && is_b64 && e->b64 >= 0) {
		ssize_t h = b64_decode_check(e->head, e->head_len / 4 * 4, e->decoded);

		e->head = (const char *)e->decoded;
		e->head_len = h > 0 ? (size_t)h : 0;
	}
	return true;
}

ssize_t
json_bytes_len(const json_t *j)
{
	bool is_b64;
	json_t *v = bytes_member(j, &is_b64);

	struct elided el;

	if (!v)
		return -EINVAL;
	if (elided_get(v, &el))
		return !is_b64 ? (ssize_t)el.n : el.b64 < 0 ? -EINVAL : (ssize_t)el.b64;
	if (!is_b64)
		return (ssize_t)json_string_length(v);
	/* Validates without writing, so this fails exactly when
	 * json_get_bytes would. */
	return b64_decode_check(json_string_value(v), json_string_length(v), NULL);
}

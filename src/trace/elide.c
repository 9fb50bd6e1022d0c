/* elide.c: long strings of a trace line decoded as they stream by and kept
 * as a digest (elide.h).  The decoder follows RFC 8259 strings as jansson
 * takes them (with NUL allowed): escapes, surrogate pairs, strict UTF-8,
 * no raw control characters.  No function here exits or prints. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "trace/bytes.h"
#include "trace/elide.h"
#include "trace/sha256.h"

#define MARK "dios-elided "
#define KEPT "dios-kept "
#define SUFFIX_MAX 160	/* the NUL, the mark and the figures, at most */

static char nonce[33];
static pthread_once_t nonce_once = PTHREAD_ONCE_INIT;

static void
nonce_init(void)
{
	uint8_t b[16];
	size_t i;

	if (getrandom(b, sizeof b, GRND_NONBLOCK) != (ssize_t)sizeof b) {
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 48;
		for (i = 0; i < sizeof b; i++, x = x * 6364136223846793005u + 1442695040888963407u)
			b[i] = (uint8_t)(x >> 56);
	}
	for (i = 0; i < sizeof b; i++)
		snprintf(nonce + 2 * i, 3, "%02x", b[i]);
}

static const char *
our_nonce(void)
{
	pthread_once(&nonce_once, nonce_init);
	return nonce;
}

/* The figures of a placeholder this process made with mark: the text of
 * s after its last NUL, copied to buf, when it starts with mark and this
 * process's nonce; what follows them is returned, and the NUL's offset is
 * *head_len.  NULL for any other string. */
static const char *
marked(const json_t *s, const char *mark, char buf[SUFFIX_MAX + 1], size_t *head_len)
{
	const char *v = json_string_value(s), *nul, *nc = our_nonce();
	size_t len, from, n, ml = strlen(mark), nl = strlen(nc);

	if (!v)
		return NULL;
	len = json_string_length(s);
	from = len > SUFFIX_MAX ? len - SUFFIX_MAX : 0;
	if ((nul = memrchr(v + from, '\0', len - from)) == NULL)
		return NULL;
	n = (size_t)(v + len - nul - 1);	/* < SUFFIX_MAX */
	memcpy(buf, nul + 1, n);
	buf[n] = '\0';
	if (strncmp(buf, mark, ml) != 0 || strncmp(buf + ml, nc, nl) != 0 || buf[ml + nl] != ' ')
		return NULL;
	*head_len = (size_t)(nul - v);
	return buf + ml + nl + 1;
}

bool
elided_get(const json_t *s, struct elided *e)
{
	char buf[SUFFIX_MAX + 1], sha[65];
	const char *f;
	unsigned long long n;
	long long b64;
	size_t head_len;
	int used = 0;

	if ((f = marked(s, MARK, buf, &head_len)) == NULL ||
	    sscanf(f, "%llu %lld %64[0-9a-f]%n", &n, &b64, sha, &used) != 3 || f[used] != '\0' ||
	    strlen(sha) != 64 || b64 < -1)
		return false;
	e->n = n;
	e->b64 = b64;
	memcpy(e->sha256, sha, sizeof e->sha256);
	e->head = json_string_value(s);
	e->head_len = head_len;
	return true;
}

bool
elided_in(const json_t *j)
{
	struct elided e;
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		return elided_get(j, &e);
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (elided_in(v))
				return true;
	} else if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
			if (elided_in(v))
				return true;
	}
	return false;
}

/* The id of a placeholder an eliding reader of this process made in keep
 * mode, or -1. */
static long
kept_id(const json_t *s)
{
	char buf[SUFFIX_MAX + 1];
	const char *f;
	size_t head_len;
	unsigned id;
	int used = 0;

	if ((f = marked(s, KEPT, buf, &head_len)) == NULL || head_len != 0 ||
	    sscanf(f, "%u%n", &id, &used) != 1 || f[used] != '\0')
		return -1;
	return (long)id;
}

/* The kept string for placeholder s, or NULL (s stays). */
static json_t *
restored(const json_t *s, char **kept, const size_t *lens, unsigned n)
{
	long id = json_is_string(s) ? kept_id(s) : -1;
	json_t *v;

	if (id < 0 || (unsigned long)id >= n || kept[id] == NULL)
		return NULL;
	v = json_stringn_nocheck(kept[id], lens[id]);	/* checked as it came */
	if (v) {
		free(kept[id]);
		kept[id] = NULL;
	}
	return v;
}

int
elide_restore(json_t *j, char **kept, const size_t *lens, unsigned n)
{
	json_t *v, *nv;
	size_t i;
	void *it;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if ((nv = restored(v, kept, lens, n)) != NULL)
				json_array_set_new(j, i, nv);
			else if (elide_restore(v, kept, lens, n) < 0)
				return -ENOMEM;
		}
	} else if (json_is_object(j)) {
		for (it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
			v = json_object_iter_value(it);
			if ((nv = restored(v, kept, lens, n)) != NULL)
				json_object_iter_set_new(j, it, nv);
			else if (elide_restore(v, kept, lens, n) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

struct elide_str {
	struct sha256 h;
	uint64_t n;		/* bytes out */
	unsigned esc;		/* 0; 1 after '\\'; 2..5 in \u, esc - 2 digits read */
	uint32_t u;		/* the \u value being read */
	uint32_t high;		/* a high surrogate waiting for its low half */
	unsigned need;		/* UTF-8 continuation bytes to come */
	uint8_t lo, hi;		/* the range of the next one */
	bool b64ok, padded;
	unsigned pads;
	char quad[4];		/* the current base64 quad */
	const char *err;
	bool keep;
	char *kept;		/* with keep: the bytes */
	size_t kept_len, kept_cap;
	bool nomem;
	size_t head_len, out_len;
	char head[ELIDE_HEAD];
	uint8_t out[4096];	/* bytes waiting for the hash */
};

struct elide_str *
elide_begin(bool keep)
{
	struct elide_str *es = calloc(1, sizeof *es);

	if (es) {
		sha256_init(&es->h);
		es->b64ok = true;
		es->keep = keep;
	}
	return es;
}

void
elide_free(struct elide_str *es)
{
	if (es)
		free(es->kept);
	free(es);
}

/* Appends p[0..k) with keep: the buffer doubles (realloc moves big ones
 * by remapping, not copying).  Out of memory, it stops (nomem). */
static void
keep_bytes(struct elide_str *es, const void *p, size_t k)
{
	while (es->kept_len + k > es->kept_cap && !es->nomem) {
		size_t cap = es->kept_cap ? es->kept_cap * 2 : 4096;
		char *q = realloc(es->kept, cap);

		if (!q)
			es->nomem = true;
		else {
			es->kept = q;
			es->kept_cap = cap;
		}
	}
	if (!es->nomem) {
		memcpy(es->kept + es->kept_len, p, k);
		es->kept_len += k;
	}
	es->n += k;
}

/* One byte of the string's content. */
static void
put(struct elide_str *es, uint8_t c)
{
	unsigned pos = (unsigned)(es->n % 4);

	if (es->keep) {
		keep_bytes(es, &c, 1);
		return;
	}
	if (es->head_len < ELIDE_HEAD)
		es->head[es->head_len++] = (char)c;
	es->out[es->out_len++] = c;
	if (es->out_len == sizeof es->out) {
		sha256_update(&es->h, es->out, es->out_len);
		es->out_len = 0;
	}
	if (es->b64ok) {
		if (pos == 0 && es->padded)
			es->b64ok = false;	/* something after the padding */
		else if (c == '=') {
			if (pos < 2)
				es->b64ok = false;
			es->padded = true;
			es->pads++;
		} else if (!b64_is_char(c) || es->padded)
			es->b64ok = false;
		es->quad[pos] = (char)c;
	}
	es->n++;
}

static void
bad(struct elide_str *es, const char *why)
{
	if (!es->err)
		es->err = why;
}

/* One raw byte of the JSON text, outside escapes: UTF-8 checked. */
static void
raw(struct elide_str *es, uint8_t c)
{
	if (es->need) {
		if (c < es->lo || c > es->hi) {
			bad(es, "invalid UTF-8 in a long string");
			es->need = 0;
		} else {
			es->need--;
			es->lo = 0x80;
			es->hi = 0xbf;
		}
		put(es, c);
		return;
	}
	if (c < 0x20)
		bad(es, "a control character in a long string");
	else if (c >= 0x80) {
		es->lo = 0x80;
		es->hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			es->need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			es->need = 2;
			if (c == 0xe0)
				es->lo = 0xa0;
			else if (c == 0xed)
				es->hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			es->need = 3;
			if (c == 0xf0)
				es->lo = 0x90;
			else if (c == 0xf4)
				es->hi = 0x8f;
		} else
			bad(es, "invalid UTF-8 in a long string");
	}
	put(es, c);
}

/* A code point from an escape, as UTF-8. */
static void
code_point(struct elide_str *es, uint32_t cp)
{
	if (cp < 0x80) {
		put(es, (uint8_t)cp);
	} else if (cp < 0x800) {
		put(es, (uint8_t)(0xc0 | cp >> 6));
		put(es, (uint8_t)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		put(es, (uint8_t)(0xe0 | cp >> 12));
		put(es, (uint8_t)(0x80 | (cp >> 6 & 0x3f)));
		put(es, (uint8_t)(0x80 | (cp & 0x3f)));
	} else {
		put(es, (uint8_t)(0xf0 | cp >> 18));
		put(es, (uint8_t)(0x80 | (cp >> 12 & 0x3f)));
		put(es, (uint8_t)(0x80 | (cp >> 6 & 0x3f)));
		put(es, (uint8_t)(0x80 | (cp & 0x3f)));
	}
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
escaped(struct elide_str *es, uint8_t c)
{
	static const char simple[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";
	const char *p;
	int h;

	if (es->esc == 1) {
		if (c == 'u') {
			es->esc = 2;
			es->u = 0;
			return;
		}
		es->esc = 0;
		if (es->high) {
			bad(es, "a lone surrogate in a long string");
			es->high = 0;
		}
		if (c != 0 && (p = strchr(simple, c)) != NULL)
			put(es, (uint8_t)value[p - simple]);
		else
			bad(es, "a bad escape in a long string");
		return;
	}
	if ((h = hexval(c)) < 0) {
		bad(es, "a bad \\u escape in a long string");
		es->esc = 0;
		es->high = 0;
		return;
	}
	es->u = es->u << 4 | (uint32_t)h;
	if (++es->esc < 6)
		return;
	es->esc = 0;
	if (es->high) {
		if (es->u >= 0xdc00 && es->u <= 0xdfff)
			code_point(es, 0x10000 + ((es->high - 0xd800) << 10) + (es->u - 0xdc00));
		else
			bad(es, "a lone surrogate in a long string");
		es->high = 0;
	} else if (es->u >= 0xd800 && es->u <= 0xdbff)
		es->high = es->u;
	else if (es->u >= 0xdc00 && es->u <= 0xdfff)
		bad(es, "a lone surrogate in a long string");
	else
		code_point(es, es->u);
}

/* Bytes a run of plain text may hold: printable ASCII but '\\' (and, for
 * a base64 run, only its alphabet). */
static size_t
plain_run(const struct elide_str *es, const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (es->b64ok && !es->padded && !es->keep) {
		while (i < n && b64_is_char(p[i]))
			i++;
		return i;
	}
	while (i < n && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
		i++;
	return i;
}

/* A run of plain text at once (put's work, byte by byte, in bulk). */
static void
put_run(struct elide_str *es, const uint8_t *p, size_t k)
{
	if (es->keep) {
		keep_bytes(es, p, k);
		return;
	}
	if (es->head_len < ELIDE_HEAD) {
		size_t h = ELIDE_HEAD - es->head_len < k ? ELIDE_HEAD - es->head_len : k;

		memcpy(es->head + es->head_len, p, h);
		es->head_len += h;
	}
	sha256_update(&es->h, es->out, es->out_len);	/* what came before, first */
	es->out_len = 0;
	sha256_update(&es->h, p, k);
	if (es->padded)
		es->b64ok = false;	/* text after base64's padding */
	for (size_t i = k > 4 ? k - 4 : 0; i < k; i++)
		es->quad[(es->n + i) % 4] = (char)p[i];
	es->n += k;
}

/* One byte of JSON text. */
static void
feed_byte(struct elide_str *es, uint8_t c)
{
	if (es->esc) {
		escaped(es, c);
		return;
	}
	if (c == '\\') {
		if (es->need) {
			bad(es, "invalid UTF-8 in a long string");
			es->need = 0;
		}
		es->esc = 1;
		return;
	}
	if (es->high) {
		bad(es, "a lone surrogate in a long string");
		es->high = 0;
	}
	raw(es, c);
}

void
elide_feed(struct elide_str *es, const char *text, size_t n)
{
	const uint8_t *p = (const uint8_t *)text, *end = p + n;

	while (p < end) {
		size_t k = 0;

		if (!es->esc && !es->high && !es->need &&
		    (k = plain_run(es, p, (size_t)(end - p))) >= 64) {
			put_run(es, p, k);
			p += k;
			continue;
		}
		/* a short run, byte by byte, and the byte after it */
		for (const uint8_t *stop = p + k + 1 < end ? p + k + 1 : end; p < stop; p++)
			feed_byte(es, *p);
	}
}

long
elide_end(struct elide_str *es, unsigned id, char *out, const char **why, char **kept,
    size_t *kept_len)
{
	char *o = out;
	size_t i, hl = es->head_len;
	uint8_t d[32];
	char hex[65];
	long long b64 = -1;

	if (es->esc || es->high || es->need)
		bad(es, es->need ? "invalid UTF-8 in a long string" : "a bad escape in a long string");
	if (es->err || es->nomem) {
		long e = es->nomem ? -ENOMEM : -EBADMSG;

		*why = es->err;
		elide_free(es);
		return e;
	}
	if (es->keep) {
		*kept = es->kept ? es->kept : strdup("");
		*kept_len = es->kept_len;
		es->kept = NULL;
		elide_free(es);
		if (*kept == NULL)
			return -ENOMEM;
		return sprintf(out, "\\u0000" KEPT "%s %u", our_nonce(), id);
	}
	sha256_update(&es->h, es->out, es->out_len);
	sha256_final(&es->h, d);
	sha256_hex(d, hex);
	if (es->b64ok && es->n % 4 == 0 && b64_decode(es->quad, 4, NULL) >= 0)
		b64 = (long long)(es->n / 4 * 3 - es->pads);
	/* The head ends at a character. */
	for (i = hl; i > 0 && hl - i < 4; i--) {
		uint8_t c = (uint8_t)es->head[i - 1];
		size_t len;

		if ((c & 0xc0) == 0x80)
			continue;
		len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (i - 1 + len > hl)
			hl = i - 1;
		break;
	}
	for (i = 0; i < hl; i++) {
		uint8_t c = (uint8_t)es->head[i];

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20)
			o += sprintf(o, "\\u%04x", c);
		else
			*o++ = (char)c;
	}
	o += sprintf(o, "\\u0000" MARK "%s %llu %lld %s", our_nonce(),
	    (unsigned long long)es->n, b64, hex);
	elide_free(es);
	return (long)(o - out);
}

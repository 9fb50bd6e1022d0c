/* test-elide: an eliding trace reader (trace_reader_elide, trace/elide.h)
 * keeps long strings as digests that say what the strings were: their
 * length, whether and to what they decode as base64, their hash, their
 * first bytes; the same string gives the same digest wherever it lies;
 * a bad long string is a bad line; no trace can forge a digest; lines too
 * big to keep are refused; memory stays small however long the line. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/bytes.h"
#include "trace/elide.h"
#include "trace/io.h"
#include "trace/sha256.h"
#include "tap.h"

static char dir[] = "/tmp/dios-test-elide-XXXXXX";
static char path[256];

/* A growing text. */
struct text {
	char *p;
	size_t n, cap;
};

static void
add(struct text *t, const void *p, size_t n)
{
	if (t->n + n + 1 > t->cap) {
		t->cap = (t->n + n + 1) * 2;
		if ((t->p = realloc(t->p, t->cap)) == NULL)
			bail_out("out of memory");
	}
	memcpy(t->p + t->n, p, n);
	t->n += n;
	t->p[t->n] = '\0';
}

static void
adds(struct text *t, const char *s)
{
	add(t, s, strlen(s));
}

/* A zstd stream of t, in frames of about 100 KiB (so lines cross frames). */
static void
write_trace(const struct text *t)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		bail_out("cannot create %s", path);
	while (off < t->n) {
		size_t k = t->n - off < 100000 ? t->n - off : 100000;
		size_t cap = ZSTD_compressBound(k), z;
		void *buf = malloc(cap);

		if (!buf)
			bail_out("out of memory");
		z = ZSTD_compress(buf, cap, t->p + off, k, 1);
		if (ZSTD_isError(z) || write(fd, buf, z) != (ssize_t)z)
			bail_out("cannot write %s", path);
		free(buf);
		off += k;
	}
	close(fd);
}

static struct trace_reader *
open_eliding(void)
{
	struct trace_reader *r;

	if (trace_reader_open(&r, path) < 0)
		bail_out("cannot open %s", path);
	trace_reader_elide(r, 0);
	return r;
}

/* The long string's content, its JSON text holding escapes of every kind:
 * \n, \", \\, \/, \u00e9, a surrogate pair, raw UTF-8, \u0000. */
static void
long_string(struct text *json, struct text *content, size_t reps)
{
	static const char piece_json[] =
	    "line\\n \\\"q\\\" \\\\ \\/ \\u00e9 \\ud83d\\ude00 \xc3\xa9 \\u0000 abc ";
	static const char piece_bytes[] =
	    "line\n \"q\" \\ / \xc3\xa9 \xf0\x9f\x98\x80 \xc3\xa9 \0 abc ";

	for (size_t i = 0; i < reps; i++) {
		adds(json, piece_json);
		add(content, piece_bytes, sizeof piece_bytes - 1);
	}
}

static void
test_digests(void)
{
	struct text t = { 0 }, s = { 0 }, c = { 0 }, b = { 0 };
	struct trace_reader *r;
	json_t *o1 = NULL, *o2 = NULL, *o;
	struct elided e;
	char hex[65];
	unsigned char *raw;
	size_t i, nraw = 200000;

	long_string(&s, &c, 8000);	/* about 380 KiB of text */
	if ((raw = malloc(nraw)) == NULL)
		bail_out("out of memory");
	for (i = 0; i < nraw; i++)
		raw[i] = (unsigned char)(i * 7 + i / 300);
	{
		char *enc = malloc(B64_LEN(nraw) + 1);

		b64_encode(raw, nraw, enc);
		adds(&b, enc);
		free(enc);
	}
	for (int k = 0; k < 2; k++) {
		adds(&t, "{");
		if (k == 1)
			adds(&t, "\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",");
		adds(&t, "\"a\":\"");
		add(&t, s.p, s.n);
		adds(&t, "\",\"b\":{\"b64\":\"");
		add(&t, b.p, b.n);
		adds(&t, "\"},\"c\":{\"text\":\"");
		add(&t, s.p, s.n);
		adds(&t, "\"},\"d\":\"short\"}\n");
	}
	adds(&t, "{\"plain\":[1,2,3]}\n");
	write_trace(&t);
	r = open_eliding();
	ok(trace_read(r, &o1) == 1 && trace_read(r, &o2) == 1, "two lines with long strings read");
	if (!o1 || !o2)
		bail_out("cannot go on");
	ok(trace_reader_text_bytes(r) == t.n - strlen("{\"plain\":[1,2,3]}\n"),
	    "the text counted is the lines' whole text (%llu)",
	    (unsigned long long)trace_reader_text_bytes(r));
	ok(json_string_length(json_object_get(o1, "a")) < ELIDE_TEXT_MAX,
	    "the long string is kept short (%zu bytes)", json_string_length(json_object_get(o1, "a")));
	ok(elided_get(json_object_get(o1, "a"), &e), "it is an elided string");
	sha256_buf_hex(c.p, c.n, hex);
	ok(e.n == c.n, "its length is the unescaped content's (%llu, %zu)",
	    (unsigned long long)e.n, c.n);
	is_str(e.sha256, hex, "its hash is the content's");
	ok(e.b64 == -1, "it is not base64");
	ok(e.head_len > 0 && e.head_len <= ELIDE_HEAD && memcmp(e.head, c.p, e.head_len) == 0,
	    "its head is the content's first %zu bytes", e.head_len);
	ok(json_bytes_len(json_object_get(o1, "b")) == (ssize_t)nraw,
	    "a long base64 bytes object's length is what it decodes to");
	{
		struct elided eb;

		ok(json_bytes_elided(json_object_get(o1, "b"), &eb) && eb.head_len == ELIDE_HEAD / 4 * 3 &&
		    memcmp(eb.head, raw, eb.head_len) == 0, "its head is the decoded first bytes");
	}
	{
		void *p;
		size_t n;

		ok(json_get_bytes(json_object_get(o1, "b"), &p, &n) == -E2BIG,
		    "json_get_bytes of it: -E2BIG");
	}
	ok(json_bytes_len(json_object_get(o1, "c")) == (ssize_t)c.n,
	    "a long text bytes object's length is the content's");
	is_str(json_string_value(json_object_get(o1, "d")), "short", "a short string stays whole");
	ok(json_equal(json_object_get(o1, "a"), json_object_get(o2, "a")) &&
	    json_equal(json_object_get(o1, "b"), json_object_get(o2, "b")) &&
	    json_equal(json_object_get(o1, "c"), json_object_get(o2, "c")),
	    "the same strings elsewhere in the text give the same digests");
	ok(elided_in(o1), "elided_in finds them");
	ok(trace_read(r, &o) == 1 && !elided_in(o), "a line without long strings has none");
	json_decref(o);
	ok(trace_read(r, &o) == 0 && !trace_reader_truncated(r), "then the end");
	trace_reader_close(r);

	/* Not eliding, the same trace gives the strings whole. */
	if (trace_reader_open(&r, path) < 0)
		bail_out("cannot open %s", path);
	ok(trace_read(r, &o) == 1 && json_string_length(json_object_get(o, "a")) == c.n &&
	    memcmp(json_string_value(json_object_get(o, "a")), c.p, c.n) == 0 &&
	    !elided_in(o), "a reader that does not elide gives the string whole");
	json_decref(o);
	trace_reader_close(r);
	json_decref(o1);
	json_decref(o2);
	free(raw);
	free(t.p);
	free(s.p);
	free(c.p);
	free(b.p);
}

/* A line {"x":"<200000 'a'> BAD <10 'a'>"}: BAD spoils the string. */
static void
bad_line(struct text *t, const char *bad)
{
	static char as[200001];

	memset(as, 'a', sizeof as - 1);
	adds(t, "{\"x\":\"");
	adds(t, as);
	adds(t, bad);
	adds(t, "aaaaaaaaaa\"}\n");
}

static void
test_bad(void)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "\\x", "a bad escape in a long string" },
		{ "\\u12g4", "a bad \\u escape in a long string" },
		{ "\\ud83d", "a lone surrogate in a long string" },
		{ "\\ude00", "a lone surrogate in a long string" },
		{ "\\ud83d\\n", "a lone surrogate in a long string" },
		{ "\xff", "invalid UTF-8 in a long string" },
		{ "\xc3", "invalid UTF-8 in a long string" },
		{ "\xed\xa0\x80", "invalid UTF-8 in a long string" },
		{ "\x01", "a control character in a long string" },
	};
	size_t n = sizeof cases / sizeof cases[0], i;
	struct text t = { 0 };
	struct trace_reader *r;
	json_t *o;
	char want[128];

	for (i = 0; i < n; i++) {
		bad_line(&t, cases[i].text);
		adds(&t, "{\"ok\":1}\n");
	}
	/* not base64: a bytes object that is not valid */
	bad_line(&t, "!");
	bad_line(&t, "QQ==");	/* padding before the end */
	write_trace(&t);
	r = open_eliding();
	for (i = 0; i < n; i++) {
		int rc = trace_read(r, &o);

		snprintf(want, sizeof want, "line %zu: not JSON: %s", 2 * i + 1, cases[i].why);
		ok(rc == -EBADMSG && strcmp(trace_reader_error(r), want) == 0,
		    "a long string with %s: \"%s\"", cases[i].why, trace_reader_error(r));
		ok(trace_read(r, &o) == 1 && json_object_get(o, "ok"), "the next line reads");
		json_decref(o);
	}
	for (int k = 0; k < 2; k++) {
		ok(trace_read(r, &o) == 1, "a long string of no base64 reads (%s)",
		    k ? "padding in the middle" : "a bad character");
		{
			json_t *bo = json_pack("{s:O}", "b64", json_object_get(o, "x"));

			ok(json_bytes_len(bo) == -EINVAL, "as base64 bytes it is not valid");
			json_decref(bo);
		}
		json_decref(o);
	}
	trace_reader_close(r);
	free(t.p);
}

static void
test_forged(void)
{
	struct text t = { 0 };
	struct trace_reader *r;
	struct elided e;
	json_t *o;
	char line[512];

	snprintf(line, sizeof line, "{\"b\":{\"b64\":\"QUJD\\u0000dios-elided "
	    "00000000000000000000000000000000 5 3 %064d\"}}\n", 0);
	adds(&t, line);
	write_trace(&t);
	r = open_eliding();
	ok(trace_read(r, &o) == 1, "a line that mimics a digest reads");
	ok(!elided_get(json_object_get(json_object_get(o, "b"), "b64"), &e) &&
	    json_bytes_len(json_object_get(o, "b")) == -EINVAL,
	    "it is not taken for one (the nonce is this process's)");
	json_decref(o);
	trace_reader_close(r);
	free(t.p);
}

static void
test_refused(void)
{
	struct text t = { 0 };
	struct trace_reader *r;
	json_t *o;
	size_t i;

	adds(&t, "{\"x\":[0");
	for (i = 0; i < ELIDE_MAX_VALUES + 1; i++)
		adds(&t, ",0");
	adds(&t, "]}\n");
	write_trace(&t);
	r = open_eliding();
	ok(trace_read(r, &o) == -EBADMSG && strstr(trace_reader_error(r), "more than 2 million values"),
	    "a line of more values than an eliding reader keeps: \"%s\"", trace_reader_error(r));
	trace_reader_close(r);

	t.n = 0;
	adds(&t, "{\"x\":[\"y\"");
	while (t.n < ELIDE_MAX_KEPT + 100)
		adds(&t, ",\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\"");
	adds(&t, "]}\n");
	write_trace(&t);
	r = open_eliding();
	ok(trace_read(r, &o) == -EBADMSG &&
	    strstr(trace_reader_error(r), "more than 16 MiB of text besides its long strings"),
	    "a line of more short text than it keeps: \"%s\"", trace_reader_error(r));
	trace_reader_close(r);
	free(t.p);
}

/* A 64 MiB string passes through a heap of a few hundred KiB. */
static void
test_memory(void)
{
	struct text t = { 0 };
	struct trace_reader *r;
	size_t before, peak = 0, n = 64u << 20;
	json_t *o;
	size_t len;
	int rc;

	adds(&t, "{\"x\":{\"b64\":\"");
	while (t.n < n)
		adds(&t, "QUJDQUJD");
	adds(&t, "QUI=");
	len = t.n - strlen("{\"x\":{\"b64\":\"");
	adds(&t, "\"}}\n");
	write_trace(&t);
	free(t.p);
	before = mallinfo2().uordblks;
	r = open_eliding();
	rc = trace_read(r, &o);
	peak = mallinfo2().uordblks;
	ok(rc == 1 && json_bytes_len(json_object_get(o, "x")) == (ssize_t)(len / 4 * 3 - 1),
	    "a 64 MiB line reads, its base64 counted (%zd)", json_bytes_len(json_object_get(o, "x")));
	if (before == 0)
		skip(1, "heap statistics unavailable (sanitizer allocator?)");
	else
		ok(peak < before + (4u << 20), "with at most 4 MiB of heap (%zu KiB)",
		    (peak - before) >> 10);
	json_decref(o);
	trace_reader_close(r);
}

int
main(void)
{
	if (!mkdtemp(dir))
		bail_out("mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof path, "%s/t.json.zst", dir);
	test_digests();
	test_bad();
	test_forged();
	test_refused();
	test_memory();
	unlink(path);
	rmdir(dir);
	return done_testing();
}

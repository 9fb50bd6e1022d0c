/* fuzz-trace-reader: the trace reader against hostile input.
 *
 * LLVMFuzzerTestOneInput() writes the input to a temporary file and reads
 * every line.  Built with -DDIOS_LIBFUZZER -fsanitize=fuzzer it is a
 * libFuzzer target; otherwise main() is a TAP test running a deterministic
 * mutation loop (fixed seed) over traces made by the writer: bit flips,
 * truncation, insertions, deletions, copies and magic numbers in the
 * compressed bytes, and edits of the JSON text recompressed as valid zstd.
 * The reader must never crash, leak, hang or break its contract.  Each input
 * is read again three ways side by side: whole by jansson, and decoding
 * every string past 4 bytes itself, kept (the default) or elided: the same
 * lines must be good and bad, kept strings must be what jansson gives, and
 * each digest must give the length, hash and first bytes of its string.
 *
 *	fuzz-trace-reader [ITERATIONS]	(default 2000, or $DIOS_FUZZ_ITERATIONS;
 *					200 in make check-sanitizers)
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/elide.h"
#include "trace/io.h"
#include "trace/sha256.h"
#include "tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[] = "/tmp/dios-fuzz-trace-XXXXXX";
static char fuzz_path[64];

/* Outcomes, for the summary. */
static struct {
	unsigned long runs, objects, bad_lines, complete, truncated, stream_errors;
	unsigned long elided;	/* strings an eliding reader kept as digests */
	unsigned long contract;	/* broken promises: must stay 0 */
} stats;

static void
fuzz_cleanup(void)
{
	if (fuzz_path[0]) {
		unlink(fuzz_path);
		rmdir(fuzz_dir);
	}
}

static void
fuzz_setup(void)
{
	if (fuzz_path[0])
		return;
	if (!mkdtemp(fuzz_dir))
		bail_out("mkdtemp: %s", strerror(errno));
	snprintf(fuzz_path, sizeof fuzz_path, "%s/input.json.zst", fuzz_dir);
	atexit(fuzz_cleanup);
}

static bool
printable(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* Whether b, read by an eliding reader, says what a, read whole, holds:
 * the same values, and for each elided string its length, hash and head. */
static bool
same_but_elided(const json_t *a, const json_t *b)
{
	struct elided e;
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(b) && json_is_string(a) && elided_get(b, &e)) {
		char hex[65];

		stats.elided++;
		sha256_buf_hex(json_string_value(a), json_string_length(a), hex);
		return e.n == json_string_length(a) && strcmp(hex, e.sha256) == 0 &&
		    e.head_len <= e.n && memcmp(e.head, json_string_value(a), e.head_len) == 0;
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		json_array_foreach(a, i, v)
			if (!same_but_elided(v, json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, k, v)
			if (!json_object_get(b, k) || !same_but_elided(v, json_object_get(b, k)))
				return false;
		return true;
	}
	return json_equal(a, b);
}

/* The file read whole (by jansson), kept (the default, strings past 4
 * bytes decoded by the reader) and elided (the same, as digests), side by
 * side: the same lines good and bad, the same values, the digests saying
 * what they stand for (a long key is the one thing a reader that decodes
 * long strings may not take). */
static void
differential(void)
{
	struct trace_reader *a, *b, *c;

	if (trace_reader_open(&a, fuzz_path) < 0 || trace_reader_open(&b, fuzz_path) < 0 ||
	    trace_reader_open(&c, fuzz_path) < 0)
		abort();
	trace_reader_whole(a);
	trace_reader_elide(b, 4);
	trace_reader_keep(c, 4);
	for (;;) {
		json_t *oa = NULL, *ob = NULL, *oc = NULL;
		int ra = trace_read(a, &oa), rb = trace_read(b, &ob), rc = trace_read(c, &oc);
		bool key = rb == -EBADMSG && strstr(trace_reader_error(b), "key");

		/* The zstd stream's errors may come a line sooner or later on
		 * either side (other output buffers): compare up to them. */
		if ((ra < 0 && strncmp(trace_reader_error(a), "line ", 5) != 0) ||
		    (rb < 0 && strncmp(trace_reader_error(b), "line ", 5) != 0) ||
		    (rc < 0 && strncmp(trace_reader_error(c), "line ", 5) != 0)) {
			json_decref(oa);
			json_decref(ob);
			json_decref(oc);
			break;
		}
		if ((ra == 1) != (rb == 1) && !(ra == 1 && key))
			stats.contract++;
		else if (ra == 1 && rb == 1 && !same_but_elided(oa, ob))
			stats.contract++;
		else if ((ra == 0) != (rb == 0))
			stats.contract++;
		if (rc != rb || (rc == 1 && !json_equal(oa, oc)))
			stats.contract++;	/* kept: what jansson gives */
		json_decref(oa);
		json_decref(ob);
		json_decref(oc);
		if (ra == 0 || rb == 0 || trace_reader_line(a) != trace_reader_line(b) ||
		    trace_reader_line(c) != trace_reader_line(b) ||
		    (ra < 0 && strstr(trace_reader_error(a), "longer than")))
			break;
	}
	trace_reader_close(a);
	trace_reader_close(b);
	trace_reader_close(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_reader *r;
	json_t *o;
	uint64_t last_line = 0;
	int fd, rc;
	size_t off = 0;

	fuzz_setup();
	fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	while (off < size) {
		ssize_t k = write(fd, data + off, size - off);

		if (k <= 0)
			abort();
		off += (size_t)k;
	}
	close(fd);

	stats.runs++;
	if (trace_reader_open(&r, fuzz_path) < 0)
		abort();
	for (;;) {
		o = (json_t *)1;
		rc = trace_read(r, &o);
		if (rc == 1) {
			if (!json_is_object(o))
				stats.contract++;
			json_decref(o);
			stats.objects++;
			last_line = trace_reader_line(r);
			continue;
		}
		if (o != NULL)
			stats.contract++;
		if (rc == 0) {
			if (trace_reader_truncated(r))
				stats.truncated++;
			else
				stats.complete++;
			if (trace_read(r, &o) != 0)	/* the end stays the end */
				stats.contract++;
			break;
		}
		if (rc != -EBADMSG || !printable(trace_reader_error(r)))
			stats.contract++;
		if (trace_reader_line(r) > last_line &&
		    strncmp(trace_reader_error(r), "line ", 5) == 0 &&
		    !strstr(trace_reader_error(r), "longer than")) {
			/* a bad line was consumed: read on */
			stats.bad_lines++;
			last_line = trace_reader_line(r);
			continue;
		}
		stats.stream_errors++;
		if (trace_read(r, &o) != rc)	/* stream errors are sticky */
			stats.contract++;
		break;
	}
	if (trace_reader_bytes(r) > size)
		stats.contract++;
	trace_reader_close(r);
	differential();
	return 0;
}

#ifndef DIOS_LIBFUZZER

/* xorshift64*: the same sequence everywhere. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static size_t
rnd(size_t n)
{
	return n ? rng() % n : 0;
}

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void
reserve(struct buf *b, size_t n)
{
	if (b->cap >= n)
		return;
	b->cap = n * 2 + 64;
	b->p = realloc(b->p, b->cap);
	if (!b->p)
		bail_out("out of memory");
}

static void
set(struct buf *b, const void *p, size_t n)
{
	reserve(b, n);
	memcpy(b->p, p, n);
	b->n = n;
}

static void
read_whole(const char *path, struct buf *b)
{
	uint8_t chunk[65536];
	ssize_t k;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		bail_out("open %s: %s", path, strerror(errno));
	b->n = 0;
	while ((k = read(fd, chunk, sizeof chunk)) > 0) {
		reserve(b, b->n + (size_t)k);
		memcpy(b->p + b->n, chunk, (size_t)k);
		b->n += (size_t)k;
	}
	close(fd);
}

/* A trace made by the writer: a header, events of all shapes, a few frames;
 * with big, one frame of many zstd blocks. */
static void
make_seed(struct buf *b, bool big)
{
	char path[96];
	struct trace_writer *w;
	json_t *o;
	size_t i, n = big ? 3000 : 40;

	snprintf(path, sizeof path, "%s/seed.json.zst", fuzz_dir);
	if (trace_writer_open(&w, path, false) < 0)
		bail_out("trace_writer_open %s", path);
	o = json_pack("{s:s,s:i,s:[s,s],s:{s:s}}", "format", "dios-trace", "version", 1,
	    "argv", "/bin/cat", "-", "host", "arch", "x86_64");
	trace_write(w, o);
	json_decref(o);
	for (i = 0; i < n; i++) {
		char s[64];

		snprintf(s, sizeof s, "%zx/\xc3\xa9\\\"%zu", i * 2654435761u, i);
		o = json_pack("{s:I,s:i,s:s,s:{s:i,s:s},s:I,s:{s:{s:s#}},s:f,s:b,s:n}",
		    "seq", (json_int_t)i, "tid", 100 + (int)(i % 3), "sys", "read",
		    "args", "fd", (int)i % 5, "path", s, "ret", (json_int_t)i - 2,
		    "out", "buf", "text", "a\0b\nc", (size_t)(i % 6), "t", i * 0.25,
		    "ok", (int)(i & 1), "nil");
		if (!o)
			bail_out("json_pack");
		trace_write(w, o);
		json_decref(o);
		if (!big && i % 10 == 9)
			trace_writer_flush(w);
	}
	if (trace_writer_close(w) < 0)
		bail_out("trace_writer_close");
	read_whole(path, b);
	unlink(path);
}

/* One random change to the bytes. */
static void
mutate(struct buf *b)
{
	static const uint8_t magics[][4] = {
		{ 0x28, 0xb5, 0x2f, 0xfd }, { 0x50, 0x2a, 0x4d, 0x18 },
		{ 0x22, 0xb5, 0x2f, 0xfd }, { 0x27, 0xb5, 0x2f, 0xfd },	/* legacy */
		{ 0xff, 0xff, 0xff, 0xff }, { 0, 0, 0, 0 },
	};
	static const uint8_t bytes[] = { 0, 0xff, 0x7f, 0x80, '\n', '{', '}', '"', '\\' };
	size_t pos = rnd(b->n + 1), k, i;

	switch (rnd(9)) {
	case 0:	/* flip a bit */
		if (pos < b->n)
			b->p[pos] ^= (uint8_t)(1u << rnd(8));
		break;
	case 1:	/* a random byte */
		if (pos < b->n)
			b->p[pos] = (uint8_t)rng();
		break;
	case 2:	/* an interesting byte */
		if (pos < b->n)
			b->p[pos] = bytes[rnd(sizeof bytes)];
		break;
	case 3:	/* truncate */
		b->n = pos;
		break;
	case 4:	/* insert random bytes */
		k = 1 + rnd(16);
		reserve(b, b->n + k);
		memmove(b->p + pos + k, b->p + pos, b->n - pos);
		for (i = 0; i < k; i++)
			b->p[pos + i] = (uint8_t)rng();
		b->n += k;
		break;
	case 5:	/* delete a range */
		k = rnd(b->n - pos + 1);
		memmove(b->p + pos, b->p + pos + k, b->n - pos - k);
		b->n -= k;
		break;
	case 6: {	/* copy a range elsewhere (duplicated frames, blocks) */
		size_t from = rnd(b->n + 1);

		k = rnd(b->n - from + 1);
		if (k > 4096)
			k = 4096;
		reserve(b, b->n + k);
		memmove(b->p + pos + k, b->p + pos, b->n - pos);
		memmove(b->p + pos, b->p + (from >= pos ? from + k : from), k);
		b->n += k;
		break;
	}
	case 7:	/* a magic number */
		if (b->n >= 4) {
			pos = rnd(b->n - 3);
			memcpy(b->p + pos, magics[rnd(sizeof magics / sizeof magics[0])], 4);
		}
		break;
	case 8:	/* add a little number to a byte (lengths, sizes) */
		if (pos < b->n)
			b->p[pos] += (uint8_t)(rnd(9) - 4);
		break;
	}
}

/* Compresses text as 1..3 valid frames (so the JSON layer gets fuzzed). */
static void
compress_frames(const struct buf *text, struct buf *out)
{
	size_t frames = 1 + rnd(3), done = 0, f;

	out->n = 0;
	for (f = 0; f < frames; f++) {
		size_t part = f + 1 == frames ? text->n - done : rnd(text->n - done + 1);
		size_t cap = ZSTD_compressBound(part), k;

		reserve(out, out->n + cap);
		k = ZSTD_compress(out->p + out->n, cap, text->p + done, part, 1 + (int)rnd(5));
		if (ZSTD_isError(k))
			bail_out("ZSTD_compress: %s", ZSTD_getErrorName(k));
		out->n += k;
		done += part;
	}
}

static void
decompress(const struct buf *z, struct buf *text)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer in = { z->p, z->n, 0 };

	text->n = 0;
	while (in.pos < in.size) {
		ZSTD_outBuffer o;
		size_t r;

		reserve(text, text->n + 65536);
		o = (ZSTD_outBuffer){ text->p + text->n, text->cap - text->n, 0 };
		r = ZSTD_decompressStream(d, &o, &in);
		if (ZSTD_isError(r))
			bail_out("seed does not decompress: %s", ZSTD_getErrorName(r));
		text->n += o.pos;
	}
	ZSTD_freeDCtx(d);
}

int
main(int argc, char **argv)
{
	struct buf seeds[2] = { { 0 } }, texts[2] = { { 0 } }, cur = { 0 }, tmp = { 0 };
	unsigned long iterations = 2000, it, before;
	const char *env = getenv("DIOS_FUZZ_ITERATIONS");
	int s;

	const char *san = getenv("DIOS_SANITIZED");

	if (argc > 1)
		iterations = strtoul(argv[1], NULL, 10);
	else if (env && *env)
		iterations = strtoul(env, NULL, 10);
	else if (san && *san)
		iterations = 200;	/* make check-sanitizers: minutes over 2000;
					 * check-fuzz runs more under ASan */
	alarm(600);	/* a hang is a failure, not a stuck make check */
	plan(4);
	fuzz_setup();
	make_seed(&seeds[0], false);
	make_seed(&seeds[1], true);
	for (s = 0; s < 2; s++)
		decompress(&seeds[s], &texts[s]);

	before = stats.objects;
	LLVMFuzzerTestOneInput(seeds[0].p, seeds[0].n);
	LLVMFuzzerTestOneInput(seeds[1].p, seeds[1].n);
	ok(stats.objects - before == 41 + 3001 && stats.complete == 2 && stats.contract == 0,
	    "the seed traces read completely (%lu objects)", stats.objects - before);

	for (it = 0; it < iterations; it++) {
		unsigned m, nmut = 1 + (unsigned)rnd(4);

		s = (int)rnd(8) == 0;	/* the big seed now and then: it is slow */
		if (rnd(3) == 0) {
			/* Edit the JSON text, then compress it validly. */
			set(&tmp, texts[s].p, texts[s].n);
			for (m = 0; m < nmut; m++)
				mutate(&tmp);
			compress_frames(&tmp, &cur);
			if (rnd(4) == 0)
				mutate(&cur);
		} else {
			set(&cur, seeds[s].p, seeds[s].n);
			for (m = 0; m < nmut; m++)
				mutate(&cur);
		}
		LLVMFuzzerTestOneInput(cur.p, cur.n);
	}
	/* Pure noise, and noise behind a valid magic. */
	for (it = 0; it < 64; it++) {
		size_t i, n = rnd(512);

		reserve(&cur, n + 4);
		for (i = 0; i < n; i++)
			cur.p[i] = (uint8_t)rng();
		if (it % 2 && n >= 4)
			memcpy(cur.p, "\x28\xb5\x2f\xfd", 4);
		cur.n = n;
		LLVMFuzzerTestOneInput(cur.p, cur.n);
	}
	diag("%lu inputs: %lu objects, %lu bad lines, %lu complete, %lu truncated, %lu stream errors, "
	    "%lu strings elided", stats.runs, stats.objects, stats.bad_lines, stats.complete,
	    stats.truncated, stats.stream_errors, stats.elided);
	ok(stats.runs == iterations + 66, "%lu mutated inputs read without a crash or hang",
	    iterations + 64);
	ok(stats.contract == 0, "the reader kept its contract on every input (%lu breaches)",
	    stats.contract);
	ok(iterations < 100 || (stats.bad_lines > 0 && stats.truncated > 0 &&
	    stats.stream_errors > 0 && stats.objects > 0 && stats.elided > 0),
	    "the mutations reached every outcome");
	for (s = 0; s < 2; s++) {
		free(seeds[s].p);
		free(texts[s].p);
	}
	free(cur.p);
	free(tmp.p);
	return done_testing();
}

#endif /* !DIOS_LIBFUZZER */

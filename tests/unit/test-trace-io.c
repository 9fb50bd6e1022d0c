/* test-trace-io: the streaming trace writer and reader (trace_io.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/io.h"
#include "tap.h"

static char dir[] = "/tmp/dios-test-trace-io-XXXXXX";

/* Second round: writers and readers with a thread of their own
 * (trace_writer_background, trace_reader_background). */
static bool bg;

static int
wopen(struct trace_writer **w, const char *path, bool exclusive)
{
	int rc = trace_writer_open(w, path, exclusive);

	if (rc == 0 && bg && (rc = trace_writer_background(*w, NULL)) < 0)
		bail_out("trace_writer_background: %s", strerror(-rc));
	return rc;
}

static int
ropen(struct trace_reader **r, const char *path)
{
	int rc = trace_reader_open(r, path);

	if (rc == 0 && bg && (rc = trace_reader_background(*r, NULL)) < 0)
		bail_out("trace_reader_background: %s", strerror(-rc));
	return rc;
}

static const char *
tpath(const char *name)
{
	static char buf[8][128];
	static int k;
	char *p = buf[k++ % 8];

	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) < 0)
		bail_out("cannot write %s: %s", path, strerror(errno));
}

/* The whole file; caller frees. */
static char *
slurp(const char *path, size_t *n)
{
	struct stat st;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		bail_out("cannot open %s: %s", path, strerror(errno));
	p = malloc((size_t)st.st_size + 1);
	if (!p || read(fd, p, (size_t)st.st_size) != st.st_size)
		bail_out("cannot read %s", path);
	close(fd);
	p[st.st_size] = '\0';
	*n = (size_t)st.st_size;
	return p;
}

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* One complete zstd frame holding text. */
static void
write_zstd(const char *path, const char *text, size_t n)
{
	size_t cap = ZSTD_compressBound(n), k;
	void *z = malloc(cap);

	if (!z)
		bail_out("out of memory");
	k = ZSTD_compress(z, cap, text, n, 3);
	if (ZSTD_isError(k))
		bail_out("ZSTD_compress: %s", ZSTD_getErrorName(k));
	write_file(path, z, k);
	free(z);
}

/* Decompresses a whole file with libzstd directly; caller frees. */
static char *
unzstd(const char *path, size_t *outn)
{
	size_t n, cap = 1 << 16, len = 0;
	char *z = slurp(path, &n), *out = malloc(cap);
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer in = { z, n, 0 };

	while (in.pos < in.size) {
		ZSTD_outBuffer o;
		size_t r;

		if (cap - len < 4096 && !(out = realloc(out, cap *= 2)))
			bail_out("out of memory");
		o = (ZSTD_outBuffer){ out + len, cap - len, 0 };
		r = ZSTD_decompressStream(d, &o, &in);
		if (ZSTD_isError(r))
			bail_out("unzstd %s: %s", path, ZSTD_getErrorName(r));
		len += o.pos;
	}
	ZSTD_freeDCtx(d);
	free(z);
	out[len] = '\0';
	*outn = len;
	return out;
}

struct result {
	int rc;			/* last trace_read result */
	size_t count;		/* objects read */
	bool prefix;		/* each equal to want[i] */
	bool truncated;
	uint64_t line;
	char error[400];
};

/* Reads path to the end or the first error, comparing with want[]. */
static struct result
read_all(const char *path, json_t *const *want, size_t nwant)
{
	struct result res = { .prefix = true };
	struct trace_reader *r;
	json_t *o;

	res.rc = ropen(&r, path);
	if (res.rc < 0)
		return res;
	while ((res.rc = trace_read(r, &o)) == 1) {
		if (res.count >= nwant || !json_equal(o, want[res.count]))
			res.prefix = false;
		res.count++;
		json_decref(o);
	}
	res.truncated = trace_reader_truncated(r);
	res.line = trace_reader_line(r);
	snprintf(res.error, sizeof res.error, "%s", trace_reader_error(r));
	trace_reader_close(r);
	return res;
}

static json_t *
event(size_t i)
{
	json_t *j = json_pack("{s:I,s:i,s:s,s:{s:i,s:i},s:I,s:{s:{s:s%}}}",
	    "seq", (json_int_t)i, "tid", 1000 + (int)(i % 7), "sys", "read",
	    "args", "fd", 3, "count", 4096, "ret", (json_int_t)(i % 300),
	    "out", "buf", "text", "abcdefghijklmnopqrstuvwxyz0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz"
	    "0123456789abcdefghijklmnopqrstuvwxyz0123456789", (size_t)(i % 120));

	if (!j)
		bail_out("json_pack failed");
	return j;
}

static void
test_round_trip(void)
{
	const char *p = tpath("basic.json.zst");
	struct trace_writer *w;
	struct trace_reader *r;
	json_t *objs[3], *o;
	char *text;
	size_t n, i;
	int rc;
	uint64_t wbytes;
	const char *want =
	    "{\"format\":\"dios-trace\",\"version\":1,\"argv\":[\"/bin/true\"]}\n"
	    "{\"seq\":1,\"tid\":42,\"sys\":\"write\",\"args\":{\"fd\":1,\"buf\":{\"text\":\"a\\u0000b\\n\"}},\"ret\":4}\n"
	    "{\"zeta\":\"caf\xc3\xa9\",\"alpha\":-1.5,\"mid\":null,\"b\":[true,false,{}]}\n";

	objs[0] = json_pack("{s:s,s:i,s:[s]}", "format", "dios-trace", "version", 1,
	    "argv", "/bin/true");
	objs[1] = json_pack("{s:i,s:i,s:s,s:{s:i,s:{s:s#}},s:i}", "seq", 1, "tid", 42,
	    "sys", "write", "args", "fd", 1, "buf", "text", "a\0b\n", 4, "ret", 4);
	objs[2] = json_pack("{s:s,s:f,s:n,s:[b,b,{}]}", "zeta", "caf\xc3\xa9",
	    "alpha", -1.5, "mid", "b", 1, 0);
	if (!objs[0] || !objs[1] || !objs[2])
		bail_out("json_pack failed");

	rc = wopen(&w, p, true);
	if (!is_int(rc, 0, "trace_writer_open creates %s", p))
		bail_out("cannot go on");
	for (i = 0; i < 3; i++)
		is_int(trace_write(w, objs[i]), 0, "trace_write of object %zu", i + 1);
	is_int(trace_writer_flush(w), 0, "trace_writer_flush");
	wbytes = trace_writer_bytes(w);
	ok(wbytes > 0 && (off_t)wbytes == file_size(p),
	    "after a flush, trace_writer_bytes (%llu) is the file size",
	    (unsigned long long)wbytes);
	is_int(trace_writer_flush(w), 0, "a second flush with nothing pending");
	ok(trace_writer_bytes(w) == wbytes, "... writes nothing");
	o = json_array();
	is_int(trace_write(w, o), -EINVAL, "trace_write of a non-object is -EINVAL");
	json_decref(o);
	is_int(trace_writer_close(w), 0, "trace_writer_close");
	is_int(trace_writer_close(NULL), 0, "trace_writer_close(NULL)");

	text = unzstd(p, &n);
	ok(n == strlen(want) && memcmp(text, want, n) == 0,
	    "the file is compact JSON Lines in insertion order");
	if (n != strlen(want) || memcmp(text, want, n) != 0)
		diag("got:\n%s", text);
	free(text);

	if (ropen(&r, p) < 0)
		bail_out("trace_reader_open %s", p);
	for (i = 0; i < 3; i++) {
		rc = trace_read(r, &o);
		ok(rc == 1 && json_equal(o, objs[i]) && trace_reader_line(r) == i + 1,
		    "trace_read returns object %zu as line %zu", i + 1, i + 1);
		json_decref(o);
	}
	o = (json_t *)1;
	is_int(trace_read(r, &o), 0, "then 0 at the end");
	ok(o == NULL, "... with *obj NULL");
	ok(!trace_reader_truncated(r), "... not truncated");
	is_int(trace_read(r, &o), 0, "reading again still returns 0");
	ok(trace_reader_bytes(r) == wbytes, "trace_reader_bytes is the file size");
	trace_reader_close(r);
	trace_reader_close(NULL);
	for (i = 0; i < 3; i++)
		json_decref(objs[i]);
	unlink(p);
}

static void
test_tick(void)
{
	const char *p = tpath("tick.json.zst");
	struct trace_writer *w;
	json_t *objs[5];
	struct result res;
	struct timespec ts = { 1, 100000000 };
	size_t i;
	uint64_t b;

	for (i = 0; i < 5; i++)
		objs[i] = event(i);
	if (wopen(&w, p, true) < 0)
		bail_out("trace_writer_open %s", p);
	is_int(trace_writer_tick(w), 0, "tick with nothing written");
	ok(trace_writer_bytes(w) == 0, "... writes nothing");
	for (i = 0; i < 3; i++)
		if (trace_write(w, objs[i]) < 0)
			bail_out("trace_write");
	is_int(trace_writer_tick(w), 0, "tick right after writing");
	ok(trace_writer_bytes(w) == 0, "... does not end the frame yet");
	nanosleep(&ts, NULL);
	is_int(trace_writer_tick(w), 0, "tick after 1.1 s");
	b = trace_writer_bytes(w);
	ok(b > 0 && file_size(p) == (off_t)b, "... ended the frame and wrote it (%llu bytes)",
	    (unsigned long long)b);
	is_int(trace_writer_tick(w), 0, "another tick");
	ok(trace_writer_bytes(w) == b, "... with nothing pending writes nothing");

	res = read_all(p, objs, 5);
	ok(res.rc == 0 && res.count == 3 && res.prefix && !res.truncated,
	    "a reader opened while the writer is open reads the 3 objects of the frame");
	for (i = 3; i < 5; i++)
		if (trace_write(w, objs[i]) < 0)
			bail_out("trace_write");
	res = read_all(p, objs, 5);
	ok(res.rc == 0 && res.count == 3 && res.prefix,
	    "objects written after the tick are not visible yet (%zu read)", res.count);
	is_int(trace_writer_close(w), 0, "close");
	res = read_all(p, objs, 5);
	ok(res.rc == 0 && res.count == 5 && res.prefix && !res.truncated,
	    "after close all 5 objects read back, in two frames");
	for (i = 0; i < 5; i++)
		json_decref(objs[i]);
	unlink(p);
}

static void
test_truncated(void)
{
	const char *p = tpath("full.json.zst"), *cut = tpath("cut.json.zst");
	enum { PER = 3, FRAMES = 3, N = PER * FRAMES, BIG = 4000 };
	json_t *objs[N], **big;
	struct trace_writer *w;
	uint64_t ends[FRAMES];
	struct result res;
	char *data;
	size_t n, c, i, f;
	int bad_prefix = 0, bad_trunc = 0, bad_count = 0, bad_rc = 0;

	for (i = 0; i < N; i++)
		objs[i] = event(i);
	if (wopen(&w, p, false) < 0)
		bail_out("trace_writer_open %s", p);
	for (f = 0; f < FRAMES; f++) {
		for (i = 0; i < PER; i++)
			if (trace_write(w, objs[f * PER + i]) < 0)
				bail_out("trace_write");
		if (trace_writer_flush(w) < 0)
			bail_out("trace_writer_flush");
		ends[f] = trace_writer_bytes(w);
	}
	if (trace_writer_close(w) < 0)
		bail_out("trace_writer_close");
	data = slurp(p, &n);
	if (n != ends[FRAMES - 1])
		bail_out("file size %zu, writer says %llu", n, (unsigned long long)ends[FRAMES - 1]);

	for (c = 0; c <= n; c++) {
		size_t complete = 0;
		bool boundary = false;

		for (f = 0; f < FRAMES; f++) {
			if (c >= ends[f])
				complete = (f + 1) * PER;
			if (c == ends[f])
				boundary = true;
		}
		write_file(cut, data, c);
		res = read_all(cut, objs, N);
		if (res.rc != 0)
			bad_rc++;
		if (!res.prefix)
			bad_prefix++;
		if (res.truncated != !boundary)
			bad_trunc++;
		if (res.count < complete || (boundary && res.count != complete))
			bad_count++;
		if (c == 0 || c == ends[0] / 2) {
			ok(res.rc == 0 && res.count == 0 && res.truncated,
			    "cut at byte %zu, inside the first frame: 0 objects, truncated", c);
		}
	}
	ok(bad_rc == 0, "%zu cuts: trace_read always ends with 0, never an error (%d bad)",
	    n + 1, bad_rc);
	ok(bad_prefix == 0, "... returns only complete objects, in order (%d bad)", bad_prefix);
	ok(bad_trunc == 0, "... truncated except at frame ends (%d bad)", bad_trunc);
	ok(bad_count == 0, "... all the objects of complete frames (%d bad)", bad_count);
	free(data);

	/* A frame whose last line has no newline: the line is dropped. */
	write_zstd(cut, "{\"a\":1}\n{\"b\":", 13);
	res = read_all(cut, NULL, 0);
	ok(res.rc == 0 && res.count == 1 && res.truncated,
	    "an unterminated last line is dropped and marks the trace truncated");
	write_zstd(cut, "{\"a\":1}\n{\"b\":2}", 15);
	res = read_all(cut, NULL, 0);
	ok(res.rc == 0 && res.count == 1 && res.truncated,
	    "... even when it would parse");

	/* One big frame of several zstd blocks, cut in its middle: the lines
	 * of the decoded blocks come out, the partial one does not. */
	big = malloc(BIG * sizeof *big);
	if (!big)
		bail_out("out of memory");
	for (i = 0; i < BIG; i++) {
		char s[40];

		big[i] = event(i);
		snprintf(s, sizeof s, "%zx", i * 2654435761u);	/* less compressible */
		json_object_set_new(big[i], "noise", json_string(s));
	}
	if (wopen(&w, p, false) < 0)
		bail_out("trace_writer_open %s", p);
	for (i = 0; i < BIG; i++)
		if (trace_write(w, big[i]) < 0)
			bail_out("trace_write");
	if (trace_writer_close(w) < 0)
		bail_out("trace_writer_close");
	data = slurp(p, &n);
	write_file(cut, data, n * 3 / 4);
	res = read_all(cut, big, BIG);
	ok(res.rc == 0 && res.count > 0 && res.count < BIG && res.prefix && res.truncated,
	    "a big frame cut at 3/4: %zu of %d objects, all complete, truncated",
	    res.count, BIG);
	free(data);
	for (i = 0; i < BIG; i++)
		json_decref(big[i]);
	free(big);
	for (i = 0; i < N; i++)
		json_decref(objs[i]);
	unlink(p);
	unlink(cut);
}

static void
test_bad_input(void)
{
	const char *p = tpath("bad.json.zst");
	struct trace_reader *r;
	json_t *o;
	struct result res;
	const char *lines = "{\"a\":1}\nnot json\n[1,2]\n{\"b\":2}\n\n{\"c\":3,\"c\":4}\n";
	char *z, *data;
	size_t zn, n;
	int rc;

	write_file(p, "hello, world\n", 13);
	res = read_all(p, NULL, 0);
	ok(res.rc == -EBADMSG && strstr(res.error, "not a zstd stream"),
	    "plain text: -EBADMSG, \"%s\"", res.error);

	write_file(p, "ab", 2);
	res = read_all(p, NULL, 0);
	ok(res.rc == -EBADMSG && strstr(res.error, "not a zstd stream"),
	    "two bytes of text: -EBADMSG, not a zstd stream");

	write_file(p, "", 0);
	res = read_all(p, NULL, 0);
	ok(res.rc == 0 && res.count == 0 && res.truncated,
	    "an empty file: 0 objects, truncated");

	write_file(p, "\x28\xb5\x2f", 3);
	res = read_all(p, NULL, 0);
	ok(res.rc == 0 && res.count == 0 && res.truncated,
	    "three bytes of zstd magic: 0 objects, truncated");

	/* A skippable frame is fine. */
	write_file(p, "\x5a\x2a\x4d\x18\x02\x00\x00\x00hi", 10);
	res = read_all(p, NULL, 0);
	ok(res.rc == 0 && res.count == 0 && !res.truncated,
	    "a skippable frame alone: 0 objects, not truncated");

	/* Lines that are not JSON objects. */
	write_zstd(p, lines, strlen(lines));
	if (ropen(&r, p) < 0)
		bail_out("trace_reader_open %s", p);
	rc = trace_read(r, &o);
	ok(rc == 1 && trace_reader_line(r) == 1, "line 1 is read");
	json_decref(o);
	rc = trace_read(r, &o);
	ok(rc == -EBADMSG && o == NULL && trace_reader_line(r) == 2 &&
	    strncmp(trace_reader_error(r), "line 2: not JSON: ", 18) == 0 &&
	    strstr(trace_reader_error(r), "(column "),
	    "line 2: -EBADMSG, \"%s\"", trace_reader_error(r));
	rc = trace_read(r, &o);
	ok(rc == -EBADMSG && trace_reader_line(r) == 3 &&
	    strcmp(trace_reader_error(r), "line 3: not a JSON object") == 0,
	    "line 3 (an array): -EBADMSG, \"%s\"", trace_reader_error(r));
	rc = trace_read(r, &o);
	ok(rc == 1 && json_integer_value(json_object_get(o, "b")) == 2,
	    "reading on after a bad line returns line 4");
	json_decref(o);
	rc = trace_read(r, &o);
	ok(rc == -EBADMSG && strncmp(trace_reader_error(r), "line 5: not JSON", 16) == 0,
	    "an empty line: \"%s\"", trace_reader_error(r));
	rc = trace_read(r, &o);
	ok(rc == -EBADMSG && strncmp(trace_reader_error(r), "line 6: not JSON", 16) == 0,
	    "a duplicate key: \"%s\"", trace_reader_error(r));
	rc = trace_read(r, &o);
	ok(rc == 0 && !trace_reader_truncated(r), "then the end");
	trace_reader_close(r);

	/* Control characters in the error text are replaced. */
	write_zstd(p, "{\"a\x1b[31m\":1}\n", 14);
	res = read_all(p, NULL, 0);
	ok(res.rc == -EBADMSG && !strchr(res.error, '\x1b'),
	    "error text is printable: \"%s\"", res.error);

	/* A corrupt block after a good frame. */
	write_zstd(p, lines, 8);
	data = slurp(p, &n);
	zn = ZSTD_compressBound(400);
	z = malloc(n + zn);
	memcpy(z, data, n);
	{
		char text[400];
		size_t k;

		for (k = 0; k < sizeof text - 1; k++)
			text[k] = k % 50 == 49 ? '\n' : 'a' + (char)(k * 7 % 26);
		zn = ZSTD_compress(z + n, zn, text, sizeof text - 1, 3);
	}
	memset(z + n + 8, 0xff, 6);
	write_file(p, z, n + zn);
	res = read_all(p, NULL, 0);
	ok(res.rc == -EBADMSG && res.count == 1 &&
	    strncmp(res.error, "corrupt zstd data: ", 19) == 0,
	    "a corrupt second frame: 1 object, then -EBADMSG, \"%s\"", res.error);

	/* Garbage after a good frame. */
	memcpy(z + n, "garbage\n", 8);
	write_file(p, z, n + 8);
	res = read_all(p, NULL, 0);
	ok(res.rc == -EBADMSG && res.count == 1 && strstr(res.error, "corrupt zstd data"),
	    "garbage after a frame: -EBADMSG, \"%s\"", res.error);
	if (ropen(&r, p) < 0)
		bail_out("trace_reader_open %s", p);
	while ((rc = trace_read(r, &o)) == 1)
		json_decref(o);
	ok(rc == -EBADMSG && trace_read(r, &o) == -EBADMSG && o == NULL,
	    "stream errors are sticky");
	trace_reader_close(r);
	free(z);
	free(data);
	unlink(p);

	is_int(ropen(&r, tpath("missing")), -ENOENT,
	    "trace_reader_open of a missing file is -ENOENT");
}

static void
test_exclusive(void)
{
	const char *p = tpath("existing.json.zst");
	struct trace_writer *w = NULL;
	json_t *o = json_pack("{s:i}", "x", 1);
	char *data;
	size_t n;
	struct stat st;
	mode_t um;

	write_file(p, "precious", 8);
	is_int(wopen(&w, p, true), -EEXIST,
	    "exclusive open of an existing file is -EEXIST");
	data = slurp(p, &n);
	ok(n == 8 && memcmp(data, "precious", 8) == 0, "... and the file is untouched");
	free(data);
	is_int(wopen(&w, p, false), 0, "non-exclusive open truncates");
	ok(file_size(p) == 0, "... to 0 bytes");
	um = umask(0);
	umask(um);
	if (stat(p, &st) < 0)
		bail_out("stat %s: %s", p, strerror(errno));
	ok((st.st_mode & 0777) == (0644 & ~um),
	    "... mode 0644 less the umask (%o)", (unsigned)(st.st_mode & 0777));
	trace_write(w, o);
	trace_writer_close(w);
	unlink(p);
	is_int(wopen(&w, tpath("no/such/dir"), true), -ENOENT,
	    "opening in a missing directory is -ENOENT");
	json_decref(o);
}

static void
test_cycle(void)
{
	const char *p = tpath("cycle.json.zst");
	struct trace_writer *w;
	json_t *a = json_object(), *b = json_object(), *good = event(1);
	struct result res;

	json_object_set(a, "b", b);
	json_object_set(b, "a", a);	/* a -> b -> a */
	if (wopen(&w, p, true) < 0)
		bail_out("trace_writer_open %s", p);
	is_int(trace_write(w, a), -EINVAL, "trace_write of a reference cycle is -EINVAL");
	is_int(trace_write(w, good), 0, "... and the writer goes on");
	is_int(trace_writer_close(w), 0, "... and closes cleanly");
	res = read_all(p, &good, 1);
	ok(res.rc == 0 && res.count == 1 && res.prefix && !res.truncated,
	    "... leaving only the good line");
	json_object_del(b, "a");
	json_decref(a);
	json_decref(b);
	json_decref(good);
	unlink(p);
}

static size_t
heap_in_use(void)
{
	return mallinfo2().uordblks;
}

static void
test_memory(void)
{
	const char *p = tpath("long.json.zst");
	enum { SMALL = 10000, LARGE = 200000 };
	struct trace_writer *w;
	struct trace_reader *r;
	size_t i, at_small = 0, at_large = 0, rat_small = 0, rat_large = 0;
	json_t *o;
	int rc;

	if (wopen(&w, p, true) < 0)
		bail_out("trace_writer_open %s", p);
	for (i = 0; i < LARGE; i++) {
		o = event(i);
		if (trace_write(w, o) < 0)
			bail_out("trace_write");
		json_decref(o);
		if (i % 1000 == 0 && trace_writer_flush(w) < 0)	/* many frames too */
			bail_out("trace_writer_flush");
		if (i + 1 == SMALL)
			at_small = heap_in_use();
	}
	at_large = heap_in_use();
	if (trace_writer_close(w) < 0)
		bail_out("trace_writer_close");

	if (ropen(&r, p) < 0)
		bail_out("trace_reader_open %s", p);
	for (i = 0; (rc = trace_read(r, &o)) == 1; i++) {
		json_decref(o);
		if (i + 1 == SMALL)
			rat_small = heap_in_use();
	}
	rat_large = heap_in_use();
	ok(rc == 0 && i == LARGE && !trace_reader_truncated(r) &&
	    trace_reader_line(r) == LARGE, "%d events written and read back", LARGE);
	trace_reader_close(r);
	unlink(p);

	if (at_small == 0) {
		skip(2, "heap statistics unavailable (sanitizer allocator?)");
		return;
	}
	ok(at_large <= at_small + 65536,
	    "writer heap after %d events (%zu) is that after %d (%zu) + 64 KiB at most",
	    LARGE, at_large, SMALL, at_small);
	ok(rat_large <= rat_small + 65536,
	    "reader heap after %d events (%zu) is that after %d (%zu) + 64 KiB at most",
	    LARGE, rat_large, SMALL, rat_small);
}

/* Writes one line of want bytes: prefix, then fill, then suffix. */
static void
write_long_line(const char *p, const char *prefix, char fill, const char *suffix, size_t want)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	static char chunk[1 << 20], out[1 << 16];
	size_t total = 0, pl = strlen(prefix), sl = strlen(suffix);
	int fd;

	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !c)
		bail_out("cannot create %s", p);
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 1);
	while (total < want) {
		size_t k = want - total < sizeof chunk ? want - total : sizeof chunk;
		ZSTD_inBuffer in = { chunk, k, 0 };
		ZSTD_EndDirective mode = total + k == want ? ZSTD_e_end : ZSTD_e_continue;
		size_t left;

		memset(chunk, fill, k);
		for (size_t i = 0; i < pl; i++)	/* the ends, wherever the chunks cut */
			if (i >= total && i < total + k)
				chunk[i - total] = prefix[i];
		for (size_t i = want - sl; i < want; i++)
			if (i >= total && i < total + k)
				chunk[i - total] = suffix[i - (want - sl)];
		do {
			ZSTD_outBuffer o = { out, sizeof out, 0 };

			left = ZSTD_compressStream2(c, &o, &in, mode);
			if (ZSTD_isError(left) || write(fd, out, o.pos) != (ssize_t)o.pos)
				bail_out("cannot write %s", p);
		} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
		total += k;
	}
	ZSTD_freeCCtx(c);
	close(fd);
}

/* Lines past the limits are errors, not allocations: longer than the
 * reader takes (a string of 64 MiB + 1 byte, through a reader whose limit
 * is lowered from TRACE_MAX_LINE, 3 GiB, to 64 MiB, so that the test
 * takes a second), and more than ELIDE_MAX_KEPT bytes besides long strings
 * (through the default reader, which would keep them). */
static void
test_long_line(void)
{
	const char *p = tpath("longline.json.zst");
	struct trace_reader *r;
	struct result res;
	char want[128];
	json_t *o;
	int rc;

	write_long_line(p, "{\"x\":\"", 'a', "\"}\n", (size_t)(64u << 20) + 2);
	for (int keep = 0; keep < 2; keep++) {
		if (trace_reader_open(&r, p) < 0)
			bail_out("cannot open %s", p);
		if (keep)
			trace_reader_keep(r, 0);
		else
			trace_reader_elide(r, 0);
		trace_reader_max_line(r, 64u << 20);
		if (bg && trace_reader_background(r, NULL) < 0)
			bail_out("trace_reader_background");
		rc = trace_read(r, &o);
		snprintf(want, sizeof want, "line 1: longer than 64 MiB");
		ok(rc == -EBADMSG && strcmp(trace_reader_error(r), want) == 0,
		    "a line of 64 MiB + 1 byte, %s: -EBADMSG, \"%s\"", keep ? "kept" : "elided",
		    trace_reader_error(r));
		trace_reader_close(r);
	}

	write_long_line(p, "{", ' ', "}\n", (size_t)(20u << 20));
	res = read_all(p, NULL, 0);
	ok(res.rc == -EBADMSG && strcmp(res.error, "line 1: more than 16 MiB of text besides its "
	    "long strings (no trace dios writes has such a line)") == 0,
	    "a line of 20 MiB of spaces: -EBADMSG, \"%s\"", res.error);
	unlink(p);
}

/* What only the threads do: frames end without a tick, errors show at a
 * later call, big events pass one at a time, and a reader closed while
 * its thread waits for room does not hang. */
static void
test_threads(void)
{
	const char *p = tpath("bg.json.zst");
	enum { BIG = 4, N = 5000 };
	struct trace_writer *w;
	struct trace_reader *r;
	json_t *objs[BIG], *o;
	struct result res;
	char *data;
	int i, rc;

	if (wopen(&w, p, true) < 0)
		bail_out("wopen %s", p);
	o = event(1);
	for (i = 0; i < 3; i++)
		if (trace_write(w, o) < 0)
			bail_out("trace_write");
	for (i = 0; i < 50 && file_size(p) == 0; i++)
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	ok(file_size(p) > 0, "the writing thread ends a frame by itself (after %d.%d s)", i / 10, i % 10);
	res = read_all(p, (json_t *[]){ o, o, o }, 3);
	ok(res.rc == 0 && res.count == 3 && res.prefix, "... which holds the 3 events");
	is_int(trace_writer_close(w), 0, "close");
	json_decref(o);

	/* Events of 1.5 MiB each: more than the queue's byte bound together. */
	if ((data = malloc(3u << 19)) == NULL)
		bail_out("malloc");
	for (i = 0; i < BIG; i++) {
		memset(data, 'a' + i, 3u << 19);
		objs[i] = json_pack("{s:i,s:s%}", "seq", i, "data", data, (size_t)(3u << 19));
	}
	free(data);
	if (wopen(&w, p, false) < 0)
		bail_out("wopen %s", p);
	for (rc = 0, i = 0; i < BIG; i++)
		rc |= trace_write(w, objs[i]);
	is_int(rc, 0, "%d events of 1.5 MiB queued", BIG);
	is_int(trace_writer_close(w), 0, "... and written");
	res = read_all(p, objs, BIG);
	ok(res.rc == 0 && res.count == BIG && res.prefix && !res.truncated, "... and read back");
	for (i = 0; i < BIG; i++)
		json_decref(objs[i]);

	/* A write error shows at the next flush and at close. */
	if (access("/dev/full", W_OK) == 0 && wopen(&w, "/dev/full", false) == 0) {
		o = event(2);
		for (rc = 0, i = 0; i < 2000 && rc == 0; i++)
			rc = trace_write(w, o);
		if (rc == 0)
			rc = trace_writer_flush(w);
		is_int(rc, -ENOSPC, "writing to /dev/full: -ENOSPC at a later call");
		is_int(trace_writer_close(w), -ENOSPC, "... and at close");
		json_decref(o);
	} else
		skip(2, "no writable /dev/full");

	/* A reader closed early, its thread waiting for room. */
	if (wopen(&w, p, false) < 0)
		bail_out("wopen %s", p);
	for (i = 0; i < N; i++) {
		o = event((size_t)i);
		if (trace_write(w, o) < 0)
			bail_out("trace_write");
		json_decref(o);
	}
	if (trace_writer_close(w) < 0)
		bail_out("trace_writer_close");
	if (ropen(&r, p) < 0)
		bail_out("ropen %s", p);
	rc = trace_read(r, &o);
	ok(rc == 1 && trace_reader_line(r) == 1, "the reader's figures are those of the line returned");
	json_decref(o);
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	trace_reader_close(r);
	ok(1, "a reader closed with %d lines unread returns", N - 1);
	unlink(p);
}

static void
on_stuck(int sig)
{
	static const char m[] = "not ok - the reading thread and its reader wait for each other "
	    "(no progress for 120 s)\n";
	ssize_t w = write(1, m, sizeof m - 1);

	(void)w;
	(void)sig;
	_exit(1);
}

/* The queue between the reader and its thread, with lines of every size
 * against its bounds (BG_CAP events, BG_BYTES bytes, a batch of
 * BG_BATCH): small lines that do not make a batch, then one larger than
 * the byte bound, the reader sometimes slower, sometimes waiting.  A lost
 * wake-up shows as a hang, which the alarm turns into a failure. */
static void
test_queue_stress(void)
{
	static const size_t sizes[] = { 10, 3000, 100000, 1u << 20, 5u << 20 };
	const char *p = tpath("stress.json.zst");
	/* DIOS_QUEUE_STRESS_LINES: fewer under helgrind (valgrind.sh), which
	 * takes minutes over 400 */
	const char *env = getenv("DIOS_QUEUE_STRESS_LINES");
	const size_t N = env && atoi(env) > 0 ? (size_t)atoi(env) : 400;
	json_t **objs = calloc(N, sizeof *objs);
	struct trace_writer *w;
	struct trace_reader *r;
	unsigned seed = 12345;
	size_t big = 0, got = 0;
	char *data = malloc(5u << 20);
	bool same = true;
	json_t *o;
	int rc;

	if (objs == NULL || data == NULL)
		bail_out("malloc");
	memset(data, 'q', 5u << 20);
	for (size_t i = 0; i < N; i++) {
		size_t k;
		seed = seed * 1103515245u + 12345u;
		/* Mostly small lines, runs of them, now and then a big one. */
		k = (seed >> 16) % 100;
		k = k < 70 ? 0 : k < 85 ? 1 : k < 93 ? 2 : k < 97 ? 3 : 4;
		big += k == 4;
		objs[i] = json_pack("{s:I,s:s%}", "seq", (json_int_t)i, "data", data, sizes[k]);
		if (objs[i] == NULL)
			bail_out("json_pack");
	}
	free(data);
	if (wopen(&w, p, false) < 0)
		bail_out("wopen %s", p);
	for (size_t i = 0; i < N; i++)
		if (trace_write(w, objs[i]) < 0)
			bail_out("trace_write");
	if (trace_writer_close(w) < 0)
		bail_out("trace_writer_close");
	signal(SIGALRM, on_stuck);
	alarm(120);
	if (ropen(&r, p) < 0)
		bail_out("ropen %s", p);
	while ((rc = trace_read(r, &o)) == 1) {
		if (got >= N || !json_equal(o, objs[got]))
			same = false;
		json_decref(o);
		seed = seed * 1103515245u + 12345u;
		/* A slow reader now and then: the queue fills meanwhile. */
		if ((seed >> 16) % 16 == 0)
			nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
		got++;
	}
	alarm(0);
	trace_reader_close(r);
	ok(rc == 0 && got == N && same, "%zu lines of 10 B to 5 MiB (%zu over the queue's byte bound) "
	    "read back in order, the reader now slower, now waiting", N, big);
	for (size_t i = 0; i < N; i++)
		json_decref(objs[i]);
	free(objs);
	unlink(p);
}

int
main(void)
{
	/* DIOS_TRACE_IO_THREADS=only: the threaded round alone (for helgrind,
	 * see valgrind.sh). */
	const char *only = getenv("DIOS_TRACE_IO_THREADS");
	bool threads_only = only && strcmp(only, "only") == 0;

	if (!mkdtemp(dir))
		bail_out("mkdtemp: %s", strerror(errno));
	if (threads_only)
		goto threads;
	test_round_trip();
	test_tick();
	test_truncated();
	test_bad_input();
	test_exclusive();
	test_cycle();
	test_memory();
	test_long_line();
	/* Again, with threads.  Not test_tick (the thread ends frames
	 * itself), test_cycle (a reference cycle fails a threaded writer for
	 * good) or test_memory (queues hold a bounded number of events). */
threads:
	bg = true;
	test_round_trip();
	test_truncated();
	test_bad_input();
	test_exclusive();
	if (!threads_only)
		test_long_line();
	test_threads();
	test_queue_stress();
	if (rmdir(dir) < 0)
		diag("rmdir %s: %s", dir, strerror(errno));
	return done_testing();
}

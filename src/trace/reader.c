/* reader.c: the streaming reader of trace files, a zstd stream of JSON
 * Lines (man/dios-trace.5), and its background thread
 * (trace_reader_background).
 *
 * Reader: read(2) chunks go through ZSTD_decompressStream straight into the
 * line buffer, which grows with the longest line only.  The reader faces
 * untrusted files: every frame must start with a zstd or skippable-frame
 * magic (no legacy formats), lines are capped at TRACE_MAX_LINE, a decoder
 * that stops making progress is an error, and error texts are printable
 * ASCII.  No function here exits or prints.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <zstd.h>

#include "trace/elide.h"
#include "trace/io.h"
#include "trace/io_impl.h"

/* ---- reader ---- */

/* Free space the line buffer keeps for each decompression call. */
#define ROOM (16u << 10)
/* The line buffer never exceeds this: a full line, its newline, and room. */
#define BUF_MAX ((size_t)TRACE_MAX_LINE + 1 + ROOM)
/* Calls in a row in which the decoder neither consumes nor produces. */
#define MAX_STALLS 8

struct trace_reader {
	int fd;
	ZSTD_DCtx *dctx;
	unsigned char *in;	/* compressed input: in[in_pos..in_len) unread */
	size_t in_pos, in_len, in_cap;
	char *buf;		/* decompressed: buf[start..end) not yet returned */
	size_t start, scan, end, cap;	/* no '\n' in buf[start..scan) */
	uint64_t line;
	uint64_t consumed;	/* compressed bytes given to the decoder */
	uint64_t text;		/* decompressed bytes of the lines returned */
	bool eof;		/* read(2) returned 0 */
	bool frame_start;	/* the next input byte starts a frame */
	bool flush_more;	/* the decoder filled its output: call again */
	bool done, truncated;
	unsigned stalls;
	int err;		/* sticky stream-level error */
	char msg[320];
	/* Eliding (trace_reader_elide): the scan's place in the JSON text. */
	bool elide;		/* long strings decoded by the scan (the default) */
	bool keep;		/* and put back whole (else kept as digests) */
	size_t elide_long;	/* strings longer than this are */
	size_t max_line;	/* TRACE_MAX_LINE, or less (tests) */
	char **kept;		/* keep: this line's long strings, by number */
	size_t *kept_len;
	unsigned nkept, kept_cap;
	bool in_str, str_esc;	/* in a string; just after its backslash */
	size_t str_start;	/* buf offset of the string's first byte */
	struct elide_str *es;	/* the string being elided from str_start on */
	int64_t dropped;	/* text of this line not in buf: raw - kept */
	uint64_t values;	/* ',' '[' '{' of this line outside strings */
	const char *line_bad;	/* why the line is bad, found by the scan */
	struct bgr *bg;		/* the reading thread, when there is one */
	struct {		/* with bg: the figures of the last line returned */
		uint64_t line, text, consumed;
		bool truncated;
		char msg[320];
	} vis;
};

static int
reader_fail(struct trace_reader *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the error text, made printable ASCII (it may quote file contents). */
static int
reader_fail(struct trace_reader *r, int err, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	for (p = r->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return err;
}

int
trace_reader_open(struct trace_reader **rp, const char *path)
{
	struct trace_reader *r;

	r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->in_cap = ZSTD_DStreamInSize();
	r->in = malloc(r->in_cap);
	r->dctx = ZSTD_createDCtx();
	if (!r->in || !r->dctx) {
		ZSTD_freeDCtx(r->dctx);
		free(r->in);
		free(r);
		return -ENOMEM;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (r->fd < 0) {
		int e = -errno;

		ZSTD_freeDCtx(r->dctx);
		free(r->in);
		free(r);
		return e;
	}
	r->frame_start = true;
	r->elide = r->keep = true;
	r->elide_long = ELIDE_LONG;
	r->max_line = TRACE_MAX_LINE;
	*rp = r;
	return 0;
}

/* Reads more compressed input after the unread part.  Sets eof at the end. */
static int
read_more(struct trace_reader *r)
{
	ssize_t n;

	if (r->in_pos > 0) {
		memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
		r->in_len -= r->in_pos;
		r->in_pos = 0;
	}
	do
		n = read(r->fd, r->in + r->in_len, r->in_cap - r->in_len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;

		return reader_fail(r, -e, "read error: %s", strerror(e));
	}
	if (n == 0)
		r->eof = true;
	r->in_len += (size_t)n;
	return 0;
}

/* Whether p[0..n), n <= 4, can begin a zstd frame (magic 0xFD2FB528) or a
 * skippable frame (0x184D2A50..0x184D2A5F), little-endian. */
static bool
magic_prefix_ok(const unsigned char *p, size_t n)
{
	static const unsigned char zstd[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char skip[4] = { 0x50, 0x2a, 0x4d, 0x18 };

	if (n == 0)
		return true;
	if (memcmp(p, zstd, n) == 0)
		return true;
	return (p[0] & 0xf0) == 0x50 && memcmp(p + 1, skip + 1, n - 1) == 0;
}

/* Decompresses more data into buf[end..cap).  Returns 1 when some came, 0
 * at the end of the input (setting truncated when it ends inside a frame),
 * or an error. */
static int
fill(struct trace_reader *r)
{
	int rc;

	for (;;) {
		ZSTD_outBuffer out;
		ZSTD_inBuffer in;
		size_t ret, before;

		if (r->frame_start) {
			size_t avail;

			while (r->in_len - r->in_pos < 4 && !r->eof)
				if ((rc = read_more(r)) < 0)
					return rc;
			avail = r->in_len - r->in_pos;
			if (!magic_prefix_ok(r->in + r->in_pos, avail < 4 ? avail : 4)) {
				if (r->consumed == 0)
					return reader_fail(r, -EBADMSG,
					    "not a zstd stream (is this a dios trace?)");
				return reader_fail(r, -EBADMSG,
				    "corrupt zstd data: no zstd frame at byte %llu",
				    (unsigned long long)r->consumed);
			}
			if (avail < 4) {
				/* the end: clean between frames, else cut */
				if (avail > 0 || r->consumed == 0)
					r->truncated = true;
				return 0;
			}
		}
		if (r->in_pos == r->in_len && !r->flush_more) {
			if (r->eof) {
				if (!r->frame_start)
					r->truncated = true;
				return 0;
			}
			if ((rc = read_more(r)) < 0)
				return rc;
			continue;
		}
		out = (ZSTD_outBuffer){ r->buf + r->end, r->cap - r->end, 0 };
		in = (ZSTD_inBuffer){ r->in, r->in_len, r->in_pos };
		before = r->in_pos;
		ret = ZSTD_decompressStream(r->dctx, &out, &in);
		if (ZSTD_isError(ret))
			return reader_fail(r, -EBADMSG, "corrupt zstd data: %s",
			    ZSTD_getErrorName(ret));
		r->in_pos = in.pos;
		r->consumed += in.pos - before;
		r->end += out.pos;
		r->frame_start = ret == 0;
		r->flush_more = ret != 0 && out.pos == out.size;
		if (out.pos > 0) {
			r->stalls = 0;
			return 1;
		}
		if (in.pos == before && ++r->stalls > MAX_STALLS)
			return reader_fail(r, -EBADMSG,
			    "corrupt zstd data: the decoder makes no progress at byte %llu",
			    (unsigned long long)r->consumed);
		if (in.pos != before)
			r->stalls = 0;
	}
}

/* Makes room for ROOM more bytes after end. */
static int
make_room(struct trace_reader *r)
{
	size_t cap;
	char *p;

	if (r->start > 0 && (r->start == r->end || r->cap - r->end < ROOM)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->scan -= r->start;
		if (r->in_str)
			r->str_start -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end >= ROOM)
		return 0;
	cap = r->cap ? r->cap * 2 : 4 * ROOM;
	if (cap < r->end + ROOM)
		cap = r->end + ROOM;
	if (cap > BUF_MAX)
		cap = BUF_MAX;	/* end <= TRACE_MAX_LINE, so room remains */
	p = realloc(r->buf, cap);
	if (!p)
		return -ENOMEM;
	r->buf = p;
	r->cap = cap;
	return 0;
}

static int
parse_line(struct trace_reader *r, const char *p, size_t n, json_t **obj)
{
	json_error_t e;
	json_t *j;

	j = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &e);
	if (!j)
		return reader_fail(r, -EBADMSG, "line %llu: not JSON: %s (column %d)",
		    (unsigned long long)r->line, e.text, e.column);
	if (!json_is_object(j)) {
		json_decref(j);
		return reader_fail(r, -EBADMSG, "line %llu: not a JSON object",
		    (unsigned long long)r->line);
	}
	*obj = j;
	return 1;
}

void
trace_reader_elide(struct trace_reader *r, size_t longer_than)
{
	r->elide = true;
	r->keep = false;
	r->elide_long = longer_than ? longer_than : ELIDE_LONG;
}

void
trace_reader_keep(struct trace_reader *r, size_t longer_than)
{
	r->elide = r->keep = true;
	r->elide_long = longer_than ? longer_than : ELIDE_LONG;
}

void
trace_reader_max_line(struct trace_reader *r, size_t n)
{
	if (n > 0 && n < TRACE_MAX_LINE)
		r->max_line = n;
}

void
trace_reader_whole(struct trace_reader *r)
{
	r->elide = r->keep = false;
}

/* Frees the long strings kept for the line. */
static void
kept_drop(struct trace_reader *r)
{
	for (unsigned i = 0; i < r->nkept; i++)
		free(r->kept[i]);
	r->nkept = 0;
}

static int
kept_add(struct trace_reader *r, char *p, size_t n)
{
	if (r->nkept == r->kept_cap) {
		unsigned cap = r->kept_cap ? r->kept_cap * 2 : 8;
		char **k = realloc(r->kept, cap * sizeof *k);
		size_t *l;

		if (k)
			r->kept = k;
		l = k ? realloc(r->kept_len, cap * sizeof *l) : NULL;
		if (!l) {
			free(p);
			return -ENOMEM;
		}
		r->kept_len = l;
		r->kept_cap = cap;
	}
	r->kept[r->nkept] = p;
	r->kept_len[r->nkept++] = n;
	return 0;
}

/* Ends the string at buf[q] (its closing quote or, in a bad line, the
 * newline), which is elided: its placeholder replaces buf[str_start..q). */
static int
close_elided(struct trace_reader *r, size_t q)
{
	char ph[ELIDE_TEXT_MAX], *kept = NULL;
	const char *why = NULL;
	long len;
	size_t at = r->str_start, tail = r->end - q, klen = 0;

	elide_feed(r->es, r->buf + at, q - at);
	len = elide_end(r->es, r->nkept, ph, &why, &kept, &klen);
	r->es = NULL;
	if (len == -ENOMEM)
		return -ENOMEM;
	if (len >= 0 && r->keep && kept_add(r, kept, klen) < 0)
		return -ENOMEM;
	if (len < 0) {
		if (!r->line_bad)
			r->line_bad = why;
		len = 0;
	}
	if (at + (size_t)len + tail + ROOM > r->cap) {
		size_t cap = at + (size_t)len + tail + ROOM;
		char *p = realloc(r->buf, cap);

		if (!p)
			return -ENOMEM;
		r->buf = p;
		r->cap = cap;
	}
	memmove(r->buf + at + len, r->buf + q, tail);
	memcpy(r->buf + at, ph, (size_t)len);
	r->dropped += (int64_t)(q - at) - len;
	r->end = at + (size_t)len + tail;
	r->scan = at + (size_t)len;
	return 0;
}

/* Strings longer than this (in JSON text) are elided, here in the line. */
static size_t
elide_limit(const struct trace_reader *r)
{
	size_t l = r->str_start - r->start >= ELIDE_CROWDED ? ELIDE_SHORT : r->elide_long;

	return l < r->elide_long ? l : r->elide_long;
}

/* The eliding reader's scan of buf[scan..end).  Returns 1 with *nl the
 * offset of the line's newline, 0 when it has not come (all is scanned:
 * the text of a long string left buf), or -ENOMEM. */
static int
scan_elide(struct trace_reader *r, size_t *nl)
{
	int e;

	for (;;) {
		const char *b = r->buf;
		size_t i = r->scan, end = r->end;

		if (!r->in_str) {
			for (; i < end; i++) {
				char c = b[i];

				if (c == '"')
					break;
				if (c == '\n') {
					r->scan = *nl = i;
					return 1;
				}
				if (c == ',' || c == '[' || c == '{')
					r->values++;
			}
			r->scan = i;
			if (i == end)
				return 0;
			r->in_str = true;
			r->str_esc = false;
			r->str_start = r->scan = i + 1;
			continue;
		}
		while (i < end) {
			char c = b[i];

			if (c == '\n')
				break;	/* even after a backslash: lines end there */
			if (r->str_esc)
				r->str_esc = false;
			else if (c == '\\')
				r->str_esc = true;
			else if (c == '"')
				break;
			i++;
		}
		if (!r->es && i - r->str_start > elide_limit(r) &&
		    (r->es = elide_begin(r->keep)) == NULL)
			return -ENOMEM;
		if (i < end) {
			/* the string's end (a newline: the line's, in a bad line) */
			bool newline = b[i] == '\n';

			if (newline && !r->line_bad)
				r->line_bad = "a string not closed at the end of the line";
			r->scan = i;
			if (r->es && (e = close_elided(r, i)) < 0)
				return e;
			r->in_str = false;
			if (newline) {
				*nl = r->scan;
				return 1;
			}
			r->scan++;
			continue;
		}
		if (r->es) {
			/* Its text so far goes to the digest and leaves buf. */
			elide_feed(r->es, b + r->str_start, end - r->str_start);
			r->dropped += (int64_t)(end - r->str_start);
			r->end = r->str_start;
		}
		r->scan = r->end;
		return 0;
	}
}

/* The eliding reader's figures for a line of kept text len: 0, or why it is
 * refused. */
static const char *
elide_refuse(const struct trace_reader *r, size_t len)
{
	if (len > ELIDE_MAX_KEPT)
		return "more than 16 MiB of text besides its long strings";
	if (r->values > ELIDE_MAX_VALUES)
		return "more than 2 million values";
	return NULL;
}

/* Fails the reader for good at a line elide_refuse refused. */
static int
refused(struct trace_reader *r, const char *why)
{
	return r->err = reader_fail(r, -EBADMSG, "line %llu: %s (no trace dios writes has such "
	    "a line)", (unsigned long long)r->line, why);
}

static int
read_now(struct trace_reader *r, json_t **obj)
{
	int rc;

	*obj = NULL;
	if (r->err)
		return r->err;
	if (r->done)
		return 0;
	for (;;) {
		char *nl = NULL;
		const char *why;

		if (r->elide) {
			size_t at;

			if ((rc = scan_elide(r, &at)) < 0)
				return r->err = rc;
			if (rc)
				nl = r->buf + at;
		} else if (r->end > r->scan)
			nl = memchr(r->buf + r->scan, '\n', r->end - r->scan);
		if (nl) {
			size_t len = (size_t)(nl - (r->buf + r->start));
			const char *p = r->buf + r->start, *bad = r->line_bad;
			uint64_t raw = (uint64_t)((int64_t)len + r->dropped);

			r->line++;
			if (raw > r->max_line)
				break;
			if (r->elide && (why = elide_refuse(r, len)) != NULL)
				return refused(r, why);
			r->text += raw + 1;
			r->start = r->scan = (size_t)(nl - r->buf) + 1;
			r->dropped = 0;
			r->values = 0;
			r->line_bad = NULL;
			/* A bad line is consumed: the next call goes on. */
			if (bad) {
				kept_drop(r);
				return reader_fail(r, -EBADMSG, "line %llu: not JSON: %s",
				    (unsigned long long)r->line, bad);
			}
			rc = parse_line(r, p, len, obj);
			if (rc == 1 && r->nkept && elide_restore(*obj, r->kept, r->kept_len, r->nkept) < 0) {
				json_decref(*obj);
				*obj = NULL;
				rc = r->err = -ENOMEM;
			}
			kept_drop(r);
			return rc;
		}
		r->scan = r->end;
		if ((int64_t)(r->end - r->start) + r->dropped > (int64_t)r->max_line) {
			r->line++;
			break;
		}
		if (r->elide && (why = elide_refuse(r, r->end - r->start)) != NULL) {
			r->line++;
			return refused(r, why);
		}
		if ((rc = make_room(r)) < 0)
			return r->err = rc;
		rc = fill(r);
		if (rc < 0)
			return r->err = rc;
		if (rc == 0) {
			if (r->end > r->start || r->dropped || r->in_str)
				r->truncated = true;	/* partial line dropped */
			r->start = r->scan = r->end = 0;
			r->done = true;
			return 0;
		}
	}
	return r->err = reader_fail(r, -EBADMSG, "line %llu: longer than %zu MiB",
	    (unsigned long long)r->line, r->max_line >> 20);
}

/* With a reading thread, the figures below are those of the last line
 * trace_read returned (the thread's own run ahead). */
uint64_t
trace_reader_line(const struct trace_reader *r)
{
	return r->bg ? r->vis.line : r->line;
}

bool
trace_reader_truncated(const struct trace_reader *r)
{
	return r->bg ? r->vis.truncated : r->truncated;
}

const char *
trace_reader_error(const struct trace_reader *r)
{
	return r->bg ? r->vis.msg : r->msg;
}

uint64_t
trace_reader_text_bytes(const struct trace_reader *r)
{
	return r->bg ? r->vis.text : r->text;
}

uint64_t
trace_reader_bytes(const struct trace_reader *r)
{
	return r->bg ? r->vis.consumed : r->consumed;
}

static void bgr_stop(struct trace_reader *r);

void
trace_reader_close(struct trace_reader *r)
{
	if (!r)
		return;
	bgr_stop(r);
	elide_free(r->es);
	kept_drop(r);
	free(r->kept);
	free(r->kept_len);
	close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->buf);
	free(r);
}

/* ---- the reading thread (io_impl.h) ---- */

struct bgr_item {
	json_t *obj;
	int rc;
	bool truncated, last;
	uint64_t line, text, consumed;
	char *msg;		/* with rc < 0 */
};

struct bgr {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t room, ready;
	struct bgr_item q[BG_CAP];
	size_t head, n, bytes;
	bool prod_wait, cons_wait, stop;
	bool over;		/* the last item is taken: rc_end for ever */
	int rc_end;
};

static void *
bgr_main(void *arg)
{
	struct trace_reader *r = arg;
	struct bgr *b = r->bg;

	for (;;) {
		uint64_t before = r->text;
		struct bgr_item it = { 0 };
		bool last;
		size_t sz;

		it.rc = read_now(r, &it.obj);
		it.truncated = r->truncated;
		it.line = r->line;
		it.text = r->text;
		it.consumed = r->consumed;
		if (it.rc < 0)
			it.msg = strdup(r->msg);
		sz = (size_t)(r->text - before);
		last = it.last = it.rc == 0 || r->err != 0;
		pthread_mutex_lock(&b->mu);
		while (!b->stop && (b->n == BG_CAP || (b->n > 0 && b->bytes + sz > BG_BYTES))) {
			/* A sleeping reader waits for a batch that a full
			 * queue never completes: wake it first. */
			if (b->cons_wait)
				pthread_cond_signal(&b->ready);
			b->prod_wait = true;
			pthread_cond_wait(&b->room, &b->mu);
			b->prod_wait = false;
		}
		if (b->stop) {
			pthread_mutex_unlock(&b->mu);
			json_decref(it.obj);
			free(it.msg);
			break;
		}
		b->q[(b->head + b->n) % BG_CAP] = it;
		b->n++;
		b->bytes += sz;
		if (b->cons_wait && (b->n >= BG_BATCH || last || b->bytes >= BG_BYTES / 4))
			pthread_cond_signal(&b->ready);
		pthread_mutex_unlock(&b->mu);
		if (last)
			break;
	}
	return NULL;
}

int
trace_reader_background(struct trace_reader *r, const cpu_set_t *cpus)
{
	struct bgr *b;
	int e;

	if (r->bg)
		return 0;
	if ((b = calloc(1, sizeof *b)) == NULL)
		return -ENOMEM;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->room, NULL);
	pthread_cond_init(&b->ready, NULL);
	r->vis.line = r->line;
	r->vis.text = r->text;
	r->vis.consumed = r->consumed;
	r->vis.truncated = r->truncated;
	memcpy(r->vis.msg, r->msg, sizeof r->vis.msg);
	r->bg = b;
	if ((e = trace_io_thread(&b->th, bgr_main, r, cpus)) < 0) {
		r->bg = NULL;
		free(b);
	}
	return e;
}

static void
bgr_stop(struct trace_reader *r)
{
	struct bgr *b = r->bg;

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_cond_signal(&b->room);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->th, NULL);
	for (size_t i = 0; i < b->n; i++) {
		json_decref(b->q[(b->head + i) % BG_CAP].obj);
		free(b->q[(b->head + i) % BG_CAP].msg);
	}
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->room);
	pthread_cond_destroy(&b->ready);
	free(b);
	r->bg = NULL;
}

int
trace_read(struct trace_reader *r, json_t **obj)
{
	struct bgr *b = r->bg;
	struct bgr_item it;

	if (b == NULL)
		return read_now(r, obj);
	*obj = NULL;
	if (b->over)
		return b->rc_end;
	pthread_mutex_lock(&b->mu);
	while (b->n == 0) {
		b->cons_wait = true;
		pthread_cond_wait(&b->ready, &b->mu);
		b->cons_wait = false;
	}
	it = b->q[b->head];
	b->head = (b->head + 1) % BG_CAP;
	b->n--;
	b->bytes -= (size_t)(it.text - r->vis.text);
	if (b->prod_wait && b->n <= BG_CAP / 2)
		pthread_cond_signal(&b->room);
	pthread_mutex_unlock(&b->mu);
	r->vis.line = it.line;
	r->vis.text = it.text;
	r->vis.consumed = it.consumed;
	r->vis.truncated = it.truncated;
	if (it.msg) {
		snprintf(r->vis.msg, sizeof r->vis.msg, "%s", it.msg);
		free(it.msg);
	}
	if (it.last) {
		b->over = true;
		b->rc_end = it.rc;
	}
	*obj = it.obj;
	return it.rc;
}

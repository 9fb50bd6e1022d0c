/* trace_io.c: streaming writer and reader of trace files, a zstd stream of
 * JSON Lines (man/dios-trace.5).
 *
 * Writer: each object is serialised (compact, keys in insertion order) into a
 * reused line buffer, then fed to one ZSTD_CCtx; compressed output goes to
 * the file as it comes.  A frame ends at trace_writer_tick() once a second,
 * at flush and at close, so a killed writer leaves a decodable prefix.
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
#include <time.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "trace/io.h"

#define TRACE_ZSTD_LEVEL 3

/* write(2) all of p[0..n), retrying on EINTR and partial writes. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *q = p;

	while (n > 0) {
		ssize_t k = write(fd, q, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		q += k;
		n -= (size_t)k;
	}
	return 0;
}

/* ---- writer ---- */

struct trace_writer {
	int fd;
	ZSTD_CCtx *cctx;
	void *out;		/* compressed output, ZSTD_CStreamOutSize() */
	size_t out_cap;
	char *line;		/* serialised object, reused */
	size_t line_len, line_cap;
	bool line_too_long, line_nomem;
	uint64_t bytes;		/* compressed bytes written */
	bool pending;		/* data fed since the last frame ended */
	struct timespec last_end;
	int err;		/* first error, sticky */
	struct bgw *bg;		/* the writing thread, when there is one */
};

/* Line buffers above this size are released after use, so one huge event
 * does not pin its memory for the rest of the recording. */
#define LINE_KEEP (1u << 20)

static void
now_coarse(struct timespec *ts)
{
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, ts) < 0)
		clock_gettime(CLOCK_MONOTONIC, ts);
}

int
trace_writer_open(struct trace_writer **wp, const char *path, bool exclusive)
{
	struct trace_writer *w;
	int flags = O_CREAT | O_WRONLY | O_CLOEXEC | O_NOCTTY;
	size_t zr;

	flags |= exclusive ? O_EXCL : O_TRUNC;
	w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	w->fd = -1;
	w->out_cap = ZSTD_CStreamOutSize();
	w->out = malloc(w->out_cap);
	w->cctx = ZSTD_createCCtx();
	if (!w->out || !w->cctx)
		goto nomem;
	zr = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, TRACE_ZSTD_LEVEL);
	if (!ZSTD_isError(zr))
		zr = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	if (ZSTD_isError(zr))
		goto nomem;
	/* 0 is the default; a library built with threads would otherwise
	 * still write in the caller's thread, but say it. */
	(void)ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_nbWorkers, 0);
	w->fd = open(path, flags, 0644);
	if (w->fd < 0) {
		int e = -errno;

		ZSTD_freeCCtx(w->cctx);
		free(w->out);
		free(w);
		return e;
	}
	now_coarse(&w->last_end);
	*wp = w;
	return 0;
nomem:
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w);
	return -ENOMEM;
}

/* Feeds p[0..n) to the compressor with mode, writing output as it comes.
 * With ZSTD_e_end, loops until the frame is fully written. */
static int
feed(struct trace_writer *w, const void *p, size_t n, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { p, n, 0 };
	size_t left;
	int rc;

	do {
		ZSTD_outBuffer out = { w->out, w->out_cap, 0 };

		left = ZSTD_compressStream2(w->cctx, &out, &in, mode);
		if (ZSTD_isError(left))
			return ZSTD_getErrorCode(left) == ZSTD_error_memory_allocation ?
			    -ENOMEM : -EIO;
		if (out.pos > 0) {
			rc = write_all(w->fd, w->out, out.pos);
			if (rc < 0)
				return rc;
			w->bytes += out.pos;
		}
	} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

static int
line_append(const char *p, size_t n, void *data)
{
	struct trace_writer *w = data;

	if (n > (size_t)TRACE_MAX_LINE - w->line_len) {
		w->line_too_long = true;
		return -1;
	}
	if (w->line_len + n + 1 > w->line_cap) {
		size_t cap = w->line_cap ? w->line_cap : 4096;
		char *q;

		while (cap < w->line_len + n + 1)
			cap *= 2;
		q = realloc(w->line, cap);
		if (!q) {
			w->line_nomem = true;
			return -1;
		}
		w->line = q;
		w->line_cap = cap;
	}
	memcpy(w->line + w->line_len, p, n);
	w->line_len += n;
	return 0;
}

static int
write_now(struct trace_writer *w, const json_t *obj)
{
	int rc;

	if (w->err)
		return w->err;
	if (!json_is_object(obj))
		return -EINVAL;
	w->line_len = 0;
	w->line_too_long = w->line_nomem = false;
	if (json_dump_callback(obj, line_append, w, JSON_COMPACT) < 0) {
		rc = w->line_too_long ? -EMSGSIZE : w->line_nomem ? -ENOMEM : -EINVAL;
		/* -EINVAL: jansson refused the value (a reference cycle).
		 * Nothing reached the stream, so the writer stays usable. */
		if (w->line_cap > LINE_KEEP) {
			free(w->line);
			w->line = NULL;
			w->line_cap = 0;
		}
		return rc;
	}
	w->line[w->line_len++] = '\n';	/* line_append kept room */
	rc = feed(w, w->line, w->line_len, ZSTD_e_continue);
	if (w->line_cap > LINE_KEEP) {
		free(w->line);
		w->line = NULL;
		w->line_cap = 0;
	}
	w->pending = true;
	if (rc < 0)
		w->err = rc;
	return rc;
}

static int
flush_now(struct trace_writer *w)
{
	int rc;

	if (w->err)
		return w->err;
	if (!w->pending)
		return 0;
	rc = feed(w, NULL, 0, ZSTD_e_end);
	if (rc < 0)
		return w->err = rc;
	w->pending = false;
	now_coarse(&w->last_end);
	return 0;
}

static int
tick_now(struct trace_writer *w)
{
	struct timespec now;

	if (w->err)
		return w->err;
	if (!w->pending)
		return 0;
	now_coarse(&now);
	if (now.tv_sec - w->last_end.tv_sec < 1 ||
	    (now.tv_sec - w->last_end.tv_sec == 1 && now.tv_nsec < w->last_end.tv_nsec))
		return 0;
	return flush_now(w);
}

static void bgw_stop(struct trace_writer *w);

int
trace_writer_close(struct trace_writer *w)
{
	int rc;

	if (!w)
		return 0;
	bgw_stop(w);
	rc = flush_now(w);
	if (close(w->fd) < 0 && errno != EINTR && rc == 0)
		rc = -errno;
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w->line);
	free(w);
	return rc;
}

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
		char *nl = r->end > r->scan ?
		    memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;

		if (nl) {
			size_t len = (size_t)(nl - (r->buf + r->start));
			const char *p = r->buf + r->start;

			r->line++;
			if (len > TRACE_MAX_LINE)
				break;
			r->text += len + 1;
			r->start = r->scan = (size_t)(nl - r->buf) + 1;
			/* A bad line is consumed: the next call goes on. */
			return parse_line(r, p, len, obj);
		}
		r->scan = r->end;
		if (r->end - r->start > TRACE_MAX_LINE) {
			r->line++;
			break;
		}
		if ((rc = make_room(r)) < 0)
			return r->err = rc;
		rc = fill(r);
		if (rc < 0)
			return r->err = rc;
		if (rc == 0) {
			if (r->end > r->start)
				r->truncated = true;	/* partial line dropped */
			r->start = r->scan = r->end = 0;
			r->done = true;
			return 0;
		}
	}
	return r->err = reader_fail(r, -EBADMSG, "line %llu: longer than %u MiB",
	    (unsigned long long)r->line, TRACE_MAX_LINE >> 20);
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
	close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->buf);
	free(r);
}

/* ---- threads ----
 *
 * trace_writer_background and trace_reader_background hand the JSON and
 * zstd work to a thread of its own, which runs on the CPUs given (dios
 * pins itself and the program to one CPU; the thread takes another).  The
 * queue between them is bounded by events and by bytes, so memory still
 * does not grow with the trace.  A sleeping thread is woken only for a
 * batch, so the hand-over costs no system call per event.  The thread
 * blocks every signal but faults: they stay the main thread's.
 */

#define BG_CAP 256		/* events queued at most */
#define BG_BYTES (4u << 20)	/* and about this many bytes of text */
#define BG_BATCH 32		/* a sleeping side is woken for this many */

int
trace_io_thread(pthread_t *th, void *(*fn)(void *), void *arg, const cpu_set_t *cpus)
{
	pthread_attr_t at;
	sigset_t all, old;
	int e;

	if ((e = pthread_attr_init(&at)) != 0)
		return -e;
	if (cpus)
		(void)pthread_attr_setaffinity_np(&at, sizeof *cpus, cpus);
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(th, &at, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
	return -e;
}

/* About the length of obj as a line: enough to bound the queue.  Stops at
 * a depth no event has (a reference cycle). */
static size_t
json_size(const json_t *j, int depth)
{
	size_t n = 8, i;
	const char *k;
	json_t *v;

	if (depth > 32)
		return n;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)j, k, v)
			n += strlen(k) + json_size(v, depth + 1);
		break;
	case JSON_ARRAY:
		json_array_foreach(j, i, v)
			n += json_size(v, depth + 1);
		break;
	case JSON_STRING:
		n += json_string_length(j);
		break;
	default:
		break;
	}
	return n;
}

/* The thread only reads the objects: it hands them back (done) and the
 * caller's thread drops its references, so every reference count and
 * free stays in one thread (jansson's decrement is a release, not an
 * acquire-release). */
struct bgw {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t work, room, flushed;
	json_t *q[BG_CAP];
	size_t head, n, bytes;
	json_t *done[BG_CAP];	/* written, to be released by the caller */
	size_t ndone;
	size_t held;		/* queued, being written or done: at most BG_CAP */
	bool idle, full, stop;
	unsigned flush_req, flush_done;
	int err;
};

static void *
bgw_main(void *arg)
{
	struct trace_writer *w = arg;
	struct bgw *b = w->bg;
	json_t *batch[BG_CAP];

	pthread_mutex_lock(&b->mu);
	for (;;) {
		unsigned flush = b->flush_req;
		size_t n = b->n;
		int e = 0;

		if (n == 0 && flush == b->flush_done) {
			struct timespec until;

			if (b->stop)
				break;
			/* Idle: end the frame within a second anyway. */
			clock_gettime(CLOCK_REALTIME_COARSE, &until);
			until.tv_sec += 1;
			b->idle = true;
			e = pthread_cond_timedwait(&b->work, &b->mu, &until);
			b->idle = false;
			if (e == ETIMEDOUT) {
				pthread_mutex_unlock(&b->mu);
				e = tick_now(w);
				pthread_mutex_lock(&b->mu);
				if (e < 0 && b->err == 0)
					b->err = e;
			}
			continue;
		}
		for (size_t i = 0; i < n; i++)
			batch[i] = b->q[(b->head + i) % BG_CAP];
		b->head = (b->head + n) % BG_CAP;
		b->n = 0;
		b->bytes = 0;
		pthread_mutex_unlock(&b->mu);
		for (size_t i = 0; i < n && e == 0; i++)
			e = write_now(w, batch[i]);
		if (e == 0)
			e = tick_now(w);
		if (e == 0 && flush != b->flush_done)
			e = flush_now(w);
		pthread_mutex_lock(&b->mu);
		memcpy(b->done + b->ndone, batch, n * sizeof batch[0]);
		b->ndone += n;
		if (e < 0 && b->err == 0)
			b->err = e;
		if (b->full)
			pthread_cond_signal(&b->room);
		if (flush != b->flush_done) {
			b->flush_done = flush;
			pthread_cond_broadcast(&b->flushed);
		}
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Drops the references to the objects written (b->mu held: the count is
 * at most BG_CAP, and the objects no longer in the thread's hands). */
static void
release_done(struct bgw *b)
{
	for (size_t i = 0; i < b->ndone; i++)
		json_decref(b->done[i]);
	b->held -= b->ndone;
	b->ndone = 0;
}

int
trace_writer_background(struct trace_writer *w, const cpu_set_t *cpus)
{
	struct bgw *b;
	int e;

	if (w->bg)
		return 0;
	if ((b = calloc(1, sizeof *b)) == NULL)
		return -ENOMEM;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->room, NULL);
	pthread_cond_init(&b->flushed, NULL);
	w->bg = b;
	if ((e = trace_io_thread(&b->th, bgw_main, w, cpus)) < 0) {
		w->bg = NULL;
		free(b);
	}
	return e;
}

static void
bgw_stop(struct trace_writer *w)
{
	struct bgw *b = w->bg;

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->th, NULL);
	release_done(b);
	for (size_t i = 0; i < b->n; i++)	/* left after an error */
		json_decref(b->q[(b->head + i) % BG_CAP]);
	if (b->err && w->err == 0)
		w->err = b->err;
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->room);
	pthread_cond_destroy(&b->flushed);
	free(b);
	w->bg = NULL;
}

int
trace_write(struct trace_writer *w, const json_t *obj)
{
	struct bgw *b = w->bg;
	size_t sz;
	int e;

	if (b == NULL)
		return write_now(w, obj);
	if (!json_is_object(obj))
		return -EINVAL;
	sz = json_size(obj, 0);
	pthread_mutex_lock(&b->mu);
	for (;;) {
		release_done(b);
		if (b->err || (b->held < BG_CAP && (b->n == 0 || b->bytes + sz <= BG_BYTES)))
			break;
		b->full = true;
		if (b->idle)
			pthread_cond_signal(&b->work);
		pthread_cond_wait(&b->room, &b->mu);
		b->full = false;
	}
	if ((e = b->err) == 0) {
		b->q[(b->head + b->n) % BG_CAP] = json_incref((json_t *)obj);
		b->n++;
		b->held++;
		b->bytes += sz;
		if (b->idle && (b->n >= BG_BATCH || b->bytes >= BG_BYTES / 4))
			pthread_cond_signal(&b->work);
	}
	pthread_mutex_unlock(&b->mu);
	return e;
}

int
trace_writer_flush(struct trace_writer *w)
{
	struct bgw *b = w->bg;
	unsigned req;
	int e;

	if (b == NULL)
		return flush_now(w);
	pthread_mutex_lock(&b->mu);
	req = ++b->flush_req;
	pthread_cond_signal(&b->work);
	while (b->flush_done != req)
		pthread_cond_wait(&b->flushed, &b->mu);
	release_done(b);
	e = b->err;
	pthread_mutex_unlock(&b->mu);
	return e;
}

int
trace_writer_tick(struct trace_writer *w)
{
	struct bgw *b = w->bg;
	int e;

	if (b == NULL)
		return tick_now(w);
	/* The thread ends frames itself. */
	pthread_mutex_lock(&b->mu);
	e = b->err;
	pthread_mutex_unlock(&b->mu);
	return e;
}

uint64_t
trace_writer_bytes(const struct trace_writer *w)
{
	struct bgw *b = w->bg;
	uint64_t n;

	if (b == NULL)
		return w->bytes;
	pthread_mutex_lock(&b->mu);
	n = w->bytes;
	pthread_mutex_unlock(&b->mu);
	return n;
}

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

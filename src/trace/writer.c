/* writer.c: the streaming writer of trace files, a zstd stream of JSON
 * Lines (man/dios-trace.5), and its background thread
 * (trace_writer_background).
 *
 * Writer: each object is serialised (compact, keys in insertion order) into a
 * reused line buffer, then fed to one ZSTD_CCtx; compressed output goes to
 * the file as it comes.  A frame ends at trace_writer_tick() once a second,
 * at flush and at close, so a killed writer leaves a decodable prefix.  No
 * function here exits or prints.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "trace/io.h"
#include "trace/io_impl.h"

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

/* ---- the writing thread (io_impl.h) ---- */

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

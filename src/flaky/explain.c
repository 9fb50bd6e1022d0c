/* explain.c: `dios-flaky explain PASS FAIL` (see flaky.h).
 *
 * 1. trace_diff aligns the traces; its on_diff callback keeps the last
 *    result differences (a ring) until the first point where the program
 *    asked differently (a "calls" difference, an event only one side has,
 *    or the end): those are the suspects, nearest first.
 * 2. The verdict is the nearest suspect of a telling kind in the task that
 *    asked differently (directory order, random bytes, errors, contents,
 *    time), else the nearest of a telling kind, else the nearest at all; a
 *    divergence where another task made the call is the order of tasks.
 * 3. A chaos recording is narrowed for real: the command is recorded again
 *    with the same chaos seed and subsets of its classes (ddmin), each
 *    subset up to o->runs times, a run failing when it ends with FAIL's
 *    status.
 */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "flaky/flaky.h"
#include "inspect/diff.h"
#include "inspect/fdpaths.h"
#include "inspect/render.h"
#include "inspect/select.h"
#include "trace/io.h"
#include "trace/number.h"

#define RING 16
#define SHOWN 8
#define MAX_CLASSES 16

struct suspect {
	enum diff_kind kind;
	long long seq_a, seq_b, tid_b;
	char sys[32];
	char what[256];		/* path, or "fd N", or "" */
	char text_a[384], text_b[384];
	const char *cls;	/* the chaos class it maps to, or NULL */
	char err_b[32];
	bool ret_differs;	/* the results (return values) differ, not only the bytes */
	/* A clock reading whose interval since the task's previous reading
	 * of that clock differs far from the passing run's (gap_a, gap_b:
	 * the intervals, ns or ticks): an elapsed time that tells. */
	bool time_jump;
	long long gap_a, gap_b;
	bool order_written;	/* contents of a file its tasks wrote in another order */
	bool perturbed;		/* chaos changed FAIL's event */
};

/* The last reading of each clock by each task, per side, for the
 * intervals (time_jump). */
#define CLOCKS 64
struct lastclock { long long tid; int clk; long long v; };

struct ex {
	uint64_t count[DK__N];
	long long first_a[DK__N], first_b[DK__N];
	struct suspect ring[RING];
	size_t nring;		/* pushed so far (the ring holds the last RING) */
	bool diverged;
	struct suspect div;
	char why[128];
	struct suspect sus[RING];	/* nearest first */
	size_t nsus;
	/* The first call made by another task than in PASS: runs interleave
	 * their processes differently anyway, so it is the divergence only
	 * when no call is asked differently after it. */
	bool have_order;
	struct suspect order_div;
	struct suspect order_sus[RING];
	size_t norder_sus;
	struct lastclock clocks[2][CLOCKS];
	size_t nclocks[2];
	/* Files that tasks wrote in another order than in PASS (a write
	 * taken out of step): a read of one that differs follows that order. */
	char written[8][256];
	size_t nwritten;
};

static const char *
sys_of(const json_t *ev)
{
	const char *s = json_string_value(json_object_get(ev, "sys"));

	if (s == NULL)
		s = json_string_value(json_object_get(ev, "event"));
	return s ? s : "?";
}

/* What the event works on: its path argument, or its descriptor's path. */
static void
what_of(const json_t *ev, const struct fdpaths *fp, char *buf, size_t n)
{
	static const char *const paths[] = { "path", "pathname", "filename", "oldname", "name" };
	const json_t *args = json_object_get(ev, "args");
	const char *p;
	int64_t fd;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
		if ((p = json_string_value(json_object_get(args, paths[i]))) != NULL) {
			snprintf(buf, n, "%s", p);
			return;
		}
	if (json_int64_get(json_object_get(args, "fd"), &fd) == 0) {
		if ((p = fdpaths_get(fp, fd)) != NULL)
			snprintf(buf, n, "%s", p);
		else
			snprintf(buf, n, "fd %lld", (long long)fd);
	}
}

static bool
pipe_or_socket(const struct suspect *s)
{
	static const char *const net[] = { "recvfrom", "recvmsg", "recvmmsg", "sendto", "sendmsg",
	    "sendmmsg", "accept", "accept4", "connect" };

	if (strncmp(s->what, "fd ", 3) == 0 || strncmp(s->what, "pipe:", 5) == 0 ||
	    strncmp(s->what, "socket:", 7) == 0)
		return true;
	for (size_t i = 0; i < sizeof net / sizeof *net; i++)
		if (strcmp(s->sys, net[i]) == 0)
			return true;
	return false;
}

/* The chaos class a difference of this kind maps to (dios-flaky(1)). */
static const char *
class_of(const struct suspect *s)
{
	switch (s->kind) {
	case DK_DIRORDER: return "dirs";
	case DK_TIME: return "time";
	case DK_RANDOM: return "random";
	case DK_IDS: return "pids";
	case DK_ERRORS:
		if (!strcmp(s->err_b, "EINTR") || !strcmp(s->err_b, "EAGAIN") || pipe_or_socket(s))
			return "io";
		return NULL;
	case DK_CONTENTS:
	case DK_OTHER:
		/* a short read; other bytes of the same length on a pipe
		 * are what another task wrote */
		return pipe_or_socket(s) && s->ret_differs ? "io" : NULL;
	default: return NULL;
	}
}

static void
fill(struct suspect *s, enum diff_kind k, const json_t *a, const json_t *b,
    const struct fdpaths *fa, const struct fdpaths *fb)
{
	struct render_opts ra = { .with_result = true, .strsize = 32, .fds = fa };
	struct render_opts rb = { .with_result = true, .strsize = 32, .fds = fb };
	const json_t *ev = b ? b : a;
	const char *e;

	memset(s, 0, sizeof *s);
	s->kind = k;
	s->seq_a = a ? (long long)json_int64_or(a, "seq", -1) : -1;
	s->seq_b = b ? (long long)json_int64_or(b, "seq", -1) : -1;
	s->tid_b = (long long)json_int64_or(ev, "tid", 0);
	if (ev == NULL)
		return;
	snprintf(s->sys, sizeof s->sys, "%s", sys_of(ev));
	what_of(ev, b ? fb : fa, s->what, sizeof s->what);
	if (a)
		render_event_opts(a, &ra, s->text_a, sizeof s->text_a);
	if (b)
		render_event_opts(b, &rb, s->text_b, sizeof s->text_b);
	s->ret_differs = a && b && !json_same(json_object_get(a, "ret"), json_object_get(b, "ret"));
	s->perturbed = b && json_object_get(b, "perturbed");
	if (b && (e = json_string_value(json_object_get(b, "err"))) != NULL)
		snprintf(s->err_b, sizeof s->err_b, "%s", e);
	s->cls = class_of(s);
}

/* A clock reading: its clock (a clockid; gettimeofday and time read
 * CLOCK_REALTIME; -2 for the time-stamp counter) and value (ns; ticks). */
static bool
clock_reading(const json_t *ev, int *clk, long long *v)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const char *what = json_string_value(json_object_get(ev, "event"));
	const json_t *out = json_object_get(ev, "out"), *t;
	uint64_t u;

	if (what && (strcmp(what, "rdtsc") == 0 || strcmp(what, "rdtscp") == 0) &&
	    json_uint64_get(json_object_get(ev, "value"), &u) == 0) {
		*clk = -2;
		*v = (long long)u;
		return true;
	}
	if (sys == NULL || json_object_get(ev, "err"))
		return false;
	if (strcmp(sys, "clock_gettime") == 0 && (t = json_object_get(out, "tp")) != NULL) {
		*clk = (int)json_int64_or(json_object_get(ev, "args"), "clockid", 0);
		*v = (long long)json_int64_or(t, "sec", 0) * 1000000000LL + json_int64_or(t, "nsec", 0);
		return true;
	}
	if (strcmp(sys, "gettimeofday") == 0 && (t = json_object_get(out, "tv")) != NULL) {
		*clk = 0;
		*v = (long long)json_int64_or(t, "sec", 0) * 1000000000LL + json_int64_or(t, "usec", 0) * 1000;
		return true;
	}
	if (strcmp(sys, "time") == 0) {
		*clk = 0;
		*v = (long long)json_int64_or(ev, "ret", 0) * 1000000000LL;
		return true;
	}
	return false;
}

/* The interval since side's previous reading of clock clk by task tid
 * (and this reading kept); false for a first reading. */
static bool
clock_gap(struct ex *x, int side, long long tid, int clk, long long v, long long *gap)
{
	struct lastclock *c = x->clocks[side];
	size_t i, n = x->nclocks[side];

	for (i = 0; i < n; i++)
		if (c[i].tid == tid && c[i].clk == clk) {
			*gap = v - c[i].v;
			c[i].v = v;
			return true;
		}
	if (n == CLOCKS)
		memmove(c, c + 1, --n * sizeof *c);	/* the oldest goes */
	c[n].tid = tid;
	c[n].clk = clk;
	c[n].v = v;
	x->nclocks[side] = n + 1;
	return false;
}

/* Does an interval of b against a (the passing run's) tell: three times as
 * long or a third as long, by 10 ms (30 million ticks) or more, or
 * backwards where a was not?  For the time-stamp counter, only longer: the
 * dynamic loader and the C library read it at start, where a passing run
 * that the machine's load held up for a while is no cause of a failure. */
static bool
gap_tells(int clk, long long a, long long b)
{
	long long min = clk == -2 ? 30000000LL : 10000000LL;

	if (b < 0 && a >= 0)
		return true;
	if (clk == -2 && b <= a)
		return false;
	if (b > a)
		return b - a >= min && b >= 3 * (a > 0 ? a : 0);
	return a - b >= min && a >= 3 * (b > 0 ? b : 0);
}

/* A write (write, pwrite64, writev...) of a file at a place where the
 * runs' tasks interleaved otherwise: its path is remembered. */
static void
note_order_written(struct ex *x, const json_t *ev, const struct fdpaths *fp)
{
	const char *sys = ev ? json_string_value(json_object_get(ev, "sys")) : NULL;
	char what[256];

	if (sys == NULL || (strncmp(sys, "write", 5) != 0 && strncmp(sys, "pwrite", 6) != 0))
		return;
	what_of(ev, fp, what, sizeof what);
	if (what[0] != '/')
		return;	/* a file by its path: not a pipe or an unknown descriptor */
	for (size_t i = 0; i < x->nwritten; i++)
		if (strcmp(x->written[i], what) == 0)
			return;
	if (x->nwritten < sizeof x->written / sizeof *x->written)
		snprintf(x->written[x->nwritten++], sizeof *x->written, "%s", what);
}

static bool
order_written(const struct ex *x, const char *path)
{
	for (size_t i = 0; i < x->nwritten; i++)
		if (strcmp(x->written[i], path) == 0)
			return true;
	return false;
}

static void
freeze(struct ex *x)
{
	size_t n = x->nring < RING ? x->nring : RING;

	for (size_t i = 0; i < n; i++)
		x->sus[i] = x->ring[(x->nring - 1 - i) % RING];
	x->nsus = n;
	x->diverged = true;
}

/* A call asked with other inputs that is not yet where the runs part: the
 * same call, an argument that names something (a path, an address, a
 * number: a file named after the pid, a port drawn from it) and not data
 * it writes, and the same result in both, no error.  The walk goes on to
 * the first difference with consequences. */
static bool
inconsequential(const json_t *a, const json_t *b, const char *why)
{
	static const char *const data[] = { "buf", "iov", "msg", "vec", "data", "optval", "value" };
	char name[64];

	if (a == NULL || b == NULL || why == NULL || sscanf(why, "the call's \"%63[^\"]\" differs", name) != 1)
		return false;
	for (size_t i = 0; i < sizeof data / sizeof *data; i++)
		if (strcmp(name, data[i]) == 0)
			return false;
	return json_object_get(a, "err") == NULL && json_object_get(b, "err") == NULL &&
	    json_equal(json_object_get(a, "ret"), json_object_get(b, "ret"));
}

static void
on_diff(void *ctx, enum diff_kind k, const json_t *a, const json_t *b, const struct fdpaths *fa,
    const struct fdpaths *fb, const char *why)
{
	struct ex *x = ctx;

	if (x->count[k]++ == 0) {
		x->first_a[k] = a ? (long long)json_int64_or(a, "seq", -1) : -1;
		x->first_b[k] = b ? (long long)json_int64_or(b, "seq", -1) : -1;
	}
	if (x->diverged)
		return;
	if (k < DK_CALLS) {
		struct suspect *sp = &x->ring[x->nring % RING];
		int ca, cb;
		long long va, vb, ga, gb;
		fill(sp, k, a, b, fa, fb);
		if (k == DK_CONTENTS && sp->what[0] && order_written(x, sp->what)) {
			sp->cls = "sched";	/* what it read was written in another order */
			sp->order_written = true;
		}
		if (k == DK_TIME && a && b && clock_reading(a, &ca, &va) && clock_reading(b, &cb, &vb) &&
		    ca == cb) {
			bool ha = clock_gap(x, 0, (long long)json_int64_or(a, "tid", 0), ca, va, &ga);
			bool hb = clock_gap(x, 1, (long long)json_int64_or(b, "tid", 0), cb, vb, &gb);
			if (ha && hb && gap_tells(ca, ga, gb)) {
				sp->time_jump = true;
				sp->gap_a = ga;
				sp->gap_b = gb;
			}
		}
		x->nring++;
		return;
	}
	if (k == DK_ORDER || (k == DK_CALLS && why && strcmp(why, "made by another task") == 0)) {
		note_order_written(x, a, fa);
		note_order_written(x, b, fb);
		if (!x->have_order) {
			x->have_order = true;
			fill(&x->order_div, k, a, b, fa, fb);
			freeze(x);
			x->diverged = false;
			memcpy(x->order_sus, x->sus, sizeof x->sus);
			x->norder_sus = x->nsus;
		}
		return;
	}
	if (k == DK_CALLS && inconsequential(a, b, why))
		return;
	fill(&x->div, k, a, b, fa, fb);
	snprintf(x->why, sizeof x->why, "%s", why ? why : "");
	freeze(x);
}

/* A difference that tells something: not one that differs between any two
 * runs (metadata, ids, other results) nor the bytes another task wrote
 * into a pipe.  Time is read everywhere: telling, but named last. */
static bool
telling(const struct suspect *s)
{
	switch (s->kind) {
	case DK_DIRORDER: case DK_RANDOM: case DK_ERRORS: case DK_TIME:
		return true;
	case DK_CONTENTS:
		return !pipe_or_socket(s) || s->ret_differs;
	case DK_OTHER:
		return s->cls != NULL;
	default:
		return false;
	}
}

/* A telling suspect that is not merely a clock read (every run reads
 * other times): any other kind, or a clock whose interval jumped. */
static bool
strong(const struct suspect *s)
{
	return telling(s) && (s->kind != DK_TIME || s->time_jump);
}

/* Is there a suspect that the data explains better than the order of
 * tasks (runs interleave their processes differently anyway)? */
static bool
data_suspect(const struct ex *x)
{
	for (size_t i = 0; i < x->nsus; i++)
		if (strong(&x->sus[i]))
			return true;
	return false;
}

/* The suspect the verdict names, or NULL: the nearest strong one that is
 * not random bytes (they differ in every run, as the C library's own
 * getrandom at the first malloc does, so they are weaker evidence than a
 * jump of the clock, another directory order or an error), then the
 * nearest strong one, then the nearest telling one, else the nearest. */
static const struct suspect *
verdict_of(const struct ex *x, bool unperturbed)
{
	const struct suspect *s = x->sus;

	for (size_t i = 0; i < x->nsus; i++)
		if (strong(&s[i]) && s[i].kind != DK_RANDOM && !(unperturbed && s[i].perturbed))
			return &s[i];
	for (size_t i = 0; i < x->nsus; i++)
		if (strong(&s[i]) && !(unperturbed && s[i].perturbed))
			return &s[i];
	for (size_t i = 0; i < x->nsus; i++)
		if (telling(&s[i]) && !(unperturbed && s[i].perturbed))
			return &s[i];
	return x->nsus ? &s[0] : NULL;
}


/* --- the traces' ends and perturbed events -------------------------- */

struct scan {
	json_t *hdr;		/* new reference */
	char end[128];		/* "exit 1", "killed by SIGSEGV", "cut short (no footer)" */
	int status;		/* as dios-record exits: N, 128+N; -1 unknown */
	/* Events marked "perturbed", by the class after "chaos:" (pcls): the
	 * last one before the divergence, and the first one at all, each with
	 * what it works on. */
	struct pert { char cls[16]; json_t *last, *first; char last_what[256], first_what[256]; }
	    pert[MAX_CLASSES];
	size_t npert;
	uint64_t nperturbed;
};

static struct pert *
pert_of(struct scan *s, const char *why)
{
	const char *c = strncmp(why, "chaos:", 6) == 0 ? why + 6 : why;

	for (size_t i = 0; i < s->npert; i++)
		if (strcmp(s->pert[i].cls, c) == 0)
			return &s->pert[i];
	if (s->npert == MAX_CLASSES)
		return NULL;
	snprintf(s->pert[s->npert].cls, sizeof s->pert[s->npert].cls, "%s", c);
	return &s->pert[s->npert++];
}

static int
scan_trace(const char *path, long long before, struct scan *s, char *err, size_t errlen)
{
	struct trace_reader *r;
	struct fdpaths *fp = NULL;
	json_t *o;
	int e;

	memset(s, 0, sizeof *s);
	s->status = -1;
	snprintf(s->end, sizeof s->end, "cut short (no footer)");
	if ((e = trace_reader_open(&r, path)) < 0) {
		snprintf(err, errlen, "%s: %s", path, e == -ENOENT ? "no such trace file" : strerror(-e));
		return e;
	}
	trace_reader_elide(r, 0);
	while ((e = trace_read(r, &o)) > 0) {
		const json_t *end = json_object_get(o, "end");
		if (s->hdr == NULL) {
			s->hdr = o;
			fp = fdpaths_new(json_string_value(json_object_get(o, "cwd")));
			continue;
		}
		if (end || json_object_get(o, "aborted")) {
			const char *sig = json_string_value(json_object_get(end, "signal"));
			if (json_is_string(json_object_get(o, "aborted")))
				snprintf(s->end, sizeof s->end, "aborted: %s",
				    json_string_value(json_object_get(o, "aborted")));
			else if (json_is_int64(json_object_get(end, "exit"))) {
				s->status = (int)json_int64_or(end, "exit", 0);
				snprintf(s->end, sizeof s->end, "exit %d", s->status);
			} else if (sig) {
				snprintf(s->end, sizeof s->end, "killed by %s", sig);
				for (int i = 1; i < 65; i++)
					if (sigabbrev_np(i) && !strcmp(sig + (strncmp(sig, "SIG", 3) ? 0 : 3),
					    sigabbrev_np(i)))
						s->status = 128 + i;
			}
		} else if (trace_line_is_event(o)) {
			const char *why = json_string_value(json_object_get(o, "perturbed"));
			struct pert *pt;
			if (why && (pt = pert_of(s, why)) != NULL) {
				s->nperturbed++;
				if (pt->first == NULL) {
					pt->first = json_incref(o);
					what_of(o, fp, pt->first_what, sizeof pt->first_what);
				}
				if (before < 0 || json_int64_or(o, "seq", -1) < before) {
					json_decref(pt->last);
					pt->last = json_incref(o);
					what_of(o, fp, pt->last_what, sizeof pt->last_what);
				}
			}
			if (fp)
				fdpaths_update(fp, o);
		}
		json_decref(o);
	}
	if (e < 0) {
		snprintf(err, errlen, "%s: %s", path, e == -EBADMSG ? trace_reader_error(r) : strerror(-e));
		trace_reader_close(r);
		fdpaths_free(fp);
		return e;
	}
	trace_reader_close(r);
	fdpaths_free(fp);
	if (s->hdr == NULL || !json_is_string(json_object_get(s->hdr, "format"))) {
		snprintf(err, errlen, "%s: line 1: not a dios trace header (no \"format\")", path);
		return -EBADMSG;
	}
	return 0;
}

static void
scan_free(struct scan *s)
{
	json_decref(s->hdr);
	s->hdr = NULL;
	for (size_t i = 0; i < s->npert; i++) {
		json_decref(s->pert[i].last);
		json_decref(s->pert[i].first);
	}
	s->npert = 0;
}

/* The perturbed event to name for the classes of mask m: the last one of
 * those classes before the divergence, else their first one; NULL when
 * none is marked. */
static const json_t *
pert_pick(const struct scan *s, const char *const *cls, size_t ncls, unsigned m, const char **what,
    bool *before)
{
	const json_t *best = NULL;

	for (int pass = 0; pass < 2 && best == NULL; pass++)
		for (size_t i = 0; i < s->npert; i++)
			for (size_t c = 0; c < ncls; c++) {
				const json_t *ev = pass == 0 ? s->pert[i].last : s->pert[i].first;
				if (!(m & (1u << c)) || strcmp(cls[c], s->pert[i].cls) != 0 || ev == NULL)
					continue;
				if (best == NULL || (pass == 0 ? json_int64_or(ev, "seq", 0) > json_int64_or(best, "seq", 0)
				    : json_int64_or(ev, "seq", 0) < json_int64_or(best, "seq", 0))) {
					best = ev;
					*what = pass == 0 ? s->pert[i].last_what : s->pert[i].first_what;
					*before = pass == 0;
				}
			}
	return best;
}

/* --- narrowing the chaos classes ------------------------------------ */

struct narrow {
	const struct flaky_explain_opts *o;
	char *record;
	char **argv, **envp;
	const char *cwd;
	uint64_t seed;
	int status;		/* FAIL's */
	const char *cls[MAX_CLASSES];
	size_t ncls;
	int result[1 << 10];	/* by mask: 0 untried, 1 fails, 2 passes */
	int tries[1 << 10];
	char dir[64];
	json_t *tested;
	bool stopped;
	int err;
	char errmsg[1200];
};

static char **
strv_of(const json_t *a)
{
	size_t n = json_array_size(a);
	char **v = calloc(n + 1, sizeof *v);

	for (size_t i = 0; v && i < n; i++)
		v[i] = (char *)json_string_value(json_array_get(a, i));
	return v;
}

static void
mask_text(const struct narrow *nw, unsigned m, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nw->ncls; i++)
		if (m & (1u << i))
			at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s", at ? "," : "", nw->cls[i]);
	if (at == 0)
		snprintf(buf, n, "none");
}

static json_t *
mask_json(const struct narrow *nw, unsigned m)
{
	json_t *a = json_array();

	for (size_t i = 0; i < nw->ncls; i++)
		if (m & (1u << i))
			json_array_append_new(a, json_string(nw->cls[i]));
	return a;
}

/* Does the command still fail with the classes of mask m? */
static bool
fails(struct narrow *nw, unsigned m)
{
	char classes[256], trace[128], log[128];
	unsigned k;

	if (nw->result[m])
		return nw->result[m] == 1;
	if (nw->stopped || nw->err)
		return false;
	mask_text(nw, m, classes, sizeof classes);
	snprintf(trace, sizeof trace, "%s/run.json.zst", nw->dir);
	snprintf(log, sizeof log, "%s/run.log", nw->dir);
	nw->result[m] = 2;
	for (k = 1; k <= nw->o->runs; k++) {
		struct flaky_rec_req q = { .record = nw->record, .argv = nw->argv, .envp = nw->envp,
		    .cwd = nw->cwd, .trace = trace, .log = log, .chaos = m ? classes : NULL,
		    .chaos_seed = nw->seed, .timeout = nw->o->timeout, .grace = 5 };
		struct flaky_rec_res r;
		if (flaky_record(&q, &r, nw->errmsg, sizeof nw->errmsg) < 0) {
			nw->err = -EIO;
			break;
		}
		if (r.end == FE_STOPPED) {
			nw->stopped = true;
			break;
		}
		if (r.end == FE_DIOS) {
			snprintf(nw->errmsg, sizeof nw->errmsg, "re-recording with chaos %s: %s (its output: %s)",
			    classes, r.dios_msg, log);
			nw->err = -EIO;
			return false;
		}
		if (r.status == nw->status && r.end != FE_TIMEOUT) {
			nw->result[m] = 1;
			break;
		}
		if (r.end == FE_TIMEOUT && nw->status == 128 + SIGTERM) {
			nw->result[m] = 1;
			break;
		}
	}
	nw->tries[m] = (int)(k > nw->o->runs ? nw->o->runs : k);
	unlink(trace);
	unlink(log);
	json_array_append_new(nw->tested, json_pack("{s:o,s:b,s:i}", "classes", mask_json(nw, m),
	    "failed", nw->result[m] == 1, "runs", nw->tries[m]));
	if (nw->o->progress)
		fprintf(nw->o->progress, "dios-flaky: chaos %s: %s\n", classes, nw->result[m] == 1 ?
		    "fails" : "passes");
	return nw->result[m] == 1;
}

static int
popcount(unsigned m)
{
	return __builtin_popcount(m);
}

/* ddmin over the classes of mask c (which fails): a 1-minimal failing subset. */
static unsigned
ddmin(struct narrow *nw, unsigned c)
{
	int n = 2;

	while (popcount(c) >= 2 && !nw->stopped && !nw->err) {
		unsigned parts[MAX_CLASSES] = { 0 };
		int size = popcount(c), i = 0, j = 0;
		bool found = false;
		for (size_t b = 0; b < nw->ncls; b++)
			if (c & (1u << b))
				parts[(j++ * n) / size] |= 1u << b;
		for (i = 0; i < n && !found; i++)
			if (parts[i] && fails(nw, parts[i])) {
				c = parts[i];
				n = 2;
				found = true;
			}
		for (i = 0; i < n && !found && n > 2; i++)
			if (parts[i] && fails(nw, c & ~parts[i])) {
				c &= ~parts[i];
				n = n - 1 > 2 ? n - 1 : 2;
				found = true;
			}
		if (found)
			continue;
		if (n >= size)
			break;
		n = 2 * n < size ? 2 * n : size;
	}
	return c;
}

/* --- the report ------------------------------------------------------ */

static const char *
class_text(const char *cls)
{
	if (cls == NULL)
		return NULL;
	if (!strcmp(cls, "dirs")) return "the directory order";
	if (!strcmp(cls, "time")) return "the time";
	if (!strcmp(cls, "random")) return "the random bytes";
	if (!strcmp(cls, "io")) return "an I/O result on a pipe or socket";
	if (!strcmp(cls, "pids")) return "the process ids";
	if (!strcmp(cls, "sched")) return "the order of tasks";
	return cls;
}

static const char *
kind_text(enum diff_kind k)
{
	switch (k) {
	case DK_CONTENTS: return "a file's contents";
	case DK_ERRORS: return "an error";
	case DK_METADATA: return "a file's metadata";
	case DK_OTHER: return "a result";
	default: return tracediff_kind_name(k);
	}
}

static void
suspect_text(const struct suspect *s, char *buf, size_t n)
{
	size_t at;

	if (s->what[0])
		at = (size_t)snprintf(buf, n, "%s of %s (event %lld)", s->sys, s->what, s->seq_b);
	else
		at = (size_t)snprintf(buf, n, "%s (event %lld)", s->sys, s->seq_b);
	if (s->order_written && at < n)
		snprintf(buf + at, n - at, ", which its tasks wrote in another order");
	if (s->time_jump && at < n) {
		if (strcmp(s->sys, "rdtsc") == 0 || strcmp(s->sys, "rdtscp") == 0)
			snprintf(buf + at, n - at, ", %lld ticks after the previous reading, against %lld "
			    "when it passed", s->gap_b, s->gap_a);
		else
			snprintf(buf + at, n - at, ", %.3f s after the previous reading, against %.3f s "
			    "when it passed", (double)s->gap_b / 1e9, (double)s->gap_a / 1e9);
	}
}

/* The verdict that names suspect v, into buf; its class. */
static const char *
verdict_text(const struct suspect *v, char *buf, size_t n)
{
	char st[600];

	suspect_text(v, st, sizeof st);
	snprintf(buf, n, "the failure follows %s: %s", v->cls ? class_text(v->cls) : kind_text(v->kind), st);
	return v->cls;
}

static json_t *
suspect_json(const struct suspect *s)
{
	return json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:n}", "fail_event", (json_int_t)s->seq_b,
	    "pass_event", (json_int_t)s->seq_a, "task", (json_int_t)s->tid_b, "sys", s->sys,
	    "what", s->what, "kind", tracediff_kind_name(s->kind),
	    "class", s->cls ? json_string(s->cls) : json_null(), "pass_call", s->text_a,
	    "fail_call", s->text_b, "call_site");
}

int
flaky_explain(const struct flaky_explain_opts *o, char *err, size_t errlen)
{
	struct ex *x = calloc(1, sizeof *x);
	struct tracediff_opts dopt = { .ignore = 0, .window = 64, .sync = 3, .strsize = 32, .brief = 1,
	    .on_diff = on_diff, .ctx = x };
	struct scan sp, sf;
	struct narrow *nw = NULL;
	const struct suspect *v = NULL;
	const char *vcls = NULL;
	char verdict[1400], ds[160];
	json_t *chaos, *cj = json_null();
	const json_t *pe = NULL;
	const char *pwhat = "";
	bool pbefore = false;
	int e;

	if (x == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(&sp, 0, sizeof sp);
	memset(&sf, 0, sizeof sf);
	if ((e = trace_diff(o->pass, o->fail, &dopt, NULL, err, errlen)) < 0)
		goto done;
	if (!x->diverged && x->have_order) {	/* only the order of tasks differs */
		x->div = x->order_div;
		snprintf(x->why, sizeof x->why, "made by another task");
		x->div.kind = DK_ORDER;
		memcpy(x->sus, x->order_sus, sizeof x->sus);
		x->nsus = x->norder_sus;
		x->diverged = true;
	}
	if (!x->diverged) {	/* no difference at all: the suspects are the last ones */
		x->div.kind = DK_END;
		x->div.seq_a = x->div.seq_b = -1;
		freeze(x);
	}
	if ((e = scan_trace(o->pass, -1, &sp, err, errlen)) < 0 ||
	    (e = scan_trace(o->fail, x->div.kind == DK_END ? -1 : x->div.seq_b, &sf, err, errlen)) < 0)
		goto done;

	/* The static verdict. */
	if (x->div.kind == DK_ORDER && !data_suspect(x)) {
		vcls = "sched";
		snprintf(verdict, sizeof verdict, "the failure follows the order of tasks: task %lld made "
		    "%s (event %lld) where the passing run's task made %s", x->div.tid_b, x->div.sys,
		    x->div.seq_b, x->div.text_a[0] ? x->div.text_a : "another call");
	} else if ((v = verdict_of(x, false)) != NULL) {
		vcls = verdict_text(v, verdict, sizeof verdict);
	} else if (x->div.kind == DK_END && x->count[DK_END] == 0)
		snprintf(verdict, sizeof verdict, "no difference: the two runs ended alike (%s)", sf.end);
	else
		snprintf(verdict, sizeof verdict, "no result differs before the program asked differently "
		    "(event %lld): the cause is outside what dios records (a race between threads "
		    "inside the process, cpuid or rdrand)", x->div.seq_b);

	/* Narrowing, for a chaos recording. */
	chaos = json_object_get(json_object_get(sf.hdr, "perturbed"), "chaos");
	if (chaos && o->narrow) {
		const json_t *cl = json_object_get(chaos, "classes");
		unsigned all, min;
		nw = calloc(1, sizeof *nw);
		if (nw == NULL) {
			e = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		nw->o = o;
		nw->tested = json_array();
		nw->status = sf.status;
		json_uint64_get(json_object_get(chaos, "seed"), &nw->seed);
		for (size_t i = 0; i < json_array_size(cl) && nw->ncls < 10; i++)
			if (json_is_string(json_array_get(cl, i)))
				nw->cls[nw->ncls++] = json_string_value(json_array_get(cl, i));
		nw->argv = strv_of(json_object_get(sf.hdr, "argv"));
		nw->envp = strv_of(json_object_get(sf.hdr, "env"));
		nw->cwd = json_string_value(json_object_get(sf.hdr, "cwd"));
		nw->record = flaky_record_path();
		snprintf(nw->dir, sizeof nw->dir, "%s/dios-explain.XXXXXX",
		    getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 30 ? getenv("TMPDIR") : "/tmp");
		if (nw->argv == NULL || nw->envp == NULL || nw->argv[0] == NULL || mkdtemp(nw->dir) == NULL) {
			e = -EIO;
			snprintf(err, errlen, "%s: cannot re-record it: %s", o->fail, nw->argv && nw->argv[0] ?
			    strerror(errno) : "its header has no argv");
			goto done;
		}
		all = (1u << nw->ncls) - 1;
		json_t *cres = json_object();
		json_object_set_new(cres, "seed", json_uint64(nw->seed));
		json_object_set_new(cres, "classes", mask_json(nw, all));
		if (nw->status < 0) {
			json_object_set_new(cres, "reproduced", json_false());
			json_object_set_new(cres, "note", json_string("FAIL has no exit status to compare"));
		} else if (!fails(nw, all)) {
			json_object_set_new(cres, "reproduced", json_false());
		} else {
			char ms[256], ns[256] = "";
			size_t at = 0;
			bool without;
			min = ddmin(nw, all);
			without = fails(nw, 0);
			json_t *need = json_array();
			for (size_t i = 0; i < nw->ncls; i++)
				if ((min & (1u << i)) && !fails(nw, min & ~(1u << i))) {
					json_array_append_new(need, json_string(nw->cls[i]));
					at += (size_t)snprintf(ns + at, at < sizeof ns ? sizeof ns - at : 0, "%s%s",
					    at ? "," : "", nw->cls[i]);
				}
			mask_text(nw, min, ms, sizeof ms);
			json_object_set_new(cres, "reproduced", json_true());
			json_object_set_new(cres, "minimal", mask_json(nw, min));
			json_object_set_new(cres, "needed", need);
			json_object_set_new(cres, "fails_without_chaos", json_boolean(without));
			if (!nw->stopped && !nw->err) {
				char old[1100];
				snprintf(old, sizeof old, "%.1000s", verdict);
				/* the class, proved: the one class the failure needs */
				for (size_t i = 0; !without && popcount(min) == 1 && i < nw->ncls; i++)
					if (min & (1u << i))
						vcls = nw->cls[i];
				/* Without chaos too: what chaos changed is no cause, so
				 * the suspect is the nearest one it did not change. */
				const struct suspect *u = without ? verdict_of(x, true) : NULL;
				if (u && u != v && x->div.kind != DK_ORDER) {
					v = u;
					vcls = verdict_text(v, old, sizeof old);
				}
				if (without)
					snprintf(verdict, sizeof verdict, "the failure comes without chaos too "
					    "(it failed again with none of the classes); %s", old);
				else if ((pe = pert_pick(&sf, nw->cls, nw->ncls, min, &pwhat, &pbefore)) != NULL) {
					char cn[400];
					if (popcount(min) == 1)
						snprintf(cn, sizeof cn, "%s (chaos class %.100s)",
						    class_text(ms) ? class_text(ms) : ms, ms);
					else
						snprintf(cn, sizeof cn, "the chaos classes %s", ms);
					snprintf(verdict, sizeof verdict, "the failure follows %s: %s%s%s (event %lld%s)",
					    cn, sys_of(pe), pwhat[0] ? " of " : "", pwhat,
					    (long long)json_int64_or(pe, "seq", -1), pbefore ? "" :
					    ", the first perturbed; none comes before the divergence");
				} else
					snprintf(verdict, sizeof verdict, "the failure follows the chaos class%s %s "
					    "(without %s it passes)", popcount(min) > 1 ? "es" : "", ms,
					    ns[0] ? ns : "any one of them");
			}
		}
		json_object_set_new(cres, "tested", json_incref(nw->tested));
		json_object_set_new(cres, "interrupted", json_boolean(nw->stopped));
		if (pe) {
			struct render_opts ro = { .with_result = true, .strsize = 32 };
			char pb[512];
			render_event_opts(pe, &ro, pb, sizeof pb);
			json_t *stk = json_object_get(pe, "stack");
			json_object_set_new(cres, "perturbed_event", json_pack("{s:I,s:s,s:s,s:O,s:b,s:O}",
			    "event", (json_int_t)json_int64_or(pe, "seq", -1), "call", pb, "what", pwhat,
			    "perturbed", json_object_get(pe, "perturbed"), "before_divergence", pbefore,
			    "call_site", json_is_array(stk) ? stk : json_null()));
			/* the program's own frame: the first outside the C library and the loader */
			const char *site = NULL;
			size_t si;
			json_t *fr;
			json_array_foreach(stk, si, fr) {
				const char *f = json_string_value(fr);
				if (f && strncmp(f, "libc.so", 7) && strncmp(f, "ld-linux", 8) &&
				    strncmp(f, "libpthread", 10)) {
					site = f;
					break;
				}
			}
			if (site && strchr(site, ' ') && !strstr(verdict, " called from ")) {
				size_t used = strlen(verdict);
				snprintf(verdict + used, sizeof verdict - used, ", called from %s", strchr(site, ' ') + 1);
			}
		} else
			json_object_set_new(cres, "perturbed_event", json_null());
		cj = cres;
		if (nw->err) {
			e = nw->err;
			snprintf(err, errlen, "%s", nw->errmsg);
			goto done;
		}
	}

	if (o->json) {
		json_t *j = json_object(), *counts = json_object(), *sus = json_array();
		for (int k = 0; k < DK__N; k++)
			json_object_set_new(counts, tracediff_kind_name((enum diff_kind)k),
			    json_integer((json_int_t)x->count[k]));
		for (size_t i = 0; i < x->nsus && i < SHOWN; i++)
			json_array_append_new(sus, suspect_json(&x->sus[i]));
		json_object_set_new(j, "verdict", json_string(verdict));
		json_object_set_new(j, "class", vcls ? json_string(vcls) : json_null());
		json_object_set_new(j, "proof", json_string(json_is_object(cj) &&
		    json_is_true(json_object_get(cj, "reproduced")) ? "rerun" : "static"));
		json_object_set_new(j, "pass", json_pack("{s:s,s:s}", "trace", o->pass, "end", sp.end));
		json_object_set_new(j, "fail", json_pack("{s:s,s:s}", "trace", o->fail, "end", sf.end));
		json_object_set_new(j, "counts", counts);
		json_t *firsts = json_object();
		for (int k = 0; k < DK__N; k++)
			if (x->count[k])
				json_object_set_new(firsts, tracediff_kind_name((enum diff_kind)k),
				    json_pack("{s:I,s:I}", "pass_event", (json_int_t)x->first_a[k], "fail_event",
				    (json_int_t)x->first_b[k]));
		json_object_set_new(j, "first", firsts);
		json_object_set_new(j, "divergence", x->div.kind == DK_END && x->div.seq_b < 0 ?
		    json_pack("{s:s}", "kind", "end") :
		    json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:n}", "kind", tracediff_kind_name(x->div.kind),
		    "why", x->why, "pass_event", (json_int_t)x->div.seq_a, "fail_event",
		    (json_int_t)x->div.seq_b, "task", (json_int_t)x->div.tid_b, "pass_call", x->div.text_a,
		    "fail_call", x->div.text_b, "call_site"));
		json_object_set_new(j, "suspects", sus);
		json_object_set_new(j, "chaos", json_incref(cj));
		json_dumpf(j, o->out, JSON_COMPACT);
		fputc('\n', o->out);
		json_decref(j);
		goto done;
	}
	fprintf(o->out, "%s\n", verdict);
	fprintf(o->out, "FAIL %s (%s) against PASS %s (%s)\n", o->fail, sf.end, o->pass, sp.end);
	if (x->div.seq_b >= 0 || x->div.seq_a >= 0) {
		fprintf(o->out, "the program asked differently first at event %lld of FAIL (%lld of PASS), "
		    "task %lld%s%s%s:\n", x->div.seq_b, x->div.seq_a, x->div.tid_b, x->why[0] ? " (" : "",
		    x->why, x->why[0] ? ")" : "");
		fprintf(o->out, "  PASS: %s\n  FAIL: %s\n", x->div.text_a[0] ? x->div.text_a : "(no counterpart)",
		    x->div.text_b[0] ? x->div.text_b : "(no counterpart)");
	} else if (x->count[DK_END])
		fprintf(o->out, "the program asked alike all along; only its end differs\n");
	if (x->nsus) {
		fprintf(o->out, "suspects, nearest first (results that differ before that point):\n");
		for (size_t i = 0; i < x->nsus && i < SHOWN; i++) {
			const struct suspect *s = &x->sus[i];
			fprintf(o->out, "  event %lld (task %lld): %s: %s%s%s\n", s->seq_b, s->tid_b, s->text_b,
			    tracediff_kind_name(s->kind), s->cls ? ", class " : "", s->cls ? s->cls : "");
		}
	}
	for (int k = 0; k < DK_CALLS; k++)
		if ((k == DK_DIRORDER || k == DK_ERRORS) && x->count[k] && x->first_b[k] > x->div.seq_b &&
		    x->div.seq_b >= 0 && (v == NULL || v->kind != (enum diff_kind)k))
			fprintf(o->out, "after that point, %s differ too, first at event %lld of FAIL: another "
			    "suspect\n", k == DK_DIRORDER ? "directory orders" : "errors", x->first_b[k]);
	fprintf(o->out, "differences by kind:");
	for (int k = 0; k < DK__N; k++)
		if (x->count[k]) {
			snprintf(ds, sizeof ds, " %s %llu", tracediff_kind_name((enum diff_kind)k),
			    (unsigned long long)x->count[k]);
			fputs(ds, o->out);
		}
	fputc('\n', o->out);
	if (json_is_object(cj)) {
		const json_t *t;
		size_t i;
		fprintf(o->out, "chaos seed %" PRIu64 " re-recorded up to %u times per class set:\n",
		    nw->seed, o->runs);
		json_array_foreach(json_object_get(cj, "tested"), i, t) {
			char cs[256] = "";
			size_t at = 0, q;
			const json_t *c;
			json_array_foreach(json_object_get(t, "classes"), q, c)
				at += (size_t)snprintf(cs + at, at < sizeof cs ? sizeof cs - at : 0, "%s%s",
				    at ? "," : "", json_string_value(c));
			fprintf(o->out, "  %-24s %s (%d run%s)\n", cs[0] ? cs : "none",
			    json_is_true(json_object_get(t, "failed")) ? "fails" : "passes",
			    (int)json_integer_value(json_object_get(t, "runs")),
			    json_integer_value(json_object_get(t, "runs")) == 1 ? "" : "s");
		}
		if (!json_is_true(json_object_get(cj, "reproduced")))
			fprintf(o->out, "the failure did not come again with its chaos seed in %u runs: the "
			    "verdict above is a suspect, not a proof\n", o->runs);
	} else if (chaos)
		fprintf(o->out, "FAIL was recorded with chaos, but not re-recorded (--no-rerun): the "
		    "verdict is a suspect, not a proof\n");
	else
		fprintf(o->out, "FAIL was recorded without chaos, so no cause could be taken away and "
		    "tried again: the verdict is a suspect, not a proof\n");
done:
	if (nw) {
		if (nw->dir[0])
			rmdir(nw->dir);
		free(nw->argv);
		free(nw->envp);
		free(nw->record);
		json_decref(nw->tested);
		free(nw);
	}
	json_decref(cj);
	scan_free(&sp);
	scan_free(&sf);
	free(x);
	return e < 0 ? e : 0;
}

/* diff.c: `dios-trace diff` (see tracediff.h for the alignment). */
#include "config.h"
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "inspect/fdpaths.h"
#include "inspect/render.h"
#include "inspect/select.h"
#include "sys/systable.h"
#include "sys/capture.h"
#include "trace/io.h"
#include "trace/number.h"
#include "inspect/diff.h"

static const char *const kind_names[DK__N] = {
	"time", "random", "ids", "contents", "dirorder", "metadata", "errors", "other",
	"calls", "order", "only-a", "only-b", "end",
};
static const char *const kind_text[DK__N] = {
	"time", "random bytes", "ids and host", "file contents", "directory order (getdents64)",
	"file metadata (stat)", "errors", "other results", "calls asked differently",
	"tasks interleaved differently", "only in A", "only in B", "end of the program",
};

const char *
tracediff_kind_name(enum diff_kind k)
{
	return k < DK__N ? kind_names[k] : "?";
}

int
tracediff_parse_kinds(const char *list, unsigned *mask, char *err, size_t errlen)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int k;
		for (k = 0; k < DK__N; k++)
			if (strlen(kind_names[k]) == n && strncmp(p, kind_names[k], n) == 0)
				break;
		if (k == DK__N) {
			snprintf(err, errlen, "unknown kind of difference '%.*s' (known: time, random, ids, "
			    "contents, dirorder, metadata, errors, other, calls, order, only-a, only-b, end)",
			    (int)n, p);
			return -EINVAL;
		}
		*mask |= 1u << k;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* One trace, read ahead into a ring of at most cap events. */
struct side {
	const char *path;
	struct trace_reader *r;
	json_t *hdr, *ftr;
	json_t **ring;
	size_t cap, head, count;
	bool eof;
	int err;
	struct fdpaths *fds;	/* as before the event at the head */
	uint64_t popped;
};

static int
side_fail(struct side *s, int e, char *err, size_t errlen)
{
	if (e == -EBADMSG)
		snprintf(err, errlen, "%s: %s", s->path, trace_reader_error(s->r));
	else
		snprintf(err, errlen, "%s: cannot read: %s", s->path, strerror(-e));
	return e;
}

static int
side_open(struct side *s, const char *path, size_t cap, char *err, size_t errlen)
{
	json_t *o;
	int e;

	memset(s, 0, sizeof *s);
	s->path = path;
	s->cap = cap;
	if ((e = trace_reader_open(&s->r, path)) < 0) {
		snprintf(err, errlen, e == -ENOENT ? "%s: no such trace file" : "%s: cannot read: %s",
		    path, strerror(-e));
		return e;
	}
	trace_reader_elide(s->r, 0);
	if ((e = trace_read(s->r, &o)) < 0)
		return side_fail(s, e, err, errlen);
	if (e == 0 || !json_is_string(json_object_get(o, "format"))) {
		json_decref(o);
		snprintf(err, errlen, "%s: line 1: not a dios trace header (no \"format\")", path);
		return -EBADMSG;
	}
	s->hdr = o;
	s->ring = calloc(cap, sizeof *s->ring);
	s->fds = fdpaths_new(json_string_value(json_object_get(o, "cwd")));
	if (s->ring == NULL || s->fds == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static void
side_close(struct side *s)
{
	while (s->ring && s->count) {
		json_decref(s->ring[s->head]);
		s->head = (s->head + 1) % s->cap;
		s->count--;
	}
	free(s->ring);
	fdpaths_free(s->fds);
	json_decref(s->hdr);
	json_decref(s->ftr);
	trace_reader_close(s->r);
}

/* The k-th event from the head (0 is the head), or NULL past the end or on
 * an error (s->err). */
static const json_t *
peek(struct side *s, size_t k)
{
	json_t *o;
	int e;

	if (k >= s->cap)
		return NULL;
	while (s->count <= k && !s->eof) {
		if ((e = trace_read(s->r, &o)) <= 0) {
			s->eof = true;
			s->err = e;
			break;
		}
		if (json_object_get(o, "end") || json_object_get(o, "aborted")) {
			json_decref(s->ftr);
			s->ftr = o;
			continue;
		}
		if (!trace_line_is_event(o)) {
			/* a blob line: contents the events name by SHA-256,
			 * which they compare */
			json_decref(o);
			continue;
		}
		s->ring[(s->head + s->count) % s->cap] = o;
		s->count++;
	}
	return k < s->count ? s->ring[(s->head + k) % s->cap] : NULL;
}

static void
pop(struct side *s)
{
	json_t *o;

	if (s->count == 0)
		return;
	o = s->ring[s->head];
	fdpaths_update(s->fds, o);
	json_decref(o);
	s->head = (s->head + 1) % s->cap;
	s->count--;
	s->popped++;
}

/* Takes the k-th event from the head out of the ring, as pop does the
 * head: the events before it move up one place. */
static void
take(struct side *s, size_t k)
{
	json_t *o;

	if (k >= s->count)
		return;
	if (k == 0) {
		pop(s);
		return;
	}
	o = s->ring[(s->head + k) % s->cap];
	for (size_t i = k; i > 0; i--)
		s->ring[(s->head + i) % s->cap] = s->ring[(s->head + i - 1) % s->cap];
	fdpaths_update(s->fds, o);
	json_decref(o);
	s->head = (s->head + 1) % s->cap;
	s->count--;
	s->popped++;
}

/* Tasks paired: the headers' pids, the children of corresponding fork,
 * vfork and clone calls, the rest in the order they first meet. */
#define MAX_TASKS 4096
struct tidmap { long long a[MAX_TASKS], b[MAX_TASKS]; size_t n; };

static int
tid_pair(const struct tidmap *m, long long a, long long b)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->a[i] == a)
			return m->b[i] == b ? 1 : 0;
		if (m->b[i] == b)
			return 0;
	}
	return -1;	/* neither seen: they may pair */
}

static void
tid_add(struct tidmap *m, long long a, long long b)
{
	if (tid_pair(m, a, b) < 0 && m->n < MAX_TASKS) {
		m->a[m->n] = a;
		m->b[m->n] = b;
		m->n++;
	}
}

static long long
tid_of(const json_t *ev)
{
	return (long long)json_int64_or(ev, "tid", 0);
}

static const struct arg_desc *
arg_of(const struct sc_desc *sc, const char *name)
{
	for (int i = 0; sc && i < sc->nargs; i++)
		if (strcmp(sc->args[i].name, name) == 0)
			return &sc->args[i];
	return NULL;
}

/* Are a and b the ids of corresponding tasks (a process or thread id
 * passed to kill, wait4, a futex that waits for a thread's end...)? */
static bool
same_task_id(const struct tidmap *m, const json_t *a, const json_t *b)
{
	int64_t x, y;

	return json_int64_get(a, &x) == 0 && json_int64_get(b, &y) == 0 && x > 0 && y > 0 &&
	    tid_pair(m, (long long)x, (long long)y) == 1;
}

/* The first input member that differs (pointers and arguments the call
 * ignores aside, and ids of corresponding tasks), or NULL. */
static const char *
args_differ(const struct tidmap *m, const struct sc_desc *sc, const json_t *a, const json_t *b)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)a, k, v) {
		if (!arg_compared(sc, a, k))
			continue;
		if (!json_same(v, json_object_get(b, k)) && !same_task_id(m, v, json_object_get(b, k)))
			return k;
	}
	json_object_foreach((json_t *)b, k, v) {
		if (!arg_compared(sc, b, k))
			continue;
		if (json_object_get(a, k) == NULL)
			return k;
	}
	return NULL;
}

/* Same call, same inputs, by corresponding tasks. */
static bool
same_call(const struct tidmap *m, const json_t *a, const json_t *b, const char **why)
{
	const char *sa = json_string_value(json_object_get(a, "sys"));
	const char *sb = json_string_value(json_object_get(b, "sys"));
	const char *ea = json_string_value(json_object_get(a, "event"));
	const char *eb = json_string_value(json_object_get(b, "event"));
	const char *k;

	if (why)
		*why = NULL;
	if (tid_pair(m, tid_of(a), tid_of(b)) == 0) {
		if (why)
			*why = "another task";
		return false;
	}
	if (sa && sb) {
		if (strcmp(sa, sb) != 0)
			return false;
		if (json_is_true(json_object_get(a, "unknown")) || json_is_true(json_object_get(b, "unknown")))
			return json_is_true(json_object_get(a, "unknown")) == json_is_true(json_object_get(b, "unknown"));
		k = args_differ(m, sc_by_name(sa), json_object_get(a, "args"), json_object_get(b, "args"));
		if (k && why)
			*why = k;
		return k == NULL;
	}
	if (ea && eb && strcmp(ea, eb) == 0)
		return strcmp(ea, "signal") != 0 ||
		    json_same(json_object_get(a, "sig"), json_object_get(b, "sig"));
	return false;
}

static bool
reads_file(const struct sc_desc *sc)
{
	if (sc->cls != CLS_FILE && sc->cls != CLS_FD)
		return false;
	for (int i = 0; i < sc->nargs; i++)
		if (sc->args[i].kind == A_OUT || sc->args[i].kind == A_IOV_OUT)
			return true;
	return strcmp(sc->name, "sendfile") == 0 || strcmp(sc->name, "copy_file_range") == 0;
}

/* Does a member of a that is no part of what was asked (the result, the
 * outputs, "map", "exe", "interp", "at_random", a task's "exit" or
 * "signal", an rdtsc's "value"...: whatever the event holds) differ in b?
 * A "stack" is neither: where the program was, not what it got; nor is
 * "perturbed", which says what chaos changed, nor a signal's "info" (its
 * sender's id, a child's times: ids and times, which differ every run). */
static bool
results_differ(const json_t *a, const json_t *b)
{
	static const char *const asked[] = { "seq", "tid", "sys", "nr", "unknown", "args", "event", "sig",
	    "stack", "perturbed", "info" };
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)a, k, v) {
		size_t i;
		for (i = 0; i < sizeof asked / sizeof *asked; i++)
			if (strcmp(k, asked[i]) == 0)
				break;
		if (i == sizeof asked / sizeof *asked && !json_same(v, json_object_get(b, k)))
			return true;
	}
	return false;
}

/* The kind of a result difference between two events of one call; -1 when
 * the results agree. */
static int
result_kind(const json_t *a, const json_t *b, const struct fdpaths *fds)
{
	const char *sys = json_string_value(json_object_get(a, "sys"));
	const struct sc_desc *sc = sys ? sc_by_name(sys) : NULL;

	if (!results_differ(a, b) && !results_differ(b, a))
		return -1;
	if (sys == NULL) {	/* rdtsc, rdtscp; a task's end */
		const char *ev = json_string_value(json_object_get(a, "event"));
		return ev && !strncmp(ev, "rdtsc", 5) ? DK_TIME : DK_OTHER;
	}
	if (sc == NULL)
		return DK_OTHER;
	if (strcmp(sys, "futex") == 0)
		return DK_ORDER;	/* a wait that found the value changed, or timed out */
	if (sc->cls == CLS_CLOCK)
		return DK_TIME;
	if (sc->cls == CLS_RANDOM)
		return DK_RANDOM;
	if (!json_same(json_object_get(a, "err"), json_object_get(b, "err")) &&
	    (json_object_get(a, "err") || json_object_get(b, "err")))
		return DK_ERRORS;
	if (sc->cls == CLS_ID)
		return DK_IDS;
	/* fork, clone, set_tid_address, wait4: the ids of tasks */
	const json_t *oa = json_object_get(a, "out"), *ob = json_object_get(b, "out");
	if (sc->cls == CLS_PROC && (oa == ob || json_same(oa, ob)))
		return DK_IDS;
	if (strcmp(sys, "getdents64") == 0)
		return DK_DIRORDER;
	if (arg_of(sc, "statbuf") || arg_of(sc, "statxbuf") || strcmp(sys, "statfs") == 0 ||
	    strcmp(sys, "fstatfs") == 0)
		return DK_METADATA;
	if (reads_file(sc)) {
		const char *p = fdpaths_get(fds, json_int64_or(json_object_get(a, "args"), "fd", -1));
		if (p && (strcmp(p, "/dev/urandom") == 0 || strcmp(p, "/dev/random") == 0))
			return DK_RANDOM;
		return DK_CONTENTS;
	}
	return DK_OTHER;
}

struct diffstate {
	const struct tracediff_opts *o;
	struct side A, B;
	struct tidmap tids;
	uint64_t count[DK__N];
	long long first_a[DK__N], first_b[DK__N];
	bool reported;
	char last_ok[512];
	long long last_a, last_b;
	FILE *out;
	char *line;
	size_t linelen;
};

static long long
seq_of(const json_t *ev)
{
	return ev ? (long long)json_int64_or(ev, "seq", -1) : -1;
}

static void
show(struct diffstate *d, const char *which, const json_t *ev, const struct fdpaths *fds)
{
	struct render_opts ro = { .with_result = true, .strsize = d->o->strsize, .fds = fds };

	if (ev == NULL) {
		fprintf(d->out, "  %s: (no counterpart)\n", which);
		return;
	}
	render_event_opts(ev, &ro, d->line, d->linelen);
	fprintf(d->out, "  %s event %lld (task %lld): %s\n", which, seq_of(ev), tid_of(ev), d->line);
}

/* Counts a difference; the first one not ignored is shown. */
static void
note(struct diffstate *d, enum diff_kind k, const json_t *a, const json_t *b, const char *why)
{
	if (d->count[k]++ == 0) {
		d->first_a[k] = seq_of(a);
		d->first_b[k] = seq_of(b);
	}
	if (d->o->on_diff)
		d->o->on_diff(d->o->ctx, k, a, b, d->A.fds, d->B.fds, why);
	if (d->reported || (d->o->ignore & (1u << k)) || d->o->brief)
		return;
	d->reported = true;
	fprintf(d->out, "first difference: %s", kind_text[k]);
	if (why)
		fprintf(d->out, " (%s)", why);
	fprintf(d->out, "\n");
	show(d, "A", a, d->A.fds);
	show(d, "B", b, d->B.fds);
	if (d->last_ok[0])
		fprintf(d->out, "  the last events that agree: A %lld, B %lld: %s\n", d->last_a, d->last_b,
		    d->last_ok);
	else
		fprintf(d->out, "  no event agrees before it\n");
}

/* Do a[k..k+sync) and b[l..l+sync) agree (or both end)? */
static bool
agree_from(struct diffstate *d, size_t k, size_t l)
{
	for (size_t i = 0; i < d->o->sync; i++) {
		const json_t *a = peek(&d->A, k + i), *b = peek(&d->B, l + i);
		if (a == NULL && b == NULL)
			return i > 0;
		if (a == NULL || b == NULL || !same_call(&d->tids, a, b, NULL))
			return false;
	}
	return true;
}

/* The nearest (k, l) where the traces agree again: smallest k + l first,
 * then k and l closest to each other.  False when none is within the
 * window. */
static bool
resync(struct diffstate *d, size_t *pk, size_t *pl)
{
	long w = (long)d->o->window;

	for (long sum = 1; sum <= 2 * w; sum++) {
		for (long t = 0; t <= sum; t++) {
			long k = t % 2 == 0 ? sum / 2 - t / 2 : sum / 2 + (t + 1) / 2, l = sum - k;
			if (k < 0 || k > w || l < 0 || l > w)
				continue;
			if (agree_from(d, (size_t)k, (size_t)l)) {
				*pk = (size_t)k;
				*pl = (size_t)l;
				return true;
			}
		}
	}
	return false;
}

static void
agreed(struct diffstate *d, const json_t *a, const json_t *b)
{
	struct render_opts ro = { .with_result = true, .strsize = d->o->strsize, .fds = d->A.fds };

	tid_add(&d->tids, tid_of(a), tid_of(b));
	render_event_opts(a, &ro, d->last_ok, sizeof d->last_ok);
	d->last_a = seq_of(a);
	d->last_b = seq_of(b);
}

static const char *
why_text(const char *why, char *buf, size_t n)
{
	if (why == NULL)
		return NULL;
	if (strcmp(why, "another task") == 0)
		return "made by another task";
	snprintf(buf, n, "the call's \"%s\" differs", why);
	return buf;
}

static bool
is_futex(const json_t *ev)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));

	return sys && strcmp(sys, "futex") == 0;
}

/* When a and b are corresponding calls that made a task (fork, vfork,
 * clone, clone3), their children correspond. */
static void
pair_children(struct tidmap *m, const json_t *a, const json_t *b)
{
	const char *sys = json_string_value(json_object_get(a, "sys"));
	long long ra = (long long)json_int64_or(a, "ret", -1), rb = (long long)json_int64_or(b, "ret", -1);

	if (sys && ra > 0 && rb > 0 && (strcmp(sys, "fork") == 0 || strcmp(sys, "vfork") == 0 ||
	    strncmp(sys, "clone", 5) == 0))
		tid_add(m, ra, rb);
}

/* Two corresponding events: their results compared, their tasks paired. */
static void
compare(struct diffstate *d, const json_t *a, const json_t *b)
{
	int rk;

	if ((rk = result_kind(a, b, d->A.fds)) >= 0)
		note(d, (enum diff_kind)rk, a, b, NULL);
	else
		agreed(d, a, b);
	tid_add(&d->tids, tid_of(a), tid_of(b));
	pair_children(&d->tids, a, b);
}

/* The nearest event of side s within the window, after its head, by a
 * task that may correspond to task t of the other side (in_a: t is A's);
 * 0 when there is none. */
static size_t
task_next(struct diffstate *d, struct side *s, long long t, bool in_a)
{
	for (size_t k = 1; k <= d->o->window; k++) {
		const json_t *e = peek(s, k);
		if (e == NULL)
			return 0;
		if ((in_a ? tid_pair(&d->tids, t, tid_of(e)) : tid_pair(&d->tids, tid_of(e), t)) != 0)
			return k;
	}
	return 0;
}

/* The heads a and b are by tasks that do not correspond: when the next
 * event of a's task in B, or of b's task in A, is the same call, the runs
 * interleaved their tasks differently.  That pair (the nearer) is compared
 * and taken out of step, and true returned. */
static bool
out_of_step(struct diffstate *d, const json_t *a, const json_t *b)
{
	size_t j = task_next(d, &d->B, tid_of(a), true), i = task_next(d, &d->A, tid_of(b), false);
	const json_t *bj = j ? peek(&d->B, j) : NULL, *ai = i ? peek(&d->A, i) : NULL;
	bool okj = bj && same_call(&d->tids, a, bj, NULL), oki = ai && same_call(&d->tids, ai, b, NULL);

	if (!okj && !oki)
		return false;
	note(d, DK_ORDER, a, b, "made by another task");
	if (okj && (!oki || j <= i)) {
		compare(d, a, bj);
		pop(&d->A);
		take(&d->B, j);
	} else {
		compare(d, ai, b);
		take(&d->A, i);
		pop(&d->B);
	}
	return true;
}

static void
walk(struct diffstate *d)
{
	size_t lost = 0;	/* events to go before searching again */
	char buf[128];

	for (;;) {
		const json_t *a = peek(&d->A, 0), *b = peek(&d->B, 0);
		const char *why;
		size_t k, l, m;
		int rk;

		if (d->A.err || d->B.err || (a == NULL && b == NULL))
			return;
		if (a == NULL || b == NULL) {
			note(d, a ? DK_ONLY_A : DK_ONLY_B, a, b, a ? "B has ended" : "A has ended");
			pop(a ? &d->A : &d->B);
			continue;
		}
		if (same_call(&d->tids, a, b, &why)) {
			compare(d, a, b);
			pop(&d->A);
			pop(&d->B);
			if (lost)
				lost--;
			continue;
		}
		if (tid_pair(&d->tids, tid_of(a), tid_of(b)) == 0 && out_of_step(d, a, b)) {
			if (lost)
				lost--;
			continue;
		}
		/* Futex calls are where threads meet: one run waits where the
		 * other found the lock free, so such a call may be in one run
		 * only, or with another value.  Another order, not another
		 * request of the program. */
		if (is_futex(a) || is_futex(b)) {
			note(d, DK_ORDER, is_futex(a) ? a : NULL, is_futex(b) ? b : NULL,
			    "a futex call, where threads meet");
			if (is_futex(a))
				pop(&d->A);
			if (is_futex(b))
				pop(&d->B);
			continue;
		}
		if (lost == 0 && resync(d, &k, &l)) {
			m = k < l ? k : l;
			/* The m pairs before that point: one call for another, or
			 * the same call answered differently. */
			for (size_t i = 0; i < m; i++) {
				a = peek(&d->A, 0);
				b = peek(&d->B, 0);
				if (!same_call(&d->tids, a, b, &why))
					note(d, DK_CALLS, a, b, why_text(why, buf, sizeof buf));
				else if ((rk = result_kind(a, b, d->A.fds)) >= 0)
					note(d, (enum diff_kind)rk, a, b, NULL);
				pop(&d->A);
				pop(&d->B);
			}
			for (size_t i = m; i < k; i++) {
				note(d, DK_ONLY_A, peek(&d->A, 0), NULL, "an extra event in A");
				pop(&d->A);
			}
			for (size_t i = m; i < l; i++) {
				note(d, DK_ONLY_B, NULL, peek(&d->B, 0), "an extra event in B");
				pop(&d->B);
			}
			continue;
		}
		/* No common ground near: one call asked differently, and on in step
		 * for a window's length before searching again. */
		if (lost == 0)
			lost = d->o->window;
		note(d, DK_CALLS, a, b, why_text(why, buf, sizeof buf));
		pop(&d->A);
		pop(&d->B);
		lost--;
	}
}

static void
end_text(const json_t *ftr, char *buf, size_t n)
{
	const json_t *end = json_object_get(ftr, "end");

	if (ftr == NULL)
		snprintf(buf, n, "cut short (no footer)");
	else if (json_is_string(json_object_get(ftr, "aborted")))
		snprintf(buf, n, "aborted: %s", json_string_value(json_object_get(ftr, "aborted")));
	else if (json_is_int64(json_object_get(end, "exit")))
		snprintf(buf, n, "exit %lld", (long long)json_int64_or(end, "exit", 0));
	else if (json_is_string(json_object_get(end, "signal")))
		snprintf(buf, n, "killed by %s", json_string_value(json_object_get(end, "signal")));
	else
		snprintf(buf, n, "unknown");
}

int
trace_diff(const char *pa, const char *pb, const struct tracediff_opts *o, FILE *out,
    char *err, size_t errlen)
{
	struct diffstate *d;
	size_t cap = o->window + o->sync + 2;
	char ea[300], eb[300];
	int e, status = 0;

	if ((d = calloc(1, sizeof *d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->o = o;
	d->out = out;
	d->linelen = 4096 + 8 * o->strsize;
	if ((d->line = malloc(d->linelen)) == NULL) {
		e = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if ((e = side_open(&d->A, pa, cap, err, errlen)) < 0 ||
	    (e = side_open(&d->B, pb, cap, err, errlen)) < 0)
		goto done;
	tid_add(&d->tids, (long long)json_int64_or(d->A.hdr, "pid", 0),
	    (long long)json_int64_or(d->B.hdr, "pid", 0));
	walk(d);
	if (d->A.err < 0) {
		e = side_fail(&d->A, d->A.err, err, errlen);
		goto done;
	}
	if (d->B.err < 0) {
		e = side_fail(&d->B, d->B.err, err, errlen);
		goto done;
	}
	end_text(d->A.ftr, ea, sizeof ea);
	end_text(d->B.ftr, eb, sizeof eb);
	if (strcmp(ea, eb) != 0) {
		d->count[DK_END]++;
		if (o->on_diff)
			o->on_diff(o->ctx, DK_END, NULL, NULL, d->A.fds, d->B.fds, NULL);
		if (!d->reported && !(o->ignore & (1u << DK_END)) && !o->brief) {
			d->reported = true;
			fprintf(out, "first difference: %s\n  A: %s\n  B: %s\n", kind_text[DK_END], ea, eb);
		}
	}
	for (int k = 0; k < DK__N; k++)
		if (d->count[k] && !(o->ignore & (1u << k)))
			status = 1;
	if (!o->brief) {
		const json_t *xa = json_object_get(d->A.hdr, "exe"), *xb = json_object_get(d->B.hdr, "exe");
		if (!d->reported)
			fprintf(out, "no difference%s\n", status == 0 && (d->count[DK_TIME] ||
			    d->count[DK_RANDOM] || d->count[DK_IDS] || d->count[DK_METADATA]) ?
			    " but in the kinds ignored" : "");
		if (!json_same(json_object_get(d->A.hdr, "argv"), json_object_get(d->B.hdr, "argv")))
			fprintf(out, "note: the programs were started with other arguments\n");
		if (!json_same(json_object_get(xa, "sha256"), json_object_get(xb, "sha256")))
			fprintf(out, "note: the executables differ (%s, %s)\n",
			    json_string_value(json_object_get(xa, "path")),
			    json_string_value(json_object_get(xb, "path")));
		fprintf(out, "differences (A %s: %llu events, %s; B %s: %llu events, %s):\n", pa,
		    (unsigned long long)d->A.popped, ea, pb, (unsigned long long)d->B.popped, eb);
		for (int k = 0; k < DK__N; k++) {
			fprintf(out, "  %-30s %8llu", kind_text[k], (unsigned long long)d->count[k]);
			if (d->count[k] && k == DK_ONLY_A)
				fprintf(out, "   first at A %lld", d->first_a[k]);
			else if (d->count[k] && k == DK_ONLY_B)
				fprintf(out, "   first at B %lld", d->first_b[k]);
			else if (d->count[k] && k != DK_END)
				fprintf(out, "   first at A %lld, B %lld", d->first_a[k], d->first_b[k]);
			fprintf(out, "%s\n", (o->ignore & (1u << k)) ? "   (ignored)" : "");
		}
	}
	e = status;
done:
	side_close(&d->A);
	side_close(&d->B);
	free(d->line);
	free(d);
	return e;
}

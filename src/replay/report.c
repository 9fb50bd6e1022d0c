/* report.c: the outcome of the run and its messages (private to
 * src/replay): errors (rp_fail, rp_lost), divergence reports (rp_diverge), the
 * reports of a run where no task can go on (the stalled hook) or that makes
 * no progress (replay_tick), and the outcome at the end (replay_outcome).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <time.h>
#include "sys/capture.h"
#include "kernel/tracee.h"
#include "inspect/render.h"
#include "sys/xlat.h"
#include "replay/internal.h"

void
rp_set_msg(struct replay *r, enum replay_outcome o, const char *fmt, ...)
{
	va_list ap;

	if (r->outcome == RO_DIVERGED || r->outcome == RO_ERROR)
		return;		/* the first problem is the one reported */
	free(r->msg);
	va_start(ap, fmt);
	if (vasprintf(&r->msg, fmt, ap) < 0)
		r->msg = NULL;
	va_end(ap);
	r->outcome = o;
}

enum verdict
rp_fail(struct replay *r, struct kernel *k, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	rp_set_msg(r, RO_ERROR, "%s", s ? s : "out of memory");
	free(s);
	k->stop = true;
	return V_STOP;
}

/* ptrace failed on t (it died under us, or worse): stop with the cause. */
enum verdict
rp_lost(struct replay *r, struct kernel *k, struct task *t, int e)
{
	char what[512] = "";
	if (t->state == TS_IN_CALL || t->state == TS_PARKED) {
		json_t *ev = event_new(0, t->vtid, &t->call);
		render_event(ev, 0, 32, what, sizeof what);
		json_decref(ev);
	}
	return rp_fail(r, k, "cannot control task %d (%d in the trace%s%s): %s", t->tid, t->vtid,
	    *what ? ", at " : "", what, strerror(-e));
}

static void
append(char **s, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
append(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *add = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char *t = realloc(*s, *len + (size_t)n + 1);
	if (t) {
		memcpy(t + *len, add, (size_t)n + 1);
		*s = t;
		*len += (size_t)n;
	}
	free(add);
}

/* Stops the run with a divergence report: what the recording expected
 * (ev, or none) and what the program did (c). */
enum verdict
rp_diverge(struct replay *r, struct kernel *k, struct task *t, const json_t *ev,
    const struct call *c, const char *why, const char *which)
{
	char want[1024], got[1024];
	char *s = NULL;
	size_t len = 0;

	if (ev)
		render_event(ev, 1, 64, want, sizeof want);
	else
		snprintf(want, sizeof want, "(the recording has no more calls)");
	if (c) {
		json_t *actual = event_new(0, t->vtid, c);
		render_event(actual, 0, 64, got, sizeof got);
		json_decref(actual);
	} else
		snprintf(got, sizeof got, "(none)");
	if (ev)
		append(&s, &len, "divergence at event %llu (task %d): %s\n",
		    (unsigned long long)rp_seq_of(ev), (int)json_int64_or(ev, "tid", t ? t->vtid : 0), why);
	else
		append(&s, &len, "divergence after the last event (%llu matched): %s\n",
		    (unsigned long long)r->matched, why);
	append(&s, &len, "  expected: %s\n  actual:   %s\n", want, got);
	if (which)
		append(&s, &len, "  differs in: %s\n", which);
	if (r->ring[0]) {
		append(&s, &len, "  last matched events:\n");
		for (int i = RING - 1; i >= 0; i--) {
			if (r->ring[i] == NULL)
				continue;
			render_event(r->ring[i], 1, 32, want, sizeof want);
			append(&s, &len, "    #%llu %s\n", (unsigned long long)rp_seq_of(r->ring[i]), want);
		}
	}
	if (len && s[len - 1] == '\n')
		s[len - 1] = '\0';
	if (r->conf.model && !r->off && t && c && r->outcome == RO_RUNNING) {
		/* the model answers from here on */
		r->off = true;
		r->off_msg = s;
		return rp_model_call(r, k, t);
	}
	rp_set_msg(r, RO_DIVERGED, "%s", s ? s : "divergence");
	free(s);
	k->stop = true;
	return V_STOP;
}

/* Lists the tasks held for their turn, and what each is doing. */
static void
append_waiting(struct kernel *k, char **s, size_t *len)
{
	char line[512], sb[16];

	for (struct task *t = k->tasks; t; t = t->next) {
		if (t->state != TS_PARKED)
			continue;
		if (t->park_sig) {
			append(s, len, "\n  task %d waits to receive %s", t->vtid, signal_name(t->park_sig, sb));
			continue;
		}
		json_t *ev = event_new(0, t->vtid, &t->call);
		render_event(ev, 0, 32, line, sizeof line);
		json_decref(ev);
		append(s, len, "\n  task %d waits to make %s", t->vtid, line);
	}
}

void
replay_stalled(struct module *m, struct kernel *k)
{
	struct replay *r = R(m);
	char want[1024];
	char *s = NULL;
	size_t len = 0;

	if (r->next)
		render_event(r->next, 1, 64, want, sizeof want);
	append(&s, &len, "divergence at event %llu: no task can go on: the recording expects task %d "
	    "next (%s), which %s", r->next ? (unsigned long long)rp_seq_of(r->next) : (unsigned long long)r->matched,
	    r->next ? (int)rp_owner_of(r->next) : 0, r->next ? want : "(the end)",
	    r->next && rp_id_real(r, rp_owner_of(r->next)) ? "has ended or does not come" : "does not exist here");
	append_waiting(k, &s, &len);
	if (r->conf.model && !r->off && r->outcome == RO_RUNNING) {
		/* The task the recording expects is not in this run (its fork
		 * failed, made so by dios-fuzz): the run has left the
		 * recording, and the waiting tasks go on against the model. */
		r->off = true;
		r->off_msg = s ? s : strdup("divergence: no task can go on");
		return;
	}
	rp_set_msg(r, RO_DIVERGED, "%s", s ? s : "divergence: no task can go on");
	free(s);
	k->stop = true;
}

/* True when the task is on a CPU or waiting for one (state R), as opposed to
 * blocked in a call dios does not see. */
static bool
task_running(pid_t tid)
{
	char state;

	return task_stat(tid, &state, NULL) == 0 && state == 'R';
}

/* How many timeouts a task may compute, with no call by any task, before
 * that is a divergence too. */
#define COMPUTE_TIMEOUTS 6

/* Task t has run on a CPU for secs seconds and no task made a call. */
static int
computes_on(struct replay *r, struct kernel *k, struct task *t, long secs)
{
	char want[1024];
	char *s = NULL;
	size_t len = 0;

	if (rp_peek(r) == 0 && r->next)
		render_event(r->next, 1, 64, want, sizeof want);
	else
		snprintf(want, sizeof want, "(the end of the recording)");
	append(&s, &len, "divergence: no progress for %ld seconds: task %d computes without a "
	    "system call and no task made one since event %llu (a loop waiting on memory "
	    "no task changes?)\n  expected next: %s", secs, (int)t->vtid,
	    r->ring[0] ? (unsigned long long)rp_seq_of(r->ring[0]) : 0ULL, want);
	append_waiting(k, &s, &len);
	append(&s, &len, "\n  (raise --timeout if the program computes this long between calls: "
	    "it may compute %d times that)", COMPUTE_TIMEOUTS);
	rp_set_msg(r, r->off ? RO_HANG : RO_DIVERGED, "%s", s ? s : "divergence: no progress");
	free(s);
	k->stop = true;
	return 0;
}

int
replay_tick(struct module *m, struct kernel *k)
{
	struct replay *r = R(m);
	struct timespec now;
	char want[1024];

	if (r->conf.timeout == 0 || r->outcome != RO_RUNNING)
		return 0;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	for (struct task *t = k->tasks; t; t = t->next)
		if (t->state != TS_PARKED && ((t->state == TS_IN_CALL && t->mod &&
		    ((struct rtask *)t->mod)->kind == EX_SLEEP) || task_running(t->tid))) {
			/* a call runs for real (a --realtime sleep), or the
			 * program computes: that is progress, up to
			 * COMPUTE_TIMEOUTS times the timeout without a call
			 * (a loop that waits on memory no task will change) */
			if (t->state != TS_IN_CALL && r->called.tv_sec &&
			    now.tv_sec - r->called.tv_sec >= (time_t)r->conf.timeout * COMPUTE_TIMEOUTS)
				return computes_on(r, k, t, now.tv_sec - r->called.tv_sec);
			clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);
			return 0;
		}
	if (r->progress.tv_sec == 0 || now.tv_sec - r->progress.tv_sec < (time_t)r->conf.timeout)
		return 0;
	if (rp_peek(r) == 0 && r->next)
		render_event(r->next, 1, 64, want, sizeof want);
	else
		snprintf(want, sizeof want, "(the end of the recording)");
	char *s = NULL;
	size_t len = 0;
	append(&s, &len, "divergence: no progress for %u seconds: the program made no "
	    "intercepted call since event %llu\n  expected next: %s", r->conf.timeout,
	    r->ring[0] ? (unsigned long long)rp_seq_of(r->ring[0]) : 0ULL, want);
	append_waiting(k, &s, &len);
	append(&s, &len, "\n  (raise --timeout if the program computes this long between calls)");
	rp_set_msg(r, r->off ? RO_HANG : RO_DIVERGED, "%s", s ? s : "divergence: no progress");
	free(s);
	k->stop = true;
	return 0;
}

/* The trace could not be read on (e, from rp_peek): an error. */
static void
read_failed(struct replay *r, int e)
{
	rp_set_msg(r, RO_ERROR, "reading the trace failed at line %llu: %s",
	    (unsigned long long)trace_reader_line(r->conf.r),
	    e == -EBADMSG ? trace_reader_error(r->conf.r) : strerror(-e));
}

/* The program's end against the recorded one (the footer's "end"; a
 * trace with no footer says none): 0 when they agree, else -1 with the
 * divergence set. */
static int
end_differs(struct replay *r, const struct kernel *k)
{
	const json_t *end = json_object_get(r->footer, "end");
	const char *wsig = json_string_value(json_object_get(end, "signal"));
	int want = -1;
	int64_t x;
	char sb[16];

	if (json_int64_get(json_object_get(end, "exit"), &x) == 0)
		want = (int)x;	/* 0..255: checked (inspect/check.c) */
	else if (wsig)
		want = 128 + signal_from_name(wsig);
	if (want < 0 || want == status_to_exit(k->root_status))
		return 0;
	rp_set_msg(r, RO_DIVERGED, "divergence at the end: the program ended with status %d "
	    "(%s) but the recording ended with %d%s%s%s", status_to_exit(k->root_status),
	    WIFSIGNALED(k->root_status) ? signal_name(WTERMSIG(k->root_status), sb) : "exit",
	    want, wsig ? " (" : "", wsig ? wsig : "", wsig ? ")" : "");
	return -1;
}

/* The footer's "shown" (what dios-record's stdout and stderr were given)
 * against what replay showed: 0 when they agree (or the trace does not
 * say), else -1 with the divergence set.  One stream where the recording's
 * stdout and stderr were one description ("same"). */
static int
shown_check(struct replay *r)
{
	static const char *const names[2] = { "stdout", "stderr" };
	const json_t *shown = json_object_get(r->footer, "shown");
	bool same = json_is_true(json_object_get(shown, "same"));
	struct sha256 mine[2] = { r->shown[same ? 2 : 0], r->shown[1] };
	uint64_t n[2] = { r->shown_n[same ? 2 : 0], r->shown_n[1] };

	if (!json_is_object(shown) || r->conf.quiet)
		return 0;
	for (int i = 0; i < (same ? 1 : 2); i++) {
		const json_t *o = json_object_get(shown, names[i]);
		const char *want = json_string_value(json_object_get(o, "sha256"));
		int64_t bytes;
		uint8_t d[32];
		char hex[65];
		if (want == NULL || json_int64_get(json_object_get(o, "bytes"), &bytes) < 0)
			continue;	/* not said */
		sha256_final(&mine[i], d);
		sha256_hex(d, hex);
		if ((uint64_t)bytes != n[i]) {
			rp_set_msg(r, RO_DIVERGED, "divergence in the output: replay showed %llu bytes on %s%s, "
			    "the recording %lld (every call matched: a write replay did not show, or one "
			    "it showed that did not reach the recording's %s; a trace edited by hand "
			    "drops the footer's \"shown\")", (unsigned long long)n[i],
			    names[i], same ? " and stderr" : "", (long long)bytes, names[i]);
			return -1;
		}
		if (strcmp(hex, want) != 0) {
			rp_set_msg(r, RO_DIVERGED, "divergence in the output: replay showed the %llu bytes of "
			    "%s%s in another order than the recording (every call matched; SHA-256 %s, "
			    "recorded %s; a trace edited by hand drops the footer's \"shown\")", (unsigned long long)n[i], names[i], same ? " and stderr" : "",
			    hex, want);
			return -1;
		}
	}
	return 0;
}

uint64_t
replay_rest(struct module *m, uint64_t *from)
{
	*from = R(m)->rest_from;
	return R(m)->rest;
}

enum replay_outcome
replay_outcome(struct module *m, const struct kernel *k, const char **msg)
{
	struct replay *r = R(m);
	int e = 0;

	if (r->outcome == RO_RUNNING && k->root_done && r->off) {
		r->outcome = RO_MODELLED;
		*msg = r->off_msg;
		return r->outcome;
	}
	if (r->outcome == RO_RUNNING && k->root_done) {
		if ((e = rp_peek(r)) < 0) {
			read_failed(r, e);
		} else if (r->next && r->conf.end_with_root) {
			/* --at-exit kill: what the tasks left did afterwards is
			 * not replayed (nor what they showed: no output check) */
			r->rest_from = rp_seq_of(r->next);
			while (r->next) {
				r->rest++;
				json_decref(r->next);
				r->next = NULL;
				if ((e = rp_peek(r)) < 0)
					break;
			}
			if (e < 0)
				read_failed(r, e);
			else if (end_differs(r, k) == 0)
				r->outcome = RO_MATCHED;
		} else if (r->next) {
			char want[1024];
			render_event(r->next, 1, 64, want, sizeof want);
			rp_set_msg(r, RO_DIVERGED, "divergence at event %llu: the program ended (status %d) "
			    "but the recording goes on\n  expected: %s", (unsigned long long)rp_seq_of(r->next),
			    status_to_exit(k->root_status), want);
		} else if (r->footer == NULL) {
			rp_set_msg(r, RO_CUT_SHORT, "the recording was cut short after %llu events; replay "
			    "matched all of them", (unsigned long long)r->matched);
		} else if (end_differs(r, k) == 0 && shown_check(r) == 0)
			r->outcome = RO_MATCHED;
	} else if (r->outcome == RO_RUNNING)
		rp_set_msg(r, RO_ERROR, "the replay stopped before the program ended");
	if (r->conf.model && r->outcome == RO_DIVERGED && k->root_done && !r->off) {
		/* it ended otherwise than recorded, with no call the model had
		 * to answer */
		r->off = true;
		r->off_msg = r->msg;
		r->msg = NULL;
		r->outcome = RO_MODELLED;
		*msg = r->off_msg;
		return r->outcome;
	}
	*msg = r->msg;
	return r->outcome;
}

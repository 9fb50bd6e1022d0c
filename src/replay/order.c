/* order.c: the global order of the trace (private to src/replay): reading
 * the events and reading ahead (rp_peek, rp_look), taking the next one,
 * or one further on, into the ring of the last matched events (which marks
 * progress), the tasks gone whose exit event is still ahead, and
 * rp_advance, which consumes the events that need no task at a stop.
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <time.h>
#include "sys/capture.h"
#include "inspect/render.h"
#include "sys/xlat.h"
#include "replay/internal.h"
#include "model/model.h"
#include "trace/number.h"

/* Reads one event from the trace into *o (NULL at the end, after which
 * r->footer holds the last line when there is one). */
static int
read_event(struct replay *r, json_t **o)
{
	int e;

	*o = NULL;
	if (r->check_failed)
		return -EBADMSG;
	while (!r->eof) {
		if ((e = trace_read(r->conf.r, o)) < 0)
			return e;
		if (e == 0) {
			r->eof = true;
			break;
		}
		/* No line is acted on before the check passed it. */
		if (r->conf.checked &&
		    r->conf.checked(r->conf.gate_ctx, trace_reader_line(r->conf.r)) < 0) {
			json_decref(*o);
			*o = NULL;
			r->check_failed = true;
			return -EBADMSG;
		}
		if (blob_is_line(*o)) {
			/* The cache has the content already (dios-replay
			 * stores it while checking the trace). */
			json_decref(*o);
			*o = NULL;
			continue;
		}
		if (json_object_get(*o, "end") || json_object_get(*o, "aborted")) {
			r->footer = *o;
			*o = NULL;
			r->eof = true;
			break;
		}
		return 0;
	}
	return 0;
}

/* Reads the next event into r->next (or the footer), unless already there. */
int
rp_peek(struct replay *r)
{
	if (r->next)
		return 0;
	if (r->nahead) {
		r->next = r->ahead[0];
		memmove(r->ahead, r->ahead + 1, --r->nahead * sizeof r->ahead[0]);
		return 0;
	}
	return read_event(r, &r->next);
}

/* The event i places after r->next (0: the one right after it), read when
 * needed; NULL past the end of the trace or beyond AHEAD. */
json_t *
rp_look(struct replay *r, size_t i)
{
	if (rp_peek(r) < 0 || r->next == NULL || i >= AHEAD)
		return NULL;
	while (r->nahead <= i) {
		json_t *o;

		if (read_event(r, &o) < 0 || o == NULL)
			return NULL;
		r->ahead[r->nahead++] = o;
	}
	return r->ahead[i];
}

uint64_t
rp_seq_of(const json_t *ev)
{
	return (uint64_t)json_int64_or(ev, "seq", -1);
}

/* Puts ev, just matched, into the ring of the last matched events. */
static json_t *
into_ring(struct replay *r, json_t *ev)
{
	clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);
	r->called = r->progress;
	if (r->conf.log) {
		char line[1024];
		render_event(ev, 1, 32, line, sizeof line);
		fprintf(r->conf.log, "[%lld] #%lld %s\n", (long long)json_int64_or(ev, "tid", 0),
		    (long long)json_int64_or(ev, "seq", 0), line);
	}

	json_decref(r->ring[RING - 1]);
	memmove(r->ring + 1, r->ring, (RING - 1) * sizeof r->ring[0]);
	r->ring[0] = ev;
	r->matched++;
	rp_emit(r, ev, true);
	return ev;
}

void
rp_emit(struct replay *r, const json_t *ev, bool from_trace)
{
	if (from_trace && r->conf.model)
		model_follow(r->conf.model, ev);
	if (r->conf.out == NULL || r->out_error)
		return;
	json_t *copy = json_copy((json_t *)ev);
	int e;
	if (copy == NULL) {
		r->out_error = -ENOMEM;
		return;
	}
	json_object_set_new(copy, "seq", json_uint64(r->out_seq++));
	if ((e = trace_write(r->conf.out, copy)) < 0)
		r->out_error = e;
	json_decref(copy);
}

/* Moves r->next into the ring of matched events; returns it (borrowed). */
json_t *
rp_take(struct replay *r)
{
	json_t *ev = r->next;

	r->next = NULL;
	return into_ring(r, ev);
}

/* Takes ahead[i] out of the order: an event matched before those in front
 * of it (a signal the task receives at its own boundary; see
 * rp_signal_after_call).  Returns it (borrowed). */
json_t *
rp_take_ahead(struct replay *r, size_t i)
{
	json_t *ev = r->ahead[i];

	memmove(r->ahead + i, r->ahead + i + 1, (--r->nahead - i) * sizeof r->ahead[0]);
	return into_ring(r, ev);
}

/* "signal", "exit", "rdtsc"...: the kind of a task event; NULL for a call. */
const char *
rp_event_kind(const json_t *ev)
{
	return json_string_value(json_object_get(ev, "event"));
}

pid_t
rp_owner_of(const json_t *ev)
{
	return (pid_t)json_int64_or(ev, "tid", -1);
}

int
rp_dead_add(struct replay *r, pid_t v)
{
	if (r->ndead == r->maxdead) {
		size_t n = r->maxdead ? 2 * r->maxdead : 16;
		pid_t *p = realloc(r->dead, n * sizeof *p);
		if (p == NULL)
			return -ENOMEM;
		r->dead = p;
		r->maxdead = n;
	}
	r->dead[r->ndead++] = v;
	return 0;
}

/* Removes v from the tasks gone; false when it is not there. */
static bool
dead_take(struct replay *r, pid_t v)
{
	for (size_t i = 0; i < r->ndead; i++)
		if (r->dead[i] == v) {
			r->dead[i] = r->dead[--r->ndead];
			return true;
		}
	return false;
}

/* Consumes the events at the head of the trace that need no task at a
 * stop: the exit of a task already gone, the death by SIGKILL of a task
 * running native code or in a call (it dies now, as it did when
 * recording; at a stop, replay_enter kills it), and a signal for a task
 * running native code (sent now, as it came when recording) or waiting for
 * signals in a call that runs for real (rt_sigsuspend...).  at_stop: the
 * task whose stop the caller handles (NULL: none), which is not killed
 * here. */
void
rp_advance(struct replay *r, struct kernel *k, struct task *at_stop)
{
	if (r->off)
		return;	/* the model answers: the trace's order is over */
	while (rp_peek(r) == 0 && r->next) {
		const char *kind = rp_event_kind(r->next);
		pid_t v = rp_owner_of(r->next);
		struct task *t;
		int sig;

		if (kind && !strcmp(kind, "exit") && dead_take(r, v)) {
			rp_take(r);
			continue;
		}
		const char *sn = json_string_value(json_object_get(r->next, "signal"));
		if (kind && !strcmp(kind, "exit") && sn && signal_from_name(sn) == SIGKILL &&
		    (t = task_find_vtid(k, v)) != NULL && t != at_stop &&
		    (t->state == TS_RUNNING || t->state == TS_IN_CALL)) {
			rp_take(r);
			RT(t)->exit_taken = true;
			kernel_kill_task(k, t);
			continue;
		}
		/* A signal for the task at its stop is its to take
		 * (rp_deliver_signal): the unparked task is marked running
		 * before its call is looked at, and a signal sent to it now
		 * would wait, blocked, while it stays parked. */
		if (kind == NULL || strcmp(kind, "signal") != 0 ||
		    (t = task_find_vtid(k, v)) == NULL || t == at_stop)
			return;
		/* Not a task whose call the kernel runs again (a clone that a
		 * real SIGCHLD interrupted): its event is matched, but until it
		 * ran, a signal sent now would come before it (a fork would
		 * then copy what the handler changed). */
		if (!((t->state == TS_RUNNING && !(t->mod && RT(t)->restart)) ||
		    (t->state == TS_IN_CALL && t->call.sc && (t->call.sc->flags & SC_SIGWAIT))))
			return;
		if ((sig = signal_from_name(json_string_value(json_object_get(r->next, "sig")))) <= 0 ||
		    rp_signal_is_sync(r->next))
			return;	/* a fault: the task raises it itself */
		if (json_is_true(json_object_get(r->next, "before_call")))
			return;	/* at its next call, before it (rp_deliver_signal) */
		rp_send_signal(t, sig, r->next);
		rp_take(r);
	}
}

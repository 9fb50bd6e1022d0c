/* fast.c: the fast path's replay side (src/agent/README): the agent put
 * into a process at its first clock read, as when recording; at each stop
 * of a task, the clock reads the recording has next for it (in the global
 * order) queued for its agent to answer without a stop, and at its next
 * stop the ones it answered taken as matched. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include "kernel/fastpath.h"
#include "replay/internal.h"
#include "sys/capture.h"
#include "sys/structs.h"

int
rp_fast_open(struct replay *r)
{
	int e = fastpath_new(&r->fp, AGENT_REPLAY, 0);

	r->fast = e == 0;
	return e;
}

void
rp_fast_close(struct replay *r)
{
	if (r->fast && r->conf.log)
		fprintf(r->conf.log, "the agents answered %llu clock reads\n",
		    (unsigned long long)r->fast_answered);
	if (r->fast)
		fastpath_free(&r->fp);
	r->fast = false;
}

static void
mark_process(struct kernel *k, struct task *t, int v)
{
	pid_t g = rp_process_of(k, t->vtid);

	for (struct task *o = k->tasks; o; o = o->next)
		if (o == t || (o->vtid > 0 && rp_process_of(k, o->vtid) == g))
			RT(o)->agent = (signed char)v;
}

bool
rp_fast_enter(struct replay *r, struct kernel *k, struct task *t)
{
	struct call *c = &t->call;
	bool rewound = false;
	int e;

	if (!r->fast || r->off || RT(t)->agent != 0 ||
	    (e = fastpath_at_call(t->tid, c->nr, &c->regs, &r->fp, &rewound)) == 0)
		return false;
	mark_process(k, t, e > 0 ? 1 : -1);
	if (e < 0 && r->conf.log)
		fprintf(r->conf.log, "[%d] no fast path in this process: %s\n", (int)t->vtid, strerror(-e));
	return rewound;
}

int
rp_fast_collect(struct replay *r, struct kernel *k, struct task *t)
{
	struct agent_queue *q;
	uint32_t used;

	if (!r->fast || (q = fastpath_queue(&r->fp, t->tid, false)) == NULL)
		return 0;
	used = q->used < q->n ? q->used : q->n;
	for (uint32_t i = 0; i < used; i++) {
		if (rp_peek(r) < 0 || r->next == NULL || rp_owner_of(r->next) != t->vtid ||
		    rp_seq_of(r->next) != q->ev[i].seq) {
			q->n = q->used = 0;
			return -EPROTO;	/* cannot be: the queue is what came next */
		}
		rp_take(r);
		r->fast_answered++;
	}
	q->n = q->used = 0;
	return 0;
}

/* The answer the agent gives for ev, a call of the task's; 0, or -1 when
 * it is none the agent can give (another call, a zone, an edited event). */
static int
answer_of(const json_t *ev, struct agent_answer *a)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const json_t *args = json_object_get(ev, "args"), *out = json_object_get(ev, "out");
	const json_t *o;
	int ok;
	int64_t v;

	if (sys == NULL || json_object_get(ev, "event") || !json_is_object(args))
		return -1;
	memset(a, 0, sizeof *a);
	a->ret = event_result(ev, &ok);
	a->seq = rp_seq_of(ev);
	if (!ok || (a->ret < 0 && out))
		return -1;
	if (strcmp(sys, "clock_gettime") == 0) {
		if (json_int64_get(json_object_get(args, "clockid"), &v) < 0 || json_object_size(args) != 1)
			return -1;
		a->nr = SYS_clock_gettime;
		a->a0 = (uint64_t)v;
		o = out ? json_object_get(out, "tp") : NULL;
		if (a->ret == 0 && (o == NULL || json_object_size(out) != 1 ||
		    st_decode(&st_timespec, o, a->out) < 0))
			return -1;
		a->nout = a->ret == 0 ? 16 : 0;
		return a->ret == 0 || out == NULL ? 0 : -1;
	}
	if (json_object_size(args) != 0)
		return -1;
	if (strcmp(sys, "gettimeofday") == 0) {
		a->nr = SYS_gettimeofday;
		o = out ? json_object_get(out, "tv") : NULL;
		if (a->ret != 0 || o == NULL || json_object_size(out) != 1 ||
		    st_decode(&st_timeval, o, a->out) < 0)
			return -1;
		a->nout = 16;
		return 0;
	}
	if (strcmp(sys, "time") == 0) {
		a->nr = SYS_time;
		if (a->ret < 0)
			return -1;
		if (out == NULL)
			return 0;
		o = json_object_get(out, "tloc");
		if (o == NULL || json_object_size(out) != 1 || st_decode(&st_time_t, o, a->out) < 0)
			return -1;
		a->nout = 8;
		return 0;
	}
	return -1;
}

void
rp_fast_fill(struct replay *r, struct kernel *k, struct task *t)
{
	struct agent_queue *q;
	struct agent_answer a[AGENT_QLEN];
	uint32_t m = 0;

	if (!r->fast || r->off || t->mod == NULL || RT(t)->agent != 1 || rp_peek(r) < 0)
		return;
	/* The task's clock reads next in the global order, up to one that is
	 * followed by a call of its own (no other task's event, no signal,
	 * exit or other event of its own between): it stops there, and its
	 * reads are taken as matched before anything else happens. */
	for (size_t i = 0; i <= AGENT_QLEN; i++) {
		const json_t *ev = i == 0 ? r->next : rp_look(r, i - 1);
		if (ev == NULL || rp_owner_of(ev) != t->vtid || json_object_get(ev, "event")) {
			m = i > 0 ? (uint32_t)i - 1 : 0;	/* the last read stays for a stop */
			break;
		}
		if (i == AGENT_QLEN || answer_of(ev, &a[i]) < 0) {
			m = (uint32_t)i;	/* a call of its own comes next: it stops there */
			break;
		}
	}
	if (m == 0 || (q = fastpath_queue(&r->fp, t->tid, true)) == NULL)
		return;
	memcpy(q->ev, a, m * sizeof a[0]);
	q->used = 0;
	q->n = m;
}

void
rp_fast_forget(struct replay *r, struct task *t)
{
	if (r->fast)
		fastpath_queue_drop(&r->fp, t->tid);
}

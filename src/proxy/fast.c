/* fast.c: the fast path's record side (src/agent/README): the
 * agent put into a process at its first clock read, and the calls the
 * agents wrote into the ring made events, in the ring's order, before any
 * event of dios's own (proxy_seq). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include "kernel/fastpath.h"
#include "proxy/internal.h"
#include "sys/capture.h"
#include "sys/mem.h"

int
proxy_fast_open(struct proxy *p)
{
	/* With the one-at-a-time schedule, a stop now and then, where the
	 * turn can pass (a thread polling a clock while another works). */
	int e = fastpath_new(&p->fp, AGENT_RECORD, p->conf.serial ? 256 : 0);

	p->fast = e == 0;
	return e;
}

void
proxy_fast_close(struct proxy *p)
{
	if (p->fast)
		fastpath_free(&p->fp);
	p->fast = false;
}

/* The slots the agents wrote, as events. */
void
proxy_fast_drain(struct proxy *p)
{
	const struct agent_slot *s;

	if (!p->fast)
		return;
	while ((s = fastpath_peek(&p->fp)) != NULL) {
		struct call c = { .nr = s->nr, .ret = s->ret };
		unsigned n;
		uint64_t at = fastpath_out(s, &n);
		pid_t tid = s->tid;

		c.sc = sc_by_nr(c.nr);
		c.a[0] = s->a[0];
		c.a[1] = s->a[1];
		/* capture reads the outputs from the slot: the task's memory
		 * there may hold other values by now */
		if (n)
			mem_shadow(tid, at, s->out, n);
		if (c.sc && capture_entry(tid, &c) == 0 && capture_exit(tid, &c) == 0) {
			emit(p, event_new(p->seq++, tid, &c));
			p->st.fast_events++;
		} else
			p->st.fast_lost++;
		mem_shadow_clear();
		call_reset(&c);
		fastpath_pop(&p->fp);
	}
}

void
proxy_fast_gone(struct proxy *p, pid_t tid)
{
	int n;

	if (!p->fast)
		return;

	do {
		proxy_fast_drain(p);
		n = fastpath_let_go(&p->fp, tid);
		p->st.fast_lost += (unsigned)n;
	} while (n > 0);
}

uint64_t
proxy_seq(struct proxy *p)
{
	proxy_fast_drain(p);
	return p->seq++;
}

/* Marks every task of t's process (those that share its memory) with v. */
static void
mark_process(struct kernel *k, struct task *t, int v)
{
	pid_t g = PT(t)->tgid ? PT(t)->tgid : t->tid;

	for (struct task *o = k->tasks; o; o = o->next)
		if (o->mod && (o == t || (PT(o)->tgid ? PT(o)->tgid : o->tid) == g))
			PT(o)->agent = (signed char)v;
}

bool
proxy_fast_enter(struct proxy *p, struct kernel *k, struct task *t)
{
	struct call *c = &t->call;
	bool rewound = false;
	int e;

	if (!p->fast || PT(t)->agent != 0 || (c->nr != SYS_clock_gettime &&
	    c->nr != SYS_gettimeofday && c->nr != SYS_time))
		return false;
	/* Every event the agents wrote before, as other tasks' stops would. */
	proxy_fast_drain(p);
	if ((e = fastpath_at_call(t->tid, c->nr, &c->regs, &p->fp, &rewound)) == 0)
		return false;	/* the vsyscall page: at the next read */
	mark_process(k, t, e > 0 ? 1 : -1);
	if (e < 0 && p->conf.log)
		fprintf(p->conf.log, "[%d] no fast path in this process: %s\n", (int)t->tid, strerror(-e));
	return rewound;
}

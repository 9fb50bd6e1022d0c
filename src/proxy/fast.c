/* fast.c: the fast path's record side (src/agent/README): the agent put
 * into a process at its first fast call, the sites of its data calls
 * patched (src/kernel/patch.c), the descriptors its agent may take, and
 * the calls the agents wrote into the ring made events, in the ring's
 * order, before any event of dios's own (proxy_seq). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include "kernel/fastpath.h"
#include "proxy/internal.h"
#include "sys/capture.h"
#include "sys/mem.h"

#define ABYTES (AGENT_FDS / 8)

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

static void
dirty(struct fdlock *fl, unsigned lo, unsigned hi)
{
	if (fl->alo > fl->ahi) {
		fl->alo = lo;
		fl->ahi = hi;
		return;
	}
	if (lo < fl->alo)
		fl->alo = lo;
	if (hi > fl->ahi)
		fl->ahi = hi;
}

void
proxy_fast_fd_ok(struct fdlock *fl, int fd)
{
	if (fd < 0 || (unsigned)fd >= AGENT_FDS)
		return;
	if (fl->abits == NULL) {
		if ((fl->abits = calloc(1, ABYTES)) == NULL)
			return;
		fl->alo = 1;
		fl->ahi = 0;
	}
	if (!(fl->abits[fd >> 3] & (1u << (fd & 7)))) {
		fl->abits[fd >> 3] |= (uint8_t)(1u << (fd & 7));
		dirty(fl, (unsigned)fd >> 3, (unsigned)fd >> 3);
	}
}

void
proxy_fast_fd_gone(struct fdlock *fl, uint64_t lo, uint64_t hi)
{
	if (fl->abits == NULL || lo > hi || lo >= AGENT_FDS)
		return;
	if (hi >= AGENT_FDS)
		hi = AGENT_FDS - 1;
	for (uint64_t fd = lo; fd <= hi; fd++)
		if (fl->abits[fd >> 3] & (1u << (fd & 7))) {
			fl->abits[fd >> 3] &= (uint8_t)~(1u << (fd & 7));
			dirty(fl, (unsigned)(fd >> 3), (unsigned)(fd >> 3));
		}
}

void
proxy_fast_fds_copy(struct fdlock *to, const struct fdlock *from)
{
	if (from == NULL || from->abits == NULL || to == NULL)
		return;
	if (to->abits == NULL && (to->abits = malloc(ABYTES)) == NULL)
		return;
	memcpy(to->abits, from->abits, ABYTES);
	to->alo = 1;	/* the memory is a copy too */
	to->ahi = 0;
}

/* Writes bytes lo..hi of fl's bits into every process that uses fl and
 * has the agent (a thread's write is its process's). */
static void
write_bits(struct kernel *k, struct fdlock *fl, unsigned lo, unsigned hi)
{
	for (struct task *o = k->tasks; o; o = o->next)
		if (o->mod && PT(o)->fl == fl && PT(o)->agent == 1)
			(void)fastpath_fds_write(o->tid, fl->abits, lo, hi);
}

void
proxy_fast_sync(struct proxy *p, struct kernel *k, struct task *t)
{
	struct fdlock *fl = t->mod ? PT(t)->fl : NULL;

	if (!p->fast || fl == NULL || fl->abits == NULL || fl->alo > fl->ahi)
		return;
	write_bits(k, fl, fl->alo, fl->ahi);
	fl->alo = 1;
	fl->ahi = 0;
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
		uint64_t at;
		const void *out = fastpath_slot_out(&p->fp, s, &at, &n);
		pid_t tid = s->tid;

		if (s->nr == AGENT_VOID) {
			fastpath_pop(&p->fp);
			continue;
		}
		c.sc = sc_by_nr(c.nr);
		memcpy(c.a, s->a, sizeof s->a);
		/* capture reads the outputs from the slot: the task's memory
		 * there may hold other values by now */
		if (n)
			mem_shadow(tid, at, out, n);
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

static pid_t
process_of(struct task *t)
{
	return PT(t)->tgid ? PT(t)->tgid : t->tid;
}

/* Marks every task of t's process (those that share its memory) with v. */
static void
mark_process(struct kernel *k, struct task *t, int v)
{
	pid_t g = process_of(t);

	for (struct task *o = k->tasks; o; o = o->next)
		if (o->mod && (o == t || process_of(o) == g))
			PT(o)->agent = (signed char)v;
}

#define PATCH_TASKS 256

/* The other tasks of t's process, into o (at most PATCH_TASKS); their
 * count, or -1 when there are more. */
static int
others_of(struct kernel *k, struct task *t, struct task **o)
{
	pid_t g = process_of(t);
	int n = 0;

	for (struct task *x = k->tasks; x; x = x->next)
		if (x != t && x->mod && process_of(x) == g) {
			if (n == PATCH_TASKS)
				return -1;
			o[n++] = x;
		}
	return n;
}

bool
proxy_fast_enter(struct proxy *p, struct kernel *k, struct task *t)
{
	struct call *c = &t->call;
	struct ptask *pt = PT(t);
	bool rewound = false;
	int e;

	if (!p->fast || pt->agent < 0)
		return false;
	if (pt->agent == 1) {
		/* a data call at a site not patched yet */
		struct task *o[PATCH_TASKS];
		int n;
		if (pt->nopatch || !agent_is_data_call(c->nr) || (n = others_of(k, t, o)) < 0)
			return false;
		if ((e = fastpath_patch(t->tid, &c->regs, o, (size_t)n, &rewound)) < 0) {
			pt->nopatch = true;
			if (p->conf.log)
				fprintf(p->conf.log, "[%d] no call-site patches in this process: %s\n",
				    (int)t->tid, strerror(-e));
		}
		return rewound;
	}
	if (!fastpath_triggers(c->nr))
		return false;
	/* Every event the agents wrote before, as other tasks' stops would. */
	proxy_fast_drain(p);
	if ((e = fastpath_at_call(t->tid, c->nr, &c->regs, &p->fp, &rewound)) == 0)
		return false;	/* the vsyscall page: at the next read */
	mark_process(k, t, e > 0 ? 1 : -1);
	if (e > 0 && pt->fl && pt->fl->abits) {
		/* the bits dios set before the agent came: all of them */
		write_bits(k, pt->fl, 0, ABYTES - 1);
		pt->fl->alo = 1;
		pt->fl->ahi = 0;
	}
	if (e < 0 && p->conf.log)
		fprintf(p->conf.log, "[%d] no fast path in this process: %s\n", (int)t->tid, strerror(-e));
	return rewound;
}

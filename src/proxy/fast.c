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

#define ABYTES AGENT_FD_BYTES

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

/* No byte of fl's bits waits to be written. */
static void
clean(struct fdlock *fl)
{
	fl->alo = 1;
	fl->ahi = 0;
}

/* Bytes lo..hi of fl's bits wait to be written (proxy_fast_sync). */
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

static void
set_bit(struct fdlock *fl, unsigned i)
{
	if (!(fl->abits[i >> 3] & (1u << (i & 7)))) {
		fl->abits[i >> 3] |= (uint8_t)(1u << (i & 7));
		dirty(fl, i >> 3, i >> 3);
	}
}

void
proxy_fast_fd_ok(struct fdlock *fl, int fd, bool write)
{
	if (fd < 0 || (unsigned)fd >= AGENT_FDS)
		return;
	if (fl->abits == NULL) {
		if ((fl->abits = calloc(1, ABYTES)) == NULL)
			return;
		clean(fl);
	}
	set_bit(fl, (unsigned)fd);
	if (write)
		set_bit(fl, AGENT_FDS + (unsigned)fd);
}

bool
proxy_fast_fd_is_ok(const struct fdlock *fl, int fd)
{
	return fl->abits && fd >= 0 && (unsigned)fd < AGENT_FDS && (fl->abits[fd >> 3] & (1u << (fd & 7)));
}

void
proxy_fast_fd_gone(struct fdlock *fl, uint64_t lo, uint64_t hi)
{
	if (fl->abits == NULL || lo > hi || lo >= AGENT_FDS)
		return;
	if (hi >= AGENT_FDS)
		hi = AGENT_FDS - 1;
	for (uint64_t fd = lo; fd <= hi; fd++)
		for (uint64_t i = fd; i < 2 * AGENT_FDS; i += AGENT_FDS)	/* read, write */
			if (fl->abits[i >> 3] & (1u << (i & 7))) {
				fl->abits[i >> 3] &= (uint8_t)~(1u << (i & 7));
				dirty(fl, (unsigned)(i >> 3), (unsigned)(i >> 3));
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
	clean(to);	/* the memory is a copy too */
}

/* Writes bytes lo..hi of fl's bits into every process that uses fl and
 * has the agent (a thread's write is its process's). */
static void
write_bits(struct kernel *k, struct fdlock *fl, unsigned lo, unsigned hi)
{
	for (struct task *o = k->tasks; o; o = o->next)
		if (o->mod && PT(o)->fl == fl && PT(o)->fast.agent == 1)
			(void)fastpath_fds_write(o->tid, fl->abits, lo, hi);
}

void
proxy_fast_no_writes(struct proxy *p, struct kernel *k)
{
	if (!p->fast || p->no_writes)
		return;
	p->no_writes = true;
	for (struct task *t = k->tasks; t; t = t->next) {
		struct fdlock *fl = t->mod ? PT(t)->fl : NULL;
		if (fl == NULL || fl->abits == NULL)
			continue;
		memset(fl->abits + AGENT_FDS / 8, 0, ABYTES - AGENT_FDS / 8);
		dirty(fl, AGENT_FDS / 8, ABYTES - 1);
		proxy_fast_sync(p, k, t);
	}
}

void
proxy_fast_sync(struct proxy *p, struct kernel *k, struct task *t)
{
	struct fdlock *fl = t->mod ? PT(t)->fl : NULL;

	if (!p->fast || fl == NULL || fl->abits == NULL || fl->alo > fl->ahi)
		return;
	write_bits(k, fl, fl->alo, fl->ahi);
	clean(fl);
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
		const void *out;
		pid_t tid = s->tid;

		if (s->nr == AGENT_VOID) {
			fastpath_pop(&p->fp);
			continue;
		}
		out = fastpath_slot_out(&p->fp, s, &at, &n);
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

static struct fast_task *
state_of(struct task *t)
{
	return t->mod ? &PT(t)->fast : NULL;
}

/* Do a and b share their memory (threads of one process)? */
static bool
same_process(struct kernel *k, struct task *a, struct task *b)
{
	(void)k;
	return a->mod && b->mod && process_of(a) == process_of(b);
}

static const struct fast_hooks hooks = { state_of, same_process };

bool
proxy_fast_enter(struct proxy *p, struct kernel *k, struct task *t)
{
	struct ptask *pt = PT(t);
	bool rewound;
	int installed;

	if (!p->fast)
		return false;
	/* Every event the agents wrote before, as other tasks' stops would. */
	if (pt->fast.agent == 0 && fastpath_triggers(t->call.nr))
		proxy_fast_drain(p);
	rewound = fastpath_enter(k, t, &hooks, &p->fp, p->conf.log, t->tid, &installed);
	if (installed > 0 && pt->fl && pt->fl->abits) {
		/* the bits dios set before the agent came: all of them */
		dirty(pt->fl, 0, ABYTES - 1);
		proxy_fast_sync(p, k, t);
	}
	return rewound;
}

/* agent.c: the in-process agent (agent.h).  Freestanding: built without the
 * C library, the stack protector or unwind tables, linked at address 0 as
 * position-independent code and carried inside dios as bytes (mkblob.sh);
 * dios maps it at AGENT_BASE.  It runs on the program's stack, in the
 * program's thread, called from the vDSO's clock entries with the C
 * calling convention; it keeps no state of its own but the shared ring.
 */
#include <stdint.h>
#include <asm/unistd.h>
#include "agent/agent.h"

#define RING ((struct agent_ring *)AGENT_RING)

long agent_sys_fast(long nr, long a0, long a1);
long agent_sys_slow(long nr, long a0, long a1);
long agent_clock_gettime(long clk, void *ts);
long agent_gettimeofday(void *tv, void *tz);
long agent_time(void *t);

/* The one system-call instruction the filter lets through: the address
 * after it (agent_fast_site) is what the kernel shows the filter.  The
 * slow one is traced like any other, so dios sees the call. */
__asm__(
	".text\n"
	".globl agent_sys_fast\n"
	".type agent_sys_fast,@function\n"
	"agent_sys_fast:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	syscall\n"
	".globl agent_fast_site\n"
	"agent_fast_site:\n"
	"	ret\n"
	".globl agent_sys_slow\n"
	".type agent_sys_slow,@function\n"
	"agent_sys_slow:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	syscall\n"
	"	ret\n");

/* May this call go the fast way?  Not when dios turned the agent off, nor
 * when the ring is nearly full (dios drains it at the slow call's stop),
 * nor every slow_every-th call (a stop, where the one-at-a-time schedule
 * can pass the turn). */
static int
may_go(void)
{
	struct agent_ring *r = RING;
	uint64_t n;

	if (__atomic_load_n(&r->on, __ATOMIC_RELAXED) != AGENT_RECORD)
		return 0;
	if (__atomic_load_n(&r->head, __ATOMIC_RELAXED) -
	    __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= AGENT_SLOTS / 2)
		return 0;
	n = __atomic_add_fetch(&r->fast, 1, __ATOMIC_RELAXED);
	if (r->slow_every && n % r->slow_every == 0)
		return 0;
	return 1;
}

/* Writes the call that just returned ret into the next slot, with the n
 * bytes (at most 24) at out.  0, or -1 when the ring is full: the caller
 * then makes the call again the slow way (a second clock reading, the one
 * the program gets). */
static int
record(long nr, long a0, long a1, long ret, const void *out, unsigned n)
{
	struct agent_ring *r = RING;
	int32_t tid = (int32_t)agent_sys_fast(__NR_gettid, 0, 0);
	uint64_t pos = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

	for (;;) {
		if (pos - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= AGENT_SLOTS - 1)
			return -1;
		if (__atomic_compare_exchange_n(&r->head, &pos, pos + 1, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			break;
	}
	struct agent_slot *s = &r->slot[pos & (AGENT_SLOTS - 1)];
	volatile const uint8_t *src = out;
	volatile uint8_t *dst = s->out;
	__atomic_store_n(&s->tid, tid, __ATOMIC_RELAXED);
	__atomic_store_n(&s->stamp, AGENT_TAKEN(pos), __ATOMIC_RELEASE);
	s->nr = (int32_t)nr;
	s->a[0] = (uint64_t)a0;
	s->a[1] = (uint64_t)a1;
	s->ret = ret;
	for (unsigned i = 0; i < n && i < sizeof s->out; i++)
		dst[i] = src[i];
	__atomic_store_n(&s->stamp, pos + 1, __ATOMIC_RELEASE);
	return 0;
}

/* Replay: the answer dios queued for this call of the task, if it is the
 * call the recording has next (the same call, clock and outputs); its
 * outputs written at out.  1 with *ret, or 0: the call goes the slow way,
 * where dios matches it as any other. */
static int
answer(long nr, uint64_t a0, void *out, long *ret)
{
	struct agent_ring *r = RING;
	int32_t tid = (int32_t)agent_sys_fast(__NR_gettid, 0, 0);
	struct agent_queue *q = 0;

	for (unsigned i = 0, h = (uint32_t)tid % AGENT_QUEUES; i < AGENT_QUEUES; i++) {
		struct agent_queue *c = &r->q[(h + i) % AGENT_QUEUES];
		if (c->tid == tid) {
			q = c;
			break;
		}
		if (c->tid == 0)
			return 0;
	}
	if (q == 0 || q->used >= q->n || q->used >= AGENT_QLEN)
		return 0;
	struct agent_answer *a = &q->ev[q->used];
	if (a->nr != nr || a->a0 != a0 || (a->nout != 0) != (out != 0) || a->nout > sizeof a->out)
		return 0;
	volatile uint8_t *dst = out;
	for (unsigned i = 0; i < a->nout; i++)
		dst[i] = a->out[i];
	*ret = a->ret;
	q->used++;
	return 1;
}

static long
slow(long nr, long a0, long a1)
{
	__atomic_add_fetch(&RING->slow, 1, __ATOMIC_RELAXED);
	return agent_sys_slow(nr, a0, a1);
}

long
agent_clock_gettime(long clk, void *ts)
{
	long ret;

	if (RING->on == AGENT_REPLAY && ts && answer(__NR_clock_gettime, (uint64_t)clk, ts, &ret))
		return ret;
	if (ts == 0 || !may_go())
		return slow(__NR_clock_gettime, clk, (long)ts);
	ret = agent_sys_fast(__NR_clock_gettime, clk, (long)ts);
	if (record(__NR_clock_gettime, clk, (long)ts, ret, ts, ret == 0 ? 16 : 0) < 0)
		return slow(__NR_clock_gettime, clk, (long)ts);
	return ret;
}

long
agent_gettimeofday(void *tv, void *tz)
{
	long ret;

	if (RING->on == AGENT_REPLAY && tv && !tz && answer(__NR_gettimeofday, 0, tv, &ret))
		return ret;
	if (tv == 0 || tz != 0 || !may_go())
		return slow(__NR_gettimeofday, (long)tv, (long)tz);
	ret = agent_sys_fast(__NR_gettimeofday, (long)tv, 0);
	if (record(__NR_gettimeofday, (long)tv, 0, ret, tv, ret == 0 ? 16 : 0) < 0)
		return slow(__NR_gettimeofday, (long)tv, 0);
	return ret;
}

long
agent_time(void *t)
{
	long ret;

	if (RING->on == AGENT_REPLAY && answer(__NR_time, 0, t, &ret))
		return ret;
	if (!may_go())
		return slow(__NR_time, (long)t, 0);
	ret = agent_sys_fast(__NR_time, (long)t, 0);
	if (record(__NR_time, (long)t, 0, ret, t, t && ret >= 0 ? 8 : 0) < 0)
		return slow(__NR_time, (long)t, 0);
	return ret;
}

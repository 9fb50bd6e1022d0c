/* agent.c: the in-process agent (agent.h).  Freestanding: built without the
 * C library, the stack protector, unwind tables or vector registers (a
 * program's xmm registers live across its calls), linked at address 0 as
 * position-independent code and carried inside dios as bytes (mkblob.sh);
 * dios maps it at AGENT_BASE.  It runs on the program's stack, in the
 * program's thread: from the vDSO's clock entries with the C calling
 * convention, and from patched call sites through agent_entry with the
 * system call's; it keeps no state of its own but the process's page and
 * the shared ring.
 */
#include <stdint.h>
#include <asm/unistd.h>
#include "agent/agent.h"

#define RING ((struct agent_ring *)AGENT_RING)
#define LOCAL ((struct agent_local *)AGENT_LOCAL)
#define STAT_SIZE 144		/* struct stat on x86_64 */
#define AT_EMPTY_PATH 0x1000
#define EFAULT 14

long agent_sys6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
long agent_sys6_slow(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
long agent_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
long agent_clock_gettime(long clk, void *ts);
long agent_gettimeofday(void *tv, void *tz);
long agent_time(void *t);

/* The one system-call instruction the filter lets through: the address
 * after it (agent_fast_site) is what the kernel shows the filter.  The
 * slow one is traced like any other, so dios sees the call.
 *
 * agent_entry: where a patched call site's stub calls, with the call in
 * the registers as for the syscall instruction (rax the number; rdi, rsi,
 * rdx, r10, r8, r9 the arguments), below the red zone; it returns the
 * result in rax and keeps every other register but rcx and r11, which the
 * syscall instruction does not keep either, and the flags. */
__asm__(
	".text\n"
	".globl agent_sys6\n"
	".type agent_sys6,@function\n"
	"agent_sys6:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	".globl agent_fast_site\n"
	"agent_fast_site:\n"
	"	ret\n"
	".globl agent_sys6_slow\n"
	".type agent_sys6_slow,@function\n"
	"agent_sys6_slow:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"
	".globl agent_entry\n"
	".type agent_entry,@function\n"
	"agent_entry:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	pushfq\n"
	"	push %rdi\n"
	"	push %rsi\n"
	"	push %rdx\n"
	"	push %r10\n"
	"	push %r8\n"
	"	push %r9\n"
	"	and $-16, %rsp\n"
	"	sub $16, %rsp\n"
	"	mov %r9, (%rsp)\n"
	"	mov %r8, %r9\n"
	"	mov %r10, %r8\n"
	"	mov %rdx, %rcx\n"
	"	mov %rsi, %rdx\n"
	"	mov %rdi, %rsi\n"
	"	mov %rax, %rdi\n"
	"	cld\n"
	"	call agent_syscall\n"
	"	lea -56(%rbp), %rsp\n"
	"	pop %r9\n"
	"	pop %r8\n"
	"	pop %r10\n"
	"	pop %rdx\n"
	"	pop %rsi\n"
	"	pop %rdi\n"
	"	popfq\n"
	"	pop %rbp\n"
	"	ret\n");

static long
sys(long nr, long a0, long a1)
{
	return agent_sys6(nr, a0, a1, 0, 0, 0, 0);
}

static long
slow6(long nr, const long a[6])
{
	__atomic_add_fetch(&RING->slow, 1, __ATOMIC_RELAXED);
	return agent_sys6_slow(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void
copy(volatile uint8_t *dst, const volatile uint8_t *src, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		dst[i] = src[i];
}

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

static void
commit(struct agent_slot *s, long nr, const long a[6], long ret)
{
	/* the slot's position + 1: its stamp without the taken bit */
	uint64_t stamp = __atomic_load_n(&s->stamp, __ATOMIC_RELAXED) & ~(1ULL << 63);

	s->nr = (int32_t)nr;
	for (int i = 0; i < 6; i++)
		s->a[i] = (uint64_t)a[i];
	s->ret = ret;
	__atomic_store_n(&s->stamp, stamp, __ATOMIC_RELEASE);
}

/* Takes the next slot and want bytes of data (never across the data's
 * end: what is left there is taken too, and freed with the slot).  The
 * slot is claimed first, its stamp and tid in one 16-byte compare and
 * swap, so that a task killed at any point leaves a slot dios can tell
 * is its own; then the head and the data's head move together.  A slot
 * claimed whose head another agent moved on (its claimer was slow, or
 * dead) is made void, and the next one is taken.  The slot, or 0 when
 * the ring has no room. */
static struct agent_slot *
take(uint64_t want)
{
	struct agent_ring *r = RING;
	uint64_t size = (want + 7) & ~7ULL;
	uint64_t tid = (uint32_t)sys(__NR_gettid, 0, 0);

	for (;;) {
		uint64_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		uint64_t dh = __atomic_load_n(&r->dhead, __ATOMIC_ACQUIRE);
		struct agent_slot *s = &r->slot[h & (AGENT_SLOTS - 1)];
		uint64_t st = __atomic_load_n(&s->stamp, __ATOMIC_ACQUIRE);
		uint64_t tn = __atomic_load_n((uint64_t *)&s->tid, __ATOMIC_RELAXED);
		if (st == AGENT_TAKEN(h)) {
			/* claimed, and its claimer has not moved the head: on */
			agent_cas16(&r->head, h, dh, h + 1, dh);
			continue;
		}
		if (st == h + 1)
			continue;	/* committed already: the head moved on */
		uint64_t at = dh & (AGENT_DATA - 1), skip = 0;
		if (size && at + size > AGENT_DATA)
			skip = AGENT_DATA - at;
		if (h - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= AGENT_SLOTS - 1 ||
		    dh + skip + size - __atomic_load_n(&r->dtail, __ATOMIC_ACQUIRE) > AGENT_DATA)
			return 0;
		if (!agent_cas16(&s->stamp, st, tn, AGENT_TAKEN(h), tid))	/* tid, and nr 0 */
			continue;
		s->dpos = dh;
		s->dsize = (uint32_t)(skip + size);
		s->doff = dh + skip;
		s->dlen = 0;
		if (agent_cas16(&r->head, h, dh, h + 1, dh + skip + size))
			return s;
		/* another agent moved the head on for us, without our data */
		const long none[6] = { 0 };
		s->dsize = 0;
		commit(s, AGENT_VOID, none, 0);
	}
}


/* Writes a clock call that just returned ret into the next slot, with the
 * n bytes (at most 24) at out.  0, or -1 when the ring is full: the caller
 * then makes the call again the slow way (a second clock reading, the one
 * the program gets). */
static int
record(long nr, long a0, long a1, long ret, const void *out, unsigned n)
{
	const long a[6] = { a0, a1, 0, 0, 0, 0 };
	struct agent_slot *s = take(0);

	if (s == 0)
		return -1;
	copy(s->out, out, n < sizeof s->out ? n : sizeof s->out);
	commit(s, nr, a, ret);
	return 0;
}

/* Record: a call on a descriptor dios marked (agent_local), made here with
 * the process's signals blocked, so that no handler's call comes between
 * the call and its slot.  0 with *ret, or -1: not taken (the ring is full;
 * an fstatat of a path, which the slow way makes again). */
static int
record_data(long nr, const long a[6], long *retp)
{
	uint64_t all = ~0ULL, old = 0;
	/* a buffer of count bytes (read in or written out), or a stat */
	int bytes = nr == __NR_read || nr == __NR_pread64 || agent_in_arg(nr) >= 0;
	int stat = nr == __NR_fstat || nr == __NR_newfstatat;
	uint64_t want = bytes ? (uint64_t)a[2] : stat ? STAT_SIZE : 0;
	struct agent_slot *s;
	long ret;

	if (agent_sys6(__NR_rt_sigprocmask, 0 /* SIG_BLOCK */, (long)&all, (long)&old, 8, 0, 0) < 0)
		return -1;
	if ((s = take(want)) == 0) {
		ret = -1;
		goto out;
	}
	ret = agent_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (nr == __NR_newfstatat && (ret == -EFAULT || *(const volatile char *)a[1] != '\0')) {
		/* a path after all: no event here; stat again, the slow way */
		const long none[6] = { 0 };
		commit(s, AGENT_VOID, none, 0);
		ret = -1;
		goto out;
	}
	uint64_t n = 0;
	if (bytes && ret > 0)
		n = (uint64_t)ret <= want ? (uint64_t)ret : want;	/* what the kernel moved */
	else if (stat && ret == 0)
		n = STAT_SIZE;
	if (n)
		copy(&RING->data[s->doff & (AGENT_DATA - 1)],
		    (const uint8_t *)a[agent_out_arg(nr) >= 0 ? agent_out_arg(nr) : agent_in_arg(nr)], n);
	s->dlen = (uint32_t)n;
	commit(s, nr, a, ret);
	*retp = ret;
	ret = 0;
out:
	agent_sys6(__NR_rt_sigprocmask, 2 /* SIG_SETMASK */, (long)&old, 0, 8, 0, 0);
	return (int)ret;
}

/* May the agent take this call on a descriptor when recording? */
static int
data_ok(long nr, const long a[6])
{
	long fd = a[0];

	if (fd < 0 || fd >= (long)AGENT_FDS || !(LOCAL->fd_ok[fd >> 3] & (1u << (fd & 7))))
		return 0;
	if (agent_in_arg(nr) >= 0 && !(LOCAL->fd_ok[AGENT_FDS / 8 + (fd >> 3)] & (1u << (fd & 7))))
		return 0;
	switch (nr) {
	case __NR_write:
		return a[2] > 0 && (uint64_t)a[2] <= AGENT_IO_MAX;
	case __NR_pwrite64:
		return a[2] > 0 && (uint64_t)a[2] <= AGENT_IO_MAX && a[3] >= 0;
	case __NR_read:
		return a[2] > 0 && (uint64_t)a[2] <= AGENT_IO_MAX;
	case __NR_pread64:
		return a[2] > 0 && (uint64_t)a[2] <= AGENT_IO_MAX && a[3] >= 0;
	case __NR_newfstatat:
		return (a[3] & AT_EMPTY_PATH) != 0;
	case __NR_fstat: case __NR_lseek: case __NR_fadvise64:
		return 1;
	}
	return 0;
}

/* Replay: the answer dios queued for this call of the task, if it is the
 * call the recording has next (the same call and inputs); its output
 * written at the call's pointer.  1 with *ret, or 0: the call goes the
 * slow way, where dios matches it as any other. */
static int
answer(long nr, const long a[6], long *ret)
{
	struct agent_ring *r = RING;
	int32_t tid = (int32_t)sys(__NR_gettid, 0, 0);
	struct agent_queue *q = 0;
	unsigned qi = 0;

	for (unsigned i = 0, h = (uint32_t)tid % AGENT_QUEUES; i < AGENT_QUEUES; i++) {
		qi = (h + i) % AGENT_QUEUES;
		struct agent_queue *c = &r->q[qi];
		if (c->tid == tid) {
			q = c;
			break;
		}
		if (c->tid == 0)
			return 0;
	}
	if (q == 0 || q->used >= q->n || q->used >= AGENT_QLEN)
		return 0;
	struct agent_answer *an = &q->ev[q->used];
	unsigned m = agent_match_args(nr);
	int oa = agent_out_arg(nr);
	if (an->nr != nr)
		return 0;
	for (int i = 0; i < 4; i++)
		if ((m & (1u << i)) && an->a[i] != (uint64_t)a[i])
			return 0;
	if (an->nout > AGENT_QDATA || an->doff > AGENT_QDATA - an->nout)
		return 0;
	int ia = agent_in_arg(nr);
	if (an->nout && ((oa < 0 && ia < 0) || a[oa >= 0 ? oa : ia] == 0))
		return 0;
	if (ia >= 0) {
		/* a write: the same bytes as recorded */
		const volatile uint8_t *p = (const uint8_t *)a[ia], *w = &r->qdata[qi][an->doff];
		if (an->nout != (uint64_t)a[2])
			return 0;
		for (uint32_t i = 0; i < an->nout; i++)
			if (p[i] != w[i])
				return 0;
		*ret = an->ret;
		q->used++;
		return 1;
	}
	switch (nr) {
	case __NR_clock_gettime: case __NR_gettimeofday: case __NR_time:
		/* the clock calls: an output where the recording had one */
		if ((an->nout != 0) != (a[oa] != 0) || (nr == __NR_gettimeofday && a[1] != 0))
			return 0;
		break;
	case __NR_newfstatat:
		if (!(a[3] & AT_EMPTY_PATH) || *(const volatile char *)a[1] != '\0')
			return 0;
		break;
	}
	if (an->nout)
		copy((uint8_t *)a[oa], &r->qdata[qi][an->doff], an->nout);
	*ret = an->ret;
	q->used++;
	return 1;
}

long
agent_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	const long a[6] = { a0, a1, a2, a3, a4, a5 };
	uint32_t on = __atomic_load_n(&RING->on, __ATOMIC_RELAXED);
	long ret;

	if (__atomic_load_n(&LOCAL->off, __ATOMIC_RELAXED))
		return slow6(nr, a);
	if (on == AGENT_REPLAY && answer(nr, a, &ret))
		return ret;
	if (on == AGENT_RECORD && agent_is_data_call(nr) && data_ok(nr, a) && may_go() &&
	    record_data(nr, a, &ret) == 0)
		return ret;
	return slow6(nr, a);
}

static long
clock_call(long nr, long a0, long a1, int oa, unsigned n)
{
	const long a[6] = { a0, a1, 0, 0, 0, 0 };
	void *out = (void *)a[oa];
	long ret;

	if (__atomic_load_n(&LOCAL->off, __ATOMIC_RELAXED))
		return slow6(nr, a);
	if (RING->on == AGENT_REPLAY && answer(nr, a, &ret))
		return ret;
	if ((out == 0 && nr != __NR_time) || (nr == __NR_gettimeofday && a1 != 0) || !may_go())
		return slow6(nr, a);
	ret = sys(nr, a0, a1);
	if (record(nr, a0, a1, ret, out, out && ret >= 0 ? n : 0) < 0)
		return slow6(nr, a);
	return ret;
}

long
agent_clock_gettime(long clk, void *ts)
{
	return clock_call(__NR_clock_gettime, clk, (long)ts, 1, 16);
}

long
agent_gettimeofday(void *tv, void *tz)
{
	return clock_call(__NR_gettimeofday, (long)tv, (long)tz, 0, 16);
}

long
agent_time(void *t)
{
	return clock_call(__NR_time, (long)t, 0, 0, 8);
}

/* futex.c: futex calls in replay (private to src/replay): which may wait
 * (they do not keep the group's turn, replay.c), and their answers in a
 * trace of the one-at-a-time schedule.
 */
#include "config.h"
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include "kernel/tracee.h"
#include "sys/capture.h"
#include "sys/mem.h"
#include "replay/internal.h"

/* A futex call's command (FUTEX_WAIT...), without its flags. */
static int
futex_cmd(const struct call *c)
{
	return (int)c->a[1] & FUTEX_CMD_MASK;
}

/* A futex call that may wait: the waits, and the priority-inheritance
 * locks (a trylock may not wait, but takes a lock). */
bool
rp_futex_may_wait(const struct call *c)
{
	if (c->nr != SYS_futex)
		return false;
	switch (futex_cmd(c)) {
	case FUTEX_WAIT: case FUTEX_WAIT_BITSET: case FUTEX_LOCK_PI: case FUTEX_TRYLOCK_PI:
	case FUTEX_WAIT_REQUEUE_PI:
#ifdef FUTEX_LOCK_PI2
	case FUTEX_LOCK_PI2:
#endif
		return true;
	}
	return false;
}

/* futex, in a trace of the one-at-a-time schedule: the threads' code runs
 * in the recorded order, so their futex words are as recorded.  A wait is
 * answered from the trace at its turn (a timed-out wait times out at once,
 * a woken one is woken by its turn coming), except a shared (not
 * FUTEX_PRIVATE_FLAG) wait whose word still holds the value it waits on:
 * the kernel changes it (a thread's exit clears its tid for pthread_join)
 * and wakes it, so it waits for real, 50 ms at most.  So does one that
 * found the word changed when recording (EAGAIN: the thread had ended
 * before the join looked) but not yet here, where the thread's end, which
 * no event marks, may still be on its way.  A shared wait that ended woken
 * after a shared wake of the same word that woke a task (the trace has it
 * before) is answered from the trace: that wake was its cause.  Wakes, requeues and
 * the priority-inheritance calls, which change words in the kernel, run
 * for real; the program gets the recorded result.  Returns V_PASS when the
 * call is answered from the trace. */
/* A shared wake that woke n tasks when recording, on address addr. */
static void
note_woken(struct replay *r, uint64_t addr, long n)
{
	size_t i, free_i = sizeof r->woken / sizeof *r->woken;

	for (i = 0; i < sizeof r->woken / sizeof *r->woken; i++) {
		if (r->woken[i].n > 0 && r->woken[i].addr == addr) {
			r->woken[i].n += n;
			return;
		}
		if (r->woken[i].n <= 0 && free_i == sizeof r->woken / sizeof *r->woken)
			free_i = i;
	}
	if (free_i < sizeof r->woken / sizeof *r->woken) {
		r->woken[free_i].addr = addr;
		r->woken[free_i].n = n;
	}
}

/* A shared wait on addr that ended woken when recording: was a wake that
 * the trace has before it its cause (then taken)? */
static bool
take_woken(struct replay *r, uint64_t addr)
{
	for (size_t i = 0; i < sizeof r->woken / sizeof *r->woken; i++)
		if (r->woken[i].n > 0 && r->woken[i].addr == addr) {
			r->woken[i].n--;
			return true;
		}
	return false;
}

enum verdict
rp_futex_answer(struct replay *r, struct kernel *k, struct task *t, long ret)
{
	struct call *c = &t->call;
	int cmd = futex_cmd(c);
	uint32_t word;

	if ((cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET) && !(c->a[1] & FUTEX_PRIVATE_FLAG) && ret > 0)
		note_woken(r, c->a[0], ret);
	if (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) {
		if ((ret != 0 && ret != -EAGAIN) || (c->a[1] & FUTEX_PRIVATE_FLAG) ||
		    mem_read(t->tid, c->a[0], &word, sizeof word) < 0 || word != (uint32_t)c->a[2])
			return V_PASS;
		/* Woken by a task's wake the trace has before it (a POSIX
		 * semaphore's post in another process): answered from the
		 * trace at its turn, as a private wait is.  Waiting for real
		 * would let the group's next calls go first, and the word may
		 * hold its value again by then (the poster took it back). */
		if (ret == 0 && take_woken(r, c->a[0]))
			return V_PASS;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		struct user_regs_struct regs = c->regs;
		uint64_t addr;
		int e;
		if ((e = scratch_put(t->tid, c->sp, &ts, sizeof ts, &addr)) < 0)
			return rp_lost(r, k, t, e);
		regs.rsi = FUTEX_WAIT;	/* shared, relative timeout */
		regs.r10 = addr;
		if ((e = regs_set(t->tid, &regs)) < 0)
			return rp_lost(r, k, t, e);
	}
	RT(t)->orig = c->regs;
	RT(t)->kind = EX_KEEP;
	return V_EXIT_STOP;
}

/* fastpath.c: the agent put into tasks, and dios's end of its ring
 * (fastpath.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "agent/blob.h"
#include "kernel/fastpath.h"
#include "kernel/kernel.h"
#include "kernel/tracee.h"
#include "kernel/vdso.h"
#include "sys/mem.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Where install writes the ring's path, in the code's mapping (past the code). */
#define PATH_AT (AGENT_BASE + AGENT_CODE_MAX - 128)

uint64_t
fastpath_site(void)
{
	return AGENT_BASE + agent_fast_site_off;
}

int
fastpath_new(struct fastpath *fp, unsigned mode, unsigned slow_every)
{
	void *m;

	fp->ring = NULL;
	fp->ndead = 0;
	if (agent_code_len > AGENT_CODE_MAX - 128)
		return -E2BIG;
	if ((fp->fd = (int)syscall(SYS_memfd_create, "dios-agent-ring", MFD_CLOEXEC)) < 0)
		return -errno;
	if (ftruncate(fp->fd, (off_t)AGENT_RING_SIZE) < 0 ||
	    (m = mmap(NULL, AGENT_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fp->fd, 0)) == MAP_FAILED) {
		int e = -errno;
		close(fp->fd);
		fp->fd = -1;
		return e;
	}
	fp->ring = m;
	fp->ring->magic = AGENT_MAGIC;
	fp->ring->slow_every = slow_every;
	__atomic_store_n(&fp->ring->on, mode, __ATOMIC_RELEASE);
	snprintf(fp->path, sizeof fp->path, "/proc/%d/fd/%d", (int)getpid(), fp->fd);
	return 0;
}

void
fastpath_free(struct fastpath *fp)
{
	if (fp->ring)
		munmap(fp->ring, AGENT_RING_SIZE);
	if (fp->fd >= 0)
		close(fp->fd);
	fp->ring = NULL;
	fp->fd = -1;
}

/* One call made by the task (at the exit stop of the previous one, or at
 * the original seccomp stop for the first): its result, or -errno for a
 * failure to make it. */
static long
inject(pid_t tid, const struct user_regs_struct *at_entry, bool *first, long nr,
    uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	long r;
	int e = *first ? remote_syscall_at_entry(tid, at_entry, nr, a, &r)
	    : remote_syscall_again(tid, at_entry, nr, a, &r);

	*first = false;
	return e < 0 ? e : r;
}

/* Is the agent already at AGENT_BASE (a process forked from one that had
 * it, whose mark dios lost)? */
static bool
agent_there(pid_t tid)
{
	unsigned char head[64];
	size_t n = agent_code_len < sizeof head ? agent_code_len : sizeof head;

	return mem_read(tid, AGENT_BASE, head, n) == 0 && memcmp(head, agent_code, n) == 0;
}

int
fastpath_install(pid_t tid, const struct user_regs_struct *at_entry, const struct fastpath *fp,
    bool *rewound)
{
	const struct vdso_jump jumps[] = {
		{ "__vdso_clock_gettime", AGENT_BASE + agent_clock_gettime_off },
		{ "__vdso_gettimeofday", AGENT_BASE + agent_gettimeofday_off },
		{ "__vdso_time", AGENT_BASE + agent_time_off },
		{ NULL, 0 },
	};
	struct user_regs_struct back = *at_entry;
	bool first = true, code = false, ring = false;
	long r, fd = -1;
	int e;

	*rewound = false;
	if (fp == NULL || fp->ring == NULL)
		return -EINVAL;
	/* The call is made again from its syscall instruction: not one the
	 * kernel emulates (the vsyscall page, where a changed call number is
	 * a SIGSYS). */
	unsigned char insn[2];
	if (mem_read(tid, at_entry->rip - 2, insn, 2) < 0 || insn[0] != 0x0f || insn[1] != 0x05)
		return -ENOEXEC;
	r = inject(tid, at_entry, &first, SYS_mmap, AGENT_BASE, AGENT_CODE_MAX + AGENT_LOCAL_SIZE,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
	    (uint64_t)-1, 0);
	if (r == -EEXIST && agent_there(tid)) {
		e = 0;
		goto rewind;
	}
	if (r < 0 && r > -4096) {
		e = (int)r;
		goto undo;
	}
	code = true;
	if ((uint64_t)r != AGENT_BASE) {
		e = -EEXIST;	/* a kernel without MAP_FIXED_NOREPLACE put it elsewhere */
		inject(tid, at_entry, &first, SYS_munmap, (uint64_t)r, AGENT_CODE_MAX + AGENT_LOCAL_SIZE,
		    0, 0, 0, 0);
		code = false;
		goto undo;
	}
	if ((e = mem_write(tid, AGENT_BASE, agent_code, agent_code_len)) < 0 ||
	    (e = mem_write(tid, PATH_AT, fp->path, strlen(fp->path) + 1)) < 0)
		goto undo;
	fd = inject(tid, at_entry, &first, SYS_openat, (uint64_t)AT_FDCWD, PATH_AT,
	    O_RDWR | O_CLOEXEC, 0, 0, 0);
	if (fd < 0) {
		e = (int)fd;	/* no /proc, another pid namespace... */
		goto undo;
	}
	r = inject(tid, at_entry, &first, SYS_mmap, AGENT_RING, AGENT_RING_SIZE,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, (uint64_t)fd, 0);
	inject(tid, at_entry, &first, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	if ((uint64_t)r != AGENT_RING) {
		e = r < 0 && r > -4096 ? (int)r : -EEXIST;
		if (r >= 0 || r <= -4096)
			inject(tid, at_entry, &first, SYS_munmap, (uint64_t)r, AGENT_RING_SIZE, 0, 0, 0, 0);
		goto undo;
	}
	ring = true;
	r = inject(tid, at_entry, &first, SYS_mprotect, AGENT_BASE, AGENT_CODE_MAX,
	    PROT_READ | PROT_EXEC, 0, 0, 0);
	if (r < 0) {
		e = (int)r;
		goto undo;
	}
	if ((e = vdso_redirect(tid, jumps)) < 0)
		goto undo;
	e = 0;
	goto rewind;
undo:
	if (ring)
		inject(tid, at_entry, &first, SYS_munmap, AGENT_RING, AGENT_RING_SIZE, 0, 0, 0, 0);
	if (code)
		inject(tid, at_entry, &first, SYS_munmap, AGENT_BASE, AGENT_CODE_MAX + AGENT_LOCAL_SIZE,
		    0, 0, 0, 0);
	if (first)
		return e;	/* nothing ran: still at the seccomp stop */
rewind:
	/* Back onto the syscall instruction, to make the call again. */
	back.rip -= 2;
	back.rax = back.orig_rax;
	*rewound = true;
	{
		int e2 = regs_set(tid, &back);
		return e2 < 0 ? e2 : e;
	}
}

int
fastpath_at_call(pid_t tid, long nr, const struct user_regs_struct *at_entry,
    const struct fastpath *fp, bool *rewound)
{
	int e;

	*rewound = false;
	if (!fastpath_triggers(nr))
		return 0;
	e = fastpath_install(tid, at_entry, fp, rewound);
	return e == -ENOEXEC ? 0 : e == 0 ? 1 : e;
}

static bool
is_dead(const struct fastpath *fp, int32_t tid)
{
	for (unsigned i = 0; i < fp->ndead && i < FASTPATH_DEAD; i++)
		if (fp->dead[i] == tid)
			return true;
	return false;
}

/* Is the slot at the tail one that task tid claimed and will never commit
 * (tid -1: a task that ended, fp->dead; 0: any task, the run is over)?
 * When its claimer died before it moved the head, the head is moved on
 * here. */
static bool
abandoned(struct fastpath *fp, pid_t tid)
{
	struct agent_ring *r = fp->ring;
	uint64_t t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	const struct agent_slot *s = &r->slot[t & (AGENT_SLOTS - 1)];
	int32_t who = __atomic_load_n(&s->tid, __ATOMIC_RELAXED);

	if (__atomic_load_n(&s->stamp, __ATOMIC_ACQUIRE) != AGENT_TAKEN(t) ||
	    (tid > 0 && who != tid) || (tid < 0 && !is_dead(fp, who)))
		return false;
	uint64_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	if (h == t) {
		uint64_t dh = __atomic_load_n(&r->dhead, __ATOMIC_ACQUIRE);
		if (!agent_cas16(&r->head, h, dh, h + 1, dh))
			return false;	/* an agent is moving it: another time */
	}
	return true;
}

const struct agent_slot *
fastpath_peek(struct fastpath *fp)
{
	struct agent_ring *r = fp->ring;
	uint64_t t;
	const struct agent_slot *s;

	if (r == NULL)
		return NULL;
	for (;;) {
		t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
		s = &r->slot[t & (AGENT_SLOTS - 1)];
		if (t != __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&s->stamp, __ATOMIC_ACQUIRE) == t + 1)
			return s;
		if (fp->ndead == 0 || !abandoned(fp, -1))
			return NULL;
		fastpath_pop(fp);	/* a dead task's claim */
	}
}

int
fastpath_let_go(struct fastpath *fp, pid_t tid)
{
	int n = 0;

	if (fp->ring == NULL)
		return 0;
	if (tid > 0)
		fp->dead[fp->ndead++ % FASTPATH_DEAD] = tid;
	for (;;) {
		struct agent_ring *r = fp->ring;
		uint64_t t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
		const struct agent_slot *s = &r->slot[t & (AGENT_SLOTS - 1)];
		if (t != __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&s->stamp, __ATOMIC_ACQUIRE) == t + 1)
			return n;	/* committed: the drain's */
		if (tid == 0) {
			/* the run is over: every slot not committed */
			if (t == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) && !abandoned(fp, 0))
				return n;
		} else if (!abandoned(fp, tid))
			return n;
		fastpath_pop(fp);
		n++;
	}
}

void
fastpath_pop(struct fastpath *fp)
{
	struct agent_ring *r = fp->ring;
	const struct agent_slot *s = &r->slot[r->tail & (AGENT_SLOTS - 1)];
	uint64_t end = s->dpos + s->dsize;

	/* its data first: an agent that sees the slot free sees that too (a
	 * slot let go may hold an older lap's reservation: never back) */
	if (end > r->dtail && end <= r->dhead)
		__atomic_store_n(&r->dtail, end, __ATOMIC_RELEASE);
	__atomic_add_fetch(&r->tail, 1, __ATOMIC_RELEASE);
}

struct agent_queue *
fastpath_queue(struct fastpath *fp, pid_t tid, bool make)
{
	struct agent_queue *free_q = NULL;

	if (fp->ring == NULL || tid <= 0)
		return NULL;
	/* open addressing from tid % AGENT_QUEUES, as the agent probes */
	for (unsigned i = 0, h = (uint32_t)tid % AGENT_QUEUES; i < AGENT_QUEUES; i++) {
		struct agent_queue *q = &fp->ring->q[(h + i) % AGENT_QUEUES];
		if (q->tid == tid)
			return q;
		if (q->tid == -1 && free_q == NULL)
			free_q = q;
		if (q->tid == 0) {
			if (free_q == NULL)
				free_q = q;
			break;
		}
	}
	if (!make || free_q == NULL)
		return NULL;
	free_q->n = free_q->used = 0;
	free_q->tid = tid;
	return free_q;
}

void
fastpath_queue_drop(struct fastpath *fp, pid_t tid)
{
	struct agent_queue *q = fastpath_queue(fp, tid, false);

	if (q) {
		q->n = q->used = 0;
		q->tid = -1;
	}
}

const void *
fastpath_slot_out(const struct fastpath *fp, const struct agent_slot *s, uint64_t *at, unsigned *n)
{
	int oa = agent_out_arg(s->nr);

	*n = 0;
	*at = 0;
	if (oa < 0)
		oa = agent_in_arg(s->nr);	/* a write's bytes, read when it was made */
	if (oa < 0 || s->ret < 0 || s->a[oa] == 0)
		return NULL;
	*at = s->a[oa];
	if (agent_is_data_call(s->nr)) {
		if (s->dlen > s->dsize || s->dlen > AGENT_IO_MAX)
			return NULL;	/* cannot be: the agent wrote it */
		*n = s->dlen;
		return &fp->ring->data[s->doff & (AGENT_DATA - 1)];
	}
	*n = s->nr == SYS_time ? 8 : 16;
	return s->out;
}

bool
fastpath_filter_call(long nr, uint64_t a0)
{
	return (nr == SYS_seccomp && a0 == 1 /* SECCOMP_SET_MODE_FILTER */) ||
	    (nr == SYS_prctl && a0 == 22 /* PR_SET_SECCOMP */);
}

int
fastpath_off(pid_t tid)
{
	const uint32_t one = 1;

	return mem_write(tid, AGENT_LOCAL + offsetof(struct agent_local, off), &one, sizeof one);
}

bool
fastpath_triggers(long nr)
{
	return nr == SYS_clock_gettime || nr == SYS_gettimeofday || nr == SYS_time ||
	    agent_is_data_call(nr);
}

int
fastpath_fds_write(pid_t tid, const uint8_t *bits, unsigned lo, unsigned hi)
{
	if (lo > hi || hi >= AGENT_FD_BYTES)
		return -EINVAL;
	return mem_write(tid, AGENT_LOCAL + offsetof(struct agent_local, fd_ok) + lo, bits + lo,
	    hi - lo + 1);
}

uint8_t *
fastpath_qdata(const struct fastpath *fp, const struct agent_queue *q)
{
	return fp->ring->qdata[q - fp->ring->q];
}

void
fastpath_task_inherit(struct fast_task *child, const struct fast_task *parent)
{
	*child = *parent;
}

void
fastpath_task_exec(struct fast_task *f)
{
	f->agent = f->own_filter ? -1 : 0;
	f->nopatch = false;
}

#define PATCH_TASKS 256

/* Gives every task of t's process (t too) agent v (own_filter: and the
 * mark of a filter of its own). */
static void
mark_process(struct kernel *k, struct task *t, const struct fast_hooks *h, int v, bool own_filter)
{
	struct fast_task *of;

	for (struct task *x = k->tasks; x; x = x->next)
		if ((x == t || h->same_process(k, x, t)) && (of = h->state(x)) != NULL) {
			of->agent = (signed char)v;
			of->own_filter |= own_filter;
		}
}

bool
fastpath_enter(struct kernel *k, struct task *t, const struct fast_hooks *h,
    const struct fastpath *fp, FILE *log, pid_t shown, int *installed)
{
	struct fast_task *f = h->state(t);
	struct call *c = &t->call;
	struct task *o[PATCH_TASKS];
	bool rewound = false;
	size_t n = 0;
	int e;

	*installed = 0;
	if (f == NULL || f->agent < 0)
		return false;
	if (fastpath_filter_call(c->nr, c->a[0])) {
		/* the program's own filter: no agent from here on */
		if (f->agent == 1)
			(void)fastpath_off(t->tid);
		mark_process(k, t, h, -1, true);
		return false;
	}
	if (f->agent == 1) {
		/* a data call at a site not patched yet, when dios knows where
		 * the process's other tasks are */
		if (f->nopatch || !agent_is_data_call(c->nr))
			return false;
		for (struct task *x = k->tasks; x; x = x->next)
			if (x != t && h->state(x) && h->same_process(k, x, t)) {
				if (n == PATCH_TASKS)
					return false;
				o[n++] = x;
			}
		if ((e = fastpath_patch(t->tid, &c->regs, o, n, &rewound)) < 0) {
			f->nopatch = true;
			if (log)
				fprintf(log, "[%d] no call-site patches in this process: %s\n",
				    (int)shown, strerror(-e));
		}
		return rewound;
	}
	if ((e = fastpath_at_call(t->tid, c->nr, &c->regs, fp, &rewound)) == 0)
		return false;	/* another call, the vsyscall page: at the next */
	mark_process(k, t, h, e > 0 ? 1 : -1, false);
	*installed = e > 0 ? 1 : -1;
	if (e < 0 && log)
		fprintf(log, "[%d] no fast path in this process: %s\n", (int)shown, strerror(-e));
	return rewound;
}

/* perturb.h: changing what a recorded program sees (DESIGN.md: "Fuzzing and
 * flaky capture are drivers above the stack").  A perturber is asked by the
 * record module at each call; the record module applies its answer to the
 * real call and records what the program saw, so the run replays strictly
 * with dios-replay and no perturber.
 *
 * Perturbers: dios-flaky's chaos (src/flaky/chaos.c: dios-record --chaos)
 * and dios-fuzz's fault injection (src/fuzz/inject.c: dios-record --inject,
 * dios-fuzz inject).  Owner of the interface and of applying it:
 * src/proxy/proxy.c.  A perturber's hooks never exit and never print; they
 * run in the supervisor, at the task's stop.
 */
#ifndef DIOS_PERTURB_H
#define DIOS_PERTURB_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>
#include "kernel/kernel.h"

/* What to do with one call (the caller zeroes it; the fields combine where
 * they can: a delay with any of the others). */
struct perturb_act {
	int error;		/* > 0: the call does not run; it fails with this errno */
	bool retval_set;	/* the call does not run; it returns retval (strace's retval=) */
	long retval;
	uint64_t count;		/* > 0: the call runs with its length argument (the one
				 * bounding its first buffer: read, write, recvfrom,
				 * sendto, pread64...) lowered to count: a short read
				 * or write.  Ignored when count is not below it. */
	unsigned delay_enter_us;	/* dios waits this long before the call runs */
	unsigned delay_exit_us;		/* and this long after it ran, before the program goes on */
	int signal;		/* > 0: this signal is sent to the task as the call ends */
	const char *why;	/* static text: the event's "perturbed" ("chaos:io",
				 * "inject:openat#2"); NULL: "perturbed" */
};

struct perturber {
	/* At a call's entry, its inputs captured (c->args, c->a[], c->sc,
	 * c->nr; t->tid, t->vtid).  Fills act.  NULL: never. */
	void (*enter)(struct perturber *p, const struct task *t, const struct call *c,
	    struct perturb_act *act);
	/* A clock read (clock_gettime, gettimeofday, time) dios answers
	 * itself: may change *ts (of clock id; CLOCK_REALTIME for
	 * gettimeofday and time) before the program sees it.  Returns the
	 * event's "perturbed" text, or NULL when it left *ts alone.  NULL:
	 * never. */
	const char *(*clock)(struct perturber *p, const struct task *t, clockid_t id,
	    struct timespec *ts);
	/* At a call's exit (c->ret set), before its outputs are captured: may
	 * rewrite its outputs in the task's memory (directory order).  Returns
	 * the event's "perturbed" text, or NULL when it changed nothing.  NULL:
	 * never. */
	const char *(*exit)(struct perturber *p, const struct task *t, const struct call *c);
	/* The serial schedule (kernel.h, k->pick): a number below n (2: does
	 * the call of the thread that ran go after those of the threads that
	 * wait?).  NULL: never. */
	unsigned (*pick)(struct perturber *p, unsigned n);
	const char *pick_why;	/* the "perturbed" of a call pick sent after others */
	/* What the header says of it ("perturbed": {...}); new reference,
	 * NULL: nothing. */
	json_t *(*describe)(struct perturber *p);
	/* Counts, for the summary: calls changed. */
	uint64_t applied;
	void (*free)(struct perturber *p);
	void *state;
};

/* Frees p (NULL: nothing) through its free hook. */
static inline void
perturber_free(struct perturber *p)
{
	if (p && p->free)
		p->free(p);
}

/* The kernel's serial pick (kernel.h: k->pick, with k->pick_arg = p) for
 * a perturber that has one. */
static inline unsigned
perturb_pick(void *p, unsigned n)
{
	return ((struct perturber *)p)->pick((struct perturber *)p, n);
}

#endif

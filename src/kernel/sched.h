/* sched.h: the one-at-a-time schedule (struct kernel, serial), private to
 * src/kernel: loop.c hands it each stop (sched_stop), and it hands a stop
 * back (kernel_on_stop) when the task's turn comes.
 * Owner: src/kernel/sched.c; kernel_on_stop: loop.c.
 */
#ifndef DIOS_SCHED_H
#define DIOS_SCHED_H
#include <stdbool.h>
#include <sys/types.h>
#include "kernel/kernel.h"

struct sgroup;

/* loop.c: handles a stop of t (status st from waitpid), now. */
int kernel_on_stop(struct kernel *k, struct task *t, int st);

/* t's group (made when first asked), or NULL when the schedule is off or
 * t has none yet. */
struct sgroup *sched_group(struct kernel *k, const struct task *t);
/* Holds t's stop st until its turn. */
void sched_hold(struct kernel *k, struct task *t, int st);
/* After a stop of tid was handled: it has g's turn when it runs its own
 * code now (or is in a call that keeps the turn). */
void sched_settle(struct kernel *k, struct sgroup *g, pid_t tid);
/* While no task of g has the turn: handles the held stop whose turn it is. */
int sched_next(struct kernel *k, struct sgroup *g);
/* Must t, parked, wait: has another task of its group the turn, or a new
 * one not run yet? */
bool sched_busy(struct kernel *k, const struct task *t);
/* A stop of t: handled now, or held until its turn. */
int sched_stop(struct kernel *k, struct task *t, int st);
/* Task tid of group is gone: the turn passes on. */
int sched_gone(struct kernel *k, pid_t tid, pid_t group);
/* Every tick: the watchdog (k->serial_lost). */
int sched_tick(struct kernel *k);
/* Processes that share writable memory are one group: t made a writable
 * shared mapping of a file (marks its group, at the call's entry, in
 * record and replay alike); sched_shares says whether t's group is so
 * marked, and a process it forks then joins the group (on_clone) until it
 * executes another program (sched_leave). */
void sched_mark_shared(struct kernel *k, const struct task *t);
bool sched_shares(struct kernel *k, const struct task *t);
int sched_leave(struct kernel *k, struct task *t);
/* Frees the groups. */
void sched_free(struct kernel *k);

#endif

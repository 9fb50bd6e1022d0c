/* fastpath.h: the in-process agent (src/agent/agent.h) as the supervisor
 * sees it: dios's end of the shared ring, the agent put into a task, and
 * the slots read back in their order.  Owner: src/kernel/fastpath.c; the
 * ring belongs to its struct fastpath, which the record module holds.
 * Functions return 0 or -errno.
 */
#ifndef DIOS_FASTPATH_H
#define DIOS_FASTPATH_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/user.h>
#include "agent/agent.h"

struct task;
struct kernel;

#define FASTPATH_DEAD 32
struct fastpath {
	int fd;				/* the ring's memfd (dios's, close-on-exec) */
	struct agent_ring *ring;	/* mapped here too */
	char path[64];			/* /proc/PID/fd/N: how a task opens it */
	/* the last tasks that ended (fastpath_let_go): a slot one of them
	 * claimed and never committed is let go when the drain comes to it */
	pid_t dead[FASTPATH_DEAD];
	unsigned ndead;
};

/* What the record and the replay module keep of each task for the fast
 * path (in their own per-task state), the same way. */
struct fast_task {
	signed char agent;	/* its process has the agent: 1, cannot: -1, not yet: 0 */
	bool nopatch;		/* its process's call sites cannot be patched */
	bool own_filter;	/* its process installed a seccomp filter of its own:
				 * no agent, even after an exec (filters stay) */
};

/* How fastpath_enter finds a module's fast_task of a task (NULL: none) and
 * tells whether two tasks are of one process (share their memory). */
struct fast_hooks {
	struct fast_task *(*state)(struct task *t);
	bool (*same_process)(struct kernel *k, struct task *a, struct task *b);
};

/* A new task's state: its parent's (its memory is the parent's, or a
 * copy: the agent, its patches and bits too); after an exec, none. */
void fastpath_task_inherit(struct fast_task *child, const struct fast_task *parent);
void fastpath_task_exec(struct fast_task *f);

/* At the seccomp stop of task t's call, what both modules do: a seccomp
 * filter of the program's own turns the agent of its process off for
 * good; a data call at a site not yet patched, in a process with the
 * agent, has its site patched (fastpath_patch); the first fast call of a
 * process without the agent puts it in (fastpath_at_call: *installed 1,
 * or -1 when it cannot be).  True when t must be resumed, without an exit
 * stop, to make its call again (the agent is in, or the site patched).
 * shown: the task's id in log's messages. */
bool fastpath_enter(struct kernel *k, struct task *t, const struct fast_hooks *h,
    const struct fastpath *fp, FILE *log, pid_t shown, int *installed);

/* The address after the agent's allowed syscall instruction: what the
 * second seccomp filter lets through (filter_load). */
uint64_t fastpath_site(void);

/* A new ring (memfd, mapped) for mode AGENT_RECORD or AGENT_REPLAY;
 * slow_every as in struct agent_ring. */
int fastpath_new(struct fastpath *fp, unsigned mode, unsigned slow_every);
void fastpath_free(struct fastpath *fp);

/* Puts the agent into the process of task tid, which is at the seccomp
 * stop of a call with registers at_entry: maps the code and the ring,
 * and points the vDSO's clock entries at the agent.  0, or -errno: the
 * process goes on without the agent, as it was (-EEXIST: the address is
 * taken, not by an agent; no /proc; another pid namespace; -ENOEXEC: the
 * call was not made by a syscall instruction, try at another).  When the task
 * made calls for this, *rewound is true: its registers are rewound onto
 * the syscall instruction, and it must be resumed without an exit stop to
 * make that call again, which comes back as a new stop; else it is still
 * at the seccomp stop, untouched. */
int fastpath_install(pid_t tid, const struct user_regs_struct *at_entry,
    const struct fastpath *fp, bool *rewound);

/* At the seccomp stop of a call nr of task tid: when it is one that
 * fastpath_triggers (the first of its process, the caller knows),
 * fastpath_install.  1: the
 * agent is in; 0: not now (another call, the vsyscall page); -errno: the
 * process goes without it.  *rewound as for fastpath_install. */
int fastpath_at_call(pid_t tid, long nr, const struct user_regs_struct *at_entry,
    const struct fastpath *fp, bool *rewound);

/* The oldest slot the agents have written and dios has not read, or NULL
 * (first letting go of slots at the tail that tasks which ended claimed
 * and never committed); fastpath_pop releases it. */
const struct agent_slot *fastpath_peek(struct fastpath *fp);
void fastpath_pop(struct fastpath *fp);
/* Task tid ended (0: the run is over): lets go of the slots at the tail it
 * claimed and never committed (0: any slot not committed), now and when a
 * drain comes to one later; returns how many now. */
int fastpath_let_go(struct fastpath *fp, pid_t tid);

/* Replay: the queue of task tid (made when make and it has none), or NULL
 * (none; all AGENT_QUEUES in use).  fastpath_queue_drop: the task is gone. */
struct agent_queue *fastpath_queue(struct fastpath *fp, pid_t tid, bool make);
void fastpath_queue_drop(struct fastpath *fp, pid_t tid);

/* A slot's output: where its call wrote it (*at), its bytes (returned:
 * in the ring) and how many (*n); NULL and 0 when it has none.  A write's
 * are the bytes it wrote out, at its buffer. */
const void *fastpath_slot_out(const struct fastpath *fp, const struct agent_slot *s,
    uint64_t *at, unsigned *n);

/* Does call nr put the agent into a process that has none (a clock read,
 * a data call: agent_is_data_call)? */
bool fastpath_triggers(long nr);

/* Writes bytes lo..hi (< AGENT_FD_BYTES) of the descriptor bits (struct agent_local's fd_ok)
 * into the process of task tid, from bits (dios's copy). */
int fastpath_fds_write(pid_t tid, const uint8_t *bits, unsigned lo, unsigned hi);

/* Is call nr with first argument a0 one that installs a seccomp filter of
 * the program's own (seccomp SET_MODE_FILTER, prctl PR_SET_SECCOMP)?  The
 * process then goes without the agent, from before that call on, and so
 * do its children and the programs it execs: fastpath_off turns off the
 * agent of task tid's process (every call the slow way). */
bool fastpath_filter_call(long nr, uint64_t a0);
int fastpath_off(pid_t tid);

/* Replay: the data of queue q (AGENT_QDATA bytes), where its answers'
 * outputs go. */
uint8_t *fastpath_qdata(const struct fastpath *fp, const struct agent_queue *q);

/* At the seccomp stop of a data call (agent_is_data_call) of task tid, in
 * a process that has the agent and whose other tasks are others: patches
 * its call site, a system-call wrapper of a known shape, to call the
 * agent instead (src/kernel/patch.c), when none of the others may be
 * running or come back into the bytes rewritten.  1: patched, and
 * *rewound: the task is set to make its call again through the patch
 * (resume it without an exit stop); 0: not this site, or not now
 * (another shape, out of the stubs' reach, the agent's own, another task
 * in the way); -errno: not in this process. */
int fastpath_patch(pid_t tid, const struct user_regs_struct *at_entry, struct task *const *others,
    size_t nothers, bool *rewound);

#endif

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
#include <sys/types.h>
#include <sys/user.h>
#include "agent/agent.h"

struct fastpath {
	int fd;				/* the ring's memfd (dios's, close-on-exec) */
	struct agent_ring *ring;	/* mapped here too */
	char path[64];			/* /proc/PID/fd/N: how a task opens it */
};

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

/* The oldest slot the agents have written and dios has not read, or NULL;
 * fastpath_pop releases it. */
const struct agent_slot *fastpath_peek(const struct fastpath *fp);
void fastpath_pop(struct fastpath *fp);
/* Lets go of the slot at the tail while it was taken by task tid, which
 * ended before it committed it (0: the run is over, any slot not
 * committed); returns how many.  A drain stops at such a slot. */
int fastpath_let_go(struct fastpath *fp, pid_t tid);

/* Replay: the queue of task tid (made when make and it has none), or NULL
 * (none; all AGENT_QUEUES in use).  fastpath_queue_drop: the task is gone. */
struct agent_queue *fastpath_queue(struct fastpath *fp, pid_t tid, bool make);
void fastpath_queue_drop(struct fastpath *fp, pid_t tid);

/* A slot's output: where its call wrote it (*at), its bytes (returned:
 * in the ring) and how many (*n); NULL and 0 when it has none. */
const void *fastpath_slot_out(const struct fastpath *fp, const struct agent_slot *s,
    uint64_t *at, unsigned *n);

/* Does call nr put the agent into a process that has none (a clock read,
 * a data call: agent_is_data_call)? */
bool fastpath_triggers(long nr);

/* Writes bytes lo..hi of the descriptor bits (struct agent_local's fd_ok)
 * into the process of task tid, from bits (dios's copy). */
int fastpath_fds_write(pid_t tid, const uint8_t *bits, unsigned lo, unsigned hi);

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
struct task;
int fastpath_patch(pid_t tid, const struct user_regs_struct *at_entry, struct task *const *others,
    size_t nothers, bool *rewound);

#endif

/* internal.h: what the files of the replay module share; private to
 * src/replay (nothing outside it includes this).  Who owns what:
 *   replay.c   the module: replay_new, replay_free, replay_matched and the
 *              hooks for calls (enter: match; answer; exit), clone, start,
 *              task exit and turns (due)
 *   order.c    the global order: reading the trace and reading ahead, the
 *              ring of matched events, the tasks gone, advance
 *   report.c   outcome messages (rp_fail, rp_lost), divergence reports, the
 *              stalled hook, replay_tick, replay_outcome
 *   fds.c      the descriptor mirror: stdout/stderr, placeholders, pending
 *              ones
 *   maps.c     mapped files, shared mappings' copies, System V segments
 *   exec.c     execs: which file by which name, the cache's copies, the
 *              ends of the threads an exec ends, the exec hook
 *   offtrace.c after the run left the recording: the model's answers
 *              (rp_model_call), the stacks of --mutate
 *   signals.c  signal delivery, the signal hook
 *   ids.c      recorded and real task ids, calls that name tasks
 *   futex.c    futex calls: which may wait, their answers
 * The types below are the module's state (struct replay), each task's
 * (struct rtask) and a descriptor table's (struct fdtab).  Functions shared
 * between the files are named rp_; the module's hooks keep replay_.
 */
#ifndef DIOS_REPLAY_INTERNAL_H
#define DIOS_REPLAY_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <time.h>
#include <sys/types.h>
#include <jansson.h>
#include "kernel/fastpath.h"
#include "kernel/kernel.h"
#include "trace/sha256.h"
#include "trace/elfinterp.h"
#include "replay/replay.h"

#define RING 5
#define AHEAD 64		/* events read ahead to find a task's signal */
#define MAX_FD 4096

#define PENDING_MAX 64
#define MAX_NEWFDS 256

/* Which descriptors of a process show the recording's stdout/stderr (1 or
 * 2; 0: none).  Shared by the threads of a process (CLONE_FILES), copied at
 * fork.
 * pending: descriptors the program has in the recording whose placeholder is
 * not made yet.  Only calls that run for real can tell (close, dup2, exec,
 * fork, mmap of a descriptor...), so a table used by one task makes a
 * placeholder only before such a call (rp_materialize), and a descriptor
 * opened and closed between two of them costs no real call at all. */
struct fdtab {
	int refs;
	unsigned char stdio[MAX_FD];
	int npending;
	struct { int fd; bool cloexec; } pending[PENDING_MAX];
};

/* The ids the program knew (vtid) and the real ones, for every task of the
 * run: wait4 names tasks that are gone from the task table. */
struct idmap {
	pid_t vtid, tid;
	bool reaped;			/* a replayed wait reaped it */
};

struct replay {
	struct module mod;
	struct replay_conf conf;
	/* futex.c: wakes of shared futex words that the recording says woke
	 * a task (their result), not yet taken by a wait that ended woken:
	 * such a wait is answered from the trace, not waited for real */
	struct { uint64_t addr; long n; } woken[32];
	/* fast.c: the agents' queues (fast: there are) */
	bool fast;
	struct fastpath fp;
	uint64_t fast_answered;
	json_t *next;			/* the next event, read ahead */
	json_t *ahead[AHEAD];		/* the events after it, read when looked for */
	size_t nahead;
	json_t *footer;			/* the last line, once read */
	bool eof;			/* the reader has no more events */
	json_t *ring[RING];		/* the last matched events */
	uint64_t matched;
	/* --at-exit kill: the events after the program's end, not replayed,
	 * and the first of them */
	uint64_t rest, rest_from;
	enum replay_outcome outcome;
	char *msg;
	struct fdtab *root_fds;		/* the root's table, from the header */
	struct idmap *ids;		/* every task of the run */
	size_t nids, maxids;
	pid_t root_vpid;		/* the root's recorded process id (the header's "pid") */
	pid_t root_pgid;		/* the recorded number of the group the root started in; 0: not known */
	pid_t *dead;			/* tasks gone whose exit event is still ahead */
	size_t ndead, maxdead;
	bool first_exec_done;
	struct timespec progress;	/* when an event last matched */
	struct timespec called;		/* when the program last made a call (progress
					 * without the time tasks computed) */
	struct elf_interp fix;		/* portable: interpreter bytes to restore after the exec */
	bool gated;			/* conf.gate was called */
	bool check_failed;		/* conf.checked refused a line: nothing more is read */
	/* conf.model: the run left the recording (off); the report of where;
	 * the calls the model answered since. */
	bool off;
	char *off_msg;
	uint64_t off_calls;
	uint64_t out_seq;		/* events written to conf.out */
	uint64_t mutate_seq;		/* conf.mutate saw the event of this seq - 1 */
	int out_error;			/* the first error writing conf.out */
	/* What replay showed on stdout and stderr (rp_echo_output), to
	 * compare with the footer's "shown" (replay_outcome); [2]: both, in
	 * the order shown. */
	struct sha256 shown[3];
	uint64_t shown_n[3];
	uint64_t unshown;		/* bytes splice and tee moved there, not shown */
	/* maps.c: the shared mappings' copies, one per recorded
	 * path, shared by every task that maps it: unlinked files in $TMPDIR
	 * that dios holds open (fd), which the tasks open through
	 * /proc/<dios>/fd (closed by replay_free; nothing is left).  The
	 * names follow the recorded link, rename and unlink of the file
	 * (rp_shm_names): a link is one more name of the same copy, an
	 * unlinked name maps a new copy when made and mapped again. */
	struct { char *path; int fd; } *shm;
	size_t nshm;
	uint64_t shm_bytes;
	/* maps.c: the System V segments the recording made (their recorded
	 * ids and sizes, from the shmget events' "segment"), whose copies are
	 * in shm as "System V segment ID", and the attachments made (address
	 * and length, for shmdt). */
	struct { long id; uint64_t size; } *segs;
	size_t nsegs;
	struct { uint64_t addr, len; } *attach;
	size_t nattach;
};

/* maps.c: removes the shared mappings' copies. */
void rp_shm_free(struct replay *r);
/* maps.c: System V shared memory, replayed as a copy that every
 * attachment maps shared.  rp_shm_note: a shmget event ev (result ret),
 * answered from the trace as usual, names a segment the recording made (0
 * or -ENOMEM).  rp_shmat maps the segment where the recording had it
 * (ret), rp_shmdt unmaps it; both answer the call. */
int rp_shm_note(struct replay *r, const json_t *ev, long ret);
/* A matched call c (result ret) that named files: link, rename and unlink
 * of an absolute path move the names of the shared mappings' copies. */
void rp_shm_names(struct replay *r, const struct call *c, long ret);
/* A matched write, pwrite, ftruncate or fallocate of task t whose event
 * ev says "shared" (a file mapped shared, src/proxy/shared.c): the same
 * change is made to that file's copy, so the mappings show it.  0, or
 * -errno (the copy could not take it: the run stops). */
int rp_shm_write(struct replay *r, struct task *t, const json_t *ev, long ret);
enum verdict rp_shmat(struct replay *r, struct kernel *k, struct task *t, long ret);
enum verdict rp_shmdt(struct replay *r, struct kernel *k, struct task *t);

struct rtask {
	json_t *ev;			/* event of the call in progress */
	struct fast_task fast;		/* the fast path (fast.c, fastpath.h) */
	int kind;			/* what the exit hook does */
	int injected;			/* a recorded signal dios sent, not yet seen */
	bool has_info;			/* ...with its recorded siginfo, info */
	bool held_stop;			/* parked at a stop signal until its next event (signals.c) */
	siginfo_t info;
	bool restart;			/* a real call was interrupted and runs again */
	bool signalled;			/* EX_RESTART: a signal was sent into it at its entry */
	long restart_nr;
	long real;			/* EX_WAIT: the real id expected */
	struct fdtab *fds;
	pid_t vpid;			/* the recorded id of its process (0: the root's) */
	pid_t vpgid;			/* its recorded process group (0: the one the root started in) */
	/* new tasks: the tid pointers to give the recorded id (CLONE_*SETTID) */
	uint64_t ctid_addr;
	struct user_regs_struct orig;	/* registers at entry, restored after a rewritten call */
	bool exit_taken;		/* its exit event is consumed (a recorded SIGKILL) */
	bool doomed;			/* its exit was the exec of another thread's doing:
					 * its calls wait for that exec, which ends it */
	bool exec_again;		/* portable: the exec, prepared, is made again */
	bool exec_cached;		/* its last exec ran the cache's copy (rp_exec_portable) */
	int cwd_back;			/* its directory is kept at descriptor cwd_back - 1,
					 * for after its exec (exec.c, rp_cwd_for_exec); 0: none */
};
enum { EX_RUN_REAL = 1, EX_EXEC, EX_SLEEP, EX_ANON_MAP, EX_RESTART, EX_CLONE, EX_KEEP, EX_WAIT,
	EX_MODEL_REAL };

static inline struct replay *
R(const struct module *m)
{
	return (struct replay *)m->state;
}

static inline struct rtask *
RT(struct task *t)
{
	if (t->mod == NULL)
		t->mod = calloc(1, sizeof(struct rtask));
	return t->mod;
}

/* The fast path (fast.c).  rp_fast_open makes the queues (conf.fast);
 * rp_fast_enter, at a seccomp stop, puts the agent into the task's
 * process at its first fast call, or patches the call's site, and says
 * true when the task must be resumed to make its call again;
 * rp_fast_collect, first at every stop of a task, takes the calls its
 * agent answered as matched (-EPROTO: they were not the events that came
 * next); rp_fast_fill, as a task resumes from a call, queues the fast
 * calls the recording has next for it;
 * rp_fast_forget: the task is gone. */
int rp_fast_open(struct replay *r);
void rp_fast_close(struct replay *r);
bool rp_fast_enter(struct replay *r, struct kernel *k, struct task *t);
int rp_fast_collect(struct replay *r, struct kernel *k, struct task *t);
void rp_fast_fill(struct replay *r, struct kernel *k, struct task *t);
void rp_fast_forget(struct replay *r, struct task *t);

/* The module's hooks of tasks that come and go (tasks.c): the parent's
 * clone event stop (the child gets the recorded id), a new task's first
 * stop, a task's state let go, a task's end, and the held task due next. */
int replay_clone(struct module *m, struct kernel *k, struct task *parent, struct task *child);
int replay_start(struct module *m, struct kernel *k, struct task *child);
void replay_task_release(struct module *m, struct task *t);
void replay_task_exit(struct module *m, struct kernel *k, struct task *t, int status);
pid_t replay_due(struct module *m, struct kernel *k);

/* replay.c: what RTR gives when the task's state cannot be allocated. */
extern struct rtask rp_empty_rtask;

/* The task's state, allocated on first use; the root takes the header's
 * descriptor table. */
static inline struct rtask *
RTR(struct replay *r, struct task *t)
{
	struct rtask *rt = RT(t);

	if (rt == NULL)
		return &rp_empty_rtask;
	if (rt->fds == NULL && r->root_fds) {
		rt->fds = r->root_fds;
		rt->fds->refs++;
	}
	return rt;
}

/* order.c */
/* Reads the next event into r->next (or the footer), unless already there. */
int rp_peek(struct replay *r);
/* The event i places after r->next, read when needed; NULL past the end or AHEAD. */
json_t *rp_look(struct replay *r, size_t i);
/* The "seq" of an event. */
uint64_t rp_seq_of(const json_t *ev);
/* Moves r->next into the ring of matched events; returns it (borrowed). */
json_t *rp_take(struct replay *r);
/* Takes ahead[i] out of the order, matched before those in front of it (borrowed). */
json_t *rp_take_ahead(struct replay *r, size_t i);
/* An event of the run, as answered: written to conf.out (renumbered) and,
 * from the trace, given to conf.model.  ev is not taken. */
/* The content store of the files the program made and the trace carries
 * (conf.carried), once the check passed; NULL after a failure naming path
 * and how the program used it (maps.c). */
struct blobstore *rp_carried_store(struct replay *r, struct kernel *k, const char *path, const char *how);
/* exec.c: answers a successful exec of t, matched with ev. */
enum verdict rp_answer_exec(struct replay *r, struct kernel *k, struct task *t, const json_t *ev);
/* The ends of the threads an exec ends come before its execve in the
 * trace: how many, from r->next on, of process proc's tasks before a
 * successful exec of proc's (execer's, when not 0); 0 when that is not
 * what comes (exec.c). */
size_t rp_ends_before_exec(struct replay *r, struct kernel *k, pid_t proc, pid_t execer);
/* Takes the end of task v as the coming exec's doing (exec.c). */
void rp_take_doomed(struct replay *r, struct kernel *k, pid_t v);
/* Points the execve t is stopped at (regs, set by the caller) at path
 * (NULL: xa's first) with the arguments xa (a recorded argv: strings, or
 * bytes), written into t's scratch below its stack (exec.c).  0 or -errno. */
int rp_exec_argv(struct task *t, const json_t *xa, const char *path, struct user_regs_struct *regs);
/* Before an exec of file (absolute) by t, stopped with saved at the exec's
 * entry (at_exit false) or at an injected call's exit: the task's
 * directory made file's, the old one kept, and the name of the recorded
 * length (want) that leads to file from there into name; "" when it
 * cannot be done.  The task ends at an injected call's exit when it was
 * done: the caller makes it enter the exec again.  0 or -errno (maps.c). */
int rp_cwd_for_exec(struct task *t, const struct user_regs_struct *saved, bool at_exit, const char *file,
    size_t want, char *name, size_t namelen);
/* Puts back the working directory t had before an exec made by a name of
 * the recorded length (exec.c): at its new program's first call (at_exit
 * false: the call is then made again), or at the exit of an exec that
 * failed (exec.c).  V_RESUME, or a verdict of failure. */
enum verdict rp_cwd_back(struct replay *r, struct kernel *k, struct task *t, bool at_exit);
/* The recorded id of the process a task of the trace belongs to: 0 for
 * the root's, -1 for a task not (or no longer) here (signals.c). */
pid_t rp_process_of(struct kernel *k, pid_t vtid);
/* replay.c: answers t's call, matched with event ev (result ret). */
enum verdict rp_answer(struct replay *r, struct kernel *k, struct task *t, json_t *ev, long ret);
/* With conf.mutate: t's stack as ev's "stack" (a mutated call, a fault). */
void rp_add_stack(struct task *t, json_t *ev);
void rp_emit(struct replay *r, const json_t *ev, bool from_trace);
/* "signal", "exit", "rdtsc"...: the kind of a task event; NULL for a call. */
const char *rp_event_kind(const json_t *ev);
/* The recorded id of the task an event is for (-1: none). */
pid_t rp_owner_of(const json_t *ev);
/* Adds v to the tasks gone whose exit event is still ahead. */
int rp_dead_add(struct replay *r, pid_t v);
/* Consumes the events at the head of the trace that need no task at a stop
 * (at_stop: the task at the stop the caller handles, or NULL). */
void rp_advance(struct replay *r, struct kernel *k, struct task *at_stop);

/* report.c */
/* Sets the outcome and its message, unless a problem is reported already. */
void rp_set_msg(struct replay *r, enum replay_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Stops the run as an error (RO_ERROR) with the message; V_STOP. */
enum verdict rp_fail(struct replay *r, struct kernel *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* ptrace failed on t (-errno e): stops the run with the cause; V_STOP. */
enum verdict rp_lost(struct replay *r, struct kernel *k, struct task *t, int e);
/* Stops the run with a divergence report: expected ev (or none), actual c. */
enum verdict rp_diverge(struct replay *r, struct kernel *k, struct task *t, const json_t *ev,
    const struct call *c, const char *why, const char *which);
/* conf.model: t's call, in a run that left the recording, answered by the
 * model (replay.c). */
enum verdict rp_model_call(struct replay *r, struct kernel *k, struct task *t);
/* The stalled hook: no task can go on; stops the run with a report. */
void replay_stalled(struct module *m, struct kernel *k);

/* fds.c */
/* Which of t's descriptors show the recording's stdout/stderr; NULL: none. */
unsigned char *rp_stdio_of(struct replay *r, struct task *t);
/* Drops a reference to a descriptor table (NULL: none). */
void rp_fdtab_put(struct fdtab *f);
/* Waits, once, for the check of the whole trace running meanwhile
 * (conf.gate): -1 with the message in err when it failed. */
int rp_gate(struct replay *r, char *err, size_t errlen);
/* Shows again what the program wrote to its stdout/stderr; -1 (err) when conf.gate fails. */
int rp_echo_output(struct replay *r, const unsigned char *stdio, const struct call *c,
    const json_t *out, long ret, char *err, size_t errlen);
/* The stdout/stderr mirror's bookkeeping for the calls that change the table. */
void rp_note_fds(unsigned char *stdio, const struct call *c, long ret);
/* The descriptors the recorded call ev created, into fds (MAX_NEWFDS): their
 * count, or -EINVAL when its "newfds" (a fanotify read) is malformed. */
int rp_new_fds(const struct call *c, const json_t *ev, long ret, int *fds, bool *cloexec);
/* Does the call need t's real table to match the recording's? */
bool rp_needs_real_table(const struct call *c, const json_t *ev, long ret, const struct fdtab *f);
/* Makes t's pending placeholders, then has t make its call again. */
enum verdict rp_materialize(struct replay *r, struct kernel *k, struct task *t);
/* Answers a call that made descriptors: their placeholders, then its outputs. */
enum verdict rp_placeholder(struct replay *r, struct kernel *k, struct task *t, const json_t *ev,
    long ret, const int *fds, int n, bool cloexec);
/* The pending entry a call closes (a close of a never made placeholder); -1: none. */
int rp_pending_closed(const struct call *c, long ret, const struct fdtab *f);
/* Is another task running a call that changes the descriptor table for real? */
bool rp_fd_change_in_flight(struct kernel *k, struct task *t);

/* maps.c */
/* Answers t's mmap of a file (map: the event's "map"). */
enum verdict rp_map_file(struct replay *r, struct kernel *k, struct task *t, const json_t *map,
    long ret);
/* exec.c */
/* Portable, or a file the program made: has t's exec (event ev) run the
 * cache's copy of the executable. */
enum verdict rp_exec_portable(struct replay *r, struct kernel *k, struct task *t, const json_t *ev);
/* The exec hook: vDSO, recorded AT_RANDOM, interpreter bytes given back, files checked. */
int replay_exec(struct module *m, struct kernel *k, struct task *t);

/* futex.c: may the futex call c wait for another task (the waits, the
 * priority-inheritance locks)?  rp_futex_answer: the answer of a futex
 * call matched with result ret (V_PASS: from the trace, as other calls). */
bool rp_futex_may_wait(const struct call *c);
enum verdict rp_futex_answer(struct replay *r, struct kernel *k, struct task *t, long ret);

/* signals.c */
/* Sends sig to t before its current call, which runs again afterwards;
 * ev, its event (NULL: none), gives the siginfo (rp_send_signal). */
enum verdict rp_signal_before_call(struct replay *r, struct kernel *k, struct task *t, int sig,
    const json_t *ev);
/* Sends t the recorded signal sig of event ev (NULL: no event), with the
 * siginfo the recording has; the signal hook sees it come. */
void rp_send_signal(struct task *t, int sig, const json_t *ev);
/* Takes the signal event ev (r->next, for t) and sends it before t's call. */
enum verdict rp_deliver_signal(struct replay *r, struct kernel *k, struct task *t, json_t *ev);
/* A signal event the program's own instruction raised ("sync": a fault):
 * replay never sends it, the program raises it again. */
bool rp_signal_is_sync(const json_t *ev);
/* Sends now the signal the recording has for t right after its call, if any:
 * true when it sent one. */
bool rp_signal_after_call(struct replay *r, struct kernel *k, struct task *t);
/* Would rp_signal_after_call send one now? */
bool rp_signal_due_after(struct replay *r, struct kernel *k, struct task *t);
/* The signal hook: signals from the trace or the program, reads of the TSC. */
int replay_signal(struct module *m, struct kernel *k, struct task *t, int sig);

/* ids.c */
/* Notes that recorded id vtid is real task tid. */
int rp_id_add(struct replay *r, pid_t vtid, pid_t tid);
/* The real id of recorded id v (the newest task that had it), or 0. */
pid_t rp_id_real(const struct replay *r, pid_t v);
/* Notes that a replayed wait reaped real task tid: no wait names it again. */
void rp_id_reaped(struct replay *r, pid_t tid);
/* The recorded id of t's process. */
pid_t rp_vproc(const struct replay *r, struct task *t);
/* Follows t's matched call (result ret) in the recorded process groups:
 * setpgid, setsid, and getpgrp/getpgid, which tell the root's first group. */
void rp_note_ids(struct replay *r, struct kernel *k, struct task *t, long ret);
/* t's kill, tkill or tgkill sent SIGKILL when recording: dios sends it, by
 * their real tids, to the live tasks of the tree the call names by their
 * recorded ids, and to nothing else (a SIGKILL to one thread ends its whole
 * process).  Returns how many it names.  *self: t's own process is one of
 * them; it is left to the caller, which sends it to t once t's call is
 * answered (t must stay stopped until then). */
int rp_kill_tree(struct replay *r, struct kernel *k, struct task *t, bool *self);
/* Rewrites t's wait4 or waitid to name the real child it reaped when
 * recording (a task of the tree not reaped yet); the exit hook then does
 * kind. */
enum verdict rp_rewrite_ids(struct replay *r, struct kernel *k, struct task *t, int kind);

#endif

/* internal.h: private to the record module (proxy.c, direct.c, carry.c): its state,
 * the per-task state, the descriptor-table lock that also holds the direct
 * calls' copies, and the direct calls (direct.c) the hooks use.
 */
#ifndef DIOS_PROXY_INTERNAL_H
#define DIOS_PROXY_INTERNAL_H
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include "kernel/fastpath.h"
#include "kernel/kernel.h"
#include "sys/call.h"
#include "proxy/proxy.h"
#include "proxy/perturb.h"
#include "trace/sha256.h"

/* An object (device, inode) a task's write is in the kernel for (order.c). */
struct oheld {
	dev_t dev;
	ino_t ino;
	pid_t tid;
	unsigned ticks;		/* ticks it held it while another task waited */
	bool broken;		/* held too long: the others go */
};

struct proxy {
	struct module mod;
	struct proxy_conf conf;
	struct proxy_stats st;
	uint64_t seq;
	int header_done;
	char abort_msg[256];
	json_t *blobs;			/* SHA-256s whose content is in the trace */
	json_t *too_big;		/* paths warned of as too large to carry -> true */
	json_t *mapped;			/* paths of files mapped and not carried -> their "map" */
	struct timespec start;		/* CLOCK_REALTIME_COARSE when recording began */
	unsigned char *dbuf;		/* direct reads: DIRECT_MAX bytes */
	/* order.c: the writes in the kernel, and the digests of the bytes
	 * shown on dios's stdout and stderr (shown_state 0: not asked yet,
	 * 1: kcmp works, -1: it does not, no digest). */
	struct oheld *oheld;
	size_t noheld, maxoheld;
	int shown_state;
	bool shown_same;		/* stdout and stderr are one description */
	struct sha256 shown[2];
	uint64_t shown_n[2];
	/* shared.c: the files mapped MAP_SHARED (their device and inode) */
	struct { dev_t dev; ino_t ino; } *shared;
	size_t nshared;
	/* fast.c: the agents' ring (fast: there is one); no_writes: the
	 * agents take no write (proxy_fast_no_writes) */
	bool fast;
	bool no_writes;
	struct fastpath fp;
};

/* Direct calls: reads (of at most this many bytes), fstat, lseek and
 * fadvise64 of a regular file are made by dios itself (see
 * proxy_direct_call). */
#define DIRECT_MAX (256u << 10)
#define DIRECT_FDS 8

/* What a descriptor written to is (order.c): its object, and whether it is
 * dios's stdout or stderr (on: 1 or 2; 0: neither; -1: not asked yet). */
struct fdobj {
	int fd;
	dev_t dev;
	ino_t ino;
	int on;
};

/* Calls that change a descriptor table run one at a time per table, so
 * the recorded order of their events is the order the kernel handed out
 * the numbers (replay gives the same numbers in event order). */
struct fdlock {
	int refs;
	pid_t holder;		/* the task in such a call; 0: none */
	/* Direct calls: dios's copies (pidfd_getfd) of the table's
	 * descriptors, forgotten when their number is closed or replaced
	 * (proxy_direct_forget_for) and at exec. */
	bool asked;		/* pidfd_open was tried */
	int pidfd;		/* its result: -1 when it failed */
	int ndirect;
	struct { int fd, local; } direct[DIRECT_FDS];	/* local -1: not for direct reads */
	/* order.c: the table's descriptors written to, forgotten with the
	 * copies. */
	int nobj;
	struct fdobj obj[DIRECT_FDS];
	/* fast.c: dios's copy of the descriptor bits of the agents of the
	 * processes that use this table (agent_local's fd_ok: descriptors
	 * with a copy above), NULL until one is set, and the bytes changed
	 * since they were last written into the processes (alo > ahi: none). */
	uint8_t *abits;
	unsigned alo, ahi;
};

struct ptask {
	bool clone_written;	/* the clone event was written at the ptrace event stop */
	bool holds;		/* holds fl */
	bool oheld;		/* its write holds an object (order.c) */
	bool owait;		/* parked until odev/oino is free */
	dev_t odev;
	ino_t oino;
	struct fdlock *fl;	/* shared by the threads of a process (CLONE_FILES) */
	pid_t tgid;		/* its process's id (CLONE_THREAD); 0: its own tid */
	/* The call in progress was perturbed (perturb.h): the register of its
	 * length argument to put back at its exit (0: none; else index + 1)
	 * and its value, the delay and the signal after it. */
	int restore_arg;
	uint64_t restore_val;
	unsigned delay_exit_us;
	int signal_exit;
	struct fast_task fast;	/* the fast path (fast.c, fastpath.h) */
	/* Caught signals that came while it ran its own code, far from a
	 * call: held back and sent again at its next call (proxy.c,
	 * defer_signal), with the siginfo they came with; resend: the one
	 * sent again, whose delivery is taken as it comes (resend_here: where
	 * it is, not before a call: it ran on for two ticks without one);
	 * deferred_ticks: ticks it has held them. */
	int deferred[8];
	siginfo_t deferred_info[8];
	int ndeferred;
	int resend;
	bool resend_here;
	unsigned deferred_ticks;
	siginfo_t resend_info;
};

/* t's record state, made when it has none (proxy.c). */
struct ptask *PT(struct task *t);

/* The fast path (fast.c).  proxy_fast_open makes the ring (conf.fast);
 * proxy_fast_enter, at the start of a seccomp stop, puts the agent into
 * the task's process at its first fast call, or patches the call's site,
 * and says true when the task must be resumed to make its call again
 * (through the agent); proxy_fast_drain writes the
 * agents' calls as events (up to one not yet written); proxy_seq is the next event's number, every
 * event the agents wrote before it written first. */
int proxy_fast_open(struct proxy *p);
/* The agents' descriptor bits (struct fdlock's abits): fd may be taken by
 * the agent (a direct call made on it; write: its writes too), the numbers lo..hi may not (they
 * are closed or replaced), or none (lo 0, hi UINT64_MAX); proxy_fast_sync
 * writes what changed into the processes of t's table, before t goes on;
 * proxy_fast_fds_copy gives a new table (a fork's) the bits of the one it
 * copies. */
void proxy_fast_fd_ok(struct fdlock *fl, int fd, bool write);
bool proxy_fast_fd_is_ok(const struct fdlock *fl, int fd);
void proxy_fast_fd_gone(struct fdlock *fl, uint64_t lo, uint64_t hi);
void proxy_fast_sync(struct proxy *p, struct kernel *k, struct task *t);
void proxy_fast_fds_copy(struct fdlock *to, const struct fdlock *from);
/* A file is mapped shared (shared.c): from now on the agents take no
 * write (their events would not say "shared"). */
void proxy_fast_no_writes(struct proxy *p, struct kernel *k);
void proxy_fast_close(struct proxy *p);
bool proxy_fast_enter(struct proxy *p, struct kernel *k, struct task *t);
void proxy_fast_drain(struct proxy *p);
/* Task tid ended (0: the run did): its slots taken and never written are
 * let go, and the slots after them drained. */
void proxy_fast_gone(struct proxy *p, pid_t tid);
uint64_t proxy_seq(struct proxy *p);
/* Writes obj (an event, the header, the footer) to the trace (proxy.c). */
int emit(struct proxy *p, json_t *obj);

/* Signals (signal.c).  proxy_signal: the module's hook (a fault, a call of
 * another ABI, a signal held back or written as its event);
 * proxy_send_deferred: at a call of t's, the first signal it holds back
 * is sent before it (true: t must be resumed to take it, its call comes
 * again); proxy_signal_tick: a task that held one back for two ticks
 * without a call gets it where it is. */
int proxy_signal(struct module *m, struct kernel *k, struct task *t, int sig);
bool proxy_send_deferred(struct task *t);
void proxy_signal_tick(struct kernel *k);

/* The order of writes (order.c).  order_enter: V_PARK while another
 * task's write to the same object is in the kernel, else V_PASS (the call
 * then holds it, until order_exit or order_release).  order_exit also adds
 * the bytes written on dios's stdout or stderr to their digests. */
enum verdict order_enter(struct proxy *p, struct kernel *k, struct task *t, const struct call *c);
void order_exit(struct proxy *p, struct task *t, const struct call *c);
/* Which of dios-record's own descriptors 1 and 2 share the description of
 * t's descriptor fd: 1, 2, or 0 (none, or kcmp cannot tell). */
int order_shown_on(struct proxy *p, struct task *t, int fd);
void order_release(struct proxy *p, struct task *t);
/* May t, parked by order_enter, go on now? */
bool order_may_go(struct proxy *p, const struct task *t);
/* Every tick: a write that held its object two ticks while another task
 * waited lets the others go (st.order_broken counts it). */
void order_tick(struct proxy *p, struct kernel *k);
/* The footer's "shown": {"stdout": {"bytes", "sha256"}, "stderr": ...,
 * "same": true when they are one description}; NULL without kcmp. */
json_t *order_shown(struct proxy *p);

/* The files the trace carries (carry.c).  put_blob_as writes the content
 * of the file identified by id (open at open_path) into the trace once per
 * hash, with --portable or when force; put_blob, with --portable only.
 * carry_if_made marks a mapped or executed file's id "carried" (and puts
 * its content) when the program made or changed it, or maps it shared and
 * writable; else notes it in p->mapped.  carry_before_change, at the entry
 * of a call that removes, renames over or truncates a file noted so, puts
 * its content and names it in the event's "carry".  whole_if_carried
 * names a carried part of a large file by the whole (0, or -EINTR). */
int put_blob_as(struct proxy *p, const char *open_path, const json_t *id, bool force);
int put_blob(struct proxy *p, const char *open_path, const json_t *id);
void carry_if_made(struct proxy *p, const char *proc, json_t *id, bool writable_shared);
void carry_before_change(struct proxy *p, struct task *t, struct call *c);
int whole_if_carried(struct proxy *p, const char *proc, struct call *c);

/* Files mapped shared (shared.c).  shared_note_map, at the exit of an
 * mmap of the file open at proc, notes it when the mapping is MAP_SHARED;
 * shared_note_write, at the exit of a write, pwrite, ftruncate or
 * fallocate through a descriptor of such a file, gives the event
 * "shared": {"path", "at"} (0, or -ENOMEM). */
void shared_note_map(struct proxy *p, const char *proc, const struct call *c);
int shared_note_write(struct proxy *p, pid_t tid, struct call *c);

/* Forgets all of fl's copies (direct.c). */
void proxy_direct_forget(struct fdlock *fl);
/* Before call c changes fl's table: forgets the copies it may replace. */
void proxy_direct_forget_for(struct fdlock *fl, const struct call *c);
/* The index of fd's entry among fl's copies, or -1. */
int proxy_direct_find(const struct fdlock *fl, int fd);
/* Makes call c of task t on dios's copy of its descriptor; false: t makes it. */
bool proxy_direct_call(struct proxy *p, struct task *t, struct call *c);
/* t's new descriptor fd: its copy taken now, when the agent may use it. */
void proxy_direct_new(struct proxy *p, struct task *t, int fd);

#endif

/* family.h: handlers for the syscalls whose memory depends on a command or
 * which need more than the generic argument kinds (fcntl, ioctl, mmap, exec,
 * sched_getaffinity, prctl, capget...).  One file per family in src/sys/ (fcntl.c, mmap.c...).
 * Each hook returns 0 or -errno.
 */
#ifndef DIOS_FAMILY_H
#define DIOS_FAMILY_H
#include <stdbool.h>
#include <jansson.h>
#include <sys/types.h>


struct call;
struct kernel;

/* How replay treats a call of the family (see replay rules in DESIGN.md). */
enum replay_mode {
	RM_EMULATE,	/* skipped; result and outputs come from the trace */
	RM_RUN_REAL,	/* also runs on the real kernel (descriptor mirror) */
	RM_RUN_KEEP,	/* a call that succeeded runs for real too, and the program
			 * gets the recorded result and outputs (its own limits) */
};

struct sc_family {
	/* Record and replay, at entry: add the CUSTOM inputs to c->args. */
	int (*entry)(pid_t tid, struct call *c);
	/* Record, at exit: add the CUSTOM outputs to c->out (and c->extra). */
	int (*exit)(pid_t tid, struct call *c);
	/* Replay: write the CUSTOM outputs of out into the task. */
	int (*inject)(pid_t tid, struct call *c, const json_t *out);
	/* Replay: how this particular call is treated (NULL: RM_EMULATE, or
	 * RM_RUN_REAL for rows flagged SC_RUN_REAL). */
	enum replay_mode (*mode)(const struct call *c);
	/* Replay: the descriptors a successful call created, from its event ev
	 * (result and "out"): fills fds (at most max) and *cloexec, returns
	 * their count (0: none).  NULL: the result, for rows flagged SC_NEWFD. */
	int (*newfds)(const struct call *c, const json_t *ev, int *fds, int max, bool *cloexec);
	/* Record and replay, at entry: may this call make descriptors (it
	 * changes the descriptor table)?  NULL: every call of a family with
	 * newfds may (ioctl: only the requests that return one). */
	bool (*makes_fds)(const struct call *c);
	/* Rendering: the constants an integer CUSTOM argument arg is named
	 * by, by the call's inputs args (a command), or X_NONE. */
	enum xlat_id (*arg_xlat)(const json_t *args, const char *arg);
	/* Replay: why this call, which succeeded when recording, cannot be
	 * answered from the trace (a static string), or NULL when it can (see
	 * sc_replay_refusal). */
	const char *(*refuse)(const struct call *c);
	/* Replay's matching and the diff: is argument key one this call
	 * (its inputs args, as in the trace) ignores, by its command, so that
	 * whatever the register held is not compared?  NULL: none. */
	bool (*unused)(const json_t *args, const char *key);
	/* Rendering: the layout of CUSTOM argument arg when it holds a
	 * structure, by the call's inputs args (a command), or NULL. */
	const struct st_desc *(*arg_struct)(const json_t *args, const char *arg);
};

extern const struct sc_family fam_fcntl, fam_ioctl, fam_mmap, fam_exec, fam_affinity,
    fam_groups, fam_copy, fam_sockaddr, fam_pipe, fam_signalfd, fam_poll, fam_select,
    fam_epoll, fam_msg, fam_prctl, fam_seccomp, fam_caps, fam_mempolicy, fam_schedattr,
    fam_landlock, fam_unshare, fam_sysv, fam_handle, fam_memfd, fam_pidfd, fam_nosys,
    fam_rlimit, fam_futex, fam_chdir, fam_keyctl;

/* poll.c: an unused callback for calls whose sigsetsize counts only with a
 * sigmask (ppoll, epoll_pwait, epoll_pwait2). */
bool sigsetsize_unused(const json_t *args, const char *key);

/* affinity.c: the mask sched_getaffinity shows (the one of the start,
 * not dios's pin); whether task tid set its own (then the kernel's is
 * shown), and setting that (on a successful sched_setaffinity, a clone
 * of such a task) or forgetting it (its end). */
void affinity_set_shown(const unsigned char *mask, size_t len);
bool affinity_is_own(pid_t tid);
void affinity_own(pid_t tid, bool on);

/* Does replay set this resource limit for real (src/sys/rlimit.c)? */
bool rlimit_replayed(int res);
/* The name of resource res in a trace header ("nofile"), NULL past them. */
const char *rlimit_name(int res);

#endif

/* spawn.h: starting the program under ptrace and seccomp (DESIGN.md,
 * "Processes": fork; the child stops itself; the parent seizes it; the child
 * disables ASLR, sets no_new_privs, loads the filter and execs).
 * Owner: src/kernel/spawn.c. */
#ifndef DIOS_SPAWN_H
#define DIOS_SPAWN_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct spawn_rlimit;

struct spawn_req {
	const char *path;		/* executable to exec (absolute or relative) */
	char *const *argv;
	char *const *envp;
	int umask;			/* -1: inherit */
	/* Replay: signals to ignore and to block (bit N-1 for signal N), as
	 * the recorded program inherited them; set_signals false: inherit. */
	bool set_signals;
	unsigned long long sigign, sigblk;
	/* Replay: the descriptors open at the start of the recording.  The
	 * child closes every other one and makes each of these a placeholder
	 * on /dev/null before the exec.  NULL: inherit as is (record). */
	const int *fds;
	size_t nfds;
	/* With fds: one more descriptor the child keeps as it is, close-on-exec
	 * (a portable exec's cached loader); -1: none. */
	int keep_fd;
	bool serial;			/* filter_load(serial, fast_site) */
	uint64_t fast_site;		/* record: the agent's fast path (fastpath.h); 0: none */
	/* Replay: resource limits the child sets before the exec, as the
	 * recorded program started with them (a hard limit it may not raise
	 * is kept, and the soft one held under it); and no_core, RLIMIT_CORE
	 * 1, which writes no core file and feeds no core_pattern pipe. */
	const struct spawn_rlimit *rlimits;
	size_t nrlimits;
	bool no_core;
	/* Replay: stop each task at its end (PTRACE_O_TRACEEXIT), where
	 * loop.c makes its robust futexes name it by its real id. */
	bool trace_exit;
	/* Replay: the directory the recording started in, made the child's
	 * real one where it exists and path is absolute (replay runs chdir for
	 * real too); NULL: inherit. */
	const char *cwd;
};

struct spawn_rlimit {
	int res;
	unsigned long long cur, max;
};

enum spawn_stage { SPAWN_OK, SPAWN_FORK, SPAWN_PTRACE, SPAWN_SECCOMP, SPAWN_EXEC, SPAWN_SETUP };

struct spawn_result {
	pid_t pid;
	enum spawn_stage stage;		/* where it failed */
	int err;			/* errno of the failure */
};

/* Starts the program.  On success (0) the child has completed its exec and
 * is stopped at the PTRACE_EVENT_EXEC stop, seized with the dios ptrace
 * options; its first exec is not reported as a call.  On failure returns
 * -errno with res->stage and res->err saying where; the child is gone. */
int spawn_traced(const struct spawn_req *req, struct spawn_result *res);

/* A one-line explanation of a spawn failure, with the fix where there is
 * one, into buf. */
void spawn_explain(const struct spawn_result *res, const char *path, char *buf, size_t n);

#endif

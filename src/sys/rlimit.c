/* rlimit.c: setrlimit and prlimit64 in replay.
 *
 * A limit that governs what replay runs for real (descriptors, memory,
 * processes, locks, queued signals, priorities) is set for real too when
 * the recorded call succeeded, so the calls that meet it (dup2 past the
 * descriptor limit, an anonymous mmap past RLIMIT_AS, a fork past
 * RLIMIT_NPROC) fail in replay as they failed when recording; the program
 * still gets the recorded result and old limit.  The others only ever end
 * in a signal or a file, which the trace holds: the CPU times (SIGXCPU),
 * the file size (SIGXFSZ on writes replay never makes) and the core size,
 * which replay keeps at 1 so that no replayed crash writes a core file or
 * feeds the host's core_pattern pipe.  Those are answered from the trace
 * and change nothing.  prlimit64 on another process (pid not 0) changes
 * nothing either: replay never acts on processes by recorded ids. */
#include "config.h"
#include <sys/resource.h>
#include <sys/syscall.h>
#include "sys/call.h"
#include "sys/family.h"

/* The names of the trace header's "rlimits" (dios-trace(5)) */
static const char *const names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = "cpu", [RLIMIT_FSIZE] = "fsize", [RLIMIT_DATA] = "data",
	[RLIMIT_STACK] = "stack", [RLIMIT_CORE] = "core", [RLIMIT_RSS] = "rss",
	[RLIMIT_NPROC] = "nproc", [RLIMIT_NOFILE] = "nofile", [RLIMIT_MEMLOCK] = "memlock",
	[RLIMIT_AS] = "as", [RLIMIT_LOCKS] = "locks", [RLIMIT_SIGPENDING] = "sigpending",
	[RLIMIT_MSGQUEUE] = "msgqueue", [RLIMIT_NICE] = "nice", [RLIMIT_RTPRIO] = "rtprio",
	[RLIMIT_RTTIME] = "rttime",
};

const char *
rlimit_name(int res)
{
	return res >= 0 && res < RLIM_NLIMITS ? names[res] : NULL;
}

bool
rlimit_replayed(int res)
{
	switch (res) {
	case RLIMIT_CPU: case RLIMIT_FSIZE: case RLIMIT_CORE: case RLIMIT_RTTIME:
		return false;
	default:
		return res >= 0 && res < RLIM_NLIMITS;
	}
}

static enum replay_mode
rlimit_mode(const struct call *c)
{
	if (c->nr == SYS_setrlimit)
		return rlimit_replayed((int)c->a[0]) ? RM_RUN_KEEP : RM_EMULATE;
	/* prlimit64(pid, resource, new, old): only one that sets */
	return (int)c->a[0] == 0 && c->a[2] != 0 && rlimit_replayed((int)c->a[1]) ?
	    RM_RUN_KEEP : RM_EMULATE;
}

const struct sc_family fam_rlimit = { .mode = rlimit_mode };


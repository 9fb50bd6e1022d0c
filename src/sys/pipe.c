/* pipe.c: pipe, pipe2 and socketpair, which return two new descriptors
 * in an int[2] (the "fds" output, {"fd0":3,"fd1":4}) rather than as their
 * result.  Replay puts a placeholder at both recorded numbers. */
#include "config.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "sys/capture.h"
#include "sys/family.h"

static int
pipe_newfds(const struct call *c, const json_t *ev, int *fds, int max, bool *cloexec)
{
	const json_t *p = json_object_get(json_object_get(ev, "out"), "fds");
	int64_t a = json_int64_or(p, "fd0", -1), b = json_int64_or(p, "fd1", -1);

	if (max < 2 || a < 0 || b < 0 || a > INT32_MAX || b > INT32_MAX)
		return 0;
	fds[0] = (int)a;
	fds[1] = (int)b;
	if (c->nr == SYS_socketpair)
		*cloexec = json_int64_or(c->args, "type", 0) & SOCK_CLOEXEC;
	else
		*cloexec = json_int64_or(c->args, "flags", 0) & O_CLOEXEC;
	return 2;
}

const struct sc_family fam_pipe = { .newfds = pipe_newfds };

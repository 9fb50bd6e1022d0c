/* newfd.c: calls that make one descriptor, as their result, whose
 * close-on-exec flag is not O_CLOEXEC in a "flags" argument: memfd_create
 * and fanotify_init (bit 1 of "flags": MFD_CLOEXEC, FAN_CLOEXEC), and
 * pidfd_open, pidfd_getfd and mq_open (always close-on-exec).  Replay puts
 * its placeholder there with the same flag, so an exec closes it as it
 * closed the recorded one. */
#include "config.h"
#include "sys/capture.h"
#include "sys/family.h"

static int
one_fd(const json_t *ev, int *fds, int max)
{
	int64_t ret = json_int64_or(ev, "ret", -1);

	if (max < 1 || ret < 0 || ret > INT32_MAX)
		return 0;
	fds[0] = (int)ret;
	return 1;
}

static int
memfd_newfds(const struct call *c, const json_t *ev, int *fds, int max, bool *cloexec)
{
	*cloexec = json_int64_or(c->args, "flags", 0) & 1;
	return one_fd(ev, fds, max);
}

static int
pidfd_newfds(const struct call *c, const json_t *ev, int *fds, int max, bool *cloexec)
{
	*cloexec = true;
	return one_fd(ev, fds, max);
}

const struct sc_family fam_memfd = { .newfds = memfd_newfds };
const struct sc_family fam_pidfd = { .newfds = pidfd_newfds };

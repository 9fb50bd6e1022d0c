/* signalfd.c: signalfd and signalfd4 make a new descriptor only when
 * their fd argument is -1; otherwise they change the mask of an existing
 * one and return it. */
#include "config.h"
#include <sys/signalfd.h>
#include "sys/capture.h"
#include "sys/family.h"

static int
signalfd_newfds(const struct call *c, const json_t *ev, int *fds, int max, bool *cloexec)
{
	int64_t ret = json_int64_or(ev, "ret", -1);

	if (max < 1 || json_int64_or(c->args, "fd", 0) != -1 || ret < 0 || ret > INT32_MAX)
		return 0;
	fds[0] = (int)ret;
	*cloexec = json_int64_or(c->args, "flags", 0) & SFD_CLOEXEC;
	return 1;
}

const struct sc_family fam_signalfd = { .newfds = signalfd_newfds };

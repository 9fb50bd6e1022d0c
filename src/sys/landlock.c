/* landlock.c: landlock_create_ruleset, which returns a new descriptor
 * (close-on-exec) unless it is asked for the ABI version
 * (LANDLOCK_CREATE_RULESET_VERSION), and landlock_add_rule, whose rule
 * ("rule_attr", bytes) is a struct of its type.  Replay answers them from
 * the trace, and landlock_restrict_self too: what the rules denied when
 * recording, the recorded results deny. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <linux/landlock.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

static int
landlock_entry(pid_t tid, struct call *c)
{
	size_t n;
	void *b;
	json_t *j;
	int err;

	if (c->nr != SYS_landlock_add_rule || c->a[2] == 0)
		return 0;
	switch (c->a[1]) {
	case LANDLOCK_RULE_PATH_BENEATH:
		n = sizeof(struct landlock_path_beneath_attr);
		break;
#ifdef LANDLOCK_RULE_NET_PORT
	case LANDLOCK_RULE_NET_PORT:
		n = sizeof(struct landlock_net_port_attr);
		break;
#endif
	default:
		return 0;	/* the kernel refuses it */
	}
	if ((b = mem_dup(tid, c->a[2], n, &err)) == NULL)
		return err;
	j = json_bytes(b, n);
	free(b);
	if (j == NULL)
		return -ENOMEM;
	return json_object_set_new(c->args, "rule_attr", j) < 0 ? -ENOMEM : 0;
}

static int
landlock_newfds(const struct call *c, const json_t *ev, int *fds, int max, bool *cloexec)
{
	int64_t ret = json_int64_or(ev, "ret", -1);

	if (c->nr != SYS_landlock_create_ruleset || (c->a[2] & LANDLOCK_CREATE_RULESET_VERSION) ||
	    max < 1 || ret < 0 || ret > INT32_MAX)
		return 0;
	fds[0] = (int)ret;
	*cloexec = true;
	return 1;
}

const struct sc_family fam_landlock = { .entry = landlock_entry, .newfds = landlock_newfds };

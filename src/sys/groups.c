/* groups.c: getgroups, whose buffer holds "size" gid_t entries and is
 * filled with as many as the result says (0 size: just the count), and
 * setgroups, which reads "size" of them (its "list" in). */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/syscall.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

static int
groups_entry(pid_t tid, struct call *c)
{
	size_t n = (size_t)(uint32_t)c->a[0] * sizeof(gid_t);
	void *buf;
	json_t *j;
	int e;

	if (c->nr != SYS_setgroups || c->a[1] == 0 || c->a[0] > 65536)
		return 0;	/* the kernel refuses more than NGROUPS_MAX */
	if ((buf = mem_dup(tid, c->a[1], n, &e)) == NULL)
		return e;
	j = json_bytes(buf, n);
	free(buf);
	if (j == NULL)
		return -ENOMEM;
	return json_object_set_new(c->args, "list", j) < 0 ? -ENOMEM : 0;
}

static int
groups_exit(pid_t tid, struct call *c)
{
	size_t n;
	void *buf;
	int e;

	if (c->nr != SYS_getgroups || c->ret <= 0 || c->a[0] == 0)
		return 0;
	n = (size_t)c->ret * sizeof(gid_t);
	if (c->ret > 65536 || (buf = malloc(n)) == NULL)
		return -ENOMEM;
	if ((e = mem_read(tid, c->a[1], buf, n)) == 0) {
		if (c->out == NULL)
			c->out = json_object();
		e = json_object_set_new(c->out, "list", json_bytes(buf, n)) < 0 ? -ENOMEM : 0;
	}
	free(buf);
	return e;
}

static int
groups_inject(pid_t tid, struct call *c, const json_t *out)
{
	const json_t *j = out ? json_object_get(out, "list") : NULL;
	void *buf;
	size_t n;
	int e;

	if (j == NULL || c->nr != SYS_getgroups)
		return 0;
	if ((e = json_get_bytes(j, &buf, &n)) < 0)
		return e;
	e = n > c->a[0] * sizeof(gid_t) ? -EINVAL : mem_write(tid, c->a[1], buf, n);
	free(buf);
	return e;
}

const struct sc_family fam_groups = { .entry = groups_entry, .exit = groups_exit, .inject = groups_inject };

/* schedattr.c: sched_getattr and sched_setattr, whose struct sched_attr
 * says its own size in its first field (it grew over kernel versions).
 * "attr" is bytes: in for sched_setattr (its size as the struct says, 0
 * meaning the first version's 48 bytes), out for sched_getattr (as much as
 * the kernel wrote: the size it put in the struct, at most the size
 * argument).  Replay answers from the trace and changes no scheduling. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

#define ATTR_MIN 48	/* SCHED_ATTR_SIZE_VER0 */
#define ATTR_MAX 4096	/* the kernel refuses more than a page */

static json_t *
grab(pid_t tid, uint64_t addr, uint32_t n, int *err)
{
	void *b = mem_dup(tid, addr, n, err);
	json_t *j = b ? json_bytes(b, n) : NULL;

	free(b);
	return j;
}

static int
schedattr_entry(pid_t tid, struct call *c)
{
	uint32_t size;
	json_t *j;
	int err;

	if (c->nr != SYS_sched_setattr || c->a[1] == 0)
		return 0;
	if ((err = mem_read(tid, c->a[1], &size, sizeof size)) < 0)
		return err;
	if (size == 0)
		size = ATTR_MIN;
	if (size < ATTR_MIN || size > ATTR_MAX)
		return 0;	/* the kernel refuses it (E2BIG, EINVAL) */
	if ((j = grab(tid, c->a[1], size, &err)) == NULL)
		return err ? err : -ENOMEM;
	return json_object_set_new(c->args, "attr", j) < 0 ? -ENOMEM : 0;
}

static int
schedattr_exit(pid_t tid, struct call *c)
{
	uint32_t size;
	json_t *j;
	int err;

	if (c->nr != SYS_sched_getattr || c->ret < 0 || c->a[1] == 0)
		return 0;
	if ((err = mem_read(tid, c->a[1], &size, sizeof size)) < 0)
		return err;
	if (size > c->a[2] || size > ATTR_MAX)
		return -EINVAL;
	if ((j = grab(tid, c->a[1], size, &err)) == NULL)
		return err ? err : -ENOMEM;
	return obj_set_new(&c->out, "attr", j);
}

static int
schedattr_inject(pid_t tid, struct call *c, const json_t *out)
{
	const json_t *j = out ? json_object_get(out, "attr") : NULL;
	void *b;
	size_t n;
	int e;

	if (j == NULL || c->nr != SYS_sched_getattr)
		return 0;
	if ((e = json_get_bytes(j, &b, &n)) < 0)
		return e;
	e = n > c->a[2] ? -EINVAL : mem_write(tid, c->a[1], b, n);
	free(b);
	return e;
}

const struct sc_family fam_schedattr = {
	.entry = schedattr_entry, .exit = schedattr_exit, .inject = schedattr_inject,
};

/* mempolicy.c: the NUMA memory policy calls, whose node masks are bit
 * arrays sized by a "maxnode" argument (in bits), and move_pages, whose
 * arrays are "count" long.  Masks are bytes: in args for set_mempolicy,
 * mbind and migrate_pages, in out for get_mempolicy; move_pages's pages and
 * nodes in, its status out.  Replay answers from the trace. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

/* Larger masks or arrays are refused (-E2BIG): 1 MiB. */
#define MASK_MAX (1u << 20)

/* The bytes of a mask of maxnode bits as the kernel reads and writes it:
 * maxnode - 1 bits, in whole 64-bit words. */
static uint64_t
mask_bytes(uint64_t maxnode)
{
	return maxnode == 0 ? 0 : (maxnode - 1 + 63) / 64 * 8;
}

static json_t *
grab(pid_t tid, uint64_t addr, uint64_t n, int *err)
{
	void *b;
	json_t *j;

	if (addr == 0)
		return json_null();
	if (n > MASK_MAX) {
		*err = -E2BIG;
		return NULL;
	}
	if ((b = mem_dup(tid, addr, n, err)) == NULL && n)
		return NULL;
	j = json_bytes(b, n);
	free(b);
	return j;
}

static int
put(struct call *c, json_t **obj, const char *key, pid_t tid, uint64_t addr, uint64_t n)
{
	int err = 0;
	json_t *j = grab(tid, addr, n, &err);

	if (j == NULL)
		return err ? err : -ENOMEM;
	if (obj == &c->args)
		return json_object_set_new(c->args, key, j) < 0 ? -ENOMEM : 0;
	return obj_set_new(obj, key, j);
}

static int
mempolicy_entry(pid_t tid, struct call *c)
{
	int e;

	switch (c->nr) {
	case SYS_set_mempolicy:
		return put(c, &c->args, "nodemask", tid, c->a[1], mask_bytes(c->a[2]));
	case SYS_mbind:
		return put(c, &c->args, "nodemask", tid, c->a[3], mask_bytes(c->a[4]));
	case SYS_migrate_pages:
		if ((e = put(c, &c->args, "old_nodes", tid, c->a[2], mask_bytes(c->a[1]))) < 0)
			return e;
		return put(c, &c->args, "new_nodes", tid, c->a[3], mask_bytes(c->a[1]));
	case SYS_move_pages:
		if ((e = put(c, &c->args, "pages", tid, c->a[2], c->a[1] * 8)) < 0)
			return e;
		return put(c, &c->args, "nodes", tid, c->a[3], c->a[1] * 4);
	}
	return 0;
}

static int
mempolicy_exit(pid_t tid, struct call *c)
{
	if (c->ret < 0)
		return 0;
	if (c->nr == SYS_get_mempolicy && c->a[1])
		return put(c, &c->out, "nodemask", tid, c->a[1], mask_bytes(c->a[2]));
	if (c->nr == SYS_move_pages && c->a[4])
		return put(c, &c->out, "status", tid, c->a[4], c->a[1] * 4);
	return 0;
}

static int
mempolicy_inject(pid_t tid, struct call *c, const json_t *out)
{
	const char *key = c->nr == SYS_get_mempolicy ? "nodemask" : "status";
	uint64_t addr = c->nr == SYS_get_mempolicy ? c->a[1] : c->a[4];
	uint64_t cap = c->nr == SYS_get_mempolicy ? mask_bytes(c->a[2]) : c->a[1] * 4;
	const json_t *j = out ? json_object_get(out, key) : NULL;
	void *b;
	size_t n;
	int e;

	if (j == NULL || (c->nr != SYS_get_mempolicy && c->nr != SYS_move_pages))
		return 0;
	if ((e = json_get_bytes(j, &b, &n)) < 0)
		return e;
	e = n > cap ? -EINVAL : mem_write(tid, addr, b, n);
	free(b);
	return e;
}

const struct sc_family fam_mempolicy = {
	.entry = mempolicy_entry, .exit = mempolicy_exit, .inject = mempolicy_inject,
};

/* handle.c: name_to_handle_at and open_by_handle_at, whose struct
 * file_handle is as long as its first field says (handle_bytes, then the
 * type, then the handle).  "handle" is bytes: the whole struct, in for
 * open_by_handle_at, out for name_to_handle_at (which also writes
 * handle_bytes alone when the buffer was too small: EOVERFLOW). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

#define HEAD 8		/* handle_bytes and handle_type */
#define HANDLE_MAX 128	/* MAX_HANDLE_SZ */

static json_t *
grab(pid_t tid, uint64_t addr, bool head_only, int *err)
{
	uint32_t hb;
	void *b;
	json_t *j;

	if ((*err = mem_read(tid, addr, &hb, sizeof hb)) < 0)
		return NULL;
	if (hb > HANDLE_MAX || head_only)
		hb = 0;		/* the kernel refuses it, or wrote only the head */
	if ((b = mem_dup(tid, addr, HEAD + hb, err)) == NULL)
		return NULL;
	j = json_bytes(b, HEAD + hb);
	free(b);
	return j;
}

static int
handle_entry(pid_t tid, struct call *c)
{
	json_t *j;
	int err;

	if (c->nr != SYS_open_by_handle_at || c->a[1] == 0)
		return 0;
	if ((j = grab(tid, c->a[1], false, &err)) == NULL)
		return err ? err : -ENOMEM;
	return json_object_set_new(c->args, "handle", j) < 0 ? -ENOMEM : 0;
}

static int
handle_exit(pid_t tid, struct call *c)
{
	json_t *j;
	int err;

	if (c->nr != SYS_name_to_handle_at || c->a[2] == 0 || (c->ret < 0 && c->ret != -EOVERFLOW))
		return 0;
	/* EOVERFLOW: the kernel wrote the size it needs, in the head only,
	 * into a buffer that may hold less */
	if ((j = grab(tid, c->a[2], c->ret == -EOVERFLOW, &err)) == NULL)
		return err ? err : -ENOMEM;
	return obj_set_new(&c->out, "handle", j);
}

static int
handle_inject(pid_t tid, struct call *c, const json_t *out)
{
	const json_t *j = out ? json_object_get(out, "handle") : NULL;
	uint32_t cap;
	void *b;
	size_t n;
	int e;

	if (j == NULL || c->nr != SYS_name_to_handle_at)
		return 0;
	if ((e = mem_read(tid, c->a[2], &cap, sizeof cap)) < 0)
		return e;
	if ((e = json_get_bytes(j, &b, &n)) < 0)
		return e;
	e = n < HEAD || n > HEAD + (size_t)cap ? -EINVAL : mem_write(tid, c->a[2], b, n);
	free(b);
	return e;
}

const struct sc_family fam_handle = { .entry = handle_entry, .exit = handle_exit, .inject = handle_inject };

/* caps.c: capget and capset.  The header says the version, and the version
 * how many struct __user_cap_data_struct the data pointer holds: one for
 * version 1, two for versions 2 and 3 (64 capabilities).  Data is "data":
 * [{"effective":..,"permitted":..,"inheritable":..},...], in args for
 * capset, in out for capget.  capget with a version the kernel does not
 * know fails with EINVAL and writes the version it prefers into the header
 * (how libcap asks): that header is recorded and given back too.  Replay
 * answers both from the trace and changes no capability. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "sys/mem.h"

/* The number of data structs for the header at addr (0: unknown). */
static int
ncaps(pid_t tid, uint64_t addr)
{
	struct __user_cap_header_struct h;

	if (addr == 0 || mem_read(tid, addr, &h, sizeof h) < 0)
		return 0;
	switch (h.version) {
	case _LINUX_CAPABILITY_VERSION_1: return _LINUX_CAPABILITY_U32S_1;
	case _LINUX_CAPABILITY_VERSION_2: return _LINUX_CAPABILITY_U32S_2;
	case _LINUX_CAPABILITY_VERSION_3: return _LINUX_CAPABILITY_U32S_3;
	default: return 0;
	}
}

static json_t *
read_data(pid_t tid, uint64_t addr, int n, int *err)
{
	struct __user_cap_data_struct d[2];
	json_t *a;

	if ((*err = mem_read(tid, addr, d, n * sizeof d[0])) < 0)
		return NULL;
	if ((a = json_array()) == NULL)
		return NULL;
	for (int i = 0; i < n; i++)
		if (json_array_append_new(a, st_encode(&st_cap_data, &d[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static int
caps_entry(pid_t tid, struct call *c)
{
	int n, err = 0;
	json_t *j;

	if (c->nr != SYS_capset || c->a[1] == 0 || (n = ncaps(tid, c->a[0])) == 0)
		return 0;
	if ((j = read_data(tid, c->a[1], n, &err)) == NULL)
		return err ? err : -ENOMEM;
	return json_object_set_new(c->args, "data", j) < 0 ? -ENOMEM : 0;
}

static int
caps_exit(pid_t tid, struct call *c)
{
	int n, e = 0;
	json_t *j;

	if (c->nr != SYS_capget)
		return 0;
	if (c->ret == -EINVAL && c->a[0]) {
		/* the version the kernel prefers, written into the header */
		unsigned char h[sizeof(struct __user_cap_header_struct)];
		if ((e = mem_read(tid, c->a[0], h, sizeof h)) < 0)
			return e;
		return obj_set_new(&c->out, "hdr", st_encode(&st_cap_header, h));
	}
	if (c->ret < 0 || c->a[1] == 0 || (n = ncaps(tid, c->a[0])) == 0)
		return 0;
	if ((j = read_data(tid, c->a[1], n, &e)) == NULL)
		return e ? e : -ENOMEM;
	return obj_set_new(&c->out, "data", j);
}

static int
caps_inject(pid_t tid, struct call *c, const json_t *out)
{
	const json_t *a = out ? json_object_get(out, "data") : NULL;
	struct __user_cap_data_struct d[2];
	size_t n;
	int e = 0;

	if (a == NULL || c->nr != SYS_capget)
		return 0;
	n = json_array_size(a);
	if (!json_is_array(a) || n == 0 || n > 2 || (int)n != ncaps(tid, c->a[0]))
		return -EINVAL;
	for (size_t i = 0; i < n && e == 0; i++)
		e = st_decode(&st_cap_data, json_array_get(a, i), &d[i]);
	return e ? e : mem_write(tid, c->a[1], d, n * sizeof d[0]);
}

const struct sc_family fam_caps = { .entry = caps_entry, .exit = caps_exit, .inject = caps_inject };

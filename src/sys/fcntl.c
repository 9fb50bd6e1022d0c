/* fcntl.c: fcntl, whose third argument depends on the command. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "sys/mem.h"

enum arg_use { ARG_NONE, ARG_INT, ARG_FLOCK_IN, ARG_FLOCK_INOUT };

static enum arg_use
arg_use(long cmd)
{
	switch (cmd) {
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG: case F_GETLEASE:
	case F_GETPIPE_SZ: case F_GET_SEALS:
		return ARG_NONE;
	case F_SETLK: case F_SETLKW: case F_OFD_SETLK: case F_OFD_SETLKW:
		return ARG_FLOCK_IN;
	case F_GETLK: case F_OFD_GETLK:
		return ARG_FLOCK_INOUT;
	default:
		return ARG_INT;
	}
}

static int
fcntl_entry(pid_t tid, struct call *c)
{
	json_t *j = NULL;
	unsigned char buf[64];
	int e;

	switch (arg_use((int)c->a[1])) {
	case ARG_NONE:
		return 0;
	case ARG_INT:
		j = json_int64((int32_t)c->a[2]);
		break;
	case ARG_FLOCK_IN: case ARG_FLOCK_INOUT:
		if ((e = mem_read(tid, c->a[2], buf, st_flock.size)) < 0)
			return e;
		j = st_encode(&st_flock, buf);
		break;
	}
	return j && json_object_set_new(c->args, "arg", j) == 0 ? 0 : -ENOMEM;
}

static int
fcntl_exit(pid_t tid, struct call *c)
{
	unsigned char buf[64];
	int e;

	if (c->ret < 0 || arg_use((int)c->a[1]) != ARG_FLOCK_INOUT)
		return 0;
	if ((e = mem_read(tid, c->a[2], buf, st_flock.size)) < 0)
		return e;
	if (c->out == NULL && (c->out = json_object()) == NULL)
		return -ENOMEM;
	return json_object_set_new(c->out, "arg", st_encode(&st_flock, buf)) < 0 ? -ENOMEM : 0;
}

static int
fcntl_inject(pid_t tid, struct call *c, const json_t *out)
{
	unsigned char buf[64];
	const json_t *j = out ? json_object_get(out, "arg") : NULL;
	int e;

	if (j == NULL || arg_use((int)c->a[1]) != ARG_FLOCK_INOUT)
		return 0;
	if ((e = st_decode(&st_flock, j, buf)) < 0)
		return e;
	return mem_write(tid, c->a[2], buf, st_flock.size);
}

static enum replay_mode
fcntl_mode(const struct call *c)
{
	switch ((int)c->a[1]) {
	case F_DUPFD: case F_DUPFD_CLOEXEC: case F_SETFD:
		return RM_RUN_REAL;
	default:
		return RM_EMULATE;
	}
}

const struct sc_family fam_fcntl = {
	.entry = fcntl_entry, .exit = fcntl_exit, .inject = fcntl_inject, .mode = fcntl_mode,
};

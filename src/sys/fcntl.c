/* fcntl.c: fcntl, whose third argument depends on the command: a struct
 * flock for the locks (F_GETLK's filled in out "arg"), a struct
 * f_owner_ex (F_GETOWN_EX), a 64-bit hint (F_GET_RW_HINT), else an int. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "sys/mem.h"
#include "trace/number.h"

/* What the third argument is: nothing, an int value, or a struct read
 * (in), filled by the kernel (out) or both. */
enum arg_use { ARG_NONE, ARG_INT, ARG_IN, ARG_OUT, ARG_INOUT };

static enum arg_use
arg_use(long cmd, const struct st_desc **st)
{
	*st = &st_flock;
	switch (cmd) {
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG: case F_GETLEASE:
	case F_GETPIPE_SZ: case F_GET_SEALS:
		return ARG_NONE;
	case F_SETLK: case F_SETLKW: case F_OFD_SETLK: case F_OFD_SETLKW:
		return ARG_IN;
	case F_GETLK: case F_OFD_GETLK:
		return ARG_INOUT;
	case F_SETOWN_EX:
		*st = &st_f_owner_ex;
		return ARG_IN;
	case F_GETOWN_EX:
		*st = &st_f_owner_ex;
		return ARG_OUT;
	case F_SET_RW_HINT: case F_SET_FILE_RW_HINT:
		*st = &st_u64;
		return ARG_IN;
	case F_GET_RW_HINT: case F_GET_FILE_RW_HINT:
		*st = &st_u64;
		return ARG_OUT;
	default:
		return ARG_INT;
	}
}

static int
fcntl_entry(pid_t tid, struct call *c)
{
	const struct st_desc *st;
	json_t *j = NULL;
	unsigned char buf[64];
	int e;

	switch (arg_use((int)c->a[1], &st)) {
	case ARG_NONE: case ARG_OUT:
		return 0;
	case ARG_INT:
		j = json_int64((int32_t)c->a[2]);
		break;
	case ARG_IN: case ARG_INOUT:
		if ((e = mem_read(tid, c->a[2], buf, st->size)) < 0)
			return e;
		j = st_encode(st, buf);
		break;
	}
	return j && json_object_set_new(c->args, "arg", j) == 0 ? 0 : -ENOMEM;
}

static bool
fills(long cmd, const struct st_desc **st)
{
	enum arg_use u = arg_use(cmd, st);

	return u == ARG_OUT || u == ARG_INOUT;
}

static int
fcntl_exit(pid_t tid, struct call *c)
{
	const struct st_desc *st;
	unsigned char buf[64];
	int e;

	if (c->ret < 0 || !fills((int)c->a[1], &st))
		return 0;
	if ((e = mem_read(tid, c->a[2], buf, st->size)) < 0)
		return e;
	return obj_set_new(&c->out, "arg", st_encode(st, buf));
}

static int
fcntl_inject(pid_t tid, struct call *c, const json_t *out)
{
	const struct st_desc *st;
	unsigned char buf[64];
	const json_t *j = out ? json_object_get(out, "arg") : NULL;
	int e;

	if (j == NULL || !fills((int)c->a[1], &st))
		return 0;
	if ((e = st_decode(st, j, buf)) < 0)
		return e;
	return mem_write(tid, c->a[2], buf, st->size);
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

/* The structure "arg" holds, by the command. */
static const struct st_desc *
fcntl_arg_struct(const json_t *args, const char *arg)
{
	const struct st_desc *st;
	enum arg_use u = arg_use((long)json_int64_or(args, "cmd", -1), &st);

	return strcmp(arg, "arg") == 0 && u != ARG_NONE && u != ARG_INT ? st : NULL;
}

/* The constants an int "arg" is named by, by the command, as strace
 * shows them. */
static enum xlat_id
fcntl_arg_xlat(const json_t *args, const char *arg)
{
	if (strcmp(arg, "arg") != 0)
		return X_NONE;
	switch (json_int64_or(args, "cmd", -1)) {
	case F_SETFD: return X_FD_FLAGS;
	case F_SETFL: return X_OPEN;
	case F_ADD_SEALS: return X_SEALS;
	case F_NOTIFY: return X_DNOTIFY;
	case F_SETLEASE: return X_LOCK_TYPE;
	case F_SETSIG: return X_SIGNAL;
	default: return X_NONE;
	}
}

const struct sc_family fam_fcntl = {
	.entry = fcntl_entry, .exit = fcntl_exit, .inject = fcntl_inject, .mode = fcntl_mode,
	.arg_struct = fcntl_arg_struct, .arg_xlat = fcntl_arg_xlat,
};

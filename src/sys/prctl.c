/* prctl.c: prctl and seccomp, the process's own settings.
 *
 * prctl's arguments 2 to 5 mean what its option says: integers, a string in
 * (PR_SET_NAME's name, PR_SET_VMA's), memory out (PR_GET_NAME's 16 bytes,
 * PR_GET_PDEATHSIG's int, PR_GET_TID_ADDRESS's pointer), a seccomp filter.
 * Only the arguments the option reads are recorded (the C library's
 * variadic prctl leaves the others as whatever the registers held), as
 * "arg2".."arg5" in args (inputs) or out (outputs).
 *
 * Replay answers from the trace, except for the options the program's
 * later behaviour depends on and that are harmless to apply to it: its name,
 * its parent-death signal, no_new_privs, its own seccomp filter (which
 * decides which calls reach dios at all), being a subreaper and
 * memory-deny-write-execute: those also run for real (RM_RUN_REAL).  Never
 * PR_SET_TSC (dios traps rdtsc) nor PR_SET_DUMPABLE (dios reads the
 * program's memory).  An option dios does not know, or
 * PR_SET_SYSCALL_USER_DISPATCH turned on (the kernel reads its selector byte
 * at every call), is refused by replay when it succeeded.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

/* What one of arguments 2..5 is. */
enum pk {
	P_NONE,		/* not read by the kernel: not recorded */
	P_INT,		/* an integer, compared */
	P_COMM,		/* the 16-byte name in (at most 15 bytes and a NUL) */
	P_STR,		/* a string in, or NULL */
	P_FPROG,	/* a struct sock_fprog in: the filter's instructions */
	P_INBUF,	/* bytes in, as many as the next argument says */
	P_OUT16,	/* 16 bytes out (PR_GET_NAME) */
	P_OUTINT,	/* an int out */
	P_OUTU32,	/* an unsigned int out */
	P_OUT64,	/* 8 bytes out (a pointer, a cookie) */
	P_OUTBUF,	/* bytes out, the next argument's size, filled up to the result */
};

struct layout {
	unsigned char k[4];	/* arguments 2..5 */
	bool real;		/* replay runs it for real too */
	bool known;		/* dios decodes this option */
	const char *refuse;	/* why replay cannot answer it when it succeeded */
};

#define I4 { P_INT, P_INT, P_INT, P_INT }

#define PRCTL_MAX_BYTES 65536	/* buffers in recorded at most */

struct popt { long opt; unsigned char k[4]; bool real; };

static const struct popt popts[] = {
	{ PR_SET_PDEATHSIG, { P_INT }, true },
	{ PR_GET_PDEATHSIG, { P_OUTINT }, false },
	{ PR_GET_DUMPABLE, { 0 }, false },
	{ PR_SET_DUMPABLE, { P_INT }, false },
	{ PR_GET_UNALIGN, { P_OUTINT }, false },
	{ PR_SET_UNALIGN, { P_INT }, false },
	{ PR_GET_KEEPCAPS, { 0 }, false },
	{ PR_SET_KEEPCAPS, { P_INT }, false },
	{ PR_GET_FPEMU, { P_OUTINT }, false },
	{ PR_SET_FPEMU, { P_INT }, false },
	{ PR_GET_FPEXC, { P_OUTINT }, false },
	{ PR_SET_FPEXC, { P_INT }, false },
	{ PR_GET_TIMING, { 0 }, false },
	{ PR_SET_TIMING, { P_INT }, false },
	{ PR_SET_NAME, { P_COMM }, true },
	{ PR_GET_NAME, { P_OUT16 }, false },
	{ PR_GET_ENDIAN, { P_OUTINT }, false },
	{ PR_SET_ENDIAN, { P_INT }, false },
	{ PR_GET_SECCOMP, { 0 }, false },
	{ PR_CAPBSET_READ, { P_INT }, false },
	{ PR_CAPBSET_DROP, { P_INT }, false },
	{ PR_GET_TSC, { P_OUTINT }, false },
	{ PR_SET_TSC, { P_INT }, false },
	{ PR_GET_SECUREBITS, { 0 }, false },
	{ PR_SET_SECUREBITS, { P_INT }, false },
	{ PR_SET_TIMERSLACK, { P_INT }, false },
	{ PR_GET_TIMERSLACK, { 0 }, false },
	{ PR_TASK_PERF_EVENTS_DISABLE, { 0 }, false },
	{ PR_TASK_PERF_EVENTS_ENABLE, { 0 }, false },
	{ PR_MCE_KILL, { P_INT, P_INT, P_INT, P_INT }, false },
	{ PR_MCE_KILL_GET, I4, false },
	{ PR_SET_PTRACER, { P_INT }, false },
	{ PR_SET_CHILD_SUBREAPER, { P_INT }, true },
	{ PR_GET_CHILD_SUBREAPER, { P_OUTINT }, false },
	{ PR_SET_NO_NEW_PRIVS, I4, true },
	{ PR_GET_NO_NEW_PRIVS, I4, false },
	{ PR_GET_TID_ADDRESS, { P_OUT64 }, false },
	{ PR_SET_THP_DISABLE, I4, false },
	{ PR_GET_THP_DISABLE, I4, false },
	{ PR_MPX_ENABLE_MANAGEMENT, I4, false },
	{ PR_MPX_DISABLE_MANAGEMENT, I4, false },
	{ PR_SET_FP_MODE, { P_INT }, false },
	{ PR_GET_FP_MODE, { 0 }, false },
	{ PR_CAP_AMBIENT, I4, false },
	{ PR_SVE_SET_VL, { P_INT }, false },
	{ PR_SVE_GET_VL, { 0 }, false },
	{ PR_GET_SPECULATION_CTRL, I4, false },
	{ PR_SET_SPECULATION_CTRL, I4, false },
	{ PR_PAC_RESET_KEYS, I4, false },
	{ PR_SET_TAGGED_ADDR_CTRL, I4, false },
	{ PR_GET_TAGGED_ADDR_CTRL, I4, false },
	{ PR_SET_IO_FLUSHER, I4, false },
	{ PR_GET_IO_FLUSHER, I4, false },
	{ PR_PAC_SET_ENABLED_KEYS, I4, false },
	{ PR_PAC_GET_ENABLED_KEYS, I4, false },
	{ PR_SME_SET_VL, { P_INT }, false },
	{ PR_SME_GET_VL, { 0 }, false },
	{ PR_SET_VMA, { P_INT, P_INT, P_INT, P_STR }, false },
#ifdef PR_SET_MDWE
	{ PR_SET_MDWE, I4, true },
	{ PR_GET_MDWE, I4, false },
#endif
#ifdef PR_GET_AUXV
	{ PR_GET_AUXV, { P_OUTBUF, P_INT, P_INT, P_INT }, false },
#endif
#ifdef PR_SET_MEMORY_MERGE
	{ PR_SET_MEMORY_MERGE, I4, false },
	{ PR_GET_MEMORY_MERGE, I4, false },
#endif
};

/* The layout of c's arguments 2..5 (c->a[1..4]). */
static struct layout
prctl_layout(const struct call *c)
{
	long opt = (int)c->a[0];
	struct layout l = { { 0 }, false, true, NULL };

	switch (opt) {
	case PR_SET_SECCOMP:
		/* mode 2 (filter): arg3 is the filter */
		l.k[0] = P_INT;
		if (c->a[1] == SECCOMP_MODE_FILTER)
			l.k[1] = P_FPROG;
		l.real = true;
		return l;
	case PR_SET_MM:
		l.k[0] = P_INT;
		switch (c->a[1]) {
		case PR_SET_MM_MAP: case PR_SET_MM_AUXV:
			l.k[1] = P_INBUF, l.k[2] = P_INT;
			break;
		case PR_SET_MM_MAP_SIZE:
			l.k[1] = P_OUTU32;
			break;
		default:
			l.k[1] = l.k[2] = l.k[3] = P_INT;
			break;
		}
		return l;
	case PR_SCHED_CORE:
		l.k[0] = l.k[1] = l.k[2] = P_INT;
		l.k[3] = c->a[1] == PR_SCHED_CORE_GET ? P_OUT64 : P_INT;
		return l;
	case PR_SET_SYSCALL_USER_DISPATCH:
		l.k[0] = l.k[1] = l.k[2] = l.k[3] = P_INT;
		if (c->a[1] == PR_SYS_DISPATCH_ON)
			l.refuse = "the kernel reads its selector byte at every later call, "
			    "which dios does not record";
		return l;
	}
	for (size_t i = 0; i < sizeof popts / sizeof popts[0]; i++)
		if (popts[i].opt == opt) {
			memcpy(l.k, popts[i].k, sizeof l.k);
			l.real = popts[i].real;
			return l;
		}
	l.known = false;
	l.refuse = "dios does not decode this prctl option";
	l.k[0] = l.k[1] = l.k[2] = l.k[3] = P_INT;
	return l;
}

static const char *const argname[4] = { "arg2", "arg3", "arg4", "arg5" };

/* The instructions of the struct sock_fprog at addr, as bytes. */
static json_t *
read_fprog(pid_t tid, uint64_t addr, int *err)
{
	struct sock_fprog fp;
	void *buf;
	json_t *j;

	if (addr == 0)
		return json_null();
	if ((*err = mem_read(tid, addr, &fp, sizeof fp)) < 0)
		return NULL;
	if (fp.len > BPF_MAXINSNS) {
		*err = -EINVAL;
		return NULL;
	}
	if ((buf = mem_dup(tid, (uint64_t)(uintptr_t)fp.filter, fp.len * sizeof(struct sock_filter), err)) == NULL)
		return NULL;
	j = json_bytes(buf, fp.len * sizeof(struct sock_filter));
	free(buf);
	return j;
}

/* The name PR_SET_NAME gives: the kernel reads at most 15 bytes. */
static json_t *
read_comm(pid_t tid, uint64_t addr, int *err)
{
	char *s, buf[16];
	size_t n;
	json_t *j;

	if ((*err = mem_read_str(tid, addr, 16, &s, &n)) == 0) {
		j = json_bytes(s, n < 15 ? n : 15);
		free(s);
		return j;
	}
	if (*err != -ENAMETOOLONG || (*err = mem_read(tid, addr, buf, 15)) < 0)
		return NULL;
	return json_bytes(buf, 15);
}

static json_t *
read_str(pid_t tid, uint64_t addr, int *err)
{
	char *s;
	size_t n;
	json_t *j;

	if (addr == 0)
		return json_null();
	if ((*err = mem_read_str(tid, addr, 4096, &s, &n)) < 0)
		return NULL;
	j = json_bytes(s, n);
	free(s);
	return j;
}

static int
prctl_entry(pid_t tid, struct call *c)
{
	struct layout l = prctl_layout(c);
	int err = 0;

	for (int i = 0; i < 4; i++) {
		uint64_t v = c->a[i + 1];
		json_t *j;

		switch (l.k[i]) {
		case P_INT:
			j = json_int64((int64_t)v);
			break;
		case P_COMM:
			j = read_comm(tid, v, &err);
			break;
		case P_STR:
			j = read_str(tid, v, &err);
			break;
		case P_FPROG:
			j = read_fprog(tid, v, &err);
			break;
		case P_INBUF:	/* (its length: the next argument) */
			err = -EINVAL;
			j = i == 3 ? NULL : capture_inbuf(tid, v, c->a[i + 2], PRCTL_MAX_BYTES, &err);
			break;
		default:
			continue;
		}
		if (j == NULL)
			return err ? err : -ENOMEM;
		if (json_object_set_new(c->args, argname[i], j) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The size of output kind k at argument i (0..3) of c with result ret. */
static size_t
out_size(const struct call *c, int i, unsigned k)
{
	switch (k) {
	case P_OUT16: return 16;
	case P_OUTINT: case P_OUTU32: return 4;
	case P_OUT64: return 8;
	case P_OUTBUF: {
		uint64_t cap = i < 3 ? c->a[i + 2] : 0;
		return (uint64_t)c->ret < cap ? (size_t)c->ret : (size_t)cap;
	}
	default: return 0;
	}
}

static int
prctl_exit(pid_t tid, struct call *c)
{
	struct layout l = prctl_layout(c);
	int err = 0;

	if (c->ret < 0)
		return 0;
	for (int i = 0; i < 4; i++) {
		size_t n = out_size(c, i, l.k[i]);
		uint64_t v = c->a[i + 1];
		void *b;
		int e;

		if (l.k[i] < P_OUT16 || v == 0 || n > 65536)
			continue;
		if ((b = mem_dup(tid, v, n, &err)) == NULL)
			return err;
		json_t *j = json_bytes(b, n);
		free(b);
		if ((e = obj_set_new(&c->out, argname[i], j)) < 0)
			return e;
	}
	return 0;
}

static int
prctl_inject(pid_t tid, struct call *c, const json_t *out)
{
	struct layout l = prctl_layout(c);

	for (int i = 0; out && i < 4; i++) {
		const json_t *j = json_object_get(out, argname[i]);
		size_t cap = l.k[i] == P_OUTBUF ? (i < 3 ? (size_t)c->a[i + 2] : 0) : out_size(c, i, l.k[i]);
		void *b;
		size_t n;
		int e;

		if (j == NULL || l.k[i] < P_OUT16)
			continue;
		if ((e = json_get_bytes(j, &b, &n)) < 0)
			return e;
		e = n > cap ? -EINVAL : mem_write(tid, c->a[i + 1], b, n);
		free(b);
		if (e < 0)
			return e;
	}
	return 0;
}

static enum replay_mode
prctl_mode(const struct call *c)
{
	return prctl_layout(c).real ? RM_RUN_REAL : RM_EMULATE;
}

static const char *
prctl_refuse(const struct call *c)
{
	return prctl_layout(c).refuse;
}

const struct sc_family fam_prctl = {
	.entry = prctl_entry, .exit = prctl_exit, .inject = prctl_inject,
	.mode = prctl_mode, .refuse = prctl_refuse,
};

/* seccomp(op, flags, args): args is a filter (SECCOMP_SET_MODE_FILTER), an
 * action in (SECCOMP_GET_ACTION_AVAIL), a struct seccomp_notif_sizes out
 * (SECCOMP_GET_NOTIF_SIZES), or nothing (SECCOMP_SET_MODE_STRICT).  Setting
 * a mode runs for real in replay too. */
static int
seccomp_entry(pid_t tid, struct call *c)
{
	json_t *j = NULL;
	uint32_t action;
	int err = 0;

	switch (c->a[0]) {
	case SECCOMP_SET_MODE_FILTER:
		j = read_fprog(tid, c->a[2], &err);
		break;
	case SECCOMP_GET_ACTION_AVAIL:
		if ((err = mem_read(tid, c->a[2], &action, sizeof action)) == 0)
			j = json_int64(action);
		break;
	default:
		return 0;
	}
	if (j == NULL)
		return err ? err : -ENOMEM;
	return json_object_set_new(c->args, "args", j) < 0 ? -ENOMEM : 0;
}

static int
seccomp_exit(pid_t tid, struct call *c)
{
	struct seccomp_notif_sizes sz;
	int e;

	if (c->ret < 0 || c->a[0] != SECCOMP_GET_NOTIF_SIZES)
		return 0;
	if ((e = mem_read(tid, c->a[2], &sz, sizeof sz)) < 0)
		return e;
	return obj_set_new(&c->out, "args", json_bytes(&sz, sizeof sz));
}

static int
seccomp_inject(pid_t tid, struct call *c, const json_t *out)
{
	const json_t *j = out ? json_object_get(out, "args") : NULL;
	void *b;
	size_t n;
	int e;

	if (j == NULL || c->a[0] != SECCOMP_GET_NOTIF_SIZES)
		return 0;
	if ((e = json_get_bytes(j, &b, &n)) < 0)
		return e;
	e = n != sizeof(struct seccomp_notif_sizes) ? -EINVAL : mem_write(tid, c->a[2], b, n);
	free(b);
	return e;
}

static enum replay_mode
seccomp_mode(const struct call *c)
{
	return c->a[0] == SECCOMP_SET_MODE_STRICT || c->a[0] == SECCOMP_SET_MODE_FILTER ?
	    RM_RUN_REAL : RM_EMULATE;
}

static const char *
seccomp_refuse(const struct call *c)
{
	if (c->a[0] == SECCOMP_SET_MODE_FILTER && (c->a[1] & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return "its listener descriptor lets another process answer the program's calls";
	if (c->a[0] > SECCOMP_GET_NOTIF_SIZES)
		return "dios does not decode this seccomp operation";
	return NULL;
}

const struct sc_family fam_seccomp = {
	.entry = seccomp_entry, .exit = seccomp_exit, .inject = seccomp_inject,
	.mode = seccomp_mode, .refuse = seccomp_refuse,
};

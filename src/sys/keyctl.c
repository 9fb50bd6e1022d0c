/* keyctl.c: keyctl, the kernel's key management, by command.
 *
 * Arguments 3 to 5 mean what the command says: integers (a key, a
 * keyring, a uid, a timeout), a string in (KEYCTL_SEARCH's type and
 * description), bytes in (KEYCTL_UPDATE's and KEYCTL_INSTANTIATE's
 * payload, as long as the next argument says), or bytes out (KEYCTL_READ,
 * KEYCTL_DESCRIBE, KEYCTL_GET_SECURITY: as many as the next argument
 * allows, of the length the result says).  They are recorded as "arg3" ..
 * "arg5" in args (inputs) or out (outputs).  Argument 2 is an integer,
 * except for KEYCTL_JOIN_SESSION_KEYRING (a name in: "name") and
 * KEYCTL_CAPABILITIES (bytes out, as many as argument 3 says: "arg2"),
 * where its register is not compared.
 *
 * Keys are kernel objects the trace stands in for: replay answers every
 * keyctl from the trace (add_key and request_key too) and makes no key.
 * The commands whose memory dios does not decode (KEYCTL_INSTANTIATE_IOV,
 * KEYCTL_DH_COMPUTE, the KEYCTL_PKEY_ ones, KEYCTL_WATCH_KEY, which ties a
 * key to a notification queue, and any command dios does not know) are
 * refused by replay when they succeeded.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/keyctl.h>
#include "trace/bytes.h"
#include "trace/number.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

/* What one of arguments 3..5 is. */
enum kk {
	K_INT,		/* an integer, compared */
	K_STR,		/* a string in, or NULL */
	K_INBUF,	/* bytes in, as many as the next argument says */
	K_OUTBUF,	/* bytes out, the next argument's size, filled up to the result */
	K_NONE,		/* not read by the kernel: not recorded */
};

struct klayout {
	unsigned char k[3];	/* arguments 3..5 */
	const char *refuse;	/* why replay cannot answer it when it succeeded */
};

#define KEYCTL_MAX_BYTES 65536	/* payloads and buffers recorded at most */

#define N3 { K_NONE, K_NONE, K_NONE }
#define I1 { K_INT, K_NONE, K_NONE }
#define I2 { K_INT, K_INT, K_NONE }
#define I3 { K_INT, K_INT, K_INT }

struct kcmd { int cmd; unsigned char k[3]; };

/* The commands dios decodes, and what they read of arguments 3..5 (the
 * others hold whatever the registers held: not recorded). */
static const struct kcmd kcmds[] = {
	{ KEYCTL_GET_KEYRING_ID, I1 },
	{ KEYCTL_JOIN_SESSION_KEYRING, N3 },	/* arg2: "name" */
	{ KEYCTL_UPDATE, { K_INBUF, K_INT, K_NONE } },
	{ KEYCTL_REVOKE, N3 },
	{ KEYCTL_CHOWN, I2 },
	{ KEYCTL_SETPERM, I1 },
	{ KEYCTL_DESCRIBE, { K_OUTBUF, K_INT, K_NONE } },
	{ KEYCTL_CLEAR, N3 },
	{ KEYCTL_LINK, I1 },
	{ KEYCTL_UNLINK, I1 },
	{ KEYCTL_SEARCH, { K_STR, K_STR, K_INT } },
	{ KEYCTL_READ, { K_OUTBUF, K_INT, K_NONE } },
	{ KEYCTL_INSTANTIATE, { K_INBUF, K_INT, K_INT } },
	{ KEYCTL_NEGATE, I2 },
	{ KEYCTL_SET_REQKEY_KEYRING, N3 },
	{ KEYCTL_SET_TIMEOUT, I1 },
	{ KEYCTL_ASSUME_AUTHORITY, N3 },
	{ KEYCTL_GET_SECURITY, { K_OUTBUF, K_INT, K_NONE } },
	{ KEYCTL_SESSION_TO_PARENT, N3 },
	{ KEYCTL_REJECT, I3 },
	{ KEYCTL_INVALIDATE, N3 },
	{ KEYCTL_GET_PERSISTENT, I1 },
#ifdef KEYCTL_RESTRICT_KEYRING
	{ KEYCTL_RESTRICT_KEYRING, { K_STR, K_STR, K_NONE } },
#endif
#ifdef KEYCTL_MOVE
	{ KEYCTL_MOVE, I3 },
#endif
#ifdef KEYCTL_CAPABILITIES
	{ KEYCTL_CAPABILITIES, I1 },		/* arg2: bytes out */
#endif
};

static struct klayout
keyctl_layout(const struct call *c)
{
	struct klayout l = { I3, NULL };

	for (size_t i = 0; i < sizeof kcmds / sizeof kcmds[0]; i++)
		if (kcmds[i].cmd == (int)c->a[0]) {
			memcpy(l.k, kcmds[i].k, sizeof l.k);
			return l;
		}
	l.refuse = "dios does not decode the memory of this keyctl command";
	return l;
}

static const char *const argname[3] = { "arg3", "arg4", "arg5" };

/* Is argument 2 bytes out (KEYCTL_CAPABILITIES)? */
static bool
arg2_out(const struct call *c)
{
#ifdef KEYCTL_CAPABILITIES
	return (int)c->a[0] == KEYCTL_CAPABILITIES;
#else
	(void)c;
	return false;
#endif
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
keyctl_entry(pid_t tid, struct call *c)
{
	struct klayout l = keyctl_layout(c);
	int err = 0;

	if ((int)c->a[0] == KEYCTL_JOIN_SESSION_KEYRING) {
		json_t *j = read_str(tid, c->a[1], &err);
		if (j == NULL)
			return err ? err : -ENOMEM;
		if (json_object_set_new(c->args, "name", j) < 0)
			return -ENOMEM;
	}
	for (int i = 0; i < 3; i++) {
		uint64_t v = c->a[i + 2];
		json_t *j;

		switch (l.k[i]) {
		case K_INT:
			j = json_int64((int64_t)v);
			break;
		case K_STR:
			j = read_str(tid, v, &err);
			break;
		case K_INBUF:	/* (its length: the next argument) */
			err = -EINVAL;
			j = i == 2 ? NULL : capture_inbuf(tid, v, c->a[i + 3], KEYCTL_MAX_BYTES, &err);
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

/* The bytes out at the register of index reg, with capacity cap: as many
 * as the result says, at most cap. */
static size_t
out_len(const struct call *c, uint64_t cap)
{
	if (c->ret <= 0)
		return 0;
	return (uint64_t)c->ret < cap ? (size_t)c->ret : (size_t)cap;
}

/* The output register of c and its capacity, or -1 when c has none. */
static int
out_reg(const struct call *c, uint64_t *cap, const char **name)
{
	struct klayout l = keyctl_layout(c);

	if (arg2_out(c)) {
		*cap = c->a[2];
		*name = "arg2";
		return 1;
	}
	if (l.k[0] == K_OUTBUF) {
		*cap = c->a[3];
		*name = argname[0];
		return 2;
	}
	return -1;
}

static int
keyctl_exit(pid_t tid, struct call *c)
{
	const char *name;
	uint64_t cap;
	int reg, err = 0;

	if (c->ret < 0 || (reg = out_reg(c, &cap, &name)) < 0 || c->a[reg] == 0)
		return 0;
	size_t n = out_len(c, cap);
	if (n > KEYCTL_MAX_BYTES)
		return -E2BIG;
	void *b = n ? mem_dup(tid, c->a[reg], n, &err) : NULL;
	if (n && b == NULL)
		return err;
	json_t *j = json_bytes(b, n);
	free(b);
	return obj_set_new(&c->out, name, j);
}

static int
keyctl_inject(pid_t tid, struct call *c, const json_t *out)
{
	const char *name;
	uint64_t cap;
	void *b;
	size_t n;
	int reg, e;

	if (out == NULL || (reg = out_reg(c, &cap, &name)) < 0)
		return 0;
	const json_t *j = json_object_get(out, name);
	if (j == NULL)
		return 0;
	if ((e = json_get_bytes(j, &b, &n)) < 0)
		return e;
	e = n > cap ? -EINVAL : n ? mem_write(tid, c->a[reg], b, n) : 0;
	free(b);
	return e;
}

static const char *
keyctl_refuse(const struct call *c)
{
	return keyctl_layout(c).refuse;
}

/* arg2 is a pointer for KEYCTL_JOIN_SESSION_KEYRING (its name is
 * compared) and KEYCTL_CAPABILITIES (a buffer out). */
static bool
keyctl_unused(const json_t *args, const char *key)
{
	int64_t cmd;

	if (strcmp(key, "arg2") != 0 || json_int64_get(json_object_get(args, "cmd"), &cmd) < 0)
		return false;
#ifdef KEYCTL_CAPABILITIES
	if (cmd == KEYCTL_CAPABILITIES)
		return true;
#endif
	return cmd == KEYCTL_JOIN_SESSION_KEYRING;
}

const struct sc_family fam_keyctl = {
	.entry = keyctl_entry, .exit = keyctl_exit, .inject = keyctl_inject,
	.refuse = keyctl_refuse, .unused = keyctl_unused,
};

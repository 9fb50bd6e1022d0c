/* capture.c: table-driven capture, injection and matching of calls. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "sys/capture.h"
#include "trace/bytes.h"
#include "trace/number.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "sys/mem.h"
#include "sys/xlat.h"

#define IOV_MAX_N 1024

void
call_reset(struct call *c)
{
	json_decref(c->args);
	json_decref(c->out);
	json_decref(c->extra);
	memset(c, 0, sizeof *c);
}

/* The n bytes at addr in task tid, as bytes; for a read (c: else NULL),
 * with the descriptors a fanotify read made noted in c. */
static json_t *
read_bytes(pid_t tid, uint64_t addr, uint64_t n, struct call *c, int *err)
{
	void *buf;
	json_t *j;

	if (n > CAPTURE_MAX) {
		*err = -E2BIG;
		return NULL;
	}
	if ((buf = mem_dup(tid, addr, n, err)) == NULL)
		return NULL;
	if (c && (*err = fanotify_read_fds(tid, c, buf, n)) < 0) {
		free(buf);
		return NULL;
	}
	j = json_bytes(buf, n);
	free(buf);
	if (j == NULL)
		*err = -ENOMEM;
	return j;
}

/* Reads the iovec array of cnt entries at addr; returns the entries (caller
 * frees) or NULL with *err. */
static struct iovec *
read_iov(pid_t tid, uint64_t addr, uint64_t cnt, int *err)
{
	if (cnt > IOV_MAX_N) {
		*err = -EINVAL;
		return NULL;
	}
	return mem_dup(tid, addr, cnt * sizeof(struct iovec), err);
}

json_t *
capture_inbuf(pid_t tid, uint64_t addr, uint64_t len, uint64_t max, int *err)
{
	if (len > max) {
		*err = -EINVAL;
		return NULL;
	}
	if (addr == 0)
		return json_null();
	void *b = mem_dup(tid, addr, (size_t)len, err);
	json_t *j = b ? json_bytes(b, (size_t)len) : NULL;
	free(b);
	return j;
}

json_t *
gather_iov(pid_t tid, uint64_t addr, uint64_t cnt, uint64_t limit, int *err)
{
	struct iovec *v = read_iov(tid, addr, cnt, err);
	uint64_t total = 0;
	char *buf;
	json_t *j;

	if (v == NULL)
		return NULL;
	for (uint64_t i = 0; i < cnt; i++)
		total += v[i].iov_len;
	if (total > limit)
		total = limit;
	if (total > CAPTURE_MAX || (buf = malloc(total ? total : 1)) == NULL) {
		free(v);
		*err = total > CAPTURE_MAX ? -E2BIG : -ENOMEM;
		return NULL;
	}
	uint64_t have = 0;
	for (uint64_t i = 0; i < cnt && have < total; i++) {
		uint64_t n = v[i].iov_len < total - have ? v[i].iov_len : total - have;
		if ((*err = mem_read(tid, (uint64_t)(uintptr_t)v[i].iov_base, buf + have, n)) < 0) {
			free(v);
			free(buf);
			return NULL;
		}
		have += n;
	}
	free(v);
	j = json_bytes(buf, total);
	free(buf);
	if (j == NULL)
		*err = -ENOMEM;
	return j;
}

int
scatter_iov(pid_t tid, uint64_t addr, uint64_t cnt, const void *p, size_t n)
{
	int err;
	struct iovec *v = read_iov(tid, addr, cnt, &err);
	size_t have = 0;

	if (v == NULL)
		return err;
	for (uint64_t i = 0; i < cnt && have < n; i++) {
		size_t k = v[i].iov_len < n - have ? v[i].iov_len : n - have;
		if ((err = mem_write(tid, (uint64_t)(uintptr_t)v[i].iov_base, (const char *)p + have, k)) < 0) {
			free(v);
			return err;
		}
		have += k;
	}
	free(v);
	return have == n ? 0 : -EINVAL;
}

static json_t *
read_struct(pid_t tid, const struct st_desc *st, uint64_t addr, int *err)
{
	unsigned char buf[512];
	json_t *j;

	if (addr == 0)
		return json_null();
	if (st->size > sizeof buf) {
		*err = -EINVAL;
		return NULL;
	}
	if ((*err = mem_read(tid, addr, buf, st->size)) < 0)
		return NULL;
	if ((j = st_encode(st, buf)) == NULL)
		*err = -ENOMEM;
	return j;
}

static int
write_struct(pid_t tid, const struct st_desc *st, uint64_t addr, const json_t *j)
{
	unsigned char buf[512];
	int e;

	if (addr == 0 || j == NULL || json_is_null(j))
		return 0;
	if (st->size > sizeof buf)
		return -EINVAL;
	if ((e = st_decode(st, j, buf)) < 0)
		return e;
	return mem_write(tid, addr, buf, st->size);
}

static json_t *
read_path(pid_t tid, uint64_t addr, int *err)
{
	char *s;
	size_t n;
	json_t *j;

	if (addr == 0)
		return json_null();
	if ((*err = mem_read_str(tid, addr, 65536, &s, &n)) < 0)
		return NULL;
	j = utf8_valid(s, n) ? json_stringn(s, n) : json_bytes(s, n);
	free(s);
	if (j == NULL)
		*err = -ENOMEM;
	return j;
}

int
capture_entry(pid_t tid, struct call *c)
{
	const struct sc_desc *sc = c->sc;
	int err = 0;

	json_decref(c->args);
	if ((c->args = json_object()) == NULL)
		return -ENOMEM;
	if (sc == NULL) {
		json_t *raw = json_array();
		for (int i = 0; i < 6 && raw; i++)
			json_array_append_new(raw, json_uint64(c->a[i]));
		return json_object_set_new(c->args, "raw", raw) < 0 ? -ENOMEM : 0;
	}
	for (int i = 0; i < sc->nargs; i++) {
		const struct arg_desc *ad = &sc->args[i];
		uint64_t v = c->a[i];
		json_t *j = NULL;

		switch (ad->kind) {
		case A_INT: case A_UINT: case A_PTR:
			j = json_uint64(v);
			break;
		case A_FD: case A_INT32:
			j = json_int64((int32_t)v);
			break;
		case A_FLAGS: case A_MODE:
			j = json_int64((uint32_t)v);
			break;
		case A_PATH:
			j = read_path(tid, v, &err);
			break;
		case A_IN:
			j = read_bytes(tid, v, c->a[ad->len], NULL, &err);
			break;
		case A_IN_STRUCT: case A_INOUT_STRUCT:
			j = read_struct(tid, ad->st, v, &err);
			break;
		case A_IOV_IN:
			j = gather_iov(tid, v, c->a[ad->len], UINT64_MAX, &err);
			break;
		case A_OUT: case A_OUT_STRUCT: case A_IOV_OUT: case A_CUSTOM:
			continue;
		}
		if (j == NULL)
			return err ? err : -ENOMEM;
		if (json_object_set_new(c->args, ad->name, j) < 0)
			return -ENOMEM;
	}
	if (sc->fam && sc->fam->entry)
		return sc->fam->entry(tid, c);
	return 0;
}

static int
out_set(struct call *c, const char *name, json_t *j)
{
	if (c->out == NULL && (c->out = json_object()) == NULL) {
		json_decref(j);
		return -ENOMEM;
	}
	return json_object_set_new(c->out, name, j) < 0 ? -ENOMEM : 0;
}

bool
call_restarts(long ret)
{
	return ret <= -512 && ret >= -516;	/* -ERESTARTSYS... -ERESTART_RESTARTBLOCK */
}

bool
call_interrupted(long ret)
{
	return ret == -EINTR || call_restarts(ret);
}

int
capture_exit(pid_t tid, struct call *c)
{
	const struct sc_desc *sc = c->sc;
	int err = 0;

	if (sc == NULL)
		return 0;
	if (c->ret >= 0 || ((sc->flags & SC_OUT_INTR) && call_interrupted(c->ret))) {
		for (int i = 0; i < sc->nargs; i++) {
			const struct arg_desc *ad = &sc->args[i];
			uint64_t v = c->a[i];
			json_t *j;

			if (c->ret < 0 && ad->kind != A_OUT_STRUCT && ad->kind != A_INOUT_STRUCT)
				continue;	/* interrupted: only the structs */
			switch (ad->kind) {
			case A_OUT: {
				uint64_t n = (uint64_t)c->ret;
				if (n > c->a[ad->len])
					n = c->a[ad->len];
				j = read_bytes(tid, v, n, c->nr == SYS_read ? c : NULL, &err);
				break;
			}
			case A_OUT_STRUCT: case A_INOUT_STRUCT:
				if (v == 0)
					continue;
				j = read_struct(tid, ad->st, v, &err);
				break;
			case A_IOV_OUT:
				j = gather_iov(tid, v, c->a[ad->len], (uint64_t)c->ret, &err);
				break;
			default:
				continue;
			}
			if (j == NULL)
				return err ? err : -ENOMEM;
			if ((err = out_set(c, ad->name, j)) < 0)
				return err;
		}
	}
	if (sc->fam && sc->fam->exit)
		return sc->fam->exit(tid, c);
	return 0;
}

int
inject_out(pid_t tid, struct call *c, const json_t *out, long ret)
{
	const struct sc_desc *sc = c->sc;
	int e = 0;

	if (sc == NULL)
		return 0;
	if (out != NULL && !json_is_object(out))
		return -EINVAL;
	for (int i = 0; out && i < sc->nargs && e == 0; i++) {
		const struct arg_desc *ad = &sc->args[i];
		const json_t *j = json_object_get(out, ad->name);
		void *buf;
		size_t n;

		if (j == NULL)
			continue;
		switch (ad->kind) {
		case A_OUT:
		case A_IOV_OUT:
			if ((e = json_get_bytes(j, &buf, &n)) < 0)
				break;
			if (ad->kind == A_OUT) {
				if (n > c->a[ad->len] || (ret >= 0 && n > (uint64_t)ret))
					e = -EINVAL;
				else
					e = mem_write(tid, c->a[i], buf, n);
			} else
				e = scatter_iov(tid, c->a[i], c->a[ad->len], buf, n);
			free(buf);
			break;
		case A_OUT_STRUCT: case A_INOUT_STRUCT:
			e = write_struct(tid, ad->st, c->a[i], j);
			break;
		default:
			break;
		}
	}
	if (e == 0 && sc->fam && sc->fam->inject)
		e = sc->fam->inject(tid, c, out);
	return e;
}

static const struct arg_desc *
arg_named(const struct sc_desc *sc, const char *key)
{
	for (int i = 0; sc && i < sc->nargs; i++)
		if (strcmp(sc->args[i].name, key) == 0)
			return &sc->args[i];
	return NULL;
}

bool
arg_compared(const struct sc_desc *sc, const json_t *args, const char *key)
{
	const struct arg_desc *ad = arg_named(sc, key);

	if (sc == NULL)
		return true;
	return !(ad && ad->kind == A_PTR) && !(sc->fam && sc->fam->unused && sc->fam->unused(args, key));
}

/* Equal values of the argument key (integers by value, in either form:
 * json_same); an int argument compares its low 32 bits (traces of dios 0.1
 * before A_INT32 hold -1 as 4294967295). */
static bool
arg_equal(const struct sc_desc *sc, const char *key, const json_t *a, const json_t *b)
{
	const struct arg_desc *ad = arg_named(sc, key);
	int64_t x, y;

	if (ad && ad->kind == A_INT32 && json_int64_get(a, &x) == 0 && json_int64_get(b, &y) == 0)
		return (int32_t)x == (int32_t)y;
	return json_same(a, b);
}

int
args_compare(const struct sc_desc *sc, const json_t *want, const json_t *got,
    const char **which)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)want, key, v) {
		if (!arg_compared(sc, want, key))
			continue;
		if (!arg_equal(sc, key, v, json_object_get(got, key))) {
			*which = key;
			return 1;
		}
	}
	json_object_foreach((json_t *)got, key, v) {
		if (!arg_compared(sc, got, key))
			continue;
		if (json_object_get(want, key) == NULL) {
			*which = key;
			return 1;
		}
	}
	return 0;
}

json_t *
event_new(uint64_t seq, pid_t vtid, const struct call *c)
{
	json_t *ev = json_object();
	char nb[32];
	const char *key;
	json_t *v;

	if (ev == NULL)
		return NULL;
	json_object_set_new(ev, "seq", json_uint64(seq));
	json_object_set_new(ev, "tid", json_int64(vtid));
	json_object_set_new(ev, "sys", json_string(sc_any_name(c->nr, nb)));
	if (c->sc == NULL) {
		json_object_set_new(ev, "nr", json_int64(c->nr));
		json_object_set_new(ev, "unknown", json_true());
	}
	if (c->args)
		json_object_set(ev, "args", c->args);
	if (c->ret < 0 && c->ret >= -4095) {
		const char *en = errno_name((int)-c->ret);
		char buf[32];
		if (en == NULL) {
			snprintf(buf, sizeof buf, "E%ld", -c->ret);
			en = buf;
		}
		json_object_set_new(ev, "err", json_string(en));
	} else
		json_object_set_new(ev, "ret", json_int64(c->ret));
	if (c->out)
		json_object_set(ev, "out", c->out);
	if (c->extra)
		json_object_foreach(c->extra, key, v)
			json_object_set(ev, key, v);
	return ev;
}

long
event_result(const json_t *ev, int *ok)
{
	const json_t *e = json_object_get(ev, "err");
	int64_t r;

	*ok = 1;
	if (json_int64_get(json_object_get(ev, "ret"), &r) == 0)
		return (long)r;
	if (json_is_string(e)) {
		int n = errno_from_name(json_string_value(e));
		if (n > 0)
			return -n;
	}
	*ok = 0;
	return -EINVAL;
}

int
obj_set_new(json_t **obj, const char *key, json_t *j)
{
	if (j == NULL)
		return -ENOMEM;
	if (*obj == NULL && (*obj = json_object()) == NULL) {
		json_decref(j);
		return -ENOMEM;
	}
	return json_object_set_new(*obj, key, j) < 0 ? -ENOMEM : 0;
}

int
call_written(const struct call *c, const json_t *args, const json_t *out, const json_t **buf)
{
	*buf = NULL;
	switch (c->nr) {
	case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_pwritev: case SYS_pwritev2:
		if (c->sc == NULL || c->sc->nargs < 2)
			return -1;
		*buf = json_object_get(args, c->sc->args[1].name);
		return (int)c->a[0];
	case SYS_copy_file_range: case SYS_sendfile:
		*buf = out ? json_object_get(out, "data") : NULL;
		return (int)c->a[c->nr == SYS_copy_file_range ? 2 : 0];
	case SYS_splice: case SYS_tee:	/* from a pipe: bytes no event holds */
		return (int)c->a[c->nr == SYS_splice ? 2 : 1];
	default:
		return -1;
	}
}

bool
call_changes_fds(const struct call *c)
{
	const struct sc_desc *sc = c->sc;

	if (sc == NULL)
		return false;
	if (sc->flags & (SC_NEWFD | SC_RUN_REAL))
		return true;
	if (sc->fam && sc->fam->newfds && (sc->fam->makes_fds == NULL || sc->fam->makes_fds(c)))
		return true;
	return sc->fam && sc->fam->mode && sc->fam->mode(c) == RM_RUN_REAL;
}

const char *
sc_replay_refusal(const struct call *c, long ret)
{
	const struct sc_desc *sc = c->sc;

	if (sc == NULL || ret < 0)
		return NULL;
	if (sc->flags & SC_SYSTEM)
		return "it changes the system itself (mounts, kernel code, swap, the machine, I/O "
		    "ports), which replay must not do and the trace cannot stand in for";
	if (sc->flags & SC_OPAQUE)
		return "the kernel works through it on memory or objects dios does not record "
		    "(rings shared with the kernel, other processes' memory, kernel objects), or "
		    "dios does not decode it";
	if (sc->fam && sc->fam->refuse)
		return sc->fam->refuse(c);
	return NULL;
}

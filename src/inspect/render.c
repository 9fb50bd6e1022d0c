/* render.c: events as strace-like lines. */
#include "config.h"
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "trace/bytes.h"
#include "trace/elide.h"
#include "trace/number.h"
#include "inspect/fdpaths.h"
#include "inspect/render.h"
#include "sys/systable.h"
#include "sys/family.h"
#include "sys/xlat.h"

struct out { char *p; size_t n, len; };

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->len >= o->n)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->p + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->len += (size_t)k < o->n - o->len ? (size_t)k : o->n - o->len - 1;
}

/* s[0..have) of n bytes (fewer for a string kept as a digest, elide.h). */
static void
put_quoted_part(struct out *o, const unsigned char *s, size_t have, size_t n, size_t max)
{
	put(o, "\"");
	for (size_t i = 0; i < have && i < max; i++) {
		unsigned char c = s[i];
		switch (c) {
		case '"': put(o, "\\\""); break;
		case '\\': put(o, "\\\\"); break;
		case '\n': put(o, "\\n"); break;
		case '\t': put(o, "\\t"); break;
		case '\r': put(o, "\\r"); break;
		default:
			if (c < 32 || c >= 127)
				put(o, "\\%o", c);
			else
				put(o, "%c", c);
		}
	}
	put(o, "\"%s", n > max || have < n ? "..." : "");
}

static void
put_quoted(struct out *o, const unsigned char *s, size_t n, size_t max)
{
	put_quoted_part(o, s, n, n, max);
}

/* A value: in a structure (field true), an integer beyond 2^53 in its
 * string form shows as the number it is. */
static void
put_value(struct out *o, const json_t *v, size_t max, bool field)
{
	struct elided el;
	int64_t x;

	if (v == NULL) {
		put(o, "?");
	} else if (json_is_null(v)) {
		put(o, "NULL");
	} else if ((json_is_integer(v) || field) && json_int64_get(v, &x) == 0) {
		put(o, "%lld", (long long)x);
	} else if (json_is_string(v) && elided_get(v, &el)) {
		put_quoted_part(o, (const unsigned char *)el.head, el.head_len, el.n, max);
	} else if (json_is_string(v)) {
		put_quoted(o, (const unsigned char *)json_string_value(v), json_string_length(v), max);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;
		put(o, "[");
		json_array_foreach(v, i, e) {
			if (i >= 8) {
				put(o, ", ...");
				break;
			}
			put(o, "%s", i ? ", " : "");
			put_value(o, e, max, field);
		}
		put(o, "]");
	} else if (json_bytes_elided(v, &el) && json_bytes_len(v) >= 0) {
		put_quoted_part(o, (const unsigned char *)el.head, el.head_len,
		    (size_t)json_bytes_len(v), max);
	} else if (json_is_object(v) && json_bytes_len(v) >= 0) {
		void *b;
		size_t n;
		if (json_get_bytes(v, &b, &n) == 0) {
			put_quoted(o, b, n, max);
			free(b);
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *e;
		int first = 1;
		put(o, "{");
		json_object_foreach((json_t *)v, k, e) {
			put(o, "%s%s=", first ? "" : ", ", k);
			put_value(o, e, max, true);
			first = 0;
		}
		put(o, "}");
	} else {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		put(o, "%s", s ? s : "?");
		free(s);
	}
}

static void
put_fd(struct out *o, long long fd, const char *path)
{
	if (path)
		put(o, "%lld<%s>", fd, path);
	else
		put(o, "%lld", fd);
}

/* mknod's mode with its file type: S_IFCHR|0600. */
static void
put_mode(struct out *o, unsigned long long m)
{
	static const struct { unsigned t; const char *name; } types[] = {
		{ S_IFREG, "S_IFREG" }, { S_IFDIR, "S_IFDIR" }, { S_IFCHR, "S_IFCHR" },
		{ S_IFBLK, "S_IFBLK" }, { S_IFIFO, "S_IFIFO" }, { S_IFLNK, "S_IFLNK" },
		{ S_IFSOCK, "S_IFSOCK" },
	};

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if ((m & S_IFMT) == types[i].t) {
			put(o, "%s|%#03llo", types[i].name, m & ~(unsigned long long)S_IFMT);
			return;
		}
	put(o, "%#llo", m);
}

/* A constant by name; ctx is the value of the argument its names depend
 * on (xlat_context_arg), or NULL. */
static void
put_const(struct out *o, enum xlat_id x, uint64_t v, const int64_t *ctx)
{
	char buf[512];

	if (ctx)
		xlat_render_ctx(x, (uint64_t)*ctx, v, buf, sizeof buf);
	else
		xlat_render(x, v, buf, sizeof buf);
	put(o, "%s", buf);
}

/* A structure decoded field by field (st: its layout), as strace shows it:
 * a field the layout names constants for by those names, a file mode as
 * S_IFREG|0644.  False when v is not such an object. */
static bool
put_struct(struct out *o, const struct st_desc *st, const json_t *v, size_t max)
{
	const char *k;
	json_t *e;
	int first = 1;

	if (st == NULL || st->nfields == 0 || !json_is_object(v) || json_bytes_len(v) >= 0)
		return false;
	put(o, "{");
	json_object_foreach((json_t *)v, k, e) {
		const struct st_field *f = NULL;
		int64_t x;
		for (int i = 0; i < st->nfields && f == NULL; i++)
			if (strcmp(st->fields[i].name, k) == 0)
				f = &st->fields[i];
		put(o, "%s%s=", first ? "" : ", ", k);
		first = 0;
		if (f && (f->mode || f->xlat != X_NONE) && json_int64_get(e, &x) == 0) {
			if (f->mode)
				put_mode(o, (unsigned long long)x);
			else
				put_const(o, f->xlat, f->kind == F_INT ? (uint64_t)x :
				    f->size < 8 ? (uint64_t)x & ((1ULL << (8 * f->size)) - 1) : (uint64_t)x, NULL);
		} else
			put_value(o, e, max, true);
	}
	put(o, "}");
	return true;
}

static void
put_arg(struct out *o, const struct arg_desc *ad, const json_t *v, const int64_t *ctx,
    const struct render_opts *ro)
{
	size_t max = ro->strsize;
	int64_t x;

	if (ad->kind != A_PATH && json_int64_get(v, &x) == 0) {
		switch (ad->kind) {
		case A_FD:
			if (x == AT_FDCWD)
				put(o, "AT_FDCWD");
			else
				put_fd(o, (long long)x, fdpaths_get(ro->fds, (long long)x));
			return;
		case A_FLAGS:
			put_const(o, ad->xlat, (uint64_t)x, ctx);
			return;
		case A_MODE:
			put_mode(o, (unsigned long long)x);
			return;
		case A_PTR:
			put(o, x ? "%#llx" : "NULL", (unsigned long long)x);
			return;
		case A_UINT:
			if (ad->xlat != X_NONE) {
				put_const(o, ad->xlat, (uint64_t)x, ctx);
				return;
			}
			break;
		case A_INT32:
			x = (int32_t)x;
			if (ad->xlat != X_NONE) {
				put_const(o, ad->xlat, (uint64_t)x, ctx);
				return;
			}
			break;
		default:
			break;
		}
		put(o, "%lld", (long long)x);
		return;
	}
	if (put_struct(o, ad->st, v, max))
		return;
	put_value(o, v, max, false);
}

/* An integer member of object v, or false. */
static bool
member(const json_t *v, const char *key, int64_t *x)
{
	return json_int64_get(json_object_get(v, key), x) == 0;
}

/* An epoll_event: {events=EPOLLIN, data={u32=7, u64=7}}. */
static bool
put_epoll_event(struct out *o, const json_t *v)
{
	char buf[256];
	int64_t ev, data;

	if (!member(v, "events", &ev) || !member(v, "data", &data))
		return false;
	xlat_render(X_EPOLL, (uint32_t)ev, buf, sizeof buf);
	put(o, "{events=%s, data={u32=%u, u64=%llu}}", buf, (unsigned)(uint32_t)data,
	    (unsigned long long)data);
	return true;
}

/* An array of structures, each shown by show (or as any value when it
 * cannot), the first 8 as put_value does. */
static bool
put_array_of(struct out *o, const json_t *a, bool (*show)(struct out *, const json_t *))
{
	size_t i;
	json_t *e;

	if (!json_is_array(a))
		return false;
	json_array_foreach(a, i, e)
		if (!json_is_object(e))
			return false;
	put(o, "[");
	json_array_foreach(a, i, e) {
		if (i >= 8) {
			put(o, ", ...");
			break;
		}
		put(o, "%s", i ? ", " : "");
		if (!show(o, e))
			put_value(o, e, 32, true);
	}
	put(o, "]");
	return true;
}

/* poll's {fd=3, events=POLLIN}. */
static bool
put_pollfd(struct out *o, const json_t *v)
{
	char buf[256];
	int64_t fd, ev;

	if (!member(v, "fd", &fd) || !member(v, "events", &ev))
		return false;
	xlat_render(X_POLL, (uint16_t)ev, buf, sizeof buf);
	put(o, "{fd=%lld, events=%s}", (long long)fd, buf);
	return true;
}

/* capget's and capset's sets, one 32-bit word per element (two from
 * version 2 on), as strace joins them: {effective=1<<CAP_CHOWN|...}. */
static bool
put_caps(struct out *o, const json_t *a)
{
	static const char *const sets[] = { "effective", "permitted", "inheritable" };
	char buf[2048];
	uint64_t v[3] = { 0, 0, 0 };
	size_t i;
	json_t *e;

	if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > 2)
		return false;
	json_array_foreach(a, i, e)
		for (int k = 0; k < 3; k++) {
			int64_t x;
			if (!member(e, sets[k], &x))
				return false;
			v[k] |= (uint64_t)(uint32_t)x << (32 * i);
		}
	for (int k = 0; k < 3; k++) {
		xlat_render(X_CAP, v[k], buf, sizeof buf);
		put(o, "%s%s=%s", k ? ", " : "{", sets[k], buf);
	}
	put(o, "}");
	return true;
}

/* A structure kept as bytes, when it has the size of *p: into *p. */
static bool
bytes_as(const json_t *v, void *p, size_t size)
{
	void *b;
	size_t n;
	bool ok;

	if (json_get_bytes(v, &b, &n) != 0)
		return false;
	if ((ok = n == size))
		memcpy(p, b, size);
	free(b);
	return ok;
}

/* struct rusage as strace shows it, its times and no more. */
static bool
put_rusage(struct out *o, const json_t *v)
{
	struct rusage ru;

	if (!bytes_as(v, &ru, sizeof ru))
		return false;
	put(o, "{ru_utime={tv_sec=%lld, tv_usec=%lld}, ru_stime={tv_sec=%lld, tv_usec=%lld}, ...}",
	    (long long)ru.ru_utime.tv_sec, (long long)ru.ru_utime.tv_usec,
	    (long long)ru.ru_stime.tv_sec, (long long)ru.ru_stime.tv_usec);
	return true;
}

/* A siginfo_t: the signal, the code, and the fields the code says are
 * there (a child's for SIGCHLD, the sender's, the faulting address);
 * the others elided.  All zeros (waitid with WNOHANG and nothing to
 * report) is {}. */
static bool
put_siginfo(struct out *o, const json_t *v)
{
	static const siginfo_t zero;
	siginfo_t si;
	char sb[16], code[64], status[16];
	const char *st = status;

	if (!bytes_as(v, &si, sizeof si))
		return false;
	if (memcmp(&si, &zero, sizeof si) == 0) {
		put(o, "{}");
		return true;
	}
	xlat_render_ctx(X_SI_CODE, (uint64_t)si.si_signo, (uint64_t)(int64_t)si.si_code, code,
	    sizeof code);
	put(o, "{si_signo=%s, si_code=%s", signal_name(si.si_signo, sb), code);
	if (si.si_signo == SIGCHLD && si.si_code > 0 && si.si_code < SI_KERNEL) {
		if (si.si_code == CLD_EXITED)
			snprintf(status, sizeof status, "%d", si.si_status);
		else
			st = signal_name(si.si_status, status);
		put(o, ", si_pid=%d, si_uid=%u, si_status=%s, si_utime=%lld, si_stime=%lld}",
		    (int)si.si_pid, (unsigned)si.si_uid, st, (long long)si.si_utime,
		    (long long)si.si_stime);
	} else if (si.si_code == SI_USER || si.si_code == SI_TKILL)
		put(o, ", si_pid=%d, si_uid=%u}", (int)si.si_pid, (unsigned)si.si_uid);
	else if (si.si_code == SI_QUEUE || si.si_code == SI_MESGQ)
		put(o, ", si_pid=%d, si_uid=%u, si_value={int=%d, ptr=%p}}", (int)si.si_pid,
		    (unsigned)si.si_uid, si.si_value.sival_int, si.si_value.sival_ptr);
	else if (si.si_code == SI_TIMER)
		put(o, ", si_timerid=%#x, si_overrun=%d, si_value={int=%d, ptr=%p}}",
		    (unsigned)si.si_timerid, si.si_overrun, si.si_value.sival_int, si.si_value.sival_ptr);
	else if (si.si_code == SI_KERNEL)
		put(o, "}");
	else if (si.si_code > 0 && si.si_code < SI_KERNEL && (si.si_signo == SIGSEGV ||
	    si.si_signo == SIGBUS || si.si_signo == SIGILL || si.si_signo == SIGFPE))
		put(o, si.si_addr ? ", si_addr=%p}" : ", si_addr=NULL}", si.si_addr);
	else
		put(o, ", ...}");
	return true;
}

/* Arguments strace shows otherwise than field by field: a pointer to one
 * number as [n] (wait4's status decoded), a pair of descriptors as [3, 4],
 * a signal set by names, rusage and siginfo kept as bytes, a socket option
 * of one int, the capability header's version by name and the sets, the
 * events of epoll and poll.  The trace keeps what it keeps; this is only
 * how it reads.  False: shown as any other value. */
static bool
put_special(struct out *o, const struct sc_desc *sc, const struct arg_desc *ad, const json_t *v)
{
	const char *st = ad->st ? ad->st->name : NULL;
	char buf[512];
	int64_t x, y;

	if (!json_is_object(v) && !json_is_array(v))
		return false;
	if (st && ad->st->nfields == 1 && json_object_size(v) == 1 &&
	    member(v, ad->st->fields[0].name, &x)) {
		if (strcmp(sc->name, "wait4") == 0 && strcmp(ad->name, "wstatus") == 0) {
			xlat_render(X_WSTATUS, (uint64_t)x, buf, sizeof buf);
			put(o, "[%s]", buf);
		} else if (ad->st->fields[0].kind == F_UINT)
			put(o, "[%llu]", (unsigned long long)x);
		else
			put(o, "[%lld]", (long long)x);
		return true;
	}
	if (st && strcmp(st, "fdpair") == 0 && member(v, "fd0", &x) && member(v, "fd1", &y)) {
		put(o, "[%lld, %lld]", (long long)x, (long long)y);
		return true;
	}
	if (st && strcmp(st, "sigset") == 0) {
		void *b;
		size_t n;
		uint64_t m = 0;
		if (json_get_bytes(v, &b, &n) != 0)
			return false;
		memcpy(&m, b, n < sizeof m ? n : sizeof m);	/* little-endian, as recorded */
		free(b);
		xlat_render(X_SIGSET, m, buf, sizeof buf);
		put(o, "%s", buf);
		return true;
	}
	if (st && strcmp(st, "cap_header") == 0 && member(v, "version", &x) &&
	    member(v, "pid", &y)) {
		xlat_render(X_CAP_VERSION, (uint32_t)x, buf, sizeof buf);
		put(o, "{version=%s, pid=%lld}", buf, (long long)y);
		return true;
	}
	if (st && strcmp(st, "epoll_event") == 0)
		return put_epoll_event(o, v);
	if (st && strcmp(st, "rusage") == 0)
		return put_rusage(o, v);
	if (st && strcmp(st, "siginfo") == 0)
		return put_siginfo(o, v);
	/* a socket option of one int, as strace shows it: [1] */
	if (strstr(sc->name, "sockopt") && strcmp(ad->name, "optval") == 0) {
		int32_t i;
		if (!bytes_as(v, &i, sizeof i))
			return false;
		put(o, "[%d]", (int)i);
		return true;
	}
	if (ad->kind != A_CUSTOM)
		return false;
	if (strncmp(sc->name, "epoll_", 6) == 0 && strcmp(ad->name, "events") == 0)
		return put_array_of(o, v, put_epoll_event);
	if (strstr(sc->name, "poll") && strcmp(ad->name, "fds") == 0)
		return put_array_of(o, v, put_pollfd);
	if (strncmp(sc->name, "cap", 3) == 0 && strcmp(ad->name, "data") == 0)
		return put_caps(o, v);
	return false;
}

/* A CUSTOM argument as its family says it reads: a structure by its
 * layout, an integer by its constants (fcntl's, by command).  False: shown
 * as any other value. */
static bool
put_custom(struct out *o, const struct sc_desc *sc, const struct arg_desc *ad, const json_t *args,
    const json_t *v, const struct render_opts *ro)
{
	enum xlat_id x;
	int64_t i;

	if (ad->kind != A_CUSTOM || sc->fam == NULL)
		return false;
	if (json_int64_get(v, &i) == 0 && sc->fam->arg_xlat &&
	    (x = sc->fam->arg_xlat(args, ad->name)) != X_NONE) {
		put_const(o, x, (uint64_t)i, NULL);
		return true;
	}
	return sc->fam->arg_struct && put_struct(o, sc->fam->arg_struct(args, ad->name), v, ro->strsize);
}

/* Task events: signals as strace shows them, counter reads as calls. */
static void
put_task_event(struct out *o, const json_t *ev, const struct render_opts *ro)
{
	const char *what = json_string_value(json_object_get(ev, "event"));
	uint64_t v;
	int64_t aux;

	if (what && strcmp(what, "signal") == 0) {
		const char *sig = json_string_value(json_object_get(ev, "sig"));
		const json_t *info = json_object_get(ev, "info");
		put(o, "--- %s ", sig ? sig : "?");
		if (info && put_siginfo(o, info))
			put(o, " ");
		put(o, "---");
	} else if (what && (strcmp(what, "rdtsc") == 0 || strcmp(what, "rdtscp") == 0)) {
		put(o, "%s()", what);
		if (ro->with_result && json_uint64_get(json_object_get(ev, "value"), &v) == 0)
			put(o, " = %llu", (unsigned long long)v);
		if (ro->with_result && strcmp(what, "rdtscp") == 0 &&
		    json_int64_get(json_object_get(ev, "aux"), &aux) == 0)
			put(o, " (aux %lld)", (long long)aux);
	} else if (what && strcmp(what, "exit") == 0) {
		const char *sig = json_string_value(json_object_get(ev, "signal"));
		if (sig)
			put(o, "+++ killed by %s +++", sig);
		else
			put(o, "+++ exited with %lld +++",
			    (long long)json_int64_or(ev, "exit", -1));
	} else
		put(o, "--- %s ---", what ? what : "?");
}

static void
put_result(struct out *o, const json_t *ev, const struct sc_desc *sc, const struct render_opts *ro)
{
	const json_t *e = json_object_get(ev, "err");
	char path[4096];
	int64_t ret;

	if (json_int64_get(json_object_get(ev, "ret"), &ret) == 0) {
		long long x = (long long)ret;
		if (sc && sc->ret == R_ADDR)
			put(o, " = %#llx", (unsigned long long)x);
		else if (sc && sc->ret == R_FD && ro->fds &&
		    fdpaths_result(ro->fds, ev, path, sizeof path) == 0)
			put(o, " = %lld<%s>", x, path);
		else
			put(o, " = %lld", x);
	} else if (json_is_string(e)) {
		const char *name = json_string_value(e);
		int no = errno_from_name(name);
		if (no >= 512)	/* the kernel's restart codes: the program never sees them */
			put(o, " = ? %s (%s)", name, strcmp(name, "ERESTARTSYS") == 0 ?
			    "To be restarted if SA_RESTART is set" : "To be restarted");
		else
			put(o, " = -1 %s (%s)", name, no > 0 ? strerror(no) : "?");
	} else
		put(o, " = ?%s", json_is_true(json_object_get(ev, "unsupported")) ?
		    " <unsupported: the recording stopped here>" : "");
}

void
render_event_opts(const json_t *ev, const struct render_opts *ro, char *buf, size_t n)
{
	struct out o = { buf, n, 0 };
	const char *name = json_string_value(json_object_get(ev, "sys"));
	const json_t *args = json_object_get(ev, "args"), *out = json_object_get(ev, "out");
	const struct sc_desc *sc;

	buf[0] = '\0';
	if (name == NULL) {
		put_task_event(&o, ev, ro);
		return;
	}
	sc = sc_by_name(name);
	put(&o, "%s(", name);
	if (sc && !json_is_true(json_object_get(ev, "unknown"))) {
		for (int i = 0; i < sc->nargs; i++) {
			const struct arg_desc *ad = &sc->args[i];
			const json_t *v = json_object_get(args, ad->name);
			/* the argument this one's names depend on, if any */
			const char *cn = xlat_context_arg(ad->xlat);
			int64_t ctx;
			bool has_ctx = cn && json_int64_get(json_object_get(args, cn), &ctx) == 0;
			if (v == NULL && out)
				v = json_object_get(out, ad->name);
			put(&o, "%s", i ? ", " : "");
			if (v == NULL && (ad->kind == A_OUT || ad->kind == A_OUT_STRUCT ||
			    ad->kind == A_IOV_OUT || ad->kind == A_CUSTOM))
				put(&o, "%s", ro->with_result ? "..." : "?");
			else if (!put_special(&o, sc, ad, v) && !put_custom(&o, sc, ad, args, v, ro))
				put_arg(&o, ad, v, has_ctx ? &ctx : NULL, ro);
		}
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(args, "raw"), i, v) {
			uint64_t x = 0;
			json_uint64_get(v, &x);
			put(&o, "%s%#llx", i ? ", " : "", (unsigned long long)x);
		}
	}
	put(&o, ")");
	if (ro->with_result)
		put_result(&o, ev, sc, ro);
}

void
render_stack(const json_t *ev, char *buf, size_t n)
{
	struct out o = { buf, n, 0 };
	const json_t *frame;
	size_t i;

	if (n == 0)
		return;
	buf[0] = '\0';
	json_array_foreach(json_object_get(ev, "stack"), i, frame) {
		const unsigned char *s = (const unsigned char *)json_string_value(frame);
		put(&o, " > ");
		if (s == NULL)
			put(&o, "?");
		for (size_t j = 0; s && j < json_string_length(frame); j++)
			put(&o, s[j] < 32 || s[j] >= 127 || s[j] == '\\' ? "\\%o" : "%c", s[j]);
		put(&o, "\n");
	}
}

void
render_event(const json_t *ev, int with_result, size_t strsize, char *buf, size_t n)
{
	struct render_opts ro = { .with_result = with_result != 0, .strsize = strsize };

	render_event_opts(ev, &ro, buf, n);
}

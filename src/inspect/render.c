/* render.c: events as strace-like lines. */
#include "config.h"
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace/bytes.h"
#include "trace/elide.h"
#include "trace/number.h"
#include "inspect/fdpaths.h"
#include "inspect/render.h"
#include "sys/systable.h"
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

static void
put_arg(struct out *o, const struct arg_desc *ad, const json_t *v, const struct render_opts *ro)
{
	char buf[256];
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
			xlat_render(ad->xlat, (uint64_t)x, buf, sizeof buf);
			put(o, "%s", buf);
			return;
		case A_MODE:
			put(o, "%#llo", (unsigned long long)x);
			return;
		case A_PTR:
			put(o, x ? "%#llx" : "NULL", (unsigned long long)x);
			return;
		case A_UINT:
			if (ad->xlat != X_NONE) {
				xlat_render(ad->xlat, (uint64_t)x, buf, sizeof buf);
				put(o, "%s", buf);
				return;
			}
			break;
		case A_INT32:
			x = (int32_t)x;
			if (ad->xlat != X_NONE) {
				xlat_render(ad->xlat, (uint64_t)x, buf, sizeof buf);
				put(o, "%s", buf);
				return;
			}
			break;
		default:
			break;
		}
		put(o, "%lld", (long long)x);
		return;
	}
	put_value(o, v, max, false);
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
		put(o, "--- %s ---", sig ? sig : "?");
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
			if (v == NULL && out)
				v = json_object_get(out, ad->name);
			put(&o, "%s", i ? ", " : "");
			if (v == NULL && (ad->kind == A_OUT || ad->kind == A_OUT_STRUCT ||
			    ad->kind == A_IOV_OUT || ad->kind == A_CUSTOM))
				put(&o, "%s", ro->with_result ? "..." : "?");
			else
				put_arg(&o, ad, v, ro);
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

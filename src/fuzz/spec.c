/* spec.c: the fault spec (spec.h): reading it from YAML or strace's
 * syntax into rules, and checking them against the syscall table and the
 * errno table (deciding for a call is specdecide.c's).  The YAML text becomes a small bounded
 * tree first (libyaml's events, no aliases followed), then rules; strace's
 * syntax goes through the same setters, so both say the same things the
 * same way.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <yaml.h>
#include "fuzz/errtab.h"
#include "fuzz/spec.h"
#include "fuzz/spec_impl.h"
#include "sys/xlat.h"

#define MAX_DEPTH	16		/* lists and mappings nested */
#define MAX_NODES	100000		/* nodes of the YAML tree */
#define MAX_STRACE	65536		/* bytes of --inject text */
#define WHEN_INF	UINT64_MAX

/* Where messages point: a file and a line, or the rule's text. */
struct build {
	const char *file;	/* YAML: the file's name; NULL: strace's syntax */
	const char *text;	/* strace's syntax: the rule */
	unsigned ruleno;
	char *err;
	size_t errlen;
};

/* ---- messages ---- */

/* Text s (n bytes) for a message: control bytes, quotes, backslashes and
 * bytes >= 0x7f escaped, at most about 60 bytes shown. */
static const char *
quote(char *buf, size_t len, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o >= 60) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\'' || c == '"' || c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o < len ? o : len - 1] = '\0';
	return buf;
}

#define Q(buf, s) quote(buf, sizeof buf, s, strlen(s))

static int __attribute__((format(printf, 3, 4)))
bad(struct build *b, unsigned long line, const char *fmt, ...)
{
	char msg[512], q[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (b->err == NULL || b->errlen == 0)
		return -EINVAL;
	if (b->file && b->ruleno)
		snprintf(b->err, b->errlen, "%s:%lu: rule %u: %s", b->file, line, b->ruleno, msg);
	else if (b->file)
		snprintf(b->err, b->errlen, "%s:%lu: %s", b->file, line, msg);
	else
		snprintf(b->err, b->errlen, "'%s': %s", Q(q, b->text ? b->text : ""), msg);
	return -EINVAL;
}

/* ---- values ---- */

static bool
parse_u64(const char *s, uint64_t *v, uint64_t max)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end || x > max)
		return false;
	*v = x;
	return true;
}

static bool
parse_i64(const char *s, int64_t *v)
{
	char *end;
	const char *d = s[0] == '-' ? s + 1 : s;

	if (d[0] < '0' || d[0] > '9')
		return false;
	errno = 0;
	if (s[0] == '-') {
		long long x = strtoll(s, &end, 0);
		if (errno || *end)
			return false;
		*v = x;
		return true;
	}
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*v = (int64_t)x;	/* 64-bit patterns compare as bits */
	return true;
}

static bool
parse_bool(const char *s, bool *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false",
	    "no", "off", "0" };
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *v = true, true;
		if (strcasecmp(s, no[i]) == 0)
			return *v = false, true;
	}
	return false;
}

/* A duration: a number of microseconds, or with a suffix ns, us, ms or s
 * (strace's time format, whole numbers). */
static bool
parse_delay(const char *s, unsigned *us)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	unsigned long long mul = 1, div = 1;
	if (errno || x > 1000000000000ULL)
		return false;
	if (*end == '\0' || strcmp(end, "us") == 0)
		;
	else if (strcmp(end, "ns") == 0)
		div = 1000;
	else if (strcmp(end, "ms") == 0)
		mul = 1000;
	else if (strcmp(end, "s") == 0)
		mul = 1000000;
	else
		return false;
	x = x * mul / div + (x * mul % div != 0);
	if (x > SPEC_MAX_DELAY_US)
		return false;
	*us = (unsigned)x;
	return true;
}

/* strace's when=: first[..last][+[step]]. */
static int
parse_when(struct build *b, unsigned long line, struct rule *r, const char *s)
{
	char q[256], *end;
	uint64_t first, last, step = 1;
	const char *p = s;

#define NUM(v) do { \
	if (*p < '0' || *p > '9') \
		goto fail; \
	errno = 0; \
	unsigned long long x_ = strtoull(p, &end, 10); \
	if (errno || x_ < 1 || x_ > UINT32_MAX) \
		goto fail; \
	(v) = x_; \
	p = end; \
} while (0)
	NUM(first);
	last = first;
	if (strncmp(p, "..", 2) == 0) {
		p += 2;
		NUM(last);
		if (last < first)
			return bad(b, line, "when: %s: the last call (%llu) comes before the first (%llu)",
			    Q(q, s), (unsigned long long)last, (unsigned long long)first);
		if (*p == '+') {
			p++;
			if (*p)
				NUM(step);
		}
	} else if (*p == '+') {
		p++;
		last = WHEN_INF;
		if (*p)
			NUM(step);
	}
	if (*p)
		goto fail;
#undef NUM
	r->first = first;
	r->last = last;
	r->step = step;
	free(r->when);
	r->when = strdup(s);
	return 0;
fail:
	return bad(b, line, "bad when: '%s' (expected strace's N, N+, N+STEP, FIRST..LAST or "
	    "FIRST..LAST+STEP, numbers from 1 to %u)", Q(q, s), UINT32_MAX);
}

/* An errno: a name (ENOENT) or a number 1..4095. */
static int
parse_errno(const char *s)
{
	uint64_t v;

	if (parse_u64(s, &v, 4095))
		return v >= 1 ? (int)v : -1;
	if (s[0] != 'E')
		return -1;
	return errno_from_name(s);
}

static int
parse_signal(const char *s)
{
	uint64_t v;

	if (parse_u64(s, &v, 64))
		return v >= 1 ? (int)v : -1;
	int sig = signal_from_name(s);
	return sig >= 1 && sig <= 64 ? sig : -1;
}

/* ---- the syscall set ---- */

static bool
has_kind(const struct sc_desc *sc, enum arg_kind k)
{
	for (int i = 0; i < sc->nargs; i++)
		if (sc->args[i].kind == k)
			return true;
	return false;
}

/* strace's classes, as far as the table tells them (man/dios-fuzz.yaml.5). */
static bool
in_class(const struct sc_desc *sc, const char *cls)
{
	if (strcmp(cls, "file") == 0)
		return has_kind(sc, A_PATH);
	if (strcmp(cls, "desc") == 0)
		return has_kind(sc, A_FD) || sc->ret == R_FD;
	if (strcmp(cls, "network") == 0 || strcmp(cls, "net") == 0)
		return sc->cls == CLS_NET;
	if (strcmp(cls, "process") == 0)
		return sc->cls == CLS_PROC && sc->nr >= 0;
	if (strcmp(cls, "signal") == 0)
		return sc->cls == CLS_SIGNAL;
	if (strcmp(cls, "ipc") == 0)
		return sc->cls == CLS_IPC;
	if (strcmp(cls, "memory") == 0)
		return sc->cls == CLS_MEM;
	if (strcmp(cls, "clock") == 0)
		return sc->cls == CLS_CLOCK;
	return false;
}

static const char *const classes[] = { "file", "desc", "network", "net", "process", "signal",
	"ipc", "memory", "clock" };

static bool
in_header(const char *name)
{
	size_t n;
	const struct sc_hdr_call *h = sc_header_calls(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(h[i].name, name) == 0)
			return true;
	return false;
}

/* Adds the calls of one item of a set: a name, %class or all; with '?'
 * before it an unknown name is skipped (strace's syntax). */
static int
add_call(struct build *b, unsigned long line, struct rule *r, const char *item, json_t *names)
{
	char q[256];
	bool maybe = item[0] == '?';
	const char *s = maybe ? item + 1 : item;
	size_t i;

	if (r->calls == NULL && (r->calls = calloc(sc_count, 1)) == NULL)
		return bad(b, line, "out of memory");
	if (*s == '\0')
		return bad(b, line, "syscall: an empty name");
	if (strcmp(s, "all") == 0 || strcmp(s, "%all") == 0) {
		for (i = 0; i < sc_count; i++)
			r->calls[i] = r->calls[i] ? r->calls[i] : 1;
		json_array_append_new(names, json_string(s));
		return 0;
	}
	if (s[0] == '/')
		return bad(b, line, "syscall: %s: regular expressions are not supported (name the "
		    "calls, or a class such as %%file)", Q(q, s));
	if (s[0] == '%') {
		for (i = 0; i < sizeof classes / sizeof classes[0] && strcmp(classes[i], s + 1); i++)
			;
		if (i == sizeof classes / sizeof classes[0])
			return bad(b, line, "syscall: unknown class '%s' (dios knows %%file, %%desc, "
			    "%%network, %%process, %%signal, %%ipc, %%memory and %%clock)", Q(q, s));
		for (i = 0; i < sc_count; i++)
			if (in_class(&sc_table[i], s + 1) && !r->calls[i])
				r->calls[i] = 1;
		json_array_append_new(names, json_string(s));
		return 0;
	}
	const struct sc_desc *sc = sc_by_name(s);
	if (sc == NULL || sc < sc_table || sc >= sc_table + sc_count) {
		if (maybe)
			return 0;
		if (in_header(s))
			return bad(b, line, "syscall: %s runs natively under dios (it never stops "
			    "there), so no fault can be injected into it", Q(q, s));
		return bad(b, line, "syscall: unknown system call '%s'", Q(q, s));
	}
	r->calls[sc - sc_table] = 2;	/* named on its own */
	json_array_append_new(names, json_string(s));
	return 0;
}

/* A set as one string: items separated by commas, a leading '!' inverts
 * it (strace's syntax). */
static int
add_calls(struct build *b, unsigned long line, struct rule *r, const char *set, json_t *names)
{
	char *dup, *save = NULL, *tok;
	bool neg = set[0] == '!';
	int e = 0;

	if ((dup = strdup(neg ? set + 1 : set)) == NULL)
		return bad(b, line, "out of memory");
	if (*dup == '\0')
		e = bad(b, line, "syscall: no call named");
	for (tok = strtok_r(dup, ",", &save); tok && e == 0; tok = strtok_r(NULL, ",", &save))
		e = add_call(b, line, r, tok, names);
	free(dup);
	if (e == 0 && r->calls == NULL && (r->calls = calloc(sc_count, 1)) == NULL)
		e = bad(b, line, "out of memory");
	if (e == 0 && neg) {
		for (size_t i = 0; i < sc_count; i++)
			r->calls[i] = !r->calls[i];	/* a class's: left out when they cannot */
		json_t *n = json_string("!");
		json_array_insert_new(names, 0, n);
	}
	return e;
}

/* ---- rules ---- */

static void
rule_free(struct rule *r)
{
	free(r->name);
	free(r->calls);
	free(r->path);
	free(r->fdpath);
	free(r->process);
	free(r->when);
	for (int i = 0; i < r->nargs; i++) {
		free(r->args[i].name);
		free(r->args[i].value);
	}
	json_decref(r->json);
}

static void
rule_init(struct rule *r)
{
	memset(r, 0, sizeof *r);
	r->first = 1;
	r->last = WHEN_INF;
	r->step = 1;
	r->json = json_object();
}

static int
set_string(struct build *b, unsigned long line, char **dst, const char *key, const char *v)
{
	if (*v == '\0')
		return bad(b, line, "%s: an empty glob", key);
	if (strlen(v) > SPEC_MAX_TEXT)
		return bad(b, line, "%s: longer than %u bytes", key, SPEC_MAX_TEXT);
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		return bad(b, line, "out of memory");
	return 0;
}

static int
add_tid(struct build *b, unsigned long line, struct rule *r, const char *v)
{
	char q[256];
	uint64_t t;

	if (!parse_u64(v, &t, INT_MAX) || t == 0)
		return bad(b, line, "bad tid: '%s' (expected a thread id, a positive number)", Q(q, v));
	if (r->ntids == MAX_TIDS)
		return bad(b, line, "tid: more than %d ids", MAX_TIDS);
	r->tids[r->ntids++] = (pid_t)t;
	json_t *a = json_object_get(r->json, "tid");
	if (a == NULL)
		json_object_set_new(r->json, "tid", a = json_array());
	json_array_append_new(a, json_integer((json_int_t)t));
	return 0;
}

static int
add_arg(struct build *b, unsigned long line, struct rule *r, const char *name, const char *v)
{
	char q[256];

	if (r->nargs == MAX_ARGS)
		return bad(b, line, "args: more than %d arguments", MAX_ARGS);
	if (*name == '\0' || strlen(name) > 64)
		return bad(b, line, "args: bad argument name '%s'", Q(q, name));
	if (strlen(v) > SPEC_MAX_TEXT)
		return bad(b, line, "args: %s: a value longer than %u bytes", Q(q, name), SPEC_MAX_TEXT);
	for (int i = 0; i < r->nargs; i++)
		if (strcmp(r->args[i].name, name) == 0)
			return bad(b, line, "args: %s given twice", Q(q, name));
	struct argpred *a = &r->args[r->nargs];
	a->is_num = parse_i64(v, &a->num);
	if ((a->name = strdup(name)) == NULL || (a->value = strdup(v)) == NULL) {
		free(a->name);
		return bad(b, line, "out of memory");
	}
	r->nargs++;
	json_t *o = json_object_get(r->json, "args");
	if (o == NULL)
		json_object_set_new(r->json, "args", o = json_object());
	json_object_set_new(o, name, a->is_num ? json_integer((json_int_t)a->num) : json_string(v));
	return 0;
}

/* One scalar key of a rule (both syntaxes); syscall, tid and args have
 * their own adders for YAML's lists and mappings. */
static int
set_key(struct build *b, unsigned long line, struct rule *r, const char *key, const char *v)
{
	char q[256], q2[256];
	uint64_t u;

	if (strlen(v) > SPEC_MAX_TEXT)
		return bad(b, line, "%s: a value longer than %u bytes", Q(q, key), SPEC_MAX_TEXT);
#define DUP(cond) do { if (cond) return bad(b, line, "%s given twice", key); } while (0)
	if (strcmp(key, "syscall") == 0) {
		DUP(r->calls != NULL);
		json_t *names = json_array();
		json_object_set_new(r->json, "syscall", names);
		return add_calls(b, line, r, v, names);
	}
	if (strcmp(key, "name") == 0) {
		DUP(r->name != NULL);
		if (*v == '\0' || strlen(v) > 64)
			return bad(b, line, "name: '%s': from 1 to 64 bytes", Q(q, v));
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p < 0x21 || (unsigned char)*p >= 0x7f)
				return bad(b, line, "name: '%s': printable ASCII without blanks", Q(q, v));
		json_object_set_new(r->json, "name", json_string(v));
		return (r->name = strdup(v)) ? 0 : bad(b, line, "out of memory");
	}
	if (strcmp(key, "path") == 0) {
		DUP(r->path != NULL);
		json_object_set_new(r->json, "path", json_string(v));
		return set_string(b, line, &r->path, key, v);
	}
	if (strcmp(key, "fd-path") == 0) {
		DUP(r->fdpath != NULL);
		json_object_set_new(r->json, "fd-path", json_string(v));
		return set_string(b, line, &r->fdpath, key, v);
	}
	if (strcmp(key, "process") == 0) {
		DUP(r->process != NULL);
		json_object_set_new(r->json, "process", json_string(v));
		return set_string(b, line, &r->process, key, v);
	}
	if (strcmp(key, "tid") == 0)
		return add_tid(b, line, r, v);
	if (strcmp(key, "when") == 0) {	/* strace: the last one counts */
		int e = parse_when(b, line, r, v);
		if (e == 0)
			json_object_set_new(r->json, "when", json_string(v));
		return e;
	}
	if (strcmp(key, "probability") == 0) {
		char *end;
		double p;
		DUP(r->has_prob);
		errno = 0;
		p = strtod(v, &end);
		if (*v == '\0' || *end || errno || !isfinite(p) || p < 0 || p > 1)
			return bad(b, line, "bad probability: '%s' (expected a number from 0 to 1)", Q(q, v));
		r->has_prob = true;
		r->prob = p;
		json_object_set_new(r->json, "probability", json_real(p));
		return 0;
	}
	if (strcmp(key, "error") == 0) {
		DUP(r->error);
		int e = parse_errno(v);
		if (e < 0)
			return bad(b, line, "bad error: '%s' (expected an errno name such as ENOENT, or "
			    "a number from 1 to 4095)", Q(q, v));
		r->error = e;
		const char *n = errno_name(e);
		json_object_set_new(r->json, "error", n ? json_string(n) : json_integer(e));
		return 0;
	}
	if (strcmp(key, "retval") == 0) {
		DUP(r->retval_set);
		if (!parse_u64(v, &u, LONG_MAX))
			return bad(b, line, "bad retval: '%s' (expected a result from 0 to %ld; an "
			    "error is error:)", Q(q, v), LONG_MAX);
		r->retval_set = true;
		r->retval = (long)u;
		json_object_set_new(r->json, "retval", json_integer((json_int_t)u));
		return 0;
	}
	if (strcmp(key, "signal") == 0) {
		char sb[16];
		DUP(r->signal);
		int s = parse_signal(v);
		if (s < 0)
			return bad(b, line, "bad signal: '%s' (expected a name such as SIGUSR1 or USR1, "
			    "or a number from 1 to 64)", Q(q, v));
		r->signal = s;
		json_object_set_new(r->json, "signal", json_string(signal_name(s, sb)));
		return 0;
	}
	if (strcmp(key, "delay_enter") == 0 || strcmp(key, "delay_exit") == 0) {
		bool enter = key[6] == 'e' && key[7] == 'n';
		unsigned us;
		DUP(enter ? r->has_delay_enter : r->has_delay_exit);
		if (!parse_delay(v, &us))
			return bad(b, line, "bad %s: '%s' (expected a duration such as 10ms, 500us or "
			    "2s, a bare number being microseconds, at most 60s)", key, Q(q, v));
		if (enter) {
			r->delay_enter_us = us;
			r->has_delay_enter = true;
		} else {
			r->delay_exit_us = us;
			r->has_delay_exit = true;
		}
		snprintf(q2, sizeof q2, "%s_us", key);
		json_object_set_new(r->json, q2, json_integer(us));
		return 0;
	}
	if (strcmp(key, "short") == 0) {
		DUP(r->has_short);
		if (strcmp(v, "half") == 0)
			r->short_half = true;
		else if (!parse_u64(v, &u, UINT32_MAX) || u == 0)
			return bad(b, line, "bad short: '%s' (expected half, or the bytes to transfer, "
			    "from 1 to %u)", Q(q, v), UINT32_MAX);
		else
			r->shortn = u;
		r->has_short = true;
		json_object_set_new(r->json, "short", r->short_half ? json_string("half") :
		    json_integer((json_int_t)u));
		return 0;
	}
	if (strcmp(key, "force") == 0) {
		bool f;
		if (!parse_bool(v, &f))
			return bad(b, line, "bad force: '%s' (expected true or false)", Q(q, v));
		r->force = f;
		json_object_set_new(r->json, "force", json_boolean(f));
		return 0;
	}
	if (strcmp(key, "args") == 0)
		return bad(b, line, "args: expected a mapping of argument names to values");
	return bad(b, line, "unknown key '%s' (expected name, syscall, path, fd-path, args, when, "
	    "probability, tid, process, error, retval, signal, delay_enter, delay_exit, short or "
	    "force; see dios-fuzz.yaml(5))", Q(q, key));
#undef DUP
}

int
spec_arg_index(const struct sc_desc *sc, const char *name)
{
	for (int i = 0; i < sc->nargs; i++)
		if (strcmp(sc->args[i].name, name) == 0)
			return i;
	return -1;
}

/* Leaves out of r's set the calls of a class that fail test; a call
 * named on its own that fails it is an error (-1, *which it is). */
static int
narrow(struct rule *r, bool (*test)(const struct rule *, const struct sc_desc *),
    const struct sc_desc **which)
{
	const struct sc_desc *first = NULL;
	size_t left = 0;

	for (size_t i = 0; i < sc_count; i++) {
		if (!r->calls[i] || test(r, &sc_table[i])) {
			left += r->calls[i] != 0;
			continue;
		}
		if (r->calls[i] == 2) {
			*which = &sc_table[i];
			return -1;
		}
		if (first == NULL)
			first = &sc_table[i];
		r->calls[i] = 0;
	}
	*which = first;
	return left == 0 ? -1 : 0;
}

static bool
can_error(const struct rule *r, const struct sc_desc *sc)
{
	return errtab_can(sc, r->error);
}

static bool
can_short(const struct rule *r, const struct sc_desc *sc)
{
	return sc_len_arg(sc) >= 0;
}

/* Calls dios-replay runs for real whatever the trace says (the descriptor
 * table mirror: close, dup...): an error or a result injected there, where
 * the call did not run, would not replay. */
static bool
replays_alone(const struct rule *r, const struct sc_desc *sc)
{
	return !(sc->flags & SC_RUN_REAL);
}

/* A result injected into a call that makes a descriptor names none. */
static bool
makes_no_fd(const struct rule *r, const struct sc_desc *sc)
{
	return !(sc->flags & SC_NEWFD) && sc->ret != R_FD;
}

static int cur_arg;	/* the argument can_args looks for (rule_check) */

static bool
has_arg(const struct rule *r, const struct sc_desc *sc)
{
	return spec_arg_index(sc, r->args[cur_arg].name) >= 0;
}

static bool
can_path(const struct rule *r, const struct sc_desc *sc)
{
	return has_kind(sc, A_PATH);
}

static bool
can_fd(const struct rule *r, const struct sc_desc *sc)
{
	return has_kind(sc, A_FD);
}

/* The whole rule makes sense: an action, actions that go together, an
 * error the calls can return, arguments they have.  Calls a class brought
 * in that cannot are left out of the set; a call named on its own is an
 * error. */
static int
rule_check(struct build *b, unsigned long line, struct rule *r)
{
	char names[400], q[256];
	const struct sc_desc *sc = NULL;
	size_t i;

	if (!r->error && !r->retval_set && !r->signal && !r->has_delay_enter && !r->has_delay_exit &&
	    !r->has_short)
		return bad(b, line, "no action (expected error, retval, signal, delay_enter, "
		    "delay_exit or short)");
	if (r->error && r->retval_set)
		return bad(b, line, "error and retval exclude each other (the call fails or "
		    "returns)");
	if (r->has_short && (r->error || r->retval_set))
		return bad(b, line, "short and %s exclude each other (a short transfer runs the call)",
		    r->error ? "error" : "retval");
	if (r->calls) {
		for (i = 0; i < sc_count && !r->calls[i]; i++)
			;
		if (i == sc_count)
			return bad(b, line, "syscall: the set names no call dios stops at");
	}
	if (r->error && !r->force) {
		const char *en = errno_name(r->error);
		char num[16];
		if (en == NULL) {
			snprintf(num, sizeof num, "%d", r->error);
			en = num;
		}
		if (r->calls == NULL)
			return bad(b, line, "error %s on every call: name the calls with syscall: (or "
			    "say force: true)", en);
		if (narrow(r, can_error, &sc) < 0)
			return bad(b, line, "%s cannot return %s (it can return %s); force: true "
			    "injects it all the same", sc ? sc->name : "?", en,
			    sc ? errtab_names(sc, names, sizeof names) : "?");
	}
	if ((r->error || r->retval_set) && !r->force && r->calls && narrow(r, replays_alone, &sc) < 0)
		return bad(b, line, "%s runs for real in dios-replay too (the descriptor table "
		    "mirror), so an %s injected there would not replay; force: true injects it all "
		    "the same", sc ? sc->name : "?", r->error ? "error" : "result");
	if (r->retval_set && !r->force && r->calls && narrow(r, makes_no_fd, &sc) < 0)
		return bad(b, line, "%s makes a descriptor: a result injected there would name "
		    "none the program has, and would not replay; force: true injects it all the same",
		    sc ? sc->name : "?");
	if (r->has_short) {
		if (r->calls == NULL)
			return bad(b, line, "short: name the calls with syscall: (read, write, "
			    "recvfrom...)");
		if (narrow(r, can_short, &sc) < 0)
			return bad(b, line, "short: %s has no buffer with a length that dios "
			    "can lower (read, write, pread64, recvfrom, sendto... do)", sc ? sc->name : "?");
	}
	for (int k = 0; k < r->nargs; k++) {
		if (r->calls == NULL)
			return bad(b, line, "args: name the calls with syscall:");
		cur_arg = k;
		if (narrow(r, has_arg, &sc) < 0)
			return bad(b, line, "args: %s has no argument '%s' (see dios-trace's "
			    "output for the names)", sc ? sc->name : "?", Q(q, r->args[k].name));
	}
	if (r->path && r->calls && narrow(r, can_path, &sc) < 0)
		return bad(b, line, "path: %s takes no path", sc ? sc->name : "?");
	if (r->fdpath && r->calls && narrow(r, can_fd, &sc) < 0)
		return bad(b, line, "fd-path: %s takes no descriptor", sc ? sc->name : "?");
	if (r->name)
		snprintf(r->why, sizeof r->why, "inject:%s", r->name);
	else
		snprintf(r->why, sizeof r->why, "inject:%u", b->ruleno);
	r->line = line;
	return 0;
}

static struct spec *
spec_new(void)
{
	return calloc(1, sizeof(struct spec));
}

static int
spec_add(struct build *b, unsigned long line, struct spec *s, struct rule *r)
{
	struct rule *nr;

	if (s->n == SPEC_MAX_RULES)
		return bad(b, line, "more than %u rules", SPEC_MAX_RULES);
	if ((nr = realloc(s->rules, (s->n + 1) * sizeof *nr)) == NULL)
		return bad(b, line, "out of memory");
	s->rules = nr;
	s->rules[s->n++] = *r;
	return 0;
}

void
spec_free(struct spec *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		rule_free(&s->rules[i]);
	free(s->rules);
	free(s);
}

/* ---- YAML ---- */

enum ntype { N_SCALAR, N_SEQ, N_MAP };

struct node {
	enum ntype t;
	unsigned long line;
	char *text;		/* scalar */
	size_t len;
	struct node **kids;	/* seq: items; map: key, value, key, value... */
	size_t n, cap;
};

static void
node_free(struct node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static int
node_add(struct node *parent, struct node *kid)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		struct node **k = realloc(parent->kids, cap * sizeof *k);
		if (k == NULL)
			return -ENOMEM;
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

/* Builds the tree of the one document of buf. */
static int
yaml_tree(struct build *b, const char *buf, size_t len, struct node **root)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct node *stack[MAX_DEPTH + 1];
	int depth = 0, e = 0, docs = 0;
	size_t nodes = 0;
	bool done = false;

	*root = NULL;
	if (!yaml_parser_initialize(&p))
		return bad(b, 1, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done && e == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			unsigned long line = (unsigned long)p.problem_mark.line + 1;
			if (p.error == YAML_READER_ERROR) {
				line = 1;
				for (size_t i = 0; i < p.problem_offset && i < len; i++)
					line += buf[i] == '\n';
			}
			e = p.error == YAML_MEMORY_ERROR ? bad(b, line, "out of memory") :
			    bad(b, line, "YAML syntax error: %s", p.problem ? p.problem : "unknown error");
			break;
		}
		unsigned long line = (unsigned long)ev.start_mark.line + 1;
		struct node *n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				e = bad(b, line, "a second document: a spec is one (remove '---')");
			break;
		case YAML_ALIAS_EVENT:
			e = bad(b, line, "an alias: dios does not follow them (write the value itself)");
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++nodes > MAX_NODES) {
				e = bad(b, line, "more than %u values", MAX_NODES);
				break;
			}
			if ((n = calloc(1, sizeof *n)) == NULL) {
				e = bad(b, line, "out of memory");
				break;
			}
			n->line = line;
			if (ev.type == YAML_SCALAR_EVENT) {
				n->t = N_SCALAR;
				n->len = ev.data.scalar.length;
				if (n->len > SPEC_MAX_TEXT) {
					free(n);
					e = bad(b, line, "a value longer than %u bytes", SPEC_MAX_TEXT);
					break;
				}
				if ((n->text = malloc(n->len + 1)) == NULL) {
					free(n);
					e = bad(b, line, "out of memory");
					break;
				}
				memcpy(n->text, ev.data.scalar.value, n->len);
				n->text[n->len] = '\0';
				/* A plain ~ or null or nothing is YAML's null: no value. */
				if (ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
				    (n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0))
					n->text[0] = '\0', n->len = 0;
			} else
				n->t = ev.type == YAML_SEQUENCE_START_EVENT ? N_SEQ : N_MAP;
			if (depth == 0) {
				if (*root) {	/* cannot happen: one document */
					node_free(n);
					e = bad(b, line, "a second document");
					break;
				}
				*root = n;
			} else if (node_add(stack[depth - 1], n) < 0) {
				node_free(n);
				e = bad(b, line, "out of memory");
				break;
			}
			if (n->t != N_SCALAR) {
				if (depth == MAX_DEPTH) {
					e = bad(b, line, "lists or mappings nested more than %d deep", MAX_DEPTH);
					break;
				}
				stack[depth++] = n;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (e < 0) {
		node_free(*root);
		*root = NULL;
	}
	return e;
}

static bool
has_nul(const struct node *n)
{
	return memchr(n->text, '\0', n->len) != NULL;
}

static int
scalar(struct build *b, const struct node *n, const char *what)
{
	if (n->t != N_SCALAR)
		return bad(b, n->line, "%s must be a single value, not %s", what,
		    n->t == N_SEQ ? "a list" : "a mapping");
	if (has_nul(n))
		return bad(b, n->line, "%s: contains a NUL byte", what);
	return 0;
}

static int
yaml_rule(struct build *b, const struct node *m, struct spec *s)
{
	struct rule r;
	char q[256];
	int e = 0;

	if (m->t != N_MAP)
		return bad(b, m->line, "expected a mapping (syscall: ..., error: ...)");
	rule_init(&r);
	for (size_t i = 0; i + 1 < m->n && e == 0; i += 2) {
		const struct node *k = m->kids[i], *v = m->kids[i + 1];
		if ((e = scalar(b, k, "a key")) < 0)
			break;
		for (size_t j = 0; j < i && e == 0; j += 2)
			if (strcmp(m->kids[j]->text, k->text) == 0)
				e = bad(b, k->line, "%s given twice", Q(q, k->text));
		if (e)
			break;
		if (strcmp(k->text, "syscall") == 0 && v->t == N_SEQ) {
			json_t *names = json_array();
			json_object_set_new(r.json, "syscall", names);
			if (v->n == 0)
				e = bad(b, v->line, "syscall: an empty list");
			for (size_t j = 0; j < v->n && e == 0; j++)
				if ((e = scalar(b, v->kids[j], "a syscall")) == 0)
					e = add_call(b, v->kids[j]->line, &r, v->kids[j]->text, names);
		} else if (strcmp(k->text, "tid") == 0 && v->t == N_SEQ) {
			for (size_t j = 0; j < v->n && e == 0; j++)
				if ((e = scalar(b, v->kids[j], "a tid")) == 0)
					e = add_tid(b, v->kids[j]->line, &r, v->kids[j]->text);
		} else if (strcmp(k->text, "args") == 0 && v->t == N_MAP) {
			for (size_t j = 0; j + 1 < v->n && e == 0; j += 2)
				if ((e = scalar(b, v->kids[j], "an argument name")) == 0 &&
				    (e = scalar(b, v->kids[j + 1], "an argument's value")) == 0)
					e = add_arg(b, v->kids[j]->line, &r, v->kids[j]->text,
					    v->kids[j + 1]->text);
		} else if ((e = scalar(b, v, Q(q, k->text))) == 0) {
			if (v->len == 0)
				e = bad(b, v->line, "%s: no value", Q(q, k->text));
			else
				e = set_key(b, v->line, &r, k->text, v->text);
		}
	}
	if (e == 0)
		e = rule_check(b, m->line, &r);
	if (e == 0)
		e = spec_add(b, m->line, s, &r);
	if (e)
		rule_free(&r);
	return e;
}

static int
yaml_spec(struct build *b, const struct node *root, struct spec *s)
{
	const struct node *rules = NULL;
	char q[256];
	int e;

	if (root == NULL || (root->t == N_SCALAR && root->len == 0))
		return bad(b, 1, "no rules (expected rules: a list of rules, see dios-fuzz.yaml(5))");
	if (root->t == N_SEQ)
		rules = root;
	else if (root->t == N_MAP) {
		for (size_t i = 0; i + 1 < root->n; i += 2) {
			const struct node *k = root->kids[i], *v = root->kids[i + 1];
			if ((e = scalar(b, k, "a key")) < 0)
				return e;
			for (size_t j = 0; j < i; j += 2)
				if (strcmp(root->kids[j]->text, k->text) == 0)
					return bad(b, k->line, "%s given twice", Q(q, k->text));
			if (strcmp(k->text, "seed") == 0) {
				uint64_t seed;
				if ((e = scalar(b, v, "seed")) < 0)
					return e;
				if (!parse_u64(v->text, &seed, UINT32_MAX) || seed == 0)
					return bad(b, v->line, "bad seed: '%s' (expected a number from 1 to %u)",
					    Q(q, v->text), UINT32_MAX);
				s->seed = seed;
			} else if (strcmp(k->text, "rules") == 0) {
				if (v->t != N_SEQ)
					return bad(b, v->line, "rules: expected a list of rules");
				rules = v;
			} else
				return bad(b, k->line, "unknown key '%s' (expected seed or rules; see "
				    "dios-fuzz.yaml(5))", Q(q, k->text));
		}
	} else
		return bad(b, root->line, "expected a mapping with rules: (see dios-fuzz.yaml(5))");
	if (rules == NULL || rules->n == 0)
		return bad(b, root->line, "no rules (expected rules: a list of rules)");
	if (rules->n > SPEC_MAX_RULES)
		return bad(b, rules->line, "more than %u rules", SPEC_MAX_RULES);
	for (size_t i = 0; i < rules->n; i++) {
		b->ruleno = (unsigned)i + 1;
		if ((e = yaml_rule(b, rules->kids[i], s)) < 0)
			return e;
	}
	b->ruleno = 0;
	return 0;
}

int
spec_load_yaml(const char *name, const char *buf, size_t len, struct spec **out, char *err,
    size_t errlen)
{
	struct build b = { .file = name, .err = err, .errlen = errlen };
	struct node *root;
	struct spec *s;
	int e;

	*out = NULL;
	if (len > SPEC_MAX_BYTES)
		return bad(&b, 1, "larger than %u bytes", SPEC_MAX_BYTES);
	if ((e = yaml_tree(&b, buf, len, &root)) < 0)
		return e;
	if ((s = spec_new()) == NULL) {
		node_free(root);
		return bad(&b, 1, "out of memory");
	}
	e = yaml_spec(&b, root, s);
	node_free(root);
	if (e < 0) {
		spec_free(s);
		return e;
	}
	*out = s;
	return 0;
}

int
spec_load_file(const char *path, struct spec **out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, e = 0;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-e));
		return e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (a spec is read whole, never from a "
		    "pipe or a device)", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > SPEC_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, SPEC_MAX_BYTES);
		close(fd);
		return -EFBIG;
	}
	if ((buf = malloc(SPEC_MAX_BYTES + 1)) == NULL) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t got = read(fd, buf + n, SPEC_MAX_BYTES + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = -errno;
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-e));
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > SPEC_MAX_BYTES) {
			snprintf(err, errlen, "%s: larger than %u bytes", path, SPEC_MAX_BYTES);
			e = -EFBIG;
			break;
		}
	}
	close(fd);
	if (e == 0)
		e = spec_load_yaml(path, buf, n, out, err, errlen);
	free(buf);
	return e;
}

/* ---- strace's syntax ---- */

static int
strace_rule(struct build *b, char *text, struct spec *s)
{
	struct rule r;
	char *save = NULL, *tok, q[256];
	bool fault = false;
	int e = 0;

	while (*text == ' ' || *text == '\t')
		text++;
	if (strncmp(text, "inject=", 7) == 0)
		text += 7;
	else if (strncmp(text, "fault=", 6) == 0) {
		text += 6;
		fault = true;
	}
	if (*text == '\0' || *text == ':')
		return bad(b, 0, "no syscall set (expected SET:error=ENOENT, SET:when=2..3... as "
		    "strace's -e inject=)");
	rule_init(&r);
	tok = strtok_r(text, ":", &save);
	e = set_key(b, 0, &r, "syscall", tok);
	while (e == 0 && (tok = strtok_r(NULL, ":", &save)) != NULL) {
		char *eq = strchr(tok, '=');
		if (eq == NULL) {
			if (strcmp(tok, "force") == 0)
				e = set_key(b, 0, &r, "force", "true");
			else
				e = bad(b, 0, "'%s': expected KEY=VALUE", Q(q, tok));
			continue;
		}
		*eq = '\0';
		if (strcmp(tok, "syscall") == 0 || strcmp(tok, "poke_enter") == 0 ||
		    strcmp(tok, "poke_exit") == 0)
			e = bad(b, 0, "strace's %s= is not supported by dios", tok);
		else if (strcmp(tok, "args") == 0 || strncmp(tok, "arg.", 4) == 0) {
			/* dios: arg.NAME=VALUE */
			e = tok[3] == '.' ? add_arg(b, 0, &r, tok + 4, eq + 1) :
			    bad(b, 0, "args: write arg.NAME=VALUE");
		} else
			e = set_key(b, 0, &r, tok, eq + 1);
	}
	if (e == 0 && fault && !r.error && !r.retval_set) {
		r.error = ENOSYS;	/* strace's fault=: ENOSYS, which no call "can" return */
		r.force = true;
		json_object_set_new(r.json, "error", json_string("ENOSYS"));
	}
	if (e == 0)
		e = rule_check(b, 0, &r);
	if (e == 0)
		e = spec_add(b, 0, s, &r);
	if (e)
		rule_free(&r);
	return e;
}

int
spec_parse_strace(const char *text, struct spec **out, char *err, size_t errlen)
{
	struct build b = { .text = text, .err = err, .errlen = errlen };
	char *dup, *save = NULL, *tok;
	struct spec *s;
	int e = 0;

	*out = NULL;
	if (strlen(text) > MAX_STRACE)
		return bad(&b, 0, "longer than %u bytes", MAX_STRACE);
	if ((dup = strdup(text)) == NULL || (s = spec_new()) == NULL) {
		free(dup);
		return bad(&b, 0, "out of memory");
	}
	for (tok = strtok_r(dup, ";", &save); tok && e == 0; tok = strtok_r(NULL, ";", &save)) {
		char *copy = strdup(tok);
		b.text = tok;
		b.ruleno = (unsigned)s->n + 1;
		e = copy ? strace_rule(&b, copy, s) : bad(&b, 0, "out of memory");
		free(copy);
	}
	if (e == 0 && s->n == 0) {
		b.text = text;
		e = bad(&b, 0, "no rule (expected SET:error=ENOENT, SET:when=2..3... as strace's "
		    "-e inject=)");
	}
	free(dup);
	if (e < 0) {
		spec_free(s);
		return e;
	}
	*out = s;
	return 0;
}

int
spec_from_arg(const char *arg, struct spec **out, char *err, size_t errlen)
{
	struct stat st;
	bool dir = false;

	errno = 0;
	if (stat(arg, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return spec_load_file(arg, out, err, errlen);
		dir = true;
	}
	/* Looks like a file, but there is none: say so, not a syntax error. */
	if (strchr(arg, ':') == NULL && strchr(arg, '=') == NULL &&
	    (strchr(arg, '/') || strstr(arg, ".yaml") || strstr(arg, ".yml"))) {
		int e = dir ? -EISDIR : errno ? -errno : -ENOENT;
		snprintf(err, errlen, "%s: cannot read: %s (a spec is a YAML file or a rule such as "
		    "openat:error=ENOENT)", arg, strerror(-e));
		return e;
	}
	return spec_parse_strace(arg, out, err, errlen);
}

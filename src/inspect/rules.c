/* rules.c: requirement rules over a trace's events (rules.h).
 *
 * Descriptors are followed per process: a table per task group sharing
 * CLONE_FILES.  Each entry is unknown (never seen), open (with how it was
 * opened) or closed (by the program, with the event).  Only what the trace
 * shows counts: a call on a closed number that succeeds means the number was
 * reused by a call this file does not follow, and the entry becomes unknown
 * again, so a missed reuse never makes a violation. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/close_range.h>
#include "inspect/rules.h"
#include "inspect/select.h"
#include "sys/systable.h"
#include "trace/bytes.h"
#include "trace/io.h"
#include "trace/number.h"

const struct rule_desc rules_table[] = {
	{ "error-ignored", RULE_ERROR_IGNORED, 1,
	  "a write, close or fsync on a file or stdout/stderr failed or wrote short, "
	  "and the program exited 0 with nothing written to stderr after it" },
	/* Both leak rules are opt-in: the kernel closes what is open at exit and
	 * nothing is lost (but a deferred write error on NFS), and real programs
	 * do it on purpose (bash's `exec 3>file`, gzip keeping "." open, the
	 * script descriptor 255 of bash). */
	{ "fd-leak", RULE_FD_LEAK, 0,
	  "a file the program opened for writing was still open when its process exited 0" },
	{ "fd-leak-all", RULE_FD_LEAK_ALL, 0,
	  "any descriptor the program opened (not inherited, not 0-2) was still open "
	  "when its process exited 0" },
	{ "closed-fd", RULE_CLOSED_FD, 1,
	  "a call on a descriptor the program had closed (EBADF)" },
	{ "double-close", RULE_DOUBLE_CLOSE, 1,
	  "a close of a descriptor the program had already closed" },
	{ "eintr-not-retried", RULE_EINTR, 1,
	  "a call failed with EINTR, was not made again, and the program then "
	  "exited nonzero or reported on stderr (not close, which must not be)" },
};
const size_t rules_count_table = sizeof rules_table / sizeof *rules_table;

/* The task's next calls in which an interrupted call must come again. */
#define EINTR_WINDOW	8
/* Caps: pending candidates of each kind, violations kept. */
#define MAX_CAND	4096
#define MAX_VIOL	10000
/* Descriptors above this are not followed. */
#define FD_MAX		(1 << 20)

unsigned
rules_default_mask(void)
{
	unsigned m = 0;
	for (size_t i = 0; i < rules_count_table; i++)
		if (rules_table[i].on)
			m |= rules_table[i].bit;
	return m;
}

unsigned
rules_all_mask(void)
{
	unsigned m = 0;
	for (size_t i = 0; i < rules_count_table; i++)
		m |= rules_table[i].bit;
	return m;
}

int
rules_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
	unsigned m = 0;
	const char *p = list, *e;

	if (list == NULL || *list == '\0') {
		snprintf(err, errlen, "an empty list of rules (use all, default, or names; "
		    "--rules list shows them)");
		return -EINVAL;
	}
	for (; *p; p = *e ? e + 1 : e) {
		size_t n, i;
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n == 3 && strncmp(p, "all", 3) == 0) {
			m |= rules_all_mask();
			continue;
		}
		if (n == 7 && strncmp(p, "default", 7) == 0) {
			m |= rules_default_mask();
			continue;
		}
		for (i = 0; i < rules_count_table; i++)
			if (strlen(rules_table[i].name) == n && strncmp(p, rules_table[i].name, n) == 0)
				break;
		if (i == rules_count_table) {
			snprintf(err, errlen, "unknown rule '%.*s' (--rules list shows the rules)",
			    (int)(n > 64 ? 64 : n), p);
			return -EINVAL;
		}
		m |= rules_table[i].bit;
	}
	*mask = m;
	return 0;
}

/* --- descriptor tables ----------------------------------------------------- */

enum { FS_UNKNOWN, FS_OPEN, FS_CLOSED };
enum { FK_OTHER, FK_FILE, FK_PIPE, FK_SOCK };

struct rfd {
	unsigned char state, kind;
	bool inherited;		/* from the header, or a copy of a parent's */
	bool cloexec, wr;
	bool leak_done;
	uint64_t seq;		/* the event that opened (open) or closed (closed) it */
	long long tid;		/* its task */
	char *what;		/* open: "openat(\"/tmp/x\")" */
};

struct rtab {
	struct rfd *v;
	size_t n;
	int refs;
	uint64_t id;		/* never reused: candidates name tables by it */
	uint64_t last_stderr;	/* its tasks' last write to descriptor 2 (0: none) */
};

struct rtask {
	long long tid;
	struct rtab *tab;
	bool implicit;		/* its making was not seen (yet) */
	bool ep;		/* an EINTR pending */
	uint64_t ep_seq;
	char ep_sys[32];
	long long ep_fd;
	int ep_calls;
	struct rtask *next;
};

struct cand {
	uint64_t seq, seq2;
	long long tid, fd;
	uint64_t tab;		/* short writes: the table, cleared by a later write on fd */
	bool shortw;
	char msg[200];
};

struct candlist { struct cand *v; size_t n, cap; };

struct rules {
	unsigned mask;
	bool header;
	long long *hdr_fds;
	size_t nhdr;
	struct rtask *tasks;
	uint64_t next_tab;
	struct candlist ign, intr;
	struct rule_violation *v;
	size_t nv, capv, dropped;
	bool ended;
};

static bool
on(const struct rules *r, unsigned bit)
{
	return (r->mask & bit) != 0;
}

static void
viol(struct rules *r, const char *rule, uint64_t seq, uint64_t seq2, long long tid, long long fd,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void
viol(struct rules *r, const char *rule, uint64_t seq, uint64_t seq2, long long tid, long long fd,
    const char *fmt, ...)
{
	struct rule_violation *x;
	va_list ap;

	if (r->nv == r->capv) {
		size_t n = r->capv ? r->capv * 2 : 16;
		if (r->nv >= MAX_VIOL || (x = realloc(r->v, n * sizeof *x)) == NULL) {
			r->dropped++;
			return;
		}
		r->v = x;
		r->capv = n;
	}
	x = &r->v[r->nv++];
	x->rule = rule;
	x->seq = seq;
	x->seq2 = seq2;
	x->tid = tid;
	x->fd = fd;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

static struct cand *
cand_add(struct candlist *l)
{
	if (l->n == l->cap) {
		size_t n = l->cap ? l->cap * 2 : 16;
		struct cand *v;
		if (l->n >= MAX_CAND || (v = realloc(l->v, n * sizeof *v)) == NULL)
			return NULL;
		l->v = v;
		l->cap = n;
	}
	memset(&l->v[l->n], 0, sizeof l->v[l->n]);
	return &l->v[l->n++];
}

static struct rtab *
tab_new(struct rules *r)
{
	struct rtab *t = calloc(1, sizeof *t);

	if (t) {
		t->refs = 1;
		t->id = ++r->next_tab;
	}
	return t;
}

static void
fd_clear(struct rfd *f)
{
	free(f->what);
	memset(f, 0, sizeof *f);
}

static void
tab_free(struct rtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].what);
	free(t->v);
	free(t);
}

static struct rfd *
fd_get(struct rtab *t, long long fd)
{
	if (t == NULL || fd < 0 || (unsigned long long)fd >= t->n)
		return NULL;
	return &t->v[fd];
}

/* The entry for fd, made when missing; NULL when fd is out of range or on
 * ENOMEM. */
static struct rfd *
fd_make(struct rtab *t, long long fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	if ((size_t)fd >= t->n) {
		size_t n = t->n ? t->n : 16;
		struct rfd *v;
		while (n <= (size_t)fd)
			n *= 2;
		if ((v = realloc(t->v, n * sizeof *v)) == NULL)
			return NULL;
		memset(v + t->n, 0, (n - t->n) * sizeof *v);
		t->v = v;
		t->n = n;
	}
	return &t->v[fd];
}

/* A copy of t for a new process (fork) or an exec that unshares: the
 * descriptors it holds are its parent's (inherited), closed ones stay
 * closed. */
static struct rtab *
tab_copy(struct rules *r, const struct rtab *t)
{
	struct rtab *c = tab_new(r);

	if (c == NULL || t == NULL || t->n == 0)
		return c;
	if ((c->v = calloc(t->n, sizeof *c->v)) == NULL) {
		free(c);
		return NULL;
	}
	c->n = t->n;
	for (size_t i = 0; i < t->n; i++) {
		c->v[i] = t->v[i];
		c->v[i].what = t->v[i].what ? strdup(t->v[i].what) : NULL;
		if (c->v[i].state == FS_OPEN)
			c->v[i].inherited = true;
	}
	return c;
}

static struct rtask *
task_find(struct rules *r, long long tid)
{
	for (struct rtask *t = r->tasks; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* The program's first table: the header's descriptors (0, 1, 2 when it
 * names none), inherited. */
static struct rtab *
tab_root(struct rules *r)
{
	struct rtab *t = tab_new(r);
	static const long long std[] = { 0, 1, 2 };
	const long long *v = r->header && r->hdr_fds ? r->hdr_fds : std;
	size_t n = r->header && r->hdr_fds ? r->nhdr : 3;
	struct rfd *f;

	for (size_t i = 0; t && i < n; i++)
		if ((f = fd_make(t, v[i])) != NULL) {
			f->state = FS_OPEN;
			f->inherited = true;
		}
	return t;
}

static struct rtask *
task_get(struct rules *r, long long tid)
{
	struct rtask *t = task_find(r, tid), *first;

	if (t)
		return t;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	t->tid = tid;
	/* a task whose making the trace does not show shares the table of
	 * the first task still alive (the model does the same) */
	for (first = r->tasks; first && first->next; first = first->next)
		;
	if (first && first->tab) {
		t->tab = first->tab;
		t->tab->refs++;
		t->implicit = true;
	} else if ((t->tab = tab_root(r)) == NULL) {
		free(t);
		return NULL;
	}
	t->next = r->tasks;
	r->tasks = t;
	return t;
}

/* --- descriptors a call names ---------------------------------------------- */

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long
num(const json_t *o, const char *k, long long dflt)
{
	return (long long)json_int64_or(o, k, dflt);
}

static const struct arg_desc *
fd_arg(const struct sc_desc *sc, size_t *i)
{
	for (; sc && *i < (size_t)sc->nargs; (*i)++)
		if (sc->args[*i].kind == A_FD && strcmp(sc->args[*i].name, "newfd") != 0)
			return &sc->args[(*i)++];
	return NULL;
}

/* The first descriptor the call names, or -1. */
static long long
first_fd(const struct sc_desc *sc, const json_t *args)
{
	size_t i = 0;
	const struct arg_desc *a;

	while ((a = fd_arg(sc, &i)) != NULL) {
		long long fd = num(args, a->name, -1);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

static bool
is(const char *sys, const char *name)
{
	return strcmp(sys, name) == 0;
}

/* The call was interrupted by a signal: EINTR, or the kernel's restart
 * codes the recorder sees (ERESTARTSYS is EINTR to a handler without
 * SA_RESTART; a restarted call shows as the same call again). */
static bool
interrupted(const char *err)
{
	return err && (strcmp(err, "EINTR") == 0 || strncmp(err, "ERESTART", 8) == 0);
}

static void
fd_open(struct rtab *t, long long fd, int kind, bool wr, bool cloexec, bool inherited,
    uint64_t seq, long long tid, const char *what)
{
	struct rfd *f = fd_make(t, fd);

	if (f == NULL)
		return;
	fd_clear(f);
	f->state = FS_OPEN;
	f->kind = (unsigned char)kind;
	f->wr = wr;
	f->cloexec = cloexec;
	f->inherited = inherited;
	f->seq = seq;
	f->tid = tid;
	f->what = what ? strdup(what) : NULL;
}

static void
fd_closed(struct rtab *t, long long fd, uint64_t seq, long long tid)
{
	struct rfd *f = fd_make(t, fd);

	if (f == NULL)
		return;
	fd_clear(f);
	f->state = FS_CLOSED;
	f->seq = seq;
	f->tid = tid;
}

/* Control messages' SCM_RIGHTS descriptors anywhere in a recvmsg output. */
static void
received_fds(struct rtab *t, const json_t *j, uint64_t seq, long long tid)
{
	const char *k;
	const json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v) {
			if (strcmp(k, "fds") == 0 && json_is_array(v)) {
				json_array_foreach(v, i, j)
{
					int64_t fd;
					if (json_int64_get(j, &fd) == 0)
						fd_open(t, fd, FK_OTHER, false, false,
						    false, seq, tid, "recvmsg(SCM_RIGHTS)");
				}
			} else
				received_fds(t, v, seq, tid);
		}
	} else if (json_is_array(j))
		json_array_foreach(j, i, v)
			received_fds(t, v, seq, tid);
}

static void
opened(struct rtab *t, const char *sys, const struct sc_desc *sc, const json_t *ev,
    long long ret, uint64_t seq, long long tid)
{
	const json_t *args = json_object_get(ev, "args");
	char what[160];

	if (is(sys, "open") || is(sys, "openat") || is(sys, "openat2") || is(sys, "creat")) {
		const char *p = str(args, "path");
		long long fl = is(sys, "openat2") ? num(json_object_get(args, "how"), "flags", 0) :
		    is(sys, "creat") ? (O_CREAT | O_WRONLY | O_TRUNC) : num(args, "flags", 0);
		bool file = p && strncmp(p, "/dev/", 5) != 0 && strncmp(p, "/proc/", 6) != 0 &&
		    strncmp(p, "/sys/", 5) != 0 && !(fl & (O_PATH | O_DIRECTORY));
		snprintf(what, sizeof what, "%s(\"%.120s\")", sys, p ? p : "?");
		fd_open(t, ret, file ? FK_FILE : FK_OTHER, (fl & O_ACCMODE) != O_RDONLY,
		    (fl & O_CLOEXEC) != 0, false, seq, tid, what);
	} else if (is(sys, "dup") || is(sys, "dup2") || is(sys, "dup3") || is(sys, "fcntl")) {
		long long old = num(args, is(sys, "fcntl") ? "fd" : "oldfd", -1);
		struct rfd *o = fd_get(t, old), copy;
		bool cloexec = is(sys, "fcntl") ? num(args, "cmd", -1) == F_DUPFD_CLOEXEC :
		    is(sys, "dup3") && (num(args, "flags", 0) & O_CLOEXEC);
		if (old == ret)
			return;
		if (o && o->state == FS_OPEN) {
			copy = *o;
			snprintf(what, sizeof what, "%s(%lld)%s%.100s", sys, old, copy.what ? " of " : "",
			    copy.what ? copy.what : "");
			fd_open(t, ret, copy.kind, copy.wr, cloexec, copy.inherited, seq, tid, what);
		} else {
			snprintf(what, sizeof what, "%s(%lld)", sys, old);
			fd_open(t, ret, FK_OTHER, false, cloexec, old <= 2, seq, tid, what);
		}
	} else if (is(sys, "socket") || is(sys, "accept") || is(sys, "accept4")) {
		long long fl = is(sys, "socket") ? num(args, "type", 0) : num(args, "flags", 0);
		snprintf(what, sizeof what, "%s()", sys);
		fd_open(t, ret, FK_SOCK, true, (fl & SOCK_CLOEXEC) != 0, false, seq, tid, what);
	} else if (sc && sc->ret == R_FD) {
		long long fd = first_fd(sc, args);
		if (fd == ret && fd_get(t, fd) && fd_get(t, fd)->state == FS_OPEN)
			return;		/* signalfd on its own descriptor */
		snprintf(what, sizeof what, "%s()", sys);
		fd_open(t, ret, FK_OTHER, false, (num(args, "flags", 0) & O_CLOEXEC) != 0, false,
		    seq, tid, what);
	}
}

/* --- rules over events ----------------------------------------------------- */

/* An EINTR given up: reported now when the program wrote to stderr since,
 * else kept until the end (or a later report on stderr). */
static void
eintr_given_up(struct rules *r, struct rtask *t, const char *next, uint64_t next_seq)
{
	struct cand *c;
	char fdbuf[32] = "";

	t->ep = false;
	if (t->ep_fd >= 0)
		snprintf(fdbuf, sizeof fdbuf, "%lld", t->ep_fd);
	if (t->tab->last_stderr > t->ep_seq) {
		viol(r, "eintr-not-retried", t->ep_seq, next_seq, t->tid, t->ep_fd,
		    "%s(%s) was interrupted (EINTR) and not made again (%s); the program then "
		    "reported on stderr at event %llu", t->ep_sys, fdbuf, next,
		    (unsigned long long)t->tab->last_stderr);
		return;
	}
	if ((c = cand_add(&r->intr)) == NULL)
		return;
	c->seq = t->ep_seq;
	c->seq2 = next_seq;
	c->tid = t->tid;
	c->fd = t->ep_fd;
	c->tab = t->tab->id;
	snprintf(c->msg, sizeof c->msg, "%s(%s) was interrupted (EINTR) and not made again (%s)",
	    t->ep_sys, fdbuf, next);
}

static void
leak_check(struct rules *r, struct rtab *tab, long long tid, uint64_t seq, bool has_seq)
{
	char at[64] = "";

	if (!on(r, RULE_FD_LEAK) && !on(r, RULE_FD_LEAK_ALL))
		return;
	if (has_seq)
		snprintf(at, sizeof at, " at event %llu", (unsigned long long)seq);
	for (size_t fd = 3; fd < tab->n; fd++) {
		struct rfd *f = &tab->v[fd];
		bool wfile = f->kind == FK_FILE && f->wr;
		if (f->state != FS_OPEN || f->inherited || f->leak_done)
			continue;
		f->leak_done = true;
		if (wfile && on(r, RULE_FD_LEAK))
			viol(r, "fd-leak", f->seq, has_seq ? seq : UINT64_MAX, f->tid, (long long)fd,
			    "%s = %zu, opened for writing, still open when process %lld exited 0%s",
			    f->what ? f->what : "open", fd, tid, at);
		else if (on(r, RULE_FD_LEAK_ALL) && !(wfile && on(r, RULE_FD_LEAK)))
			viol(r, "fd-leak-all", f->seq, has_seq ? seq : UINT64_MAX, f->tid, (long long)fd,
			    "%s = %zu still open when process %lld exited 0%s",
			    f->what ? f->what : "open", fd, tid, at);
	}
}

static void
task_exit(struct rules *r, struct rtask *t, const json_t *ev, uint64_t seq)
{
	bool status = json_is_int64(json_object_get(ev, "exit"));
	struct rtask **pp;

	if (t->ep) {
		if (status)
			eintr_given_up(r, t, "the task exited", seq);
		t->ep = false;
	}
	if (t->tab && --t->tab->refs == 0) {
		if (status && num(ev, "exit", 1) == 0)
			leak_check(r, t->tab, t->tid, seq, true);
		tab_free(t->tab);
	}
	for (pp = &r->tasks; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	free(t);
}

static void
follow_clone(struct rules *r, struct rtask *t, const char *sys, const json_t *args, long long child)
{
	long long fl = is(sys, "clone") ? num(args, "flags", 0) : 0;
	struct rtask *c = task_find(r, child);

	if (c && !c->implicit)
		return;
	if (c == NULL && (c = task_get(r, child)) == NULL)
		return;
	c->implicit = false;
	if (c->tab && --c->tab->refs == 0)
		tab_free(c->tab);
	if (fl & CLONE_FILES) {
		c->tab = t->tab;
		t->tab->refs++;
	} else
		c->tab = tab_copy(r, t->tab);
}

/* Task t gets a table of its own (exec, close_range CLOSE_RANGE_UNSHARE). */
static void
tab_unshare(struct rules *r, struct rtask *t)
{
	struct rtab *tab = t->tab, *c;

	if (tab->refs <= 1 || (c = tab_copy(r, tab)) == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)	/* its own, as they were */
		c->v[i].inherited = tab->v[i].inherited;
	tab->refs--;
	t->tab = c;
}

static void
follow_exec(struct rules *r, struct rtask *t)
{
	struct rtab *tab;

	tab_unshare(r, t);
	tab = t->tab;
	for (size_t i = 0; i < tab->n; i++)
		if ((tab->v[i].state == FS_OPEN && tab->v[i].cloexec) || tab->v[i].state == FS_CLOSED)
			fd_clear(&tab->v[i]);	/* the new image knows nothing of these */
}

/* error-ignored: a failed or short write, close or fsync; a candidate until
 * the program writes to stderr, reported at the end when it exited 0. */
static void
check_ignored(struct rules *r, struct rtask *t, const char *sys, const json_t *ev,
    const char *err, long long ret, uint64_t seq)
{
	const json_t *args = json_object_get(ev, "args");
	long long fd = num(args, "fd", -1);
	struct rfd *f = fd_get(t->tab, fd);
	bool wr = is(sys, "write") || is(sys, "pwrite64") || is(sys, "writev");
	bool sync = is(sys, "fsync") || is(sys, "fdatasync");
	struct cand *c;
	long long want = -1;

	if (!wr && !sync && !is(sys, "close"))
		return;
	if (fd < 0 || !(fd == 1 || fd == 2 || (f && f->state == FS_OPEN && f->kind == FK_FILE)))
		return;
	if (err) {
		if (!strcmp(err, "EBADF") || !strcmp(err, "EAGAIN") || !strcmp(err, "EWOULDBLOCK") ||
		    interrupted(err))
			return;
		if (sync && (!strcmp(err, "EINVAL") || !strcmp(err, "EROFS") || !strcmp(err, "ENOTSUP")))
			return;		/* the descriptor cannot be synced: nothing lost */
		if ((c = cand_add(&r->ign)) == NULL)
			return;
		snprintf(c->msg, sizeof c->msg, "%s(%lld) failed with %s", sys, fd, err);
	} else {
		if (!wr)
			return;
		want = is(sys, "writev") ? (long long)json_bytes_len(json_object_get(args, "iov")) :
		    num(args, "count", -1);
		if (want < 0 || ret >= want)
			return;
		if ((c = cand_add(&r->ign)) == NULL)
			return;
		c->shortw = true;
		snprintf(c->msg, sizeof c->msg, "%s(%lld) wrote %lld of %lld bytes and the rest was "
		    "never written", sys, fd, ret, want);
	}
	c->seq = seq;
	c->seq2 = UINT64_MAX;
	c->tid = t->tid;
	c->fd = fd;
	c->tab = t->tab->id;
}

/* A write to descriptor 2 by a task of table tab: the errors ignored so far
 * were reported (or at least the user was told something); the EINTRs that
 * process gave up are confirmed. */
static void
stderr_written(struct rules *r, struct rtab *tab, uint64_t seq)
{
	size_t k = 0;

	tab->last_stderr = seq;
	r->ign.n = 0;
	for (size_t i = 0; i < r->intr.n; i++) {
		struct cand *c = &r->intr.v[i];
		if (c->tab != tab->id) {
			r->intr.v[k++] = *c;
			continue;
		}
		viol(r, "eintr-not-retried", c->seq, c->seq2, c->tid, c->fd,
		    "%s; the program then reported on stderr at event %llu", c->msg,
		    (unsigned long long)seq);
	}
	r->intr.n = k;
}

static void
check_fds(struct rules *r, struct rtask *t, const char *sys, const struct sc_desc *sc,
    const json_t *args, const char *err, uint64_t seq)
{
	size_t i = 0;
	const struct arg_desc *a;
	bool reported = false;

	while ((a = fd_arg(sc, &i)) != NULL) {
		long long fd = num(args, a->name, -1);
		struct rfd *f = fd_get(t->tab, fd);
		char by[48] = "";
		if (f == NULL || f->state != FS_CLOSED)
			continue;
		if (err == NULL || strcmp(err, "EBADF") != 0) {
			f->state = FS_UNKNOWN;	/* reused by a call not followed */
			continue;
		}
		if (reported)
			continue;
		reported = true;
		if (f->tid != t->tid)
			snprintf(by, sizeof by, " (task %lld)", f->tid);
		if (is(sys, "close")) {
			if (on(r, RULE_DOUBLE_CLOSE))
				viol(r, "double-close", seq, f->seq, t->tid, fd,
				    "close(%lld) again after close(%lld) at event %llu%s", fd, fd,
				    (unsigned long long)f->seq, by);
		} else if (on(r, RULE_CLOSED_FD))
			viol(r, "closed-fd", seq, f->seq, t->tid, fd, "%s(%lld) after close(%lld) at event %llu%s",
			    sys, fd, fd, (unsigned long long)f->seq, by);
	}
}

static void
follow_call(struct rules *r, struct rtask *t, const json_t *ev, const char *sys, uint64_t seq)
{
	const struct sc_desc *sc = sc_by_name(sys);
	const json_t *args = json_object_get(ev, "args");
	const char *err = str(ev, "err");
	bool has_ret = json_is_int64(json_object_get(ev, "ret"));
	long long ret = has_ret ? num(ev, "ret", 0) : -1;
	long long fd = first_fd(sc, args);

	if (!has_ret && err == NULL)
		return;		/* unsupported: no result */
	if (t->ep) {
		if ((strcmp(sys, t->ep_sys) == 0 && fd == t->ep_fd) || is(sys, "restart_syscall"))
			t->ep = false;		/* retried (or restarted by the kernel) */
		else if (++t->ep_calls >= EINTR_WINDOW) {
			char next[64];
			snprintf(next, sizeof next, "%d calls later: %.32s", EINTR_WINDOW, sys);
			eintr_given_up(r, t, next, seq);
		}
	}
	/* (not close: an interrupted close has closed the descriptor, and
	 * must not be made again on Linux; close(2)) */
	if (interrupted(err) && on(r, RULE_EINTR) && !t->ep && !is(sys, "close")) {
		t->ep = true;
		t->ep_seq = seq;
		t->ep_fd = fd;
		t->ep_calls = 0;
		snprintf(t->ep_sys, sizeof t->ep_sys, "%s", sys);
	}
	check_fds(r, t, sys, sc, args, err, seq);
	if (on(r, RULE_ERROR_IGNORED))
		check_ignored(r, t, sys, ev, err, ret, seq);
	/* a write on a descriptor clears the short writes before it */
	if ((is(sys, "write") || is(sys, "writev") || is(sys, "pwrite64")) && fd >= 0) {
		size_t k = 0;
		for (size_t j = 0; j < r->ign.n; j++) {
			struct cand *c = &r->ign.v[j];
			if (c->shortw && c->fd == fd && c->tab == t->tab->id && c->seq != seq)
				continue;
			r->ign.v[k++] = *c;
		}
		r->ign.n = k;
		if (fd == 2 && has_ret && ret > 0)
			stderr_written(r, t->tab, seq);
	}
	/* the table */
	if (is(sys, "close")) {
		if (err == NULL || strcmp(err, "EBADF") != 0)
			fd_closed(t->tab, fd, seq, t->tid);
		return;
	}
	if (err != NULL || !has_ret)
		return;
	if (is(sys, "close_range")) {
		long long first = num(args, "first", 0), last = num(args, "last", 0);
		long long fl = num(args, "flags", 0);
		if (fl & CLOSE_RANGE_UNSHARE)
			tab_unshare(r, t);
		for (long long i = first < 0 ? 0 : first; i <= last && (size_t)i < t->tab->n; i++) {
			struct rfd *f = &t->tab->v[i];
			if (f->state != FS_OPEN)
				continue;
			if (fl & CLOSE_RANGE_CLOEXEC)
				f->cloexec = true;
			else
				fd_closed(t->tab, i, seq, t->tid);
		}
	} else if (is(sys, "pipe") || is(sys, "pipe2") || is(sys, "socketpair")) {
		const json_t *fds = json_object_get(json_object_get(ev, "out"), "fds");
		bool pipe = !is(sys, "socketpair");
		long long fl = pipe ? num(args, "flags", 0) : num(args, "type", 0);
		bool cx = pipe ? (fl & O_CLOEXEC) != 0 : (fl & SOCK_CLOEXEC) != 0;
		char what[32];
		snprintf(what, sizeof what, "%s()", sys);
		fd_open(t->tab, num(fds, "fd0", -1), pipe ? FK_PIPE : FK_SOCK, !pipe, cx, false, seq, t->tid, what);
		fd_open(t->tab, num(fds, "fd1", -1), pipe ? FK_PIPE : FK_SOCK, true, cx, false, seq, t->tid, what);
	} else if (is(sys, "fcntl")) {
		long long cmd = num(args, "cmd", -1);
		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
			opened(t->tab, sys, sc, ev, ret, seq, t->tid);
		else if (cmd == F_SETFD) {
			struct rfd *f = fd_get(t->tab, fd);
			if (f && f->state == FS_OPEN)
				f->cloexec = (num(args, "arg", 0) & FD_CLOEXEC) != 0;
		}
	} else if (is(sys, "recvmsg") || is(sys, "recvmmsg")) {
		received_fds(t->tab, json_object_get(ev, "out"), seq, t->tid);
	} else if (is(sys, "clone") || is(sys, "fork") || is(sys, "vfork")) {
		if (ret > 0)
			follow_clone(r, t, sys, args, ret);
	} else if (is(sys, "execve") || is(sys, "execveat")) {
		follow_exec(r, t);
	} else if (ret >= 0 && (is(sys, "dup") || is(sys, "dup2") || is(sys, "dup3") ||
	    (sc && sc->ret == R_FD)))
		opened(t->tab, sys, sc, ev, ret, seq, t->tid);
}

/* Signals asking the program to stop (or a timeout): an EINTR they cause is
 * given up on purpose. */
static bool
stop_signal(const char *sig)
{
	static const char *const stop[] = { "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGALRM",
		"SIGPIPE", "SIGXCPU", NULL };
	for (size_t i = 0; sig && stop[i]; i++)
		if (strcmp(sig, stop[i]) == 0)
			return true;
	return false;
}

static void
header(struct rules *r, const json_t *hdr)
{
	const json_t *fds = json_object_get(hdr, "fds");
	size_t i, n = 0;
	const json_t *v;

	r->header = true;
	if (!json_is_array(fds))
		return;
	free(r->hdr_fds);
	if ((r->hdr_fds = calloc(json_array_size(fds) + 1, sizeof *r->hdr_fds)) == NULL)
		return;
	json_array_foreach(fds, i, v)
{
		int64_t fd;
		if (json_int64_get(v, &fd) == 0)
			r->hdr_fds[n++] = fd;
	}
	r->nhdr = n;
}

void
rules_feed(struct rules *r, const json_t *line)
{
	const char *sys, *event;
	struct rtask *t;
	uint64_t seq;

	if (r == NULL || r->ended || !json_is_object(line))
		return;
	if (!r->header && json_is_string(json_object_get(line, "format"))) {
		header(r, line);
		return;
	}
	if (!trace_line_is_event(line))
		return;		/* a blob line, a footer */
	sys = str(line, "sys");
	event = str(line, "event");
	if ((sys == NULL && event == NULL) || !json_is_int64(json_object_get(line, "tid")))
		return;
	seq = (uint64_t)json_int64_or(line, "seq", 0);
	if ((t = task_get(r, num(line, "tid", 0))) == NULL)
		return;
	if (sys) {
		follow_call(r, t, line, sys, seq);
	} else if (strcmp(event, "exit") == 0) {
		task_exit(r, t, line, seq);
	} else if (strcmp(event, "signal") == 0) {
		if (t->ep && stop_signal(str(line, "sig")))
			t->ep = false;
	}
}

static int
by_seq(const void *a, const void *b)
{
	const struct rule_violation *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

void
rules_end(struct rules *r, const json_t *footer)
{
	const json_t *end = json_object_get(footer, "end");
	bool exited = json_is_int64(json_object_get(end, "exit"));
	long long status = exited ? num(end, "exit", 1) : -1;
	bool failed = (exited && status != 0) || json_is_string(json_object_get(end, "signal"));

	if (r == NULL || r->ended)
		return;
	r->ended = true;
	if (end == NULL) {
		/* cut short or aborted: how the program ended is not known */
		r->ign.n = r->intr.n = 0;
		goto sort;
	}
	for (struct rtask *t = r->tasks; t; t = t->next)
		if (t->ep)
			eintr_given_up(r, t, "the trace ended", UINT64_MAX);
	if (failed)
		for (size_t i = 0; i < r->intr.n; i++) {
			struct cand *c = &r->intr.v[i];
			if (exited)
				viol(r, "eintr-not-retried", c->seq, c->seq2, c->tid, c->fd,
				    "%s; the program then exited with %lld", c->msg, status);
			else
				viol(r, "eintr-not-retried", c->seq, c->seq2, c->tid, c->fd,
				    "%s; the program was then killed by %s", c->msg, str(end, "signal"));
		}
	r->intr.n = 0;
	if (exited && status == 0) {
		for (size_t i = 0; i < r->ign.n; i++) {
			struct cand *c = &r->ign.v[i];
			viol(r, "error-ignored", c->seq, c->seq2, c->tid, c->fd,
			    "%s; the program exited 0 with nothing written to stderr after it", c->msg);
		}
		/* processes the trace shows no exit of (older recorders): at the end */
		for (struct rtask *t = r->tasks; t; t = t->next)
			leak_check(r, t->tab, t->tid, 0, false);
	}
	r->ign.n = 0;
sort:
	if (r->nv > 1)
		qsort(r->v, r->nv, sizeof *r->v, by_seq);
}

struct rules *
rules_new(unsigned mask)
{
	struct rules *r = calloc(1, sizeof *r);

	if (r)
		r->mask = mask;
	return r;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	while (r->tasks) {
		struct rtask *t = r->tasks;
		r->tasks = t->next;
		if (t->tab && --t->tab->refs == 0)
			tab_free(t->tab);
		free(t);
	}
	free(r->hdr_fds);
	free(r->ign.v);
	free(r->intr.v);
	free(r->v);
	free(r);
}

size_t
rules_nviolations(const struct rules *r)
{
	return r ? r->nv : 0;
}

const struct rule_violation *
rules_violation(const struct rules *r, size_t i)
{
	return r && i < r->nv ? &r->v[i] : NULL;
}

size_t
rules_dropped(const struct rules *r)
{
	return r ? r->dropped : 0;
}

json_t *
rules_violation_json(const struct rule_violation *v)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "rule", json_string(v->rule));
	json_object_set_new(o, "seq", json_integer((json_int_t)v->seq));
	if (v->seq2 != UINT64_MAX)
		json_object_set_new(o, "seq2", json_integer((json_int_t)v->seq2));
	json_object_set_new(o, "tid", json_integer(v->tid));
	if (v->fd >= 0)
		json_object_set_new(o, "fd", json_integer(v->fd));
	json_object_set_new(o, "message", json_string(v->msg));
	if (json_object_size(o) < 4) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
rules_check_file(const char *trace, unsigned mask, json_t **violations, char *err, size_t errlen)
{
	struct trace_reader *rd;
	struct rules *r;
	json_t *o, *footer = NULL, *arr = NULL;
	bool hdr = false, bad = false;
	int e, n;

	if (errlen)
		err[0] = '\0';
	if (violations)
		*violations = NULL;
	if ((e = trace_reader_open(&rd, trace)) < 0) {
		snprintf(err, errlen, e == -ENOENT ? "%s: no such trace file" : "%s: cannot read: %s",
		    trace, strerror(-e));
		return e;
	}
	trace_reader_elide(rd, 0);
	if ((r = rules_new(mask)) == NULL) {
		trace_reader_close(rd);
		snprintf(err, errlen, "%s: out of memory", trace);
		return -ENOMEM;
	}
	while ((e = trace_read(rd, &o)) == 1) {
		if (!hdr) {
			hdr = true;
			if (!json_is_string(json_object_get(o, "format"))) {
				json_decref(o);
				snprintf(err, errlen, "%s: line 1: not a dios trace header (no \"format\"); "
				    "dios-trace validate says more", trace);
				bad = true;
				break;
			}
		}
		if (json_object_get(o, "end") || json_object_get(o, "aborted")) {
			json_decref(footer);
			footer = o;
			continue;
		}
		rules_feed(r, o);
		json_decref(o);
	}
	if (bad)
		e = -EBADMSG;
	else if (e == 0 && !hdr) {
		snprintf(err, errlen, "%s: empty, or cut short before its first line: not a usable trace",
		    trace);
		e = -EBADMSG;
	} else if (e == -EBADMSG)
		snprintf(err, errlen, "%s: %s", trace, trace_reader_error(rd));
	else if (e < 0)
		snprintf(err, errlen, "%s: cannot read: %s", trace, strerror(-e));
	trace_reader_close(rd);
	if (e < 0) {
		json_decref(footer);
		rules_free(r);
		return e;
	}
	rules_end(r, json_object_get(footer, "aborted") ? NULL : footer);
	json_decref(footer);
	if (violations && (arr = json_array()) == NULL)
		e = -ENOMEM;
	for (size_t i = 0; arr && i < r->nv; i++)
		if (json_array_append_new(arr, rules_violation_json(&r->v[i])) < 0)
			e = -ENOMEM;
	n = (int)(r->nv > 0x7fffffff ? 0x7fffffff : r->nv);
	rules_free(r);
	if (e < 0) {
		json_decref(arr);
		snprintf(err, errlen, "%s: out of memory", trace);
		return e;
	}
	if (violations)
		*violations = arr;
	return n;
}

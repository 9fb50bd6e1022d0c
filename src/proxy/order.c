/* order.c: the record module's order of writes, and what the program
 * showed on dios-record's own stdout and stderr.
 *
 * Tasks that write to one file, pipe, socket or terminal run those calls in
 * the kernel side by side, and their exit stops come in any order: the
 * events' order would not be the order the bytes went out, and replay,
 * which shows the bytes in the events' order, would show other output.  So
 * while more than one task lives, a write (a row with SC_ORDERED) to an
 * object (device and inode) another task is writing to waits, parked, until
 * that call's exit: the order of the events is the order the writes took
 * effect.  A write that blocks (a full pipe) holds its object; one that
 * held it for two ticks while another waits lets the others go (they
 * would wait for each other otherwise: a reader that must write first),
 * and the broken count says so.
 *
 * The bytes written on the descriptions dios-record's stdout and stderr
 * are (kcmp), counted and hashed in the events' order, go into the footer
 * ("shown"); dios-replay compares what it shows with them.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "sys/capture.h"
#include "sys/systable.h"
#include "trace/bytes.h"
#include "proxy/internal.h"

/* The descriptor whose object sc's call c writes to: its argument named
 * *out* (splice, tee, copy_file_range, sendfile), else its first
 * descriptor; -1 for rows without SC_ORDERED. */
static int
ordered_fd(const struct call *c)
{
	const struct sc_desc *sc = c->sc;
	int first = -1;

	if (sc == NULL || !(sc->flags & SC_ORDERED))
		return -1;
	for (int i = 0; i < sc->nargs; i++)
		if (sc->args[i].kind == A_FD) {
			if (strstr(sc->args[i].name, "out"))
				return (int)c->a[i];
			if (first < 0)
				first = (int)c->a[i];
		}
	return first;
}

/* The entry for t's descriptor fd in its table's cache, filled (stat) when
 * missing; NULL when fd is no descriptor or there is no table. */
static struct fdobj *
object_of(struct task *t, int fd)
{
	struct ptask *pt = t->mod;
	struct fdlock *fl = pt ? pt->fl : NULL;
	char proc[64];
	struct stat st;
	int i;

	if (fl == NULL)
		return NULL;
	for (i = 0; i < fl->nobj; i++)
		if (fl->obj[i].fd == fd)
			return &fl->obj[i];
	snprintf(proc, sizeof proc, "/proc/%d/fd/%d", t->tid, fd);
	if (stat(proc, &st) < 0)
		return NULL;	/* not a descriptor: the call fails */
	if (fl->nobj == DIRECT_FDS) {
		/* the oldest goes */
		memmove(fl->obj, fl->obj + 1, (DIRECT_FDS - 1) * sizeof fl->obj[0]);
		fl->nobj--;
	}
	i = fl->nobj++;
	fl->obj[i] = (struct fdobj){ fd, st.st_dev, st.st_ino, -1 };
	return &fl->obj[i];
}

static bool
several_tasks(const struct kernel *k)
{
	return k->tasks && k->tasks->next;
}

static struct oheld *
held_by_other(struct proxy *p, const struct task *t, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < p->noheld; i++)
		if (p->oheld[i].dev == dev && p->oheld[i].ino == ino && p->oheld[i].tid != t->tid &&
		    !p->oheld[i].broken)
			return &p->oheld[i];
	return NULL;
}

enum verdict
order_enter(struct proxy *p, struct kernel *k, struct task *t, const struct call *c)
{
	struct ptask *pt = t->mod;
	struct fdobj *o;
	int fd;

	if (pt == NULL || pt->oheld || (fd = ordered_fd(c)) < 0 || !several_tasks(k) ||
	    (o = object_of(t, fd)) == NULL)
		return V_PASS;
	if (held_by_other(p, t, o->dev, o->ino)) {
		pt->owait = true;
		pt->odev = o->dev;
		pt->oino = o->ino;
		return V_PARK;
	}
	pt->owait = false;
	if (p->noheld == p->maxoheld) {
		size_t n = p->maxoheld ? 2 * p->maxoheld : 8;
		struct oheld *o = realloc(p->oheld, n * sizeof *o);
		if (o == NULL)
			return V_PASS;	/* unordered, as before */
		p->oheld = o;
		p->maxoheld = n;
	}
	p->oheld[p->noheld] = (struct oheld){ o->dev, o->ino, t->tid, 0, false };
	p->noheld++;
	pt->oheld = true;
	return V_PASS;
}

void
order_release(struct proxy *p, struct task *t)
{
	struct ptask *pt = t->mod;

	if (pt == NULL)
		return;
	pt->owait = false;
	if (!pt->oheld)
		return;
	pt->oheld = false;
	for (size_t i = 0; i < p->noheld; i++)
		if (p->oheld[i].tid == t->tid) {
			p->oheld[i] = p->oheld[--p->noheld];
			break;
		}
}

bool
order_may_go(struct proxy *p, const struct task *t)
{
	const struct ptask *pt = t->mod;

	return pt && pt->owait && held_by_other(p, t, pt->odev, pt->oino) == NULL;
}

void
order_tick(struct proxy *p, struct kernel *k)
{
	for (size_t i = 0; i < p->noheld; i++) {
		struct oheld *o = &p->oheld[i];
		bool waited = false;
		for (struct task *t = k->tasks; t && !waited; t = t->next) {
			const struct ptask *pt = t->mod;
			waited = t->state == TS_PARKED && pt && pt->owait && pt->odev == o->dev &&
			    pt->oino == o->ino;
		}
		if (!waited) {
			o->ticks = 0;
			continue;
		}
		if (++o->ticks >= 2 && !o->broken) {
			o->broken = true;
			p->st.order_broken++;
		}
	}
}

/* The digests' start, once: does kcmp work (else shown_state -1, no
 * digest), and are dios's stdout and stderr one description?  Returns
 * shown_state. */
static int
shown_init(struct proxy *p)
{
	if (p->shown_state == 0) {
		long r = syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 1, 2);
		if (r < 0 && errno != EBADF) {
			p->shown_state = -1;	/* no kcmp: no digest */
			return -1;
		}
		p->shown_state = 1;
		p->shown_same = r == 0;
		for (int i = 0; i < 2; i++)
			sha256_init(&p->shown[i]);
	}
	return p->shown_state;
}

/* Which of dios's own descriptors 1 and 2 share the description of t's
 * descriptor fd: 1, 2, or 0 (none, or kcmp cannot tell). */
int
order_shown_on(struct proxy *p, struct task *t, int fd)
{
	pid_t self = getpid();
	struct fdobj *o;

	if (shown_init(p) < 0)
		return 0;
	if ((o = object_of(t, fd)) != NULL && o->on >= 0)
		return o->on;
	int on = 0;
	if (syscall(SYS_kcmp, self, t->tid, KCMP_FILE, 1, fd) == 0)
		on = 1;
	else if (syscall(SYS_kcmp, self, t->tid, KCMP_FILE, 2, fd) == 0)
		on = p->shown_same ? 1 : 2;
	if (o)
		o->on = on;
	return on;
}

void
order_exit(struct proxy *p, struct task *t, const struct call *c)
{
	const json_t *buf;
	int fd, on;
	void *b;
	size_t len;

	order_release(p, t);
	if (c->ret <= 0 || (fd = call_written(c, c->args, c->out, &buf)) < 0 || buf == NULL ||
	    (on = order_shown_on(p, t, fd)) == 0 || json_get_bytes(buf, &b, &len) < 0)
		return;
	if ((size_t)c->ret < len)
		len = (size_t)c->ret;
	sha256_update(&p->shown[on - 1], b, len);
	p->shown_n[on - 1] += len;
	free(b);
}

json_t *
order_shown(struct proxy *p)
{
	static const char *const names[2] = { "stdout", "stderr" };
	json_t *o;

	if (shown_init(p) < 0)	/* (nothing written: the digests of nothing) */
		return NULL;
	if ((o = json_object()) == NULL)
		return NULL;
	for (int i = 0; i < (p->shown_same ? 1 : 2); i++) {
		uint8_t d[32];
		char hex[65];
		struct sha256 s = p->shown[i];
		sha256_final(&s, d);
		sha256_hex(d, hex);
		json_object_set_new(o, names[i], json_pack("{s:I, s:s}", "bytes",
		    (json_int_t)p->shown_n[i], "sha256", hex));
	}
	if (p->shown_same)
		json_object_set_new(o, "same", json_true());
	return o;
}

/* fds.c: the descriptor mirror (private to src/replay): which descriptors
 * show the recording's stdout/stderr, and the program's output shown again
 * there; the /dev/null placeholders that keep the real table a mirror of
 * the recorded one, and the pending ones, made only when a call needs the
 * real table.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "kernel/tracee.h"
#include "replay/internal.h"

unsigned char *
rp_stdio_of(struct replay *r, struct task *t)
{
	struct rtask *rt = RTR(r, t);

	return rt->fds ? rt->fds->stdio : NULL;
}

void
rp_fdtab_put(struct fdtab *f)
{
	if (f && --f->refs == 0)
		free(f);
}

int
rp_gate(struct replay *r, char *err, size_t errlen)
{
	if (r->conf.gate && !r->gated) {
		r->gated = true;
		if (r->conf.gate(r->conf.gate_ctx, err, errlen) < 0)
			return -1;
		clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);	/* waiting is not the program's */
		r->called = r->progress;
	}
	return 0;
}

/* Is descriptor fd of dios (its stdout or stderr) a regular file, where
 * a position means something? */
static bool
seekable(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* The offset a positioned write (pwrite64, pwritev, pwritev2 with an
 * offset other than -1) writes at, or -1 for a write at the position. */
static int64_t
write_offset(const struct call *c)
{
	switch (c->nr) {
	case SYS_pwrite64:
	case SYS_pwritev:
		return (int64_t)c->a[3];
#ifdef SYS_pwritev2
	case SYS_pwritev2:
		return (int64_t)c->a[3] < 0 ? -1 : (int64_t)c->a[3];
#endif
	}
	return -1;
}

/* Shows again what the program wrote to the stdout/stderr it was given:
 * the bytes of a write, or the "data" record kept for a copy.  When that
 * is a regular file for dios too, a positioned write writes at its offset
 * and an lseek moves dios's position where the recorded one went, so the
 * file ends as the recording's did (a file opened for appending still only
 * grows).  The first time, passes conf.gate first: -1 with the message in
 * err when it fails. */
int
rp_echo_output(struct replay *r, const unsigned char *stdio, const struct call *c,
    const json_t *out, long ret, char *err, size_t errlen)
{
	const json_t *buf;
	int fd;
	void *b;
	size_t len;

	if (c->nr == SYS_lseek && ret >= 0 && !r->conf.quiet && stdio && (int)c->a[0] >= 0 &&
	    (int)c->a[0] < MAX_FD && stdio[(int)c->a[0]] && seekable(stdio[(int)c->a[0]]))
		(void)lseek(stdio[(int)c->a[0]], (off_t)ret, SEEK_SET);
	if (r->conf.quiet || ret <= 0)
		return 0;
	fd = call_written(c, c->args, out, &buf);
	if (fd < 0 || fd >= MAX_FD || stdio == NULL || stdio[fd] == 0)
		return 0;
	if (buf == NULL) {	/* splice, tee: bytes the trace does not hold */
		r->unshown += (uint64_t)ret;
		return 0;
	}
	if (rp_gate(r, err, errlen) < 0)
		return -1;
	if (json_get_bytes(buf, &b, &len) < 0)
		return 0;
	if ((size_t)ret < len)
		len = (size_t)ret;
	sha256_update(&r->shown[stdio[fd] - 1], b, len);
	r->shown_n[stdio[fd] - 1] += len;
	sha256_update(&r->shown[2], b, len);
	r->shown_n[2] += len;
	int64_t at = write_offset(c);
	if (at >= 0 && !seekable(stdio[fd]))
		at = -1;
	for (size_t off = 0; off < len;) {
		ssize_t w = at >= 0 ? pwrite(stdio[fd], (char *)b + off, len - off, (off_t)(at + (int64_t)off)) :
		    write(stdio[fd], (char *)b + off, len - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	free(b);
	return 0;
}

/* Descriptor table bookkeeping for the calls that change it. */
void
rp_note_fds(unsigned char *stdio, const struct call *c, long ret)
{
	int a0 = (int)c->a[0];
	bool dup = c->nr == SYS_dup || c->nr == SYS_dup2 || c->nr == SYS_dup3 ||
	    (c->nr == SYS_fcntl && (c->a[1] == F_DUPFD || c->a[1] == F_DUPFD_CLOEXEC));

	if (ret < 0 || stdio == NULL)
		return;
	if ((c->sc && (c->sc->flags & SC_NEWFD)) && ret < MAX_FD) {
		stdio[ret] = 0;
	} else if (c->nr == SYS_close && a0 >= 0 && a0 < MAX_FD) {
		stdio[a0] = 0;
	} else if (c->nr == SYS_close_range) {
		for (uint64_t fd = c->a[0]; fd <= c->a[1] && fd < MAX_FD; fd++)
			if (!(c->a[2] & 4 /* CLOSE_RANGE_CLOEXEC */))
				stdio[fd] = 0;
	} else if (dup && a0 >= 0 && a0 < MAX_FD && ret < MAX_FD) {
		stdio[ret] = stdio[a0];
	}
}

static bool
wants_cloexec(const struct call *c)
{
	const json_t *how = json_object_get(c->args, "how");

	if (json_int64_or(c->args, "flags", 0) & O_CLOEXEC)
		return true;
	if (c->sc && c->sc->cls == CLS_NET && (json_int64_or(c->args, "type", 0) & SOCK_CLOEXEC))
		return true;	/* socket(): the flag rides on the type */
	return how && (json_int64_or(how, "flags", 0) & O_CLOEXEC);
}

/* The descriptors the recorded call ev created (its family's list, or the
 * result of an SC_NEWFD row), into fds; their count. */
int
rp_new_fds(const struct call *c, const json_t *ev, long ret, int *fds, bool *cloexec)
{
	const json_t *nf = json_object_get(ev, "newfds"), *v;
	size_t i;
	int n = 0;

	*cloexec = false;
	if (ret < 0 || c->sc == NULL)
		return 0;
	if (nf && c->nr == SYS_read) {	/* a fanotify read (src/sys/fanotify.c) */
		json_array_foreach(json_object_get(nf, "fds"), i, v) {
			int64_t fd;
			if (json_int64_get(v, &fd) < 0 || fd < 0 || fd >= MAX_FD || n == MAX_NEWFDS)
				return -EINVAL;
			fds[n++] = (int)fd;
		}
		*cloexec = json_is_true(json_object_get(nf, "cloexec"));
		return n;
	}
	if (c->sc->fam && c->sc->fam->newfds)
		return c->sc->fam->newfds(c, ev, fds, MAX_NEWFDS, cloexec);
	if (!(c->sc->flags & SC_NEWFD))
		return 0;
	fds[0] = (int)ret;
	*cloexec = wants_cloexec(c);
	return 1;
}

/* Puts a /dev/null placeholder at each of the n numbers in fds (cloexec[i]:
 * close-on-exec) in t's real table; t is at the seccomp stop of its call
 * (registers saved) and ends at the exit stop of the last call made.  A
 * number still in use is an error (the mirror is out of step); a lower free
 * one is passed over with dup3.  V_RESUME when done. */
static enum verdict
put_placeholders(struct replay *r, struct kernel *k, struct task *t,
    const struct user_regs_struct *saved, const int *fds, const bool *cloexec, int n)
{
	uint64_t path, args[6] = { 0 };
	long got, ignored;
	int e;

	if ((e = scratch_put(t->tid, t->call.sp, "/dev/null", 10, &path)) < 0)
		return rp_lost(r, k, t, e);
	for (int i = 0; i < n; i++) {
		args[0] = (uint64_t)AT_FDCWD;
		args[1] = path;
		args[2] = O_RDWR | (cloexec[i] ? O_CLOEXEC : 0);
		e = i == 0 ? remote_syscall_at_entry(t->tid, saved, SYS_openat, args, &got) :
		    remote_syscall_again(t->tid, saved, SYS_openat, args, &got);
		if (e < 0)
			return rp_lost(r, k, t, e);
		if (got < 0)
			return rp_fail(r, k, "cannot open /dev/null as the placeholder of descriptor %d "
			    "(%s): %s", fds[i], t->call.sc->name, strerror((int)-got));
		if (got == fds[i])
			continue;
		uint64_t a2[6] = { (uint64_t)got };
		if (got > fds[i]) {
			remote_syscall_again(t->tid, saved, SYS_close, a2, &ignored);
			return rp_fail(r, k, "the descriptor table is out of step with the recording: "
			    "descriptor %d, made by the program when recording, is in use now "
			    "(at %s)", fds[i], t->call.sc->name);
		}
		uint64_t a3[6] = { (uint64_t)got, (uint64_t)fds[i], cloexec[i] ? O_CLOEXEC : 0 };
		long moved;
		if ((e = remote_syscall_again(t->tid, saved, SYS_dup3, a3, &moved)) < 0 ||
		    (e = remote_syscall_again(t->tid, saved, SYS_close, a2, &ignored)) < 0)
			return rp_lost(r, k, t, e);
		if (moved != fds[i])
			return rp_fail(r, k, "cannot put the placeholder of descriptor %d (%s): %s",
			    fds[i], t->call.sc->name, strerror(moved < 0 ? (int)-moved : EBADF));
	}
	return V_RESUME;
}

/* Is t's table its own (no other task shares it)?  The replay keeps a
 * reference to the root's. */
static bool
table_private(const struct replay *r, const struct rtask *rt)
{
	return rt->fds && rt->fds->refs - (rt->fds == r->root_fds) == 1;
}

static int
pending_find(const struct fdtab *f, int fd)
{
	for (int i = 0; f && i < f->npending; i++)
		if (f->pending[i].fd == fd)
			return i;
	return -1;
}

/* The pending entry a call closes: a close that succeeded when recording,
 * of a descriptor whose placeholder was never made; -1 for any other. */
int
rp_pending_closed(const struct call *c, long ret, const struct fdtab *f)
{
	return c->nr == SYS_close && ret == 0 ? pending_find(f, (int)c->a[0]) : -1;
}

/* Does the call matched with ev (result ret) need t's real table to match
 * the recording's: does it run for real and name, copy or pass on
 * descriptors?  (A close of a pending descriptor does not: see answer.) */
bool
rp_needs_real_table(const struct call *c, const json_t *ev, long ret, const struct fdtab *f)
{
	const struct sc_desc *sc = c->sc;
	enum replay_mode mode = (sc->flags & SC_RUN_REAL) ? RM_RUN_REAL : RM_EMULATE;

	if (sc->fam && sc->fam->mode)
		mode = sc->fam->mode(c);
	if ((sc->flags & (SC_EXEC | SC_CLONE)) && ret >= 0)
		return true;
	if ((sc->flags & SC_MAP) && ret >= 0 && json_object_get(ev, "map") == NULL &&
	    !(c->a[3] & MAP_ANONYMOUS))
		return true;
	return mode == RM_RUN_REAL && rp_pending_closed(c, ret, f) < 0;
}

/* Makes t's pending placeholders (lowest number first), then has t make
 * its call again: replay_enter sees it anew, with a real table. */
enum verdict
rp_materialize(struct replay *r, struct kernel *k, struct task *t)
{
	struct fdtab *f = RT(t)->fds;
	struct user_regs_struct regs = t->call.regs;	/* as at the seccomp stop */
	int fds[PENDING_MAX], n = 0, e;
	bool cloexec[PENDING_MAX];
	enum verdict v;

	for (int i = 0; i < f->npending; i++, n++) {	/* insertion sort */
		int j = n;
		for (; j > 0 && fds[j - 1] > f->pending[i].fd; j--) {
			fds[j] = fds[j - 1];
			cloexec[j] = cloexec[j - 1];
		}
		fds[j] = f->pending[i].fd;
		cloexec[j] = f->pending[i].cloexec;
	}
	f->npending = 0;
	if ((v = put_placeholders(r, k, t, &regs, fds, cloexec, n)) != V_RESUME)
		return v;
	regs.rax = regs.orig_rax;
	regs.rip -= 2;		/* back onto the syscall instruction */
	if ((e = regs_set(t->tid, &regs)) < 0)
		return rp_lost(r, k, t, e);
	return V_RESUME;
}

/* New descriptors: a /dev/null placeholder at each recorded number keeps
 * the real table a mirror of the recorded one (made now, or, in a table of
 * one task, pending until a call needs it); then the call returns its
 * recorded outputs and result. */
enum verdict
rp_placeholder(struct replay *r, struct kernel *k, struct task *t, const json_t *ev, long ret,
    const int *fds, int n, bool cloexec)
{
	struct user_regs_struct saved = t->call.regs;	/* as at the seccomp stop */
	struct rtask *rt = RT(t);
	struct fdtab *f = rt->fds;
	bool cx[MAX_NEWFDS], pended = false;
	enum verdict v;
	int e;

	if (f && table_private(r, rt) && f->npending + n <= PENDING_MAX) {
		pended = true;
		for (int i = 0; i < n; i++) {
			f->pending[f->npending].fd = fds[i];
			f->pending[f->npending++].cloexec = cloexec;
		}
		if ((e = call_skip(t->tid, &saved, ret)) < 0)
			return rp_lost(r, k, t, e);
	} else {
		for (int i = 0; i < n; i++)
			cx[i] = cloexec;
		if ((v = put_placeholders(r, k, t, &saved, fds, cx, n)) != V_RESUME)
			return v;
	}
	if ((e = inject_out(t->tid, &t->call, json_object_get(ev, "out"), ret)) < 0)
		return rp_fail(r, k, "event %llu: cannot give the program the recorded outputs of %s: %s",
		    (unsigned long long)rp_seq_of(ev), t->call.sc->name,
		    e == -EINVAL ? "they do not fit its buffers (was the trace edited?)" : strerror(-e));
	if (!pended && (e = remote_finish(t->tid, &saved, ret)) < 0)
		return rp_lost(r, k, t, e);
	unsigned char *stdio = rp_stdio_of(r, t);
	for (int i = 0; i < n && stdio; i++)
		if (fds[i] >= 0 && fds[i] < MAX_FD)
			stdio[fds[i]] = 0;
	rp_signal_after_call(r, k, t);
	return V_RESUME;
}

/* Is another task running a call that changes the descriptor table for
 * real (close, dup2...)?  Its event is matched already, but the kernel has
 * not done it yet: the next such call waits for it. */
bool
rp_fd_change_in_flight(struct kernel *k, struct task *t)
{
	for (struct task *u = k->tasks; u; u = u->next)
		if (u != t && u->state == TS_IN_CALL && u->mod &&
		    ((struct rtask *)u->mod)->kind == EX_RUN_REAL)
			return true;
	return false;
}

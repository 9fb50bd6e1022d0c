/* direct.c: the record module's direct calls: read, pread64, fstat,
 * newfstatat of "", lseek and fadvise64 of a regular file on a local file
 * system, made by dios on its copy (pidfd_getfd) of the program's
 * descriptor, in one stop; the copies, kept in the descriptor table's
 * struct fdlock, and which file systems qualify (asked once per device).
 */
#include "config.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include "kernel/tracee.h"
#include "trace/fileid.h"
#include "sys/family.h"
#include "proxy/internal.h"

/* Forgets the copies of the numbers lo..hi (with absent: the numbers known
 * not to be usable too, which a new descriptor may now take), and what
 * order.c knows of them. */
static void
direct_forget_range(struct fdlock *fl, uint64_t lo, uint64_t hi, bool absent)
{
	int i, n = 0;

	proxy_fast_fd_gone(fl, lo, hi);
	for (i = 0; i < fl->nobj; i++) {
		uint64_t fd = (uint64_t)fl->obj[i].fd;
		if (fd < lo || fd > hi)
			fl->obj[n++] = fl->obj[i];
	}
	fl->nobj = n;
	n = 0;
	for (i = 0; i < fl->ndirect; i++) {
		uint64_t fd = (uint64_t)fl->direct[i].fd;
		if ((fd >= lo && fd <= hi) || (absent && fl->direct[i].local < 0)) {
			if (fl->direct[i].local >= 0)
				close(fl->direct[i].local);
		} else
			fl->direct[n++] = fl->direct[i];
	}
	fl->ndirect = n;
}

void
proxy_direct_forget(struct fdlock *fl)
{
	direct_forget_range(fl, 0, UINT64_MAX, true);
}

/* Before call c changes the table: the numbers it may close or replace
 * lose their copies.  Calls that only make new descriptors take free
 * numbers, which have no copy (only absent entries). */
void
proxy_direct_forget_for(struct fdlock *fl, const struct call *c)
{
	switch (c->nr) {
	case SYS_close:
		direct_forget_range(fl, c->a[0] & 0xffffffffu, c->a[0] & 0xffffffffu, false);
		break;
	case SYS_dup2: case SYS_dup3:
		direct_forget_range(fl, c->a[1] & 0xffffffffu, c->a[1] & 0xffffffffu, true);
		break;
	case SYS_close_range:
		direct_forget_range(fl, c->a[0] & 0xffffffffu, c->a[1] & 0xffffffffu, true);
		break;
	default:
		if ((c->sc->flags & SC_NEWFD) || (c->sc->fam && c->sc->fam->newfds) ||
		    c->nr == SYS_dup || c->nr == SYS_fcntl || c->nr == SYS_ioctl)
			direct_forget_range(fl, 1, 0, true);
		else
			proxy_direct_forget(fl);
	}
}

/* File systems whose reads dios may do in the program's stead: local
 * disks and memory (fileid_local_fs). */
static bool
direct_fs(long type)
{
	return fileid_local_fs(type);
}

/* The index of fd's entry among fl's copies, or -1. */
int
proxy_direct_find(const struct fdlock *fl, int fd)
{
	for (int i = 0; i < fl->ndirect; i++)
		if (fl->direct[i].fd == fd)
			return i;
	return -1;
}

/* Is the file system of device dev one of direct_fs's?  Asked once per
 * device (fstatfs of fd, which is on it). */
static bool
direct_dev(dev_t dev, int fd)
{
	static struct { dev_t dev; bool ok; } seen[16];
	static int nseen;
	struct statfs sf;
	bool ok;

	for (int i = 0; i < nseen; i++)
		if (seen[i].dev == dev)
			return seen[i].ok;
	if (fstatfs(fd, &sf) < 0)
		return false;
	ok = direct_fs((long)sf.f_type);
	if (nseen < 16) {
		seen[nseen].dev = dev;
		seen[nseen++].ok = ok;
	}
	return ok;
}

/* dios's copy of descriptor fd of the table of process pid when it is a
 * regular file on such a file system, else -1.  Its access mode and flags
 * need no check: a call dios makes on it is the program's call on the same
 * open file, and one that fails (reading a file open for writing only, an
 * O_DIRECT buffer out of line) is left to the program. */
static int
direct_local(struct fdlock *fl, pid_t pid, int fd)
{
	struct stat st;
	int local, i;

	if ((i = proxy_direct_find(fl, fd)) >= 0)
		return fl->direct[i].local;
	if (!fl->asked) {
		fl->asked = true;
		if ((fl->pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0)
			fl->pidfd = -1;
	}
	if (fl->pidfd < 0 || fd < 0)
		return -1;
	local = (int)syscall(SYS_pidfd_getfd, fl->pidfd, fd, 0);	/* close-on-exec */
	if (local >= 0 && (fstat(local, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !direct_dev(st.st_dev, local))) {
		close(local);
		local = -1;
	}
	if (fl->ndirect == DIRECT_FDS) {
		if (fl->direct[0].local >= 0)
			close(fl->direct[0].local);
		memmove(fl->direct, fl->direct + 1, (DIRECT_FDS - 1) * sizeof fl->direct[0]);
		fl->ndirect--;
	}
	fl->direct[fl->ndirect].fd = fd;
	fl->direct[fl->ndirect].local = local;
	fl->ndirect++;
	return local;
}

/* A call on a descriptor of a regular file (direct_local) made by dios on
 * its copy: the same open file, so the same offset and the same result.
 * What it gives is written into the task and the call skipped: one stop
 * instead of two.  read and pread64 (of at most DIRECT_MAX bytes), fstat
 * and newfstatat of "" with AT_EMPTY_PATH, lseek and fadvise64.  False: the
 * task makes the call itself (another call, an error, a buffer the program
 * may not write: read-only, PROT_NONE or unmapped, where its own call gets
 * EFAULT, or a change of the table in flight in another thread). */
bool
proxy_direct_call(struct proxy *p, struct task *t, struct call *c)
{
	struct ptask *pt = t->mod;
	bool positional = c->nr == SYS_pread64;
	size_t count = (size_t)c->a[2];
	uint64_t addr = 0;
	long ret;
	int local;

	switch (c->nr) {
	case SYS_read: case SYS_pread64:
		if (count == 0 || count > DIRECT_MAX || (positional && (int64_t)c->a[3] < 0))
			return false;
		addr = c->a[1];
		break;
	case SYS_newfstatat: {
		const char *path = json_string_value(json_object_get(c->args, "path"));
		if (!(c->a[3] & AT_EMPTY_PATH) || path == NULL || path[0] != '\0')
			return false;
		addr = c->a[2];
		break;
	}
	case SYS_fstat:
		addr = c->a[1];
		break;
	case SYS_lseek: case SYS_fadvise64:
		break;
	default:
		return false;
	}
	if (pt == NULL || pt->fl == NULL || pt->fl->holder != 0)
		return false;
	if (p->dbuf == NULL && (p->dbuf = malloc(DIRECT_MAX)) == NULL)
		return false;
	if ((local = direct_local(pt->fl, pt->tgid ? pt->tgid : t->tid, (int)c->a[0])) < 0)
		return false;
	switch (c->nr) {
	case SYS_read: case SYS_pread64: {
		ssize_t n = positional ? pread(local, p->dbuf, count, (off_t)c->a[3]) :
		    read(local, p->dbuf, count);
		if (n < 0)
			return false;
		if (n > 0 && mem_write_as_program(t->tid, addr, p->dbuf, (size_t)n) < 0) {
			if (!positional)
				(void)lseek(local, -(off_t)n, SEEK_CUR);
			return false;
		}
		mem_shadow(t->tid, addr, p->dbuf, (size_t)n);
		ret = (long)n;
		break;
	}
	case SYS_fstat: case SYS_newfstatat:
		if (syscall(SYS_fstat, local, p->dbuf) < 0 ||
		    mem_write_as_program(t->tid, addr, p->dbuf, sizeof(struct stat)) < 0)
			return false;
		mem_shadow(t->tid, addr, p->dbuf, sizeof(struct stat));
		ret = 0;
		break;
	case SYS_lseek:
		if ((ret = (long)lseek(local, (off_t)c->a[1], (int)c->a[2])) < 0)
			return false;
		break;
	default:	/* fadvise64 */
		if (posix_fadvise(local, (off_t)c->a[1], (off_t)c->a[2], (int)c->a[3]) != 0)
			return false;
		ret = 0;
		break;
	}
	if (call_skip(t->tid, &c->regs, ret) < 0) {
		/* the task is gone (ESRCH): nothing to undo but a read's offset */
		if (c->nr == SYS_read)
			(void)lseek(local, -(off_t)ret, SEEK_CUR);
		mem_shadow_clear();
		return false;
	}
	c->ret = ret;
	/* the agent may take the next; writes too, but to the descriptions
	 * whose bytes dios-record counts (order.c) */
	if (p->fast && !proxy_fast_fd_is_ok(pt->fl, (int)c->a[0]))
		proxy_fast_fd_ok(pt->fl, (int)c->a[0], !p->no_writes && order_shown_on(p, t, (int)c->a[0]) == 0);
	return true;
}

/* A new descriptor fd of t's (an open's result): with the agent in its
 * process, dios takes its copy now when it is a regular file of
 * direct_fs's, so that the agent may take the first read, seek or stat
 * of it too. */
void
proxy_direct_new(struct proxy *p, struct task *t, int fd)
{
	struct ptask *pt = t->mod;

	if (!p->fast || pt == NULL || pt->fast.agent != 1 || pt->fl == NULL || pt->fl->holder != 0 ||
	    (unsigned)fd >= AGENT_FDS)
		return;
	if (direct_local(pt->fl, pt->tgid ? pt->tgid : t->tid, fd) >= 0)
		proxy_fast_fd_ok(pt->fl, fd, !p->no_writes && order_shown_on(p, t, fd) == 0);
}

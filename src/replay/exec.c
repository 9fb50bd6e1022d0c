/* exec.c: the program's execs in replay (private to src/replay): which
 * file runs and by which name (the host's, as recorded; the interpreter of
 * a script the program made, with the arguments the kernel gave it; the
 * executable a gone symlink led to; the cache's copy of one the program
 * built, or of any in a portable trace, with its loader), made so that the
 * initial stack is the recorded one (a name of the recorded length,
 * through the file's directory); the ends of the threads an exec ends; and
 * the exec hook (vDSO, AT_RANDOM, the interpreter bytes given back).
 */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <elf.h>
#include "sys/capture.h"
#include "trace/blobstore.h"
#include "trace/bytes.h"
#include "trace/fileid.h"
#include "trace/number.h"
#include "kernel/tracee.h"
#include "kernel/vdso.h"
#include "replay/internal.h"

/* An exec ends the other threads of its process, and the recording wrote
 * their ends when it saw them, before the execve event (written at its
 * exit).  Are the events from r->next on the ends (exits, not by a signal)
 * of tasks of process proc, followed by a successful exec of a task of
 * proc (execer's, when execer is not 0)?  Their number, or 0. */
size_t
rp_ends_before_exec(struct replay *r, struct kernel *k, pid_t proc, pid_t execer)
{
	size_t n = 0;
	json_t *ev = r->next;

	for (size_t i = 0; ev; ev = rp_look(r, i++)) {
		const char *kind = rp_event_kind(ev), *sys = json_string_value(json_object_get(ev, "sys"));
		pid_t v = rp_owner_of(ev);
		if (kind && !strcmp(kind, "exit") && !json_object_get(ev, "signal") && rp_process_of(k, v) == proc) {
			n++;
			continue;
		}
		int ok;
		bool exec = sys && (!strcmp(sys, "execve") || !strcmp(sys, "execveat")) &&
		    event_result(ev, &ok) >= 0 && ok;
		return exec && rp_process_of(k, v) == proc && (execer == 0 || v == execer) ? n : 0;
	}
	return 0;
}

/* Takes the end of task v, which the coming exec makes: its task, if it
 * is here, waits for that exec in its calls. */
void
rp_take_doomed(struct replay *r, struct kernel *k, pid_t v)
{
	struct task *u = task_find_vtid(k, v);

	rp_take(r);
	if (u && u->mod) {
		RT(u)->exit_taken = true;
		RT(u)->doomed = true;
	} else
		rp_dead_add(r, v);	/* (gone already: its end is matched) */
}

/* A relative exec path and its recorded absolute form abs: is t's real
 * directory the one abs was made from (replay runs chdir for real: see
 * fam_chdir)?  Then the exec keeps the name as given, which the kernel
 * hands a script's interpreter. */
static bool
in_recorded_dir(const struct task *t, const char *abs, const char *rel)
{
	char link[64], dir[4096];
	size_t al = strlen(abs), rl = rel ? strlen(rel) : 0;
	ssize_t n;

	if (rel == NULL || rl == 0 || rl + 1 >= al || abs[al - rl - 1] != '/' ||
	    strcmp(abs + al - rl, rel) != 0)
		return false;
	snprintf(link, sizeof link, "/proc/%d/cwd", (int)t->tid);
	if ((n = readlink(link, dir, sizeof dir - 1)) < 0)
		return false;
	dir[n] = '\0';
	return (size_t)n == al - rl - 1 && strncmp(dir, abs, (size_t)n) == 0;
}

/* An executable the program built, carried in the trace, that is still on
 * this host as it was executed (a replay where the recording left it, as
 * after make check): it runs by its own name, so that its initial stack is
 * the recorded one (a copy in the cache has a name of another length).
 * Its loader too, where it was carried. */
static bool
made_still_there(const json_t *ev)
{
	const json_t *exe = json_object_get(ev, "exe"), *interp = json_object_get(ev, "interp");
	const char *why;

	if (fileid_verify(exe, 0, NULL, &why) < 0)
		return false;
	return !json_is_object(interp) || !json_is_true(json_object_get(interp, "carried")) ||
	    fileid_verify(interp, 0, NULL, &why) == 0;
}

enum verdict
rp_answer_exec(struct replay *r, struct kernel *k, struct task *t, const json_t *ev)
{
	struct call *c = &t->call;
	struct rtask *rt = RT(t);
	int e;

	if (r->conf.bs || (json_is_true(json_object_get(json_object_get(ev, "exe"), "carried")) &&
	    !made_still_there(ev)))
		return rp_exec_portable(r, k, t, ev);
	if (c->nr == SYS_execve && json_object_get(ev, "exec_argv")) {
		/* A script.  Where it is gone or changed since the recording
		 * (one the program wrote: a generated configure, a libtool
		 * wrapper), its interpreter runs with the arguments the kernel
		 * gave it; the interpreter's reads of the script are answered
		 * from the trace. */
		const json_t *sid = json_object_get(ev, "script");
		const char *why;
		if (sid == NULL || fileid_verify(sid, 0, NULL, &why) < 0) {
			/* by a name of the script's length, through the
			 * interpreter's directory: the stack stays put */
			const json_t *xa = json_object_get(ev, "exec_argv");
			const char *ip = json_string_value(json_array_get(xa, 0));
			const char *given = json_string_value(json_object_get(c->args, "path"));
			struct user_regs_struct saved = c->regs, regs;
			char near[4096] = "";
			if (ip && given && (e = rp_cwd_for_exec(t, &saved, false, ip, strlen(given), near,
			    sizeof near)) < 0)
				return rp_lost(r, k, t, e);
			regs = saved;
			if ((e = rp_exec_argv(t, xa, near[0] ? near : NULL, &regs)) < 0)
				return rp_lost(r, k, t, e);
			rt->kind = EX_EXEC;
			if (rt->cwd_back) {
				/* at the injected calls' exit: the exec again */
				regs.rip = saved.rip - 2;
				regs.rax = regs.orig_rax;
				rt->exec_again = true;
			}
			if ((e = regs_set(t->tid, &regs)) < 0)
				return rp_lost(r, k, t, e);
			return rt->cwd_back ? V_RESUME : V_EXIT_STOP;
		}
	}
	{
		const char *abs = json_string_value(json_object_get(ev, "path_abs"));
		const char *given = json_string_value(json_object_get(c->args, "path"));
		if (abs && c->nr == SYS_execve && in_recorded_dir(t, abs, given))
			abs = NULL;	/* the name as given finds the same file */
		/* A name that leads nowhere now (a symlink the program made
		 * and removed: a venv's bin/python): the executable the
		 * recording ran, by its own path.  Not a script's name: its
		 * "exe" is the interpreter, which wants other arguments. */
		const char *exe = json_string_value(json_object_get(json_object_get(ev, "exe"), "path"));
		char full[PATH_MAX + 64], real[PATH_MAX];
		if (c->nr == SYS_execve && exe && (abs || given) && !json_object_get(ev, "exec_argv")) {
			const char *p = abs ? abs : given;
			if (p[0] == '/')
				snprintf(full, sizeof full, "%s", p);
			else
				snprintf(full, sizeof full, "/proc/%d/cwd/%s", t->tid, p);
			if (realpath(full, real) == NULL && errno == ENOENT)
				abs = exe;
		}
		if (abs) {
			/* A relative path, recorded with its directory: exec
			 * the same file whatever directory replay runs in. */
			struct user_regs_struct regs = c->regs;
			uint64_t addr;
			if ((e = scratch_put(t->tid, c->sp, abs, strlen(abs) + 1, &addr)) < 0)
				return rp_lost(r, k, t, e);
			if (c->nr == SYS_execveat) {
				regs.rdi = (uint64_t)AT_FDCWD;
				regs.rsi = addr;
			} else
				regs.rdi = addr;
			if ((e = regs_set(t->tid, &regs)) < 0)
				return rp_lost(r, k, t, e);
		}
		rt->kind = EX_EXEC;
		return V_EXIT_STOP;
	}
}

/* One argument of a recorded argv (a string, or bytes where it was not
 * UTF-8) into *p, malloc'd; its length (without the NUL) or -1. */
static ssize_t
arg_bytes(const json_t *a, char **p)
{
	size_t n;

	if (json_is_string(a)) {
		*p = strdup(json_string_value(a));
		return *p ? (ssize_t)strlen(*p) : -1;
	}
	void *b;
	if (json_get_bytes(a, &b, &n) < 0)
		return -1;
	char *c = realloc(b, n + 1);
	if (c == NULL) {
		free(b);
		return -1;
	}
	c[n] = '\0';
	*p = c;
	return (ssize_t)n;
}

int
rp_exec_argv(struct task *t, const json_t *xa, const char *path, struct user_regs_struct *regs)
{
	size_t n = json_array_size(xa), len = 0;
	char **v;
	int e = -EINVAL;

	if (n == 0 || n > 65536 || (v = calloc(n, sizeof *v)) == NULL)
		return n ? -ENOMEM : -EINVAL;
	size_t *vl = calloc(n, sizeof *vl);
	if (vl == NULL) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		ssize_t l = arg_bytes(json_array_get(xa, i), &v[i]);
		if (l < 0)
			goto out;
		vl[i] = (size_t)l + 1;
		len += vl[i];
	}
	if (path == NULL)
		path = v[0];
	/* one block: the pointers, then the path, then the strings */
	size_t plen = strlen(path) + 1, head = (n + 1) * sizeof(uint64_t), total = head + plen + len;
	char *blk = calloc(1, total);
	uint64_t addr;
	if (blk == NULL) {
		e = -ENOMEM;
		goto out;
	}
	memcpy(blk + head, path, plen);
	if ((e = scratch_put(t->tid, t->call.sp, blk, total, &addr)) == 0) {
		uint64_t *ptr = (uint64_t *)blk, off = head + plen;
		for (size_t i = 0; i < n; i++) {
			ptr[i] = addr + off;
			memcpy(blk + off, v[i], vl[i]);
			off += vl[i];
		}
		ptr[n] = 0;
		if ((e = mem_write(t->tid, addr, blk, total)) == 0) {
			regs->rdi = addr + head;
			regs->rsi = addr;
		}
	}
	free(blk);
out:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(vl);
	return e;
}

/* The kernel puts the name an exec was given at the top of the new stack
 * (AT_EXECFN), so a name of another length moves the initial stack, and a
 * program that mixes a stack address into a name (glibc's mkstemp) names
 * another file.  An exec of file (absolute) for a recorded name of length
 * want therefore goes through the directory: the task's working directory
 * is kept at a descriptor (910 or above, not close-on-exec), made file's
 * directory, and file named "./" padded with slashes to want bytes (or by
 * its base name alone, when that is want bytes long); the first call of
 * the new program puts the directory back (rp_cwd_back).  Not for a task
 * that shares its working directory with others (threads), nor for a
 * name shorter than the base name plus "./".  t is stopped with saved,
 * at the exec's entry (at_exit false) or at the exit of an injected call;
 * on return it is at an injected call's exit.  The name into name, or ""
 * (nothing done: the caller names file by its path).  0 or -errno (the
 * task lost). */
int
rp_cwd_for_exec(struct task *t, const struct user_regs_struct *saved, bool at_exit, const char *file,
    size_t want, char *name, size_t namelen)
{
	const char *base = strrchr(file, '/');
	size_t bl;
	uint64_t addr, a[6] = { 0 };
	long fd = -1, nfd = -1, ignored;
	char path[64], buf[4096];
	int e;

	name[0] = '\0';
	if (base == NULL || file[0] != '/' || want >= namelen || want > 4000)
		return 0;
	base++;
	bl = strlen(base);
	if (bl == 0 || (want != bl && want < bl + 2))
		return 0;
	/* threads share the directory: not theirs to see change */
	snprintf(path, sizeof path, "/proc/%d/task", t->tid);
	int nt = 0;
	DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		nt += de->d_name[0] != '.';
	if (d)
		closedir(d);
	if (nt != 1)
		return 0;
	/* the directory now, kept */
	if ((e = scratch_put(t->tid, t->call.sp, ".", 2, &addr)) < 0)
		return e;
	a[0] = (uint64_t)AT_FDCWD;
	a[1] = addr;
	a[2] = O_PATH | O_DIRECTORY;
	e = at_exit ? remote_syscall_again(t->tid, saved, SYS_openat, a, &fd) :
	    remote_syscall_at_entry(t->tid, saved, SYS_openat, a, &fd);
	if (e < 0)
		return e;
	if (fd < 0)
		return 0;
	uint64_t dd[6] = { (uint64_t)fd, F_DUPFD, 910 }, cl[6] = { (uint64_t)fd };
	if ((e = remote_syscall_again(t->tid, saved, SYS_fcntl, dd, &nfd)) < 0 ||
	    (e = remote_syscall_again(t->tid, saved, SYS_close, cl, &ignored)) < 0)
		return e;
	if (nfd < 0)
		return 0;
	/* into file's directory */
	size_t dl = (size_t)(base - 1 - file);
	snprintf(buf, sizeof buf, "%.*s", (int)(dl ? dl : 1), dl ? file : "/");
	long ok = -1;
	if ((e = scratch_put(t->tid, t->call.sp, buf, strlen(buf) + 1, &addr)) < 0)
		return e;
	uint64_t cd[6] = { addr };
	if ((e = remote_syscall_again(t->tid, saved, SYS_chdir, cd, &ok)) < 0)
		return e;
	if (ok < 0) {
		uint64_t c2[6] = { (uint64_t)nfd };
		return remote_syscall_again(t->tid, saved, SYS_close, c2, &ignored);
	}
	if (want == bl)
		snprintf(name, namelen, "%s", base);
	else {
		name[0] = '.';
		memset(name + 1, '/', want - bl - 1);
		memcpy(name + want - bl, base, bl + 1);
	}
	RT(t)->cwd_back = (int)nfd + 1;
	return 0;
}

enum verdict
rp_cwd_back(struct replay *r, struct kernel *k, struct task *t, bool at_exit)
{
	struct rtask *rt = RT(t);
	struct user_regs_struct saved, regs;
	uint64_t a[6] = { (uint64_t)(rt->cwd_back - 1) };
	long ret, ignored;
	int e;

	rt->cwd_back = 0;
	if ((e = regs_get(t->tid, &saved)) < 0)
		return rp_lost(r, k, t, e);
	if (at_exit)
		e = remote_syscall_again(t->tid, &saved, SYS_fchdir, a, &ret);
	else
		e = remote_syscall_at_entry(t->tid, &t->call.regs, SYS_fchdir, a, &ret);
	if (e == 0)
		e = remote_syscall_again(t->tid, at_exit ? &saved : &t->call.regs, SYS_close, a, &ignored);
	if (e < 0)
		return rp_lost(r, k, t, e);
	if (at_exit)
		return remote_finish(t->tid, &saved, (long)saved.rax) < 0 ? rp_lost(r, k, t, -errno) : V_RESUME;
	/* back onto the program's own call, which it now makes */
	regs = t->call.regs;
	regs.rip -= 2;
	regs.rax = regs.orig_rax;
	if ((e = regs_set(t->tid, &regs)) < 0)
		return rp_lost(r, k, t, e);
	return V_RESUME;
}

/* Portable: the exec runs the cache's copy of the recorded executable
 * (blobstore_exec_copy).  Its interpreter is /proc/self/fd/N: the cached
 * loader, opened in the task at N (close-on-exec, so it is gone once the
 * kernel has loaded it).  The task then makes the call again, with the new
 * path, and replay_exec gives back the original interpreter bytes. */
enum verdict
rp_exec_portable(struct replay *r, struct kernel *k, struct task *t, const json_t *ev)
{
	const json_t *exe = json_object_get(ev, "exe"), *interp = json_object_get(ev, "interp");
	const char *shown = json_string_value(json_object_get(exe, "path")), *name;
	struct call *c = &t->call;
	struct user_regs_struct saved, regs;
	char *bin = NULL, *ld = NULL, *copy = NULL;
	uint64_t a[6] = { 0 }, addr;
	long fd = -1, nfd = -1, ignored;
	enum verdict v = V_RESUME;
	int e;

	if (shown == NULL)
		return rp_fail(r, k, "event %llu: the exec has no \"exe\"", (unsigned long long)rp_seq_of(ev));
	struct blobstore *bs = r->conf.bs;
	if (bs == NULL) {
		/* An executable the program made: its loader is the host's,
		 * checked, unless it was made too. */
		if ((bs = rp_carried_store(r, k, shown, "executed")) == NULL)
			return V_STOP;
		if (json_is_object(interp) && !json_is_true(json_object_get(interp, "carried"))) {
			const char *ip = json_string_value(json_object_get(interp, "path")), *why;
			if ((e = fileid_verify(interp, 0, NULL, &why)) < 0)
				return rp_fail(r, k, "%s, the loader of %s when recording, %s", ip ? ip : "?",
				    shown, e == -ESTALE ? "differs from the recorded file" : e == -ENOENT ?
				    "is gone from this host" : e == -EPERM ? "is refused" : strerror(-e));
			if ((ld = strdup(ip)) == NULL)
				return rp_fail(r, k, "out of memory");
		}
	}
	if ((e = blobstore_get(bs, exe, &bin)) < 0 ||
	    (json_is_object(interp) && ld == NULL && (e = blobstore_get(bs, interp, &ld)) < 0)) {
		free(bin);
		return rp_fail(r, k, "the content of %s, executed when recording, is %s",
		    json_string_value(json_object_get(ld || !bin ? exe : interp, "path")),
		    e == -ENOENT ? "missing from the trace and the cache" : strerror(-e));
	}
	if ((e = regs_get(t->tid, &saved)) < 0)
		goto lost;
	if (ld) {
		if ((e = scratch_put(t->tid, c->sp, ld, strlen(ld) + 1, &addr)) < 0)
			goto lost;
		a[0] = (uint64_t)AT_FDCWD;
		a[1] = addr;
		a[2] = O_RDONLY | O_CLOEXEC;
		if ((e = remote_syscall_at_entry(t->tid, &saved, SYS_openat, a, &fd)) < 0)
			goto lost;
		if (fd >= 0) {
			uint64_t d[6] = { (uint64_t)fd, F_DUPFD_CLOEXEC, 900 }, cl[6] = { (uint64_t)fd };
			if ((e = remote_syscall_again(t->tid, &saved, SYS_fcntl, d, &nfd)) < 0 ||
			    (e = remote_syscall_again(t->tid, &saved, SYS_close, cl, &ignored)) < 0)
				goto lost;
		}
		if (fd < 0 || nfd < 0) {
			v = rp_fail(r, k, "cannot open the cached loader %s in the program: %s", ld,
			    strerror((int)-(fd < 0 ? fd : nfd)));
			goto out;
		}
	}
	name = strrchr(shown, '/') ? strrchr(shown, '/') + 1 : shown;
	elf_interp_free(&r->fix);
	if ((e = blobstore_exec_copy(bs, bin, json_string_value(json_object_get(exe, "sha256")),
	    name[0] ? name : "exe", ld ? (int)nfd : -1, &copy, &r->fix)) < 0) {
		v = rp_fail(r, k, "cannot make the copy of %s to execute in the cache: %s%s", shown,
		    strerror(-e), e == -ENOSPC ? " (beyond the cache's limit: raise --cache-size)" : "");
		goto out;
	}
	/* by a name of the recorded length, through the directory */
	const char *given = json_string_value(json_object_get(c->args, "path"));
	char near[4096];
	if (c->nr == SYS_execve && given &&
	    (e = rp_cwd_for_exec(t, &saved, ld != NULL, copy, strlen(given), near, sizeof near)) < 0)
		goto lost;
	bool injected = ld != NULL || RT(t)->cwd_back;
	const char *run = near[0] ? near : copy;
	regs = saved;
	const json_t *xa = json_object_get(ev, "exec_argv");
	if (xa && c->nr == SYS_execve) {
		/* a script: its interpreter's copy, with the arguments the
		 * kernel gave it (the script's reads come from the trace) */
		if ((e = rp_exec_argv(t, xa, run, &regs)) < 0)
			goto lost;
	} else {
		if ((e = scratch_put(t->tid, c->sp, run, strlen(run) + 1, &addr)) < 0)
			goto lost;
		if (c->nr == SYS_execveat) {
			regs.rdi = (uint64_t)AT_FDCWD;
			regs.rsi = addr;
		} else
			regs.rdi = addr;
	}
	if (injected) {
		/* At the exit of the injected calls: back onto the syscall
		 * instruction, to make the exec again. */
		regs.rip = saved.rip - 2;
		regs.rax = regs.orig_rax;
		RT(t)->exec_again = true;
	} else
		v = V_EXIT_STOP;
	if ((e = regs_set(t->tid, &regs)) < 0)
		goto lost;
	RT(t)->kind = EX_EXEC;
	RT(t)->exec_cached = true;
out:
	free(bin);
	free(ld);
	free(copy);
	return v;
lost:
	free(bin);
	free(ld);
	free(copy);
	return rp_lost(r, k, t, e);
}

static int
put_at_random(struct task *t, const json_t *rnd)
{
	uint64_t addr;
	void *b;
	size_t n;
	int e;

	if (rnd == NULL || json_is_null(rnd))
		return 0;
	if ((e = json_get_bytes(rnd, &b, &n)) < 0)
		return e;
	if ((e = auxv_get(t->tid, AT_RANDOM, &addr)) == 0 && n == 16)
		e = mem_write(t->tid, addr, b, n);
	free(b);
	return e;
}

/* Portable: the program's copy of the executable names the cached loader
 * as its interpreter; write the recorded bytes back where the program sees
 * them, before any of its code runs. */
static int
give_back_interp(pid_t tid, const struct elf_interp *ei)
{
	uint64_t entry;
	int e;

	if (ei == NULL || ei->orig == NULL || !ei->loaded)
		return 0;
	if ((e = auxv_get(tid, AT_ENTRY, &entry)) < 0)
		return e;
	return mem_write(tid, entry - ei->entry + ei->vaddr, ei->orig, ei->len);
}

int
replay_exec(struct module *m, struct kernel *k, struct task *t)
{
	struct replay *r = R(m);
	const json_t *rnd;
	int e;

	if ((e = vdso_patch(t->tid)) < 0)
		return e;
	/* a new image: its first fast call puts the agent in (not after a
	 * seccomp filter of the program's own, which an exec keeps) */
	fastpath_task_exec(&RT(t)->fast);
	rp_fast_forget(r, t);
	if (!r->first_exec_done) {
		r->first_exec_done = true;
		if ((e = rp_id_add(r, t->vtid, t->tid)) < 0)
			return e;
		rnd = json_object_get(r->conf.header, "at_random");
		if ((e = give_back_interp(t->tid, r->conf.first_fix)) < 0)
			return e;
	} else if (r->conf.bs || RT(t)->exec_cached) {
		struct rtask *rt = RT(t);
		rt->exec_cached = false;
		rnd = rt->ev ? json_object_get(rt->ev, "at_random") : NULL;
		e = give_back_interp(t->tid, &r->fix);
		elf_interp_free(&r->fix);
		if (e < 0)
			return e;
	} else {
		struct rtask *rt = RT(t);
		const json_t *exe = rt->ev ? json_object_get(rt->ev, "exe") : NULL;
		const char *why;
		if (exe && (e = fileid_verify(exe, 0, NULL, &why)) < 0) {
			rp_fail(r, k, "%s, executed by the program when recording, %s%s%s",
			    json_string_value(json_object_get(exe, "path")),
			    e == -ESTALE ? "differs from the recorded file" : e == -EPERM ?
			    "is refused: it " : "is gone from this host", e == -EPERM && why ? why : "",
			    e == -EPERM ? " (replay opens only regular files outside /proc, /sys and "
			    "/dev)" : "");
			return 0;
		}
		rnd = rt->ev ? json_object_get(rt->ev, "at_random") : NULL;
	}
	return put_at_random(t, rnd);
}

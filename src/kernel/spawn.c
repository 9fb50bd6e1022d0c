/* spawn.c: fork, seize, filter, exec. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include "kernel/filter.h"
#include "kernel/spawn.h"

#define PTRACE_OPTS (PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
	PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)

struct child_err { int stage, err; };

static void __attribute__((noreturn))
child_fail(int fd, int stage, int err)
{
	struct child_err ce = { stage, err };
	ssize_t w = write(fd, &ce, sizeof ce);
	(void)w;
	_exit(125);
}

static int
int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Closes descriptors lo..hi. */
static void
close_span(unsigned lo, unsigned hi)
{
	if (lo > hi)
		return;
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
	/* Before Linux 5.9: one by one, up to the descriptor limit. */
	long max = sysconf(_SC_OPEN_MAX);
	for (unsigned fd = lo; fd <= hi && (max < 0 || fd < (unsigned)max); fd++)
		close((int)fd);
}

/* Makes the child's descriptors those of the recording, and only those:
 * every other one is closed, whatever its number (nothing the caller of
 * dios-replay holds reaches the program), and each recorded one is a
 * placeholder on /dev/null, even where the caller left one open (the
 * program's reads and writes are answered from the trace; what it wrote
 * to its stdout and stderr dios shows itself).  errfd, the error pipe, and
 * req->keep_fd are kept until the exec closes them. */
static void
child_setup_fds(const struct spawn_req *req, int errfd)
{
	int keep[1026], fds[1024];
	size_t nkeep = 0, n = 0;
	unsigned lo = 0;

	for (size_t i = 0; i < req->nfds && n < 1024; i++)
		if (req->fds[i] >= 0 && req->fds[i] != errfd && req->fds[i] != req->keep_fd)
			keep[nkeep++] = fds[n++] = req->fds[i];
	keep[nkeep++] = errfd;
	if (req->keep_fd >= 0)
		keep[nkeep++] = req->keep_fd;
	qsort(keep, nkeep, sizeof keep[0], int_cmp);
	qsort(fds, n, sizeof fds[0], int_cmp);
	/* Close everything between the numbers kept. */
	for (size_t i = 0; i < nkeep; i++) {
		if ((unsigned)keep[i] > lo)
			close_span(lo, (unsigned)keep[i] - 1);
		lo = (unsigned)keep[i] + 1;
	}
	close_span(lo, ~0u);
	/* In increasing order: the numbers below fd that open can return are
	 * none of the recorded ones. */
	for (size_t i = 0; i < n; i++) {
		int fd = fds[i], nf;

		if (i > 0 && fd == fds[i - 1])
			continue;
		if ((nf = open("/dev/null", O_RDWR)) < 0)
			child_fail(errfd, SPAWN_SETUP, errno);
		if (nf != fd) {
			if (dup2(nf, fd) < 0)
				child_fail(errfd, SPAWN_SETUP, errno);
			close(nf);
		}
	}
}

/* In the child: the limits of req (see spawn_req). */
static void
child_setup_limits(const struct spawn_req *req)
{
	for (size_t i = 0; i < req->nrlimits; i++) {
		const struct spawn_rlimit *l = &req->rlimits[i];
		struct rlimit want = { l->cur, l->max }, now;
		if (setrlimit(l->res, &want) == 0 || getrlimit(l->res, &now) < 0)
			continue;
		want.rlim_max = now.rlim_max;
		if (want.rlim_cur > want.rlim_max)
			want.rlim_cur = want.rlim_max;
		setrlimit(l->res, &want);
	}
	if (req->no_core)
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 1, 1 });
}

int
spawn_traced(const struct spawn_req *req, struct spawn_result *res)
{
	int pfd[2], st, e;
	pid_t pid;
	struct child_err ce;
	ssize_t n;

	memset(res, 0, sizeof *res);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		res->stage = SPAWN_FORK;
		return -(res->err = errno);
	}
	/* Keep the error pipe's write end out of the program's range. */
	if ((e = fcntl(pfd[1], F_DUPFD_CLOEXEC, 900)) >= 0) {
		close(pfd[1]);
		pfd[1] = e;
	}
	pid_t self = getpid();
	if ((pid = fork()) < 0) {
		res->stage = SPAWN_FORK;
		res->err = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -res->err;
	}
	if (pid == 0) {
		int ef = pfd[1];
		/* dios traps its own reads of the counter (tsc_trap_self) and
		 * emulates them in a SIGSEGV handler this child resets below:
		 * let it read the counter until the exec. */
		prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
		close(pfd[0]);
		if (req->fds)
			child_setup_fds(req, ef);
		if (req->umask >= 0)
			umask((mode_t)req->umask);
		if (req->set_signals) {
			sigset_t set;
			sigemptyset(&set);
			for (int sig = 1; sig < 64; sig++) {
				if (sig == SIGKILL || sig == SIGSTOP)
					continue;
				signal(sig, (req->sigign >> (sig - 1)) & 1 ? SIG_IGN : SIG_DFL);
				if ((req->sigblk >> (sig - 1)) & 1)
					sigaddset(&set, sig);
			}
			sigprocmask(SIG_SETMASK, &set, NULL);
		}
		personality(ADDR_NO_RANDOMIZE);
		child_setup_limits(req);
		if (req->cwd && req->path[0] == '/' && chdir(req->cwd) < 0)
			(void)0;	/* not on this host: replay's own */
		/* Until dios has seized it, the child dies with dios (from
		 * then on, PTRACE_O_EXITKILL sees to that): no stopped child
		 * is left behind when dios is killed meanwhile. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != self)
			_exit(125);
		raise(SIGSTOP);
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
		if ((e = filter_load(req->serial, req->fast_site)) < 0)
			child_fail(ef, SPAWN_SECCOMP, -e);
		/* The counter is trapped last, right before the exec: no
		 * tracer emulates it before then, and this copy of dios reads
		 * it (the vDSO's clocks, a sanitizer's allocator). */
		prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);	/* see tsc.h */
		execve(req->path, req->argv, req->envp);
		child_fail(ef, SPAWN_EXEC, errno);
	}
	close(pfd[1]);
	res->pid = pid;
	if (waitpid(pid, &st, WUNTRACED) < 0 || !WIFSTOPPED(st)) {
		res->stage = SPAWN_SETUP;
		res->err = ECHILD;
		goto fail_read;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_OPTS | (req->trace_exit ? PTRACE_O_TRACEEXIT : 0)) < 0) {
		res->stage = SPAWN_PTRACE;
		res->err = errno;
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		close(pfd[0]);
		return -res->err;
	}
	kill(pid, SIGCONT);
	/* Drive the child to its exec, letting through the stops of the way. */
	for (;;) {
		if (waitpid(pid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			res->stage = SPAWN_SETUP;
			res->err = errno;
			goto fail_read;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			goto fail_read;
		int sig = WSTOPSIG(st), ev = st >> 16;
		if (sig == SIGTRAP && ev == PTRACE_EVENT_EXEC)
			break;
		if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP) {
			ptrace(PTRACE_CONT, pid, 0, 0);	/* the exec itself */
			continue;
		}
		if (ev == PTRACE_EVENT_STOP || sig == SIGCONT || sig == SIGSTOP) {
			ptrace(PTRACE_CONT, pid, 0, 0);
			continue;
		}
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
	close(pfd[0]);
	res->stage = SPAWN_OK;
	return 0;

fail_read:
	n = read(pfd[0], &ce, sizeof ce);
	close(pfd[0]);
	if (n == (ssize_t)sizeof ce) {
		res->stage = ce.stage;
		res->err = ce.err;
	} else if (res->err == 0) {
		res->stage = SPAWN_SETUP;
		res->err = ECHILD;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) >= 0 && !(WIFEXITED(st) || WIFSIGNALED(st)))
		;
	return -res->err;
}

void
spawn_explain(const struct spawn_result *res, const char *path, char *buf, size_t n)
{
	switch (res->stage) {
	case SPAWN_PTRACE:
		if (res->err == EPERM)
			snprintf(buf, n, "ptrace is not permitted here (%s): dios is already being "
			    "traced, or a security policy forbids it; check /proc/sys/kernel/yama/ptrace_scope "
			    "(0 or 1 is needed), and in a container allow it (docker: --cap-add=SYS_PTRACE "
			    "--security-opt seccomp=unconfined)", strerror(res->err));
		else
			snprintf(buf, n, "cannot trace the program: ptrace: %s", strerror(res->err));
		break;
	case SPAWN_SECCOMP:
		snprintf(buf, n, "seccomp filters are not permitted here (%s): the kernel lacks "
		    "CONFIG_SECCOMP_FILTER or a container policy forbids them; in docker run with "
		    "--security-opt seccomp=unconfined", strerror(res->err));
		break;
	case SPAWN_EXEC:
		snprintf(buf, n, "cannot execute %s: %s", path, strerror(res->err));
		break;
	default:
		snprintf(buf, n, "cannot start %s: %s", path, strerror(res->err));
		break;
	}
}

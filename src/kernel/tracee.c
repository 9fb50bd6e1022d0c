/* tracee.c: registers, remote system calls and auxv of stopped tasks. */
#include "config.h"
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/futex.h>
#include <sys/wait.h>
#include <elf.h>
#include "kernel/tracee.h"
#include "sys/mem.h"

int
regs_get(pid_t tid, struct user_regs_struct *r)
{
	return ptrace(PTRACE_GETREGS, tid, 0, r) < 0 ? -errno : 0;
}

int
regs_set(pid_t tid, const struct user_regs_struct *r)
{
	return ptrace(PTRACE_SETREGS, tid, 0, r) < 0 ? -errno : 0;
}

int
call_skip(pid_t tid, const struct user_regs_struct *at_entry, long ret)
{
	struct user_regs_struct r = *at_entry;

	r.orig_rax = (uint64_t)-1;
	r.rax = (uint64_t)ret;
	return regs_set(tid, &r);
}

int
wait_stop(pid_t tid, int *status)
{
	int st;

	for (;;) {
		pid_t p = waitpid(tid, &st, __WALL);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (status)
			*status = st;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return -ESRCH;
		return st;
	}
}

/* Resumes with PTRACE_SYSCALL until the syscall-exit stop of the current
 * call.  From a seccomp stop (at_entry) the next syscall stop is that exit
 * (ptrace(2)); a call re-executed from an exit stop first has its entry
 * stop (and its seccomp stop, passed over), then its exit. */
static int
run_to_exit(pid_t tid, bool at_entry)
{
	int left = at_entry ? 1 : 2;	/* syscall stops to see: they alternate */

	for (;;) {
		int st;

		if (ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
			return -errno;
		if ((st = wait_stop(tid, NULL)) < 0)
			return st;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (--left == 0)
				return 0;
			continue;	/* entry stop of the re-executed call */
		}
		if (WSTOPSIG(st) == SIGTRAP && (st >> 16) == PTRACE_EVENT_SECCOMP)
			continue;
		/* Any other stop (a signal) in the middle of an injected call:
		 * keep it pending by not delivering; such signals are
		 * re-raised by the kernel later. */
		continue;
	}
}

static void
set_args(struct user_regs_struct *r, long nr, const uint64_t a[6])
{
	r->orig_rax = (uint64_t)nr;
	r->rax = (uint64_t)nr;
	r->rdi = a[0];
	r->rsi = a[1];
	r->rdx = a[2];
	r->r10 = a[3];
	r->r8 = a[4];
	r->r9 = a[5];
}

/* Sets r, runs the call it describes to its exit stop, returns its result. */
static int
run_with(pid_t tid, const struct user_regs_struct *r, bool at_entry, long *result)
{
	struct user_regs_struct out;
	int e;

	if ((e = regs_set(tid, r)) < 0 || (e = run_to_exit(tid, at_entry)) < 0 ||
	    (e = regs_get(tid, &out)) < 0)
		return e;
	*result = (long)out.rax;
	return 0;
}

int
remote_syscall_at_entry(pid_t tid, const struct user_regs_struct *at_entry, long nr,
    const uint64_t args[6], long *result)
{
	struct user_regs_struct r = *at_entry;

	set_args(&r, nr, args);
	return run_with(tid, &r, true, result);
}

int
remote_syscall_again(pid_t tid, const struct user_regs_struct *saved, long nr,
    const uint64_t args[6], long *result)
{
	struct user_regs_struct r = *saved;

	set_args(&r, nr, args);
	r.rip = saved->rip - 2;		/* back onto the syscall instruction */
	return run_with(tid, &r, false, result);
}

int
remote_finish(pid_t tid, const struct user_regs_struct *saved, long ret)
{
	struct user_regs_struct r = *saved;

	r.rax = (uint64_t)ret;
	return regs_set(tid, &r);
}

int
scratch_put(pid_t tid, uint64_t sp, const void *p, size_t n, uint64_t *addr)
{
	uint64_t a = (sp - 128 - n - 64) & ~(uint64_t)15;
	int e = mem_write(tid, a, p, n);

	if (e == 0)
		*addr = a;
	return e;
}

int
auxv_get(pid_t tid, unsigned long type, uint64_t *val)
{
	char path[64];
	Elf64_auxv_t av[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/auxv", tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, av, sizeof av);
	close(fd);
	if (n < 0)
		return -errno;
	for (size_t i = 0; i < (size_t)n / sizeof av[0] && av[i].a_type != AT_NULL; i++)
		if (av[i].a_type == type) {
			*val = av[i].a_un.a_val;
			return 0;
		}
	return -ENOENT;
}

int
task_stat(pid_t tid, char *state, unsigned *cpu)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	/* the name (field 2) may hold anything: the state follows its last ")" */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
		return -EIO;
	if (state)
		*state = p[2];
	if (cpu) {
		/* "processor" is field 39; fields 3... follow the ")" */
		for (int field = 3; field < 39 && p; field++)
			p = strchr(p + 1, ' ');
		if (p == NULL)
			return -EIO;
		*cpu = (unsigned)strtoul(p + 1, NULL, 10);
	}
	return 0;
}

/* Is the task on its way out: gone, a zombie, a SIGKILL pending, at its
 * exit stop (replay's PTRACE_O_TRACEEXIT), or (at a stop dios holds) no
 * longer stopped?  The kill of a group exit, another thread's exit_group,
 * reaches a task dios holds at a stop reported before it: the SIGKILL
 * wakes it, it is dequeued, and the task ends (stopping at its end first,
 * where the report of the stop dios holds is not yet the current one). */
bool
task_doomed(pid_t tid, bool stopped)
{
	char path[64], buf[2048], *p;
	ssize_t n;
	int fd;
	char state;
	int e = task_stat(tid, &state, NULL);
	siginfo_t si;

	if (e == -ENOENT || (e == 0 && (state == 'Z' || state == 'X')))
		return true;
	if (e == 0 && stopped && state != 't' && state != 'T')
		return true;
	if (e == 0 && state == 't' && ptrace(PTRACE_GETSIGINFO, tid, 0, &si) == 0 &&
	    si.si_signo == SIGTRAP && si.si_code == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
		return true;
	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (const char *key = "\nSigPnd:"; key; key = strcmp(key, "\nSigPnd:") ? NULL : "\nShdPnd:") {
		unsigned long long m;
		if ((p = strstr(buf, key)) != NULL && sscanf(p + strlen(key), "%llx", &m) == 1 &&
		    (m & (1ULL << (SIGKILL - 1))))
			return true;
	}
	return false;
}

/* One futex word of a robust list, at addr: its owner vtid made tid. */
static void
robust_word(pid_t tid, pid_t vtid, uint64_t addr)
{
	uint32_t w;

	if (mem_read(tid, addr, &w, sizeof w) == 0 && (pid_t)(w & FUTEX_TID_MASK) == vtid) {
		w = (w & ~(uint32_t)FUTEX_TID_MASK) | ((uint32_t)tid & FUTEX_TID_MASK);
		(void)mem_write(tid, addr, &w, sizeof w);
	}
}

int
robust_own(pid_t tid, pid_t vtid)
{
	struct robust_list_head h;
	uint64_t head, entry;
	size_t len;

	if (vtid <= 0 || vtid == tid)
		return 0;
	if (syscall(SYS_get_robust_list, tid, &head, &len) < 0)
		return -errno;
	if (head == 0 || len != sizeof h || mem_read(tid, head, &h, sizeof h) < 0)
		return 0;
	/* as the kernel walks it (exit_robust_list): at most
	 * ROBUST_LIST_LIMIT entries, bit 0 of a pointer saying PI */
	entry = (uint64_t)(uintptr_t)h.list.next & ~(uint64_t)1;
	for (int i = 0; entry != head && entry != 0 && i < ROBUST_LIST_LIMIT; i++) {
		uint64_t next;
		if (entry != ((uint64_t)(uintptr_t)h.list_op_pending & ~(uint64_t)1))
			robust_word(tid, vtid, entry + (uint64_t)h.futex_offset);
		if (mem_read(tid, entry, &next, sizeof next) < 0)
			break;
		entry = next & ~(uint64_t)1;
	}
	if (h.list_op_pending)
		robust_word(tid, vtid, ((uint64_t)(uintptr_t)h.list_op_pending & ~(uint64_t)1) +
		    (uint64_t)h.futex_offset);
	return 0;
}

bool
is_exit_stop(int st)
{
	return WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP && (st >> 16) == PTRACE_EVENT_EXIT;
}

/* ownfilter: a program that installs its own seccomp filter (as OpenSSH,
 * browsers and sandboxed services do), then makes the calls it filters:
 * getppid fails with EPERM (SECCOMP_RET_ERRNO), uname raises SIGSYS
 * (SECCOMP_RET_TRAP, caught: the handler prints the call's number), and
 * with argv[1] "kill", getpid kills the process (SECCOMP_RET_KILL_PROCESS:
 * it dies of SIGSYS).  Calls the filter lets through (write, getuid) still
 * go to dios, and so do reads of a file and clock readings, which the
 * agent of dios's fast path would make (its calls, gettid among them,
 * would meet the filter, which fails gettid).  Exits 0.
 */
#include "progs.h"
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <sys/prctl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

static volatile int trapped;

static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped = si->si_syscall;
}

int
main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_uname, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_gettid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };
	struct sigaction sa;
	long r;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("before: getppid %s\n", syscall(SYS_getppid) > 0 ? "works" : ename(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		printf("seccomp: %s\n", ename(errno));
		return 1;
	}
	r = syscall(SYS_getppid);
	printf("after: getppid = %ld %s\n", r, r < 0 ? ename(errno) : "");
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	r = syscall(SYS_uname, NULL);
	printf("after: uname trapped: SIGSYS for call %d\n", trapped);
	printf("after: getuid = %ld\n", (long)getuid());
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	unsigned long sum = 0;
	unsigned char b[32];
	for (int i = 0; fd >= 0 && i < 300; i++)
		if (pread(fd, b, sizeof b, i * 7) == (ssize_t)sizeof b)
			for (size_t j = 0; j < sizeof b; j++)
				sum = sum * 31 + b[j];
	struct timespec ts;
	int clocks = 0;
	for (int i = 0; i < 300; i++)
		clocks += clock_gettime(CLOCK_MONOTONIC, &ts) == 0;
	printf("after: 300 reads, checksum %lx; %d clock readings\n", sum, clocks);
	if (argc > 1 && strcmp(argv[1], "kill") == 0) {
		printf("getpid, which kills\n");
		syscall(SYS_getpid);
		printf("still alive\n");
	}
	return 0;
}

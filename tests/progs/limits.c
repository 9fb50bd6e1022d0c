/* limits: resource limits the program sets itself, and a child's crash with
 * core dumps allowed.  Replay sets the limits it meets for real: the
 * descriptor limit (dup2 and F_DUPFD past it fail with EBADF and EINVAL,
 * which replay runs for real on its descriptor table) and the address
 * space (an anonymous mmap past it fails with ENOMEM, which replay maps for
 * real).  The child raises SIGSEGV with RLIMIT_CORE unlimited: when
 * recording it may dump core in the working directory (core_pattern); in
 * replay it must not.  Exits 18.
 */
#include "progs.h"
#include <signal.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdint.h>

int
main(void)
{
	struct rlimit r, old;

	progs_init();
	R("getrlimit(NOFILE)", getrlimit(RLIMIT_NOFILE, &r));
	r.rlim_cur = 20;
	R("setrlimit(NOFILE, 20)", setrlimit(RLIMIT_NOFILE, &r));
	R("dup2(1, 30)", dup2(1, 30));
	R("fcntl(1, F_DUPFD, 25)", fcntl(1, F_DUPFD, 25));
	R("dup2(1, 19)", dup2(1, 19));
	R("close(19)", close(19));
	r.rlim_cur = 64;
	R("prlimit(0, NOFILE, 64)", prlimit(0, RLIMIT_NOFILE, &r, &old));
	printf("  old soft limit %llu\n", (unsigned long long)old.rlim_cur);
	R("dup2(1, 30)", dup2(1, 30));
	R("close(30)", close(30));

	R("getrlimit(AS)", getrlimit(RLIMIT_AS, &r));
	r.rlim_cur = 512ull << 20;
	R("setrlimit(AS, 512 MiB)", setrlimit(RLIMIT_AS, &r));
	void *p = mmap(NULL, 1ull << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap(1 GiB) = %s\n", p == MAP_FAILED ? ename(errno) : "mapped");
	p = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap(16 MiB) = %s\n", p == MAP_FAILED ? ename(errno) : "mapped");
	if (p != MAP_FAILED)
		munmap(p, 16 << 20);

	R("getrlimit(CORE)", getrlimit(RLIMIT_CORE, &r));
	r.rlim_cur = r.rlim_max = RLIM_INFINITY;
	if (setrlimit(RLIMIT_CORE, &r) < 0) {
		getrlimit(RLIMIT_CORE, &r);
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_CORE, &r);
	}
	pid_t pid = fork();
	if (pid == 0) {
		*(volatile int *)(uintptr_t)0 = 1;
		_exit(1);
	}
	int st = 0;
	R("waitpid", waitpid(pid, &st, 0));
	printf("child: signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	R("getrlimit(CORE)", getrlimit(RLIMIT_CORE, &r));
	printf("  soft core limit %s\n", r.rlim_cur == RLIM_INFINITY ? "unlimited" : "limited");
	return 18;
}

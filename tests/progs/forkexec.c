/* forkexec: process trees.  The parent starts children with fork, vfork
 * (posix_spawn) and fork + exec of itself, and waits for each with
 * waitpid, wait4 and waitid, printing what it learns: pids as the program
 * sees them, exit statuses, a child killed by a signal.
 *	forkexec DIR		(the parent; exits 3)
 *	forkexec DIR child N	(a child started with exec; exits N)
 */
#include "progs.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

static void
show(const char *what, pid_t p, int st)
{
	if (WIFEXITED(st))
		printf("%s: pid %d exited with %d\n", what, (int)p, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: pid %d killed by %s\n", what, (int)p, strsignal(WTERMSIG(st)));
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	char buf[64];
	int st, fd;
	pid_t p, w;

	if (argc < 2)
		return 99;
	snprintf(dir, sizeof dir, "%s", argv[1]);
	if (argc == 4) {
		/* an exec'd child: reads the input its parent named */
		fd = open(P("input.txt"), O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = '\0';
		printf("child %s: pid %d, parent %d, read %s", argv[3], (int)getpid(), (int)getppid(), buf);
		return atoi(argv[3]);
	}
	printf("parent: pid %d\n", (int)getpid());
	fflush(stdout);

	/* fork; the child writes and exits */
	if ((p = fork()) == 0) {
		printf("forked child: pid %d, parent %d\n", (int)getpid(), (int)getppid());
		_exit(7);
	}
	w = waitpid(p, &st, 0);
	printf("fork returned %d, waitpid returned %d\n", (int)p, (int)w);
	show("waitpid", w, st);

	/* fork + exec of this program */
	if ((p = fork()) == 0) {
		execl("/proc/self/exe", argv[0], dir, "child", "11", (char *)NULL);
		_exit(98);
	}
	struct rusage ru;
	w = wait4(p, &st, 0, &ru);
	show("wait4", w, st);

	/* posix_spawn (clone with CLONE_VFORK in the C library) */
	char *args[] = { argv[0], dir, "child", "12", NULL };
	if ((errno = posix_spawn(&p, "/proc/self/exe", NULL, NULL, args, environ)) != 0)
		printf("posix_spawn: %s\n", ename(errno));
	siginfo_t si;
	memset(&si, 0, sizeof si);
	R("waitid", waitid(P_PID, (id_t)p, &si, WEXITED));
	printf("waitid: pid %d code %d status %d\n", (int)si.si_pid, si.si_code, si.si_status);

	/* a child that dies of a signal it raises */
	if ((p = fork()) == 0) {
		raise(SIGTERM);
		_exit(97);
	}
	w = waitpid(-1, &st, 0);
	show("waitpid(-1)", w, st);

	/* no children left */
	R("waitpid(no child)", waitpid(-1, &st, WNOHANG));
	return 3;
}

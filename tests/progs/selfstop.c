/* selfstop: a child that stops itself (raise(SIGSTOP)) and, continued by
 * its parent's SIGCONT, ends at once (its SIGCONT handler, with argument
 * "handler", writes a line first).  The parent sees the stop
 * (waitid WSTOPPED), continues it, sees that (WCONTINUED), then its exit
 * status.  In replay the child does not really stop, so it must wait for
 * its SIGCONT's turn: ended before, the SIGCONT the recording has for it
 * could not come.  Exits 26. */
#include "progs.h"
#include <stdbool.h>
#include <signal.h>
#include <sys/wait.h>

static void
on_cont(int sig)
{
	(void)sig;
	static const char msg[] = "child: SIGCONT handled\n";
	if (write(1, msg, sizeof msg - 1) < 0)
		_exit(98);
}

int
main(int argc, char **argv)
{
	bool handler = argc > 1 && strcmp(argv[1], "handler") == 0;
	siginfo_t si;

	for (int round = 0; round < 3; round++) {
		fflush(stdout);
		pid_t c = fork();
		if (c < 0)
			return 99;
		if (c == 0) {
			if (handler)
				signal(SIGCONT, on_cont);
			raise(SIGSTOP);
			_exit(5 + round);
		}
		memset(&si, 0, sizeof si);
		printf("waitid(WSTOPPED) = %d, code %d, status %d\n",
		    waitid(P_PID, c, &si, WSTOPPED), si.si_code, si.si_status);
		printf("kill(SIGCONT) = %d\n", kill(c, SIGCONT));
		memset(&si, 0, sizeof si);
		printf("waitid(WCONTINUED) = %d, code %d\n", waitid(P_PID, c, &si, WCONTINUED), si.si_code);
		int st = 0;
		printf("waitpid = %d, exit status %d\n", waitpid(c, &st, 0) == c, WEXITSTATUS(st));
	}
	return 26;
}

/* sigboundary: signals that come right after a call, while another
 * process keeps making calls.  The recording then has the other process's
 * events between the call and the signal; a replay must still deliver the
 * signal where it came, before the program runs on, or the program sees a
 * different world (here: it finds the flag unset, blocks signals and waits
 * in rt_sigsuspend, a call the recording does not have).
 *
 * A sibling process makes getppid calls until the parent is done.  The
 * parent, fifty times, sends itself SIGUSR1 with kill (delivered as kill
 * returns), then blocks signals and waits only if the handler has not run,
 * the way a shell waits for SIGCHLD (dash's waitproc).  Then, fifty times,
 * it forks a child that exits and waits for it the same way, with
 * wait4(WNOHANG) first.  Exits 6.
 */
#include "progs.h"
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>

static volatile sig_atomic_t got;

static void
on_sig(int sig)
{
	(void)sig;
	got = 1;
}

/* Waits for the handler the way a shell does; returns how often it had to. */
static int
wait_for_handler(void)
{
	sigset_t all, old;
	int n = 0;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	while (!got) {
		sigsuspend(&old);
		n++;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return n;
}

int
main(void)
{
	struct sigaction sa = { .sa_handler = on_sig };
	int ctl[2], sum = 0, st;
	pid_t busy;
	char c;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	if (pipe(ctl) < 0 || (busy = fork()) < 0) {
		perror("pipe/fork");
		return 99;
	}
	if (busy == 0) {
		/* Calls until the parent closes its end. */
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		long n = 0;

		sigaction(SIGCHLD, &dfl, NULL);
		close(ctl[1]);
		fcntl(ctl[0], F_SETFL, O_NONBLOCK);
		while (read(ctl[0], &c, 1) < 0 && n < 1000000)
			n += getppid() > 0;
		_exit(0);
	}
	close(ctl[0]);
	for (int i = 0; i < 50; i++) {
		got = 0;
		kill(getpid(), SIGUSR1);
		if (wait_for_handler() != 0) {
			printf("SIGUSR1 %d: the handler had not run when kill returned\n", i);
			return 97;
		}
	}
	printf("50 SIGUSR1 handled as kill returned\n");
	for (int i = 0; i < 50; i++) {
		pid_t p = fork(), r;

		if (p < 0) {
			perror("fork");
			return 99;
		}
		if (p == 0)
			_exit(i % 7);
		for (;;) {
			got = 0;
			if ((r = wait4(p, &st, WNOHANG, NULL)) != 0)
				break;
			wait_for_handler();
		}
		if (r != p || !WIFEXITED(st)) {
			printf("child %d: wait4 = %d, status %#x\n", i, (int)r, st);
			return 98;
		}
		sum += WEXITSTATUS(st);
	}
	printf("sum of the children's statuses %d\n", sum);
	close(ctl[1]);
	if (waitpid(busy, &st, 0) != busy || !WIFEXITED(st)) {
		printf("busy sibling: status %#x\n", st);
		return 96;
	}
	return 6;
}

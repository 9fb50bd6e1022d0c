/* groupstop: job control of a multi-threaded child.  The child runs a
 * thread that writes a tick into a pipe every millisecond; the parent stops
 * the child with SIGSTOP (and again with SIGTSTP), sees the stop in
 * waitpid(WUNTRACED), checks that no tick arrives while the child is
 * stopped, continues it with SIGCONT (seen in waitid WCONTINUED), and sees
 * the ticks come again.  Natively a stopped process does not run; a
 * tracer that resumes a group stop makes it run on.  Prints one line per
 * step; exits 0 when every step went as it does natively, 1 otherwise.
 */
#include "progs.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

static int wfd;

static void *
ticker(void *arg)
{
	(void)arg;
	for (;;) {
		struct timespec ts = { 0, 1000000 };
		if (write(wfd, "t", 1) < 0 && errno != EAGAIN)
			_exit(3);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Reads what the pipe holds; returns the number of ticks. */
static int
drain(int fd)
{
	char buf[4096];
	int n = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof buf)) > 0)
		n += (int)r;
	return n;
}

/* Waits up to ms for a tick; 1 when one came. */
static int
tick_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, ms) == 1;
}

static int
stop_and_go(pid_t pid, int rfd, int sig, const char *name)
{
	int st, bad = 0;
	siginfo_t si;

	kill(pid, sig);
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st) || WSTOPSIG(st) != sig) {
		printf("%s: waitpid did not report the stop (status %#x)\n", name, st);
		return 1;
	}
	printf("%s: stopped by %s\n", name, strsignal(WSTOPSIG(st)));
	drain(rfd);
	int late = tick_within(rfd, 300);
	printf("%s: ticks while stopped: %s\n", name, late ? "yes" : "none");
	bad |= late;
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, pid, &si, WCONTINUED) != 0 || si.si_code != CLD_CONTINUED) {
		printf("%s: waitid did not report the continue (code %d)\n", name, si.si_code);
		return 1;
	}
	printf("%s: continued\n", name);
	int again = tick_within(rfd, 5000);
	printf("%s: ticks after SIGCONT: %s\n", name, again ? "yes" : "none");
	return bad | !again;
}

int
main(void)
{
	int p[2], st, bad = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (pipe(p) < 0)
		return 2;
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		pthread_t t;
		close(p[0]);
		wfd = p[1];
		fcntl(wfd, F_SETFL, O_NONBLOCK);
		if (pthread_create(&t, NULL, ticker, NULL) != 0)
			_exit(2);
		for (;;)
			pause();
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	if (!tick_within(p[0], 5000)) {
		printf("the child never ticked\n");
		bad = 1;
	}
	bad |= stop_and_go(pid, p[0], SIGSTOP, "SIGSTOP");
	bad |= stop_and_go(pid, p[0], SIGTSTP, "SIGTSTP");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("child: %s\n", WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited");
	return bad;
}

/* spawnwait: children started with posix_spawn and vfork, and a wait in
 * pselect6 with SIGCHLD blocked outside it, as make -j and Python's
 * subprocess do.
 *	spawnwait		(the parent; exits 7)
 *	spawnwait child N	(a child; prints a line, exits N)
 * The parent makes calls at once after each spawn: when recording, the
 * kernel lets it go on as the child's exec begins, and the trace must
 * still have the child's execve before the parent's next call.  Then a
 * child exits while the parent waits in pselect6 with a mask that lets
 * SIGCHLD in: the handler runs there, pselect6 fails with EINTR.
 *	spawnwait thread	(exits 7)
 * A thread vforks while the main thread waits in a read of a pipe the
 * child writes to before its exec: the main thread's read returns (and its
 * event comes) while the vfork parent still waits for the exec.
 */
#include "progs.h"
#include <signal.h>
#include <spawn.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <pthread.h>

extern char **environ;
static volatile sig_atomic_t chld;

static void
on_chld(int sig)
{
	(void)sig;
	chld++;
}

static int pfd[2];

static void *
vforker(void *arg)
{
	char **argv = arg;
	int st;
	volatile int sum = 0;

	for (volatile int i = 0; i < 4; i++) {
		pid_t p = vfork();
		if (p == 0) {
			write(pfd[1], "x", 1);
			execl("/proc/self/exe", argv[0], "child", "3", (char *)NULL);
			_exit(97);
		}
		if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st))
			return NULL;
		sum += WEXITSTATUS(st);
	}
	printf("the thread's children: sum of statuses %d\n", sum);
	return NULL;
}

static int
vfork_thread(char **argv)
{
	pthread_t t;
	char c;

	if (pipe(pfd) < 0 || pthread_create(&t, NULL, vforker, argv) != 0)
		return 99;
	for (int i = 0; i < 4; i++) {
		ssize_t n = read(pfd[0], &c, 1);
		printf("read %zd from a vfork child\n", n);
	}
	pthread_join(t, NULL);
	fflush(stdout);
	return 7;
}

int
main(int argc, char **argv)
{
	char num[16];
	int st, sum = 0;
	pid_t p;

	if (argc == 3 && strcmp(argv[1], "child") == 0) {
		printf("child %s\n", argv[2]);
		return atoi(argv[2]);
	}
	if (argc == 2 && strcmp(argv[1], "thread") == 0)
		return vfork_thread(argv);
	for (int i = 0; i < 12; i++) {
		char *av[] = { argv[0], "child", num, NULL };
		snprintf(num, sizeof num, "%d", i);
		if ((errno = posix_spawn(&p, "/proc/self/exe", NULL, NULL, av, environ)) != 0) {
			printf("posix_spawn: %s\n", ename(errno));
			return 99;
		}
		printf("spawned %d, ppid %d\n", i, (int)getppid() > 0);
		fflush(stdout);
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
			return 98;
		sum += WEXITSTATUS(st);
	}
	for (int i = 0; i < 4; i++) {
		snprintf(num, sizeof num, "%d", 20 + i);
		if ((p = vfork()) == 0) {
			execl("/proc/self/exe", argv[0], "child", num, (char *)NULL);
			_exit(97);
		}
		printf("vforked %d, uid %d\n", i, (int)getuid() >= 0);
		fflush(stdout);
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
			return 98;
		sum += WEXITSTATUS(st);
	}
	printf("sum of statuses %d\n", sum);

	struct sigaction sa = { .sa_handler = on_chld };
	sigset_t block, none;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigemptyset(&none);
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, NULL);
	for (int i = 0; i < 3; i++) {
		if ((p = fork()) == 0) {
			usleep(20000);
			_exit(i);
		}
		int r = pselect(0, NULL, NULL, NULL, NULL, &none);
		printf("pselect = %d %s, handled %d\n", r, r < 0 ? ename(errno) : "", (int)chld);
		if (waitpid(p, &st, 0) != p)
			return 98;
	}
	fflush(stdout);
	return 7;
}

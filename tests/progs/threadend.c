/* threadend: a process whose threads outlive the usual shape.
 *   threadend leader: the main thread leaves with pthread_exit while
 *     another goes on (the leader is a zombie, whose end no stop shows
 *     until the last thread is gone); exits 20 from that thread.
 *   threadend exec: a thread that is not the main one execs (the kernel
 *     ends the others, the main one blocked in a read, and the thread
 *     takes the leader's ids); the new image, "threadend after", exits 20.
 *   threadend mainexec: the main thread execs while two others wait on a
 *     condition no one signals (the kernel ends them; the recording has
 *     their ends before the execve, whose event it writes at its exit);
 *     "threadend after" exits 20.
 *   threadend groupexit: the main thread exits (exit_group) while one
 *     thread is blocked in a read no one answers and two make calls in a
 *     loop: each is ended inside a call that never returns, so has no
 *     event; exits 20.
 */
#include "progs.h"
#include <pthread.h>

static void *
late(void *arg)
{
	(void)arg;
	usleep(20000);
	printf("the thread goes on after the main thread left, pid %d\n", getpid() > 0);
	exit(20);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int waiting;

static void *
waiter(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&mu);
	waiting++;
	for (;;)
		pthread_cond_wait(&never, &mu);
	return NULL;
}

static int never_fds[2];

static void *
reader(void *arg)
{
	char c;

	(void)arg;
	read(never_fds[0], &c, 1);
	printf("read returned?\n");
	return NULL;
}

static void *
caller(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_getppid);
	return NULL;
}

static void *
execer(void *arg)
{
	char *av[] = { (char *)arg, "after", NULL };
	usleep(20000);
	printf("a thread execs\n");
	execv(av[0], av);
	printf("execv: %s\n", ename(errno));
	exit(1);
}

int
main(int argc, char **argv)
{
	pthread_t t;
	int fds[2];
	char c;

	progs_init();
	if (argc > 1 && strcmp(argv[1], "after") == 0) {
		printf("after the exec: %d thread(s) left\n", 1);
		R("getpid is the leader's", getpid() == syscall(SYS_gettid));
		return 20;
	}
	if (argc > 1 && strcmp(argv[1], "leader") == 0) {
		if (pthread_create(&t, NULL, late, NULL) != 0)
			return 1;
		printf("the main thread leaves\n");
		pthread_exit(NULL);
	}
	if (argc > 1 && strcmp(argv[1], "exec") == 0) {
		if (pipe(fds) < 0 || pthread_create(&t, NULL, execer, argv[0]) != 0)
			return 1;
		printf("the main thread reads a pipe no one writes\n");
		read(fds[0], &c, 1);
		printf("read returned?\n");
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "mainexec") == 0) {
		pthread_t a, b;
		if (pthread_create(&a, NULL, waiter, NULL) != 0 || pthread_create(&b, NULL, waiter, NULL) != 0)
			return 1;
		for (;;) {
			pthread_mutex_lock(&mu);
			int n = waiting;
			pthread_mutex_unlock(&mu);
			if (n == 2)
				break;
			usleep(1000);
		}
		printf("the main thread execs, two others waiting\n");
		fflush(stdout);
		char *av[] = { argv[0], "after", NULL };
		execv(av[0], av);
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "groupexit") == 0) {
		pthread_t a, b, d;
		if (pipe(never_fds) < 0 || pthread_create(&a, NULL, reader, NULL) != 0 ||
		    pthread_create(&b, NULL, caller, NULL) != 0 || pthread_create(&d, NULL, caller, NULL) != 0)
			return 1;
		usleep(20000);
		printf("the main thread exits, three others in calls\n");
		fflush(stdout);
		exit(20);
	}
	fprintf(stderr, "usage: threadend leader|exec|mainexec|groupexit\n");
	return 99;
}

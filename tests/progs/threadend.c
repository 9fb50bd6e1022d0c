/* threadend: a process whose threads outlive the usual shape.
 *   threadend leader: the main thread leaves with pthread_exit while
 *     another goes on (the leader is a zombie, whose end no stop shows
 *     until the last thread is gone); exits 20 from that thread.
 *   threadend exec: a thread that is not the main one execs (the kernel
 *     ends the others, the main one blocked in a read, and the thread
 *     takes the leader's ids); the new image, "threadend after", exits 20.
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
	fprintf(stderr, "usage: threadend leader|exec\n");
	return 99;
}

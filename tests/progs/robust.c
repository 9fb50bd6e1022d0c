/* robust: robust mutexes whose owner ended holding them: a thread's
 * (PTHREAD_MUTEX_ROBUST) and a child process's (also process-shared, in
 * shared anonymous memory).  The next lock gets EOWNERDEAD without a
 * system call: the kernel marked the futex word FUTEX_OWNER_DIED at the
 * owner's end, which in replay needs the word to name the owner's real
 * id.  A waiter blocked on the child's mutex is woken by that end too.
 * Exits 25.
 */
#include "progs.h"
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

static pthread_mutex_t *mu;

static void *
holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(mu);
	return NULL;	/* ends holding it */
}

static const char *
said(int r)
{
	return r == EOWNERDEAD ? "EOWNERDEAD" : r == 0 ? "0" : strerror(r);
}

int
main(void)
{
	pthread_mutexattr_t at;
	pthread_t t;
	int p[2], r;
	char c;

	progs_init();
	mu = mmap(NULL, 2 * sizeof *mu, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mu == MAP_FAILED || pipe(p) < 0)
		return 99;
	pthread_mutexattr_init(&at);
	pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&mu[0], &at);
	pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&mu[1], &at);

	/* a thread's */
	pthread_create(&t, NULL, holder, NULL);
	pthread_join(t, NULL);
	r = pthread_mutex_lock(&mu[0]);
	printf("lock after the thread ended: %s\n", said(r));
	if (r == EOWNERDEAD)
		printf("consistent: %d\n", pthread_mutex_consistent(&mu[0]));
	r = pthread_mutex_unlock(&mu[0]);
	printf("unlock: %d, lock again: %d\n", r, pthread_mutex_lock(&mu[0]));

	/* a child's, with the parent waiting on it */
	pid_t pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(&mu[1]);
		if (write(p[1], "l", 1) != 1)
			_exit(98);
		usleep(50000);
		_exit(0);	/* ends holding it */
	}
	if (read(p[0], &c, 1) != 1)
		return 99;
	r = pthread_mutex_lock(&mu[1]);	/* blocks until the child's end */
	printf("lock after the child ended: %s\n", said(r));
	waitpid(pid, NULL, 0);
	return 25;
}

/* threadpool: four workers and a producer meeting in a mutex and a
 * condition variable with timed waits (1 ms), as thread pools and
 * Python's GIL do.  Which worker takes which job, and which waits time
 * out, is a race natively; recorded one thread at a time (dios-record
 * --serial, the default), the replay takes the same turns.  Prints how
 * many jobs each worker did; exits 10.
 *	threadpool spin
 * The main thread spins on a flag another thread sets after a sleep, with
 * no call in the loop: when recording it loses its turn (two ticks) and
 * the sleeper's end comes; in replay too, though the sleeper waits parked
 * for its turn, not held.  Exits 10.
 */
#include "progs.h"
#include <pthread.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int work, done, stop;

static void *
worker(void *arg)
{
	long mine = 0;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&m);
		while (!work && !stop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			if ((ts.tv_nsec += 1000000) >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&c, &m, &ts);
		}
		if (stop && !work) {
			pthread_mutex_unlock(&m);
			break;
		}
		work--;
		pthread_mutex_unlock(&m);
		mine++;
		(void)getpid();
		pthread_mutex_lock(&m);
		done++;
		pthread_mutex_unlock(&m);
	}
	return (void *)mine;
}

static volatile int flag;

static void *
sleeper(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	usleep(50000);
	flag = 1;
	return NULL;
}

static int
spin(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, sleeper, NULL) != 0)
		return 99;
	usleep(10000);
	syscall(SYS_getppid);
	while (!flag)
		;
	printf("the flag is set\n");
	pthread_join(t, NULL);
	return 10;
}

int
main(int argc, char **argv)
{
	pthread_t t[4];

	if (argc > 1 && strcmp(argv[1], "spin") == 0)
		return spin();

	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&m);
		work++;
		pthread_cond_signal(&c);
		pthread_mutex_unlock(&m);
		if (i % 10 == 0)
			usleep(100);
	}
	pthread_mutex_lock(&m);
	stop = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		printf("worker %d did %ld jobs\n", i, (long)r);
	}
	printf("done %d\n", done);
	return 10;
}

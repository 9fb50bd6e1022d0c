/* threads: four threads doing file I/O and clock and random reads, each
 * printing what it saw; the main thread joins them.
 *	threads DIR	(reads DIR/in0.txt ... DIR/in3.txt; exits 4)
 */
#include "progs.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/random.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *
work(void *arg)
{
	long id = (long)arg;
	char path[4096 + 32], buf[64];
	unsigned sum = 0, rnd = 0;
	struct timespec ts = { 0, 0 };
	ssize_t n = 0;

	/* not P(): its buffers are shared by the threads */
	snprintf(path, sizeof path, "%s/in%ld.txt", dir, id);
	for (int i = 0; i < 25; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			printf("thread %ld: open: %s\n", id, ename(errno));
			return NULL;
		}
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		clock_gettime(CLOCK_REALTIME, &ts);
		getrandom(&rnd, sizeof rnd, 0);
		sum += rnd ^ (unsigned)ts.tv_nsec;
	}
	buf[n > 0 ? n - 1 : 0] = '\0';
	pthread_mutex_lock(&lock);
	printf("thread %ld (tid %ld): read \"%s\", last time %ld.%09ld, sum %u\n", id,
	    (long)syscall(SYS_gettid), buf, (long)ts.tv_sec, ts.tv_nsec, sum);
	fflush(stdout);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[4];

	if (argc < 2)
		return 99;
	snprintf(dir, sizeof dir, "%s", argv[1]);
	for (long i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, work, (void *)i) != 0)
			return 98;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("main (pid %d): joined\n", (int)getpid());
	return 4;
}

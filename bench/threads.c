/* threads.c: benchmark of threads making system calls at once.  Four
 * threads each read 16 bytes N/4 times (default N 100000) with pread from
 * one shared descriptor of FILE (default: this program).  Every read is one
 * system call that dios intercepts, and replay orders the four threads'
 * calls as recorded.  Prints a checksum of the bytes read.
 *
 * Usage: threads [N [FILE]]
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 4

static int fd;
static long per;

static void *
work(void *arg)
{
	unsigned long sum = 0;
	unsigned char buf[16];

	for (long i = 0; i < per; i++) {
		if (pread(fd, buf, sizeof buf, (off_t)((i * 16) % 4096)) != (ssize_t)sizeof buf)
			return NULL;
		sum += buf[0];
	}
	*(unsigned long *)arg = sum;
	return NULL;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	const char *path = argc > 2 ? argv[2] : argv[0];
	unsigned long sums[NTHREADS] = { 0 }, total = 0;
	pthread_t t[NTHREADS];

	if (n <= 0) {
		fprintf(stderr, "usage: threads [N [FILE]]\n");
		return 2;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "threads: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	per = n / NTHREADS;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, work, &sums[i]) != 0) {
			fprintf(stderr, "threads: cannot start a thread\n");
			return 1;
		}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		total += sums[i];
	}
	printf("%lu\n", total);
	return 0;
}

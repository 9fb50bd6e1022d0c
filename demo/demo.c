/* demo.c: the bundled demo of dios.  It asks its environment for the things
 * that make two runs of a program differ: a file's contents, the time, random
 * bytes and its process id, and prints what it got.  Recorded with
 * dios-record, it prints the same four lines on every dios-replay, even when
 * the file is gone (see demo/run-demo.sh).
 *
 * Usage: demo [FILE]   (default: input.txt)
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}

/* Reads path through, counting bytes, lines and words.  Returns 0 or -errno. */
static int
count_file(const char *path, unsigned long long *bytes, unsigned long *lines,
    unsigned long *words)
{
	char buf[4096];
	ssize_t n;
	int fd, inword = 0;

	*bytes = 0;
	*lines = *words = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		*bytes += (unsigned long long)n;
		for (ssize_t i = 0; i < n; i++) {
			int space = buf[i] == ' ' || buf[i] == '\t' ||
			    buf[i] == '\n' || buf[i] == '\r';

			if (buf[i] == '\n')
				(*lines)++;
			if (!space && !inword)
				(*words)++;
			inword = !space;
		}
	}
	if (n < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "input.txt";
	unsigned long long bytes;
	unsigned long lines, words;
	unsigned char rnd[16];
	struct timespec now, mono;
	struct tm tm;
	char when[64];
	ssize_t got;
	int e;

	if (argc > 2) {
		fprintf(stderr, "usage: demo [FILE]\n");
		return 2;
	}
	if ((e = count_file(path, &bytes, &lines, &words)) < 0) {
		fprintf(stderr, "demo: cannot read %s: %s\n", path, strerror(-e));
		return 1;
	}
	printf("read %lu line%s (%llu bytes) from %s; word count %lu\n", lines,
	    lines == 1 ? "" : "s", bytes, base_name(path), words);

	/* UTC, so that the line does not depend on the time zone. */
	clock_gettime(CLOCK_REALTIME, &now);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	gmtime_r(&now.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	printf("time: %s.%09ldZ (monotonic %lld ns)\n", when, now.tv_nsec,
	    (long long)mono.tv_sec * 1000000000LL + mono.tv_nsec);

	if ((got = getrandom(rnd, sizeof rnd, 0)) != (ssize_t)sizeof rnd) {
		fprintf(stderr, "demo: getrandom: %s\n",
		    got < 0 ? strerror(errno) : "short read");
		return 1;
	}
	printf("random:");
	for (size_t i = 0; i < sizeof rnd; i++)
		printf(" %02x", rnd[i]);
	printf("\n");

	printf("pid: %ld\n", (long)getpid());
	return fflush(stdout) == 0 ? 0 : 1;
}

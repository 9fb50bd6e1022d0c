/* fastread.c: reads, positioned reads, stats, seeks and fadvise of a
 * regular file through the C library's wrappers, many times: the calls the
 * agent takes from patched call sites (the fast path, src/agent/README).
 * "calls" makes them in one process, then on a number that is closed and
 * given to a pipe (which the agent must leave alone), then in a forked
 * child; "all" adds threads reading at once from the patched sites, a
 * signal handler that reads while the program reads, and an exec'd copy
 * of itself.  Prints, per part, how many calls it made and a checksum of
 * what they returned, so a replay that answers one call wrongly prints
 * another line.  Exits 22.
 *
 * Usage: fastread calls|all DIR   (DIR/data: the file read)
 */
#include "progs.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

static const char *path;

static uint64_t
mix(uint64_t sum, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		sum = sum * 1099511628211ULL + b[i];
	return sum;
}

/* n rounds of the calls on fd; their checksum */
static uint64_t
calls(int fd, int n, uint64_t sum)
{
	unsigned char buf[512];
	struct stat st;

	for (int i = 0; i < n; i++) {
		ssize_t r = pread(fd, buf, 64, (off_t)(i * 61) % 60000);
		sum = mix(sum, buf, r > 0 ? (size_t)r : 0) + (uint64_t)r;
		if (i % 8 == 0) {
			r = read(fd, buf, sizeof buf);
			sum = mix(sum, buf, r > 0 ? (size_t)r : 0) + (uint64_t)r;
			sum += (uint64_t)lseek(fd, 0, SEEK_CUR);
			if (fstat(fd, &st) == 0)
				sum = mix(sum, &st.st_size, sizeof st.st_size);
			sum += (uint64_t)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		}
		if (i % 500 == 499)
			(void)lseek(fd, 0, SEEK_SET);
	}
	return sum;
}

static int
open_data(void)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "fastread: cannot open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void *
thread(void *arg)
{
	int fd = open_data();

	*(uint64_t *)arg = calls(fd, 1500, 7);
	close(fd);
	return NULL;
}

static volatile sig_atomic_t ticks;
static int sig_fd = -1;
static uint64_t sig_sum;

static void
on_alarm(int sig)
{
	unsigned char b[8];

	(void)sig;
	if (pread(sig_fd, b, sizeof b, 128) == (ssize_t)sizeof b)
		sig_sum = mix(sig_sum, b, sizeof b);
	ticks++;
}

int
main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "calls") && strcmp(argv[1], "all") && strcmp(argv[1], "again"))) {
		fprintf(stderr, "usage: fastread calls|all DIR\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s", argv[2]);
	path = P("data");
	setvbuf(stdout, NULL, _IONBF, 0);

	int fd = open_data();
	printf("calls: %llx\n", (unsigned long long)calls(fd, 4000, 1));
	if (strcmp(argv[1], "again") == 0)
		return 22;	/* the exec'd copy */

	/* the number given to a pipe: the agent must not read it */
	int p[2];
	if (pipe(p) < 0 || dup2(p[0], fd) < 0)
		return 1;
	close(p[0]);
	if (write(p[1], "through the pipe", 16) != 16)
		return 1;
	close(p[1]);
	char b[64];
	ssize_t r = read(fd, b, sizeof b);
	printf("pipe: %.*s\n", r > 0 ? (int)r : 0, b);
	close(fd);
	fd = open_data();
	printf("reopened: %llx\n", (unsigned long long)calls(fd, 300, 2));

	pid_t pid = fork();
	if (pid == 0) {
		printf("child: %llx\n", (unsigned long long)calls(fd, 2000, 3));
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("parent: %llx (child %d)\n", (unsigned long long)calls(fd, 500, 4), WEXITSTATUS(st));
	if (strcmp(argv[1], "calls") == 0)
		return 22;

	pthread_t th[3];
	uint64_t ts[3];
	for (int i = 0; i < 3; i++)
		if (pthread_create(&th[i], NULL, thread, &ts[i]) != 0)
			return 1;
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		printf("thread %d: %llx\n", i + 1, (unsigned long long)ts[i]);
	}

	sig_fd = fd;
	signal(SIGALRM, on_alarm);
	struct itimerval it = { { 0, 500 }, { 0, 500 } };
	setitimer(ITIMER_REAL, &it, NULL);
	uint64_t sum = calls(fd, 6000, 5);
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	printf("with signals: %llx, %d handled: %llx\n", (unsigned long long)sum, (int)ticks,
	    (unsigned long long)sig_sum);

	execl(argv[0], argv[0], "again", argv[2], (char *)NULL);
	return 1;
}

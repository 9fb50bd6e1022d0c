/* flaky: small tests that fail now and then, each in one of the ways
 * studies of flaky tests report (Luo et al., FSE 2014; Eck et al., FSE
 * 2019), for tests/flaky-bench.sh and bench/flaky: the failure rates
 * natively and under each chaos class of dios-record, runs to the first
 * failure, replay reproduction, and whether dios-flaky explain names the
 * cause.  `flaky MODE [DIR]`: exits 0 when the test passes, 1 when it
 * fails, with a line saying why; 2 on bad usage.
 *
 *   timeout    a child answers in about 2 ms; the test waits 30 ms by the
 *              clock (async wait)                               cause: time
 *   elapsed    a step "must take under half a second", timed by two
 *              clock readings (elapsed time)                    cause: time
 *   random     a random value out of the expected range (1 in 64)
 *                                                               cause: random
 *   order      test order drawn at random 1 time in 8 (as a runner's
 *              shuffle option); one test relies on a file another leaves behind      cause: random
 *   dirorder   fixtures loaded in the order the directory lists them,
 *              compared with DIR/expected, a listing made once (a golden
 *              file from the developer's machine)               cause: dirs
 *   race       two threads append a line each to a log; the test expects
 *              the first started one first                     cause: sched
 *   port       a server on a port from the pid, a second one on a port
 *              drawn at random: 1 in 16 they collide            cause: random
 *   hashorder  a hash table seeded at random 1 time in 16 (as Python's
 *              str hash with PYTHONHASHSEED unset), its iteration order compared with one seen once  cause: random
 *   shortread  a message read from a pipe by one read(), assumed whole
 *                                                               cause: io
 */
#include "progs.h"
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <poll.h>

static int
fail(const char *why)
{
	printf("FAIL: %s\n", why);
	return 1;
}

static int
pass(void)
{
	printf("ok\n");
	return 0;
}

static double
now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t
rnd(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof v, 0) != sizeof v)
		exit(2);
	return v;
}

static int
t_timeout(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		return 2;
	if (pid == 0) {
		struct timespec d = { 0, 2000000 };
		nanosleep(&d, NULL);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	double deadline = now(CLOCK_MONOTONIC) + 0.030;
	int got = 0;
	for (;;) {
		double left = deadline - now(CLOCK_MONOTONIC);
		if (left <= 0)
			break;
		struct pollfd pf = { p[0], POLLIN, 0 };
		int n = poll(&pf, 1, (int)(left * 1000) + 1);
		if (n > 0) {
			got = read(p[0], &c, 1) == 1;
			break;
		}
	}
	waitpid(pid, NULL, 0);
	return got ? pass() : fail("no answer within 30 ms");
}

static int
t_elapsed(void)
{
	double t0 = now(CLOCK_MONOTONIC);
	char buf[256];
	for (int i = 0; i < 20; i++) {
		int fd = open("/proc/self/stat", O_RDONLY);
		if (fd >= 0) {
			if (read(fd, buf, sizeof buf) < 0)
				return 2;
			close(fd);
		}
	}
	double t = now(CLOCK_MONOTONIC) - t0;
	if (t >= 0.5) {
		printf("step took %.3f s\n", t);
		return fail("the step took half a second or more");
	}
	return pass();
}

static int
t_random(void)
{
	uint32_t v = rnd() % 64;
	return v != 0 ? pass() : fail("random value out of range");
}

static int
t_order(void)
{
	char path[4200];
	/* three tests; "use" needs the file "make" leaves behind */
	const char *tests[3] = { "make", "other", "use" };
	if (rnd() % 8 == 0)	/* now and then the runner shuffles them */
	for (int i = 2; i > 0; i--) {
		int j = (int)(rnd() % (uint32_t)(i + 1));
		const char *x = tests[i];
		tests[i] = tests[j];
		tests[j] = x;
	}
	snprintf(path, sizeof path, "%s/leftover", dir);
	unlink(path);
	for (int i = 0; i < 3; i++) {
		printf("test %s\n", tests[i]);
		if (strcmp(tests[i], "make") == 0) {
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0)
				return 2;
			close(fd);
		} else if (strcmp(tests[i], "use") == 0 && access(path, F_OK) < 0) {
			unlink(path);
			return fail("test use ran before test make");
		}
	}
	unlink(path);
	return pass();
}

/* The names in DIR/fixtures, in the order readdir gives them, into buf. */
static int
listing(char *buf, size_t len)
{
	char path[4200];
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/fixtures", dir);
	if ((d = opendir(path)) == NULL)
		return -1;
	buf[0] = '\0';
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s\n", e->d_name);
		if (n >= len)
			break;
	}
	closedir(d);
	return 0;
}

static int
t_dirorder(void)
{
	char path[4200], got[4096], want[4096];
	int fd;
	ssize_t n;

	/* setup (once, natively, by the developer): the fixtures and the
	 * listing they gave */
	snprintf(path, sizeof path, "%s/expected", dir);
	if ((fd = open(path, O_RDONLY)) < 0) {
		char f[4300];
		snprintf(f, sizeof f, "%s/fixtures", dir);
		mkdir(f, 0755);
		for (int i = 0; i < 6; i++) {
			snprintf(f, sizeof f, "%s/fixtures/case%d.txt", dir, i);
			int c = open(f, O_WRONLY | O_CREAT, 0644);
			if (c >= 0)
				close(c);
		}
		if (listing(got, sizeof got) < 0 || (fd = open(path, O_WRONLY | O_CREAT, 0644)) < 0)
			return 2;
		if (write(fd, got, strlen(got)) < 0)
			return 2;
		close(fd);
		printf("setup: %s written\n", path);
		return 0;
	}
	n = read(fd, want, sizeof want - 1);
	close(fd);
	if (n < 0)
		return 2;
	want[n] = '\0';
	if (listing(got, sizeof got) < 0)
		return 2;
	return strcmp(got, want) == 0 ? pass() : fail("fixtures loaded in another order");
}

static int log_fd;

static void *
appender(void *arg)
{
	const char *line = arg;
	if (write(log_fd, line, strlen(line)) < 0)
		return NULL;
	return NULL;
}

static int
t_race(void)
{
	char path[4200], buf[64];
	pthread_t a, b;
	ssize_t n;

	snprintf(path, sizeof path, "%s/race.log", dir);
	if ((log_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644)) < 0)
		return 2;
	pthread_create(&a, NULL, appender, "first\n");
	pthread_create(&b, NULL, appender, "second\n");
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	n = pread(log_fd, buf, sizeof buf - 1, 0);
	close(log_fd);
	unlink(path);
	if (n < 0)
		return 2;
	buf[n] = '\0';
	return strncmp(buf, "first\n", 6) == 0 ? pass() : fail("the second thread wrote first");
}

static int
listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 1) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

static int
t_port(void)
{
	int base = 42000 + (int)(getpid() % 1000) * 16;
	int a = listen_on(base + (int)(getpid() % 16));
	if (a < 0)
		return pass();	/* the machine uses it: not this test's failure */
	int b = listen_on(base + (int)(rnd() % 16));
	close(a);
	if (b < 0)
		return fail("second server: port in use");
	close(b);
	return pass();
}

static int
t_hashorder(void)
{
	const char *keys[] = { "alpha", "beta", "gamma", "delta" };
	const char *slot[8] = { 0 };
	/* hashing is randomised now and then (an environment variable
	 * some machines set, as PYTHONHASHSEED) */
	uint32_t seed = rnd() % 16 == 0 ? rnd() : 0;
	char got[64] = "";

	for (int i = 0; i < 4; i++) {
		uint32_t h = seed * 2654435761u;
		for (const char *p = keys[i]; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
		unsigned j = h % 8;
		while (slot[j])
			j = (j + 1) % 8;
		slot[j] = keys[i];
	}
	for (int j = 0; j < 8; j++)
		if (slot[j]) {
			strcat(got, slot[j]);
			strcat(got, " ");
		}
	/* the order the test's author saw once, with seed 0 */
	const char *want = NULL;
	{
		const char *s0[8] = { 0 };
		static char w[64];
		for (int i = 0; i < 4; i++) {
			uint32_t h = 0;
			for (const char *p = keys[i]; *p; p++)
				h = (h ^ (uint8_t)*p) * 16777619u;
			unsigned j = h % 8;
			while (s0[j])
				j = (j + 1) % 8;
			s0[j] = keys[i];
		}
		w[0] = '\0';
		for (int j = 0; j < 8; j++)
			if (s0[j]) {
				strcat(w, s0[j]);
				strcat(w, " ");
			}
		want = w;
	}
	printf("order: %s\n", got);
	return strcmp(got, want) == 0 ? pass() : fail("iteration order differs");
}

static int
t_shortread(void)
{
	int p[2];
	char msg[200], buf[4096];
	pid_t pid;
	ssize_t n;

	memset(msg, 'm', sizeof msg);
	if (pipe(p) < 0 || (pid = fork()) < 0)
		return 2;
	if (pid == 0)
		_exit(write(p[1], msg, sizeof msg) == (ssize_t)sizeof msg ? 0 : 1);
	close(p[1]);
	n = read(p[0], buf, sizeof buf);	/* the bug: one read, assumed whole */
	waitpid(pid, NULL, 0);
	if (n != (ssize_t)sizeof msg) {
		printf("read %zd of %zu bytes\n", n, sizeof msg);
		return fail("message cut short");
	}
	return pass();
}

int
main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(void); } modes[] = {
		{ "timeout", t_timeout }, { "elapsed", t_elapsed }, { "random", t_random },
		{ "order", t_order }, { "dirorder", t_dirorder }, { "race", t_race },
		{ "port", t_port }, { "hashorder", t_hashorder }, { "shortread", t_shortread },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: flaky MODE [DIR]\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s", argc > 2 ? argv[2] : ".");
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(argv[1], modes[i].name) == 0)
			return modes[i].fn();
	fprintf(stderr, "flaky: unknown mode '%s'\n", argv[1]);
	return 2;
}

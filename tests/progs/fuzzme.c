/* fuzzme: small programs with a bug planted in an error path, for
 * tests/fuzz-run.sh (dios-fuzz run must find each, deduplicate it, and
 * keep a reproducer that dios-replay replays).  `fuzzme MODE DIR`; each
 * works in DIR and exits 0 when nothing went wrong.
 *
 *   open       reads DIR/config; when it cannot be opened, dereferences
 *              a NULL "default config" (SIGSEGV)
 *   write      writes DIR/out.txt, ignoring the errors of write and close,
 *              and says nothing (a silent data loss)
 *   shortread  reads a 16-byte header from DIR/data and trusts its length
 *              field even when the read came back short (SIGSEGV)
 *   clock      times a step with CLOCK_MONOTONIC and asserts the time
 *              went forward (SIGABRT when a reading goes back)
 *   dirs       lists DIR/d twice and takes another order for a change
 *              it "cannot handle" (SIGABRT)
 *   rate       times a step with CLOCK_MONOTONIC and divides by the time
 *              it took (SIGFPE when two readings are the same)
 *   stat       averages the bytes of DIR/data per line over its size from
 *              fstat (SIGFPE when the size is 0)
 *   loop       reads DIR/data's 16-byte header with a loop that only ends
 *              when one read returns all 16 (a hang after a short read)
 *   fallback   reads DIR/config; when it cannot, asks for its directory,
 *              polls its stdin and reads a clock the run read nowhere
 *              else, then exits 0 (the model must answer each)
 *   retry      reads DIR/config, trying again once when the open fails;
 *              when the second open fails too, dereferences NULL
 *              (SIGSEGV): one mutation cannot find it, two can
 */
#include "progs.h"
#include <dirent.h>
#include <poll.h>
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
#include <sys/stat.h>

struct config { int verbose; };

/* The config read from descriptor fd (closed), or NULL when fd < 0. */
static struct config *
read_config(int fd)
{
	static struct config file_cfg;
	char buf[64];

	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof buf);
	file_cfg.verbose = n > 0 && buf[0] == '1';
	close(fd);
	return &file_cfg;
}

static int
m_open(void)
{
	struct config *cfg = read_config(open(P("config"), O_RDONLY));

	/* the bug: no default when the file is missing */
	printf("verbose=%d\n", cfg->verbose);
	return 0;
}

static int
m_fallback(void)
{
	int fd = open(P("config"), O_RDONLY);
	char cwd[4096];
	struct pollfd p = { .fd = 0, .events = POLLIN };
	struct timespec ts;

	if (fd >= 0) {
		close(fd);
		printf("config\n");
		return 0;
	}
	if (getcwd(cwd, sizeof cwd) == NULL || poll(&p, 1, 0) < 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &ts) < 0) {
		perror("fallback");
		return 1;
	}
	printf("fallback\n");
	return 0;
}

static int
m_retry(void)
{
	int fd = open(P("config"), O_RDONLY);

	if (fd < 0) {
		fprintf(stderr, "fuzzme: config: %s; trying again\n", strerror(errno));
		fd = open(P("config"), O_RDONLY);
	}
	struct config *cfg = read_config(fd);
	/* the bug: no default when the second try fails too */
	printf("verbose=%d\n", cfg->verbose);
	return 0;
}

static int
m_write(void)
{
	int fd = open(P("out.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("out.txt");
		return 1;
	}
	for (int i = 0; i < 4; i++) {
		char line[32];
		int n = snprintf(line, sizeof line, "line %d\n", i);
		(void)!write(fd, line, (size_t)n);	/* the bug: errors ignored */
	}
	close(fd);				/* and here */
	return 0;
}

static int
m_shortread(void)
{
	struct { char magic[12]; uint32_t len; } hdr;
	char body[64];
	int fd = open(P("data"), O_RDONLY);

	if (fd < 0) {
		perror("data");
		return 1;
	}
	memset(&hdr, 0xff, sizeof hdr);
	ssize_t n = read(fd, &hdr, sizeof hdr);
	if (n < 0) {
		perror("read");
		return 1;
	}
	/* the bug: a short read leaves len as it was */
	char *copy = malloc(64);
	memcpy(copy, body, hdr.len);
	printf("body of %u bytes\n", hdr.len);
	free(copy);
	close(fd);
	return 0;
}

static int
m_clock(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 3; i++)
		(void)getppid();
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
	if (ns < 0)
		abort();	/* the bug: "cannot happen" */
	printf("step took %s\n", ns < 1000000000LL ? "under a second" : "a second or more");
	return 0;
}

static int
m_rate(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	(void)getppid();
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
	volatile long long per_s = 1000000000LL / ns;	/* the bug: ns may be 0 */
	printf("%s\n", per_s > 1000 ? "fast" : "slow");
	return 0;
}

static int
m_stat(void)
{
	struct stat st;
	char buf[256];
	int fd = open(P("data"), O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror("data");
		return 1;
	}
	ssize_t n = read(fd, buf, sizeof buf);
	int lines = 1;
	for (ssize_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	volatile int size = (int)st.st_size;
	volatile int per = size / (size / lines);	/* the bug: a size of 0 */
	printf("%d lines, %d\n", lines, per);
	close(fd);
	return 0;
}

static int
m_loop(void)
{
	char hdr[16];
	int fd = open(P("data"), O_RDONLY);

	if (fd < 0) {
		perror("data");
		return 1;
	}
	while (read(fd, hdr, sizeof hdr) != (ssize_t)sizeof hdr)
		;	/* the bug: a short read, then the end of the file, for ever */
	printf("header %.4s\n", hdr);
	close(fd);
	return 0;
}

/* The names of DIR/d in the order they are listed, into buf. */
static int
listing(char *buf, size_t len)
{
	DIR *d = opendir(P("d"));
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return -1;
	buf[0] = '\0';
	while ((e = readdir(d)) != NULL && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s/", e->d_name);
	closedir(d);
	return 0;
}

static int
m_dirs(void)
{
	char a[4096], b[4096];

	if (listing(a, sizeof a) < 0) {
		perror("d");
		return 1;
	}
	(void)getppid();
	if (listing(b, sizeof b) < 0) {
		perror("d");
		return 1;
	}
	/* the bug: "the directory changed" when it is only listed in
	 * another order */
	if (strcmp(a, b) != 0)
		abort();
	printf("no change\n");
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: fuzzme open|write|shortread|clock|dirs|retry|rate|stat|loop|fallback DIR\n");
		return 2;
	}
	snprintf(dir, sizeof dir, "%s", argv[2]);
	if (!strcmp(argv[1], "open"))
		return m_open();
	if (!strcmp(argv[1], "write"))
		return m_write();
	if (!strcmp(argv[1], "shortread"))
		return m_shortread();
	if (!strcmp(argv[1], "clock"))
		return m_clock();
	if (!strcmp(argv[1], "dirs"))
		return m_dirs();
	if (!strcmp(argv[1], "retry"))
		return m_retry();
	if (!strcmp(argv[1], "fallback"))
		return m_fallback();
	if (!strcmp(argv[1], "rate"))
		return m_rate();
	if (!strcmp(argv[1], "stat"))
		return m_stat();
	if (!strcmp(argv[1], "loop"))
		return m_loop();
	fprintf(stderr, "fuzzme: unknown mode '%s'\n", argv[1]);
	return 2;
}

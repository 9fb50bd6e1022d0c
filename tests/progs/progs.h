/* progs.h: helpers shared by the test programs in tests/progs.
 *
 * Each program prints one line per call: "name(args) = result" or
 * "name(args) = -1 ENAME", so that a replay answering a call wrongly shows
 * up as a difference in stdout.  Header only.
 */
#ifndef DIOS_TEST_PROGS_H
#define DIOS_TEST_PROGS_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

/* The directory a program works in (argv[1]), and DIR/NAME in a rotating
 * static buffer. */
static char dir[4096];

static inline const char *
P(const char *name)
{
	static char buf[4][4096 + 64];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static inline const char *
ename(int e)
{
	static char buf[16];
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	snprintf(buf, sizeof buf, "E%d", e);
	return buf;
}

/* Evaluates EXPR once, then prints "WHAT = result" or "WHAT = -1 ENAME";
 * yields the result. */
#define R(what, expr) ({ \
	long r_ = (long)(expr); \
	int e_ = errno; \
	if (r_ < 0) \
		printf("%s = -1 %s\n", (what), ename(e_)); \
	else \
		printf("%s = %ld\n", (what), r_); \
	errno = e_; \
	r_; })

/* Line-buffered stdout: one write per line, so the output interleaves with
 * the calls in the trace. */
static inline void
progs_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* The working directory from argv[1] into dir; without it, "usage: NAME
 * DIR" and exit 99. */
static inline void
progs_dir(int argc, char **argv, const char *name)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR\n", name);
		exit(99);
	}
	snprintf(dir, sizeof dir, "%s", argv[1]);
}

/* Prints "  WHAT: \"B\"" for the n bytes read into b (newlines as '|');
 * nothing when n < 0. */
static inline void
show_text(const char *what, const char *b, long n)
{
	if (n < 0)
		return;
	printf("  %s: \"", what);
	for (long i = 0; i < n; i++)
		putchar(b[i] == '\n' ? '|' : b[i]);
	printf("\"\n");
}

static inline void
hexdump(const char *what, const unsigned char *b, size_t n)
{
	printf("%s:", what);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* Exits 99 (harness error) when a call the program needs fails. */
#define NEED(expr) do { if ((long)(expr) < 0) { \
	fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, strerror(errno)); \
	exit(99); } } while (0)

#endif

/* tap.h: a tiny Test Anything Protocol helper for the unit tests.
 *
 *	plan(3);			// or no plan: done_testing() prints it
 *	ok(x == 1, "x is %d", x);	// returns the condition
 *	is_int(f(), 0, "f succeeds");	// prints got/expected on failure
 *	is_str(s, "abc", "name");
 *	skip(2, "no %s here", "clang");	// counts as passing
 *	diag("note %d", n);		// "# note 1" on stdout
 *	if (!setup()) bail_out("cannot set up: %s", strerror(errno));  // exit 99
 *	return done_testing();		// 0 when all passed, else 1
 *
 * Header only; one test program per translation unit.  Output goes to
 * stdout (the TAP log driver reads it), unbuffered so a crash keeps what was
 * printed.
 */
#ifndef DIOS_TAP_H
#define DIOS_TAP_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_PRINTF(a, b) __attribute__((format(printf, a, b)))

static struct {
	int planned;	/* -1: no plan yet */
	int run;
	int failed;
	int unbuffered;
} tap_state __attribute__((unused)) = { -1, 0, 0, 0 };

static inline void
tap_init(void)
{
	if (!tap_state.unbuffered) {
		setvbuf(stdout, NULL, _IONBF, 0);
		tap_state.unbuffered = 1;
	}
}

static inline void
plan(int n)
{
	tap_init();
	tap_state.planned = n;
	printf("1..%d\n", n);
}

static inline void TAP_PRINTF(1, 2)
diag(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	char *line, *save = NULL;

	tap_init();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
}

static inline int
vok(int cond, const char *fmt, va_list ap)
{
	tap_init();
	tap_state.run++;
	if (!cond)
		tap_state.failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_state.run);
	vprintf(fmt, ap);
	printf("\n");
	return cond;
}

static inline int TAP_PRINTF(2, 3)
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vok(cond, fmt, ap);
	va_end(ap);
	return cond;
}

static inline int TAP_PRINTF(3, 4)
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vok(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		diag("got %lld, expected %lld", got, want);
	return got == want;
}

static inline int TAP_PRINTF(3, 4)
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int cond = got && want ? strcmp(got, want) == 0 : got == want;

	va_start(ap, fmt);
	vok(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		diag("got \"%s\", expected \"%s\"", got ? got : "(null)",
		    want ? want : "(null)");
	return cond;
}

static inline void TAP_PRINTF(2, 3)
skip(int n, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	tap_init();
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	while (n-- > 0)
		printf("ok %d # SKIP %s\n", ++tap_state.run, why);
}

/* A harness error: the test cannot run.  Exit 99. */
static inline void TAP_PRINTF(1, 2) __attribute__((noreturn))
bail_out(const char *fmt, ...)
{
	va_list ap;

	tap_init();
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(99);
}

/* Prints the plan when none was given; returns the exit status. */
static inline int
done_testing(void)
{
	tap_init();
	if (tap_state.planned < 0)
		printf("1..%d\n", tap_state.run);
	else if (tap_state.planned != tap_state.run) {
		diag("planned %d tests but ran %d", tap_state.planned, tap_state.run);
		return 1;
	}
	if (tap_state.failed)
		diag("failed %d of %d tests", tap_state.failed, tap_state.run);
	return tap_state.failed ? 1 : 0;
}

#endif

/* injectme: the calls tests/inject.sh injects faults into, one scenario
 * per first argument, each printing what the program saw:
 *	injectme chdir N	chdir(".") N times
 *	injectme open DIR N	open DIR/a.txt N times (and close it)
 *	injectme signal		chdir(".") once with a SIGUSR1 handler: was it called?
 *	injectme delay		one chdir(".") timed with CLOCK_MONOTONIC
 *	injectme read DIR	read up to 100 bytes of DIR/data.txt
 * Exits 0, or 3 when a call failed (the program handles its errors).
 */
#include "progs.h"
#include <fcntl.h>
#include <signal.h>
#include <time.h>

static volatile sig_atomic_t usr1;

/* open, printed "WHAT = fd" (the number depends on what the caller left
 * open) or "WHAT = -1 ENAME". */
static int
open_p(const char *what, const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		printf("%s = -1 %s\n", what, ename(errno));
	else
		printf("%s = fd\n", what);
	return fd;
}

static void
on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

int
main(int argc, char **argv)
{
	int failed = 0;

	progs_init();
	if (argc < 2) {
		fprintf(stderr, "usage: injectme chdir N | open DIR N | signal | delay | read DIR\n");
		return 99;
	}
	if (strcmp(argv[1], "chdir") == 0 && argc == 3) {
		int n = atoi(argv[2]);
		for (int i = 1; i <= n; i++) {
			char what[32];
			snprintf(what, sizeof what, "chdir #%d", i);
			failed |= R(what, chdir(".")) < 0;
		}
	} else if (strcmp(argv[1], "open") == 0 && argc == 4) {
		int n = atoi(argv[3]);
		snprintf(dir, sizeof dir, "%s", argv[2]);
		for (int i = 1; i <= n; i++) {
			char what[32];
			snprintf(what, sizeof what, "open a.txt #%d", i);
			int fd = open_p(what, P("a.txt"));
			if (fd >= 0)
				close(fd);
			else
				failed = 1;
		}
	} else if (strcmp(argv[1], "signal") == 0) {
		signal(SIGUSR1, on_usr1);
		failed |= R("chdir", chdir(".")) < 0;
		printf("SIGUSR1 handled %d time(s)\n", (int)usr1);
	} else if (strcmp(argv[1], "delay") == 0) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		failed |= R("chdir", chdir(".")) < 0;
		clock_gettime(CLOCK_MONOTONIC, &b);
		long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
		printf("chdir took at least 250 ms: %s\n", ms >= 250 ? "yes" : "no");
	} else if (strcmp(argv[1], "read") == 0 && argc == 3) {
		char buf[100];
		snprintf(dir, sizeof dir, "%s", argv[2]);
		int fd = open_p("open data.txt", P("data.txt"));
		if (fd < 0)
			return 3;
		failed |= R("read 100", read(fd, buf, sizeof buf)) < 0;
		close(fd);
	} else {
		fprintf(stderr, "injectme: unknown scenario %s\n", argv[1]);
		return 99;
	}
	return failed ? 3 : 0;
}

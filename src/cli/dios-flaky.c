/* dios-flaky: catch a flaky program's failing run as a trace, and say what
 * made it fail (src/flaky/). */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/random.h>
#include "cli/common.h"
#include "config/exitcodes.h"
#include "flaky/flaky.h"

/* The statuses of dios-flaky (man/dios-flaky.1). */
#define EX_CAUGHT	0	/* run: a failure was caught and kept; explain: done */
#define EX_NONE		1	/* run: no failure within the budget */

static const char usage_main[] =
    "usage: dios-flaky run [OPTION]... -- COMMAND [ARG]...\n"
    "       dios-flaky explain [--json] [--runs N] PASS FAIL\n"
    "Records COMMAND until a run fails, keeping the failing trace and the last\n"
    "passing one; explains what made a failing trace fail.  See dios-flaky(1).\n";

static const char usage_run[] =
    "usage: dios-flaky run [OPTION]... -- COMMAND [ARG]...\n"
    "  -o, --output DIR        where the traces go (default flaky)\n"
    "  -f, --force             replace an earlier campaign's fail-/pass- files in DIR\n"
    "  -n, --runs N            at most N runs (default 1000; 0: no limit)\n"
    "  -t, --time DURATION     at most this long (90s, 10m, 1h)\n"
    "  -k, --keep N            keep the first N failures (default 1)\n"
    "      --fail-status LIST  the statuses that fail (1,3-5,SIGSEGV; default: not 0)\n"
    "      --fail-if-output RE a run whose output matches RE (POSIX ERE) fails too\n"
    "      --timeout SECONDS   a run over it fails (kind timeout)\n"
    "      --chaos[=CLASSES]   perturb the runs (sched,time,io,dirs; default all)\n"
    "      --seed N            the campaign's seed (default random, printed)\n"
    "      --json              the summary as one JSON object\n"
    "  -h, --help              this help\n";

static const char usage_explain[] =
    "usage: dios-flaky explain [--json] [--runs N] [--timeout SECONDS] [--no-rerun] PASS FAIL\n";

static void
on_signal(int sig)
{
	flaky_stop = 1;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: the wait wakes up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static unsigned long
number(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end || errno || *s == '-' || v > max)
		die(DIOS_EXIT_USAGE, "%s '%s': expected a number from 0 to %lu", opt, s, max);
	return v;
}

static double
seconds(const char *opt, const char *s)
{
	double v;

	if (flaky_parse_duration(s, &v) < 0)
		die(DIOS_EXIT_USAGE, "%s '%s': expected a duration such as 30, 90s, 10m or 1h", opt, s);
	return v;
}

static const char *
chaos_classes(const char *s)
{
	static const char *const known[] = { "sched", "time", "io", "dirs", "all" };
	const char *p = s;

	if (*p == '\0')
		die(DIOS_EXIT_USAGE, "--chaos=: name the classes (sched,time,io,dirs) or all");
	while (*p) {
		size_t n = strcspn(p, ","), i;
		for (i = 0; i < sizeof known / sizeof *known; i++)
			if (strlen(known[i]) == n && strncmp(p, known[i], n) == 0)
				break;
		if (i == sizeof known / sizeof *known)
			die(DIOS_EXIT_USAGE, "--chaos: unknown class '%.*s' (known: sched, time, io, dirs, "
			    "all)", (int)n, p);
		p += n;
		if (*p == ',')
			p++;
	}
	return s;
}

static int
cmd_run(int argc, char **argv)
{
	enum { O_FAILSTATUS = 256, O_FAILOUT, O_TIMEOUT, O_CHAOS, O_SEED, O_JSON };
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "force", no_argument, NULL, 'f' },
		{ "runs", required_argument, NULL, 'n' }, { "time", required_argument, NULL, 't' },
		{ "keep", required_argument, NULL, 'k' },
		{ "fail-status", required_argument, NULL, O_FAILSTATUS },
		{ "fail-if-output", required_argument, NULL, O_FAILOUT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "chaos", optional_argument, NULL, O_CHAOS }, { "seed", required_argument, NULL, O_SEED },
		{ "json", no_argument, NULL, O_JSON }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct flaky_run_opts o = { .dir = "flaky", .runs = 1000, .keep = 1, .out = stdout,
	    .progress = stderr };
	bool seeded = false;
	char err[1024];
	int c, e;

	while ((c = getopt_long(argc, argv, "+o:fn:t:k:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o.dir = optarg; break;
		case 'f': o.force = true; break;
		case 'n': o.runs = number("--runs", optarg, 100000000); break;
		case 't': o.time = seconds("--time", optarg); break;
		case 'k':
			o.keep = (unsigned)number("--keep", optarg, 100000);
			if (o.keep == 0)
				die(DIOS_EXIT_USAGE, "--keep 0: keep at least one failure");
			break;
		case O_FAILSTATUS:
			if (flaky_parse_statuses(optarg, &o.fail_status, err, sizeof err) < 0)
				die(DIOS_EXIT_USAGE, "%s", err);
			o.has_statuses = true;
			break;
		case O_FAILOUT:
			if (o.has_regex)
				regfree(&o.fail_output);
			if ((e = regcomp(&o.fail_output, optarg, REG_EXTENDED | REG_NEWLINE | REG_NOSUB)) != 0) {
				regerror(e, &o.fail_output, err, sizeof err);
				die(DIOS_EXIT_USAGE, "--fail-if-output '%s': %s", optarg, err);
			}
			o.has_regex = true;
			break;
		case O_TIMEOUT:
			o.timeout = seconds("--timeout", optarg);
			if (o.timeout <= 0)
				die(DIOS_EXIT_USAGE, "--timeout %s: a time limit above 0", optarg);
			break;
		case O_CHAOS: o.chaos = chaos_classes(optarg ? optarg : "all"); break;
		case O_SEED:
			o.seed = number("--seed", optarg, (1UL << 53) - 1);
			seeded = true;
			break;
		case O_JSON: o.json = true; break;
		case 'h': fputs(usage_run, stdout); return 0;
		default: fputs(usage_run, stderr); return DIOS_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		die(DIOS_EXIT_USAGE, "no command given: usage: dios-flaky run [OPTION]... -- COMMAND "
		    "[ARG]...");
	o.argv = argv + optind;
	if (!seeded) {
		uint64_t s = 0;
		if (getrandom(&s, sizeof s, 0) != sizeof s)
			s = (uint64_t)getpid() * 2654435761u ^ (uint64_t)time(NULL);
		o.seed = s & ((UINT64_C(1) << 53) - 1);
	}
	o.tty = isatty(2);
	catch_signals();
	e = flaky_run(&o, err, sizeof err);
	if (o.has_regex)
		regfree(&o.fail_output);
	if (fflush(stdout) != 0)
		die(DIOS_EXIT_ERROR, "cannot write the output: %s", strerror(errno));
	if (e == -EEXIST || e == -ENOTDIR)
		die(DIOS_EXIT_USAGE, "%s", err);
	if (e < 0)
		die(DIOS_EXIT_ERROR, "%s", err);
	return e == 0 ? EX_CAUGHT : EX_NONE;
}

static int
cmd_explain(int argc, char **argv)
{
	enum { O_JSON = 256, O_TIMEOUT, O_NORERUN };
	static const struct option lo[] = {
		{ "json", no_argument, NULL, O_JSON }, { "runs", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "no-rerun", no_argument, NULL, O_NORERUN },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct flaky_explain_opts o = { .runs = 20, .narrow = true, .out = stdout, .progress = stderr };
	char err[1024];
	int c, e;

	while ((c = getopt_long(argc, argv, "+n:h", lo, NULL)) != -1) {
		switch (c) {
		case O_JSON: o.json = true; break;
		case 'n':
			o.runs = (unsigned)number("--runs", optarg, 100000);
			if (o.runs == 0)
				die(DIOS_EXIT_USAGE, "--runs 0: try each class set at least once");
			break;
		case O_TIMEOUT: o.timeout = seconds("--timeout", optarg); break;
		case O_NORERUN: o.narrow = false; break;
		case 'h': fputs(usage_explain, stdout); return 0;
		default: fputs(usage_explain, stderr); return DIOS_EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		die(DIOS_EXIT_USAGE, "expected two traces, PASS and FAIL: %s", usage_explain);
	o.pass = argv[optind];
	o.fail = argv[optind + 1];
	catch_signals();
	e = flaky_explain(&o, err, sizeof err);
	if (fflush(stdout) != 0)
		die(DIOS_EXIT_ERROR, "cannot write the output: %s", strerror(errno));
	if (e < 0)
		die(DIOS_EXIT_ERROR, "%s", err);
	return 0;
}

int
main(int argc, char **argv)
{
	progname = "dios-flaky";
	if (argc < 2)
		die(DIOS_EXIT_USAGE, "no command given\n%s", usage_main);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("dios-flaky (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	optind = 1;
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);
	die(DIOS_EXIT_USAGE, "unknown command '%s': use run or explain (dios-flaky --help)", argv[1]);
}

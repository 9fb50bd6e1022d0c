/* fuzzcmd.c: dios-fuzz run and dios-fuzz report (the command lines; the
 * campaign is src/fuzz/campaign.c).  Called by dios-fuzz.c's main.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/common.h"
#include "cli/fuzzcmd.h"
#include "config/exitcodes.h"
#include "fuzz/campaign.h"
#include "fuzz/mutate.h"
#include "inspect/rules.h"

static void
on_stop(int sig)
{
	(void)sig;
	fuzz_stop = 1;
}

/* The dios-replay to run: $DIOS_REPLAY, else the one beside this program. */
static char *
replay_binary(void)
{
	const char *env = getenv("DIOS_REPLAY");
	char self[PATH_MAX], *slash, *p;
	ssize_t n;

	if (env && *env)
		return strdup(env);
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) < 0)
		return strdup("dios-replay");
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	if (asprintf(&p, "%s/dios-replay", self) < 0)
		return NULL;
	return p;
}

/* A duration: 90, 90s, 10m, 1h. */
static int
parse_duration(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -EINVAL;
	if (*end == '\0' || !strcmp(end, "s"))
		*out = v;
	else if (!strcmp(end, "m"))
		*out = v * 60;
	else if (!strcmp(end, "h"))
		*out = v * 3600;
	else
		return -EINVAL;
	return 0;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

int
fuzz_cmd_run(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "force", no_argument, NULL, 'f' },
		{ "runs", required_argument, NULL, 'n' }, { "time", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' }, { "mutations", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 'T' }, { "systematic", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ "jobs", required_argument, NULL, 'j' }, { "worker", required_argument, NULL, 'W' },
		{ "rules", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct fuzz_opts o = { .dir = "findings", .ops = (1u << MO__N) - 1 };
	char err[1024];
	uint64_t u;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:fqhj:", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o.dir = optarg; break;
		case 'f': o.force = true; break;
		case 'q': o.quiet = true; break;
		case 'S': o.systematic = true; break;
		case 'R':
			if (!strcmp(optarg, "none"))
				o.rules = 0;
			else if (rules_parse(optarg, &o.rules, err, sizeof err) < 0)
				die(DIOS_EXIT_USAGE, "run: --rules: %s", err);
			o.rules_set = true;
			break;
		case 'j':
			if (parse_u64(optarg, &u) < 0 || u == 0 || u > 256)
				die(DIOS_EXIT_USAGE, "run: bad value '%s' for -j: expected workers (1 to 256)", optarg);
			o.jobs = (unsigned)u;
			break;
		case 'W':
			if (optarg[0] == '\0' || strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
			    strlen(optarg) || strlen(optarg) > 32)
				die(DIOS_EXIT_USAGE, "run: bad value '%s' for --worker: expected a name of letters, "
				    "digits, '-' and '_' (32 at most)", optarg);
			o.worker = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, &o.runs) < 0)
				die(DIOS_EXIT_USAGE, "run: bad value '%s' for --runs: expected a whole number", optarg);
			break;
		case 't':
			if (parse_duration(optarg, &o.seconds) < 0)
				die(DIOS_EXIT_USAGE, "run: bad value '%s' for --time: expected a duration (90s, 10m, 1h)", optarg);
			break;
		case 's':
			if (parse_u64(optarg, &o.rseed) < 0)
				die(DIOS_EXIT_USAGE, "run: bad value '%s' for --seed: expected a whole number", optarg);
			break;
		case 'T':
			if (parse_u64(optarg, &u) < 0 || u == 0 || u > 86400)
				die(DIOS_EXIT_USAGE, "run: bad value '%s' for --timeout: expected seconds (1 to 86400)", optarg);
			o.timeout = (unsigned)u;
			break;
		case 'm':
			if (mut_parse_ops(optarg, &o.ops, err, sizeof err) < 0)
				die(DIOS_EXIT_USAGE, "run: --mutations: %s", err);
			break;
		case 'h':
			printf("usage: dios-fuzz run [OPTION]... TRACE\n"
			    "Mutate TRACE one event at a time, replay each mutated trace against the\n"
			    "environment model (dios-replay --model), and keep each unique failure as a\n"
			    "trace dios-replay reproduces.  See dios-fuzz(1).\n\n"
			    "  -o, --output DIR     the findings directory (default: findings)\n"
			    "  -f, --force          replace the findings of an earlier campaign in DIR\n"
			    "      --runs N         stop after N runs\n"
			    "      --time DURATION  stop after DURATION (90s, 10m, 1h)\n"
			    "      --seed N         the campaign's seed: the same seed, the same runs\n"
			    "      --mutations LIST error, short, eintr, flip, clock, dirs, stat, bytes or all\n"
			    "                       (default: all)\n"
			    "      --systematic     first every (event, mutation) once, in order\n"
			    "      --timeout SECONDS  a run longer than this is a hang (default: 10)\n"
			    "      --rules LIST     requirement rules a run must keep (dios-trace check\n"
			    "                       --rules list; default: closed-fd, double-close,\n"
			    "                       eintr-not-retried; none: no rule)\n"
			    "  -j, --jobs N         N workers here, sharing DIR\n"
			    "      --worker NAME    join the campaign in DIR as worker NAME (several\n"
			    "                       machines sharing DIR); dios-fuzz report merges\n"
			    "  -q, --quiet          no progress\n");
			exit(0);
		default:
			die(DIOS_EXIT_USAGE, "run: unknown option '%s' (see dios-fuzz run --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		die(DIOS_EXIT_USAGE, "run: no trace given: usage: dios-fuzz run [OPTION]... TRACE");
	if (optind + 1 < argc)
		die(DIOS_EXIT_USAGE, "run: one trace only ('%s' and more given)", argv[optind + 1]);
	o.seed = argv[optind];
	if (access(o.seed, R_OK) < 0)
		die(DIOS_EXIT_ERROR, "%s: %s", o.seed, strerror(errno));
	if ((o.replay = replay_binary()) == NULL)
		die(DIOS_EXIT_ERROR, "out of memory");
	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (o.worker && o.jobs > 1)
		die(DIOS_EXIT_USAGE, "run: --worker names one worker: it excludes -j");
	int r = fuzz_campaign(&o, stderr, err, sizeof err);
	free((char *)o.replay);
	if (r < 0)
		die(r == -EINVAL || r == -EEXIST ? DIOS_EXIT_USAGE : DIOS_EXIT_ERROR, "run: %s", err);
	return r > 0 ? 0 : 1;
}

int
fuzz_cmd_report(int argc, char **argv)
{
	enum fuzz_format f = FF_TEXT;
	const char *dir = NULL;
	char err[1024];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			f = FF_JSON;
		else if (!strcmp(argv[i], "--html"))
			f = FF_HTML;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: dios-fuzz report [--json | --html] DIR\n"
			    "The unique failures of a findings directory and its error-path coverage:\n"
			    "a table on the terminal, JSON, or one HTML page.  See dios-fuzz(1).\n");
			exit(0);
		} else if (argv[i][0] == '-')
			die(DIOS_EXIT_USAGE, "report: unknown option '%s' (expected --json or --html)", argv[i]);
		else if (dir)
			die(DIOS_EXIT_USAGE, "report: one directory only ('%s' and '%s' given)", dir, argv[i]);
		else
			dir = argv[i];
	}
	if (dir == NULL)
		die(DIOS_EXIT_USAGE, "report: no directory given: usage: dios-fuzz report [--json | --html] DIR");
	if (fuzz_report(dir, f, stdout, err, sizeof err) < 0)
		die(DIOS_EXIT_ERROR, "report: %s", err);
	return 0;
}

int
fuzz_cmd_min(int argc, char **argv)
{
	const char *failure = NULL, *outp = NULL;
	char err[1024], *replay;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i >= argc)
				die(DIOS_EXIT_USAGE, "min: option '%s' needs a file", argv[i - 1]);
			outp = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: dios-fuzz min [-o FILE] DIR/failures/NNNN.json.zst\n"
			    "Check that a failure dios-fuzz run kept fails the same way again, make its\n"
			    "mutation as small as it can be, and write that run (default: NNNN.min.json.zst).\n");
			exit(0);
		} else if (argv[i][0] == '-')
			die(DIOS_EXIT_USAGE, "min: unknown option '%s' (see dios-fuzz min --help)", argv[i]);
		else if (failure)
			die(DIOS_EXIT_USAGE, "min: one failure only ('%s' and '%s' given)", failure, argv[i]);
		else
			failure = argv[i];
	}
	if (failure == NULL)
		die(DIOS_EXIT_USAGE, "min: no failure given: usage: dios-fuzz min [-o FILE] DIR/failures/NNNN.json.zst");
	if ((replay = replay_binary()) == NULL)
		die(DIOS_EXIT_ERROR, "out of memory");
	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int r = fuzz_min(failure, outp, replay, stderr, err, sizeof err);
	free(replay);
	if (r < 0)
		die(r == -EINVAL || r == -ENOENT ? DIOS_EXIT_USAGE : DIOS_EXIT_ERROR, "min: %s", err);
	return 0;
}

/* dios-fuzz: fuzz how a program handles its environment (issue 12).  Built
 * so far: "inject", the live mode: the program runs for real under
 * dios-record with the faults a spec says injected, recorded strictly so
 * that dios-replay reproduces the run.  The spec is checked here first, so
 * a bad one gives one line and no trace.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli/common.h"
#include "config/exitcodes.h"
#include "fuzz/spec.h"
#include "cli/fuzzcmd.h"


static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: dios-fuzz run [OPTION]... TRACE\n"
	    "       dios-fuzz report [--json | --html] DIR\n"
	    "       dios-fuzz min [-o FILE] DIR/failures/NNNN.json.zst\n"
	    "       dios-fuzz inject [OPTION]... --spec FILE [--] PROGRAM [ARG]...\n"
	    "run: mutate TRACE one event at a time and replay each against the environment\n"
	    "model, keeping each unique failure as a trace dios-replay reproduces\n"
	    "(dios-fuzz run --help); report: a findings directory's failures and coverage.\n"
	    "inject: run PROGRAM for real with the faults FILE says injected (dios-fuzz.yaml(5)),\n"
	    "recorded by dios-record so that dios-replay reproduces the run.\n"
	    "\n"
	    "  -s, --spec FILE     the fault spec (YAML); or strace's -e inject= rules\n"
	    "                      with --rule\n"
	    "      --rule RULES    rules in strace's syntax instead of a file\n"
	    "                      ('openat:error=ENOENT:when=2', ';' between rules)\n"
	    "      --seed N        draw the spec's probabilities from seed N\n"
	    "  -o, --output FILE   write the trace to FILE (default: trace.json.zst)\n"
	    "  -f, --force         let --output overwrite an existing file\n"
	    "  -q, --quiet         no summary\n"
	    "  -v, --verbose       print each event as it is recorded\n"
	    "  -h, --help          this help\n"
	    "      --version       the version\n"
	    "\n"
	    "The dios-record and dios-replay run: those beside dios-fuzz, or $DIOS_RECORD\n"
	    "and $DIOS_REPLAY.\n");
}

/* The dios-record beside this program (or $DIOS_RECORD); caller frees. */
static char *
find_record(void)
{
	const char *env = getenv("DIOS_RECORD");
	char self[PATH_MAX], *slash, *path;
	ssize_t n;

	if (env && *env)
		return strdup(env);
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) < 0)
		die(DIOS_EXIT_ERROR, "cannot find dios-record: /proc/self/exe: %s (set DIOS_RECORD "
		    "to its path)", strerror(errno));
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		slash[1] = '\0';
	if (asprintf(&path, "%sdios-record", self) < 0)
		die(DIOS_EXIT_ERROR, "out of memory");
	return path;
}

static int
cmd_inject(int argc, char **argv)
{
	enum { O_RULE = 256, O_SEED, O_VERSION };
	static const struct option longopts[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "rule", required_argument, NULL, O_RULE },
		{ "seed", required_argument, NULL, O_SEED },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec_arg = NULL, *rule = NULL, *output = NULL, *seed = NULL;
	bool force = false, quiet = false;
	unsigned verbose = 0;
	char err[600];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:s:o:fqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': spec_arg = optarg; break;
		case O_RULE: rule = optarg; break;
		case O_SEED: seed = optarg; break;
		case 'o': output = optarg; break;
		case 'f': force = true; break;
		case 'q': quiet = true; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		case O_VERSION: printf("dios-fuzz %s\n", PACKAGE_VERSION); return 0;
		case ':':
			die(DIOS_EXIT_USAGE, "inject: %s needs an argument (see dios-fuzz --help)",
			    argv[optind - 1]);
		default:
			die(DIOS_EXIT_USAGE, "inject: unknown option %s (see dios-fuzz --help)",
			    argv[optind - 1]);
		}
	}
	if (!spec_arg && !rule)
		die(DIOS_EXIT_USAGE, "inject: no spec given: --spec FILE (dios-fuzz.yaml(5)) or "
		    "--rule 'SET:error=ENOENT'");
	if (spec_arg && rule)
		die(DIOS_EXIT_USAGE, "inject: --spec and --rule exclude each other (one spec per run)");
	if (optind >= argc)
		die(DIOS_EXIT_USAGE, "inject: no program given: usage: dios-fuzz inject --spec FILE "
		    "-- PROGRAM [ARG]...");
	if (seed) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(seed, &end, 10);
		if (errno || *end || !*seed || seed[0] == '-' || v == 0 || v > 0xffffffffUL)
			die(DIOS_EXIT_USAGE, "inject: bad --seed '%s': expected a number from 1 to "
			    "4294967295", seed);
	}

	/* The spec is checked here: a bad one is one line, and no trace. */
	struct spec *s = NULL;
	int r;
	if (spec_arg) {
		struct stat st;
		if (stat(spec_arg, &st) < 0)
			die(DIOS_EXIT_USAGE, "inject: --spec %s: %s", spec_arg, strerror(errno));
		r = spec_load_file(spec_arg, &s, err, sizeof err);
	} else
		r = spec_parse_strace(rule, &s, err, sizeof err);
	if (r < 0)
		die(DIOS_EXIT_USAGE, "inject: %s", err);
	spec_free(s);

	char *rec = find_record();
	size_t n = 0, max = (size_t)argc + 16;
	char **av = calloc(max, sizeof *av), vbuf[16];
	if (av == NULL)
		die(DIOS_EXIT_ERROR, "out of memory");
	av[n++] = rec;
	av[n++] = (char *)"--inject";
	av[n++] = (char *)(spec_arg ? spec_arg : rule);
	if (seed) {
		av[n++] = (char *)"--inject-seed";
		av[n++] = (char *)seed;
	}
	if (output) {
		av[n++] = (char *)"--output";
		av[n++] = (char *)output;
	}
	if (force)
		av[n++] = (char *)"--force";
	if (quiet)
		av[n++] = (char *)"--quiet";
	if (verbose) {
		snprintf(vbuf, sizeof vbuf, "-%.*s", verbose > 8 ? 8 : (int)verbose, "vvvvvvvv");
		av[n++] = vbuf;
	}
	av[n++] = (char *)"--";
	for (int i = optind; i < argc; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	execv(rec, av);
	die(DIOS_EXIT_ERROR, "cannot run %s: %s (set DIOS_RECORD to dios-record's path)", rec,
	    strerror(errno));
}

int
main(int argc, char **argv)
{
	progname = "dios-fuzz";
	if (argc < 2)
		die(DIOS_EXIT_USAGE, "no subcommand: usage: dios-fuzz inject --spec FILE -- PROGRAM "
		    "[ARG]... (see dios-fuzz --help)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("dios-fuzz %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "inject") == 0)
		return cmd_inject(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return fuzz_cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return fuzz_cmd_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "min") == 0)
		return fuzz_cmd_min(argc - 1, argv + 1);
	die(DIOS_EXIT_USAGE, "unknown subcommand '%s' (expected run, report, min or inject)", argv[1]);
}

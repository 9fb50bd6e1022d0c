/* dios-trace: read, check and compare traces (man/dios-trace.1).  The work
 * is done by the library (src/inspect: render, fdpaths, select, stats, diff,
 * check); this main parses options, prints and exits. */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/common.h"
#include "inspect/fdpaths.h"
#include "inspect/render.h"
#include "trace/elide.h"
#include "trace/io.h"
#include "trace/number.h"
#include "inspect/check.h"
#include "inspect/diff.h"
#include "inspect/rules.h"
#include "inspect/select.h"
#include "inspect/stats.h"

/* Exit statuses (man/dios-trace.1). */
#define EX_OK		0
#define EX_FOUND	1	/* diff: the traces differ; validate, cat, stats: the trace is invalid;
				   check: violations */
#define EX_TROUBLE	2	/* bad command line, or a file that cannot be read */

static const char usage_main[] =
"Usage: dios-trace COMMAND [OPTION]... TRACE...\n"
"Read, check and compare dios traces (trace.json.zst, see dios-trace(5)).\n"
"\n"
"Commands:\n"
"  cat TRACE        the events, one line each, as strace shows calls\n"
"  stats TRACE      counts, errors and bytes per call and class, tasks, duration\n"
"  diff A B         where two traces of one program first differ, and how\n"
"  validate TRACE   check a trace against format version 1\n"
"  check TRACE      requirement rules over the events: errors ignored, leaks,\n"
"                   calls on closed descriptors, double closes, EINTR given up\n"
"\n"
"`dios-trace COMMAND --help` describes each.  Exit status: 0 done (same,\n"
"valid), 1 the traces differ or the trace is invalid, 2 usage or trouble;\n"
"check: 1 violations found, 125 a trace that cannot be read.\n";

static const char usage_cat[] =
"Usage: dios-trace cat [OPTION]... TRACE\n"
"Print the events of TRACE like strace: event number, task, the call with its\n"
"arguments decoded (flags by name, descriptors with their paths), and its\n"
"result or error; signals as --- SIGINT ---, the end as +++ exited with N +++.\n"
"\n"
"  -e trace=SET     only these calls: classes (file, fd, clock, random, id, net,\n"
"                   proc, signal, mem) and call names, comma-separated; !SET\n"
"                   for all but these.  Repeatable.  Signals are always shown.\n"
"  --tid T          only the events of task T\n"
"  --from N         from event N on\n"
"  --to M           up to event M (included)\n"
"  -s N             show at most N bytes of strings and buffers (default 32)\n"
"  --no-paths       descriptors as bare numbers\n"
"  --json           the selected events as JSON Lines (one compact object each)\n"
"  -h, --help       this help\n";

static const char usage_stats[] =
"Usage: dios-trace stats [OPTION]... TRACE\n"
"Print the figures of TRACE: how it ended, events, tasks, duration (from the\n"
"header's start to the last wall-clock read), compressed and decompressed\n"
"sizes, calls, errors and bytes per class and per call, and the files touched.\n"
"\n"
"  -e trace=SET, --tid T, --from N, --to M   count only these events (as cat)\n"
"  -h, --help       this help\n";

static const char usage_diff[] =
"Usage: dios-trace diff [OPTION]... A B\n"
"Align two traces of the same program (a passing and a failing run of a test)\n"
"and show the first point where the environment answered differently or the\n"
"program asked differently, with both events, then the differences by kind.\n"
"\n"
"  --ignore KINDS   kinds counted but not shown first and not making the\n"
"                   traces differ (default time,random,ids,metadata,order;\n"
"                   '' for none).  Kinds: time, random, ids, contents,\n"
"                   dirorder, metadata, errors, other, calls, order, only-a,\n"
"                   only-b, end\n"
"  --window N       events searched on each side to find where the traces\n"
"                   agree again after calls differ (default 64)\n"
"  --sync N         calls that must agree in a row there (default 3)\n"
"  -s N             show at most N bytes of strings and buffers (default 32)\n"
"  -q, --brief      print nothing: the status says it\n"
"  -h, --help       this help\n"
"Exit status: 0 the same (but for the kinds ignored), 1 different, 2 trouble.\n";

static const char usage_validate[] =
"Usage: dios-trace validate TRACE\n"
"Check TRACE against trace format version 1 (dios-trace(5)), the checks\n"
"dios-replay makes before it starts, and name the first problem's line.\n"
"\n"
"  -q, --quiet      print nothing when the trace is valid\n"
"  -h, --help       this help\n"
"Exit status: 0 valid, 1 invalid, 2 usage or a file that cannot be read.\n";

static const char usage_check[] =
"Usage: dios-trace check [--rules LIST] [--json] TRACE\n"
"Run requirement rules over the events of TRACE and print each violation on\n"
"one line: TRACE: event N (task T): RULE: what happened.\n"
"\n"
"  --rules LIST     the rules to run: names separated by commas, 'all',\n"
"                   'default' (the default); '--rules list' shows them\n"
"  --json           the violations as one JSON object (trace, violations)\n"
"  -h, --help       this help\n"
"Exit status: 0 no violation, 1 some, 2 usage, 125 a trace that cannot be\n"
"read or is not a dios trace.\n";

static unsigned long long
number(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] == '\0' || s[0] == '-' || *end || errno)
		die(EX_TROUBLE, "%s '%s': not a number (a decimal count such as 64)", opt, s);
	return v;
}

static void
one_arg(int argc, char **argv, int want, const char *usage)
{
	if (argc - optind != want)
		die(EX_TROUBLE, "%s: %s\n%s", argc - optind < want ? "missing argument" :
		    "too many arguments", argc - optind < want ? (want == 1 ? "a trace is needed" :
		    "two traces are needed") : argv[optind + want], usage);
}

/* Error of the reader, with the trace and line. */
static int
read_failed(const char *path, struct trace_reader *r, int e)
{
	if (e == -EBADMSG)
		warnx_("%s: %s", path, trace_reader_error(r));
	else
		warnx_("%s: cannot read: %s", path, strerror(-e));
	return EX_FOUND;
}

static void
print_footer(const json_t *f)
{
	const json_t *end = json_object_get(f, "end");

	if (json_is_string(json_object_get(f, "aborted")))
		printf("+++ recording aborted: %s +++\n", json_string_value(json_object_get(f, "aborted")));
	else if (json_is_int64(json_object_get(end, "exit")))
		printf("+++ exited with %lld +++\n", (long long)json_int64_or(end, "exit", 0));
	else if (json_is_string(json_object_get(end, "signal")))
		printf("+++ killed by %s +++\n", json_string_value(json_object_get(end, "signal")));
}

static int
cmd_cat(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "tid", required_argument, NULL, 't' }, { "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' }, { "json", no_argument, NULL, 'j' },
		{ "no-paths", no_argument, NULL, 'P' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tracesel sel;
	struct render_opts ro = { .with_result = true, .strsize = 32 };
	struct trace_reader *r;
	struct fdpaths *fds = NULL;
	bool json = false, paths = true;
	char err[512], *line;
	size_t linelen;
	json_t *o, *hdr = NULL;
	int c, e, status = EX_OK;

	tracesel_init(&sel);
	while ((c = getopt_long(argc, argv, "+e:s:h", lo, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (tracesel_parse(&sel, optarg, err, sizeof err) < 0)
				die(EX_TROUBLE, "%s", err);
			break;
		case 's': ro.strsize = number("-s", optarg); break;
		case 't': sel.has_tid = true; sel.tid = (long long)number("--tid", optarg); break;
		case 'F': sel.from = number("--from", optarg); break;
		case 'T': sel.to = number("--to", optarg); break;
		case 'j': json = true; break;
		case 'P': paths = false; break;
		case 'h': fputs(usage_cat, stdout); return EX_OK;
		default: fputs(usage_cat, stderr); return EX_TROUBLE;
		}
	}
	one_arg(argc, argv, 1, usage_cat);
	if (ro.strsize > (1u << 20))
		die(EX_TROUBLE, "-s %zu: at most 1048576", ro.strsize);
	linelen = 8192 + 8 * ro.strsize;
	if ((line = malloc(linelen)) == NULL)
		die(EX_TROUBLE, "out of memory");
	if ((e = trace_reader_open(&r, argv[optind])) < 0)
		die(EX_TROUBLE, e == -ENOENT ? "%s: no such trace file" : "%s: cannot read: %s",
		    argv[optind], strerror(-e));
	trace_reader_elide(r, 0);
	while ((e = trace_read(r, &o)) == 1) {
		if (hdr == NULL) {
			hdr = o;
			if (!json_is_string(json_object_get(hdr, "format"))) {
				warnx_("%s: line 1: not a dios trace header (no \"format\"); "
				    "dios-trace validate says more", argv[optind]);
				status = EX_FOUND;
				break;
			}
			if (paths && (fds = fdpaths_new(json_string_value(json_object_get(hdr, "cwd")))) == NULL)
				die(EX_TROUBLE, "out of memory");
			ro.fds = fds;
			continue;
		}
		if (json_object_get(o, "end") || json_object_get(o, "aborted")) {
			if (!json && sel.to == UINT64_MAX)
				print_footer(o);
			json_decref(o);
			continue;
		}
		if (!trace_line_is_event(o)) {	/* a blob line */
			json_decref(o);
			continue;
		}
		if (json_is_int64(json_object_get(o, "seq")) &&
		    (uint64_t)json_int64_or(o, "seq", 0) > sel.to) {
			json_decref(o);
			break;
		}
		if (tracesel_match(&sel, o)) {
			if (json) {
				char *s;

				if (elided_in(o))
					die(EX_TROUBLE, "%s: line %llu holds a string of more than %u KiB, "
					    "which --json does not copy; take the line from `zstd -dc %s`",
					    argv[optind], (unsigned long long)trace_reader_line(r),
					    ELIDE_LONG >> 10, argv[optind]);
				s = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
				if (s == NULL)
					die(EX_TROUBLE, "out of memory");
				puts(s);
				free(s);
			} else {
				render_event_opts(o, &ro, line, linelen);
				printf("%lld %lld %s\n", (long long)json_int64_or(o, "seq", 0),
				    (long long)json_int64_or(o, "tid", 0), line);
				render_stack(o, line, linelen);
				fputs(line, stdout);
			}
		}
		fdpaths_update(fds, o);
		json_decref(o);
	}
	if (e < 0)
		status = read_failed(argv[optind], r, e);
	else if (e == 0 && hdr == NULL) {
		warnx_("%s: empty, or cut short before its first line: not a usable trace", argv[optind]);
		status = EX_FOUND;
	} else if (e == 0 && trace_reader_truncated(r) && !json)
		printf("+++ cut short: the trace ends here (no footer) +++\n");
	if (fflush(stdout) != 0)
		die(EX_TROUBLE, "cannot write the output: %s", strerror(errno));
	trace_reader_close(r);
	fdpaths_free(fds);
	json_decref(hdr);
	tracesel_free(&sel);
	free(line);
	return status;
}

static int
cmd_stats(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "tid", required_argument, NULL, 't' }, { "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tracesel sel;
	char err[512];
	int c, e;

	tracesel_init(&sel);
	while ((c = getopt_long(argc, argv, "+e:h", lo, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (tracesel_parse(&sel, optarg, err, sizeof err) < 0)
				die(EX_TROUBLE, "%s", err);
			break;
		case 't': sel.has_tid = true; sel.tid = (long long)number("--tid", optarg); break;
		case 'F': sel.from = number("--from", optarg); break;
		case 'T': sel.to = number("--to", optarg); break;
		case 'h': fputs(usage_stats, stdout); return EX_OK;
		default: fputs(usage_stats, stderr); return EX_TROUBLE;
		}
	}
	one_arg(argc, argv, 1, usage_stats);
	e = trace_stats(argv[optind], &sel, stdout, err, sizeof err);
	tracesel_free(&sel);
	if (e < 0) {
		fflush(stdout);
		warnx_("%s", err);
		return e == -EBADMSG ? EX_FOUND : EX_TROUBLE;
	}
	if (fflush(stdout) != 0)
		die(EX_TROUBLE, "cannot write the output: %s", strerror(errno));
	return EX_OK;
}

static int
cmd_diff(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ignore", required_argument, NULL, 'i' }, { "window", required_argument, NULL, 'w' },
		{ "sync", required_argument, NULL, 'S' }, { "brief", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct tracediff_opts o = { .ignore = DIFF_IGNORE_DEFAULT, .window = 64, .sync = 3, .strsize = 32 };
	char err[512];
	int c, e;

	while ((c = getopt_long(argc, argv, "+s:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (tracediff_parse_kinds(optarg, &o.ignore, err, sizeof err) < 0)
				die(EX_TROUBLE, "--ignore: %s", err);
			break;
		case 'w': o.window = number("--window", optarg); break;
		case 'S': o.sync = number("--sync", optarg); break;
		case 's': o.strsize = number("-s", optarg); break;
		case 'q': o.brief = 1; break;
		case 'h': fputs(usage_diff, stdout); return EX_OK;
		default: fputs(usage_diff, stderr); return EX_TROUBLE;
		}
	}
	one_arg(argc, argv, 2, usage_diff);
	if (o.window < 1 || o.window > 100000)
		die(EX_TROUBLE, "--window %zu: between 1 and 100000 events", o.window);
	if (o.sync < 1 || o.sync > 1000)
		die(EX_TROUBLE, "--sync %zu: between 1 and 1000 calls", o.sync);
	if (o.strsize > (1u << 20))
		die(EX_TROUBLE, "-s %zu: at most 1048576", o.strsize);
	e = trace_diff(argv[optind], argv[optind + 1], &o, stdout, err, sizeof err);
	if (fflush(stdout) != 0)
		die(EX_TROUBLE, "cannot write the output: %s", strerror(errno));
	if (e < 0)
		die(EX_TROUBLE, "%s", err);
	return e ? EX_FOUND : EX_OK;
}

static int
cmd_validate(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct trace_summary s;
	char err[1024];
	bool quiet = false;
	int c, e;

	while ((c = getopt_long(argc, argv, "+qh", lo, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 'h': fputs(usage_validate, stdout); return EX_OK;
		default: fputs(usage_validate, stderr); return EX_TROUBLE;
		}
	}
	one_arg(argc, argv, 1, usage_validate);
	if ((e = trace_check(argv[optind], &s, err, sizeof err)) < 0) {
		warnx_("%s", err);
		return e == -EBADMSG || e == -EPROTO ? EX_FOUND : EX_TROUBLE;
	}
	if (!quiet) {
		printf("%s: a valid dios trace (format version 1): %llu events", argv[optind],
		    (unsigned long long)s.events);
		if (s.aborted[0])
			printf("; the recording stopped early (%s): it cannot be replayed", s.aborted);
		else if (s.truncated)
			printf("; cut short (no footer): replay stops after its last complete event");
		printf("\n");
	}
	trace_summary_free(&s);
	return EX_OK;
}

#define EX_UNREADABLE	125	/* check: the trace cannot be read (1 means violations) */

static int
cmd_check(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "rules", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	unsigned mask = rules_default_mask();
	bool json = false, list = false;
	char err[1024];
	json_t *v = NULL, *x;
	size_t i;
	int c, n;

	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (strcmp(optarg, "list") == 0)
				list = true;
			else if (rules_parse(optarg, &mask, err, sizeof err) < 0)
				die(EX_TROUBLE, "--rules %s: %s", optarg, err);
			break;
		case 'j': json = true; break;
		case 'h': fputs(usage_check, stdout); return EX_OK;
		default: fputs(usage_check, stderr); return EX_TROUBLE;
		}
	}
	if (list) {
		if (argc - optind > 0)
			die(EX_TROUBLE, "--rules list takes no trace\n%s", usage_check);
		for (i = 0; i < rules_count_table; i++)
			printf("%-18s %-4s %s\n", rules_table[i].name, rules_table[i].on ? "on" : "off",
			    rules_table[i].desc);
		if (fflush(stdout) != 0)
			die(EX_TROUBLE, "cannot write the output: %s", strerror(errno));
		return EX_OK;
	}
	one_arg(argc, argv, 1, usage_check);
	if ((n = rules_check_file(argv[optind], mask, &v, err, sizeof err)) < 0) {
		if (n == -ENOMEM)
			die(EX_TROUBLE, "%s", err);
		warnx_("%s", err);
		return EX_UNREADABLE;
	}
	if (json) {
		json_t *o = json_pack("{s:s, s:O}", "trace", argv[optind], "violations", v);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (s == NULL)
			die(EX_TROUBLE, "out of memory");
		puts(s);
		free(s);
		json_decref(o);
	} else
		json_array_foreach(v, i, x)
			printf("%s: event %lld (task %lld): %s: %s\n", argv[optind],
			    (long long)json_int64_or(x, "seq", 0), (long long)json_int64_or(x, "tid", 0),
			    json_string_value(json_object_get(x, "rule")),
			    json_string_value(json_object_get(x, "message")));
	json_decref(v);
	if (fflush(stdout) != 0)
		die(EX_TROUBLE, "cannot write the output: %s", strerror(errno));
	return n > 0 ? EX_FOUND : EX_OK;
}

int
main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
		{ "cat", cmd_cat }, { "stats", cmd_stats }, { "diff", cmd_diff },
		{ "validate", cmd_validate }, { "check", cmd_check },
	};

	progname = "dios-trace";
	if (argc < 2)
		die(EX_TROUBLE, "no command given\n%s", usage_main);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage_main, stdout);
		return EX_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("dios-trace (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return EX_OK;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
		if (strcmp(argv[1], cmds[i].name) == 0) {
			optind = 1;
			return cmds[i].fn(argc - 1, argv + 1);
		}
	die(EX_TROUBLE, "unknown command '%s': use cat, stats, diff, validate or check (dios-trace --help)", argv[1]);
}

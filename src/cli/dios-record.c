/* dios-record: run a program, recording its calls to the environment. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli/common.h"
#include "sys/family.h"
#include "config/exitcodes.h"
#include "kernel/kernel.h"
#include "config/options.h"
#include "kernel/fastpath.h"
#include "kernel/spawn.h"
#include "trace/io.h"
#include "kernel/tsc.h"
#include "proxy/proxy.h"
#include "flaky/chaos.h"
#include "fuzz/inject.h"
#include "sys/xlat.h"

extern char **environ;

static struct trace_writer *writer;

/* Called every second: end the zstd frame, so a recorder killed now leaves
 * all but the last second's events decodable; the record module's
 * watchdog (proxy_tick). */
/* Ticks since the program ended while tasks it left go on (--at-exit
 * wait), and whether dios-record said so. */
static unsigned left_ticks;
static bool left_said, quiet;

static int
tick(struct kernel *k)
{
	proxy_tick(k->tick_arg, k);
	if (k->root_done && k->tasks && !k->end_with_root && !k->killing && !left_said &&
	    ++left_ticks >= 3) {
		/* Not a hang without a word: a daemon (gpg-agent, ssh-agent)
		 * may run for ever. */
		unsigned n = 0;
		for (struct task *t = k->tasks; t; t = t->next)
			n++;
		left_said = true;
		if (!quiet)
			warnx_("the program ended, leaving %u task%s running (a daemon, a background "
			    "job?): the recording goes on until %s (--at-exit kill ends %s with the "
			    "program)", n, n > 1 ? "s" : "", n > 1 ? "they end" : "it ends",
			    n > 1 ? "them" : "it");
	}
	return trace_writer_flush(writer);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Opens the trace file: the named one (refusing to overwrite it unless
 * --force), or the first free of trace.json.zst, trace.1.json.zst, ... */
static char *
open_output(const struct dios_opts *o)
{
	char name[64];
	int e;

	if (o->output && strcmp(o->output, "-") == 0)
		die(DIOS_EXIT_USAGE, "-o -: the trace cannot go to standard output, which is the "
		    "program's: name a file (./- for a file named -)");
	if (o->output) {
		e = trace_writer_open(&writer, o->output, !o->force);
		if (e == -EISDIR || (e == -EEXIST && is_dir(o->output)))
			die(DIOS_EXIT_ERROR, "%s is a directory: name a file with -o, such as "
			    "%s/trace.json.zst", o->output, o->output);
		if (e == -EEXIST)
			die(DIOS_EXIT_ERROR, "%s already exists: choose another name with -o, or "
			    "pass --force to overwrite it", o->output);
		if (e < 0)
			die(DIOS_EXIT_ERROR, "cannot write the trace to %s: %s", o->output, strerror(-e));
		return strdup(o->output);
	}
	for (int i = 0; i < 10000; i++) {
		if (i == 0)
			snprintf(name, sizeof name, "trace.json.zst");
		else
			snprintf(name, sizeof name, "trace.%d.json.zst", i);
		e = trace_writer_open(&writer, name, true);
		if (e == -EEXIST)
			continue;
		if (e < 0)
			die(DIOS_EXIT_ERROR, "cannot write the trace to %s: %s (use -o FILE to write "
			    "it elsewhere)", name, strerror(-e));
		return strdup(name);
	}
	die(DIOS_EXIT_ERROR, "too many traces here (trace.json.zst ... trace.9999.json.zst): "
	    "use -o FILE");
}

int
main(int argc, char **argv)
{
	struct dios_opts o;
	char err[512], *path, *out;
	int first, r, status;
	struct spawn_result sres;
	struct kernel k;
	struct module *proxy;
	unsigned char *mask = NULL;
	size_t masklen = 0;

	progname = "dios-record";
	opts_init(&o);
	r = opts_parse(argc, argv, CMD_RECORD, &o, &first, stdout, err, sizeof err);
	if (r == 1)
		return 0;
	if (r < 0)
		die(DIOS_EXIT_USAGE, "%s", err);
	if (first >= argc)
		die(DIOS_EXIT_USAGE, "no program given: usage: dios-record [OPTION]... PROGRAM [ARG]...");
	cli_quiet = o.quiet;

	struct perturber *pb = NULL;
	if (o.chaos) {
		unsigned classes;
		if (chaos_parse(o.chaos, &classes, err, sizeof err) < 0)
			die(DIOS_EXIT_USAGE, "--chaos: %s", err);
		if ((pb = chaos_new(classes, o.chaos_seed)) == NULL)
			die(DIOS_EXIT_ERROR, "out of memory");
	} else if (o.chaos_seed)
		die(DIOS_EXIT_USAGE, "--chaos-seed needs --chaos CLASSES");
	if (o.at_exit && strcmp(o.at_exit, "wait") != 0 && strcmp(o.at_exit, "kill") != 0)
		die(DIOS_EXIT_USAGE, "--at-exit: '%s' is neither wait nor kill", o.at_exit);
	if (o.inject && o.chaos)
		die(DIOS_EXIT_USAGE, "--inject and --chaos cannot be used in one run (record "
		    "with one of them)");
	if (o.inject) {
		struct spec *spec;
		if (spec_from_arg(o.inject, &spec, err, sizeof err) < 0)
			die(DIOS_EXIT_USAGE, "--inject: %s", err);
		if ((pb = inject_new(spec, o.inject_seed)) == NULL)
			die(DIOS_EXIT_ERROR, "out of memory");
	} else if (o.inject_seed)
		die(DIOS_EXIT_USAGE, "--inject-seed needs --inject SPEC");

	path = resolve_program(argv[first], DIOS_EXIT_NOTFOUND, DIOS_EXIT_NOEXEC);
	out = open_output(&o);
	if (pb && o.inject && !o.quiet && spec_random(inject_spec(pb)))
		fprintf(stderr, "%s: inject seed %llu (--inject-seed %llu repeats it)\n", progname,
		    (unsigned long long)inject_seed(pb), (unsigned long long)inject_seed(pb));
	if (pb && o.chaos && !o.quiet) {
		json_t *desc = pb->describe(pb);
		char *d = json_dumps(json_object_get(json_object_get(desc, "chaos"), "classes"),
		    JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(desc);
		fprintf(stderr, "%s: chaos seed %llu, classes %s (--chaos-seed %llu repeats it)\n", progname,
		    (unsigned long long)chaos_seed(pb), d ? d : "?", (unsigned long long)chaos_seed(pb));
		free(d);
	}
	if (o.pin && pin_to_one_cpu(&mask, &masklen) == 0)
		affinity_set_shown(mask, masklen);
	tsc_trap_self();

	/* The fast path records what the program saw; perturbations and
	 * stacks need every call at a stop. */
	bool fast = o.fast && pb == NULL && !o.stacks;
	struct spawn_req req = { .path = path, .argv = argv + first, .envp = environ, .umask = -1,
	    .keep_fd = -1, .serial = o.serial, .fast_site = fast ? fastpath_site() : 0 };
	if ((r = spawn_traced(&req, &sres)) < 0) {
		spawn_explain(&sres, argv[first], err, sizeof err);
		trace_writer_close(writer);
		unlink(out);
		die(sres.stage == SPAWN_EXEC ? (sres.err == ENOENT ? DIOS_EXIT_NOTFOUND : DIOS_EXIT_NOEXEC)
		    : DIOS_EXIT_ERROR, "%s", err);
	}

	/* The trace's JSON and zstd work goes to a thread on another CPU. */
	cpu_set_t others;
	if (helper_cpus(mask, masklen, &others))
		(void)trace_writer_background(writer, &others);

	struct proxy_conf pc = { .w = writer, .argv = argv + first, .envp = environ, .warn = warnx_,
	    .log = o.verbose ? stderr : NULL, .portable = o.portable, .serial = o.serial,
	    .perturb = pb, .stacks = o.stacks, .fast = fast };
	memset(&k, 0, sizeof k);
	if (pb && pb->pick) {
		k.pick = perturb_pick;
		k.pick_arg = pb;
	}
	k.root = sres.pid;
	k.serial = o.serial;
	k.end_with_root = o.at_exit && strcmp(o.at_exit, "kill") == 0;
	k.tick = tick;
	quiet = o.quiet;
	task_new(&k, sres.pid);
	if ((proxy = proxy_new(&pc)) != NULL)
		k.tick_arg = proxy;
	if (proxy == NULL)
		die(DIOS_EXIT_ERROR, "out of memory");
	kernel_push(&k, proxy);

	r = kernel_run(&k);
	const struct proxy_stats *ps = proxy_stats(proxy);
	proxy_finish(proxy, &k);
	int we = trace_writer_close(writer);
	writer = NULL;
	if (r < 0)
		die(DIOS_EXIT_ERROR, "lost control of the program: %s (the trace %s ends here)",
		    strerror(-r), out);
	if (ps->write_error < 0 || we < 0) {
		/* The program ran to its end all the same: its status. */
		warnx_("writing the trace %s failed: %s; it holds at most the events before %llu, and the program "
		    "ran on unrecorded (free space where it goes, or record with -o elsewhere)", out,
		    strerror(-(ps->write_error < 0 ? ps->write_error : we)),
		    (unsigned long long)(ps->write_error < 0 ? ps->write_error_seq : ps->events));
		status = status_to_exit(k.root_status);
	} else if (ps->aborted) {
		warnx_("%s", ps->aborted);
		status = DIOS_EXIT_ERROR;
	} else
		status = status_to_exit(k.root_status);
	if (k.left_killed && !o.quiet)
		warnx_("the program ended leaving %u task%s running: killed (--at-exit kill); their "
		    "ends are in the trace", k.left_killed, k.left_killed > 1 ? "s" : "");
	if (ps->order_broken)
		warnx_("warning: %u time%s a write that blocked held up writes of other tasks to the "
		    "same file or pipe for seconds: they went on, and their order in the trace may "
		    "not be the order the bytes went out", ps->order_broken, ps->order_broken > 1 ? "s" : "");
	if (k.serial_lost)
		warnx_("warning: %u time%s a thread ran for seconds without a system call while "
		    "others of its process waited (a spin loop?): it let them run at once, and a replay "
		    "may see other races there (--no-serial records all threads at once)",
		    k.serial_lost, k.serial_lost > 1 ? "s" : "");
	if (k.interrupted && !ps->aborted) {
		char sb[16];
		warnx_("interrupted by %s: the recording ends with the program (any task it left "
		    "was killed)", signal_name(k.interrupted, sb));
	}
	if (!o.quiet && ps->write_error == 0 && we == 0) {
		struct stat st;
		char hs[40] = "";
		/* the size of a file; a pipe or a device has none to show */
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			char h[32];
			snprintf(hs, sizeof hs, ", %s", human_size((unsigned long long)st.st_size, h));
		}
		fprintf(stderr, "%s: trace written to %s (%llu events%s)%s\n", progname, out,
		    (unsigned long long)ps->events, hs,
		    json_object_size(ps->unknown) ? "; incomplete: it has calls dios does not know" : "");
		if (pb && o.inject) {
			const struct spec *sp = inject_spec(pb);
			char sd[40] = "";
			if (spec_random(sp))
				snprintf(sd, sizeof sd, ", seed %llu", (unsigned long long)inject_seed(pb));
			fprintf(stderr, "%s: inject changed %llu call%s (%zu rule%s%s)\n", progname,
			    (unsigned long long)pb->applied, pb->applied == 1 ? "" : "s",
			    spec_rules(sp), spec_rules(sp) == 1 ? "" : "s", sd);
		}
		else if (pb)
			fprintf(stderr, "%s: chaos changed %llu call%s (seed %llu)\n", progname,
			    (unsigned long long)pb->applied, pb->applied == 1 ? "" : "s",
			    (unsigned long long)chaos_seed(pb));
	}
	perturber_free(pb);
	proxy_free(proxy);
	free(path);
	free(out);
	free(mask);
	opts_free(&o);
	return status;
}

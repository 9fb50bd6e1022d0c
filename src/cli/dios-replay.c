/* dios-replay: run a program again against a recorded trace. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include "cli/common.h"
#include "model/model.h"
#include "fuzz/mutate.h"
#include "kernel/stack.h"
#include "trace/blobline.h"
#include "trace/number.h"
#include "trace/blobstore.h"
#include "trace/hashcache.h"
#include "trace/bytes.h"
#include "config/exitcodes.h"
#include "trace/fileid.h"
#include "kernel/kernel.h"
#include "config/options.h"
#include "kernel/fastpath.h"
#include "kernel/spawn.h"
#include "trace/io.h"
#include "trace/number.h"
#include "trace/spool.h"
#include "kernel/tsc.h"
#include "inspect/check.h"
#include "replay/replay.h"
#include "sys/xlat.h"
#include "sys/family.h"


static struct module *ticked_module;

/* --mutate: the plan's change of each call's answer (replay_conf.mutate). */
/* Does task tid's process catch a signal (/proc's SigCgt)? */
static bool
catches_signals(pid_t tid)
{
	char path[64], line[256];
	bool any = true;	/* unknown: as if it did */
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", tid);
	if ((f = fopen(path, "re")) == NULL)
		return any;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "SigCgt:", 7) == 0) {
			any = strtoull(line + 7, NULL, 16) != 0;
			break;
		}
	fclose(f);
	return any;
}

static json_t *
mutate_hook(void *ctx, pid_t vtid, pid_t tid, const char *sys, const json_t *ev)
{
	/* an EINTR only where a handler can interrupt the call */
	bool intr = !mut_plan_next_eintr(ctx, vtid, sys) || catches_signals(tid);
	return mut_plan_apply(ctx, vtid, sys, ev, intr);
}

static int
tick(struct kernel *k)
{
	return replay_tick(ticked_module, k);
}

/* A NULL-terminated vector of the strings (or bytes) in JSON array a. */
static char **
strv_from_json(const json_t *a, const char *trace, const char *what)
{
	size_t n = json_array_size(a), i;
	char **v = calloc(n + 1, sizeof *v);
	json_t *e;

	if (v == NULL)
		die(DIOS_EXIT_ERROR, "out of memory");
	json_array_foreach(a, i, e) {
		if (json_is_string(e))
			v[i] = strdup(json_string_value(e));
		else {
			void *b;
			size_t len;
			if (json_get_bytes(e, &b, &len) < 0 || memchr(b, 0, len))
				die(DIOS_EXIT_ERROR, "%s: line 1: %s[%zu] is not a string", trace, what, i);
			v[i] = realloc(b, len + 1);
			v[i][len] = '\0';
		}
	}
	return v;
}

/* What the check of the trace collects: the content of files (blob lines)
 * into the cache, and the identity of every file the program mapped or
 * executed, by path. */
struct files {
	/* A portable trace's cache; else NULL, or a temporary cache for the
	 * files the program made as it ran (on_blob opens it). */
	struct blobstore *bs;
	json_t *ids;			/* path -> {path, size, sha256}: files to check on the host */
	json_t *kept;			/* SHA-256s whose content the trace carries -> true */
	uint64_t cache_size;		/* --cache-size */
};

/* Notes identity id as a file to check on the host, unless the program
 * made it ("carried": its content is in the trace). */
static void
note_id(struct files *f, const json_t *id)
{
	const char *path = json_string_value(json_object_get(id, "path"));

	if (path && (json_is_string(json_object_get(id, "sha256")) || json_object_get(id, "file")) &&
	    !json_is_true(json_object_get(id, "carried")) && json_object_get(f->ids, path) == NULL)
		json_object_set(f->ids, path, (json_t *)id);
}

static int
on_event(void *ctx, const json_t *line, char *err, size_t errlen)
{
	struct files *f = ctx;

	(void)err;
	(void)errlen;
	note_id(f, json_object_get(line, "map"));
	note_id(f, json_object_get(line, "exe"));
	note_id(f, json_object_get(line, "interp"));
	return 0;
}

static int open_cache_err(struct blobstore **bs, uint64_t limit, bool temporary, char *err,
    size_t errlen);

/* A blob line's content, checked (blob_check_line): into the cache.  A
 * trace that is not portable carries only the files the program made (the
 * check refuses others at its end): a temporary cache, made now. */
static int
on_blob(void *ctx, const struct blob_chunk *c, char *err, size_t errlen)
{
	struct files *f = ctx;

	int e;

	if (f->bs == NULL && (e = open_cache_err(&f->bs, f->cache_size, true, err, errlen)) < 0)
		return e;
	return blobstore_put(f->bs, c, err, errlen);
}

/* The trace passed: the files it names enter the cache. */
static int
on_keep(void *ctx, const char *sha, char *err, size_t errlen)
{
	struct files *f = ctx;

	json_object_set_new(f->kept, sha, json_true());
	return f->bs ? blobstore_keep(f->bs, sha, err, errlen) : 0;
}

/* The message for a file of the trace that replay refuses to open
 * (fileid_open): one line, malloc'd. */
static char *
refused(const char *trace, const char *path, const char *why)
{
	char *msg = NULL;

	if (asprintf(&msg, "%s: the trace names %s as a file the program mapped or executed, "
	    "and it %s: replay opens only regular files outside /proc, /sys and /dev (the "
	    "trace is damaged or was edited; record it again)", trace, path,
	    why ? why : "is refused") < 0)
		die(DIOS_EXIT_ERROR, "out of memory");
	return msg;
}

/* Why the host file identity id names is not the one (fileid_verify's
 * error e): what was checked of it (fileid.h). */
static const char *
not_same(const json_t *id, int e, char *buf, size_t n)
{
	if (e == -ESTALE) {
		snprintf(buf, n, "differs (%s)", fileid_checked(id));
		return buf;
	}
	if (e == -ENOENT)
		return "is gone";
	if (e == -EINVAL)
		return "has a malformed identity in the trace (damaged or edited)";
	return strerror(-e);
}

/* Without --portable: every file mapped or executed when recording must be
 * the same here.  NULL when they are, else the message naming all those that
 * are not (malloc'd). */
static char *
host_files_differ(const char *trace, json_t *ids, const json_t *kept)
{
	const char *path;
	json_t *id;
	char *list = NULL, *msg = NULL;
	int bad = 0;

	json_object_foreach(ids, path, id) {
		const char *why;
		int e = fileid_verify(id, 0, NULL, &why);
		char *line = NULL;
		/* a file the program changed after it mapped it: the trace
		 * carries its content ("carry"), which replay maps then */
		if (e == 0 || ((e == -ENOENT || e == -ESTALE) &&
		    json_object_get(kept, json_string_value(json_object_get(id, "sha256")))))
			continue;
		if (e == -EPERM) {
			free(list);
			return refused(trace, path, why);
		}
		bad++;
		char why_buf[96];
		if (asprintf(&line, "%s  %s: %s\n", list ? list : "", path,
		    not_same(id, e, why_buf, sizeof why_buf)) < 0)
			die(DIOS_EXIT_ERROR, "out of memory");
		free(list);
		list = line;
	}
	if (bad && asprintf(&msg, "%s: %d file%s the program mapped or executed when recording "
	    "%s not the same on this host:\n%sreplay needs the same files: restore them, or "
	    "record with --portable to carry their content in the trace", trace, bad,
	    bad > 1 ? "s" : "", bad > 1 ? "are" : "is", list) < 0)
		die(DIOS_EXIT_ERROR, "out of memory");
	free(list);
	return msg;
}

/* With a portable trace: the content of every file must be in the cache
 * now.  Names all that are not, and exits. */
static void
check_cached_files(const char *trace, struct blobstore *bs, json_t *ids)
{
	const char *path;
	json_t *id;
	int bad = 0;

	json_object_foreach(ids, path, id) {
		char *p;
		int e = blobstore_get(bs, id, &p);
		if (e == 0) {
			free(p);
			continue;
		}
		if (bad++ == 0)
			warnx_("%s: a portable trace, but the content of these files is %s:", trace,
			    "missing from it and from the cache");
		fprintf(stderr, "  %s (%s)\n", path, e == -ENOENT ? "missing" : strerror(-e));
	}
	if (bad)
		die(DIOS_EXIT_ERROR, "%s: cannot replay without them (record again with --portable)",
		    trace);
}

/* The check of the whole trace and what follows from it.  Made before the
 * program starts, or, for a trace that is not portable when another CPU is
 * free, while it runs: then the program's first output waits for it (the
 * replay's gate), and so does the end of the run, so nothing of a trace
 * that fails the check is shown and its message is the one reported. */
struct check {
	const char *trace;		/* the trace as the user named it */
	const char *src;		/* what is read: trace, or its copy (trace/spool.h) */
	struct files *files;
	const char *rec_exe;		/* checked on its own (fileid_verify): left out */
	bool portable, quiet;
	struct trace_check_job *job;	/* running meanwhile; NULL once waited for */
	struct trace_summary sum;	/* of the whole trace, once checked */
	char *msg;			/* checked and failed: why, one message */
};

/* What follows the check of the trace (e < 0: failed, err says why). */
static void
check_finish(struct check *c, int e, const char *err)
{
	/* What the trace carries and did not keep (all of it, when it failed
	 * the check; a file cut short by the end of a cut-short trace) is
	 * dropped: no event can need it. */
	if (c->files->bs)
		blobstore_drop(c->files->bs);
	if (e < 0) {
		c->msg = strdup(err);
		return;
	}
	if (c->sum.aborted[0]) {
		if (asprintf(&c->msg, "%s: the recording stopped early and cannot be replayed: %s",
		    c->trace, c->sum.aborted) < 0)
			c->msg = NULL;
		return;
	}
	if (c->sum.truncated && !c->quiet)
		warnx_("%s: the recording was cut short (%llu complete events, no footer): replaying up "
		    "to its last complete event", c->trace, (unsigned long long)c->sum.events);
	if (!c->portable) {
		json_object_del(c->files->ids, c->rec_exe ? c->rec_exe : "");
		c->msg = host_files_differ(c->trace, c->files->ids, c->files->kept);
	}
}

/* The check, made now; exits when the trace fails it. */
static void
check_now(struct check *c)
{
	char err[1024];

	struct trace_check_fns fns = { on_event, on_blob, on_keep, c->files };

	check_finish(c, trace_check_each(c->src, c->trace, &c->sum, &fns, err, sizeof err), err);
	if (c->msg)
		die(DIOS_EXIT_ERROR, "%s", c->msg);
}

/* replay_conf.gate: waits for the check running meanwhile. */
static int
check_gate(void *ctx, char *err, size_t errlen)
{
	struct check *c = ctx;
	char buf[1024];

	if (c->job) {
		int e = trace_check_wait(c->job, &c->sum, buf, sizeof buf);
		c->job = NULL;
		check_finish(c, e, buf);
	}
	if (c->msg) {
		snprintf(err, errlen, "%s", c->msg);
		return -1;
	}
	return 0;
}

/* replay_conf.checked: has the check running meanwhile passed line? */
static int
check_reached(void *ctx, uint64_t line)
{
	struct check *c = ctx;

	if (c->job)
		return trace_check_reached(c->job, line);
	return c->msg ? -1 : 0;
}

/* Why trace, not a regular file, could not be copied (trace/spool.h). */
static void __attribute__((noreturn))
spool_failed(const char *trace, const struct trace_spool *sp, int e)
{
	const char *tmp = getenv("TMPDIR");

	if (sp->writing)
		die(DIOS_EXIT_ERROR, "%s: cannot copy the trace from the pipe to a temporary file in %s: "
		    "%s; set TMPDIR to a writable directory with room, or save the trace to a file and replay "
		    "that", trace, tmp && tmp[0] == '/' ? tmp : "/tmp", strerror(-e));
	if (e == -ENOENT)
		die(DIOS_EXIT_ERROR, "%s: no such trace file", trace);
	if (e == -EISDIR)
		die(DIOS_EXIT_ERROR, "%s is a directory, not a trace: give a trace file", trace);
	if (e == -ENOTTY)
		die(DIOS_EXIT_ERROR, "%s is a terminal, not a trace: give a trace file, or pipe one in "
		    "(dios-replay /dev/stdin < trace.json.zst)", trace);
	if (e == -EFBIG)
		die(DIOS_EXIT_ERROR, "%s: more than %llu MiB of trace on a pipe: dios-replay copies a "
		    "trace that is not a regular file to a temporary file first, up to that size; save "
		    "the trace to a file and replay that", trace,
		    (unsigned long long)(TRACE_SPOOL_MAX >> 20));
	die(DIOS_EXIT_ERROR, "%s: cannot read: %s", trace, strerror(-e));
}

/* The cache of a portable trace, closed at exit whatever the way out (die
 * included): what it was given and did not keep goes, and so does a
 * temporary cache (--no-cache), which a fatal signal removes too. */
static struct blobstore *cache_at_exit;
static pid_t cache_owner;
static char cache_tmp[4096];	/* the temporary cache's directory */

static void
close_cache(void)
{
	if (cache_at_exit && getpid() == cache_owner)
		blobstore_close(cache_at_exit);
	cache_at_exit = NULL;
	cache_tmp[0] = '\0';
}

static void
on_fatal_signal(int sig)
{
	if (cache_tmp[0] && getpid() == cache_owner)
		(void)blobstore_rmtree(cache_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
remove_cache_on_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Opens the cache (limit bytes; temporary: a private one removed at exit)
 * and has it closed at exit. */
static int
open_cache_err(struct blobstore **bsp, uint64_t limit, bool temporary, char *err, size_t errlen)
{
	struct blobstore_conf conf = { .limit = limit, .temporary = temporary };
	struct blobstore *bs;
	int e;

	if ((e = blobstore_open(&bs, &conf, err, errlen)) < 0)
		return e;
	cache_owner = getpid();
	cache_at_exit = bs;
	atexit(close_cache);
	if (conf.temporary && strlen(blobstore_dir(bs)) < sizeof cache_tmp) {
		strcpy(cache_tmp, blobstore_dir(bs));
		remove_cache_on_signals();
	}
	*bsp = bs;
	return 0;
}

static struct blobstore *
open_cache(const struct dios_opts *o)
{
	struct blobstore *bs;
	char err[1024];

	if (open_cache_err(&bs, o->cache_size, !o->cache, err, sizeof err) < 0)
		die(DIOS_EXIT_ERROR, "%s", err);
	return bs;
}

static void
free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* -o: the run's trace, opened before the run: the header, then the blob
 * lines of src (the content of the files it maps), as in src. */
static struct trace_writer *
open_run_trace(const struct dios_opts *o, const char *trace, const char *src, const json_t *hdr)
{
	struct trace_writer *w = NULL;
	struct trace_reader *rd;
	struct stat a, b;
	json_t *line;
	int e;

	if (strcmp(o->output, "-") == 0)
		die(DIOS_EXIT_USAGE, "-o -: the run's trace cannot go to standard output, which is the "
		    "program's: name a file (./- for a file named -)");
	if (stat(o->output, &a) == 0 && stat(trace, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		die(DIOS_EXIT_USAGE, "-o %s names the trace being replayed: write the run elsewhere",
		    o->output);
	if ((e = trace_writer_open(&w, o->output, !o->force)) == -EEXIST)
		die(DIOS_EXIT_ERROR, "%s already exists: choose another name with -o, or pass --force "
		    "to overwrite it", o->output);
	if (e < 0)
		die(DIOS_EXIT_ERROR, "cannot write the run to %s: %s", o->output, strerror(-e));
	if ((e = trace_write(w, hdr)) < 0)
		die(DIOS_EXIT_ERROR, "cannot write the run to %s: %s", o->output, strerror(-e));
	if ((e = trace_reader_open(&rd, src)) < 0)
		die(DIOS_EXIT_ERROR, "%s: cannot read: %s", trace, strerror(-e));
	while ((e = trace_read(rd, &line)) > 0) {
		if (blob_is_line(line) && (e = trace_write(w, line)) < 0) {
			json_decref(line);
			die(DIOS_EXIT_ERROR, "cannot write the run to %s: %s", o->output, strerror(-e));
		}
		json_decref(line);
	}
	trace_reader_close(rd);
	return w;
}

/* -o: the footer of the run's trace: how the program ended, or why the
 * run stopped before. */
static void
close_run_trace(struct trace_writer *w, const char *path, const struct kernel *k,
    const struct module *rep, enum replay_outcome out, const char *msg, const struct model *model,
    const struct mut_plan *plan)
{
	json_t *f, *end;
	char sb[16];
	int e;

	if (w == NULL)
		return;
	f = json_object();
	end = json_object();
	if (k->root_done && (out == RO_MATCHED || out == RO_MODELLED)) {
		if (WIFSIGNALED(k->root_status))
			json_object_set_new(end, "signal", json_string(signal_name(WTERMSIG(k->root_status), sb)));
		else
			json_object_set_new(end, "exit", json_int64(WEXITSTATUS(k->root_status)));
		json_object_set_new(f, "end", end);
	} else if (out == RO_HANG) {
		/* the run as far as it went: it replays, and stops there as a
		 * hang again */
		json_object_set_new(f, "end", end);
		json_object_set_new(f, "hang", json_string(msg ? msg : "a hang"));
	} else {
		json_object_set_new(f, "end", end);
		json_object_set_new(f, "aborted", json_string(msg ? msg : "the replay stopped"));
	}
	json_object_set_new(f, "events", json_uint64(replay_written(rep)));
	if (model) {
		const struct model_stats *ms = model_stats(model);
		json_object_set_new(f, "model", json_pack("{s:b, s:o, s:o, s:O}", "left", replay_left(rep) != NULL,
		    "answered", json_uint64(ms->answered), "unmodelled", json_uint64(ms->unmodelled),
		    "why", ms->why));
	}
	if (plan)
		json_object_set_new(f, "mutated", json_uint64(mut_plan_applied(plan)));
	if ((e = trace_write(w, f)) < 0 || (e = trace_writer_close(w)) < 0)
		warnx_("writing the run to %s failed: %s", path, strerror(-e));
	json_decref(f);
}

int
main(int argc, char **argv)
{
	struct dios_opts o;
	struct trace_reader *rd;
	struct spawn_result sres;
	struct kernel k;
	struct module *rep;
	char err[1024], *exe;
	const char *trace, *msg;
	json_t *hdr;
	int first, r, fds[1024];
	size_t nfds = 0, i;
	json_t *v;
	unsigned char *mask = NULL;
	size_t masklen = 0;

	progname = "dios-replay";
	opts_init(&o);
	r = opts_parse(argc, argv, CMD_REPLAY, &o, &first, stdout, err, sizeof err);
	if (r == 1)
		return 0;
	if (r < 0)
		die(DIOS_EXIT_USAGE, "%s", err);
	if (first >= argc)
		die(DIOS_EXIT_USAGE, "no trace given: usage: dios-replay [OPTION]... TRACE");
	if (first + 1 < argc)
		die(DIOS_EXIT_USAGE, "too many arguments ('%s' and more): dios-replay takes one trace; "
		    "the program's arguments come from the recording", argv[first + 1]);
	trace = argv[first];
	if (o.at_exit && strcmp(o.at_exit, "wait") != 0 && strcmp(o.at_exit, "kill") != 0)
		die(DIOS_EXIT_USAGE, "--at-exit: '%s' is neither wait nor kill", o.at_exit);
	bool at_exit_kill = o.at_exit && strcmp(o.at_exit, "kill") == 0;
	struct mut_plan *plan = NULL;
	if (o.mutate && mut_plan_load(o.mutate, &plan, err, sizeof err) < 0)
		die(DIOS_EXIT_USAGE, "--mutate %s", err);
	if (plan)
		stack_lines(false);	/* the stacks of mutated calls and faults: names will do */

	/* A trace on a pipe is read more than once: from a copy. */
	struct trace_spool spool;
	if ((r = trace_spool_open(&spool, trace, NULL, TRACE_SPOOL_MAX)) < 0)
		spool_failed(trace, &spool, r);
	const char *src = spool.path[0] ? spool.path : trace;

	struct files files = { .ids = json_object(), .kept = json_object(), .cache_size = o.cache_size };
	struct trace_summary head;
	if (!o.cache)
		hashcache_off();	/* --no-cache: nothing kept in the cache directories */
	/* Line 1 first: it says how the rest is checked. */
	if (trace_check_head(src, trace, &head, err, sizeof err) < 0)
		die(DIOS_EXIT_ERROR, "%s", err);
	hdr = head.header;

	const json_t *hexe = json_object_get(hdr, "exe");
	const json_t *hinterp = json_object_get(hdr, "interp");
	const char *rec_exe = json_string_value(json_object_get(hexe, "path"));
	bool portable = json_is_true(json_object_get(hdr, "portable"));
	struct elf_interp fix = { 0 };
	int interp_fd = -1;
	struct check chk = { .trace = trace, .src = src, .files = &files, .rec_exe = rec_exe,
	    .portable = portable, .quiet = o.quiet };

	if (o.pin && pin_to_one_cpu(&mask, &masklen) == 0)
		affinity_set_shown(mask, masklen);
	/* The check runs meanwhile on another CPU, unless the trace carries the
	 * files the program needs (the check puts them in the cache), or -v
	 * shows events as they match, or the loader, which runs before any
	 * event, is not the recorded one (the check names all such files). */
	if (json_is_object(hinterp))
		note_id(&files, hinterp);
	if (!o.exe)
		note_id(&files, hexe);
	cpu_set_t others;
	bool helpers = helper_cpus(mask, masklen, &others);
	bool meanwhile = helpers && !portable && !o.verbose &&
	    (!json_is_object(hinterp) || fileid_verify(hinterp, 0, NULL, NULL) == 0);
	/* Only a portable trace has the cache written: the check refuses the
	 * blob lines of any other. */
	if (portable)
		files.bs = open_cache(&o);
	if (!meanwhile)
		check_now(&chk);
	if (portable)
		check_cached_files(trace, files.bs, files.ids);
	if (portable) {
		/* Execute the cache's copy of the executable (or of --exe),
		 * with the cached loader as its interpreter (blobstore.h). */
		char *src, *ld = NULL, *sha;
		const char *name;
		if (o.exe) {
			src = resolve_program(o.exe, DIOS_EXIT_ERROR, DIOS_EXIT_ERROR);
			json_t *id = fileid_get(src, src, &r);
			if (id == NULL)
				die(DIOS_EXIT_ERROR, "cannot read %s: %s", src, strerror(-r));
			sha = strdup(json_string_value(json_object_get(id, "sha256")));
			json_decref(id);
		} else {
			if ((r = blobstore_get(files.bs, hexe, &src)) < 0)
				die(DIOS_EXIT_ERROR, "%s: the content of the executable %s is missing",
				    trace, rec_exe);
			sha = strdup(json_string_value(json_object_get(hexe, "sha256")));
		}
		name = strrchr(o.exe ? src : rec_exe, '/');
		name = name ? name + 1 : (o.exe ? src : rec_exe);
		if (json_is_object(hinterp)) {
			int fd;
			if ((r = blobstore_get(files.bs, hinterp, &ld)) < 0)
				die(DIOS_EXIT_ERROR, "%s: the content of the loader %s is missing", trace,
				    json_string_value(json_object_get(hinterp, "path")));
			if ((fd = open(ld, O_RDONLY | O_CLOEXEC)) < 0 ||
			    (interp_fd = fcntl(fd, F_DUPFD_CLOEXEC, 900)) < 0)
				die(DIOS_EXIT_ERROR, "cannot open the cached loader %s: %s", ld,
				    strerror(errno));
			close(fd);
		}
		if ((r = blobstore_exec_copy(files.bs, src, sha, name[0] ? name : "exe", interp_fd,
		    &exe, &fix)) < 0)
			die(DIOS_EXIT_ERROR, "cannot make the copy of %s to execute in the cache: %s%s",
			    o.exe ? src : rec_exe, strerror(-r), r == -ENAMETOOLONG ?
			    " (its PT_INTERP is too short to name the cached loader)" : r == -ENOSPC ?
			    " (beyond the cache's limit: raise --cache-size)" : "");
		free(src);
		free(ld);
		free(sha);
	} else if (o.exe)
		exe = resolve_program(o.exe, DIOS_EXIT_ERROR, DIOS_EXIT_ERROR);	/* cannot test */
	else {
		const char *why;
		int e = fileid_verify(hexe, 0, NULL, &why);
		if (e == -EPERM)
			die(DIOS_EXIT_ERROR, "%s", refused(trace, rec_exe, why));
		if (e == -ENOENT)
			die(DIOS_EXIT_ERROR, "%s: the recorded executable %s is gone; pass --exe FILE to "
			    "replay another build of it against this trace", trace, rec_exe);
		if (e == -ESTALE)
			die(DIOS_EXIT_ERROR, "%s: the executable %s has changed since the recording (its "
			    "size or SHA-256 differ); pass --exe %s to replay the rebuilt program against "
			    "this trace", trace, rec_exe, rec_exe);
		if (e < 0)
			die(DIOS_EXIT_ERROR, "%s: cannot check the recorded executable %s: %s", trace,
			    rec_exe, strerror(-e));
		exe = strdup(rec_exe);
	}

	/* The header's numbers are checked (trace_check_head): whole values in
	 * range, no truncation. */
	json_array_foreach(json_object_get(hdr, "fds"), i, v) {
		int64_t fd;
		if (json_int64_get(v, &fd) == 0 && nfds < 1024)
			fds[nfds++] = (int)fd;
	}
	/* A script: its interpreter (the recorded "exe") with the arguments
	 * the kernel gave it. */
	const json_t *xargv = json_object_get(hdr, "exec_argv");
	if (xargv && (!json_is_array(xargv) || json_array_size(xargv) == 0))
		die(DIOS_EXIT_ERROR, "%s: line 1: \"exec_argv\" is not a list of strings", trace);
	char **pargv = xargv ? strv_from_json(xargv, trace, "exec_argv") :
	    strv_from_json(json_object_get(hdr, "argv"), trace, "argv");
	char **penv = strv_from_json(json_object_get(hdr, "env"), trace, "env");

	if ((r = trace_reader_open(&rd, src)) < 0)
		die(DIOS_EXIT_ERROR, "%s: cannot read: %s", trace, strerror(-r));
	json_t *h2;
	if (trace_read(rd, &h2) != 1)
		die(DIOS_EXIT_ERROR, "%s: cannot read its header again", trace);
	json_decref(h2);

	tsc_trap_self();
	struct spawn_req req = {
		.path = exe, .argv = pargv, .envp = penv,
		.umask = (int)json_int64_or(hdr, "umask", -1),
		.fds = fds, .nfds = nfds, .keep_fd = interp_fd,
		.serial = json_is_true(json_object_get(hdr, "serial")),
	};
	/* The agent answers clock reads in the program; the model and the
	 * plan's mutations see every call at a stop. */
	bool fast = o.fast && !o.model && !o.mutate;
	req.fast_site = fast ? fastpath_site() : 0;
	/* The limits the recording started with, those replay meets for
	 * real (rlimit_replayed); and no core file of a replayed crash. */
	struct spawn_rlimit lims[RLIM_NLIMITS];
	const json_t *hl = json_object_get(hdr, "rlimits");
	for (int res = 0; rlimit_name(res); res++) {
		const json_t *l = json_object_get(hl, rlimit_name(res));
		uint64_t cur, max;
		if (rlimit_replayed(res) && json_uint64_get(json_object_get(l, "cur"), &cur) == 0 &&
		    json_uint64_get(json_object_get(l, "max"), &max) == 0)
			lims[req.nrlimits++] = (struct spawn_rlimit){ res, cur, max };
	}
	req.rlimits = lims;
	req.no_core = true;
	req.trace_exit = true;	/* robust futexes (loop.c) */
	req.cwd = json_string_value(json_object_get(hdr, "cwd"));
	if (json_is_int64(json_object_get(hdr, "sigign"))) {
		req.set_signals = true;
		req.sigign = (unsigned long long)json_int64_or(hdr, "sigign", 0);
		req.sigblk = (unsigned long long)json_int64_or(hdr, "sigblk", 0);
	}
	r = spawn_traced(&req, &sres);
	if (interp_fd >= 0)
		close(interp_fd);
	if (r < 0) {
		spawn_explain(&sres, exe, err, sizeof err);
		die(DIOS_EXIT_ERROR, "%s%s", err, portable && sres.stage == SPAWN_EXEC &&
		    sres.err == EACCES ? " (is the cache on a file system mounted noexec? set "
		    "XDG_CACHE_HOME to a directory where programs may run)" : "");
	}

	/* The trace is read and parsed ahead by a thread on another CPU. */
	if (helpers)
		(void)trace_reader_background(rd, &others);
	struct trace_check_fns fns = { on_event, on_blob, on_keep, &files };
	if (meanwhile && trace_check_start(&chk.job, src, trace, &fns, &others) < 0)
		check_now(&chk);

	/* The run of a plan says so in its header: its answers are the
	 * mutated ones (dios-trace diff shows them as the first difference). */
	json_t *runhdr = plan ? json_deep_copy(hdr) : json_incref(hdr);
	if (plan && runhdr) {
		json_t *p = json_object_get(runhdr, "perturbed");
		if (!json_is_object(p))
			json_object_set_new(runhdr, "perturbed", p = json_object());
		json_object_set_new(p, "fuzz", mut_plan_json(plan));
	}
	if (runhdr == NULL)
		die(DIOS_EXIT_ERROR, "out of memory");
	struct trace_writer *runw = o.output ? open_run_trace(&o, trace, src, runhdr) : NULL;
	json_decref(runhdr);
	struct model *model = NULL;
	if (o.model) {
		if ((model = model_new(hdr, 0)) == NULL)
			die(DIOS_EXIT_ERROR, "out of memory");
		if (model_learn(model, src, err, sizeof err) < 0)
			die(DIOS_EXIT_ERROR, "%s", err);
	}
	struct replay_conf rc = { .r = rd, .header = hdr, .quiet = o.quiet, .realtime = o.realtime,
	    .model = model, .out = runw, .mutate = plan ? mutate_hook : NULL, .mutate_ctx = plan,
	    .timeout = o.timeout, .log = o.verbose ? stderr : NULL,
	    .bs = portable ? files.bs : NULL, .carried = &files.bs, .first_fix = &fix,
	    .gate = meanwhile ? check_gate : NULL, .gate_ctx = &chk,
	    .checked = meanwhile ? check_reached : NULL, .end_with_root = at_exit_kill, .fast = fast };
	memset(&k, 0, sizeof k);
	k.root = sres.pid;
	k.serial = req.serial;
	k.kill_orphans = true;
	k.end_with_root = at_exit_kill;
	struct task *root = task_new(&k, sres.pid);
	root->vtid = (pid_t)json_int64_or(hdr, "pid", 0);
	if ((rep = replay_new(&rc)) == NULL)
		die(DIOS_EXIT_ERROR, "out of memory");
	kernel_push(&k, rep);
	k.tick = tick;
	ticked_module = rep;

	r = kernel_run(&k);
	if (cache_tmp[0])
		remove_cache_on_signals();	/* kernel_run set them back */
	/* A trace that fails the check is reported as such, whatever the run
	 * made of it. */
	if (check_gate(&chk, err, sizeof err) < 0)
		die(DIOS_EXIT_ERROR, "%s", chk.msg);
	if (r < 0)
		die(DIOS_EXIT_ERROR, "lost control of the program: %s", strerror(-r));
	enum replay_outcome out = replay_outcome(rep, &k, &msg);
	int status;
	char sb[16];
	if (k.interrupted) {
		/* Whatever the run made of it, it is cut short. */
		warnx_("interrupted by %s after %llu matched events: the program and every task it "
		    "made were killed; the replay is cut short, neither a match nor a divergence",
		    signal_name(k.interrupted, sb),
		    (unsigned long long)replay_matched(rep));
		out = RO_ERROR;
		msg = NULL;
	}
	switch (out) {
	case RO_MATCHED: {
		uint64_t from, rest = replay_rest(rep, &from), unshown = replay_unshown(rep);
		if (unshown)
			warnx_("warning: the program moved %llu byte%s from a pipe to its stdout or stderr "
			    "with splice or tee, which the trace does not hold: replay did not show them "
			    "again, and this output is incomplete", (unsigned long long)unshown,
			    unshown == 1 ? "" : "s");
		if (!o.quiet && (rest || k.left_killed))
			warnx_("the program ended as recorded, leaving %u task%s running: killed "
			    "(--at-exit kill); the %llu event%s the recording has after its end (from "
			    "event %llu) %s not replayed", k.left_killed, k.left_killed == 1 ? "" : "s",
			    (unsigned long long)rest, rest == 1 ? "" : "s", (unsigned long long)from,
			    rest == 1 ? "is" : "are");
		status = status_to_exit(k.root_status);
		break;
	}
	case RO_DIVERGED:
		warnx_("%s", msg);
		status = DIOS_EXIT_DIVERGED;
		break;
	case RO_CUT_SHORT:
		warnx_("%s", msg);
		status = DIOS_EXIT_ERROR;
		break;
	case RO_MODELLED: {
		const struct model_stats *ms = model_stats(model);
		char *why = json_object_size(ms->why) ? json_dumps(ms->why, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		if (!o.quiet)
			warnx_("the run left the recording, and went on against the model:\n%s\n"
			    "  the model answered %llu calls after %llu from the recording; %llu it could "
			    "not model%s%s", msg ? msg : "", (unsigned long long)ms->answered,
			    (unsigned long long)ms->followed, (unsigned long long)ms->unmodelled,
			    why ? ": " : "", why ? why : "");
		free(why);
		status = status_to_exit(k.root_status);
		break;
	}
	case RO_HANG:
		warnx_("%s", msg);
		status = DIOS_EXIT_DIVERGED;
		break;
	default:
		if (!k.interrupted)
			warnx_("%s", msg ? msg : "replay failed");
		status = DIOS_EXIT_ERROR;
		break;
	}
	close_run_trace(runw, o.output, &k, rep, out, msg, model, plan);
	replay_free(rep);
	mut_plan_free(plan);
	model_free(model);
	elf_interp_free(&fix);
	close_cache();
	json_decref(files.ids);
	json_decref(files.kept);
	trace_reader_close(rd);
	trace_spool_close(&spool);
	trace_summary_free(&chk.sum);
	trace_summary_free(&head);
	free(chk.msg);
	free_strv(pargv);
	free_strv(penv);
	free(exe);
	free(mask);
	opts_free(&o);
	if (k.interrupted) {
		/* Dies of the signal, as an interrupted command does: the
		 * shell sees 128+N, and git bisect run stops. */
		sigset_t set;
		signal(k.interrupted, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, k.interrupted);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(k.interrupted);
		status = 128 + k.interrupted;
	}
	return status;
}

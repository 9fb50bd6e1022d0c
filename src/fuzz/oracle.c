/* oracle.c: how a mutated run is run and judged (oracle.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <jansson.h>
#include "fuzz/campaign.h"
#include "fuzz/oracle.h"
#include "fuzz/corpus.h"
#include "inspect/rules.h"
#include "sys/capture.h"
#include "sys/xlat.h"
#include "trace/blobline.h"
#include "trace/bytes.h"
#include "trace/io.h"
#include "trace/number.h"

double
fz_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
fz_mkdir(const char *d, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(d, 0755) == 0 || (errno == EEXIST && stat(d, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	snprintf(err, errlen, "cannot make the directory %s: %s", d, errno == EEXIST ?
	    "a file has that name" : strerror(errno));
	return -errno;
}

/* Bytes the events of a trace wrote to descriptor 2, and the first of them
 * as text into buf (NUL-terminated) when buf is not NULL. */
static void
stderr_of(const json_t *ev, uint64_t *bytes, char *buf, size_t len, size_t *have)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const json_t *args = json_object_get(ev, "args");
	void *p;
	size_t n;

	if (sys == NULL || json_int64_or(args, "fd", -1) != 2 || json_int64_or(ev, "ret", -1) <= 0 ||
	    (strcmp(sys, "write") && strcmp(sys, "writev")))
		return;
	json_t *b = json_object_get(args, strcmp(sys, "write") ? "iov" : "buf");
	if (b == NULL || json_get_bytes(b, &p, &n) < 0)
		return;
	*bytes += n;
	if (buf && *have + 1 < len) {
		size_t k = n < len - 1 - *have ? n : len - 1 - *have;
		memcpy(buf + *have, p, k);
		*have += k;
		buf[*have] = '\0';
	}
	free(p);
}

/* Calls fn for every line of the trace at path (nothing when it cannot be
 * read). */
static void
each_line(const char *path, void (*fn)(const json_t *ev, void *ctx), void *ctx)
{
	struct trace_reader *r;
	json_t *ev;

	if (trace_reader_open(&r, path) < 0)
		return;
	while (trace_read(r, &ev) > 0) {
		fn(ev, ctx);
		json_decref(ev);
	}
	trace_reader_close(r);
}

static void
count_stderr(const json_t *ev, void *ctx)
{
	stderr_of(ev, ctx, NULL, 0, NULL);
}

uint64_t
fz_stderr_bytes(const char *path)
{
	uint64_t n = 0;

	each_line(path, count_stderr, &n);
	return n;
}

struct written { long long tid, fd; uint64_t n; };

static void
count_written(const json_t *ev, void *ctx)
{
	struct written *w = ctx;
	const char *sys = json_string_value(json_object_get(ev, "sys"));

	if (sys && json_int64_or(ev, "tid", -1) == w->tid &&
	    json_int64_or(json_object_get(ev, "args"), "fd", -1) == w->fd &&
	    (!strcmp(sys, "write") || !strcmp(sys, "writev") || !strcmp(sys, "pwrite64") ||
	    !strcmp(sys, "pwritev") || !strcmp(sys, "sendto")) && json_int64_or(ev, "ret", -1) > 0)
		w->n += (uint64_t)json_int64_or(ev, "ret", 0);
}

/* Bytes the calls of task tid wrote to descriptor fd, in the trace at path. */
uint64_t
fz_bytes_written(const char *path, long long tid, long long fd)
{
	struct written w = { tid, fd, 0 };

	each_line(path, count_written, &w);
	return w.n;
}

static bool
fatal(const char *sig)
{
	static const char *const f[] = { "SIGSEGV", "SIGBUS", "SIGABRT", "SIGFPE", "SIGILL", "SIGSYS",
		"SIGTRAP", NULL };
	for (int i = 0; f[i]; i++)
		if (strcmp(sig, f[i]) == 0)
			return true;
	return false;
}

bool
fz_is_write_like(const char *sys)
{
	return !strcmp(sys, "write") || !strcmp(sys, "writev") || !strcmp(sys, "pwrite64") ||
	    !strcmp(sys, "pwritev") || !strcmp(sys, "close") || !strcmp(sys, "fsync") ||
	    !strcmp(sys, "fdatasync") || !strcmp(sys, "sendto") || !strcmp(sys, "msync");
}

/* Reads the run's trace and decides what its end was. */
void
fz_judge(const char *run, int st, bool timed_out, const struct mutation *m, bool written,
    uint64_t seed_stderr, uint64_t seed_bytes, long long tid, long long fd, struct fz_behaviour *b,
    struct fz_judged *j)
{
	struct trace_reader *r;
	json_t *ev, *footer = NULL, *prev = b ? json_object() : NULL, *counts = json_object();
	char text[65536];
	size_t have = 0;

	memset(j, 0, sizeof *j);
	j->status = -1;
	text[0] = '\0';
	if (trace_reader_open(&r, run) == 0) {
		while (trace_read(r, &ev) > 0) {
			if (json_object_get(ev, "end") || json_object_get(ev, "aborted")) {
				json_decref(footer);
				footer = ev;
				continue;
			}
			stderr_of(ev, &j->stderr_bytes, text, sizeof text, &have);
			/* where the mutated call was made, and where a fault
			 * came from: the stacks replay took (--mutate) */
			const char *sys = json_string_value(json_object_get(ev, "sys"));
			const json_t *stk = json_object_get(ev, "stack");
			if (sys && counts && m->nth && json_int64_or(ev, "tid", 0) == m->tid && !strcmp(sys, m->sys)) {
				char ck[48];
				snprintf(ck, sizeof ck, "%lld", (long long)m->tid);
				json_int_t nth = json_integer_value(json_object_get(counts, ck)) + 1;
				json_object_set_new(counts, ck, json_integer(nth));
				if ((uint64_t)nth == m->nth && stk)
					fz_site(stk, 2, j->site, sizeof j->site);
			}
			if (!sys && stk && json_is_true(json_object_get(ev, "sync")) && !j->fault[0])
				fz_site(stk, 3, j->fault, sizeof j->fault);
			if (!sys && stk && !j->fault[0] && !strcmp(json_string_value(json_object_get(ev, "sig")) ?
			    json_string_value(json_object_get(ev, "sig")) : "", "SIGABRT"))
				fz_site(stk, 3, j->fault, sizeof j->fault);
			if (b && prev)
				j->newbits += fz_bhv_event(b, prev, ev);
			json_decref(ev);
		}
		trace_reader_close(r);
	}
	json_decref(prev);
	json_decref(counts);
	j->applied = (uint64_t)json_int64_or(footer, "mutated", 0);
	json_t *end = json_object_get(footer, "end"), *model = json_object_get(footer, "model");
	j->answered = (uint64_t)json_int64_or(model, "answered", 0);
	j->unmodelled = (uint64_t)json_int64_or(model, "unmodelled", 0);
	j->left = json_is_true(json_object_get(model, "left"));
	j->why = json_incref(json_object_get(model, "why"));
	const char *sn = json_string_value(json_object_get(end, "signal"));
	if (json_is_int64(json_object_get(end, "exit")))
		j->status = (int)json_int64_or(end, "exit", -1);
	else if (sn) {
		snprintf(j->sig, sizeof j->sig, "%s", sn);
		j->status = 128 + signal_from_name(sn);
	}
	if (timed_out || (WIFEXITED(st) && WEXITSTATUS(st) == 120)) {
		j->kind = "hang";
		if (j->status < 0)
			j->status = 120;	/* its reproducer replays to the hang, as dios-replay reports one */
	}
	else if (strstr(text, "AddressSanitizer") || strstr(text, "UndefinedBehaviorSanitizer") ||
	    strstr(text, "MemorySanitizer") || strstr(text, "LeakSanitizer") ||
	    strstr(text, "ThreadSanitizer") || strstr(text, ": runtime error: "))
		j->kind = "sanitizer";
	else if (j->sig[0] && fatal(j->sig))
		j->kind = "crash";
	else if (j->status < 0 || (WIFEXITED(st) && WEXITSTATUS(st) >= 121 && WEXITSTATUS(st) <= 127 &&
	    WEXITSTATUS(st) != j->status))
		j->kind = "dios";
	else if (j->status == 0 && (m->op == MO_ERROR || m->op == MO_SHORT) && fz_is_write_like(m->sys) &&
	    (strcmp(m->sys, "close") || written) && j->stderr_bytes <= seed_stderr &&
	    /* a write given up: fewer bytes reached the descriptor than when
	     * recording (a retried one is no loss); a close, fsync or
	     * fdatasync whose error was ignored */
	    (!strstr(m->sys, "write") && strcmp(m->sys, "sendto") ? true :
	    fz_bytes_written(run, tid, fd) < seed_bytes))
		j->kind = "silent";
	else
		j->kind = j->status == 0 ? "recovered" : "handled";
	json_decref(footer);
}

bool
fz_is_failure(const char *kind)
{
	return !strcmp(kind, "crash") || !strcmp(kind, "sanitizer") || !strcmp(kind, "hang") ||
	    !strcmp(kind, "silent") || !strcmp(kind, "rule");
}

/* The requirement rules the run at path breaks that the recording did not
 * (seen: rule name -> true): the first one's name into rule, else "". */
void
fz_rules_broken(const char *path, unsigned mask, const json_t *seen, char *rule, size_t len)
{
	json_t *v = NULL;
	char err[256];
	size_t i;
	json_t *x;

	rule[0] = '\0';
	if (mask == 0 || rules_check_file(path, mask, &v, err, sizeof err) < 0)
		return;
	json_array_foreach(v, i, x) {
		const char *n = json_string_value(json_object_get(x, "rule"));
		if (n && json_object_get(seen, n) == NULL) {
			snprintf(rule, len, "%s", n);
			break;
		}
	}
	json_decref(v);
}

/* Runs argv with stdout and stderr to log, stdin from /dev/null, in its own
 * process group, for at most timeout seconds.  Its wait status, or -errno. */
int
fz_run_child(char *const argv[], const char *log, unsigned timeout, bool *timed_out)
{
	pid_t pid;
	int st = 0;

	*timed_out = false;
	if ((pid = fork()) < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), in = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		if (fd < 0 || in < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(125);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	setpgid(pid, pid);
	double start = fz_now(), term = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		double t = fz_now() - start;
		if (term == 0 && (t > timeout || fuzz_stop)) {
			*timed_out = !fuzz_stop;
			kill(-pid, SIGTERM);
			term = t;
		} else if (term > 0 && t - term > 2)
			kill(-pid, SIGKILL);
		struct timespec d = { 0, 5000000 };
		nanosleep(&d, NULL);
	}
	kill(-pid, SIGKILL);	/* nothing of the run stays */
	return st;
}

/* The first line of the file at path (without its newline) into buf. */
void
fz_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)len, f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

int
fz_copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, e;

	if (in < 0)
		return -errno;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		e = -errno;
		close(in);
		return e;
	}
	e = blob_copy_fd(in, out);
	close(in);
	return close(out) < 0 || e < 0 ? -EIO : 0;
}


json_t *
fz_rules_seen(const char *path, unsigned mask)
{
	json_t *seen = json_object(), *sv = NULL, *x;
	char err[256];
	size_t i;

	if (seen && mask && rules_check_file(path, mask, &sv, err, sizeof err) == 0)
		json_array_foreach(sv, i, x)
			if (json_string_value(json_object_get(x, "rule")))
				json_object_set_new(seen, json_string_value(json_object_get(x, "rule")), json_true());
	json_decref(sv);
	return seen;
}

int
fz_run_plan(const struct fz_run *r, const struct mutation *plan, size_t n, struct fz_judged *j,
    char *err, size_t errlen)
{
	char pl[4300], run[4300], log[4300], ts[16];
	unsigned timeout = r->timeout ? r->timeout : 10;
	bool timed_out;
	int e;

	snprintf(pl, sizeof pl, "%s/plan.json", r->work);
	snprintf(run, sizeof run, "%s/run.json.zst", r->work);
	snprintf(log, sizeof log, "%s/replay.log", r->work);
	snprintf(ts, sizeof ts, "%u", timeout);
	memset(j, 0, sizeof *j);
	j->kind = "dios";
	if ((e = mut_plan_write(pl, plan, n)) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", pl, strerror(-e));
		return e;
	}
	char *av[] = { (char *)r->replay, "-q", "--model", "--mutate", pl, "-f", "--timeout", ts, "-o", run,
		(char *)r->seed, NULL };
	unlink(run);
	int st = fz_run_child(av, log, timeout + 5, &timed_out);
	if (st < 0) {
		snprintf(err, errlen, "cannot run %s: %s", r->replay, strerror(-st));
		return st;
	}
	if (fuzz_stop && !timed_out && WIFSIGNALED(st))
		return -EINTR;	/* stopped with Ctrl-C: this run does not count */
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2 && access(run, F_OK) < 0) {
		/* dios-replay's own usage error (the program's status 2
		 * comes with the run's trace) */
		char line[512];
		fz_first_line(log, line, sizeof line);
		snprintf(err, errlen, "dios-replay refused the mutated run: %s", line);
		return -EINVAL;
	}
	const struct mutation *last = n ? &plan[n - 1] : NULL;
	struct mutation none;
	if (last == NULL) {
		memset(&none, 0, sizeof none);
		none.op = MO__N;
		last = &none;
	}
	fz_judge(run, st, timed_out, last, r->written, r->base_stderr, r->base_bytes, r->tid, r->fd, r->bhv, j);
	if (j->applied < n && !strcmp(j->kind, "silent"))
		j->kind = "recovered";	/* its mutation never came: no error was ignored */
	if (!fz_is_failure(j->kind) && strcmp(j->kind, "dios")) {
		char rule[32];
		fz_rules_broken(run, r->rules, r->seen, rule, sizeof rule);
		if (rule[0]) {
			j->kind = "rule";
			snprintf(j->sig, sizeof j->sig, "%s", rule);
		}
	}
	return 0;
}

const char *
fz_frame_name(const char *frame)
{
	static char buf[96];
	/* "MODULE+0xOFF FUNCTION+0xOFF (FILE:LINE)": the function, else the
	 * module and offset */
	const char *sp = strchr(frame, ' ');
	if (sp && sp[1] && sp[1] != '(') {
		const char *f = sp + 1;
		size_t n = strcspn(f, "+ ");
		snprintf(buf, sizeof buf, "%.*s", (int)n, f);
	} else
		snprintf(buf, sizeof buf, "%.*s", (int)strcspn(frame, " "), frame);
	return buf;
}

/* Frames in the C library and the loader: where the program's own code
 * called them is what tells one site from another. */
static bool
libc_frame(const char *fr)
{
	return !strncmp(fr, "libc.so", 7) || !strncmp(fr, "libc-", 5) || !strncmp(fr, "ld-linux", 8) ||
	    !strncmp(fr, "libpthread", 10) || !strncmp(fr, "?+", 2);
}

void
fz_site(const json_t *stack, size_t max, char *buf, size_t len)
{
	size_t n = json_array_size(stack), own = 0, k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *fr = json_string_value(json_array_get(stack, i));
		if (fr && !libc_frame(fr))
			own++;
	}
	for (size_t i = 0; i < n && k < max; i++) {
		const char *fr = json_string_value(json_array_get(stack, i));
		if (fr == NULL || (own && libc_frame(fr)))
			continue;
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", k++ ? " < " : "", fz_frame_name(fr));
	}
}

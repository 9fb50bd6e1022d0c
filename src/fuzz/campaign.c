/* campaign.c: dios-fuzz run and report (campaign.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <jansson.h>
#include "fuzz/campaign.h"
#include "fuzz/mutate.h"
#include "inspect/rules.h"
#include "sys/capture.h"
#include "sys/xlat.h"
#include "trace/blobline.h"
#include "trace/bytes.h"
#include "trace/io.h"
#include "trace/number.h"

volatile sig_atomic_t fuzz_stop;

struct cand {
	uint64_t seq;
	unsigned char op;
	bool written;		/* a close of a descriptor the program wrote to */
};

/* What a run's trace says of its end. */
struct judged {
	const char *kind;	/* "crash", "sanitizer", "hang", "silent", "rule", "handled", "recovered", "dios" */
	int status;		/* exit status (128+N for signal N), -1 unknown */
	char sig[32];		/* the signal's name, or the rule broken, or "" */
	uint64_t answered, unmodelled;
	json_t *why;		/* the footer's model.why (new reference) */
	uint64_t stderr_bytes;
	bool left;		/* the run left the recording */
};

struct failure {
	char key[160];
	unsigned id;
	bool owner;		/* this worker kept it (its trace and its .json) */
	uint64_t count, first_run;
	struct judged j;
	struct mutation m;
};

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
mkdir_p(const char *d, char *err, size_t errlen)
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

static uint64_t
trace_stderr_bytes(const char *path)
{
	struct trace_reader *r;
	json_t *ev;
	uint64_t n = 0;

	if (trace_reader_open(&r, path) < 0)
		return 0;
	while (trace_read(r, &ev) > 0) {
		stderr_of(ev, &n, NULL, 0, NULL);
		json_decref(ev);
	}
	trace_reader_close(r);
	return n;
}

/* Bytes the calls of task tid wrote to descriptor fd, in the trace at path. */
static uint64_t
bytes_written(const char *path, long long tid, long long fd)
{
	struct trace_reader *r;
	json_t *ev;
	uint64_t n = 0;

	if (trace_reader_open(&r, path) < 0)
		return 0;
	while (trace_read(r, &ev) > 0) {
		const char *sys = json_string_value(json_object_get(ev, "sys"));
		if (sys && json_int64_or(ev, "tid", -1) == tid &&
		    json_int64_or(json_object_get(ev, "args"), "fd", -1) == fd &&
		    (!strcmp(sys, "write") || !strcmp(sys, "writev") || !strcmp(sys, "pwrite64") ||
		    !strcmp(sys, "pwritev") || !strcmp(sys, "sendto")) && json_int64_or(ev, "ret", -1) > 0)
			n += (uint64_t)json_int64_or(ev, "ret", 0);
		json_decref(ev);
	}
	trace_reader_close(r);
	return n;
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

static bool
is_write_like(const char *sys)
{
	return !strcmp(sys, "write") || !strcmp(sys, "writev") || !strcmp(sys, "pwrite64") ||
	    !strcmp(sys, "pwritev") || !strcmp(sys, "close") || !strcmp(sys, "fsync") ||
	    !strcmp(sys, "fdatasync") || !strcmp(sys, "sendto") || !strcmp(sys, "msync");
}

/* Reads the run's trace and decides what its end was. */
static void
judge(const char *run, int st, bool timed_out, const struct mutation *m, bool written,
    uint64_t seed_stderr, uint64_t seed_bytes, long long tid, long long fd, struct judged *j)
{
	struct trace_reader *r;
	json_t *ev, *footer = NULL;
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
			json_decref(ev);
		}
		trace_reader_close(r);
	}
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
	if (timed_out || (WIFEXITED(st) && WEXITSTATUS(st) == 120))
		j->kind = "hang";
	else if (strstr(text, "AddressSanitizer") || strstr(text, "UndefinedBehaviorSanitizer") ||
	    strstr(text, "MemorySanitizer") || strstr(text, "LeakSanitizer") ||
	    strstr(text, "ThreadSanitizer") || strstr(text, ": runtime error: "))
		j->kind = "sanitizer";
	else if (j->sig[0] && fatal(j->sig))
		j->kind = "crash";
	else if (j->status < 0 || (WIFEXITED(st) && WEXITSTATUS(st) >= 121 && WEXITSTATUS(st) <= 127 &&
	    WEXITSTATUS(st) != j->status))
		j->kind = "dios";
	else if (j->status == 0 && (m->op == MO_ERROR || m->op == MO_SHORT) && is_write_like(m->sys) &&
	    (strcmp(m->sys, "close") || written) && j->stderr_bytes <= seed_stderr &&
	    /* a write given up: fewer bytes reached the descriptor than when
	     * recording (a retried one is no loss); a close, fsync or
	     * fdatasync whose error was ignored */
	    (!strstr(m->sys, "write") && strcmp(m->sys, "sendto") ? true :
	    bytes_written(run, tid, fd) < seed_bytes))
		j->kind = "silent";
	else
		j->kind = j->status == 0 ? "recovered" : "handled";
	json_decref(footer);
}

static bool
is_failure(const char *kind)
{
	return !strcmp(kind, "crash") || !strcmp(kind, "sanitizer") || !strcmp(kind, "hang") ||
	    !strcmp(kind, "silent") || !strcmp(kind, "rule");
}

/* The requirement rules the run at path breaks that the recording did not
 * (seen: rule name -> true): the first one's name into rule, else "". */
static void
rules_broken(const char *path, unsigned mask, const json_t *seen, char *rule, size_t len)
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
static int
run_child(char *const argv[], const char *log, unsigned timeout, bool *timed_out)
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
	double start = now_s(), term = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		double t = now_s() - start;
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
static void
first_line(const char *path, char *buf, size_t len)
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

static int
copy_file(const char *from, const char *to)
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

static json_t *
failure_json(const struct failure *f, const char *seed)
{
	char name[32];

	snprintf(name, sizeof name, "%04u.json.zst", f->id);
	return json_pack("{s:i, s:s, s:s, s:s, s:i, s:o, s:I, s:I, s:s, s:s, s:I, s:I}", "id", f->id,
	    "kind", f->j.kind, "key", f->key, "signal", f->j.sig, "status", f->j.status,
	    "mutation", mut_to_json(&f->m), "count", (json_int_t)f->count, "first_run",
	    (json_int_t)f->first_run, "reproducer", name, "seed", seed,
	    "model_answered", (json_int_t)f->j.answered, "model_unmodelled", (json_int_t)f->j.unmodelled);
}

static int
write_json(const char *path, json_t *j)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		return -EIO;
	return rename(tmp, path) < 0 ? -errno : 0;
}

/* The candidates of the seed: every (call event, mutation) that applies. */
static int
scan_seed(const char *seed, unsigned ops, struct cand **out, size_t *n, char *err, size_t errlen)
{
	struct trace_reader *r;
	json_t *ev;
	size_t cap = 0;
	int e;

	*out = NULL;
	*n = 0;
	if ((e = trace_reader_open(&r, seed)) < 0) {
		snprintf(err, errlen, "%s: %s", seed, strerror(-e));
		return e;
	}
	bool first = true;
	/* descriptors written to since they were opened, by task and number */
	json_t *wrote = json_object();
	while ((e = trace_read(r, &ev)) > 0) {
		const char *sys = json_string_value(json_object_get(ev, "sys"));
		char fk[48];
		snprintf(fk, sizeof fk, "%lld %lld", (long long)json_int64_or(ev, "tid", 0),
		    (long long)json_int64_or(json_object_get(ev, "args"), "fd", -1));
		bool written = false;
		if (sys && (!strcmp(sys, "write") || !strcmp(sys, "writev") || !strcmp(sys, "pwrite64")) &&
		    json_int64_or(ev, "ret", -1) > 0)
			json_object_set_new(wrote, fk, json_true());
		if (sys && !strcmp(sys, "close")) {
			written = json_object_get(wrote, fk) != NULL;
			json_object_del(wrote, fk);
		}
		if (first) {
			first = false;
			if (json_object_get(json_object_get(ev, "perturbed"), "fuzz")) {
				json_decref(ev);
				e = -EINVAL;
				snprintf(err, errlen, "%s is a mutated trace already: fuzz the recording it came from", seed);
				break;
			}
		} else if (json_object_get(ev, "sys") && !blob_is_line(ev))
			for (int op = 0; op < MO__N; op++)
				if ((ops & (1u << op)) && mut_applies((enum mut_op)op, ev)) {
					if (*n == cap) {
						size_t c2 = cap ? 2 * cap : 1024;
						struct cand *v = realloc(*out, c2 * sizeof *v);
						if (v == NULL) {
							json_decref(ev);
							trace_reader_close(r);
							return -ENOMEM;
						}
						*out = v;
						cap = c2;
					}
					(*out)[(*n)++] = (struct cand){ (uint64_t)json_int64_or(ev, "seq", 0),
					    (unsigned char)op, written };
				}
		json_decref(ev);
	}
	json_decref(wrote);
	if (e < 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: line %llu: %s", seed, (unsigned long long)trace_reader_line(r),
		    e == -EBADMSG ? trace_reader_error(r) : strerror(-e));
	trace_reader_close(r);
	if (e == 0 && *n == 0) {
		snprintf(err, errlen, "%s: no event the mutations chosen can change", seed);
		return -EINVAL;
	}
	return e < 0 ? e : 0;
}

static void
cover(json_t *cov, const struct mutation *m, const char *kind)
{
	char k[64];
	snprintf(k, sizeof k, "%s %s", m->sys, mut_op_name(m->op));
	json_t *row = json_object_get(cov, k);
	if (row == NULL) {
		row = json_pack("{s:s, s:s, s:i}", "sys", m->sys, "op", mut_op_name(m->op), "tried", 0);
		json_object_set_new(cov, k, row);
	}
	json_object_set_new(row, "tried", json_integer(json_integer_value(json_object_get(row, "tried")) + 1));
	json_object_set_new(row, kind, json_integer(json_integer_value(json_object_get(row, kind)) + 1));
}

static uint64_t
fnv64(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* A new failure with this key: claimed once in dir among every worker.
 * true: this worker has it first, and *id is its number (its trace, run, is
 * kept as failures/ID.json.zst); false: another had it, *id is that one's
 * (0 when it cannot be told). */
static bool
claim(const char *dir, const char *name, const char *key, const char *run, unsigned *id)
{
	char kf[4300], tmp[4300], path[4300], buf[32];
	int fd;

	snprintf(kf, sizeof kf, "%s/failures/.keys/%016llx", dir, (unsigned long long)fnv64(key));
	if ((fd = open(kf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		*id = 0;
		for (int i = 0; i < 50 && *id == 0; i++) {	/* its owner writes the number */
			FILE *f = fopen(kf, "r");
			if (f) {
				if (fgets(buf, sizeof buf, f))
					*id = (unsigned)strtoul(buf, NULL, 10);
				fclose(f);
			}
			if (*id == 0) {
				struct timespec d = { 0, 10000000 };
				nanosleep(&d, NULL);
			}
		}
		return false;
	}
	snprintf(tmp, sizeof tmp, "%s/failures/.tmp-%s", dir, name);
	unlink(tmp);
	*id = 0;
	if (copy_file(run, tmp) == 0)
		for (unsigned i = 1; i < 1000000; i++) {
			snprintf(path, sizeof path, "%s/failures/%04u.json.zst", dir, i);
			if (link(tmp, path) == 0) {
				*id = i;
				break;
			}
			if (errno != EEXIST)
				break;
		}
	unlink(tmp);
	int n = snprintf(buf, sizeof buf, "%u\n", *id);
	if (write(fd, buf, (size_t)n) != n)
		*id = 0;
	close(fd);
	return *id != 0;
}

static void
add_int(json_t *to, const char *key, const json_t *from)
{
	json_object_set_new(to, key, json_integer(json_integer_value(json_object_get(to, key)) +
	    json_integer_value(json_object_get(from, key))));
}

/* Every worker's stats-*.json in dir, merged: sums, the longest time, the
 * failures once each by key with their counts added.  NULL when there is
 * none. */
static json_t *
merge_stats(const char *dir)
{
	char path[4300];
	DIR *d = opendir(dir);
	struct dirent *de;
	json_t *all = NULL;
	double rate = 0;

	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (strncmp(de->d_name, "stats-", 6) != 0 || n < 11 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		json_t *w = json_load_file(path, 0, NULL);
		if (!json_is_object(w)) {
			json_decref(w);
			continue;
		}
		rate += json_number_value(json_object_get(w, "execs_per_s"));
		if (all == NULL) {
			all = w;
			json_object_set_new(all, "workers", json_integer(1));
			continue;
		}
		json_object_set_new(all, "workers", json_integer(json_integer_value(json_object_get(all, "workers")) + 1));
		static const char *const sums[] = { "runs", "failures", "dios_errors", "model_answered",
			"model_unmodelled", "runs_fully_modelled", NULL };
		for (int i = 0; sums[i]; i++)
			add_int(all, sums[i], w);
		if (json_number_value(json_object_get(w, "seconds")) > json_number_value(json_object_get(all, "seconds")))
			json_object_set(all, "seconds", json_object_get(w, "seconds"));
		const char *key;
		json_t *v, *cov = json_object_get(all, "coverage"), *why = json_object_get(all, "model_unmodelled_calls");
		json_object_foreach(json_object_get(w, "coverage"), key, v) {
			json_t *row = json_object_get(cov, key);
			if (row == NULL) {
				json_object_set(cov, key, v);
				continue;
			}
			const char *f;
			json_t *x;
			json_object_foreach(v, f, x)
				if (json_is_integer(x))
					add_int(row, f, v);
		}
		json_object_foreach(json_object_get(w, "model_unmodelled_calls"), key, v)
			json_object_set_new(why, key, json_integer(json_integer_value(json_object_get(why, key)) +
			    json_integer_value(v)));
		size_t i, j;
		json_t *u, *uniq = json_object_get(all, "unique");
		json_array_foreach(json_object_get(w, "unique"), i, u) {
			json_t *same = NULL, *x;
			json_array_foreach(uniq, j, x)
				if (json_equal(json_object_get(x, "key"), json_object_get(u, "key")))
					same = x;
			if (same == NULL)
				json_array_append(uniq, u);
			else {
				add_int(same, "count", u);
				if (json_integer_value(json_object_get(same, "id")) == 0)
					json_object_set(same, "id", json_object_get(u, "id"));
			}
		}
		json_decref(w);
	}
	closedir(d);
	if (all)
		json_object_set_new(all, "execs_per_s", json_real(rate));
	return all;
}

static int campaign_one(const struct fuzz_opts *o, FILE *out, char *err, size_t errlen);

/* The findings of an earlier campaign in dir: refused, or (force) removed. */
static int
prepare_dir(const struct fuzz_opts *o, char *err, size_t errlen)
{
	char path[8700];
	DIR *d;
	struct dirent *de;
	bool earlier = false;
	int e;

	if ((e = mkdir_p(o->dir, err, errlen)) < 0)
		return e;
	snprintf(path, sizeof path, "%s/failures", o->dir);
	if ((e = mkdir_p(path, err, errlen)) < 0)
		return e;
	snprintf(path, sizeof path, "%s/failures/.keys", o->dir);
	if ((e = mkdir_p(path, err, errlen)) < 0)
		return e;
	if (o->worker) {
		/* joining: only its own name must be new */
		snprintf(path, sizeof path, "%s/stats-%s.json", o->dir, o->worker);
		if (access(path, F_OK) == 0 && !o->force) {
			snprintf(err, errlen, "%s has a worker named %s already: choose another --worker, "
			    "or pass --force to replace its stats", o->dir, o->worker);
			return -EEXIST;
		}
		return 0;
	}
	if ((d = opendir(o->dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, "stats", 5) == 0)
				earlier = true;
		closedir(d);
	}
	if (earlier && !o->force) {
		snprintf(err, errlen, "%s holds the findings of an earlier campaign: choose another -o, "
		    "or pass --force to replace them", o->dir);
		return -EEXIST;
	}
	if (earlier) {
		/* the earlier campaign's findings go: its numbers start again */
		static const char *const sub[] = { "", "/failures", "/failures/.keys", NULL };
		for (int s = 0; sub[s]; s++) {
			char dn[4300];
			snprintf(dn, sizeof dn, "%s%s", o->dir, sub[s]);
			if ((d = opendir(dn)) == NULL)
				continue;
			while ((de = readdir(d)) != NULL) {
				size_t n = strlen(de->d_name);
				bool mine = s == 2 ? de->d_name[0] != '.' :
				    s == 1 ? (n > 5 && (!strcmp(de->d_name + n - 5, ".json") || strstr(de->d_name, ".json.zst"))) :
				    (strncmp(de->d_name, "stats", 5) == 0 || !strcmp(de->d_name, "dios-error.log"));
				if (mine) {
					snprintf(path, sizeof path, "%s/%s", dn, de->d_name);
					unlink(path);
				}
			}
			closedir(d);
		}
	}
	return 0;
}

int
fuzz_campaign(const struct fuzz_opts *o, FILE *out, char *err, size_t errlen)
{
	char path[4300];
	int e;

	err[0] = '\0';
	if ((e = prepare_dir(o, err, errlen)) < 0)
		return e;
	if (o->jobs <= 1) {
		if ((e = campaign_one(o, out, err, errlen)) < 0)
			return e;
	} else {
		/* workers w0..wN-1, each a campaign of its own in dir */
		pid_t *pids = calloc(o->jobs, sizeof *pids);
		if (pids == NULL)
			return -ENOMEM;
		uint64_t rseed = o->rseed;
		while (rseed == 0) {
			uint32_t s32;
			if (getrandom(&s32, sizeof s32, 0) != sizeof s32)
				s32 = (uint32_t)time(NULL);
			rseed = s32;
		}
		if (!o->quiet)
			fprintf(out, "dios-fuzz: %u workers on %s; seed %llu (--seed %llu repeats the campaign)\n",
			    o->jobs, o->seed, (unsigned long long)rseed, (unsigned long long)rseed);
		for (unsigned i = 0; i < o->jobs; i++) {
			if ((pids[i] = fork()) < 0) {
				e = -errno;
				break;
			}
			if (pids[i] == 0) {
				char name[16], werr[1024];
				struct fuzz_opts w = *o;
				snprintf(name, sizeof name, "w%u", i);
				w.worker = name;
				w.jobs = 1;
				w.quiet = true;
				w.rseed = rseed;
				w.index = i;
				w.nworkers = o->jobs;
				/* each worker its share of the runs */
				if (o->runs)
					w.runs = o->runs / o->jobs + (i < o->runs % o->jobs);
				int r = campaign_one(&w, out, werr, sizeof werr);
				if (r < 0)
					fprintf(stderr, "dios-fuzz: worker %s: %s\n", name, werr);
				_exit(r < 0 ? 125 : 0);
			}
		}
		int failed = 0;
		for (unsigned i = 0; i < o->jobs; i++) {
			int st;
			if (pids[i] <= 0)
				continue;
			while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
				if (fuzz_stop)
					kill(pids[i], SIGTERM);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
		}
		free(pids);
		if (e == 0 && failed == (int)o->jobs) {
			snprintf(err, errlen, "every worker failed (see their messages above)");
			e = -EIO;
		}
		if (e < 0)
			return e;
	}
	if (o->worker && o->jobs <= 1)
		return 0;	/* a worker of a shared campaign: dios-fuzz report merges */
	json_t *all = merge_stats(o->dir);
	if (all == NULL) {
		snprintf(err, errlen, "%s: no worker wrote its stats", o->dir);
		return -EIO;
	}
	snprintf(path, sizeof path, "%s/stats.json", o->dir);
	e = write_json(path, all);
	int n = (int)json_array_size(json_object_get(all, "unique"));
	if (!o->quiet && o->jobs > 1)
		fprintf(out, "dios-fuzz: %lld runs by %u workers (%.1f execs/s): %d unique failures\n",
		    (long long)json_int64_or(all, "runs", 0), o->jobs,
		    json_number_value(json_object_get(all, "execs_per_s")), n);
	json_decref(all);
	if (e < 0) {
		snprintf(err, errlen, "cannot write %s", path);
		return e;
	}
	return n;
}

static int
campaign_one(const struct fuzz_opts *o, FILE *out, char *err, size_t errlen)
{
	char work[4200], mut[4300], run[4300], log[4300], path[4300];
	struct cand *cand = NULL;
	size_t ncand = 0;
	struct failure *fail = NULL;
	size_t nfail = 0, capfail = 0;
	int e;

	const char *name = o->worker ? o->worker : "main";
	err[0] = '\0';
	snprintf(work, sizeof work, "%s/.work-%s", o->dir, name);
	if ((e = mkdir_p(work, err, errlen)) < 0)
		return e;
	snprintf(mut, sizeof mut, "%s/mutated.json.zst", work);
	snprintf(run, sizeof run, "%s/run.json.zst", work);
	snprintf(log, sizeof log, "%s/replay.log", work);
	if ((e = scan_seed(o->seed, o->ops, &cand, &ncand, err, errlen)) < 0)
		return e;
	uint64_t rseed = o->rseed;
	while (rseed == 0) {
		uint32_t s;
		if (getrandom(&s, sizeof s, 0) != sizeof s)
			s = (uint32_t)time(NULL);
		rseed = s;
	}
	uint64_t seed_stderr = trace_stderr_bytes(o->seed);
	/* the rules the recording breaks already are not the mutation's doing */
	unsigned rules = o->rules_set ? o->rules : rules_default_mask() & ~(unsigned)RULE_ERROR_IGNORED;
	json_t *seed_rules = json_object(), *sv = NULL;
	char rerr[256];
	if (rules && rules_check_file(o->seed, rules, &sv, rerr, sizeof rerr) == 0) {
		size_t vi;
		json_t *vx;
		json_array_foreach(sv, vi, vx)
			if (json_string_value(json_object_get(vx, "rule")))
				json_object_set_new(seed_rules, json_string_value(json_object_get(vx, "rule")), json_true());
	}
	json_decref(sv);
	if (!o->quiet)
		fprintf(out, "dios-fuzz: %zu mutations of %s to try; seed %llu (--seed %llu repeats the "
		    "campaign)\n", ncand, o->seed, (unsigned long long)rseed, (unsigned long long)rseed);

	json_t *cov = json_object(), *whyall = json_object();
	bool tty = isatty(fileno(out));
	double start = now_s(), last_print = 0;
	uint64_t runs = 0, nfailures = 0, errors = 0, answered = 0, unmodelled = 0, clean = 0;
	char timeout_s[16];
	snprintf(timeout_s, sizeof timeout_s, "%u", o->timeout ? o->timeout : 10);
	unsigned timeout = o->timeout ? o->timeout : 10;
	e = 0;
	while (!fuzz_stop && (o->runs == 0 || runs < o->runs) &&
	    (o->seconds <= 0 || now_s() - start < o->seconds)) {
		/* the run's choice: in order first when systematic, else at random */
		uint64_t rng = (rseed * 0x100000001b3ULL + runs) ^ (o->worker ? fnv64(o->worker) : 0);
		mut_rand(&rng);
		uint64_t nw = o->nworkers ? o->nworkers : 1, slot = runs * nw + o->index;
		size_t ci = o->systematic && slot < ncand ? (size_t)slot : (size_t)(mut_rand(&rng) % ncand);
		json_t *ev = mut_event_at(o->seed, cand[ci].seq, err, errlen);
		struct mutation m;
		if (ev == NULL) {
			e = -EIO;
			break;
		}
		bool ok = mut_choose((enum mut_op)cand[ci].op, ev, &rng, &m);
		/* the call site, when the seed was recorded with --stacks: the
		 * innermost frame of the program's own code is not known, so
		 * the first two frames stand for it */
		char site[96] = "";
		json_t *stk = json_object_get(ev, "stack");
		for (size_t si = 0; si < json_array_size(stk) && si < 2; si++) {
			const char *fr = json_string_value(json_array_get(stk, si));
			size_t used = strlen(site);
			if (fr)
				snprintf(site + used, sizeof site - used, "%s%.*s", si ? " < " : "",
				    (int)strcspn(fr, " "), fr);
		}
		long long mtid = json_int64_or(ev, "tid", -1), mfd = json_int64_or(json_object_get(ev, "args"), "fd", -1);
		json_decref(ev);
		if (!ok)
			continue;
		if ((e = mut_write_trace(o->seed, mut, &m, 1, err, errlen)) < 0)
			break;
		char *av[] = { (char *)o->replay, "-q", "--model", "-f", "--timeout", timeout_s, "-o", run, mut, NULL };
		bool timed_out;
		unlink(run);
		int st = run_child(av, log, timeout + 5, &timed_out);
		if (st < 0) {
			snprintf(err, errlen, "cannot run %s: %s", o->replay, strerror(-st));
			e = st;
			break;
		}
		if (fuzz_stop && !timed_out && WIFSIGNALED(st))
			break;	/* stopped with Ctrl-C: this run does not count */
		if (WIFEXITED(st) && WEXITSTATUS(st) == 2 && access(run, F_OK) < 0) {
			/* dios-replay's own usage error (the program's status 2
			 * comes with the run's trace) */
			char line[512];
			first_line(log, line, sizeof line);
			snprintf(err, errlen, "dios-replay refused the mutated trace: %s", line);
			e = -EINVAL;
			break;
		}
		struct judged j;
		uint64_t seed_bytes = (strstr(m.sys, "write") || !strcmp(m.sys, "sendto")) ?
		    bytes_written(o->seed, mtid, mfd) : 0;
		judge(run, st, timed_out, &m, cand[ci].written, seed_stderr, seed_bytes, mtid, mfd, &j);
		if (!is_failure(j.kind) && strcmp(j.kind, "dios")) {
			char rule[32];
			rules_broken(run, rules, seed_rules, rule, sizeof rule);
			if (rule[0]) {
				j.kind = "rule";
				snprintf(j.sig, sizeof j.sig, "%s", rule);
			}
		}
		runs++;
		answered += j.answered;
		unmodelled += j.unmodelled;
		if (j.unmodelled == 0)
			clean++;
		cover(cov, &m, j.kind);
		const char *wk;
		json_t *wv;
		json_object_foreach(j.why, wk, wv)
			json_object_set_new(whyall, wk, json_integer(json_integer_value(json_object_get(whyall, wk)) +
			    json_integer_value(wv)));
		json_decref(j.why);
		j.why = NULL;
		if (!strcmp(j.kind, "dios")) {
			errors++;
			snprintf(path, sizeof path, "%s/dios-error.log", o->dir);
			if (access(path, F_OK) < 0)
				copy_file(log, path);	/* the first, to look at */
			if (errors == runs && runs >= 5) {
				/* nothing replays: the trace or the host is the matter */
				char line[512];
				first_line(log, line, sizeof line);
				snprintf(err, errlen, "no mutated trace replays (the first %llu runs): %s",
				    (unsigned long long)runs, line);
				e = -EIO;
				break;
			}
		}
		if (is_failure(j.kind)) {
			struct failure *f = NULL;
			char key[160];
			snprintf(key, sizeof key, "%s %s after %s %s%s%s", j.kind, j.sig[0] ? j.sig : "-", m.sys,
			    mut_op_name(m.op), site[0] ? " at " : "", site);
			nfailures++;
			for (size_t i = 0; i < nfail; i++)
				if (strcmp(fail[i].key, key) == 0)
					f = &fail[i];
			if (f)
				f->count++;
			else {
				if (nfail == capfail) {
					size_t c2 = capfail ? 2 * capfail : 16;
					struct failure *v = realloc(fail, c2 * sizeof *v);
					if (v == NULL) {
						e = -ENOMEM;
						break;
					}
					fail = v;
					capfail = c2;
				}
				f = &fail[nfail++];
				memset(f, 0, sizeof *f);
				snprintf(f->key, sizeof f->key, "%s", key);
				f->count = 1;
				f->first_run = runs;
				f->j = j;
				f->m = m;
				/* kept once among the workers: the first to find it */
				bool first = claim(o->dir, name, key, run, &f->id);
				f->owner = first;
				if (!first && f->id == 0) {
					nfail--;
					continue;
				}
				if (!o->quiet && first) {
					if (tty)
						fputs("\r\033[K", out);
					fprintf(out, "dios-fuzz: run %llu: new failure %s: %s (%s/failures/%04u.json.zst)\n",
					    (unsigned long long)runs, f->key, j.kind, o->dir, f->id);
				}
			}
			if (f->owner) {
				json_t *fj = failure_json(f, o->seed);
				snprintf(path, sizeof path, "%s/failures/%04u.json", o->dir, f->id);
				write_json(path, fj);
				json_decref(fj);
			}
		}
		double t = now_s() - start;
		if (!o->quiet && (tty ? t - last_print > 0.2 : t - last_print > 10)) {
			last_print = t;
			fprintf(out, "%sruns %llu  %.1f execs/s  failures %zu unique (%llu)  model %.1f%% of runs "
			    "whole  %.0f s%s", tty ? "\r\033[K" : "dios-fuzz: ", (unsigned long long)runs,
			    runs / (t > 0 ? t : 1), nfail, (unsigned long long)nfailures,
			    100.0 * (double)clean / (double)runs, t, tty ? "" : "\n");
			fflush(out);
		}
	}
	double t = now_s() - start;
	json_t *fl = json_array();
	for (size_t i = 0; i < nfail; i++)
		json_array_append_new(fl, failure_json(&fail[i], o->seed));
	json_t *stats = json_pack("{s:s, s:I, s:I, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
	    "seed_trace", o->seed, "seed", (json_int_t)rseed, "runs", (json_int_t)runs, "seconds", t,
	    "execs_per_s", runs / (t > 0 ? t : 1), "candidates", (json_int_t)ncand, "failures",
	    (json_int_t)nfailures, "dios_errors", (json_int_t)errors, "model_answered",
	    (json_int_t)answered, "model_unmodelled", (json_int_t)unmodelled, "runs_fully_modelled",
	    (json_int_t)clean, "unique", fl, "coverage", cov);
	if (stats)
		json_object_set_new(stats, "model_unmodelled_calls", whyall);
	else
		json_decref(whyall);
	snprintf(path, sizeof path, "%s/stats-%s.json", o->dir, name);
	if (stats && write_json(path, stats) < 0 && e == 0) {
		snprintf(err, errlen, "cannot write %s", path);
		e = -EIO;
	}
	json_decref(stats);
	unlink(mut);
	unlink(run);
	unlink(log);
	rmdir(work);
	if (!o->quiet) {
		if (tty)
			fputs("\r\033[K", out);
		fprintf(out, "dios-fuzz: %llu runs in %.1f s (%.1f execs/s): %zu unique failures (%llu in all), "
		    "%llu dios errors; %.1f%% of runs ended with every call modelled\n",
		    (unsigned long long)runs, t, runs / (t > 0 ? t : 1), nfail, (unsigned long long)nfailures,
		    (unsigned long long)errors, runs ? 100.0 * (double)clean / (double)runs : 0.0);
	}
	json_decref(seed_rules);
	free(cand);
	free(fail);
	return e < 0 ? e : (int)nfail;
}

/* --- report ----------------------------------------------------------------- */

static const char *const kinds[] = { "crash", "sanitizer", "hang", "silent", "rule", "handled",
	"recovered", "dios", NULL };

static void
html_escape(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
}

int
fuzz_report(const char *dir, enum fuzz_format f, FILE *out, char *err, size_t errlen)
{
	char path[4200];
	json_error_t je;
	json_t *st, *v;
	const char *key;
	size_t i;

	snprintf(path, sizeof path, "%s/stats.json", dir);
	if ((st = merge_stats(dir)) == NULL && (st = json_load_file(path, 0, &je)) == NULL) {
		snprintf(err, errlen, "%s: %s (is %s a findings directory of dios-fuzz run?)", path,
		    access(path, F_OK) < 0 ? strerror(errno) : je.text, dir);
		return -ENOENT;
	}
	json_t *uniq = json_object_get(st, "unique"), *cov = json_object_get(st, "coverage");
	if (f == FF_JSON) {
		json_dumpf(st, out, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', out);
		json_decref(st);
		return 0;
	}
	if (f == FF_TEXT) {
		fprintf(out, "%s: %lld runs of %s in %.1f s (%.1f execs/s); %zu unique failures\n", dir,
		    (long long)json_int64_or(st, "runs", 0), json_string_value(json_object_get(st, "seed_trace")),
		    json_number_value(json_object_get(st, "seconds")),
		    json_number_value(json_object_get(st, "execs_per_s")), json_array_size(uniq));
		long long runs = json_int64_or(st, "runs", 0), whole = json_int64_or(st, "runs_fully_modelled", 0);
		fprintf(out, "model: %lld of %lld runs (%.1f%%) ended with every call answered; %lld calls "
		    "answered, %lld it could not model\n", whole, runs, runs ? 100.0 * (double)whole / (double)runs : 0.0,
		    (long long)json_int64_or(st, "model_answered", 0), (long long)json_int64_or(st, "model_unmodelled", 0));
		json_t *why = json_object_get(st, "model_unmodelled_calls");
		if (json_object_size(why)) {
			fprintf(out, "calls the model could not answer:\n");
			json_object_foreach(why, key, v)
				fprintf(out, "  %6lld  %s\n", (long long)json_integer_value(v), key);
		}
		json_array_foreach(uniq, i, v) {
			fprintf(out, "\n%s/failures/%s: %s, %lld time%s (first in run %lld)\n", dir,
			    json_string_value(json_object_get(v, "reproducer")), json_string_value(json_object_get(v, "key")),
			    (long long)json_int64_or(v, "count", 0), json_int64_or(v, "count", 0) == 1 ? "" : "s",
			    (long long)json_int64_or(v, "first_run", 0));
			json_t *m = json_object_get(v, "mutation");
			fprintf(out, "  mutation: event %lld %s: %s%s%s\n", (long long)json_int64_or(m, "seq", 0),
			    json_string_value(json_object_get(m, "sys")), json_string_value(json_object_get(m, "op")),
			    json_object_get(m, "err") ? " " : "", json_object_get(m, "err") ?
			    json_string_value(json_object_get(m, "err")) : "");
			fprintf(out, "  status: %lld%s%s\n", (long long)json_int64_or(v, "status", -1),
			    *json_string_value(json_object_get(v, "signal")) ? " " : "",
			    json_string_value(json_object_get(v, "signal")));
		}
		fprintf(out, "\nerror-path coverage (call and mutation: runs, then what the program did)\n");
		fprintf(out, "%-28s %6s", "call/mutation", "tried");
		for (int k = 0; kinds[k]; k++)
			fprintf(out, " %9s", kinds[k]);
		fputc('\n', out);
		json_object_foreach(cov, key, v) {
			fprintf(out, "%-28s %6lld", key, (long long)json_int64_or(v, "tried", 0));
			for (int k = 0; kinds[k]; k++)
				fprintf(out, " %9lld", (long long)json_int64_or(v, kinds[k], 0));
			fputc('\n', out);
		}
		json_decref(st);
		return 0;
	}
	/* one self-contained page: a coloured table sortable by any column */
	fprintf(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>dios-fuzz: ");
	html_escape(out, dir);
	fprintf(out, "</title>\n<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
	    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child"
	    "{text-align:left}th{cursor:pointer;background:#eee}.crash,.sanitizer,.hang,.silent{background:#f8c0c0}"
	    ".rule{background:#f8e0b0}.handled{background:#d8f0d0}.recovered{background:#c8e0f8}.dios{background:#eee}</style>\n"
	    "<script>function s(t,c){var b=t.tBodies[0],r=[].slice.call(b.rows),n=c>0;r.sort(function(x,y)"
	    "{var a=x.cells[c].textContent,d=y.cells[c].textContent;return n?d-a:a.localeCompare(d)});"
	    "r.forEach(function(x){b.appendChild(x)})}</script></head><body>\n<h1>dios-fuzz findings: ");
	html_escape(out, dir);
	fprintf(out, "</h1>\n<p>%lld runs of <code>", (long long)json_int64_or(st, "runs", 0));
	html_escape(out, json_string_value(json_object_get(st, "seed_trace")) ?
	    json_string_value(json_object_get(st, "seed_trace")) : "?");
	fprintf(out, "</code>, %.1f execs/s, %zu unique failures.</p>\n<h2>Failures</h2>\n<table><thead><tr>"
	    "<th>reproducer</th><th>what</th><th>count</th></tr></thead><tbody>\n",
	    json_number_value(json_object_get(st, "execs_per_s")), json_array_size(uniq));
	json_array_foreach(uniq, i, v) {
		fprintf(out, "<tr class=\"%s\"><td>failures/", json_string_value(json_object_get(v, "kind")));
		html_escape(out, json_string_value(json_object_get(v, "reproducer")));
		fprintf(out, "</td><td>");
		html_escape(out, json_string_value(json_object_get(v, "key")));
		fprintf(out, "</td><td>%lld</td></tr>\n", (long long)json_int64_or(v, "count", 0));
	}
	fprintf(out, "</tbody></table>\n<h2>Error-path coverage</h2>\n<table onclick=\"if(event.target.tagName"
	    "=='TH')s(this,event.target.cellIndex)\"><thead><tr><th>call and mutation</th><th>tried</th>");
	for (int k = 0; kinds[k]; k++)
		fprintf(out, "<th class=\"%s\">%s</th>", kinds[k], kinds[k]);
	fprintf(out, "</tr></thead><tbody>\n");
	json_object_foreach(cov, key, v) {
		fprintf(out, "<tr><td>");
		html_escape(out, key);
		fprintf(out, "</td><td>%lld</td>", (long long)json_int64_or(v, "tried", 0));
		for (int k = 0; kinds[k]; k++) {
			long long n = json_int64_or(v, kinds[k], 0);
			fprintf(out, "<td class=\"%s\">%lld</td>", n ? kinds[k] : "", n);
		}
		fprintf(out, "</tr>\n");
	}
	fprintf(out, "</tbody></table>\n</body></html>\n");
	json_decref(st);
	return 0;
}

/* --- min ---------------------------------------------------------------------- */

/* One run of mutation m of seed, judged as the campaign judges it. */
static int
try_one(const char *seed, const char *replay, const char *work, const struct mutation *m,
    unsigned timeout, struct judged *j, char *err, size_t errlen)
{
	char mut[4300], run[4300], log[4300], ts[16];
	json_t *ev;
	int e;

	snprintf(mut, sizeof mut, "%s/mutated.json.zst", work);
	snprintf(run, sizeof run, "%s/run.json.zst", work);
	snprintf(log, sizeof log, "%s/replay.log", work);
	snprintf(ts, sizeof ts, "%u", timeout);
	if ((ev = mut_event_at(seed, m->seq, err, errlen)) == NULL)
		return -EINVAL;
	long long tid = json_int64_or(ev, "tid", -1), fd = json_int64_or(json_object_get(ev, "args"), "fd", -1);
	json_decref(ev);
	if ((e = mut_write_trace(seed, mut, m, 1, err, errlen)) < 0)
		return e;
	char *av[] = { (char *)replay, "-q", "--model", "-f", "--timeout", ts, "-o", run, mut, NULL };
	bool timed_out;
	unlink(run);
	int st = run_child(av, log, timeout + 5, &timed_out);
	if (st < 0) {
		snprintf(err, errlen, "cannot run %s: %s", replay, strerror(-st));
		return st;
	}
	uint64_t sb = (strstr(m->sys, "write") || !strcmp(m->sys, "sendto")) ? bytes_written(seed, tid, fd) : 0;
	judge(run, st, timed_out, m, true, trace_stderr_bytes(seed), sb, tid, fd, j);
	json_decref(j->why);
	j->why = NULL;
	if (!is_failure(j->kind) && strcmp(j->kind, "dios")) {
		char rule[32];
		json_t *seen = json_object(), *sv = NULL;
		unsigned mask = rules_default_mask() & ~(unsigned)RULE_ERROR_IGNORED;
		size_t i;
		json_t *x;
		if (rules_check_file(seed, mask, &sv, err, errlen) == 0)
			json_array_foreach(sv, i, x)
				if (json_string_value(json_object_get(x, "rule")))
					json_object_set_new(seen, json_string_value(json_object_get(x, "rule")), json_true());
		json_decref(sv);
		rules_broken(run, mask, seen, rule, sizeof rule);
		json_decref(seen);
		if (rule[0]) {
			j->kind = "rule";
			snprintf(j->sig, sizeof j->sig, "%s", rule);
		}
	}
	return 0;
}

int
fuzz_min(const char *failure, const char *outp, const char *replay, FILE *out, char *err, size_t errlen)
{
	char meta[4300], work[4300], run[4400], dflt[4300];
	json_error_t je;
	json_t *fj;
	struct mutation m;
	struct judged j;
	int e;

	err[0] = '\0';
	/* NNNN.json.zst: its NNNN.json says the seed, the mutation, the failure */
	size_t n = strlen(failure);
	if (n < 9 || strcmp(failure + n - 9, ".json.zst") != 0) {
		snprintf(err, errlen, "%s: expected a failure of a findings directory (failures/NNNN.json.zst)", failure);
		return -EINVAL;
	}
	snprintf(meta, sizeof meta, "%.*s.json", (int)(n - 9), failure);
	if ((fj = json_load_file(meta, 0, &je)) == NULL) {
		snprintf(err, errlen, "%s: %s (min needs the failure's .json beside it, as dios-fuzz run "
		    "keeps it)", meta, access(meta, F_OK) < 0 ? strerror(errno) : je.text);
		return -ENOENT;
	}
	const char *seed = json_string_value(json_object_get(fj, "seed"));
	const char *kind = json_string_value(json_object_get(fj, "kind"));
	const char *sig = json_string_value(json_object_get(fj, "signal"));
	if (seed == NULL || kind == NULL || sig == NULL || mut_from_json(json_object_get(fj, "mutation"), &m) < 0) {
		snprintf(err, errlen, "%s: not a failure dios-fuzz run wrote (seed, kind, signal, mutation)", meta);
		json_decref(fj);
		return -EINVAL;
	}
	snprintf(work, sizeof work, "%.*s.min-work", (int)(n - 9), failure);
	if (mkdir(work, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot make %s: %s", work, strerror(errno));
		json_decref(fj);
		return -errno;
	}
	snprintf(run, sizeof run, "%s/run.json.zst", work);
	if (outp == NULL) {
		snprintf(dflt, sizeof dflt, "%.*s.min.json.zst", (int)(n - 9), failure);
		outp = dflt;
	}
	/* it still fails the same way */
	if ((e = try_one(seed, replay, work, &m, 10, &j, err, errlen)) < 0)
		goto done;
	if (strcmp(j.kind, kind) || strcmp(j.sig, sig)) {
		snprintf(err, errlen, "the mutation of %s no longer fails as %s %s (it ends as %s %s): is %s "
		    "the recording it came from, and the program the same?", failure, kind, sig, j.kind, j.sig, seed);
		e = -ESTALE;
		goto done;
	}
	fprintf(out, "dios-fuzz: %s: one mutation, %s of event %llu (%s): it fails as %s%s%s\n", failure,
	    mut_op_name(m.op), (unsigned long long)m.seq, m.sys, kind, sig[0] ? " " : "", sig);
	struct mutation best = m;
	if (m.op == MO_SHORT) {
		/* the fewest bytes taken away: the largest result that still fails */
		json_t *ev = mut_event_at(seed, m.seq, err, errlen);
		int ok;
		long orig = ev ? event_result(ev, &ok) : 0;
		json_decref(ev);
		uint64_t lo = m.arg, hi = orig > 0 ? (uint64_t)orig - 1 : m.arg;	/* lo fails */
		while (lo < hi && !fuzz_stop) {
			struct mutation t = m;
			t.arg = lo + (hi - lo + 1) / 2;
			if ((e = try_one(seed, replay, work, &t, 10, &j, err, errlen)) < 0)
				goto done;
			if (!strcmp(j.kind, kind) && !strcmp(j.sig, sig))
				lo = t.arg;
			else
				hi = t.arg - 1;
		}
		best.arg = lo;
		fprintf(out, "dios-fuzz: the shortest cut that still fails: %llu of %ld bytes (was %llu)\n",
		    (unsigned long long)(orig - (long)best.arg), orig, (unsigned long long)(orig - (long)m.arg));
	} else if (m.op == MO_FLIP)
		fprintf(out, "dios-fuzz: one bit changed: as few as can be\n");
	else
		fprintf(out, "dios-fuzz: the %s mutation changes one event's result: as few as can be\n",
		    mut_op_name(m.op));
	/* the reproducer of the smallest: its run */
	if ((e = try_one(seed, replay, work, &best, 10, &j, err, errlen)) < 0)
		goto done;
	if (strcmp(j.kind, kind) || strcmp(j.sig, sig)) {
		snprintf(err, errlen, "the smallest mutation did not fail again as %s (a flaky failure?)", kind);
		e = -ESTALE;
		goto done;
	}
	unlink(outp);
	if ((e = copy_file(run, outp)) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", outp, strerror(-e));
		goto done;
	}
	fprintf(out, "dios-fuzz: the reproducer: %s (dios-replay %s)\n", outp, outp);
	e = 0;
done:
	{
		char p[4400];
		snprintf(p, sizeof p, "%s/mutated.json.zst", work);
		unlink(p);
		unlink(run);
		snprintf(p, sizeof p, "%s/replay.log", work);
		unlink(p);
		rmdir(work);
	}
	json_decref(fj);
	return e;
}

/* check.c: format v1 checks of a trace, line by line. */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "trace/blobstore.h"
#include "trace/bytes.h"
#include "sys/systable.h"
#include "trace/io.h"
#include "trace/number.h"
#include "inspect/check.h"
#include "sys/xlat.h"
#include "sys/structs.h"

void
trace_summary_free(struct trace_summary *s)
{
	json_decref(s->header);
	json_decref(s->footer);
	memset(s, 0, sizeof *s);
}

/* Whether member key of o is missing, null, or an integer from lo to hi
 * (the whole value: 4294967297 is not 1). */
static bool
int_in(const json_t *o, const char *key, int64_t lo, int64_t hi)
{
	const json_t *v = json_object_get(o, key);
	int64_t x;

	if (v == NULL || json_is_null(v))
		return true;
	return json_int64_get(v, &x) == 0 && x >= lo && x <= hi;
}

static const char *
check_header(const json_t *h, int64_t *version)
{
	const json_t *v = json_object_get(h, "format"), *exe;
	size_t i;

	if (!json_is_string(v) || strcmp(json_string_value(v), "dios-trace") != 0)
		return "not a dios trace header (no \"format\":\"dios-trace\")";
	if (json_int64_get(json_object_get(h, "version"), version) < 0)
		return "header lacks an integer \"version\" (a number such as 1)";
	if (*version != 1)
		return NULL;
	if (!json_is_array(json_object_get(h, "argv")) || json_array_size(json_object_get(h, "argv")) == 0)
		return "header lacks \"argv\" (a non-empty array)";
	if (!json_is_array(json_object_get(h, "env")))
		return "header lacks \"env\" (an array)";
	exe = json_object_get(h, "exe");
	if (!json_is_string(json_object_get(exe, "path")) || !json_is_int64(json_object_get(exe, "size")) ||
	    !json_is_string(json_object_get(exe, "sha256")))
		return "header lacks \"exe\" with \"path\", \"size\" (an integer) and \"sha256\"";
	if (!json_is_array(json_object_get(h, "fds")))
		return "header lacks \"fds\" (an array)";
	json_array_foreach(json_object_get(h, "fds"), i, v) {
		int64_t fd;
		if (json_int64_get(v, &fd) < 0 || fd < 0 || fd > INT32_MAX)
			return "header \"fds\" holds something else than descriptor numbers (integers from 0)";
	}
	if (!json_object_get(h, "pid") || !int_in(h, "pid", 1, INT32_MAX))
		return "header lacks \"pid\" (an integer from 1 to 2147483647)";
	if (!int_in(h, "umask", 0, 0777))
		return "header \"umask\" is not a file mode creation mask (an integer from 0 to 511, 0777)";
	if (!int_in(h, "sigign", INT64_MIN, INT64_MAX) || !int_in(h, "sigblk", INT64_MIN, INT64_MAX))
		return "header \"sigign\" or \"sigblk\" is not a signal mask (an integer)";
	return NULL;
}

/* The members of args and out against the row's argument kinds.  Members
 * the row does not name, and CUSTOM ones, are left to the families. */
static const char *
check_args(const struct sc_desc *sc, const json_t *args, const json_t *out, char *buf, size_t n)
{
	for (int i = 0; i < sc->nargs; i++) {
		const struct arg_desc *ad = &sc->args[i];
		const json_t *v = json_object_get(args, ad->name);
		const json_t *o = out ? json_object_get(out, ad->name) : NULL;
		const char *want = NULL;

		switch (ad->kind) {
		case A_INT: case A_INT32: case A_UINT: case A_FD: case A_FLAGS: case A_MODE: case A_PTR:
			if (v && !json_is_int64(v))
				want = "an integer (a number, or beyond 2^53 a string of its digits)";
			break;
		case A_PATH:
			if (v && !json_is_string(v) && !json_is_null(v))
				want = "a string";
			break;
		case A_IN:
			if (v && !json_is_null(v) && json_bytes_len(v) < 0)
				want = "a bytes object ({\"text\":...} or {\"b64\":...} with valid base64)";
			break;
		case A_IN_STRUCT: case A_INOUT_STRUCT:
			if (v && !json_is_object(v) && !json_is_null(v))
				want = "an object or null";
			break;
		case A_OUT:
			if (o && json_bytes_len(o) < 0) {
				snprintf(buf, n, "%s: \"out\".\"%s\" is not a bytes object ({\"text\":...} "
				    "or {\"b64\":...} with valid base64)", sc->name, ad->name);
				return buf;
			}
			break;
		case A_OUT_STRUCT:
			if (o && !json_is_object(o) && !json_is_null(o)) {
				snprintf(buf, n, "%s: \"out\".\"%s\" is not an object", sc->name, ad->name);
				return buf;
			}
			break;
		default:
			break;
		}
		if (want) {
			snprintf(buf, n, "%s: \"args\".\"%s\" is not %s", sc->name, ad->name, want);
			return buf;
		}
	}
	return NULL;
}

static const char *
check_event(const json_t *ev, uint64_t want_seq, char *buf, size_t n)
{
	const json_t *sys = json_object_get(ev, "sys");
	const json_t *ret = json_object_get(ev, "ret"), *err = json_object_get(ev, "err");
	int64_t seq;

	if (json_int64_get(json_object_get(ev, "seq"), &seq) < 0)
		return "event lacks an integer \"seq\"";
	if (seq < 0 || (uint64_t)seq != want_seq) {
		snprintf(buf, n, "event \"seq\" is %lld, expected %llu (events must be numbered in order)",
		    (long long)seq, (unsigned long long)want_seq);
		return buf;
	}
	if (!json_object_get(ev, "tid") || !int_in(ev, "tid", 1, INT32_MAX))
		return "event lacks \"tid\" (an integer from 1 to 2147483647)";
	if (json_is_string(json_object_get(ev, "event"))) {
		const char *what = json_string_value(json_object_get(ev, "event"));
		if (strcmp(what, "signal") == 0 &&
		    (!json_is_string(json_object_get(ev, "sig")) ||
		    signal_from_name(json_string_value(json_object_get(ev, "sig"))) < 0))
			return "signal event lacks a known \"sig\"";
		siginfo_t si;
		if (strcmp(what, "signal") == 0 && json_object_get(ev, "info") &&
		    st_decode(&st_siginfo, json_object_get(ev, "info"), &si) < 0)
			return "signal event's \"info\" is no siginfo (128 bytes)";
		if ((strcmp(what, "rdtsc") == 0 || strcmp(what, "rdtscp") == 0) &&
		    (!json_is_int64(json_object_get(ev, "value")) || !int_in(ev, "aux", 0, UINT32_MAX)))
			return "rdtsc event lacks an integer \"value\" (or its \"aux\" is not a 32-bit "
			    "unsigned integer)";
		if (strcmp(what, "exit") == 0 &&
		    !(json_object_get(ev, "exit") && int_in(ev, "exit", 0, 255)) &&
		    (!json_is_string(json_object_get(ev, "signal")) ||
		    signal_from_name(json_string_value(json_object_get(ev, "signal"))) < 0))
			return "exit event lacks an exit status (\"exit\", an integer from 0 to 255) "
			    "or a known \"signal\"";
		if (strcmp(what, "signal") != 0 && strcmp(what, "rdtsc") != 0 &&
		    strcmp(what, "rdtscp") != 0 && strcmp(what, "exit") != 0) {
			snprintf(buf, n, "unknown task event \"%.40s\" (format v1 has signal, rdtsc, "
			    "rdtscp and exit)", what);
			return buf;
		}
		return NULL;
	}
	if (!json_is_string(sys))
		return "event lacks \"sys\" (or \"event\")";
	if (!json_is_true(json_object_get(ev, "unknown")) && sc_by_name(json_string_value(sys)) == NULL) {
		snprintf(buf, n, "unknown system call \"%s\"", json_string_value(sys));
		return buf;
	}
	if (json_is_true(json_object_get(ev, "unsupported")))
		return NULL;
	if (!json_is_object(json_object_get(ev, "args")))
		return "event lacks \"args\" (an object)";
	if (!json_is_int64(ret) && !(json_is_string(err) && errno_from_name(json_string_value(err)) > 0))
		return "event lacks \"ret\" (an integer) or \"err\" (an errno name such as \"ENOENT\")";
	if (json_object_get(ev, "out") && !json_is_object(json_object_get(ev, "out")))
		return "event \"out\" is not an object";
	if (!json_is_true(json_object_get(ev, "unknown")))
		return check_args(sc_by_name(json_string_value(sys)), json_object_get(ev, "args"),
		    json_object_get(ev, "out"), buf, n);
	return NULL;
}

int
trace_check(const char *path, struct trace_summary *s, char *err, size_t errlen)
{
	return trace_check_each(path, NULL, s, NULL, err, errlen);
}

struct trace_check_job;
static void job_passed(struct trace_check_job *j, uint64_t line);
static int check_lines(struct trace_check_job *j, const char *open_path, const char *path,
    struct trace_summary *s, const struct trace_check_fns *fns, bool head_only, char *err,
    size_t errlen);

int
trace_check_each(const char *path, const char *name, struct trace_summary *s,
    const struct trace_check_fns *fns, char *err, size_t errlen)
{
	return check_lines(NULL, path, name ? name : path, s, fns, false, err, errlen);
}

int
trace_check_head(const char *path, const char *name, struct trace_summary *s, char *err,
    size_t errlen)
{
	return check_lines(NULL, path, name ? name : path, s, NULL, true, err, errlen);
}

/* The identities an event names (an mmap's "map", an exec's "exe" and
 * "interp") against the trace's file contents. */
static int
check_ids(struct blob_check *bc, const json_t *ev, char *buf, size_t n)
{
	static const char *const member[] = { "map", "exe", "interp", "carry" };
	int e;

	for (size_t i = 0; i < sizeof member / sizeof member[0]; i++) {
		const json_t *id = json_object_get(ev, member[i]);
		if (json_is_object(id) && (e = blob_check_id(bc, id, member[i], buf, n)) < 0)
			return e;
	}
	return 0;
}

/* blob_check_kept's callback: fns->keep. */
struct keeping {
	const struct trace_check_fns *fns;
	char *buf;
	size_t n;
};

static int
keep_one(void *ctx, const char *sha)
{
	struct keeping *k = ctx;

	return k->fns->keep(k->fns->ctx, sha, k->buf, k->n);
}

/* Reads open_path; messages name the trace path.  j: the job this check
 * runs for, told of each line that passed; NULL: none. */
static int
check_lines(struct trace_check_job *j, const char *open_path, const char *path,
    struct trace_summary *s, const struct trace_check_fns *fns, bool head_only, char *err,
    size_t errlen)
{
	struct trace_reader *r;
	struct blob_check *bc = NULL;
	json_t *o;
	char buf[1024];
	int64_t version = 0;
	int e;

	memset(s, 0, sizeof *s);
	if ((e = trace_reader_open(&r, open_path)) < 0) {
		if (e == -ENOENT)
			snprintf(err, errlen, "%s: no such trace file", path);
		else
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-e));
		return e;
	}
	trace_reader_elide(r, 0);
	for (;;) {
		const char *why = NULL;
		unsigned long long line;

		e = trace_read(r, &o);
		if (e < 0) {
			if (e == -EBADMSG)
				snprintf(err, errlen, "%s: %s", path, trace_reader_error(r));
			else
				snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-e));
			goto fail;
		}
		if (e == 0)
			break;
		line = (unsigned long long)trace_reader_line(r);
		buf[0] = '\0';
		if (s->footer) {
			json_decref(o);
			snprintf(err, errlen, "%s: line %llu: more lines after the footer", path, line);
			e = -EBADMSG;
			goto fail;
		}
		if (s->header == NULL) {
			s->header = o;
			why = check_header(o, &version);
			if (why == NULL && version != 1) {
				snprintf(err, errlen, "%s: trace format version %lld is not supported: this "
				    "dios (%s) reads version 1; use a dios that matches the recording",
				    path, (long long)version, PACKAGE_VERSION);
				e = -EPROTO;
				goto fail;
			}
			if (why == NULL && head_only)
				break;
			if (why == NULL && (e = blob_check_new(&bc, o)) < 0) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
		} else if (json_object_get(o, "end") || json_object_get(o, "aborted")) {
			s->footer = o;
			if (!json_is_object(json_object_get(o, "end")))
				why = "footer lacks \"end\" (an object)";
			else if (!json_is_int64(json_object_get(o, "events")))
				why = "footer lacks an integer \"events\"";
			else if (!int_in(json_object_get(o, "end"), "exit", 0, 255))
				why = "footer: \"exit\" is not an exit status (an integer from 0 to 255)";
			if (json_is_string(json_object_get(o, "aborted")))
				snprintf(s->aborted, sizeof s->aborted, "%s",
				    json_string_value(json_object_get(o, "aborted")));
		} else if (blob_is_line(o)) {
			/* The one check of blob lines, for replay and validate
			 * alike; the cache takes only what passed it. */
			struct blob_chunk c;

			e = blob_check_line(bc, o, line, &c, buf, sizeof buf);
			if (e == 0 && fns && fns->blob)
				e = fns->blob(fns->ctx, &c, buf, sizeof buf);
			json_decref(o);
			if (e < 0)
				goto fail_line;
		} else {
			why = check_event(o, s->events, buf, sizeof buf);
			if (why == NULL && (e = check_ids(bc, o, buf, sizeof buf)) < 0) {
				json_decref(o);
				goto fail_line;
			}
			if (why == NULL && fns && fns->event && (e = fns->event(fns->ctx, o, buf,
			    sizeof buf)) < 0) {
				json_decref(o);
				goto fail_line;
			}
			if (why == NULL && json_is_true(json_object_get(o, "unsupported")) && !s->aborted[0])
				snprintf(s->aborted, sizeof s->aborted, "the program called %s at event %llu",
				    json_string_value(json_object_get(o, "sys")), (unsigned long long)s->events);
			s->events++;
			if (why == NULL && (json_is_int64(json_object_get(o, "ret")) ||
			    json_is_string(json_object_get(o, "err"))) && json_object_get(o, "sys"))
				s->calls++;
			json_decref(o);
		}
		if (why) {
			snprintf(err, errlen, "%s: line %llu: %s", path, line, why);
			e = -EBADMSG;
			goto fail;
		}
		if (j)
			job_passed(j, trace_reader_line(r));
		continue;
fail_line:
		snprintf(err, errlen, "%s: line %llu: %s", path, line, buf[0] ? buf : strerror(-e));
		goto fail;
	}
	if (s->header == NULL) {
		snprintf(err, errlen, "%s: empty, or cut short before its first line: not a usable trace", path);
		e = -EBADMSG;
		goto fail;
	}
	s->truncated = !head_only && (s->footer == NULL || trace_reader_truncated(r));
	if (!head_only) {
		struct keeping k = { fns, buf, sizeof buf };

		buf[0] = '\0';
		if ((e = blob_check_end(bc, s->truncated, buf, sizeof buf)) == 0 && fns && fns->keep)
			e = blob_check_kept(bc, keep_one, &k);
		if (e < 0) {
			snprintf(err, errlen, "%s: %s", path, buf[0] ? buf : strerror(-e));
			goto fail;
		}
	}
	blob_check_free(bc);
	trace_reader_close(r);
	return 0;
fail:
	blob_check_free(bc);
	trace_reader_close(r);
	trace_summary_free(s);
	return e;
}

/* A check in a thread of its own (trace_check_start).  passed is the last
 * line that passed; the thread takes the lock only to wake a waiter
 * (trace_check_reached), so a check that runs ahead costs the replay an
 * atomic load per event. */
struct trace_check_job {
	pthread_t th;
	char *path, *name;
	struct trace_check_fns fns;
	bool has_fns;
	struct trace_summary sum;
	int result;
	char err[1024];
	_Atomic uint64_t passed;
	_Atomic int waiting;
	_Atomic bool finished;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void
job_wake(struct trace_check_job *j)
{
	if (atomic_load(&j->waiting)) {
		pthread_mutex_lock(&j->lock);
		pthread_cond_broadcast(&j->cond);
		pthread_mutex_unlock(&j->lock);
	}
}

static void
job_passed(struct trace_check_job *j, uint64_t line)
{
	atomic_store(&j->passed, line);
	job_wake(j);
}

static void *
job_main(void *arg)
{
	struct trace_check_job *j = arg;

	j->result = check_lines(j, j->path, j->name ? j->name : j->path, &j->sum,
	    j->has_fns ? &j->fns : NULL, false, j->err, sizeof j->err);
	atomic_store(&j->finished, true);
	/* Under the lock: a waiter between its test and its wait is woken. */
	pthread_mutex_lock(&j->lock);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

int
trace_check_reached(struct trace_check_job *j, uint64_t line)
{
	int e = 0;

	if (atomic_load(&j->passed) >= line)
		return 0;
	pthread_mutex_lock(&j->lock);
	atomic_fetch_add(&j->waiting, 1);
	while (atomic_load(&j->passed) < line && !atomic_load(&j->finished))
		pthread_cond_wait(&j->cond, &j->lock);
	atomic_fetch_sub(&j->waiting, 1);
	if (atomic_load(&j->passed) < line)
		e = j->result < 0 ? j->result : -EBADMSG;
	pthread_mutex_unlock(&j->lock);
	return e;
}

int
trace_check_start(struct trace_check_job **jp, const char *path, const char *name,
    const struct trace_check_fns *fns, const cpu_set_t *cpus)
{
	struct trace_check_job *j = calloc(1, sizeof *j);
	int e;

	if (j == NULL || (j->path = strdup(path)) == NULL ||
	    (j->name = strdup(name ? name : path)) == NULL) {
		if (j)
			free(j->path);
		free(j);
		return -ENOMEM;
	}
	if ((j->has_fns = fns != NULL))
		j->fns = *fns;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	if ((e = trace_io_thread(&j->th, job_main, j, cpus)) < 0) {
		free(j->path);
		free(j->name);
		free(j);
		return e;
	}
	*jp = j;
	return 0;
}

int
trace_check_wait(struct trace_check_job *j, struct trace_summary *s, char *err, size_t errlen)
{
	int e;

	pthread_join(j->th, NULL);
	e = j->result;
	*s = j->sum;
	if (e < 0)
		snprintf(err, errlen, "%s", j->err);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j->path);
	free(j->name);
	free(j);
	return e;
}

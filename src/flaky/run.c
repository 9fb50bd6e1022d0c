/* run.c: `dios-flaky run`: record runs until one fails (see flaky.h). */
#include "config.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>
#include "flaky/flaky.h"
#include "trace/number.h"

uint64_t
flaky_run_seed(uint64_t s, unsigned long n)
{
	uint64_t z = s + (uint64_t)n * UINT64_C(0x9E3779B97F4A7C15);	/* splitmix64 */

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return (z ^ (z >> 31)) & UINT32_MAX;	/* dios-record --chaos-seed: 32 bits */
}

static int
signal_by_name(const char *s, size_t n)
{
	char buf[16];

	if (n >= 3 && strncasecmp(s, "SIG", 3) == 0) {
		s += 3;
		n -= 3;
	}
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (int i = 1; i < 65; i++) {
		const char *a = sigabbrev_np(i);
		if (a && strcasecmp(a, buf) == 0)
			return i;
	}
	return -1;
}

int
flaky_parse_statuses(const char *list, struct flaky_statuses *s, char *err, size_t errlen)
{
	const char *p = list;

	memset(s, 0, sizeof *s);
	if (*p == '\0')
		goto bad;
	while (*p) {
		size_t n = strcspn(p, ",");
		char *end;
		long lo, hi;
		int sig;

		if (n == 0)
			goto bad;
		if (isdigit((unsigned char)*p)) {
			lo = strtol(p, &end, 10);
			hi = lo;
			if (*end == '-' && isdigit((unsigned char)end[1]))
				hi = strtol(end + 1, &end, 10);
			if (end != p + n || lo < 0 || hi > 255 || lo > hi)
				goto bad;
			for (long v = lo; v <= hi; v++)
				s->in[v] = 1;
		} else if ((sig = signal_by_name(p, n)) > 0 && 128 + sig <= 255) {
			s->in[128 + sig] = 1;
		} else
			goto bad;
		p += n;
		if (*p == ',' && *++p == '\0')
			goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "--fail-status '%s': expected a comma list of statuses 0-255, ranges "
	    "(3-5) and signal names (SIGSEGV, counted as 128+N)", list);
	return -EINVAL;
}

int
flaky_parse_duration(const char *text, double *seconds)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || v < 0 || !isfinite(v))
		return -EINVAL;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		;
	else if (strcmp(end, "ms") == 0)
		v /= 1000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		v *= 60;
	else if (strcmp(end, "h") == 0)
		v *= 3600;
	else if (strcmp(end, "d") == 0)
		v *= 86400;
	else
		return -EINVAL;
	*seconds = v;
	return 0;
}

double
flaky_wilson(unsigned long f, unsigned long n, double *lo, double *hi)
{
	const double z = 1.959964;
	double p, d, c, h;

	if (n == 0) {
		*lo = 0;
		*hi = 100;
		return 0;
	}
	p = (double)f / n;
	d = 1 + z * z / n;
	c = (p + z * z / (2.0 * n)) / d;
	h = z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
	*lo = 100 * (c - h < 0 ? 0 : c - h);
	*hi = 100 * (c + h > 1 ? 1 : c + h);
	return 100 * p;
}

/* "2.7", "0.5", "14" */
static const char *
pct(double v, char buf[16])
{
	snprintf(buf, 16, v >= 10 ? "%.0f" : "%.1f", v);
	return buf;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool
campaign_file(const char *name)
{
	const char *p;

	if (strncmp(name, "fail-", 5) != 0 && strncmp(name, "pass-", 5) != 0)
		return false;
	p = name + 5;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return strcmp(p, ".json.zst") == 0 || strcmp(p, ".log") == 0;
}

/* Makes the directory, or checks that it holds no earlier campaign's
 * files (with force: removes them). */
static int
prepare_dir(const char *dir, bool force, char *err, size_t errlen)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int e = 0;

	if (stat(dir, &st) < 0) {
		if (errno != ENOENT || mkdir(dir, 0777) < 0) {
			e = -errno;
			snprintf(err, errlen, "-o %s: cannot make the directory: %s", dir, strerror(errno));
			return e;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "-o %s: not a directory (name a directory for the traces, or a "
		    "new name)", dir);
		return -ENOTDIR;
	}
	if ((d = opendir(dir)) == NULL) {
		e = -errno;
		snprintf(err, errlen, "-o %s: %s", dir, strerror(errno));
		return e;
	}
	while ((de = readdir(d)) != NULL) {
		if (!campaign_file(de->d_name))
			continue;
		if (!force) {
			snprintf(err, errlen, "%s/%s is from an earlier campaign: name another directory "
			    "with -o, or pass -f to replace that campaign's files", dir, de->d_name);
			e = -EEXIST;
			break;
		}
		if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
			e = -errno;
			snprintf(err, errlen, "cannot remove %s/%s: %s", dir, de->d_name, strerror(errno));
			break;
		}
	}
	closedir(d);
	return e;
}

/* Does the log match the regex?  Read whole (its last 64 MiB), NUL bytes
 * as spaces. */
static bool
output_matches(const char *log, const regex_t *re)
{
	FILE *f = fopen(log, "rb");
	const long max = 64L << 20;
	char *buf;
	long n;
	bool m;

	if (f == NULL)
		return false;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	if (n > max) {
		fseek(f, n - max, SEEK_SET);
		n = max;
	} else
		fseek(f, 0, SEEK_SET);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return false;
	}
	n = (long)fread(buf, 1, (size_t)n, f);
	fclose(f);
	for (long i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	m = regexec(re, buf, 0, NULL, 0) == 0;
	free(buf);
	return m;
}

struct kept {
	unsigned long run;
	const char *kind;	/* "exit", "signal", "output", "timeout" */
	int status;
	double seconds;
};

struct campaign {
	const struct flaky_run_opts *o;
	unsigned long runs, passed, failed;
	unsigned long last_pass;	/* 0: none kept */
	struct kept *kept;
	size_t nkept;
	double t0, busy;
	bool interrupted;
};

static void
describe(const struct kept *k, char *buf, size_t n)
{
	if (strcmp(k->kind, "timeout") == 0)
		snprintf(buf, n, "timeout after %.1fs", k->seconds);
	else if (strcmp(k->kind, "output") == 0)
		snprintf(buf, n, "output matched, exit %d", k->status);
	else if (strcmp(k->kind, "signal") == 0)
		snprintf(buf, n, "status %d: killed by SIG%s?", k->status,
		    sigabbrev_np(k->status - 128) ? sigabbrev_np(k->status - 128) : "?");
	else
		snprintf(buf, n, "exit %d", k->status);
}

static void
path_of(char *buf, size_t n, const char *dir, const char *what, unsigned long run, const char *ext)
{
	snprintf(buf, n, "%s/%s-%lu%s", dir, what, run, ext);
}

static void
summary(const struct campaign *c)
{
	const struct flaky_run_opts *o = c->o;
	double lo, hi, rate = flaky_wilson(c->failed, c->runs, &lo, &hi);
	double mean = c->runs ? c->busy / c->runs : 0;
	char a[16], b[16], d[16], p[4096], q[4096], desc[128];

	if (o->json) {
		json_t *j = json_object(), *fl = json_array();
		for (size_t i = 0; i < c->nkept; i++) {
			path_of(p, sizeof p, o->dir, "fail", c->kept[i].run, ".json.zst");
			path_of(q, sizeof q, o->dir, "fail", c->kept[i].run, ".log");
			json_array_append_new(fl, json_pack("{s:I,s:s,s:i,s:f,s:s,s:s}", "run",
			    (json_int_t)c->kept[i].run, "kind", c->kept[i].kind, "status", c->kept[i].status,
			    "seconds", c->kept[i].seconds, "trace", p, "log", q) ?: json_null());
		}
		json_object_set_new(j, "runs", json_integer((json_int_t)c->runs));
		json_object_set_new(j, "passed", json_integer((json_int_t)c->passed));
		json_object_set_new(j, "failed", json_integer((json_int_t)c->failed));
		json_object_set_new(j, "failure_rate", json_real(rate / 100));
		json_object_set_new(j, "ci95", json_pack("[f,f]", lo / 100, hi / 100));
		json_object_set_new(j, "mean_seconds", json_real(mean));
		json_object_set_new(j, "elapsed_seconds", json_real(now() - c->t0));
		json_object_set_new(j, "seed", json_uint64(o->seed));
		json_object_set_new(j, "chaos", o->chaos ? json_string(o->chaos) : json_null());
		json_object_set_new(j, "interrupted", json_boolean(c->interrupted));
		json_object_set_new(j, "failures", fl);
		if (c->last_pass) {
			path_of(p, sizeof p, o->dir, "pass", c->last_pass, ".json.zst");
			path_of(q, sizeof q, o->dir, "pass", c->last_pass, ".log");
			json_object_set_new(j, "last_pass", json_pack("{s:I,s:s,s:s}", "run",
			    (json_int_t)c->last_pass, "trace", p, "log", q));
		} else
			json_object_set_new(j, "last_pass", json_null());
		json_dumpf(j, o->out, JSON_COMPACT);
		fputc('\n', o->out);
		json_decref(j);
		fflush(o->out);
		return;
	}
	for (size_t i = 0; i < c->nkept; i++) {
		describe(&c->kept[i], desc, sizeof desc);
		path_of(p, sizeof p, o->dir, "fail", c->kept[i].run, ".json.zst");
		fprintf(o->out, "run %lu of %lu failed (%s): kept %s", c->kept[i].run, c->runs, desc, p);
		if (i == 0 && c->last_pass) {
			path_of(q, sizeof q, o->dir, "pass", c->last_pass, ".json.zst");
			fprintf(o->out, " and the last pass %s", q);
		}
		fputc('\n', o->out);
	}
	if (c->nkept == 0) {
		if (c->last_pass) {
			path_of(q, sizeof q, o->dir, "pass", c->last_pass, ".json.zst");
			fprintf(o->out, "no failure in %lu run%s: kept the last pass %s\n", c->runs,
			    c->runs == 1 ? "" : "s", q);
		} else
			fprintf(o->out, "no run finished\n");
	}
	if (c->runs)
		fprintf(o->out, "%lu passed, %lu failed: failure rate %s%% (95%% CI %s%%-%s%%)\n",
		    c->passed, c->failed, pct(rate, a), pct(lo, b), pct(hi, d));
	if (c->runs)
		fprintf(o->out, "mean time per run %.3fs, %lu run%s in %.1fs%s\n", mean, c->runs,
		    c->runs == 1 ? "" : "s", now() - c->t0, c->interrupted ? " (interrupted)" : "");
	fflush(o->out);
}

static void
progress(const struct campaign *c, unsigned long i)
{
	const struct flaky_run_opts *o = c->o;

	if (!o->tty || o->progress == NULL)
		return;
	fprintf(o->progress, "\rrun %lu", i);
	if (o->runs)
		fprintf(o->progress, "/%lu", o->runs);
	fprintf(o->progress, ": %lu passed, %lu failed, %.1fs\033[K", c->passed, c->failed,
	    now() - c->t0);
	fflush(o->progress);
}

static void
end_progress(const struct flaky_run_opts *o)
{
	if (o->tty && o->progress) {
		fputs("\r\033[K", o->progress);
		fflush(o->progress);
	}
}

static int
move(const char *from, const char *to, char *err, size_t errlen)
{
	if (rename(from, to) < 0) {
		int e = -errno;
		snprintf(err, errlen, "cannot keep %s as %s: %s", from, to, strerror(errno));
		return e;
	}
	return 0;
}

int
flaky_run(const struct flaky_run_opts *o, char *err, size_t errlen)
{
	struct campaign c = { .o = o };
	char trace[4096], log[4096], p[4096], q[4096];
	char *record;
	int e = 0;

	if ((e = prepare_dir(o->dir, o->force, err, errlen)) < 0)
		return e;
	if ((c.kept = calloc(o->keep, sizeof *c.kept)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	record = flaky_record_path();
	snprintf(trace, sizeof trace, "%s/run.json.zst", o->dir);
	snprintf(log, sizeof log, "%s/run.log", o->dir);
	if (o->chaos && o->progress)
		fprintf(o->progress, "dios-flaky: chaos %s, campaign seed %" PRIu64
		    " (the same runs again: --seed %" PRIu64 ")\n", o->chaos, o->seed, o->seed);
	c.t0 = now();
	for (unsigned long i = 1; ; i++) {
		struct flaky_rec_req rq = { .record = record, .argv = o->argv, .trace = trace, .log = log,
		    .chaos = o->chaos, .chaos_seed = flaky_run_seed(o->seed, i), .timeout = o->timeout,
		    .grace = 5 };
		struct flaky_rec_res rs;
		const char *kind = NULL;

		if (flaky_stop) {
			c.interrupted = true;
			break;
		}
		if ((o->runs && i > o->runs) || (o->time > 0 && now() - c.t0 >= o->time))
			break;
		progress(&c, i);
		if ((e = flaky_record(&rq, &rs, err, errlen)) < 0)
			break;
		if (rs.end == FE_STOPPED) {
			c.interrupted = true;
			unlink(trace);
			unlink(log);
			end_progress(o);
			if (o->progress)
				fprintf(o->progress, "dios-flaky: interrupted: run %lu stopped, not counted "
				    "(its trace removed)\n", i);
			break;
		}
		if (rs.end == FE_DIOS) {
			end_progress(o);
			snprintf(err, errlen, "run %lu: %s (its output: %s)", i, rs.dios_msg, log);
			e = -EIO;
			break;
		}
		c.runs++;
		c.busy += rs.seconds;
		if (rs.end == FE_TIMEOUT)
			kind = "timeout";
		else if (o->has_statuses ? o->fail_status.in[rs.status & 255] : rs.status != 0)
			kind = rs.status > 128 ? "signal" : "exit";
		else if (o->has_regex && output_matches(log, &o->fail_output))
			kind = "output";
		if (kind == NULL) {
			c.passed++;
			path_of(p, sizeof p, o->dir, "pass", i, ".json.zst");
			path_of(q, sizeof q, o->dir, "pass", i, ".log");
			if ((e = move(trace, p, err, errlen)) < 0 || (e = move(log, q, err, errlen)) < 0)
				break;
			if (c.last_pass) {
				path_of(p, sizeof p, o->dir, "pass", c.last_pass, ".json.zst");
				path_of(q, sizeof q, o->dir, "pass", c.last_pass, ".log");
				unlink(p);
				unlink(q);
			}
			c.last_pass = i;
			continue;
		}
		c.failed++;
		if (c.nkept < o->keep) {
			struct kept *k = &c.kept[c.nkept++];
			char desc[128];
			k->run = i;
			k->kind = kind;
			k->status = rs.status;
			k->seconds = rs.seconds;
			path_of(p, sizeof p, o->dir, "fail", i, ".json.zst");
			path_of(q, sizeof q, o->dir, "fail", i, ".log");
			if ((e = move(trace, p, err, errlen)) < 0 || (e = move(log, q, err, errlen)) < 0)
				break;
			if (!o->tty && o->progress) {
				describe(k, desc, sizeof desc);
				fprintf(o->progress, "dios-flaky: run %lu failed (%s): kept %s\n", i, desc, p);
			}
		}
		if (c.nkept >= o->keep)
			break;
	}
	end_progress(o);
	unlink(trace);
	if (e == 0)
		unlink(log);
	if (c.runs || e == 0)
		summary(&c);
	free(record);
	free(c.kept);
	if (e < 0)
		return e;
	return c.nkept ? 0 : 1;
}

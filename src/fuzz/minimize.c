/* minimize.c: dios-fuzz min (campaign.h): a failure's plan made as small
 * as still fails the same way, by ddmin over its mutations (Zeller and
 * Hildebrandt), then each short read or write cut as little as fails. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>
#include "fuzz/campaign.h"
#include "fuzz/corpus.h"
#include "fuzz/mutate.h"
#include "fuzz/oracle.h"
#include "inspect/rules.h"
#include "sys/capture.h"
#include "sys/xlat.h"
#include "trace/io.h"
#include "trace/number.h"

struct minctx {
	struct fz_run fr;
	const char *kind, *sig;
	uint64_t tries;
};

/* Does plan (n mutations) still fail as the failure did?  1 yes, 0 no,
 * -errno when the run could not be made. */
static int
fails(struct minctx *c, const struct mutation *plan, size_t n, char *err, size_t errlen)
{
	struct fz_judged j;
	int e;

	if (n == 0)
		return 0;
	c->tries++;
	if ((e = fz_run_plan(&c->fr, plan, n, &j, err, errlen)) < 0)
		return e;
	json_decref(j.why);
	return !strcmp(j.kind, c->kind) && !strcmp(j.sig, c->sig);
}

/* The event of the trace at path that the call (tid, nth, sys) made, as
 * the plan counts calls (new reference), or NULL. */
static json_t *
event_of_call(const char *path, int64_t tid, uint64_t nth, const char *sys)
{
	struct trace_reader *r;
	json_t *ev, *found = NULL;
	uint64_t n = 0;

	if (trace_reader_open(&r, path) < 0)
		return NULL;
	while (found == NULL && trace_read(r, &ev) > 0) {
		const char *s = json_string_value(json_object_get(ev, "sys"));
		if (s && !strcmp(s, sys) && json_int64_or(ev, "tid", 0) == tid && ++n == nth)
			found = ev;
		else
			json_decref(ev);
	}
	trace_reader_close(r);
	return found;
}

/* ddmin: the smallest subset of plan (*n mutations, changed in place) that
 * still fails, each mutation kept in its order. */
static int
ddmin(struct minctx *c, struct mutation *plan, size_t *n, char *err, size_t errlen)
{
	size_t parts = 2;
	struct mutation tmp[FZ_MAX_PLAN];

	while (*n >= 2 && !fuzz_stop) {
		size_t len = *n, chunk = (len + parts - 1) / parts;
		bool reduced = false;
		/* a part alone, then all but a part */
		for (int pass = 0; pass < 2 && !reduced; pass++)
			for (size_t p = 0; p * chunk < len && !reduced; p++) {
				size_t lo = p * chunk, hi = lo + chunk < len ? lo + chunk : len, k = 0;
				for (size_t i = 0; i < len; i++)
					if ((i >= lo && i < hi) == (pass == 0))
						tmp[k++] = plan[i];
				int f = fails(c, tmp, k, err, errlen);
				if (f < 0)
					return f;
				if (f) {
					memcpy(plan, tmp, k * sizeof *tmp);
					*n = k;
					parts = pass == 0 ? 2 : (parts > 2 ? parts - 1 : 2);
					reduced = true;
				}
			}
		if (!reduced) {
			if (parts >= len)
				break;
			parts = 2 * parts < len ? 2 * parts : len;
		}
	}
	return 0;
}

static void
describe(FILE *out, const struct mutation *m)
{
	fprintf(out, "  %s of %s (task %lld's call %llu of it", mut_op_name(m->op), m->sys, (long long)m->tid,
	    (unsigned long long)m->nth);
	if (m->op == MO_ERROR || m->op == MO_EINTR)
		fprintf(out, "): %s\n", errno_name(m->err) ? errno_name(m->err) : "?");
	else
		fprintf(out, ")\n");
}

int
fuzz_min(const char *failure, const char *outp, const char *replay, FILE *out, char *err, size_t errlen)
{
	char meta[4300], work[4300], run[4400], dflt[4300];
	json_error_t je;
	json_t *fj;
	struct mutation plan[FZ_MAX_PLAN];
	size_t n = 0;
	int e;

	err[0] = '\0';
	/* NNNN.json.zst: its NNNN.json says the seed, the mutations, the failure */
	size_t len = strlen(failure);
	if (len < 9 || strcmp(failure + len - 9, ".json.zst") != 0) {
		snprintf(err, errlen, "%s: expected a failure of a findings directory (failures/NNNN.json.zst)", failure);
		return -EINVAL;
	}
	snprintf(meta, sizeof meta, "%.*s.json", (int)(len - 9), failure);
	if ((fj = json_load_file(meta, 0, &je)) == NULL) {
		snprintf(err, errlen, "%s: %s (min needs the failure's .json beside it, as dios-fuzz run "
		    "keeps it)", meta, access(meta, F_OK) < 0 ? strerror(errno) : je.text);
		return -ENOENT;
	}
	const char *seed = json_string_value(json_object_get(fj, "seed"));
	const char *kind = json_string_value(json_object_get(fj, "kind"));
	const char *sig = json_string_value(json_object_get(fj, "signal"));
	json_t *ml = json_object_get(fj, "mutations"), *x;
	size_t i;
	bool bad = seed == NULL || kind == NULL || sig == NULL || !json_is_array(ml) || json_array_size(ml) == 0 ||
	    json_array_size(ml) > FZ_MAX_PLAN;
	json_array_foreach(ml, i, x)
		if (!bad && (mut_from_json(x, &plan[n++]) < 0 || plan[n - 1].nth == 0))
			bad = true;
	if (bad) {
		snprintf(err, errlen, "%s: not a failure dios-fuzz run wrote (seed, kind, signal, mutations)", meta);
		json_decref(fj);
		return -EINVAL;
	}
	snprintf(work, sizeof work, "%.*s.min-work", (int)(len - 9), failure);
	if (mkdir(work, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot make %s: %s", work, strerror(errno));
		json_decref(fj);
		return -errno;
	}
	snprintf(run, sizeof run, "%s/run.json.zst", work);
	if (outp == NULL) {
		snprintf(dflt, sizeof dflt, "%.*s.min.json.zst", (int)(len - 9), failure);
		outp = dflt;
	}
	/* what the last mutation wrote to, for the "silent" oracle: as the
	 * failure's run shows it */
	const struct mutation *last = &plan[n - 1];
	json_t *lev = event_of_call(failure, last->tid, last->nth, last->sys);
	unsigned mask = rules_default_mask() & ~(unsigned)RULE_ERROR_IGNORED;
	struct minctx c = { .fr = { .seed = seed, .replay = replay, .work = work, .timeout = 10, .rules = mask,
		.written = true, .tid = last->tid, .fd = json_int64_or(json_object_get(lev, "args"), "fd", -1) },
		.kind = kind, .sig = sig };
	json_decref(lev);
	json_t *seen = fz_rules_seen(seed, mask);
	c.fr.seen = seen;
	c.fr.base_stderr = fz_stderr_bytes(seed);
	c.fr.base_bytes = (strstr(last->sys, "write") || !strcmp(last->sys, "sendto")) ?
	    fz_bytes_written(seed, c.fr.tid, c.fr.fd) : 0;
	/* it still fails the same way */
	if ((e = fails(&c, plan, n, err, errlen)) < 0)
		goto done;
	if (e == 0) {
		snprintf(err, errlen, "the mutations of %s no longer fail as %s%s%s: is %s the recording it "
		    "came from, and the program the same?", failure, kind, sig[0] ? " " : "", sig, seed);
		e = -ESTALE;
		goto done;
	}
	if (n == 1)
		fprintf(out, "dios-fuzz: %s: one mutation, %s of event %llu (%s): it fails as %s%s%s\n", failure,
		    mut_op_name(plan[0].op), (unsigned long long)plan[0].seq, plan[0].sys, kind, sig[0] ? " " : "", sig);
	else {
		size_t n0 = n;
		fprintf(out, "dios-fuzz: %s: %zu mutations: it fails as %s%s%s\n", failure, n, kind,
		    sig[0] ? " " : "", sig);
		if ((e = ddmin(&c, plan, &n, err, errlen)) < 0)
			goto done;
		fprintf(out, "dios-fuzz: %zu of the %zu still fail%s the same way (ddmin, %llu runs):\n", n, n0,
		    n == 1 ? "s" : "", (unsigned long long)c.tries);
		for (i = 0; i < n; i++)
			describe(out, &plan[i]);
	}
	bool shrunk = false;
	for (i = 0; i < n && !fuzz_stop; i++) {
		struct mutation *m = &plan[i];
		if (m->op != MO_SHORT)
			continue;
		/* the fewest bytes taken away: the largest result that still
		 * fails; the call's whole result, from a run without this cut */
		struct mutation without[FZ_MAX_PLAN];
		size_t k = 0;
		for (size_t q = 0; q < n; q++)
			if (q != i)
				without[k++] = plan[q];
		long orig = -1;
		if (k == 0 || (e = fails(&c, without, k, err, errlen)) >= 0) {
			if (k == 0) {
				struct fz_judged j;
				if ((e = fz_run_plan(&c.fr, NULL, 0, &j, err, errlen)) < 0)
					goto done;
				json_decref(j.why);
			}
			json_t *ev = event_of_call(run, m->tid, m->nth, m->sys);
			int ok;
			orig = ev ? event_result(ev, &ok) : -1;
			json_decref(ev);
		}
		if (e < 0)
			goto done;
		if (orig <= (long)m->arg)
			continue;
		uint64_t lo = m->arg, hi = (uint64_t)orig - 1, was = m->arg;	/* lo fails */
		while (lo < hi && !fuzz_stop) {
			uint64_t mid = lo + (hi - lo + 1) / 2;
			m->arg = mid;
			if ((e = fails(&c, plan, n, err, errlen)) < 0)
				goto done;
			if (e)
				lo = mid;
			else
				hi = mid - 1;
		}
		m->arg = lo;
		shrunk = true;
		fprintf(out, "dios-fuzz: the shortest cut that still fails: %llu of %ld bytes (was %llu)\n",
		    (unsigned long long)(orig - (long)lo), orig, (unsigned long long)(orig - (long)was));
	}
	if (!shrunk && n == 1 && plan[0].op == MO_FLIP)
		fprintf(out, "dios-fuzz: one bit changed: as few as can be\n");
	else if (!shrunk && n == 1)
		fprintf(out, "dios-fuzz: the %s mutation changes one event's result: as few as can be\n",
		    mut_op_name(plan[0].op));
	/* the reproducer of the smallest: its run */
	if ((e = fails(&c, plan, n, err, errlen)) < 0)
		goto done;
	if (e == 0) {
		snprintf(err, errlen, "the smallest plan did not fail again as %s (a flaky failure?)", kind);
		e = -ESTALE;
		goto done;
	}
	unlink(outp);
	if ((e = fz_copy_file(run, outp)) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", outp, strerror(-e));
		goto done;
	}
	fprintf(out, "dios-fuzz: the reproducer: %s (dios-replay %s)\n", outp, outp);
	e = 0;
done:
	{
		static const char *const left[] = { "plan.json", "run.json.zst", "replay.log", NULL };
		char p[4400];
		for (int q = 0; left[q]; q++) {
			snprintf(p, sizeof p, "%s/%s", work, left[q]);
			unlink(p);
		}
		rmdir(work);
	}
	json_decref(seen);
	json_decref(fj);
	return e;
}

/* campaign.c: dios-fuzz run and report (campaign.h). */
#include "config.h"
#include <errno.h>
#include <limits.h>
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
#include "fuzz/corpus.h"
#include "fuzz/oracle.h"
#include "inspect/rules.h"
#include "sys/capture.h"
#include "sys/xlat.h"
#include "trace/blobline.h"
#include "trace/bytes.h"
#include "trace/io.h"
#include "trace/number.h"

volatile sig_atomic_t fuzz_stop;

struct failure {
	char key[400];
	unsigned id;
	bool owner;		/* this worker kept it (its trace and its .json) */
	uint64_t count, first_run;
	struct fz_judged j;
	struct mutation m;		/* the last of its plan: the one that made it */
	struct mutation plan[FZ_MAX_PLAN];
	size_t nplan;
};

static json_t *
failure_json(const struct failure *f, const char *seed)
{
	char name[32];

	snprintf(name, sizeof name, "%04u.json.zst", f->id);
	json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:i, s:o, s:I, s:I, s:s, s:s, s:I, s:I}", "id", f->id,
	    "kind", f->j.kind, "key", f->key, "signal", f->j.sig, "status", f->j.status,
	    "mutation", mut_to_json(&f->m), "count", (json_int_t)f->count, "first_run",
	    (json_int_t)f->first_run, "reproducer", name, "seed", seed,
	    "model_answered", (json_int_t)f->j.answered, "model_unmodelled", (json_int_t)f->j.unmodelled);
	if (j) {
		json_t *pl = json_array();
		for (size_t i = 0; pl && i < f->nplan; i++)
			json_array_append_new(pl, mut_to_json(&f->plan[i]));
		json_object_set_new(j, "mutations", pl);
		if (f->j.fault[0])
			json_object_set_new(j, "fault", json_string(f->j.fault));
	}
	return j;
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

static void
cover(json_t *cov, const struct mutation *m, const char *site, const char *kind)
{
	char k[256];
	snprintf(k, sizeof k, "%s%s%s %s", site, site[0] ? " " : "", m->sys, mut_op_name(m->op));
	json_t *row = json_object_get(cov, k);
	if (row == NULL) {
		row = json_pack("{s:s, s:s, s:i}", "sys", m->sys, "op", mut_op_name(m->op), "tried", 0);
		if (row && site[0])
			json_object_set_new(row, "site", json_string(site));
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
	if (fz_copy_file(run, tmp) == 0)
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

	if ((e = fz_mkdir(o->dir, err, errlen)) < 0)
		return e;
	snprintf(path, sizeof path, "%s/failures", o->dir);
	if ((e = fz_mkdir(path, err, errlen)) < 0)
		return e;
	snprintf(path, sizeof path, "%s/failures/.keys", o->dir);
	if ((e = fz_mkdir(path, err, errlen)) < 0)
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
				    (strncmp(de->d_name, "stats", 5) == 0 || !strcmp(de->d_name, "dios-error.log") ||
				    !strcmp(de->d_name, "dios-error.plan.json"));
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
	char work[4200], run[4300], path[4300];
	struct fz_cand *cand = NULL;
	size_t ncand = 0;
	struct failure *fail = NULL;
	size_t nfail = 0, capfail = 0;
	struct fz_corpus corpus;
	static struct mut_dict dict;	/* the recording's tokens (MO_BYTES) */
	int e;

	memset(&dict, 0, sizeof dict);
	const char *name = o->worker ? o->worker : "main";
	err[0] = '\0';
	snprintf(work, sizeof work, "%s/.work-%s", o->dir, name);
	if ((e = fz_mkdir(work, err, errlen)) < 0)
		return e;
	snprintf(run, sizeof run, "%s/run.json.zst", work);
	if ((e = fz_scan(o->seed, o->ops, NULL, 0, true, &dict, &cand, &ncand, err, errlen)) < 0)
		return e;
	if ((e = fz_corpus_init(&corpus, o->dir, name, err, errlen)) < 0) {
		free(cand);
		return e;
	}
	uint64_t rseed = o->rseed;
	while (rseed == 0) {
		uint32_t s;
		if (getrandom(&s, sizeof s, 0) != sizeof s)
			s = (uint32_t)time(NULL);
		rseed = s;
	}
	/* the failures name the recording by its absolute path: dios-fuzz min
	 * runs from anywhere */
	char seedabs[PATH_MAX];
	if (realpath(o->seed, seedabs) == NULL)
		snprintf(seedabs, sizeof seedabs, "%s", o->seed);
	uint64_t seed_stderr = fz_stderr_bytes(o->seed);
	/* the rules the recording breaks already are not the mutation's doing */
	unsigned rules = o->rules_set ? o->rules : rules_default_mask() & ~(unsigned)RULE_ERROR_IGNORED;
	json_t *seed_rules = fz_rules_seen(o->seed, rules);
	/* the recording's behaviour is not new */
	struct fz_behaviour *bhv = fz_bhv_new();
	if (bhv == NULL || seed_rules == NULL) {
		fz_bhv_free(bhv);
		json_decref(seed_rules);
		fz_corpus_free(&corpus);
		free(cand);
		return -ENOMEM;
	}
	fz_bhv_trace(bhv, o->seed);
	if (!o->quiet)
		fprintf(out, "dios-fuzz: %zu mutations of %s to try; seed %llu (--seed %llu repeats the "
		    "campaign)\n", ncand, o->seed, (unsigned long long)rseed, (unsigned long long)rseed);

	json_t *cov = json_object(), *whyall = json_object();
	bool tty = isatty(fileno(out));
	double start = fz_now(), last_print = 0;
	uint64_t runs = 0, nfailures = 0, errors = 0, answered = 0, unmodelled = 0, clean = 0, deeper = 0;
	uint64_t unapplied = 0, skipped = 0, picks = 0, no_eintr_upto = 0;
	unsigned timeout = o->timeout ? o->timeout : 10;
	e = 0;
	while (!fuzz_stop && (o->runs == 0 || runs < o->runs) &&
	    (o->seconds <= 0 || fz_now() - start < o->seconds)) {
		/* the run's choice: in order first when systematic; then a call
		 * of the recording, or one after the last mutation of a run of
		 * the corpus, at random */
		/* (each choice its own number: one that could not be made is
		 * not made again) */
		uint64_t pick_no = picks++;
		uint64_t rng = (rseed * 0x100000001b3ULL + pick_no) ^ (o->worker ? fnv64(o->worker) : 0);
		mut_rand(&rng);
		uint64_t nw = o->nworkers ? o->nworkers : 1, slot = pick_no * nw + o->index;
		bool in_order = o->systematic && slot < ncand;
		const struct fz_entry *base = NULL;
		struct fz_cand *bc = NULL;
		size_t nbc = 0;
		if (!in_order && corpus.n && (mut_rand(&rng) & 1)) {
			char serr[256];
			base = &corpus.e[mut_rand(&rng) % corpus.n];
			if (base->n >= FZ_MAX_PLAN ||
			    fz_scan(base->path, o->ops, base->m, base->n, false, NULL, &bc, &nbc, serr, sizeof serr) < 0 ||
			    nbc == 0) {
				free(bc);
				bc = NULL;
				base = NULL;
			}
		}
		const char *from = base ? base->path : o->seed;
		const struct fz_cand *pick = base ? &bc[mut_rand(&rng) % nbc] :
		    &cand[in_order ? (size_t)slot : (size_t)(mut_rand(&rng) % ncand)];
		json_t *ev = mut_event_at(from, pick->seq, err, errlen);
		struct mutation plan[FZ_MAX_PLAN];
		size_t np = base ? base->n : 0;
		if (ev == NULL) {
			free(bc);
			e = -EIO;
			break;
		}
		if (base)
			memcpy(plan, base->m, np * sizeof *plan);
		struct mutation *m = &plan[np++];
		bool ok = mut_choose((enum mut_op)pick->op, ev, &rng, &dict, m);
		/* where a run showed the program caught no signal yet (a call
		 * of the recording up to no_eintr_upto), no EINTR: another
		 * errno of the call, or another choice */
		bool no_eintr = base == NULL && no_eintr_upto && pick->seq <= no_eintr_upto;
		for (int again = 0; ok && no_eintr && m->op == MO_ERROR && m->err == EINTR && again < 4; again++)
			ok = mut_choose((enum mut_op)pick->op, ev, &rng, &dict, m);
		if (ok && no_eintr && (m->op == MO_EINTR || (m->op == MO_ERROR && m->err == EINTR)))
			ok = false;
		if (!ok && ++skipped > 100000) {
			/* the end of the campaign, not an error */
			json_decref(ev);
			free(bc);
			if (!o->quiet)
				fprintf(out, "%sdios-fuzz: no mutation left to try: the program catches no signal, "
				    "so its calls cannot fail with EINTR (choose other --mutations)\n", tty ? "\r\033[K" : "");
			break;
		}
		if (ok)
			skipped = 0;
		m->tid = pick->tid;
		m->nth = pick->nth;
		/* the call site: where replay found the mutated call (its
		 * stack), else the event's own (a recording made with
		 * --stacks) */
		char site[160] = "";
		fz_site(json_object_get(ev, "stack"), 2, site, sizeof site);
		struct fz_run fr = { .seed = o->seed, .replay = o->replay, .work = work, .timeout = timeout,
			.rules = rules, .seen = seed_rules, .bhv = bhv, .written = pick->written,
			.tid = json_int64_or(ev, "tid", -1), .fd = json_int64_or(json_object_get(ev, "args"), "fd", -1) };
		json_decref(ev);
		free(bc);
		if (!ok)
			continue;
		fr.base_stderr = base ? fz_stderr_bytes(from) : seed_stderr;
		fr.base_bytes = (strstr(m->sys, "write") || !strcmp(m->sys, "sendto")) ?
		    fz_bytes_written(from, fr.tid, fr.fd) : 0;
		struct fz_judged j;
		if ((e = fz_run_plan(&fr, plan, np, &j, err, errlen)) == -EINTR) {
			e = 0;
			break;
		}
		if (e < 0)
			break;
		runs++;
		if (base)
			deeper++;
		if (j.site[0])
			snprintf(site, sizeof site, "%s", j.site);
		answered += j.answered;
		unmodelled += j.unmodelled;
		if (j.unmodelled == 0)
			clean++;
		/* an EINTR replay did not apply: the process caught no signal
		 * there, nor before (handlers, once set, mostly stay) */
		if ((m->op == MO_EINTR || (m->op == MO_ERROR && m->err == EINTR)) && j.applied < np && base == NULL &&
		    m->seq > no_eintr_upto)
			no_eintr_upto = m->seq;
		/* a mutation of a call the model part runs for real (a close
		 * there) is not applied: nothing tried */
		if (j.applied == np || strcmp(j.kind, "dios") == 0)
			cover(cov, m, site, j.kind);
		else
			unapplied++;
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
			if (access(path, F_OK) < 0) {
				/* the first, to look at, with the plan that made it
				 * (dios-replay --model --mutate PLAN SEED) */
				char log[4300];
				snprintf(log, sizeof log, "%s/replay.log", work);
				fz_copy_file(log, path);
				snprintf(log, sizeof log, "%s/plan.json", work);
				snprintf(path, sizeof path, "%s/dios-error.plan.json", o->dir);
				fz_copy_file(log, path);
			}
			if (errors == runs && runs >= 5) {
				/* nothing replays: the trace or the host is the matter */
				char line[512], log[4300];
				snprintf(log, sizeof log, "%s/replay.log", work);
				fz_first_line(log, line, sizeof line);
				snprintf(err, errlen, "no mutated trace replays (the first %llu runs): %s",
				    (unsigned long long)runs, line);
				e = -EIO;
				break;
			}
		} else if (!fz_is_failure(j.kind) && j.newbits && j.applied == np && np < FZ_MAX_PLAN)
			(void)fz_corpus_add(&corpus, run, plan, np, j.newbits);	/* new behaviour */
		if (fz_is_failure(j.kind)) {
			struct failure *f = NULL;
			char key[400];
			snprintf(key, sizeof key, "%s %s after %s %s%s%s%s%s", j.kind, j.sig[0] ? j.sig : "-", m->sys,
			    mut_op_name(m->op), site[0] ? " at " : "", site, j.fault[0] ? " in " : "", j.fault);
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
				f->m = *m;
				memcpy(f->plan, plan, np * sizeof *plan);
				f->nplan = np;
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
				json_t *fj = failure_json(f, seedabs);
				snprintf(path, sizeof path, "%s/failures/%04u.json", o->dir, f->id);
				write_json(path, fj);
				json_decref(fj);
			}
		}
		double t = fz_now() - start;
		if (!o->quiet && (tty ? t - last_print > 0.2 : t - last_print > 10)) {
			last_print = t;
			fprintf(out, "%sruns %llu  %.1f execs/s  failures %zu unique (%llu)  corpus %zu  model "
			    "%.1f%% of runs whole  %.0f s%s", tty ? "\r\033[K" : "dios-fuzz: ", (unsigned long long)runs,
			    runs / (t > 0 ? t : 1), nfail, (unsigned long long)nfailures, corpus.n,
			    100.0 * (double)clean / (double)runs, t, tty ? "" : "\n");
			fflush(out);
		}
	}
	double t = fz_now() - start;
	json_t *fl = json_array();
	for (size_t i = 0; i < nfail; i++)
		json_array_append_new(fl, failure_json(&fail[i], seedabs));
	json_t *stats = json_pack("{s:s, s:I, s:I, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
	    "seed_trace", o->seed, "seed", (json_int_t)rseed, "runs", (json_int_t)runs, "seconds", t,
	    "execs_per_s", runs / (t > 0 ? t : 1), "candidates", (json_int_t)ncand, "failures",
	    (json_int_t)nfailures, "dios_errors", (json_int_t)errors, "model_answered",
	    (json_int_t)answered, "model_unmodelled", (json_int_t)unmodelled, "runs_fully_modelled",
	    (json_int_t)clean, "unique", fl, "coverage", cov);
	if (stats) {
		json_object_set_new(stats, "model_unmodelled_calls", whyall);
		json_object_set_new(stats, "corpus", json_integer((json_int_t)corpus.n));
		json_object_set_new(stats, "runs_from_corpus", json_integer((json_int_t)deeper));
		json_object_set_new(stats, "runs_not_applied", json_integer((json_int_t)unapplied));
		json_object_set_new(stats, "eintr_impossible_upto", json_integer((json_int_t)no_eintr_upto));
		json_object_set_new(stats, "behaviour", json_integer((json_int_t)fz_bhv_bits(bhv)));
	} else
		json_decref(whyall);
	snprintf(path, sizeof path, "%s/stats-%s.json", o->dir, name);
	if (stats && write_json(path, stats) < 0 && e == 0) {
		snprintf(err, errlen, "cannot write %s", path);
		e = -EIO;
	}
	json_decref(stats);
	static const char *const left[] = { "plan.json", "run.json.zst", "replay.log", NULL };
	for (int i = 0; left[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", work, left[i]);
		unlink(path);
	}
	rmdir(work);
	if (!o->quiet) {
		if (tty)
			fputs("\r\033[K", out);
		fprintf(out, "dios-fuzz: %llu runs in %.1f s (%.1f execs/s): %zu unique failures (%llu in all), "
		    "%llu dios errors; %.1f%% of runs ended with every call modelled; %zu runs with new "
		    "behaviour in the corpus\n",
		    (unsigned long long)runs, t, runs / (t > 0 ? t : 1), nfail, (unsigned long long)nfailures,
		    (unsigned long long)errors, runs ? 100.0 * (double)clean / (double)runs : 0.0, corpus.n);
	}
	json_decref(seed_rules);
	fz_bhv_free(bhv);
	fz_corpus_free(&corpus);
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
			size_t np = json_array_size(json_object_get(v, "mutations"));
			if (np > 1)
				fprintf(out, "  after %zu mutations before it (dios-fuzz min reduces them)\n", np - 1);
			fprintf(out, "  status: %lld%s%s\n", (long long)json_int64_or(v, "status", -1),
			    *json_string_value(json_object_get(v, "signal")) ? " " : "",
			    json_string_value(json_object_get(v, "signal")));
			if (json_string_value(json_object_get(v, "fault")))
				fprintf(out, "  fault in: %s\n", json_string_value(json_object_get(v, "fault")));
		}
		fprintf(out, "\nerror-path coverage (call and mutation at its site: runs, then what the "
		    "program did)\n");
		fprintf(out, "%-24s %6s", "call/mutation", "tried");
		for (int k = 0; kinds[k]; k++)
			fprintf(out, " %9s", kinds[k]);
		fputs("  site\n", out);
		json_object_foreach(cov, key, v) {
			char cm[64];
			snprintf(cm, sizeof cm, "%s %s", json_string_value(json_object_get(v, "sys")),
			    json_string_value(json_object_get(v, "op")));
			fprintf(out, "%-24s %6lld", cm, (long long)json_int64_or(v, "tried", 0));
			for (int k = 0; kinds[k]; k++)
				fprintf(out, " %9lld", (long long)json_int64_or(v, kinds[k], 0));
			const char *site = json_string_value(json_object_get(v, "site"));
			fprintf(out, "  %s\n", site ? site : "-");
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
	    "=='TH')s(this,event.target.cellIndex)\"><thead><tr><th>call and mutation</th><th>site</th>"
	    "<th>tried</th>");
	for (int k = 0; kinds[k]; k++)
		fprintf(out, "<th class=\"%s\">%s</th>", kinds[k], kinds[k]);
	fprintf(out, "</tr></thead><tbody>\n");
	json_object_foreach(cov, key, v) {
		const char *site = json_string_value(json_object_get(v, "site"));
		fprintf(out, "<tr><td>");
		html_escape(out, json_string_value(json_object_get(v, "sys")) ? json_string_value(json_object_get(v, "sys")) : "?");
		fputc(' ', out);
		html_escape(out, json_string_value(json_object_get(v, "op")) ? json_string_value(json_object_get(v, "op")) : "?");
		fprintf(out, "</td><td style=\"text-align:left\">");
		html_escape(out, site ? site : "");
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


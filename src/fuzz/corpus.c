/* corpus.c: candidates, behaviour and the corpus of dios-fuzz's search
 * (corpus.h). */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "fuzz/corpus.h"
#include "fuzz/oracle.h"
#include "sys/capture.h"
#include "trace/blobline.h"
#include "trace/io.h"
#include "trace/number.h"

int
fz_scan(const char *path, unsigned ops, const struct mutation *plan, size_t n, bool seed,
    struct mut_dict *dict, struct fz_cand **out, size_t *nout, char *err, size_t errlen)
{
	struct trace_reader *r;
	json_t *ev;
	size_t cap = 0, after = 0;
	int e;

	*out = NULL;
	*nout = 0;
	err[0] = '\0';
	if ((e = trace_reader_open(&r, path)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
		return e;
	}
	bool first = true;
	/* descriptors written to since they were opened, by task and number;
	 * the paths descriptors were opened with, the files mapped to run
	 * (the executable, its libraries) and the candidates' paths */
	json_t *wrote = json_object(), *fdpath = json_object(), *code = json_object();
	struct mut_calls *counts = mut_calls_new();
	json_t *cpath = json_array();
	while ((e = trace_read(r, &ev)) > 0) {
		const char *sys = json_string_value(json_object_get(ev, "sys"));
		if (first) {
			first = false;
			if (seed && json_object_get(json_object_get(ev, "perturbed"), "fuzz")) {
				json_decref(ev);
				e = -EINVAL;
				snprintf(err, errlen, "%s is a mutated trace already: fuzz the recording it came from", path);
				break;
			}
			json_decref(ev);
			continue;
		}
		if (sys == NULL || blob_is_line(ev)) {
			json_decref(ev);
			continue;
		}
		long long tid = json_int64_or(ev, "tid", 0);
		uint64_t nth = counts ? mut_calls_count(counts, tid, sys) : 0;
		if (dict)
			mut_dict_learn(dict, ev);
		char fk[48];
		snprintf(fk, sizeof fk, "%lld %lld", tid, (long long)json_int64_or(json_object_get(ev, "args"), "fd", -1));
		/* the path of the descriptor the call names (a copy: a close
		 * forgets it) */
		char atb[512];
		snprintf(atb, sizeof atb, "%s", json_string_value(json_object_get(fdpath, fk)) ?
		    json_string_value(json_object_get(fdpath, fk)) : "");
		const char *at = atb[0] ? atb : NULL;
		long long ret = json_int64_or(ev, "ret", -1);
		if ((!strcmp(sys, "openat") || !strcmp(sys, "open")) && ret >= 0 &&
		    json_string_value(json_object_get(json_object_get(ev, "args"), "path"))) {
			char ok[48];
			snprintf(ok, sizeof ok, "%lld %lld", tid, ret);
			json_object_set(fdpath, ok, json_object_get(json_object_get(ev, "args"), "path"));
		}
		if (!strcmp(sys, "mmap") && at && (json_int64_or(json_object_get(ev, "args"), "prot", 0) & 4))
			json_object_set_new(code, at, json_true());
		bool written = false;
		if ((!strcmp(sys, "write") || !strcmp(sys, "writev") || !strcmp(sys, "pwrite64")) &&
		    json_int64_or(ev, "ret", -1) > 0)
			json_object_set_new(wrote, fk, json_true());
		if (!strcmp(sys, "close")) {
			written = json_object_get(wrote, fk) != NULL;
			json_object_del(wrote, fk);
		}
		if (!strcmp(sys, "close") && ret == 0)
			json_object_del(fdpath, fk);
		bool planned = false;
		for (size_t i = 0; i < n; i++)
			if (plan[i].tid == tid && plan[i].nth == nth && !strcmp(plan[i].sys, sys)) {
				planned = true;
				after = *nout;	/* only what comes after the plan's mutations */
			}
		for (int op = 0; !planned && op < MO__N; op++) {
			if (!(ops & (1u << op)) || !mut_applies((enum mut_op)op, ev))
				continue;
			if (*nout == cap) {
				size_t c2 = cap ? 2 * cap : 1024;
				struct fz_cand *v = realloc(*out, c2 * sizeof *v);
				if (v == NULL) {
					e = -ENOMEM;
					snprintf(err, errlen, "out of memory");
					break;
				}
				*out = v;
				cap = c2;
			}
			(*out)[(*nout)++] = (struct fz_cand){ (uint64_t)json_int64_or(ev, "seq", 0), tid, nth,
			    (unsigned char)op, written };
			json_array_append_new(cpath, json_string(at && strcmp(sys, "openat") && strcmp(sys, "open") ?
			    at : ""));
		}
		json_decref(ev);
		if (e < 0)
			break;
	}
	/* Calls on the files the program maps to run are the program's own
	 * code being loaded (the loader reading an ELF header), not its
	 * environment: not mutated. */
	if (e >= 0) {
		size_t k = 0, after0 = after;
		for (size_t i = 0; i < *nout; i++) {
			const char *cp = json_string_value(json_array_get(cpath, i));
			if (cp && cp[0] && json_object_get(code, cp)) {
				if (i < after0)
					after--;
				continue;
			}
			(*out)[k++] = (*out)[i];
		}
		*nout = k;
	}
	json_decref(cpath);
	json_decref(code);
	json_decref(fdpath);
	json_decref(wrote);
	mut_calls_free(counts);
	if (e < 0 && err[0] == '\0')
		snprintf(err, errlen, "%s: line %llu: %s", path, (unsigned long long)trace_reader_line(r),
		    e == -EBADMSG ? trace_reader_error(r) : strerror(-e));
	trace_reader_close(r);
	if (e < 0) {
		free(*out);
		*out = NULL;
		*nout = 0;
		return e;
	}
	if (after) {
		memmove(*out, *out + after, (*nout - after) * sizeof **out);
		*nout -= after;
	}
	if (seed && *nout == 0) {
		snprintf(err, errlen, "%s: no event the mutations chosen can change", path);
		return -EINVAL;
	}
	return 0;
}

/* --- behaviour -------------------------------------------------------------- */

enum { MAP_BITS = 1 << 16 };

struct fz_behaviour {
	unsigned char map[MAP_BITS / 8];
	uint64_t bits;
};

struct fz_behaviour *
fz_bhv_new(void)
{
	return calloc(1, sizeof(struct fz_behaviour));
}

void
fz_bhv_free(struct fz_behaviour *b)
{
	free(b);
}

uint64_t
fz_bhv_bits(const struct fz_behaviour *b)
{
	return b->bits;
}

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

uint64_t
fz_bhv_event(struct fz_behaviour *b, json_t *prev, const json_t *ev)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const char *kind = json_string_value(json_object_get(ev, "event"));
	char cls[64], tk[24];
	uint64_t h = 1469598103934665603ULL;

	if (blob_is_line(ev) || (sys == NULL && kind == NULL))
		return 0;
	if (sys) {
		const char *en = json_string_value(json_object_get(ev, "err"));
		int64_t ret = json_int64_or(ev, "ret", 0);
		snprintf(cls, sizeof cls, "%s", en ? en : ret == 0 ? "=0" : ret > 0 ? "+" : "-");
		h = fnv(fnv(h, sys), cls);
	} else {
		h = fnv(fnv(h, kind), json_string_value(json_object_get(ev, "sig")));
		h = fnv(h, json_string_value(json_object_get(ev, "signal")));
	}
	snprintf(tk, sizeof tk, "%lld", (long long)json_int64_or(ev, "tid", 0));
	uint64_t p = (uint64_t)json_integer_value(json_object_get(prev, tk));
	json_object_set_new(prev, tk, json_integer((json_int_t)(h & 0x7fffffffffffffffULL)));
	uint32_t bit = (uint32_t)(((p >> 1) ^ h) ^ (((p >> 1) ^ h) >> 32)) & (MAP_BITS - 1);
	unsigned char m = (unsigned char)(1u << (bit & 7));
	if (b->map[bit >> 3] & m)
		return 0;
	b->map[bit >> 3] |= m;
	b->bits++;
	return 1;
}

uint64_t
fz_bhv_trace(struct fz_behaviour *b, const char *path)
{
	struct trace_reader *r;
	json_t *ev, *prev = json_object();
	uint64_t n = 0;

	if (prev && trace_reader_open(&r, path) == 0) {
		while (trace_read(r, &ev) > 0) {
			n += fz_bhv_event(b, prev, ev);
			json_decref(ev);
		}
		trace_reader_close(r);
	}
	json_decref(prev);
	return n;
}

/* --- the corpus ------------------------------------------------------------- */

int
fz_corpus_init(struct fz_corpus *c, const char *dir, const char *name, char *err, size_t errlen)
{
	char d[4300];
	int e;

	memset(c, 0, sizeof *c);
	snprintf(d, sizeof d, "%s/queue-%s", dir, name);
	if ((e = fz_mkdir(d, err, errlen)) < 0)
		return e;
	DIR *dd = opendir(d);
	struct dirent *de;
	if (dd) {
		/* an earlier campaign's queue of this worker: it starts again */
		while ((de = readdir(dd)) != NULL)
			if (de->d_name[0] != '.') {
				char p[8700];
				snprintf(p, sizeof p, "%s/%s", d, de->d_name);
				unlink(p);
			}
		closedir(dd);
	}
	if ((c->dir = strdup(d)) == NULL)
		return -ENOMEM;
	return 0;
}

int
fz_corpus_add(struct fz_corpus *c, const char *run, const struct mutation *m, size_t n, uint64_t newbits)
{
	char path[4400], meta[4400];
	int e;

	if (c->n >= FZ_MAX_CORPUS)
		return -ENOSPC;
	if (c->n == c->cap) {
		size_t c2 = c->cap ? 2 * c->cap : 64;
		struct fz_entry *v = realloc(c->e, c2 * sizeof *v);
		if (v == NULL)
			return -ENOMEM;
		c->e = v;
		c->cap = c2;
	}
	snprintf(path, sizeof path, "%s/%04zu.json.zst", c->dir, c->n + 1);
	snprintf(meta, sizeof meta, "%s/%04zu.json", c->dir, c->n + 1);
	unlink(path);
	if ((e = fz_copy_file(run, path)) < 0)
		return e;
	json_t *pl = json_array();
	for (size_t i = 0; pl && i < n; i++)
		json_array_append_new(pl, mut_to_json(&m[i]));
	json_t *j = json_pack("{s:o, s:I}", "mutations", pl, "new_behaviour", (json_int_t)newbits);
	if (j)
		json_dump_file(j, meta, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	struct fz_entry *x = &c->e[c->n];
	x->m = malloc((n ? n : 1) * sizeof *x->m);
	x->path = strdup(path);
	if (x->m == NULL || x->path == NULL) {
		free(x->m);
		free(x->path);
		unlink(path);
		return -ENOMEM;
	}
	memcpy(x->m, m, n * sizeof *m);
	x->n = n;
	c->n++;
	return 0;
}

void
fz_corpus_free(struct fz_corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].m);
		free(c->e[i].path);
	}
	free(c->e);
	free(c->dir);
	memset(c, 0, sizeof *c);
}

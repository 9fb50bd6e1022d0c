/* stats.c: `dios-trace stats`. */
#include "config.h"
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sys/systable.h"
#include "trace/io.h"
#include "trace/number.h"
#include "inspect/stats.h"

struct count { uint64_t calls, errors, bytes; };

struct stats {
	struct count *row;		/* per sc_table row */
	struct count cls[CLS__N];
	json_t *unknown;		/* name -> calls, for calls outside the table */
	json_t *tasks;			/* tid -> events */
	json_t *files;			/* path -> [calls, errors] */
	uint64_t more_files;
	uint64_t events, calls, errors, signals, rdtsc, other;
	bool have_start, have_wall, have_mono;
	long double start, wall_last, mono_first, mono_last;
};

static long double
ts(const json_t *o, const char *frac, long double scale)
{
	return (long double)json_int64_or(o, "sec", 0) +
	    (long double)json_int64_or(o, frac, 0) / scale;
}

/* The latest wall-clock reading (coarse clocks and time(2) may lag). */
static void
wall(struct stats *st, long double t)
{
	if (!st->have_wall || t > st->wall_last)
		st->wall_last = t;
	st->have_wall = true;
}

/* Wall-clock and monotonic readings, for the duration. */
static void
clocks(struct stats *st, const char *sys, const json_t *ev)
{
	const json_t *args = json_object_get(ev, "args"), *out = json_object_get(ev, "out");
	long long id = json_int64_or(args, "clockid", -1);
	long double t;
	int64_t ret;

	if (json_int64_get(json_object_get(ev, "ret"), &ret) < 0)
		return;
	if (strcmp(sys, "clock_gettime") == 0 && json_is_object(json_object_get(out, "tp"))) {
		t = ts(json_object_get(out, "tp"), "nsec", 1e9L);
		if (id == 0 || id == 5) {	/* CLOCK_REALTIME(_COARSE) */
			wall(st, t);
		} else if (id == 1 || id == 4 || id == 6 || id == 7) {	/* MONOTONIC*, BOOTTIME */
			if (!st->have_mono)
				st->mono_first = t;
			st->mono_last = t;
			st->have_mono = true;
		}
	} else if (strcmp(sys, "gettimeofday") == 0 && json_is_object(json_object_get(out, "tv"))) {
		wall(st, ts(json_object_get(out, "tv"), "usec", 1e6L));
	} else if (strcmp(sys, "time") == 0) {
		wall(st, (long double)ret);
	}
}

static void
bump(json_t *o, const char *key, size_t idx, json_int_t by)
{
	json_t *v = json_object_get(o, key);

	if (json_is_array(v)) {
		json_t *e = json_array_get(v, idx);
		json_integer_set(e, json_integer_value(e) + by);
	} else if (json_is_integer(v))
		json_integer_set(v, json_integer_value(v) + by);
}

static void
touch(struct stats *st, const char *path, bool failed)
{
	json_t *v = json_object_get(st->files, path);

	if (v == NULL) {
		if (json_object_size(st->files) >= TRACESTAT_MAX_FILES) {
			st->more_files++;
			return;
		}
		json_object_set_new(st->files, path, json_pack("[ii]", 0, 0));
	}
	bump(st->files, path, 0, 1);
	if (failed)
		bump(st->files, path, 1, 1);
}

static void
add_event(struct stats *st, const json_t *ev)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const char *what = json_string_value(json_object_get(ev, "event"));
	int64_t ret = json_int64_or(ev, "ret", 0);
	bool failed = json_is_string(json_object_get(ev, "err"));
	char tid[32];

	st->events++;
	snprintf(tid, sizeof tid, "%lld", (long long)json_int64_or(ev, "tid", 0));
	if (json_object_get(st->tasks, tid) == NULL)
		json_object_set_new(st->tasks, tid, json_integer(0));
	bump(st->tasks, tid, 0, 1);
	if (sys == NULL) {
		if (what && strcmp(what, "signal") == 0)
			st->signals++;
		else if (what && (strcmp(what, "rdtsc") == 0 || strcmp(what, "rdtscp") == 0))
			st->rdtsc++;
		else
			st->other++;
		return;
	}
	st->calls++;
	st->errors += failed;
	const struct sc_desc *sc = json_is_true(json_object_get(ev, "unknown")) ? NULL : sc_by_name(sys);
	if (sc == NULL) {
		if (json_object_get(st->unknown, sys) == NULL)
			json_object_set_new(st->unknown, sys, json_integer(0));
		bump(st->unknown, sys, 0, 1);
		return;
	}
	struct count *c[2] = { &st->row[sc - sc_table], &st->cls[sc->cls] };
	for (int i = 0; i < 2; i++) {
		c[i]->calls++;
		c[i]->errors += failed;
		if (sc->ret == R_SIZE && ret > 0)
			c[i]->bytes += (uint64_t)ret;
	}
	clocks(st, sys, ev);
	for (int i = 0; i < sc->nargs; i++) {
		const json_t *p = json_object_get(json_object_get(ev, "args"), sc->args[i].name);
		if (sc->args[i].kind == A_PATH && json_is_string(p) && sc->cls == CLS_FILE)
			touch(st, json_string_value(p), failed);
	}
	const json_t *map = json_object_get(ev, "map");
	if (json_is_string(json_object_get(map, "path")))
		touch(st, json_string_value(json_object_get(map, "path")), failed);
}

static const struct count *sort_rows;

static int
by_calls(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (sort_rows[i].calls != sort_rows[j].calls)
		return sort_rows[i].calls < sort_rows[j].calls ? 1 : -1;
	return strcmp(sc_table[i].name, sc_table[j].name);
}

static void
print_stats(const struct stats *st, const json_t *hdr, const json_t *ftr, bool truncated,
    const char *path, uint64_t zbytes, uint64_t text, FILE *out)
{
	const json_t *end = json_object_get(ftr, "end");
	const char *k;
	json_t *v;
	size_t *idx, n = 0;

	fprintf(out, "trace:      %s (format %s v%lld, written by %s)\n", path,
	    json_string_value(json_object_get(hdr, "format")),
	    (long long)json_int64_or(hdr, "version", 0),
	    json_is_string(json_object_get(hdr, "tool")) ?
	    json_string_value(json_object_get(hdr, "tool")) : "an unnamed tool");
	fprintf(out, "program:    %s\n",
	    json_string_value(json_object_get(json_object_get(hdr, "exe"), "path")));
	if (ftr == NULL || truncated)
		fprintf(out, "end:        cut short (no footer): the recorder was killed or its disk filled\n");
	else if (json_is_string(json_object_get(ftr, "aborted")))
		fprintf(out, "end:        aborted: %s\n", json_string_value(json_object_get(ftr, "aborted")));
	else if (json_is_int64(json_object_get(end, "exit")))
		fprintf(out, "end:        exit %lld\n", (long long)json_int64_or(end, "exit", 0));
	else if (json_is_string(json_object_get(end, "signal")))
		fprintf(out, "end:        killed by %s\n", json_string_value(json_object_get(end, "signal")));
	fprintf(out, "events:     %llu (%llu system calls, %llu failed; %llu signals; %llu rdtsc reads",
	    (unsigned long long)st->events, (unsigned long long)st->calls,
	    (unsigned long long)st->errors, (unsigned long long)st->signals,
	    (unsigned long long)st->rdtsc);
	if (st->other)
		fprintf(out, "; %llu other task events", (unsigned long long)st->other);
	fprintf(out, ")\n");
	fprintf(out, "tasks:      %zu (", json_object_size(st->tasks));
	n = 0;
	json_object_foreach(st->tasks, k, v)
		fprintf(out, "%s%s: %lld events", n++ ? ", " : "", k, (long long)json_integer_value(v));
	fprintf(out, ")\n");
	if (st->have_start && st->have_wall)
		fprintf(out, "duration:   %.6Lf s (from the header's start to the last wall-clock read)\n",
		    st->wall_last - st->start);
	else
		fprintf(out, "duration:   unknown (no wall-clock read, or no start in the header)\n");
	if (st->have_mono)
		fprintf(out, "monotonic:  %.6Lf s (from the first to the last monotonic clock read)\n",
		    st->mono_last - st->mono_first);
	fprintf(out, "size:       %llu bytes compressed, %llu bytes of JSON Lines (ratio %.1f)\n",
	    (unsigned long long)zbytes, (unsigned long long)text,
	    zbytes ? (double)text / (double)zbytes : 0.0);

	fprintf(out, "\n%-10s %8s %8s %12s\n", "class", "calls", "errors", "bytes");
	for (int c = 0; c < CLS__N; c++)
		if (st->cls[c].calls)
			fprintf(out, "%-10s %8llu %8llu %12llu\n", sc_class_name((enum sc_class)c),
			    (unsigned long long)st->cls[c].calls, (unsigned long long)st->cls[c].errors,
			    (unsigned long long)st->cls[c].bytes);

	if ((idx = calloc(sc_count, sizeof *idx)) != NULL) {
		n = 0;
		for (size_t i = 0; i < sc_count; i++)
			if (st->row[i].calls)
				idx[n++] = i;
		sort_rows = st->row;
		qsort(idx, n, sizeof *idx, by_calls);
		fprintf(out, "\n%-18s %8s %8s %12s\n", "syscall", "calls", "errors", "bytes");
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%-18s %8llu %8llu %12llu\n", sc_table[idx[i]].name,
			    (unsigned long long)st->row[idx[i]].calls,
			    (unsigned long long)st->row[idx[i]].errors,
			    (unsigned long long)st->row[idx[i]].bytes);
		free(idx);
	}
	json_object_foreach(st->unknown, k, v)
		fprintf(out, "%-18s %8lld %8s %12s  (not in dios's table: ran unrecorded)\n", k,
		    (long long)json_integer_value(v), "?", "?");

	fprintf(out, "\nfiles touched: %llu\n",
	    (unsigned long long)(json_object_size(st->files) + st->more_files));
	if (json_object_size(st->files))
		fprintf(out, "%8s %8s  %s\n", "calls", "errors", "path");
	json_object_foreach(st->files, k, v)
		fprintf(out, "%8lld %8lld  %s\n", (long long)json_integer_value(json_array_get(v, 0)),
		    (long long)json_integer_value(json_array_get(v, 1)), k);
	if (st->more_files)
		fprintf(out, "(and %llu more, not listed)\n", (unsigned long long)st->more_files);
}

int
trace_stats(const char *path, const struct tracesel *sel, FILE *out, char *err, size_t errlen)
{
	struct trace_reader *r;
	struct stats st;
	json_t *o, *hdr = NULL, *ftr = NULL;
	struct stat sb;
	int e;

	memset(&st, 0, sizeof st);
	if ((e = trace_reader_open(&r, path)) < 0) {
		snprintf(err, errlen, e == -ENOENT ? "%s: no such trace file" : "%s: cannot read: %s",
		    path, strerror(-e));
		return e;
	}
	trace_reader_elide(r, 0);
	st.row = calloc(sc_count, sizeof *st.row);
	st.unknown = json_object();
	st.tasks = json_object();
	st.files = json_object();
	if (!st.row || !st.unknown || !st.tasks || !st.files) {
		e = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	while ((e = trace_read(r, &o)) == 1) {
		if (hdr == NULL) {
			hdr = o;
			if (!json_is_string(json_object_get(hdr, "format"))) {
				snprintf(err, errlen, "%s: line 1: not a dios trace header (no \"format\")", path);
				e = -EBADMSG;
				goto done;
			}
			if (json_is_object(json_object_get(hdr, "start"))) {
				st.start = ts(json_object_get(hdr, "start"), "nsec", 1e9L);
				st.have_start = true;
			}
			continue;
		}
		if (json_object_get(o, "end") || json_object_get(o, "aborted")) {
			json_decref(ftr);
			ftr = o;
			continue;
		}
		if (trace_line_is_event(o) && (sel == NULL || tracesel_match(sel, o)))
			add_event(&st, o);
		json_decref(o);
	}
	if (e < 0) {
		if (e == -EBADMSG)
			snprintf(err, errlen, "%s: %s", path, trace_reader_error(r));
		else
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-e));
		goto done;
	}
	if (hdr == NULL) {
		snprintf(err, errlen, "%s: empty, or cut short before its first line: not a usable trace", path);
		e = -EBADMSG;
		goto done;
	}
	print_stats(&st, hdr, ftr, trace_reader_truncated(r), path,
	    stat(path, &sb) == 0 ? (uint64_t)sb.st_size : trace_reader_bytes(r),
	    trace_reader_text_bytes(r), out);
	e = 0;
done:
	trace_reader_close(r);
	json_decref(hdr);
	json_decref(ftr);
	json_decref(st.unknown);
	json_decref(st.tasks);
	json_decref(st.files);
	free(st.row);
	return e;
}

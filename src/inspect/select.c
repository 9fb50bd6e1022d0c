/* select.c: event selection for dios-trace. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inspect/select.h"
#include "trace/blobline.h"
#include "trace/number.h"

void
tracesel_init(struct tracesel *s)
{
	memset(s, 0, sizeof *s);
	s->to = UINT64_MAX;
}

void
tracesel_free(struct tracesel *s)
{
	free(s->row);
	s->row = NULL;
}

static int
add_item(struct tracesel *s, const char *item, char *err, size_t errlen)
{
	const struct sc_desc *sc;
	const char *name = item[0] == '%' ? item + 1 : item;

	for (int c = 0; c < CLS__N; c++)
		if (strcmp(name, sc_class_name((enum sc_class)c)) == 0) {
			s->cls[c] = true;
			return 0;
		}
	if (strcmp(item, "rdtsc") == 0 || strcmp(item, "rdtscp") == 0) {
		s->rdtsc = true;
		return 0;
	}
	if ((sc = sc_by_name(item)) != NULL) {
		s->row[sc - sc_table] = true;
		return 0;
	}
	snprintf(err, errlen, "-e trace: '%s' is neither a class (file, fd, clock, random, id, net, "
	    "proc, signal, mem) nor a system call dios records", item);
	return -EINVAL;
}

int
tracesel_parse(struct tracesel *s, const char *spec, char *err, size_t errlen)
{
	char *copy, *item, *save = NULL;
	int e = 0;

	if (strncmp(spec, "trace=", 6) == 0)
		spec += 6;
	else if (strchr(spec, '=')) {
		snprintf(err, errlen, "-e '%s': only trace=... is known (for example -e trace=file,read)", spec);
		return -EINVAL;
	}
	if (s->row == NULL && (s->row = calloc(sc_count, sizeof *s->row)) == NULL)
		return -ENOMEM;
	if (spec[0] == '!') {
		s->negate = true;
		spec++;
	}
	if (spec[0] == '\0') {
		snprintf(err, errlen, "-e trace= needs a list of classes or system calls");
		return -EINVAL;
	}
	if ((copy = strdup(spec)) == NULL)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item && e == 0; item = strtok_r(NULL, ",", &save))
		e = add_item(s, item, err, errlen);
	free(copy);
	s->by_call = true;
	return e;
}

bool
trace_line_is_event(const json_t *o)
{
	return json_is_object(o) && !blob_is_line(o) && json_object_get(o, "end") == NULL &&
	    json_object_get(o, "aborted") == NULL;
}

bool
tracesel_match(const struct tracesel *s, const json_t *ev)
{
	int64_t seq, tid;
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const char *what = json_string_value(json_object_get(ev, "event"));
	bool in;

	if (blob_is_line(ev))
		return false;
	if (json_int64_get(json_object_get(ev, "seq"), &seq) == 0 &&
	    ((uint64_t)seq < s->from || (uint64_t)seq > s->to))
		return false;
	if (s->has_tid && (json_int64_get(json_object_get(ev, "tid"), &tid) < 0 || tid != s->tid))
		return false;
	if (!s->by_call)
		return true;
	if (sys) {
		const struct sc_desc *sc = sc_by_name(sys);
		in = sc && (s->cls[sc->cls] || s->row[sc - sc_table]);
	} else if (what && (strcmp(what, "rdtsc") == 0 || strcmp(what, "rdtscp") == 0)) {
		in = s->rdtsc || s->cls[CLS_CLOCK];
	} else if (what && strcmp(what, "signal") == 0) {
		return true;
	} else
		in = s->cls[CLS_PROC];
	return in != s->negate;
}

/* select.h: which events of a trace a dios-trace command looks at:
 * strace's -e trace=CLASS|NAME,..., a task, a range of event numbers.
 * Owner: src/inspect/select.c.  Nothing here exits or prints.
 */
#ifndef DIOS_TRACESEL_H
#define DIOS_TRACESEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "sys/systable.h"

struct tracesel {
	bool by_call;		/* a trace= set was given */
	bool negate;		/* trace=!... : everything but the set */
	bool cls[CLS__N];	/* classes in the set */
	bool *row;		/* sc_table rows in the set (sc_count entries; owned) */
	bool rdtsc;		/* rdtsc and rdtscp events in the set */
	bool has_tid;
	long long tid;
	uint64_t from, to;	/* event numbers, inclusive; to = UINT64_MAX: no end */
};

/* Everything selected.  Release with tracesel_free. */
void tracesel_init(struct tracesel *s);
void tracesel_free(struct tracesel *s);
/* Adds the list of an -e option ("trace=file,read", "trace=!clock", or
 * without "trace=").  Classes are the table's (file, fd, clock, random, id,
 * net, proc, signal, mem; "%file" too), names its rows and "rdtsc"/"rdtscp".
 * 0, or -EINVAL with the offending item named in err. */
int tracesel_parse(struct tracesel *s, const char *spec, char *err, size_t errlen);
/* Is line o of a trace (after its header) an event: not the footer, nor a
 * blob line of a portable trace (file contents, which the events name by
 * their SHA-256)?  What every command that walks the events skips. */
bool trace_line_is_event(const json_t *o);
/* True when event ev (numbered seq) is selected (never a blob line).  Signals are shown whatever
 * the trace= set, as strace does; rdtsc reads belong to class clock. */
bool tracesel_match(const struct tracesel *s, const json_t *ev);

#endif

/* check.h: checks a whole trace against format v1 (man/dios-trace.5)
 * in one streaming pass, before replay starts or while it runs (and for
 * dios-trace validate).  Owner: src/inspect/check.c. */
#ifndef DIOS_TRACECHECK_H
#define DIOS_TRACECHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sched.h>
#include <jansson.h>
#include "trace/blobline.h"

struct trace_summary {
	json_t *header;		/* line 1 (owned) */
	json_t *footer;		/* the last line, NULL when cut short (owned) */
	uint64_t events;	/* complete events */
	uint64_t calls;		/* system call events with a result (the footer's count) */
	bool truncated;		/* no footer: the recording was cut short */
	char aborted[256];	/* non-empty: the recording stopped at an unsupported call */
};

/* Checks the trace at path.  0 when it is a valid v1 trace (possibly cut
 * short: see s->truncated); otherwise -errno with a one-line message naming
 * the file and line in err.  Release s with trace_summary_free. */
int trace_check(const char *path, struct trace_summary *s, char *err, size_t errlen);

/* What the check calls back as it goes, in the thread that checks; a
 * negative return from any stops the check with that error and its message,
 * prefixed with the trace's name (and line).  Each may be NULL. */
typedef int (*trace_line_fn)(void *ctx, const json_t *line, char *err, size_t errlen);
struct trace_check_fns {
	/* Each event, once checked. */
	trace_line_fn event;
	/* The content of each blob line (dios-trace(5), BLOB LINES), once
	 * checked by blob_check_line (trace/blobline.h): a file's last chunk
	 * comes only once its whole content matched its SHA-256. */
	int (*blob)(void *ctx, const struct blob_chunk *c, char *err, size_t errlen);
	/* Once the whole trace passed: each file whose content came whole and
	 * that the trace names (the content of the others is to be dropped). */
	int (*keep)(void *ctx, const char *sha, char *err, size_t errlen);
	void *ctx;
};
/* trace_check, reading path but naming the trace name in messages (a copy
 * of a trace that came on a pipe, trace/spool.h, is named as the user gave
 * it; NULL: path), calling back fns (NULL: none). */
int trace_check_each(const char *path, const char *name, struct trace_summary *s,
    const struct trace_check_fns *fns, char *err, size_t errlen);
/* Line 1 only: the header, checked as above; the rest is not read (a
 * check of the whole follows, trace_check_start).  Leaves s->footer NULL and
 * s->truncated false. */
int trace_check_head(const char *path, const char *name, struct trace_summary *s, char *err,
    size_t errlen);
void trace_summary_free(struct trace_summary *s);

/* trace_check_each(path, name, s, fns, ...) in a thread of its own on the
 * CPUs in cpus (NULL: any), fns called in that thread, while the caller goes
 * on (dios-replay runs the program meanwhile).  trace_check_wait waits for
 * it, fills s and err as trace_check_each would, returns its result and
 * frees the job.  Each job must be waited for exactly once. */
struct trace_check_job;
int trace_check_start(struct trace_check_job **j, const char *path, const char *name,
    const struct trace_check_fns *fns, const cpu_set_t *cpus);
int trace_check_wait(struct trace_check_job *j, struct trace_summary *s, char *err, size_t errlen);
/* Waits until the running check j has passed line (1-based) of the trace:
 * 0 then; when the check ended without passing it, its error (< 0; the
 * message comes from trace_check_wait).  Nothing may act on a line before
 * this said 0 for it.  Call it from one thread, before trace_check_wait. */
int trace_check_reached(struct trace_check_job *j, uint64_t line);

#endif

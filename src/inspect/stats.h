/* stats.h: the figures of a trace for `dios-trace stats`: calls, errors
 * and bytes per system call and per class, tasks, duration, files touched,
 * compression.  One streaming pass; memory is bounded by the table, the
 * number of tasks and TRACESTAT_MAX_FILES, not by the trace's length.
 * Owner: src/inspect/stats.c.  Nothing here exits.
 */
#ifndef DIOS_TRACESTAT_H
#define DIOS_TRACESTAT_H
#include <stddef.h>
#include <stdio.h>
#include "inspect/select.h"

/* Distinct paths listed; more are counted, not named. */
#define TRACESTAT_MAX_FILES 10000

/* Reads the trace at path and writes its figures to out, counting only the
 * events sel selects (NULL: all).  0, or -errno with a one-line message
 * naming the file (and line) in err. */
int trace_stats(const char *path, const struct tracesel *sel, FILE *out, char *err, size_t errlen);

#endif

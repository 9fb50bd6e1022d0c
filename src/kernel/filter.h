/* filter.h: the seccomp filter, built with libseccomp from the syscall
 * table.  Owner: src/kernel/filter.c. */
#ifndef DIOS_FILTER_H
#define DIOS_FILTER_H
#include <stdbool.h>
#include <stdint.h>

/* Builds the filter and loads it into the calling process (the child, just
 * before exec; no_new_privs is set first).  Calls that stay inside the
 * process are allowed; every other call (in the table or not) returns
 * SCMP_ACT_TRACE.  Returns 0 or -errno. */
/* serial: the rows marked SC_SERIAL (futex) are traced too, for the
 * one-at-a-time schedule (kernel.h, serial); otherwise they run natively. */
/* fast_site: the agent's allowed system-call address (fastpath.h); then
 * its calls (clock_gettime, gettimeofday, time, gettid) are traced by a
 * second filter everywhere else.  0: no fast path. */
int filter_load(bool serial, uint64_t fast_site);

/* Names of the calls allowed to run untraced, NULL-terminated. */
extern const char *const filter_native[];

#endif

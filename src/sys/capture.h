/* capture.h: the table-driven part of every intercepted call: reading its
 * inputs at entry and outputs at exit from the task's memory, the JSON event,
 * replay matching and injection.  Owner: src/sys/capture.c.
 */
#ifndef DIOS_CAPTURE_H
#define DIOS_CAPTURE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <sys/types.h>
#include "sys/call.h"
#include "trace/number.h"	/* the integers of events: json_int64, json_int64_get */

/* Largest buffer captured from one argument: the most the kernel reads or
 * writes in one call (MAX_RW_COUNT, 2 GiB - 4 KiB); a trace line holds it
 * as base64 (TRACE_MAX_LINE). */
#define CAPTURE_MAX 0x7ffff000u

/* Builds c->args from the task's memory (inputs). */
int capture_entry(pid_t tid, struct call *c);
/* Builds c->out from the task's memory (outputs), after c->ret is set. */
int capture_exit(pid_t tid, struct call *c);
/* fanotify.c: a read c of task tid that returned the n bytes at buf: when
 * they are events of a fanotify descriptor, the descriptors the kernel
 * opened for them go into c->extra as "newfds" {fds, cloexec}.  0 or
 * -ENOMEM. */
int fanotify_read_fds(pid_t tid, struct call *c, const void *buf, size_t n);
/* Writes the outputs in out (an event's "out") into the task's memory at
 * the pointers of c; ret is the recorded result.  -EINVAL when out does not
 * fit c (an edited trace asking more than the buffer holds). */
int inject_out(pid_t tid, struct call *c, const json_t *out, long ret);

/* Is input key of a call of row sc (its inputs args) one that matching and
 * the diff compare?  Not pointers, nor what the call's command ignores
 * (sc_family unused). */
bool arg_compared(const struct sc_desc *sc, const json_t *args, const char *key);
/* Compares the recorded inputs want with the actual got for row sc.
 * Returns 0 when equal, else 1 and *which names the first differing input. */
int args_compare(const struct sc_desc *sc, const json_t *want, const json_t *got,
    const char **which);

/* New event object {"seq","tid","sys","args","ret"|"err","out",...extra}. */
json_t *event_new(uint64_t seq, pid_t vtid, const struct call *c);
/* The result of a recorded event: its "ret", or -errno from "err".
 * -EINVAL when it has neither or they are malformed (*ok = 0). */
long event_result(const json_t *ev, int *ok);

/* Gathers up to limit bytes from the cnt iovecs at addr of task tid: a new
 * bytes value, or NULL with *err (-EINVAL past 1024 iovecs, -E2BIG past
 * CAPTURE_MAX). */
json_t *gather_iov(pid_t tid, uint64_t addr, uint64_t cnt, uint64_t limit, int *err);
/* The len bytes in at addr of task tid, for a command's buffer argument: a
 * new bytes value, JSON null when addr is 0, or NULL with *err (-EINVAL
 * when len passes max, else mem_dup's error). */
json_t *capture_inbuf(pid_t tid, uint64_t addr, uint64_t len, uint64_t max, int *err);
/* Scatters the n bytes at p across the cnt iovecs at addr of task tid;
 * -EINVAL when they do not hold n bytes. */
int scatter_iov(pid_t tid, uint64_t addr, uint64_t cnt, const void *p, size_t n);

/* Does c change the descriptor table: make descriptors (SC_NEWFD, or a
 * family that lists new ones) or run for real in replay (close, dup2...)? */
bool call_changes_fds(const struct call *c);

/* The descriptor c writes to, and in *buf the bytes it wrote as the trace
 * holds them (its data argument, or its outputs' "data" for sendfile and
 * copy_file_range), for the calls whose written bytes the trace holds
 * (write, writev, pwrite64, pwritev, pwritev2, sendfile, copy_file_range);
 * for splice and tee, which move bytes from a pipe that no event holds,
 * the descriptor with *buf NULL; -1 for any other.  args and out are the event's (NULL: none).  What
 * record digests and replay shows of the program's stdout and stderr. */
int call_written(const struct call *c, const json_t *args, const json_t *out, const json_t **buf);

/* Why replay cannot answer c, matched with an event of result ret, from
 * the trace: a static string for "event N: ... cannot stand in for it: %s",
 * or NULL when it can.  A call that failed when recording changed nothing:
 * NULL.  Otherwise the row's SC_SYSTEM or SC_OPAQUE, or its family's
 * refuse hook, says. */
const char *sc_replay_refusal(const struct call *c, long ret);

/* Was a call with result ret interrupted by a signal: -EINTR, or one of
 * the kernel's -ERESTART* (512..516) a tracer sees at its exit? */
bool call_interrupted(long ret);
/* Is ret one of the -ERESTART* results (512..516), which the kernel turns
 * into a restart or -EINTR as the signal's handler says? */
bool call_restarts(long ret);

/* Sets key of *obj (made when NULL) to j, taking ownership of j (NULL:
 * -ENOMEM, as from a failed json_*()).  0 or -ENOMEM. */
int obj_set_new(json_t **obj, const char *key, json_t *j);

#endif

/* proxy.h: the record module (DESIGN.md: proxy).  Every intercepted call
 * runs on the host; at its exit the result and outputs are written to the
 * trace as one event.  Owner: src/proxy/proxy.c (the hooks),
 * src/proxy/direct.c (the direct calls), src/proxy/header.c (the trace
 * header), src/proxy/order.c (the order of writes, the digests of what
 * was shown); private to them: src/proxy/internal.h.
 */
#ifndef DIOS_PROXY_H
#define DIOS_PROXY_H
#include <stdint.h>
#include <stdio.h>
#include "kernel/kernel.h"
#include "trace/io.h"

struct proxy_conf {
	struct trace_writer *w;		/* not owned */
	char *const *argv;		/* as given to the program */
	char *const *envp;
	/* Called for warnings (unknown syscall, unsupported call); NULL: none. */
	void (*warn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	FILE *log;			/* -v: each event, strace-like; NULL: none */
	bool portable;			/* --portable: blob lines for mapped files */
	bool serial;			/* the one-at-a-time schedule: "serial" in the header */
	/* Changes what the program sees (perturb.h: --chaos, --inject); NULL:
	 * nothing.  Not owned. */
	struct perturber *perturb;
	bool stacks;			/* --stacks: a "stack" in every system call's event
					 * (else only in the events perturb changed) */
	/* The fast path (fastpath.h): clock reads recorded in the process by
	 * the agent, without a stop.  Needs the program spawned with
	 * fastpath_site() in its filter; not with perturb or stacks. */
	bool fast;
};

struct proxy_stats {
	uint64_t events;
	int write_error;		/* first -errno from the trace writer; the program
					 * then runs on unrecorded */
	uint64_t write_error_seq;	/* the first event that may be missing */
	const char *aborted;		/* non-NULL: why the recording stopped early */
	json_t *unknown;		/* names of unknown syscalls seen -> count (owned by the module) */
	unsigned order_broken;		/* writes that held their object too long (order.c) */
	uint64_t fast_events;		/* events of calls the agents recorded (fast.c) */
	unsigned fast_lost;		/* calls of the agents that made no event (fast.c) */
};

/* New record module (release with proxy_free). */
struct module *proxy_new(const struct proxy_conf *conf);
const struct proxy_stats *proxy_stats(const struct module *m);
/* Writes the footer for the run that ended with waitpid status (or, when
 * aborted, with none).  Returns 0 or -errno. */
int proxy_finish(struct module *m, const struct kernel *k);
void proxy_free(struct module *m);
/* Called every second (the kernel's tick): see order.c. */
void proxy_tick(struct module *m, struct kernel *k);

/* The trace header for the program stopped at its first exec (header.c). */
json_t *header_new(pid_t pid, char *const argv[], char *const envp[],
    json_t *exe, json_t *at_random);
/* The arguments the new program of task pid was given, stopped at its
 * exec (/proc/PID/cmdline): for a script, what the kernel made of them
 * (the interpreter, its argument, the script's path, the rest); NULL when
 * they cannot be read (header.c). */
json_t *exec_argv(pid_t pid);
/* The AT_RANDOM bytes of task tid as bytes JSON, NULL on failure. */
json_t *at_random_get(pid_t tid);

#endif

/* call.h: one system call in progress, as the kernel loads it from a
 * seccomp stop and the modules, capture and the families read and fill it.
 * Owner: the task that makes the call (struct task's call); call_reset
 * (src/sys/capture.c) frees what it owns.
 */
#ifndef DIOS_CALL_H
#define DIOS_CALL_H
#include <stdint.h>
#include <sys/user.h>
#include <jansson.h>
#include "sys/systable.h"

/* One system call in progress. */
struct call {
	long nr;
	const struct sc_desc *sc;	/* NULL: not in the table */
	uint64_t a[6];			/* raw arguments */
	long ret;			/* raw result: >= 0, or -errno */
	json_t *args;			/* inputs, as in the trace (owned) */
	json_t *out;			/* outputs (owned), NULL when none */
	json_t *extra;			/* other event keys, e.g. "map" (owned) */
	uint64_t sp;			/* stack pointer at entry */
	struct user_regs_struct regs;	/* registers at the seccomp stop */
};

void call_reset(struct call *c);

#endif

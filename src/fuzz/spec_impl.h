/* spec_impl.h: the fault spec's rules as spec.c builds them and
 * specdecide.c matches them against calls (private to src/fuzz).
 * Owner: src/fuzz/spec.c (specdecide.c reads them, and counts). */
#ifndef DIOS_SPEC_IMPL_H
#define DIOS_SPEC_IMPL_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "sys/systable.h"

#define MAX_ARGS	6		/* args: entries of one rule */
#define MAX_TIDS	64		/* tid: entries of one rule */

struct argpred {
	char *name;
	char *value;		/* as written */
	bool is_num;
	int64_t num;
};

struct rule {
	char why[80];		/* "inject:N" or "inject:NAME" */
	char *name;
	unsigned char *calls;	/* sc_count flags; NULL: every call */
	char *path, *fdpath, *process;
	struct argpred args[MAX_ARGS];
	int nargs;
	uint64_t first, last, step;	/* when= */
	char *when;
	bool has_prob;
	double prob;
	pid_t tids[MAX_TIDS];
	int ntids;
	/* the action */
	int error;
	bool retval_set;
	long retval;
	int signal;
	unsigned delay_enter_us, delay_exit_us;
	bool has_delay_enter, has_delay_exit;
	uint64_t shortn;
	bool short_half, has_short;
	bool force;
	unsigned long line;	/* where it starts (YAML), 0: strace's syntax */
	json_t *json;		/* what it says, for the header */
	uint64_t matched, applied;
};

struct spec {
	struct rule *rules;
	size_t n;
	uint64_t seed, rng;
};

/* The index of sc's argument called name; -1 when it has none. */
int spec_arg_index(const struct sc_desc *sc, const char *name);

#endif

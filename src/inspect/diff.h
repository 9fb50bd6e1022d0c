/* diff.h: `dios-trace diff`: aligns two traces of one program and
 * reports where the environment answered differently or the program asked
 * differently.  Both traces are streamed; memory is bounded by the
 * resynchronisation window, not by their length.
 * Owner: src/inspect/diff.c.  Nothing here exits.
 *
 * Alignment: the events are walked in step.  Two events correspond when
 * they are the same call with the same inputs (pointers aside, as replay
 * compares them, and an input that holds the id of a task, such as
 * kill's pid or the thread id a joining futex waits on, equal when the
 * ids are of corresponding tasks) by corresponding tasks (the headers' pids, then the
 * children of corresponding fork, vfork and clone calls, then the rest in
 * the order they first meet); their results may differ, and such a
 * difference is counted by kind.  When the heads are by tasks that do not
 * correspond, the task's own next event is looked for within `window`
 * events of the other side, and when it is the same call the two are taken
 * out of step (counted as DK_ORDER): the runs interleaved their tasks
 * differently, and each task's calls are still compared with its
 * counterpart's.  When the calls differ, the next point
 * where both traces agree again on `sync` calls in a row is searched within
 * `window` events of each side, nearest first; the events skipped there are
 * counted as asked differently (as many as both sides skipped) and as only
 * in A or only in B (the rest).  When there is no such point, the two events
 * count as one call asked differently and the walk goes on.
 */
#ifndef DIOS_TRACEDIFF_H
#define DIOS_TRACEDIFF_H
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

struct fdpaths;

enum diff_kind {
	DK_TIME,	/* clock reads, sleeps, rdtsc: values differ */
	DK_RANDOM,	/* getrandom, reads of /dev/urandom and /dev/random */
	DK_IDS,		/* pids, user ids, uname, sysinfo, CPU numbers */
	DK_CONTENTS,	/* file contents: reads return other bytes */
	DK_DIRORDER,	/* getdents64: other entries, or another order */
	DK_METADATA,	/* stat and friends: other inodes, sizes, times */
	DK_ERRORS,	/* a call failed in one trace only, or with another error */
	DK_OTHER,	/* any other result */
	DK_CALLS,	/* the program asked differently: another call or other inputs */
	DK_ORDER,	/* a task's call came at another place among the other tasks' */
	DK_ONLY_A,	/* events with no counterpart in B */
	DK_ONLY_B,	/* events with no counterpart in A */
	DK_END,		/* the programs ended differently (footers) */
	DK__N
};

/* The kinds ignored by default: they differ between any two runs. */
#define DIFF_IGNORE_DEFAULT ((1u << DK_TIME) | (1u << DK_RANDOM) | (1u << DK_IDS) | (1u << DK_METADATA) | \
	(1u << DK_ORDER))

struct tracediff_opts {
	unsigned ignore;	/* kinds (1 << DK_*) counted but neither reported first nor in the status */
	size_t window;		/* events searched on each side to resynchronise (default 64) */
	size_t sync;		/* calls that must agree in a row to resynchronise (default 3) */
	size_t strsize;		/* strace -s for the rendered events (default 32) */
	int brief;		/* print nothing; the status says it */
	/* When set, called for every difference counted, in the order of the
	 * walk, ignored kinds included: a and b are the two events (NULL for no
	 * counterpart, both NULL for DK_END), fa and fb the descriptor tables as
	 * they stand before them, why the reason text or NULL.  Nothing passed
	 * is owned by the callee or valid after it returns.  For tools
	 * (dios-flaky explain); the printed report is the same with or without. */
	void (*on_diff)(void *ctx, enum diff_kind k, const json_t *a, const json_t *b,
	    const struct fdpaths *fa, const struct fdpaths *fb, const char *why);
	void *ctx;
};

/* The kind's name as printed and parsed ("time", "random", "ids",
 * "contents", "dirorder", "metadata", "errors", "other", "calls", "order",
 * "only-a", "only-b", "end"). */
const char *tracediff_kind_name(enum diff_kind k);
/* Parses a comma-separated list of kind names ("" is none) into *mask.  0 or
 * -EINVAL with the unknown name in err. */
int tracediff_parse_kinds(const char *list, unsigned *mask, char *err, size_t errlen);

/* Compares the traces at a and b and writes the report to out.  Returns 0
 * when they agree (apart from the ignored kinds), 1 when they differ, or
 * -errno with a one-line message naming the file (and line) in err. */
int trace_diff(const char *a, const char *b, const struct tracediff_opts *o, FILE *out,
    char *err, size_t errlen);

#endif

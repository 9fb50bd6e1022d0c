/* replay.h: the replay module (DESIGN.md: replay rules).  Intercepted calls
 * are answered from the trace; the first call that differs from the
 * recording stops the run with a report.  Owner: src/replay/replay.c (the
 * module and its hooks), with order.c, report.c (replay_outcome,
 * replay_tick), fds.c, maps.c, signals.c and ids.c; internal.h, private to
 * src/replay, says which owns what.
 */
#ifndef DIOS_REPLAY_H
#define DIOS_REPLAY_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "trace/blobstore.h"
#include "trace/elfinterp.h"
#include "kernel/kernel.h"
#include "trace/io.h"

struct replay_conf {
	struct trace_reader *r;		/* positioned after the header; not owned */
	/* The fast path (src/agent/README): the agent answers clock reads in
	 * the program.  Needs the program spawned with fastpath_site() in its
	 * filter; not with model or mutate. */
	bool fast;
	const json_t *header;		/* not owned */
	bool quiet;			/* do not show the program's stdout/stderr writes */
	bool realtime;			/* sleep as recorded */
	unsigned timeout;		/* seconds without progress that make a divergence; 0: none */
	FILE *log;			/* -v: each matched event; NULL: none */
	/* A portable trace: mapped and executed files come from this cache,
	 * never from host paths (not owned); NULL: from the host paths. */
	struct blobstore *bs;
	/* Any trace: where the check put the content of the files the
	 * program made as it ran, which the trace carries (a "map" with
	 * "carried": true); read once conf.gate passed.  NULL: nowhere. */
	struct blobstore *const *carried;
	/* The interpreter bytes to give back to the program after its first
	 * exec (blobstore_exec_copy); NULL or orig NULL: none. */
	const struct elf_interp *first_fix;
	/* Called once, before the first of the program's output is shown
	 * (dios-replay waits there for the check of the trace it runs
	 * meanwhile): a negative return stops the run as an error with the
	 * message gate put in err.  NULL: none. */
	int (*gate)(void *ctx, char *err, size_t errlen);
	void *gate_ctx;
	/* With the check running meanwhile: called (with gate_ctx) for each
	 * line read from the trace before anything is made of it; returns 0
	 * once the check passed that line, < 0 when the check failed before
	 * (the run then stops; gate has the message).  NULL: the whole trace
	 * was checked before. */
	int (*checked)(void *ctx, uint64_t line);
	/* dios-replay --model: where the run leaves the recording (the first
	 * call that differs, an end before the recording's), it goes on
	 * against this model of the environment (src/model/model.h, not
	 * owned), which is given every event answered; NULL: the run stops
	 * there with a divergence report. */
	struct model *model;
	/* Calls the model may answer before the run counts as a hang (a loop
	 * of calls that never ends); 0: 100000. */
	uint64_t model_limit;
	/* dios-replay -o: every event of the run, as it was answered (from the
	 * trace or the model), is written here in order, renumbered, so that
	 * the trace replays this run strictly (not owned); NULL: none. */
	struct trace_writer *out;
	/* dios-replay --mutate (dios-fuzz): called for each call of task vtid
	 * (real id tid)
	 * answered from the trace or the model, with sys the name events give
	 * it and ev its answer (borrowed), or ev NULL where the call runs for
	 * real after the run left the recording (it is only counted); returns
	 * the answer the program gets instead (a new reference), or NULL for
	 * ev as it is.  NULL: none. */
	json_t *(*mutate)(void *ctx, pid_t vtid, pid_t tid, const char *sys, const json_t *ev);
	void *mutate_ctx;
	/* dios-replay --at-exit kill: the replay ends with the program (the
	 * root), the kernel kills the tasks it left (end_with_root), and the
	 * events the recording has after the program's end are not replayed:
	 * the outcome is the program's end against the recorded one. */
	bool end_with_root;
};

enum replay_outcome {
	RO_RUNNING,
	RO_MATCHED,		/* every event matched and the program ended as recorded */
	RO_DIVERGED,		/* report() says where and how */
	RO_ERROR,		/* dios could not go on: bad trace, changed files... */
	RO_CUT_SHORT,		/* the recording was cut short and replay reached its end */
	RO_MODELLED,		/* the run left the recording and went on against the model to its end */
	RO_HANG,		/* with the model: a loop of calls that never ends (model_limit) */
};

struct module *replay_new(const struct replay_conf *conf);
void replay_free(struct module *m);

/* After kernel_run: decides the outcome (comparing the end of the run with
 * the footer) and returns it.  The report is in *msg (owned by the module;
 * several lines for a divergence, one for an error). */
enum replay_outcome replay_outcome(struct module *m, const struct kernel *k, const char **msg);
/* After replay_outcome, with conf.end_with_root: how many events of the
 * recording came after the program's end (not replayed), the first in
 * *from; 0 when none. */
uint64_t replay_rest(struct module *m, uint64_t *from);
uint64_t replay_matched(const struct module *m);
/* With conf.model: the report of where the run left the recording (NULL:
 * it did not), and the number of events written to conf.out. */
const char *replay_left(const struct module *m);
uint64_t replay_written(const struct module *m);
/* The bytes the program moved to the recording's stdout or stderr with
 * splice or tee, from a pipe: the trace does not hold them, so replay did
 * not show them again. */
uint64_t replay_unshown(const struct module *m);
/* Called every second (kernel tick): stops the run with a report when the
 * program made no progress for conf.timeout seconds outside sleeps. */
int replay_tick(struct module *m, struct kernel *k);

#endif

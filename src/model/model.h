/* model.h: the environment model (DESIGN.md, "the model"; DiOS's VFS,
 * Klever's environment model): what a trace saw of the program's
 * environment, to answer the calls of a run that left the recording (a
 * mutated trace in dios-fuzz, or `dios-replay --model`).
 *
 * Built in two steps.  model_learn reads a whole trace once and keeps what
 * it saw: each file by absolute path (whether it opened or with which
 * error, its stat, the bytes read from it by offset, its listing, the file
 * a mapping of it named), the data read from each pipe, socket or other
 * stream in order, the last clock readings, and the answer of every other
 * call by its inputs.  Then, as replay runs, model_follow is given every
 * event replay answered (from the trace or from the model), so the model
 * knows the descriptor tables, offsets and directories of the run; once the
 * run left the recording, model_answer answers a call: a file's bytes at
 * its offset, a stream's next recorded data, a listing, a stat; writes
 * succeed into a private overlay (a written or created file reads back
 * what was written; no host file is touched); the clocks go on from their
 * last reading; random bytes come from a seeded generator; other calls get
 * the answer the recording gave the same inputs.  Paths the trace never
 * saw are ENOENT.  A call the model cannot answer gets ENOSYS (fork, vfork
 * and clone: EAGAIN) and is counted with its reason.
 *
 * Memory: the bytes the program read and wrote, the distinct calls, the
 * open descriptors: not the length of the trace.  Owner: src/model/model.c.
 * Nothing here exits or prints.
 */
#ifndef DIOS_MODEL_H
#define DIOS_MODEL_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>
#include "sys/call.h"

struct model;

struct model_stats {
	uint64_t followed;	/* events of the recording replay answered */
	uint64_t answered;	/* calls the model answered */
	uint64_t unmodelled;	/* of those, the ones it could not: ENOSYS, EAGAIN */
	json_t *why;		/* reason -> count ("poll", "read of an unseen part of /x") (owned) */
};

/* A model for the trace whose header is header (not kept), random bytes
 * from seed.  NULL on ENOMEM. */
struct model *model_new(const json_t *header, uint64_t seed);
void model_free(struct model *m);

/* Learns from the trace at path (read through once, on its own).  0, or
 * -errno with a message naming the file in err. */
int model_learn(struct model *m, const char *path, char *err, size_t errlen);

/* Follows event ev of the run (a call or task event, the trace's form),
 * in the order replay answered them. */
void model_follow(struct model *m, const json_t *ev);

/* Answers call c (inputs captured in c->args) of task vtid, stopped at its
 * entry as real task tid (whose memory says how large a readv's buffers
 * are): a new event in the trace's form, without "seq" (caller owns it);
 * it is followed already.  NULL on ENOMEM. */
json_t *model_answer(struct model *m, pid_t vtid, pid_t tid, const struct call *c);

/* The same, not followed yet: the caller may change the answer (dios-replay
 * --mutate) and then gives what the program got to model_follow_answer. */
json_t *model_answer_held(struct model *m, pid_t vtid, pid_t tid, const struct call *c);
void model_follow_answer(struct model *m, const json_t *ev);

const struct model_stats *model_stats(const struct model *m);

#endif

/* mutate.h: dios-fuzz's mutation operators (issue 12, item 1), each on one
 * event, and plans: the mutations of one run, applied by dios-replay
 * --mutate as it answers the calls.  The run goes on with dios-replay
 * --model: where the program takes another path, the environment model
 * answers (src/model/model.h).
 *
 * Operators (dios-fuzz(1)):
 *   error  the call fails with an errno it can really return (errtab.h)
 *   short  a read returns fewer bytes (its data cut), a write writes fewer
 *   eintr  a call that can be interrupted fails with EINTR
 *   flip   one bit of the data a read returned is flipped
 *   clock  a clock reading jumps: 10 s back, or an hour on, or reads the
 *          same as the task's reading of that clock before it
 *   dirs   a directory listing's entries come in another order
 *   stat   a stat's size is 0, doubled or halved, or its times an hour back
 *   bytes  data a read returned changed at one place: a byte set to a
 *          value parsers trip on (0, 0xff, 0x7f, 0x80, 1, ' ', '\n', '%'), a
 *          32-bit value set to one (0, -1, INT_MAX, INT_MIN), 16 bytes
 *          zeroed, or a token of the recording (a dictionary: words of the
 *          data it read, the paths it named) written over it
 * Owner: src/fuzz/mutate.c.  Nothing here exits or prints.
 */
#ifndef DIOS_MUTATE_H
#define DIOS_MUTATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum mut_op { MO_ERROR, MO_SHORT, MO_EINTR, MO_FLIP, MO_CLOCK, MO_DIRS, MO_STAT, MO_BYTES, MO__N };

/* MO_BYTES's changes (the low byte of arg; the place is arg >> 8). */
enum { MB_VALUES = 8, MB_INT32 = 8, MB_ZERO16 = 12, MB_TOKEN = 13, MB__N = 14 };

/* The dictionary of MO_BYTES: tokens of a trace (mut_dict_learn). */
#define MUT_TOKEN_MAX 32
struct mut_dict {
	unsigned char tok[64][MUT_TOKEN_MAX];
	unsigned char len[64];
	size_t n;
};
/* Adds the tokens of event ev (words of the data it read, the paths it
 * named) to d, while it has room. */
void mut_dict_learn(struct mut_dict *d, const json_t *ev);

struct mutation {
	uint64_t seq;		/* the event changed (in the trace it was chosen from) */
	int64_t tid;		/* which call of the run it changes: task tid's */
	uint64_t nth;		/* nth call of sys (1 = its first), as a run's tasks count */
	enum mut_op op;
	int err;		/* MO_ERROR: the errno */
	uint64_t arg;		/* MO_SHORT: the new result; MO_FLIP: the bit; MO_CLOCK: 0 back, 1 on,
				 * 2 the same as before; MO_DIRS: the shuffle's seed; MO_STAT: 0 size 0,
				 * 1 doubled, 2 halved, 3 times back; MO_BYTES: MB_* | place << 8 */
	unsigned char tok[MUT_TOKEN_MAX];	/* MO_BYTES MB_TOKEN: the token */
	size_t ntok;
	char sys[32];		/* the call, for reports */
};

const char *mut_op_name(enum mut_op op);
/* Parses "error,short,..." or "all" into *mask (1 << MO_*).  0, or -EINVAL
 * with the unknown name in err. */
int mut_parse_ops(const char *list, unsigned *mask, char *err, size_t errlen);

/* Whether op can change event ev (a call event of the trace). */
bool mut_applies(enum mut_op op, const json_t *ev);

/* Fills m for op on event ev, its choices drawn from *rng (an errno of the
 * call, a cut, a bit...; d: MO_BYTES's tokens, or NULL).  false when op does
 * not apply. */
bool mut_choose(enum mut_op op, const json_t *ev, uint64_t *rng, const struct mut_dict *d, struct mutation *m);

/* ev changed by m: a new event (caller owns it), NULL on ENOMEM, or when m
 * needs what came before (MO_CLOCK 2: before, the task's earlier reading
 * of that clock, or NULL) and there is none. */
json_t *mut_apply(const struct mutation *m, const json_t *ev, const json_t *before);

/* m as JSON ({"seq", "tid", "nth", "sys", "op", "err"|"arg", "tok"}) and back. */
json_t *mut_to_json(const struct mutation *m);
int mut_from_json(const json_t *j, struct mutation *m);

/* The call event numbered seq of the trace at path (new reference), or
 * NULL with a message in err. */
json_t *mut_event_at(const char *path, uint64_t seq, char *err, size_t errlen);

/* The count by which a plan names a call: task vtid's nth call of sys.
 * One counter for replay (the plan), the campaign's scan of a trace, the
 * oracles and min, so that all count calls alike.  Memory: the distinct
 * (task, call) pairs. */
struct mut_calls;
struct mut_calls *mut_calls_new(void);
void mut_calls_free(struct mut_calls *c);
/* Counts a call of sys by vtid: its number (1 = the first), 0 on ENOMEM
 * or a name too long to be a call's. */
uint64_t mut_calls_count(struct mut_calls *c, int64_t vtid, const char *sys);
/* The number the next such call would get (0: a name too long). */
uint64_t mut_calls_next(const struct mut_calls *c, int64_t vtid, const char *sys);

/* A plan: the mutations of one run, applied as dios-replay answers the
 * calls (dios-replay --mutate FILE), whether the answer comes from the
 * trace or from the environment model: each names its call by task and
 * by the count of that task's calls of that system call (tid, nth, sys),
 * so that a run with several mutations, the later ones made where the
 * program ran on against the model, is one list replayed from the
 * recording.  Memory: the distinct (task, call) pairs of the run. */
struct mut_plan;

/* Reads a plan: a JSON file holding an array of mutations (mut_to_json's
 * form, tid and nth given).  0, or -errno with a message naming the file
 * and the entry in err. */
int mut_plan_load(const char *path, struct mut_plan **out, char *err, size_t errlen);
/* Writes the n mutations m as a plan to path.  0, or -errno. */
int mut_plan_write(const char *path, const struct mutation *m, size_t n);
void mut_plan_free(struct mut_plan *p);
/* The plan's mutations as a JSON array (new reference), for a header. */
json_t *mut_plan_json(const struct mut_plan *p);
/* Task vtid makes a call of sys (the name events give it) answered with
 * event ev (borrowed; NULL: the call is counted only, it cannot change),
 * may_interrupt: its process catches a signal (else EINTR is not applied):
 * counts it, and returns ev as its mutation changes it (a new event, the
 * caller owns it), or NULL when no mutation names this call or its
 * operator does not apply to this answer. */
json_t *mut_plan_apply(struct mut_plan *p, int64_t vtid, const char *sys, const json_t *ev,
    bool may_interrupt);
/* Would the next call of sys by task vtid fail with EINTR by the plan?  A
 * call is interrupted only in a process that catches a signal: the caller
 * tells mut_plan_apply (may_interrupt) whether it does, and an EINTR that
 * cannot happen is not applied. */
bool mut_plan_next_eintr(const struct mut_plan *p, int64_t vtid, const char *sys);
/* How many of the plan's mutations were applied so far. */
size_t mut_plan_applied(const struct mut_plan *p);

/* splitmix64: the campaign's decisions. */
uint64_t mut_rand(uint64_t *state);

#endif

/* mutate.h: dios-fuzz's mutation operators (issue 12, item 1), each on one
 * event of a recorded trace, and a mutated copy of a trace.  The mutated
 * trace is replayed with dios-replay --model: where the program takes
 * another path, the environment model answers (src/model/model.h).
 *
 * Operators (dios-fuzz(1)):
 *   error  the call fails with an errno it can really return (errtab.h)
 *   short  a read returns fewer bytes (its data cut), a write writes fewer
 *   eintr  a call that can be interrupted fails with EINTR
 *   flip   one bit of the data a read returned is flipped
 *   clock  a clock reading jumps: 10 s back, or an hour on
 *   dirs   a directory listing's entries come in another order
 * Owner: src/fuzz/mutate.c.  Nothing here exits or prints.
 */
#ifndef DIOS_MUTATE_H
#define DIOS_MUTATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum mut_op { MO_ERROR, MO_SHORT, MO_EINTR, MO_FLIP, MO_CLOCK, MO_DIRS, MO__N };

struct mutation {
	uint64_t seq;		/* the event changed */
	enum mut_op op;
	int err;		/* MO_ERROR: the errno */
	uint64_t arg;		/* MO_SHORT: the new result; MO_FLIP: the bit; MO_CLOCK: 0 back, 1 on;
				 * MO_DIRS: the shuffle's seed */
	char sys[32];		/* the call, for reports */
};

const char *mut_op_name(enum mut_op op);
/* Parses "error,short,..." or "all" into *mask (1 << MO_*).  0, or -EINVAL
 * with the unknown name in err. */
int mut_parse_ops(const char *list, unsigned *mask, char *err, size_t errlen);

/* Whether op can change event ev (a call event of the trace). */
bool mut_applies(enum mut_op op, const json_t *ev);

/* Fills m for op on event ev, its choices drawn from *rng (an errno of the
 * call, a cut, a bit...).  false when op does not apply. */
bool mut_choose(enum mut_op op, const json_t *ev, uint64_t *rng, struct mutation *m);

/* ev changed by m: a new event (caller owns it), NULL on ENOMEM. */
json_t *mut_apply(const struct mutation *m, const json_t *ev);

/* m as JSON ({"seq", "sys", "op", "err"|"arg"}) and back. */
json_t *mut_to_json(const struct mutation *m);
int mut_from_json(const json_t *j, struct mutation *m);

/* Writes to out the trace at seed with the n mutations applied, and
 * "perturbed": {"fuzz": [...]} in its header.  0, or -errno with a message
 * naming the file in err. */
int mut_write_trace(const char *seed, const char *out, const struct mutation *m, size_t n,
    char *err, size_t errlen);

/* The call event numbered seq of the trace at path (new reference), or
 * NULL with a message in err. */
json_t *mut_event_at(const char *path, uint64_t seq, char *err, size_t errlen);

/* splitmix64: the campaign's decisions. */
uint64_t mut_rand(uint64_t *state);

#endif

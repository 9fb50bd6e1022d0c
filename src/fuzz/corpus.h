/* corpus.h: dios-fuzz's search (issue 12, item 9): the calls a run can
 * mutate (candidates), the behaviour runs showed (which sequences of calls
 * and results), and the corpus of runs that showed new behaviour, each of
 * which later runs mutate further.  Private to src/fuzz.
 *
 * Behaviour is counted as AFL counts edges, over system calls instead of
 * branches: for each task, each pair of successive events (a call and its
 * result class: the errno, end of file, success; a signal; an exit) sets a
 * bit of a 64 Kbit map.  A run that sets a bit no run before set joins the
 * corpus: its plan (the mutations that made it) and its trace, kept as
 * DIR/queue-WORKER/NNNN.json.zst with NNNN.json beside it.  A later run
 * takes such an entry, adds one mutation of a call that comes after the
 * entry's last (a call the model answered, as often as not), and replays
 * the recording with the longer plan.  Owner: src/fuzz/corpus.c.
 */
#ifndef DIOS_FUZZ_CORPUS_H
#define DIOS_FUZZ_CORPUS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "fuzz/mutate.h"

/* A call of a trace and a mutation that applies to it. */
struct fz_cand {
	uint64_t seq;		/* the event */
	int64_t tid;		/* the call, as a plan names it */
	uint64_t nth;
	unsigned char op;	/* enum mut_op */
	bool written;		/* a close of a descriptor the program wrote to */
};

/* The candidates of the trace at path for the mutations ops (1 << MO_*),
 * in the trace's order: with plan (the n mutations the trace's run was
 * made with), only calls after the last of them the trace shows.  seed: a
 * recording, refused when it is a mutated run already; dict (or NULL)
 * learns its tokens.  0 (*out is the caller's to free; *nout may be 0 for a
 * run), or -errno with a message in err. */
int fz_scan(const char *path, unsigned ops, const struct mutation *plan, size_t n, bool seed,
    struct mut_dict *dict, struct fz_cand **out, size_t *nout, char *err, size_t errlen);

struct fz_behaviour;
struct fz_behaviour *fz_bhv_new(void);
void fz_bhv_free(struct fz_behaviour *b);
/* Event ev of a run, in the trace's order; prev is the caller's object
 * (task -> its last event's hash), empty at the run's start.  Returns how
 * many bits it set that were not set before. */
uint64_t fz_bhv_event(struct fz_behaviour *b, json_t *prev, const json_t *ev);
/* Every event of the trace at path: the bits newly set. */
uint64_t fz_bhv_trace(struct fz_behaviour *b, const char *path);
/* The bits set so far. */
uint64_t fz_bhv_bits(const struct fz_behaviour *b);

struct fz_entry {
	struct mutation *m;	/* its plan */
	size_t n;
	char *path;		/* its run's trace */
};

struct fz_corpus {
	char *dir;		/* DIR/queue-WORKER */
	struct fz_entry *e;
	size_t n, cap;
};

/* At most this many mutations in one run's plan, and this many entries. */
#define FZ_MAX_PLAN 8
#define FZ_MAX_CORPUS 4096

/* The corpus of worker name in findings directory dir (its queue made
 * empty).  0, or -errno with a message in err. */
int fz_corpus_init(struct fz_corpus *c, const char *dir, const char *name, char *err, size_t errlen);
/* Keeps the run at path (copied) with its plan as a new entry.  0, or
 * -errno (-ENOSPC: the corpus is full). */
int fz_corpus_add(struct fz_corpus *c, const char *run, const struct mutation *m, size_t n, uint64_t newbits);
void fz_corpus_free(struct fz_corpus *c);

#endif

/* oracle.h: how dios-fuzz runs one mutated run and judges its end (issue
 * 12, item 5), for the campaign (campaign.c), the search (corpus.c) and
 * minimisation (minimize.c).  Private to src/fuzz.
 *
 * A run is the recording replayed by dios-replay with a plan of mutations
 * (--mutate, mutate.h), against the environment model (--model), written
 * as it ran (-o: a strict trace, the reproducer).  Its end is judged by
 * the oracles campaign.h lists.  Owner: src/fuzz/oracle.c.  Nothing here
 * exits or prints.
 */
#ifndef DIOS_FUZZ_ORACLE_H
#define DIOS_FUZZ_ORACLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "fuzz/mutate.h"

struct fz_behaviour;

/* What a run's trace says of its end. */
struct fz_judged {
	const char *kind;	/* "crash", "sanitizer", "hang", "silent", "rule", "handled", "recovered", "dios" */
	int status;		/* exit status (128+N for signal N), -1 unknown */
	char sig[32];		/* the signal's name, or the rule broken, or "" */
	uint64_t answered, unmodelled;
	json_t *why;		/* the footer's model.why (new reference) */
	uint64_t stderr_bytes;
	bool left;		/* the run left the recording */
	uint64_t newbits;	/* behaviour not seen before (fz_behaviour) */
	uint64_t applied;	/* the plan's mutations that were applied */
	char site[160];		/* where the last mutated call was made, or "" */
	char fault[160];	/* where the program faulted: its stack's first frames, or "" */
};

double fz_now(void);
int fz_mkdir(const char *d, char *err, size_t errlen);
/* Bytes the events of the trace at path wrote to descriptor 2. */
uint64_t fz_stderr_bytes(const char *path);
/* Bytes the calls of task tid wrote to descriptor fd, in the trace at path. */
uint64_t fz_bytes_written(const char *path, long long tid, long long fd);
bool fz_is_write_like(const char *sys);
/* A kind that is a failure: crash, sanitizer, hang, silent, rule. */
bool fz_is_failure(const char *kind);
/* The rules (mask) the trace at path breaks, as an object rule -> true
 * (new reference, never NULL but on ENOMEM). */
json_t *fz_rules_seen(const char *path, unsigned mask);
/* The requirement rules the run at path breaks that the recording did not
 * (seen: rule name -> true): the first one's name into rule, else "". */
void fz_rules_broken(const char *path, unsigned mask, const json_t *seen, char *rule, size_t len);
/* Runs argv with stdout and stderr to log, stdin from /dev/null, in its own
 * process group, for at most timeout seconds.  Its wait status, or -errno. */
int fz_run_child(char *const argv[], const char *log, unsigned timeout, bool *timed_out);
/* The first line of the file at path (without its newline) into buf. */
void fz_first_line(const char *path, char *buf, size_t len);
int fz_copy_file(const char *from, const char *to);
/* A frame of a stack (stack.h's form) as triage names it: its function, or
 * MODULE+0xOFF where no symbol covers it (a static buffer). */
const char *fz_frame_name(const char *frame);
/* A stack (an event's "stack") as a site: its first max frames of the
 * program's own code (those of the C library and the loader left out,
 * unless there is nothing else), by fz_frame_name, " < " between them. */
void fz_site(const json_t *stack, size_t max, char *buf, size_t len);

/* Reads the run's trace (its wait status st) and decides what its end was;
 * last: the plan's last mutation, which the run was made for; written: it
 * is a close of a descriptor written to; base_stderr, base_bytes: what the
 * trace the mutation was chosen from wrote to stderr and to the mutated
 * call's descriptor (tid, fd).  With b, the run's behaviour is added to it
 * and j->newbits says how much of it was new. */
void fz_judge(const char *run, int st, bool timed_out, const struct mutation *last, bool written,
    uint64_t base_stderr, uint64_t base_bytes, long long tid, long long fd, struct fz_behaviour *b,
    struct fz_judged *j);

/* One run: the n mutations of plan replayed from seed with replay (the
 * dios-replay binary), in directory work (its plan.json, run.json.zst,
 * replay.log), judged: dios-replay's status into *st.  0, or -errno with a
 * message in err (dios-replay could not run, or refused the plan). */
struct fz_run {
	const char *seed, *replay, *work;
	unsigned timeout;	/* seconds (0: 10) */
	unsigned rules;		/* the rules judged over the run */
	const json_t *seen;	/* rules the recording breaks already */
	struct fz_behaviour *bhv;	/* NULL: behaviour not followed */
	bool written;		/* the last mutation is a close of a written descriptor */
	uint64_t base_stderr, base_bytes;
	long long tid, fd;	/* the last mutation's task and descriptor */
};
int fz_run_plan(const struct fz_run *r, const struct mutation *plan, size_t n, struct fz_judged *j,
    char *err, size_t errlen);

#endif

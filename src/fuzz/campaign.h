/* campaign.h: `dios-fuzz run` and `dios-fuzz report` (issue 12): mutate a
 * recorded trace one event at a time (mutate.h), replay each mutated trace
 * with `dios-replay --model -o` (the environment model answers where the
 * program leaves the recording, and the run is written as a strict trace),
 * judge how the program ended (the oracles), keep each unique failure as a
 * trace dios-replay reproduces, and count what was tried per call and
 * mutation, and what the program did (error-path coverage).
 *
 * The findings directory:
 *   failures/NNNN.json.zst  a failure's run: `dios-replay` reproduces it
 *   failures/NNNN.json      what it is: kind, signal, status, mutation,
 *                           count, the run that found it first
 *   stats-NAME.json         worker NAME's campaign: runs, time, execs per
 *                           second, the model's share, coverage, its failures
 *   stats.json              all workers' merged (fuzz_report merges them too)
 * Workers (-j N, or --worker NAME on several machines sharing DIR, as
 * AFL++'s -M/-S) claim each failure once: failures/.keys/HASH is made with
 * O_EXCL by the first to find it, and its number by link(2) of its trace.
 * Oracles: "crash" (a fatal signal: SIGSEGV, SIGBUS, SIGABRT, SIGFPE,
 * SIGILL, SIGSYS, SIGTRAP), "sanitizer" (an ASan, UBSan, MSan, LSan or
 * TSan report on stderr), "hang" (no end within the time limit, or a loop
 * of calls the model answers that never ends), "silent" (a write, close,
 * fsync or fdatasync failed or was cut short and the program exited 0
 * without a word more on stderr than the recording had: data lost
 * silently), "rule" (a requirement rule of dios-trace check, such as
 * closed-fd or double-close, broken in the run and not in the recording).
 * Other ends are "handled" (a nonzero exit) or "recovered"
 * (exit 0).  Owner: src/fuzz/campaign.c.  Nothing here exits.
 */
#ifndef DIOS_CAMPAIGN_H
#define DIOS_CAMPAIGN_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Set by the caller's SIGINT/SIGTERM handler: the campaign ends after the
 * current run (which is stopped), keeping every finding. */
extern volatile sig_atomic_t fuzz_stop;

struct fuzz_opts {
	const char *seed;	/* the recorded trace */
	const char *dir;	/* the findings directory (made when missing) */
	bool force;		/* reuse a directory that holds findings (they are removed) */
	uint64_t runs;		/* at most this many runs; 0: no limit */
	double seconds;		/* for at most this long; 0: no limit */
	uint64_t rseed;		/* the campaign's seed; 0: drawn (printed) */
	unsigned ops;		/* the mutations (1 << MO_*) */
	unsigned timeout;	/* seconds a run may take (0: 10) */
	bool systematic;	/* first every (event, mutation) once, in order */
	bool quiet;		/* no progress */
	const char *replay;	/* the dios-replay binary */
	unsigned jobs;		/* workers to run here (0, 1: this process) */
	const char *worker;	/* this worker's name (NULL: "main"); given: it joins the
				 * campaign in dir, refused only when dir has its name's stats */
	unsigned index, nworkers;	/* of -j N: this worker's share of the systematic order */
	unsigned rules;		/* requirement rules (src/inspect/rules.h) judged over each
				 * run: a violation the recording does not have is a failure */
	bool rules_set;		/* rules given (else: the rules' defaults but error-ignored,
				 * which "silent" is) */
};

/* Runs the campaign (with jobs > 1, as that many worker processes, their
 * findings merged).  Returns the number of unique failures (>= 0), or
 * -errno with a one-line message in err. */
int fuzz_campaign(const struct fuzz_opts *o, FILE *out, char *err, size_t errlen);

/* dios-fuzz min: the failure kept as failure (DIR/failures/NNNN.json.zst,
 * its NNNN.json beside it) checked to fail the same way again, then made
 * smaller where its mutation allows (a short read or write: the largest
 * result that still fails), and its run written to outp (NULL:
 * NNNN.min.json.zst).  0, or -errno with a message in err. */
int fuzz_min(const char *failure, const char *outp, const char *replay, FILE *out, char *err, size_t errlen);

enum fuzz_format { FF_TEXT, FF_JSON, FF_HTML };

/* The report of a findings directory: its unique failures, each once, and
 * the error-path coverage table.  0, or -errno with a message in err. */
int fuzz_report(const char *dir, enum fuzz_format f, FILE *out, char *err, size_t errlen);

#endif

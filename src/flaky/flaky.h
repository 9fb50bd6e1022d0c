/* flaky.h: `dios-flaky`: catch a flaky program's failing run as a trace
 * (flaky_run) and say what made it fail where a passing run passed
 * (flaky_explain).  Both drive the dios-record binary as a child process:
 * the program's whole tree of processes is one recording.
 * Owner: src/flaky/run.c (the campaign), src/flaky/record.c (one recorded
 * run: spawn, time limit, stop, status), src/flaky/explain.c (alignment,
 * suspects, narrowing the chaos classes).  Nothing here exits; functions
 * return -errno (or a documented status) with a one-line message in the
 * caller's buffer.
 */
#ifndef DIOS_FLAKY_H
#define DIOS_FLAKY_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <regex.h>

/* Set by the caller's SIGINT/SIGTERM handler: the current run is stopped
 * (SIGTERM to dios-record, SIGKILL to its process group after the grace
 * period) and the campaign ends. */
extern volatile sig_atomic_t flaky_stop;

/* --- one recorded run (record.c) ------------------------------------- */

struct flaky_rec_req {
	const char *record;	/* the dios-record binary */
	char *const *argv;	/* the program and its arguments */
	char *const *envp;	/* its environment (NULL: ours) */
	const char *cwd;	/* where it runs (NULL: here) */
	const char *trace;	/* the trace to write (overwritten) */
	const char *log;	/* its stdout and stderr (truncated); stdin is /dev/null */
	const char *chaos;	/* classes for --chaos, or NULL for none */
	uint64_t chaos_seed;
	double timeout;		/* seconds, 0 for none */
	double grace;		/* seconds between SIGTERM and SIGKILL */
};

enum flaky_end {
	FE_EXIT,	/* the program exited (status) or was killed (status 128+N) */
	FE_TIMEOUT,	/* over the time limit: stopped */
	FE_STOPPED,	/* flaky_stop was set: stopped */
	FE_DIOS,	/* dios-record failed: status 2 or 120-127 with a "dios-record:"
			 * line in the log, killed, or no trace written */
};

struct flaky_rec_res {
	enum flaky_end end;
	int status;		/* dios-record's exit status (128+N when it was killed) */
	double seconds;		/* wall time of the run */
	bool killed;		/* it had to be killed with SIGKILL */
	char dios_msg[512];	/* FE_DIOS: dios-record's last message */
};

/* Records one run.  0 (the run happened, see res), or -errno with the
 * message in err (dios-record could not be started). */
int flaky_record(const struct flaky_rec_req *q, struct flaky_rec_res *res, char *err, size_t errlen);

/* The dios-record to use: $DIOS_RECORD, else the one beside the running
 * executable (/proc/self/exe), else "dios-record" (looked up in $PATH).
 * Malloc'd; caller frees. */
char *flaky_record_path(void);

/* --- the campaign (run.c) -------------------------------------------- */

/* A set of exit statuses, 0-255. */
struct flaky_statuses { unsigned char in[256]; };

/* Parses "1,3-5,SIGSEGV" (signals as 128+N, by name with or without SIG,
 * or as sig:N).  0 or -EINVAL with the message in err. */
int flaky_parse_statuses(const char *list, struct flaky_statuses *s, char *err, size_t errlen);
/* Parses "90", "90s", "1.5m", "10m", "1h", "2d" into seconds.  0 or -EINVAL. */
int flaky_parse_duration(const char *text, double *seconds);

struct flaky_run_opts {
	char *const *argv;	/* the command */
	const char *dir;	/* where the traces go (created when missing) */
	bool force;		/* replace an earlier campaign's fail-/pass- files */
	unsigned long runs;	/* budget of runs (0: no limit) */
	double time;		/* budget of seconds (0: no limit) */
	unsigned keep;		/* failures to keep before stopping (>= 1) */
	bool has_statuses;	/* else: any nonzero status fails */
	struct flaky_statuses fail_status;
	bool has_regex;
	regex_t fail_output;	/* matched against the run's combined output */
	double timeout;		/* per run, 0 for none */
	const char *chaos;	/* classes, or NULL */
	uint64_t seed;		/* the campaign's seed */
	bool json;		/* summary as one JSON object on out */
	bool tty;		/* progress updated in place on progress */
	FILE *out, *progress;
};

/* The chaos seed of run n (1-based) of a campaign with seed s (32 bits,
 * as dios-record --chaos-seed takes). */
uint64_t flaky_run_seed(uint64_t s, unsigned long n);

/* Runs the campaign and prints its summary on o->out.  Returns 0 when a
 * failure was caught and kept, 1 when none came within the budget, or
 * -errno with the message in err (dios could not do its job: nothing more
 * is printed), -EEXIST/-ENOTDIR for a directory that cannot be used
 * (a usage error). */
int flaky_run(const struct flaky_run_opts *o, char *err, size_t errlen);

/* Percent text of the Wilson score interval (95%) of f failures in n
 * runs, into lo and hi; the rate itself is returned. */
double flaky_wilson(unsigned long f, unsigned long n, double *lo, double *hi);

/* --- explain (explain.c) --------------------------------------------- */

struct flaky_explain_opts {
	const char *pass, *fail;	/* the traces */
	unsigned runs;		/* tries per class subset when narrowing (default 20) */
	double timeout;		/* per re-recorded run, 0 for none */
	bool json;
	bool narrow;		/* re-record to narrow a chaos recording (default true) */
	FILE *out, *progress;	/* progress: NULL for none */
};

/* Explains; prints the report on o->out.  0, or -errno with the message in
 * err. */
int flaky_explain(const struct flaky_explain_opts *o, char *err, size_t errlen);

#endif

/* rules.h: requirement rules over a trace's events (Klever's requirement
 * specifications, as data): an error ignored and success reported, a
 * descriptor leaked at exit, a call on a closed descriptor, a double close,
 * an EINTR not retried.  One table of rules (rules_table) serves
 * `dios-trace check` and dios-fuzz alike; each rule has a stable name, a
 * one-line description and a default (man/dios-trace.1 documents them).
 *
 * The engine is fed one trace line at a time (header, events, then the
 * footer to rules_end) and follows descriptors per process: a table per
 * task group sharing CLONE_FILES, copied at fork, unshared and trimmed of
 * O_CLOEXEC descriptors at exec, seeded from the header's "fds".  Memory is
 * bounded by the open descriptors and live tasks (and a capped number of
 * pending candidates and violations), not by the trace's length.
 * Owner: src/inspect/rules.c.  Nothing here exits or prints.
 */
#ifndef DIOS_RULES_H
#define DIOS_RULES_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* The rules, one bit each (stable; new rules get new bits). */
enum {
	RULE_ERROR_IGNORED	= 1u << 0,
	RULE_FD_LEAK		= 1u << 1,
	RULE_CLOSED_FD		= 1u << 2,
	RULE_DOUBLE_CLOSE	= 1u << 3,
	RULE_EINTR		= 1u << 4,
	RULE_FD_LEAK_ALL	= 1u << 5,
};

struct rule_desc {
	const char *name;	/* "error-ignored" */
	unsigned bit;		/* RULE_* */
	int on;			/* on by default */
	const char *desc;	/* one line, no final period */
};
/* The table, in documentation order, and its length. */
extern const struct rule_desc rules_table[];
extern const size_t rules_count_table;
/* The rules on by default, and all of them. */
unsigned rules_default_mask(void);
unsigned rules_all_mask(void);
/* Parses a --rules list: "all", "default", or rule names separated by
 * commas ("error-ignored,closed-fd"); a name may follow "default," etc.
 * 0 and *mask set, or -EINVAL with a message naming the unknown rule in err. */
int rules_parse(const char *list, unsigned *mask, char *err, size_t errlen);

/* One violation.  seq2 is the other event involved (the close before a
 * closed-fd, the open of a leaked descriptor), or UINT64_MAX; fd is -1 when
 * the rule names none. */
struct rule_violation {
	const char *rule;	/* a rules_table name */
	uint64_t seq, seq2;
	long long tid, fd;
	char msg[256];		/* one line: "read(5) after close(5) at event 790" */
};

struct rules;
/* An engine checking the rules in mask.  NULL on ENOMEM.  Release with
 * rules_free. */
struct rules *rules_new(unsigned mask);
void rules_free(struct rules *r);
/* Follows one trace line: the header (its "fds"), an event or task event;
 * blob lines and footers are ignored (give the footer to rules_end). */
void rules_feed(struct rules *r, const json_t *line);
/* The trace ended with footer (NULL: cut short, then the rules that need
 * to know how the program ended report nothing more).  Sorts the
 * violations by event.  Call once, after the last rules_feed. */
void rules_end(struct rules *r, const json_t *footer);
/* The violations found (after rules_end: all of them, by event number).
 * Owned by the engine. */
size_t rules_nviolations(const struct rules *r);
const struct rule_violation *rules_violation(const struct rules *r, size_t i);
/* Violations not kept because there were too many (more than 10000). */
size_t rules_dropped(const struct rules *r);
/* One violation as {"rule","seq","seq2"?,"tid","fd"?,"message"}; caller
 * frees. */
json_t *rules_violation_json(const struct rule_violation *v);

/* For dios-fuzz: runs the rules in mask over the trace file and returns the
 * number of violations, with *violations (when not NULL) a new JSON array of
 * them (caller frees).  -errno with a message in err on failure: -ENOENT
 * and others from opening, -EBADMSG for a trace that is not valid JSON
 * Lines or has no header, -ENOMEM. */
int rules_check_file(const char *trace, unsigned mask, json_t **violations, char *err,
    size_t errlen);

#endif

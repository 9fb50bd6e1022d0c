/* spec.h: the fault spec of dios-fuzz (man/dios-fuzz.yaml.5): rules with
 * predicates on a call (syscall, path glob, the descriptor's path, argument
 * values, the n-th match, a probability, the task) and one action, as
 * strace's -e inject= says it (error=, retval=, signal=, delay_enter=,
 * delay_exit=) plus short reads and writes.  Read from YAML (libyaml) or
 * from strace's syntax ("openat:error=ENOENT:when=2", rules separated by
 * ';').  The text is untrusted: everything is bounded and every message
 * quotes it escaped.  Owner: src/fuzz/spec.c.  Nothing here exits or
 * prints: errors come back as -errno with one line in the caller's buffer.
 */
#ifndef DIOS_SPEC_H
#define DIOS_SPEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "proxy/perturb.h"
#include "sys/systable.h"

/* Bounds on what a spec may hold. */
#define SPEC_MAX_BYTES	(1u << 20)	/* a YAML file */
#define SPEC_MAX_RULES	1024
#define SPEC_MAX_TEXT	4096		/* a string: a glob, a name */
#define SPEC_MAX_DELAY_US 60000000u	/* a delay: one minute */

struct spec;

/* A YAML spec from file path (a regular file, at most SPEC_MAX_BYTES):
 * *out is the spec (caller frees with spec_free).  0, or -errno with
 * "PATH:LINE: ..." in err. */
int spec_load_file(const char *path, struct spec **out, char *err, size_t errlen);
/* The same from the text buf (len bytes); name stands for the file in
 * messages. */
int spec_load_yaml(const char *name, const char *buf, size_t len, struct spec **out,
    char *err, size_t errlen);
/* Rules in strace's -e inject= syntax: "SET:KEY=VALUE:...", several
 * separated by ';' (a leading "inject=" is allowed).  0 or -EINVAL with
 * "'RULE': ..." in err. */
int spec_parse_strace(const char *text, struct spec **out, char *err, size_t errlen);
/* SPEC as dios-record --inject takes it: a YAML file when arg names a
 * readable file, else strace's syntax. */
int spec_from_arg(const char *arg, struct spec **out, char *err, size_t errlen);

void spec_free(struct spec *s);

/* The seed the probabilities draw from: the file's seed:, or 0 (none
 * given).  spec_seed_set sets it (0: draws one from 1..2^32-1) and starts
 * the generator over. */
uint64_t spec_seed(const struct spec *s);
void spec_seed_set(struct spec *s, uint64_t seed);
/* Whether any rule has a probability (the seed matters). */
bool spec_random(const struct spec *s);
size_t spec_rules(const struct spec *s);

/* The spec as JSON: {"seed": N, "rules": [{...}, ...]} (new reference). */
json_t *spec_json(const struct spec *s);

/* One call as the rules see it. */
struct spec_call {
	const struct sc_desc *sc;
	const uint64_t *a;		/* raw arguments (6) */
	json_t *args;			/* the inputs, as in the trace (may be NULL) */
	pid_t tid;			/* the task, as the trace knows it */
	/* Asked only when a rule needs them (NULL: unknown); the text stays
	 * valid until the next call of the same hook. */
	const char *(*fd_path)(void *arg, int fd);	/* what descriptor fd names */
	const char *(*cwd)(void *arg);			/* the task's working directory */
	const char *(*exe)(void *arg);			/* its executable's path */
	void *arg;
};

/* Evaluates the rules in order on call q: the first whose predicates,
 * when= and probability hold fills act (why: "inject:N" or "inject:NAME")
 * and its number (1-based) is returned; 0: none. */
unsigned spec_decide(struct spec *s, const struct spec_call *q, struct perturb_act *act);

/* How many calls each rule changed (rule i, 0-based). */
uint64_t spec_applied(const struct spec *s, size_t i);

#endif

/* inject.h: dios-fuzz's fault injection as a perturber (proxy/perturb.h):
 * dios-record --inject SPEC and dios-fuzz inject.  At each call's entry the
 * spec's rules (spec.h) decide; the record module applies the answer and
 * the trace holds what the program saw, each changed event marked
 * "perturbed": "inject:RULE", the header "perturbed": {"inject": {...}}.
 * Owner: src/fuzz/inject.c.  Nothing here exits or prints.
 */
#ifndef DIOS_INJECT_H
#define DIOS_INJECT_H
#include "fuzz/spec.h"
#include "proxy/perturb.h"

/* A perturber deciding by spec s, which it takes ownership of (freed with
 * it, also when this fails).  The seed: s's own (its file's seed:) unless
 * seed is not 0; when neither, one is drawn (inject_seed says which).
 * NULL when out of memory.  Release with perturber_free. */
struct perturber *inject_new(struct spec *s, uint64_t seed);

/* The seed p's probabilities draw from, and its spec. */
uint64_t inject_seed(const struct perturber *p);
const struct spec *inject_spec(const struct perturber *p);

#endif

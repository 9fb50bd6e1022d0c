/* chaos.h: dios-flaky's chaos (dios-record --chaos): a perturber
 * (proxy/perturb.h) that changes what a recorded program sees within what
 * POSIX and Linux allow, to make a flaky failure come sooner.  The trace
 * records what the program saw, so a failing run replays strictly.
 *
 * Classes (each on or off; "all" is every one):
 *   sched  the serial schedule picks at random which waiting thread goes
 *          next; a call now and then waits up to 2 ms before it runs
 *          (processes and unserialised threads then meet in another order)
 *   time   the clocks run ahead: each reading may step them forward a
 *          little (now and then by seconds), never back; sleeps end late
 *   io     reads of pipes and sockets return fewer bytes; writes to
 *          non-blocking ones write fewer; reads of non-blocking ones say
 *          EAGAIN now and then
 *   dirs   directory listings (getdents64) in another order
 * Every decision comes from one seed: the same seed and program give the
 * same perturbations.  Owner: src/flaky/chaos.c.  Nothing here exits.
 */
#ifndef DIOS_CHAOS_H
#define DIOS_CHAOS_H
#include <stddef.h>
#include <stdint.h>
#include "proxy/perturb.h"

enum chaos_class { CH_SCHED, CH_TIME, CH_IO, CH_DIRS, CH__N };

/* The class's name ("sched", "time", "io", "dirs"). */
const char *chaos_class_name(enum chaos_class c);

/* Parses a comma-separated list of class names, or "all", into *mask
 * (1 << CH_*).  0, or -EINVAL with "unknown chaos class 'x' ..." in err. */
int chaos_parse(const char *list, unsigned *mask, char *err, size_t errlen);

/* A new chaos perturber for the classes in mask; seed 0: one is drawn
 * from 1..2^32-1 (chaos_seed says which).  NULL when out of memory.  Release with
 * perturber_free. */
struct perturber *chaos_new(unsigned mask, uint64_t seed);

/* The seed p's decisions come from. */
uint64_t chaos_seed(const struct perturber *p);

#endif

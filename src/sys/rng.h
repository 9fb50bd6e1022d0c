/* rng.h: splitmix64, the one small seeded generator of dios: chaos's
 * choices (src/flaky), dios-fuzz's mutations and spec probabilities
 * (src/fuzz), the model's random bytes (src/model).  Not for secrets.
 * Header only. */
#ifndef DIOS_RNG_H
#define DIOS_RNG_H
#include <stdint.h>

/* The next value of the stream whose state is *s. */
static inline uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif

/* futex.c: the futex row's family: the arguments each command ignores
 * (futex(2)), which are not compared in replay or by the diff. */
#include "config.h"
#include <string.h>
#include "sys/family.h"
#include "trace/number.h"

/* futex: the arguments its command ignores (futex(2)), which the C library
 * leaves holding whatever the registers held (r9 for a FUTEX_WAKE). */
static bool
futex_unused(const json_t *args, const char *key)
{
	int64_t op;

	if (json_int64_get(json_object_get(args, "op"), &op) < 0)
		return false;
	switch ((int)op & 0x7f) {
	case 0: case 3: case 11:	/* WAIT, REQUEUE, WAIT_REQUEUE_PI */
		return strcmp(key, "val3") == 0;
	case 1:				/* WAKE */
		return strcmp(key, "val3") == 0 || strcmp(key, "timeout") == 0;
	case 10:			/* WAKE_BITSET */
		return strcmp(key, "timeout") == 0;
	case 6: case 13:		/* LOCK_PI, LOCK_PI2 */
		return strcmp(key, "val3") == 0 || strcmp(key, "val") == 0;
	case 7: case 8:			/* UNLOCK_PI, TRYLOCK_PI */
		return strcmp(key, "val3") == 0 || strcmp(key, "val") == 0 || strcmp(key, "timeout") == 0;
	default:
		return false;
	}
}

const struct sc_family fam_futex = { .unused = futex_unused };

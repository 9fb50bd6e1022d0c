/* test-rows.c: a row for every system call (issue 15).  The calls
 * <sys/syscall.h> names are listed by the build from the headers it
 * compiles against (sysnames.inc, src/sys/local.mk): each must have a row
 * of syscalls.def, or be one the seccomp filter lets run natively
 * (filter_native) or refuses itself (rseq and clone3, src/kernel/filter.c).
 * A new kernel header with a new call fails here until it has a row.
 * Numbers no header names get the "nosys" row; the calls replay cannot
 * stand in for are refused only when they succeeded. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include "sys/capture.h"
#include "sys/systable.h"
#include "kernel/filter.h"
#include "tap.h"

/* Refused by the filter with ENOSYS (src/kernel/filter.c, filter_load). */
static const char *const filter_refused[] = { "rseq", "clone3", NULL };

static bool
listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

int
main(void)
{
	size_t n, missing = 0;
	const struct sc_hdr_call *h = sc_header_calls(&n);
	const struct sc_desc *nosys = sc_by_name("nosys");

	ok(n >= 300, "the build listed %zu calls from <sys/syscall.h>", n);
	ok(nosys && (nosys->flags & SC_ENOSYS), "the nosys row exists");
	for (size_t i = 0; i < n; i++) {
		const struct sc_desc *sc = sc_by_nr(h[i].nr);
		bool native = listed(filter_native, h[i].name) || listed(filter_refused, h[i].name);

		if (native) {
			/* a row traced only in the one-at-a-time schedule
			 * (futex) runs natively otherwise */
			if (sc != NULL && !(sc->flags & SC_SERIAL)) {
				ok(0, "%s runs natively or is refused by the filter, and has no row", h[i].name);
				missing++;
			}
			continue;
		}
		if (sc == NULL || sc == nosys || strcmp(sc->name, h[i].name) != 0) {
			ok(0, "SYS_%s (%d) has a row in src/sys/syscalls.def", h[i].name, h[i].nr);
			missing++;
		}
	}
	ok(missing == 0, "every call <sys/syscall.h> names has a row, or runs natively or is "
	    "refused by the filter (%zu without)", missing);

	/* every row is a call of the headers, once */
	size_t dup = 0, unnamed = 0;
	for (size_t i = 0; i < sc_count; i++) {
		bool found = false;
		for (size_t j = 0; j < n && !found; j++)
			found = h[j].nr == sc_table[i].nr && strcmp(h[j].name, sc_table[i].name) == 0;
		unnamed += !found;
		for (size_t j = i + 1; j < sc_count; j++)
			dup += sc_table[i].nr == sc_table[j].nr;
		if (sc_by_name(sc_table[i].name) != &sc_table[i])
			dup++;
	}
	ok(unnamed == 0, "every row names a call of <sys/syscall.h> (%zu do not)", unnamed);
	ok(dup == 0, "no call has two rows (%zu)", dup);

	/* numbers no header names */
	static const long none[] = { -1, -2, 1000, 9999, 335, 511, 512, 1L << 30, 1L << 40 };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		bool named = false;
		for (size_t j = 0; j < n; j++)
			named |= h[j].nr == none[i];
		if (!named)
			ok(sc_by_nr(none[i]) == nosys, "number %ld: the nosys row", none[i]);
	}
	char nb[32];
	is_str(sc_any_name(9999, nb), "nosys", "number 9999 is named nosys in events");
	ok(sc_by_nr(SYS_brk) == NULL, "brk (native) has no row, and is not nosys");

	/* what replay refuses */
	struct call c = { 0 };
	c.sc = sc_by_name("mount");
	ok(c.sc && sc_replay_refusal(&c, 0) != NULL, "mount that succeeded: refused");
	ok(c.sc && sc_replay_refusal(&c, -EPERM) == NULL, "mount that failed: answered");
	c.sc = sc_by_name("bpf");
	ok(c.sc && sc_replay_refusal(&c, 3) != NULL, "bpf that succeeded: refused");
	c.sc = sc_by_name("capget");
	ok(c.sc && sc_replay_refusal(&c, 0) == NULL, "capget: answered");
	c.sc = sc_by_name("prctl");
	c.a[0] = 15;	/* PR_SET_NAME */
	ok(c.sc && sc_replay_refusal(&c, 0) == NULL, "prctl PR_SET_NAME: answered");
	c.a[0] = 123456;
	ok(c.sc && sc_replay_refusal(&c, 0) != NULL, "prctl of an option dios does not know: refused");
	ok(c.sc && sc_replay_refusal(&c, -EINVAL) == NULL, "... unless it failed");
	c.sc = sc_by_name("keyctl");
	c.a[0] = 11;	/* KEYCTL_READ */
	ok(c.sc && sc_replay_refusal(&c, 6) == NULL, "keyctl KEYCTL_READ: answered");
	c.a[0] = 23;	/* KEYCTL_DH_COMPUTE */
	ok(c.sc && sc_replay_refusal(&c, 6) != NULL, "keyctl KEYCTL_DH_COMPUTE: refused");
	return done_testing();
}

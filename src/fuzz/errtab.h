/* errtab.h: the errnos each system call can really return (issue 12, item
 * 1), as data: dios-fuzz draws the errors it injects from it, and a fault
 * spec's error: must name one of them unless it says force: true
 * (dios-fuzz.yaml(5)).
 *
 * A row names a call, or a group of calls sharing their errors (the opens,
 * the reads, the writes...); calls without a row of their own take the
 * list of their class (systable.h: file, fd, net...).  Each list comes in
 * two parts: "fuzz", the errors a program meets in practice and dios-fuzz
 * tries first (item 1's list), and "more", the other errors the call's
 * manual page documents.  Owner: src/fuzz/errtab.c.  Nothing here exits.
 */
#ifndef DIOS_ERRTAB_H
#define DIOS_ERRTAB_H
#include <stdbool.h>
#include <stddef.h>
#include "sys/systable.h"

struct errtab_row {
	const char *calls;	/* the calls, separated by blanks; "%file"...: a class */
	const int *fuzz;	/* 0-terminated */
	const int *more;	/* 0-terminated */
};

/* The row for sc: its own, or its class's.  Never NULL. */
const struct errtab_row *errtab_find(const struct sc_desc *sc);

/* Whether sc can return errno e (in either list of its row). */
bool errtab_can(const struct sc_desc *sc, int e);

/* The errnos of sc's row, fuzz list first, as "ENOENT, EACCES, ..." in buf
 * (at most len bytes, cut with "..." when longer).  Returns buf. */
const char *errtab_names(const struct sc_desc *sc, char *buf, size_t len);

/* The rows, for tests: *n is their count (the class rows included). */
const struct errtab_row *errtab_rows(size_t *n);

#endif

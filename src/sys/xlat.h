/* xlat.h: names of constants for rendering and for the trace (errno and
 * signal names are part of trace format v1).  Owner: src/sys/xlat.c. */
#ifndef DIOS_XLAT_H
#define DIOS_XLAT_H
#include <stddef.h>
#include <stdint.h>
#include "sys/systable.h"

/* "ENOENT" for 2; NULL when unknown. */
const char *errno_name(int e);
/* 2 for "ENOENT"; also accepts "E123" for a bare number; -1 when unknown. */
int errno_from_name(const char *s);
/* "SIGINT" for 2; "SIG42" style for others (buf holds 16 bytes). */
const char *signal_name(int sig, char buf[16]);
/* 2 for "SIGINT" or "INT"; -1 when unknown. */
int signal_from_name(const char *s);
/* Parses list, names of names[0..n) separated by commas, or "all" for
 * every one, into *mask (1 << index).  0; -ENOMEM; -EINVAL with the name
 * that is none of them in bad (badlen bytes), or bad "" when list names
 * nothing. */
int xlat_parse_names(const char *list, const char *const *names, int n, unsigned *mask,
    char *bad, size_t badlen);
/* Renders v as flag names joined by '|' ("O_RDONLY|O_CLOEXEC"), with any
 * unknown remainder in hex, into buf (n bytes). */
void xlat_render(enum xlat_id x, uint64_t v, char *buf, size_t n);

#endif

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
/* Renders v by the names of x, as strace shows it, into buf (n bytes):
 * flag names joined by '|' ("O_RDONLY|O_CLOEXEC") with any unknown
 * remainder in hex, an enumeration's name (an unknown value as a signed
 * number), or both ("SOCK_STREAM|SOCK_CLOEXEC"). */
void xlat_render(enum xlat_id x, uint64_t v, char *buf, size_t n);
/* For a constant whose names depend on another argument of its call (a
 * socket's protocol on its domain, an option's name on its level), that
 * argument's name; else NULL.  Without it xlat_render shows the number. */
const char *xlat_context_arg(enum xlat_id x);
/* xlat_render of such a constant, ctx being that other argument's value
 * (for X_SI_CODE, a field's: the signal). */
void xlat_render_ctx(enum xlat_id x, uint64_t ctx, uint64_t v, char *buf, size_t n);

#endif

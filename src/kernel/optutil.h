/* optutil.h: message helpers shared by options.c and config.c (private to
 * the two).  Owner: src/kernel/options.c. */
#ifndef DIOS_OPTUTIL_H
#define DIOS_OPTUTIL_H
#include <stddef.h>

/* printf into err (errlen bytes); nothing when err is NULL. */
void opts_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies text s (n bytes) into buf for an error message: control bytes,
 * quotes and backslashes escaped, at most about 60 bytes shown.  The text
 * may come from an untrusted file and must not reach a terminal raw.
 * Returns buf. */
const char *opts_quote(char *buf, size_t buflen, const char *s, size_t n);

#endif

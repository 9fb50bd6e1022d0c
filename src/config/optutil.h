/* optutil.h: helpers shared by options.c, cmdline.c and yaml.c (private to
 * src/config).  Owner: src/config/options.c. */
#ifndef DIOS_OPTUTIL_H
#define DIOS_OPTUTIL_H
#include <stddef.h>
#include "config/options.h"

/* printf into err (errlen bytes); nothing when err is NULL. */
void opts_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies text s (n bytes) into buf for an error message: control bytes,
 * quotes and backslashes escaped, at most about 60 bytes shown.  The text
 * may come from an untrusted file and must not reach a terminal raw.
 * Returns buf. */
const char *opts_quote(char *buf, size_t buflen, const char *s, size_t n);

/* "dios-record" or "dios-replay". */
const char *opts_cmd_name(enum dios_cmd cmd);
/* The field of o that option d sets. */
void *opts_field(struct dios_opts *o, const struct opt_desc *d);
/* opts_set, with the option named as "prefix" "name" in messages ("--" on
 * the command line, "" in a config file). */
int opts_set_named(struct dios_opts *o, const struct opt_desc *d, const char *value,
    const char *prefix, char *err, size_t errlen);

#endif

/* render.h: strace-like text of an event, for divergence reports (and
 * dios-trace later).  Owner: src/kernel/render.c. */
#ifndef DIOS_RENDER_H
#define DIOS_RENDER_H
#include <stddef.h>
#include <jansson.h>

/* Renders event ev as `name(arg, ...) = ret` into buf (n bytes).  Strings
 * and buffers are cut to strsize bytes, as strace -s.  With with_result 0,
 * the " = ..." part is left out (a call not yet made). */
void render_event(const json_t *ev, int with_result, size_t strsize, char *buf, size_t n);

#endif

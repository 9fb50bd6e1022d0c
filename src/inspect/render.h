/* render.h: strace-like text of an event, for divergence reports and for
 * dios-trace.  Owner: src/inspect/render.c. */
#ifndef DIOS_RENDER_H
#define DIOS_RENDER_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct fdpaths;

struct render_opts {
	bool with_result;	/* add " = ret" (false: a call not yet made) */
	size_t strsize;		/* cut strings and buffers to this many bytes (strace -s) */
	/* When set, descriptors are shown with their paths, 3</etc/passwd>, as
	 * strace -y does: arguments as the table stands before the event, a
	 * returned descriptor with the path it gets.  Not owned. */
	const struct fdpaths *fds;
};

/* Renders event ev into buf (n bytes; the text is cut to fit):
 * `name(arg, ...) = ret` for a system call (flags and constants by name,
 * errors as `= -1 ENOENT (No such file or directory)`), `--- SIGINT ---` for
 * a signal, `rdtsc() = V` for a time-stamp counter read. */
void render_event_opts(const json_t *ev, const struct render_opts *ro, char *buf, size_t n);

/* Renders the call sites of event ev (its "stack", dios-trace(5)) into buf
 * (n bytes; cut to fit) as strace -k does, one line per frame, innermost
 * first: " > FRAME\n".  Bytes outside printable ASCII (a hand-edited
 * trace) are shown as \ooo.  Empty when ev has no stack; a frame that is
 * not a string shows as "?". */
void render_stack(const json_t *ev, char *buf, size_t n);

/* The same without paths: render_event_opts with {with_result, strsize}. */
void render_event(const json_t *ev, int with_result, size_t strsize, char *buf, size_t n);

#endif

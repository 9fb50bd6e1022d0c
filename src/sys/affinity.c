/* affinity.c: sched_getaffinity.  dios keeps itself and the program on
 * one CPU (--pin); the program is shown the mask it would have had without
 * that, so it sizes its thread pools as usual, until it sets its own with
 * sched_setaffinity (then the kernel's answer is the program's).  The mask
 * it was shown is what the trace holds. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

static unsigned char *vmask;
static size_t vmask_len;

void
affinity_set_shown(const unsigned char *mask, size_t len)
{
	free(vmask);
	vmask = NULL;
	vmask_len = 0;
	if (mask && (vmask = malloc(len)) != NULL) {
		memcpy(vmask, mask, len);
		vmask_len = len;
	}
}

/* The tasks whose mask is their own (they, or the task they were made
 * by, set it): theirs is the kernel's answer.  A short list: few programs
 * set their affinity, and then for a few threads. */
static pid_t *own;
static size_t nown, capown;

bool
affinity_is_own(pid_t tid)
{
	for (size_t i = 0; i < nown; i++)
		if (own[i] == tid)
			return true;
	return false;
}

void
affinity_own(pid_t tid, bool on)
{
	for (size_t i = 0; i < nown; i++)
		if (own[i] == tid) {
			if (!on)
				own[i] = own[--nown];
			return;
		}
	if (!on)
		return;
	if (nown == capown) {
		size_t cap = capown ? capown * 2 : 16;
		pid_t *n = realloc(own, cap * sizeof *n);
		if (n == NULL)
			return;	/* then shown the mask of the start */
		own = n;
		capown = cap;
	}
	own[nown++] = tid;
}

static int
affinity_exit(pid_t tid, struct call *c)
{
	size_t n;
	unsigned char *buf;
	int e;
	pid_t of = (pid_t)c->a[0] ? (pid_t)c->a[0] : tid;

	if (vmask == NULL || c->ret <= 0 || affinity_is_own(of))
		return 0;
	n = (size_t)c->ret;
	if ((buf = calloc(1, n)) == NULL)
		return -ENOMEM;
	memcpy(buf, vmask, n < vmask_len ? n : vmask_len);
	if ((e = mem_write(tid, c->a[2], buf, n)) == 0)
		e = json_object_set_new(c->out, "mask", json_bytes(buf, n)) < 0 ? -ENOMEM : 0;
	free(buf);
	return e;
}

const struct sc_family fam_affinity = { .exit = affinity_exit };

/* shared.c: writes to files mapped shared.  A file some task mapped
 * MAP_SHARED shows later writes through a descriptor (write, pwrite,
 * ftruncate, fallocate) in the mapping; replay maps a copy of it
 * (src/replay/maps.c) and the calls themselves never run there, so the
 * event of such a write says which file and where: "shared": {"path",
 * "at"}, and replay makes the same change to its copy. */
#include "config.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "sys/capture.h"
#include "proxy/internal.h"

void
shared_note_map(struct proxy *p, const char *proc, const struct call *c)
{
	struct stat st;

	if ((c->a[3] & MAP_TYPE) != MAP_SHARED || stat(proc, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	for (size_t i = 0; i < p->nshared; i++)
		if (p->shared[i].dev == st.st_dev && p->shared[i].ino == st.st_ino)
			return;
	void *grown = realloc(p->shared, (p->nshared + 1) * sizeof *p->shared);
	if (grown == NULL)
		return;	/* (replay's copy then misses the writes) */
	p->shared = grown;
	p->shared[p->nshared].dev = st.st_dev;
	p->shared[p->nshared++].ino = st.st_ino;
}

/* The position descriptor fd of task tid is at, or -1. */
static long long
fd_pos(pid_t tid, int fd)
{
	char path[64], line[128];
	long long pos = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)tid, fd);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "pos: %lld", &pos) == 1)
			break;
	fclose(f);
	return pos;
}

int
shared_note_write(struct proxy *p, pid_t tid, struct call *c)
{
	char proc[64], path[4096];
	long long at;
	struct stat st;
	ssize_t n;
	size_t i;

	if (p->nshared == 0 || c->ret < 0)
		return 0;
	switch (c->nr) {
	case SYS_write: case SYS_writev:
	case SYS_pwrite64: case SYS_pwritev: case SYS_pwritev2:
		if (c->ret == 0)
			return 0;
		break;
	case SYS_ftruncate: case SYS_fallocate:
		break;
	default:
		return 0;
	}
	snprintf(proc, sizeof proc, "/proc/%d/fd/%d", (int)tid, (int)c->a[0]);
	if (stat(proc, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	for (i = 0; i < p->nshared; i++)
		if (p->shared[i].dev == st.st_dev && p->shared[i].ino == st.st_ino)
			break;
	if (i == p->nshared || (n = readlink(proc, path, sizeof path - 1)) < 0)
		return 0;
	path[n] = '\0';
	switch (c->nr) {
	case SYS_pwrite64: case SYS_pwritev:
		at = (long long)c->a[3];
		break;
	case SYS_pwritev2:
		/* -1: at the descriptor's position */
		if ((long long)c->a[3] != -1) {
			at = (long long)c->a[3];
			break;
		}
		/* fall through */
	case SYS_write: case SYS_writev:
		/* after the write: less what it wrote (O_APPEND too) */
		if ((at = fd_pos(tid, (int)c->a[0])) < c->ret)
			return 0;
		at -= c->ret;
		break;
	default:	/* ftruncate, fallocate: their arguments say */
		at = 0;
	}
	json_t *o = json_pack("{s:s, s:I}", "path", path, "at", (json_int_t)at);
	return o ? obj_set_new(&c->extra, "shared", o) : -ENOMEM;
}

/* mmap.c: mmap of a file.  Record notes which file was mapped (path,
 * size, SHA-256; of a large file, of the part mapped: fileid.h) as the
 * event's "map"; replay maps the same host file
 * read-only after checking it (src/replay/replay.c).  A mapping of
 * /dev/zero is anonymous memory (shared or private as asked): the event
 * says "zero": true and replay maps anonymous memory in its place.  Any
 * other device gets "device": its path, which replay refuses by name. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "sys/capture.h"
#include "sys/family.h"
#include "trace/fileid.h"

static int
mmap_exit(pid_t tid, struct call *c)
{
	char proc[64], path[4096];
	ssize_t n;
	json_t *id;
	int e;

	if (c->ret < 0 || (int)c->a[4] < 0 || (c->a[3] & MAP_ANONYMOUS))
		return 0;
	snprintf(proc, sizeof proc, "/proc/%d/fd/%d", tid, (int)c->a[4]);
	if ((n = readlink(proc, path, sizeof path - 1)) < 0)
		return -errno;
	path[n] = '\0';
	struct stat st;
	if (stat(proc, &st) == 0 && !S_ISREG(st.st_mode)) {
		bool zero = S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 5;
		return obj_set_new(&c->extra, zero ? "zero" : "device",
		    zero ? json_true() : json_string(path));
	}
	/* a large file: the part mapped (fileid.h) */
	if ((id = fileid_get_part(proc, path, c->a[5], c->a[1], &e)) == NULL)
		return e;
	return obj_set_new(&c->extra, "map", id);
}

const struct sc_family fam_mmap = { .exit = mmap_exit };

/* mmap.c: mmap of a file.  Record notes which file was mapped (path,
 * size, SHA-256) as the event's "map"; replay maps the same host file
 * read-only after checking it (src/replay/replay.c). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
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
	if ((id = fileid_get(proc, path, &e)) == NULL)
		return e;
	if (c->extra == NULL && (c->extra = json_object()) == NULL) {
		json_decref(id);
		return -ENOMEM;
	}
	return json_object_set_new(c->extra, "map", id) < 0 ? -ENOMEM : 0;
}

const struct sc_family fam_mmap = { .exit = mmap_exit };

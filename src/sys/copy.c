/* copy.c: copy_file_range and sendfile.  The bytes they move never pass
 * through the program's memory, so record reads them back from the source
 * file (through /proc/PID/fd) into the event's out "data": replay can then
 * show what went to stdout or stderr without touching any file. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

/* Position of descriptor fd of task tid, from /proc/TID/fdinfo/FD. */
static int
fd_pos(pid_t tid, int fd, long long *pos)
{
	char path[64], line[128];
	FILE *f;
	int e = -ENOENT;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", tid, fd);
	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "pos: %lld", pos) == 1) {
			e = 0;
			break;
		}
	fclose(f);
	return e;
}

static int
copy_exit(pid_t tid, struct call *c)
{
	int sendfile = c->nr == SYS_sendfile;
	int in = (int)c->a[sendfile ? 1 : 0];
	const json_t *off = json_object_get(c->args, sendfile ? "offset" : "off_in");
	long long start;
	char path[64];
	void *buf;
	ssize_t got;
	int fd, e = 0;

	if (c->ret <= 0)
		return 0;
	if (off && json_is_object(off))
		start = json_int64_or(off, "value", 0);
	else if ((e = fd_pos(tid, in, &start)) == 0)
		start -= c->ret;	/* the call moved the position by ret */
	else
		return e;
	if ((uint64_t)c->ret > CAPTURE_MAX)
		return -E2BIG;
	snprintf(path, sizeof path, "/proc/%d/fd/%d", tid, in);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if ((buf = malloc((size_t)c->ret)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	got = pread(fd, buf, (size_t)c->ret, start);
	close(fd);
	if (got == c->ret) {
		if (c->out == NULL)
			c->out = json_object();
		e = json_object_set_new(c->out, "data", json_bytes(buf, (size_t)got)) < 0 ? -ENOMEM : 0;
	}
	free(buf);
	return e;
}

const struct sc_family fam_copy = { .exit = copy_exit };

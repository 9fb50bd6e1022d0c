/* fanotify.c: reads of a fanotify descriptor, whose events carry
 * descriptors the kernel opened in the reader's table as it read them (the
 * file of each event, and a pidfd with FAN_REPORT_PIDFD).  Record lists
 * them in the read's event as "newfds" (dios-trace(5)), and replay puts a
 * placeholder at each (src/replay/fds.c, rp_new_fds), so that the
 * program's later close of them, and the numbers of its next descriptors,
 * are as recorded.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sys/call.h"
#include "sys/capture.h"

#define META_LEN 24		/* FAN_EVENT_METADATA_LEN */
#define META_VERSION 3		/* FANOTIFY_METADATA_VERSION */
#define INFO_PIDFD 4		/* FAN_EVENT_INFO_TYPE_PIDFD */
#define MAX_EVENT_FDS 256

static uint32_t
u32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* Is descriptor fd of task tid a fanotify group? */
static bool
is_fanotify(pid_t tid, int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)tid, fd);
	if ((n = readlink(path, link, sizeof link - 1)) <= 0)
		return false;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[fanotify]") == 0;
}

/* Is descriptor fd of task tid close-on-exec (its fdinfo's flags)? */
static bool
fd_cloexec(pid_t tid, int fd)
{
	char path[64], buf[256];
	const char *f;
	ssize_t n;
	int in;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)tid, fd);
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(in, buf, sizeof buf - 1);
	close(in);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if ((f = strstr(buf, "flags:")) == NULL)
		return false;
	return (strtoul(f + 6, NULL, 8) & O_CLOEXEC) != 0;
}

int
fanotify_read_fds(pid_t tid, struct call *c, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	int fds[MAX_EVENT_FDS], nfds = 0;

	/* the first event's header, cheaply, before any look at /proc */
	if (n < META_LEN || p[4] != META_VERSION || p[5] != 0 || p[6] != META_LEN || p[7] != 0)
		return 0;
	for (size_t at = 0; at < n;) {
		uint32_t len = n - at >= META_LEN ? u32_at(p + at) : 0;
		if (len < META_LEN || len > n - at || p[at + 4] != META_VERSION)
			return 0;	/* not a run of fanotify events */
		int32_t fd = (int32_t)u32_at(p + at + 16);
		if (fd >= 0 && nfds < MAX_EVENT_FDS)
			fds[nfds++] = fd;
		for (size_t i = at + META_LEN; i + 8 <= at + len;) {	/* the info records */
			uint16_t ilen;
			memcpy(&ilen, p + i + 2, sizeof ilen);
			if (ilen < 4 || ilen > at + len - i)
				break;
			int32_t pidfd;
			if (p[i] == INFO_PIDFD && ilen >= 8) {
				memcpy(&pidfd, p + i + 4, sizeof pidfd);
				if (pidfd >= 0 && nfds < MAX_EVENT_FDS)
					fds[nfds++] = pidfd;
			}
			i += ilen;
		}
		at += len;
	}
	if (nfds == 0 || !is_fanotify(tid, (int)c->a[0]))
		return 0;
	json_t *list = json_array();
	for (int i = 0; i < nfds && list; i++)
		if (json_array_append_new(list, json_integer(fds[i])) < 0) {
			json_decref(list);
			list = NULL;
		}
	if (list == NULL)
		return -ENOMEM;
	json_t *o = json_pack("{s:o,s:b}", "fds", list, "cloexec", fd_cloexec(tid, fds[0]));
	return o ? obj_set_new(&c->extra, "newfds", o) : -ENOMEM;
}

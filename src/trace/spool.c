/* spool.c: a private copy of a trace that comes on a pipe (spool.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "trace/spool.h"

#define CHUNK (64u << 10)

/* A new unlinked file in dir: O_TMPFILE, or where the file system has no
 * such thing, a name removed at once.  The descriptor, or -errno. */
static int
make_tmp(const char *dir)
{
	const char *env = getenv("TMPDIR");
	char tmpl[4096];
	int fd;

	if (dir == NULL)
		dir = env && env[0] == '/' ? env : "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd >= 0 ? fd : -errno;
	if (snprintf(tmpl, sizeof tmpl, "%s/dios-trace.XXXXXX", dir) >= (int)sizeof tmpl)
		return -ENAMETOOLONG;
	if ((fd = mkostemp(tmpl, O_CLOEXEC)) < 0)
		return -errno;
	unlink(tmpl);
	return fd;
}

/* Whether the 4 bytes at p begin a zstd frame (magic 0xFD2FB528) or a
 * skippable frame (0x184D2A50..0x184D2A5F), little-endian, as the reader
 * requires. */
static bool
zstd_magic(const unsigned char *p)
{
	return (p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) ||
	    ((p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18);
}

static int
write_full(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
copy(int in, struct trace_spool *sp, uint64_t max)
{
	unsigned char *buf = malloc(CHUNK), head[4];
	size_t hn = 0;
	int e = 0;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(in, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = -errno;
			break;
		}
		if (n == 0)
			break;
		bool last = false;
		if (hn < sizeof head) {
			for (ssize_t i = 0; i < n && hn < sizeof head; i++)
				head[hn++] = buf[i];
			/* not a trace: what came so far is enough for the reader to say so */
			last = hn == sizeof head && !zstd_magic(head);
		}
		if ((uint64_t)n > max - sp->bytes) {
			if (!last) {
				e = -EFBIG;
				break;
			}
			n = (ssize_t)(max - sp->bytes);
		}
		if ((e = write_full(sp->fd, buf, (size_t)n)) < 0) {
			sp->writing = true;
			break;
		}
		sp->bytes += (uint64_t)n;
		if (last)
			break;
	}
	free(buf);
	return e;
}

int
trace_spool_open(struct trace_spool *sp, const char *path, const char *dir, uint64_t max)
{
	struct stat st;
	int in, e;

	memset(sp, 0, sizeof *sp);
	sp->fd = -1;
	if ((in = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return -errno;
	if (fstat(in, &st) < 0) {
		e = -errno;
		close(in);
		return e;
	}
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || isatty(in)) {
		close(in);
		return S_ISREG(st.st_mode) ? 0 : S_ISDIR(st.st_mode) ? -EISDIR : -ENOTTY;
	}
	if ((sp->fd = make_tmp(dir)) < 0) {
		e = sp->fd;
		sp->fd = -1;
		sp->writing = true;
		close(in);
		return e;
	}
	snprintf(sp->path, sizeof sp->path, "/proc/self/fd/%d", sp->fd);
	e = copy(in, sp, max);
	close(in);
	return e;
}

void
trace_spool_close(struct trace_spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	sp->path[0] = '\0';
}

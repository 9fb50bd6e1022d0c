/* test-spool.c: copies of traces that come on pipes (trace/spool.h): a
 * regular file is read in place, a pipe is copied whole into a file with
 * no name, up to the limit, and data that is not zstd is not read past its
 * first bytes; terminals, directories and missing files are refused. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "trace/spool.h"
#include "tap.h"

/* A pipe whose write end a child fills with n bytes: 4 of head, then a
 * pattern.  The path of its read end, for trace_spool_open. */
static pid_t
pipe_of(const unsigned char head[4], size_t n, char *path, size_t len, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		bail_out("pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		unsigned char buf[4096];
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		for (size_t off = 0; off < n; ) {
			size_t k = n - off < sizeof buf ? n - off : sizeof buf;
			for (size_t i = 0; i < k; i++)
				buf[i] = off + i < 4 ? head[off + i] : (unsigned char)((off + i) * 7);
			if (write(p[1], buf, k) != (ssize_t)k)
				_exit(1);
			off += k;
		}
		_exit(0);
	}
	close(p[1]);
	*rfd = p[0];
	snprintf(path, len, "/proc/self/fd/%d", p[0]);
	return pid;
}

static void
reap(pid_t pid, int rfd)
{
	close(rfd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Whether the file at path holds exactly n bytes as pipe_of writes them. */
static bool
holds(const char *path, const unsigned char head[4], size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char c;
	size_t i = 0;

	if (fd < 0)
		return false;
	while (read(fd, &c, 1) == 1) {
		if (i >= n || c != (i < 4 ? head[i] : (unsigned char)(i * 7))) {
			close(fd);
			return false;
		}
		i++;
	}
	close(fd);
	return i == n;
}

int
main(void)
{
	static const unsigned char zstd[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char skippable[4] = { 0x5a, 0x2a, 0x4d, 0x18 };
	static const unsigned char text[4] = { 'n', 'o', 't', ' ' };
	struct trace_spool sp;
	char path[64], tmpl[] = "/tmp/dios-test-spool.XXXXXX";
	struct stat st;
	int rfd, fd;
	pid_t pid;

	/* a regular file: read where it is */
	if ((fd = mkstemp(tmpl)) < 0)
		bail_out("mkstemp: %s", strerror(errno));
	is_int(trace_spool_open(&sp, tmpl, NULL, TRACE_SPOOL_MAX), 0, "a regular file needs no copy");
	ok(sp.path[0] == '\0' && sp.fd == -1, "and none is made");
	trace_spool_close(&sp);
	close(fd);
	unlink(tmpl);

	/* a pipe: copied whole, into a file with no name */
	pid = pipe_of(zstd, 300000, path, sizeof path, &rfd);
	is_int(trace_spool_open(&sp, path, NULL, TRACE_SPOOL_MAX), 0, "a pipe is copied");
	ok(sp.fd >= 0 && strncmp(sp.path, "/proc/self/fd/", 14) == 0, "to a file opened at %s", sp.path);
	ok(sp.bytes == 300000 && holds(sp.path, zstd, 300000), "all 300000 bytes, in order");
	ok(fstat(sp.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 0,
	    "the copy is a regular file without a name (it goes with the process)");
	ok(holds(sp.path, zstd, 300000), "and can be read again");
	trace_spool_close(&sp);
	ok(sp.fd == -1 && sp.path[0] == '\0', "closed");
	trace_spool_close(&sp);
	reap(pid, rfd);

	pid = pipe_of(skippable, 10, path, sizeof path, &rfd);
	ok(trace_spool_open(&sp, path, NULL, TRACE_SPOOL_MAX) == 0 && holds(sp.path, skippable, 10),
	    "a stream starting with a skippable frame is copied too");
	trace_spool_close(&sp);
	reap(pid, rfd);

	/* the limit */
	pid = pipe_of(zstd, 200000, path, sizeof path, &rfd);
	is_int(trace_spool_open(&sp, path, NULL, 100000), -EFBIG, "more than the limit is refused");
	ok(!sp.writing && sp.bytes <= 100000, "having copied no more than the limit");
	trace_spool_close(&sp);
	reap(pid, rfd);
	pid = pipe_of(zstd, 100000, path, sizeof path, &rfd);
	is_int(trace_spool_open(&sp, path, NULL, 100000), 0, "exactly the limit is fine");
	trace_spool_close(&sp);
	reap(pid, rfd);

	/* not zstd: the first bytes only, for the reader's message */
	pid = pipe_of(text, 1 << 20, path, sizeof path, &rfd);
	is_int(trace_spool_open(&sp, path, NULL, 1000), 0, "data that is not zstd is not refused here");
	ok(sp.bytes >= 4 && sp.bytes <= 1000, "but not read past its first chunk (%llu bytes)",
	    (unsigned long long)sp.bytes);
	trace_spool_close(&sp);
	reap(pid, rfd);

	/* what is not a trace */
	is_int(trace_spool_open(&sp, "/nonexistent/trace.json.zst", NULL, TRACE_SPOOL_MAX), -ENOENT,
	    "a missing file is -ENOENT");
	ok(!sp.writing, "reading failed, not the copy");
	trace_spool_close(&sp);
	is_int(trace_spool_open(&sp, "/", NULL, TRACE_SPOOL_MAX), -EISDIR, "a directory is -EISDIR");
	trace_spool_close(&sp);
	int pt = posix_openpt(O_RDWR | O_NOCTTY);
	if (pt >= 0 && grantpt(pt) == 0 && unlockpt(pt) == 0 && ptsname(pt)) {
		is_int(trace_spool_open(&sp, ptsname(pt), NULL, TRACE_SPOOL_MAX), -ENOTTY,
		    "a terminal is -ENOTTY");
		trace_spool_close(&sp);
	} else
		skip(1, "no pseudo-terminal here");
	if (pt >= 0)
		close(pt);

	/* the copy cannot be made */
	pid = pipe_of(zstd, 10, path, sizeof path, &rfd);
	ok(trace_spool_open(&sp, path, "/nonexistent", TRACE_SPOOL_MAX) == -ENOENT && sp.writing,
	    "a missing temporary directory: -ENOENT, making the copy");
	trace_spool_close(&sp);
	reap(pid, rfd);
	setenv("TMPDIR", "relative", 1);
	pid = pipe_of(zstd, 10, path, sizeof path, &rfd);
	ok(trace_spool_open(&sp, path, NULL, TRACE_SPOOL_MAX) == 0, "a relative TMPDIR is not used (/tmp is)");
	trace_spool_close(&sp);
	reap(pid, rfd);
	return done_testing();
}

/* rulesme.c: one requirement rule violated per mode, for tests/rules.sh
 * (dios-trace check finds exactly that one), and clean twins close to each.
 *
 *	rulesme MODE DIR
 *
 * error-ignored	a write to DIR/out cut short by RLIMIT_FSIZE, ignored, exit 0
 * error-checked	the same, reported on stderr, exit 1
 * fd-leak		DIR/out opened for writing and left open at exit 0
 * fd-closed		the same, closed
 * closed-fd		read of a descriptor after its close
 * reuse		close, a new open takes the number, read it
 * double-close		close twice
 * eintr		a read interrupted by SIGUSR1, given up, reported, exit 1
 * eintr-retried	the same read, made again until it succeeds, exit 0
 * clean		opens, writes, reads and closes everything, checked
 */
#include "progs.h"
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static void
fail(const char *what)
{
	fprintf(stderr, "rulesme: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
open_out(void)
{
	int fd = open(P("out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("open out");
	return fd;
}

static void
on_usr1(int sig)
{
	(void)sig;
}

/* A child sends SIGUSR1 to its parent every 20 ms (3 times when the parent
 * retries, else until one lands in the read, at most 100), then writes a
 * byte to the pipe the parent reads. */
static int
eintr(bool retry)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	int p[2];
	pid_t pid, parent = getpid();
	char c;
	ssize_t n;

	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(p) < 0)
		fail("pipe");
	if ((pid = fork()) < 0)
		fail("fork");
	if (pid == 0) {
		close(p[0]);
		for (int i = 0; i < (retry ? 3 : 100); i++) {
			usleep(20000);
			if (kill(parent, SIGUSR1) < 0)
				_exit(1);
		}
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], &c, 1)) < 0 && retry && errno == EINTR)
		;
	if (n < 0) {
		fprintf(stderr, "rulesme: read: %s\n", strerror(errno));
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return 1;
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(p[0]);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode;
	char buf[64];
	int fd, fd2 = -1;

	if (argc != 3) {
		fprintf(stderr, "usage: rulesme MODE DIR\n");
		return 2;
	}
	mode = argv[1];
	snprintf(dir, sizeof dir, "%s", argv[2]);
	memset(buf, 'a', sizeof buf);

	if (!strcmp(mode, "error-ignored") || !strcmp(mode, "error-checked")) {
		struct rlimit rl = { 16, 16 };
		signal(SIGXFSZ, SIG_IGN);
		fd = open_out();
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			fail("setrlimit");
		ssize_t n = write(fd, buf, sizeof buf);	/* 16 of 64 */
		if (!strcmp(mode, "error-checked") && n != (ssize_t)sizeof buf) {
			fprintf(stderr, "rulesme: write out: %zd of %zu bytes\n", n, sizeof buf);
			close(fd);
			return 1;
		}
		close(fd);
		return 0;
	}
	if (!strcmp(mode, "fd-leak") || !strcmp(mode, "fd-closed")) {
		fd = open_out();
		if (write(fd, "x\n", 2) != 2)
			fail("write out");
		if (!strcmp(mode, "fd-closed") && close(fd) < 0)
			fail("close out");
		return 0;
	}
	if (!strcmp(mode, "closed-fd") || !strcmp(mode, "reuse")) {
		fd = open_out();
		close(fd);
		if (!strcmp(mode, "reuse") && (fd2 = open(P("out"), O_RDONLY)) != fd)
			fail("open out again (not the same number)");
		if (read(fd, buf, sizeof buf) < 0 && errno != EBADF)
			fail("read out");
		if (!strcmp(mode, "reuse"))
			close(fd);
		return 0;
	}
	if (!strcmp(mode, "double-close")) {
		fd = open_out();
		close(fd);
		close(fd);
		return 0;
	}
	if (!strcmp(mode, "eintr") || !strcmp(mode, "eintr-retried"))
		return eintr(!strcmp(mode, "eintr-retried"));
	if (!strcmp(mode, "clean")) {
		int p[2];
		fd = open_out();
		if (write(fd, "hello\n", 6) != 6 || fsync(fd) < 0 || close(fd) < 0)
			fail("write out");
		if ((fd = open(P("out"), O_RDONLY)) < 0 || read(fd, buf, sizeof buf) != 6 || close(fd) < 0)
			fail("read out");
		if (pipe(p) < 0 || write(p[1], "x", 1) != 1 || read(p[0], buf, 1) != 1 ||
		    close(p[0]) < 0 || close(p[1]) < 0)
			fail("pipe");
		if ((fd = dup(1)) < 0 || close(fd) < 0)
			fail("dup");
		printf("clean\n");
		return fflush(stdout) == 0 ? 0 : 1;
	}
	fprintf(stderr, "rulesme: unknown mode %s\n", mode);
	return 2;
}

/* direct: reads, fstat, lseek and fadvise64 of regular files, which
 * dios-record makes itself on its own copy of the descriptor
 * (src/proxy/direct.c, proxy_direct_call).  What the program sees must not change:
 * the offset it shares with its copy, a number closed and reused for another
 * file, dup2 and close_range onto numbers already used, a child sharing the
 * offset, bad buffers (EFAULT, offset kept: NULL, read-only, PROT_NONE), errors, a read larger than dios
 * does itself, and /proc/self/stat, which dios must leave to the program (a
 * tracer reading it would see the task stopped).
 * Usage: direct DIR (with a.txt and b.txt in it).  Exits 7.
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

int
main(int argc, char **argv)
{
	char b[64], *big;
	long n;
	int fd, fd2, st;
	pid_t p;

	progs_init();
	progs_dir(argc, argv, "direct");

	struct stat sb;
	fd = R("open a.txt", open(P("a.txt"), O_RDONLY));
	R("fadvise sequential", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
	R("fadvise bad advice (EINVAL)", posix_fadvise(fd, 0, 0, 99));
	R("fstat", fstat(fd, &sb));
	R("  size", (long)sb.st_size);
	R("fstatat \"\" AT_EMPTY_PATH", fstatat(fd, "", &sb, AT_EMPTY_PATH));
	R("  size", (long)sb.st_size);
	R("fstat into NULL", (long)syscall(SYS_fstat, fd, NULL));
	R("lseek SEEK_END", lseek(fd, 0, SEEK_END));
	R("lseek -5 SEEK_SET (EINVAL)", lseek(fd, -5, SEEK_SET));
	R("lseek SEEK_CUR after EINVAL", lseek(fd, 0, SEEK_CUR));
	R("lseek 0 SEEK_SET", lseek(fd, 0, SEEK_SET));
	n = R("read 4", read(fd, b, 4));
	show_text("a", b, n);
	R("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR));
	n = R("pread 3 at 10", pread(fd, b, 3, 10));
	show_text("a", b, n);
	R("lseek SEEK_CUR after pread", lseek(fd, 0, SEEK_CUR));
	fd2 = R("dup", dup(fd));
	n = R("read 4 from the dup", read(fd2, b, 4));
	show_text("a", b, n);
	R("lseek SEEK_CUR of the first", lseek(fd, 0, SEEK_CUR));

	/* the child moves the shared offset */
	if ((p = fork()) == 0) {
		n = read(fd, b, 5);
		_exit(n == 5 ? 0 : 1);
	}
	R("waitpid is the child", waitpid(p, &st, 0) == p);
	R("child status", WEXITSTATUS(st));
	n = R("read 4 after the child", read(fd, b, 4));
	show_text("a", b, n);

	/* a bad buffer: EFAULT, the offset stays */
	char *volatile bad = NULL;
	R("read into NULL", read(fd, bad, 4));
	R("lseek SEEK_CUR after EFAULT", lseek(fd, 0, SEEK_CUR));
	/* memory the program may not write, which dios could (/proc/PID/mem
	 * ignores protections): EFAULT all the same */
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED || none == MAP_FAILED)
		return 1;
	R("read into a read-only page", read(fd, ro, 4));
	R("pread into a PROT_NONE page", pread(fd, none, 4, 0));
	R("fstat into a read-only page", fstat(fd, (struct stat *)ro));
	R("lseek SEEK_CUR after them", lseek(fd, 0, SEEK_CUR));
	printf("  the read-only page still holds %d\n", ro[0]);

	/* the number reused for another file */
	R("close", close(fd));
	R("open b.txt (same number)", open(P("b.txt"), O_RDONLY) == fd);
	R("fstat", fstat(fd, &sb));
	R("  size of b.txt", (long)sb.st_size);
	n = R("read 6", read(fd, b, 6));
	show_text("b", b, n);
	/* dup2 onto a number already read */
	R("dup2 the a.txt copy onto it", dup2(fd2, fd));
	R("fstat", fstat(fd, &sb));
	R("  size of a.txt", (long)sb.st_size);
	R("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR));
	n = R("read 4", read(fd, b, 4));
	show_text("a", b, n);
	/* close_range over both, then b.txt at the lower number */
	R("close_range", (long)syscall(SYS_close_range, fd < fd2 ? fd : fd2, fd < fd2 ? fd2 : fd, 0));
	int fd3 = R("open b.txt", open(P("b.txt"), O_RDONLY));
	R("  at the lower number", fd3 == (fd < fd2 ? fd : fd2));
	R("fstat", fstat(fd3, &sb));
	R("  size of b.txt", (long)sb.st_size);
	R("lseek SEEK_END", lseek(fd3, 0, SEEK_END));
	fd = fd3;

	/* open for writing only, and O_PATH: dios's copy is the same open
	 * file, and what fails there fails for the program too */
	int wfd = R("open a.txt O_WRONLY", open(P("a.txt"), O_WRONLY));
	R("read (EBADF)", read(wfd, b, 4));
	R("fstat", fstat(wfd, &sb));
	R("  size", (long)sb.st_size);
	R("lseek SEEK_END", lseek(wfd, 0, SEEK_END));
	R("close", close(wfd));
	int pfd = R("open a.txt O_PATH", open(P("a.txt"), O_PATH));
	R("read (EBADF)", read(pfd, b, 4));
	R("lseek (EBADF)", lseek(pfd, 0, SEEK_SET));
	R("fstat", fstat(pfd, &sb));
	R("  size", (long)sb.st_size);
	R("close", close(pfd));

	/* larger than dios reads itself */
	big = malloc(1 << 20);
	R("lseek 0", lseek(fd, 0, SEEK_SET));
	R("read 1 MiB", read(fd, big, 1 << 20));
	free(big);

	/* what only the program may read */
	int sfd = R("open /proc/self/stat", open("/proc/self/stat", O_RDONLY));
	n = read(sfd, b, sizeof b - 1);
	if (n > 0) {
		b[n] = '\0';
		char *q = strrchr(b, ')');
		printf("  state: %c\n", q && q[1] == ' ' ? q[2] : '?');
	}
	return 7;
}

/* fdops: the descriptor calls of syscalls.def, on files in directory argv[1].
 *
 * Reads and writes data.txt there (created by the test), copies it to
 * copy.txt and sendfile.txt, redirects stdout to redirect.txt for a while,
 * and prints one line per call.  Copies part of data.txt to stdout with
 * sendfile and copy_file_range (when stdout is a file, as in the tests).
 * Exits 4.
 */
#include "progs.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <termios.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void
show_fd(const char *what, int fd)
{
	char buf[256];
	long n = pread(fd, buf, sizeof buf, 0);

	if (n < 0)
		printf("  %s: pread = -1 %s\n", what, ename(errno));
	else
		show_text(what, buf, n);
}

int
main(int argc, char **argv)
{
	char a[8], b[8], c[16];
	struct iovec iov[2];
	struct stat st;
	struct statfs sfs;
	struct flock fl;
	long r;
	int fd, fd2, d1, d2, d3, d4, d5, saved, rfd;

	progs_init();
	progs_dir(argc, argv, "fdops");
	fprintf(stderr, "fdops: data in %s\n", P("data.txt"));

	fd = R("open data.txt O_RDWR", open(P("data.txt"), O_RDWR));
	NEED(fd);

	/* Reading. */
	show_text("read", a, R("read 5", read(fd, a, 5)));
	show_text("pread64", c, R("pread64 6 @10", syscall(SYS_pread64, fd, c, 6, 10)));
	iov[0] = (struct iovec){ a, 3 };
	iov[1] = (struct iovec){ b, 4 };
	if ((r = R("readv 3+4", syscall(SYS_readv, fd, iov, 2))) >= 0) {
		show_text("readv[0]", a, r < 3 ? r : 3);
		show_text("readv[1]", b, r > 3 ? r - 3 : 0);
	}
	iov[0] = (struct iovec){ a, 2 };
	iov[1] = (struct iovec){ b, 8 };
	if ((r = R("preadv 2+8 @1", syscall(SYS_preadv, fd, iov, 2, 1L, 0L))) >= 0) {
		show_text("preadv[0]", a, r < 2 ? r : 2);
		show_text("preadv[1]", b, r > 2 ? r - 2 : 0);
	}
	iov[0] = (struct iovec){ c, 16 };
	if ((r = R("preadv2 16 @-1 (current offset)", syscall(SYS_preadv2, fd, iov, 1, -1L, -1L, 0))) >= 0)
		show_text("preadv2", c, r);
	if ((r = R("preadv2 16 @30 RWF_NOWAIT", syscall(SYS_preadv2, fd, iov, 1, 30L, 0L, RWF_NOWAIT))) >= 0)
		show_text("preadv2", c, r);
	R("read bad fd", read(999, a, 1));
	R("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR));
	R("lseek SEEK_END", lseek(fd, 0, SEEK_END));
	R("lseek -1 SEEK_SET", lseek(fd, -1, SEEK_SET));
	R("read at end", read(fd, a, 5));

	/* Writing. */
	R("write tail", write(fd, "tail\n", 5));
	R("pwrite64 @0", syscall(SYS_pwrite64, fd, "W", 1, 0L));
	iov[0] = (struct iovec){ "wv1", 3 };
	iov[1] = (struct iovec){ "wv2\n", 4 };
	R("writev", syscall(SYS_writev, fd, iov, 2));
	iov[0] = (struct iovec){ "PV", 2 };
	R("pwritev @2", syscall(SYS_pwritev, fd, iov, 1, 2L, 0L));
	iov[0] = (struct iovec){ "P2", 2 };
	R("pwritev2 @4 RWF_DSYNC", syscall(SYS_pwritev2, fd, iov, 1, 4L, 0L, RWF_DSYNC));
	R("write to O_RDONLY fd", ({ int ro = open(P("data.txt"), O_RDONLY);
	    long w = write(ro, "x", 1); int e = errno; close(ro); errno = e; w; }));
	if (R("fstat", fstat(fd, &st)) == 0)
		printf("  fstat: ino=%llu size=%lld blocks=%lld mode=%o mtime=%lld.%09ld\n",
		    (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_blocks,
		    (unsigned)st.st_mode, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if (R("fstatfs", fstatfs(fd, &sfs)) == 0)
		printf("  fstatfs: type=%#lx bsize=%ld bavail=%llu\n", (unsigned long)sfs.f_type,
		    (long)sfs.f_bsize, (unsigned long long)sfs.f_bavail);
	show_fd("data.txt now", fd);

	/* Descriptor numbers. */
	d1 = R("dup", dup(fd));
	d2 = R("dup2 -> 20", dup2(fd, 20));
	d3 = R("dup3 -> 21 O_CLOEXEC", dup3(fd, 21, O_CLOEXEC));
	R("dup3 same fd", dup3(fd, fd, 0));
	R("dup bad fd", dup(998));
	R("fcntl F_GETFD 21", fcntl(d3, F_GETFD));
	R("fcntl F_GETFD 20", fcntl(d2, F_GETFD));
	R("fcntl F_SETFD 20 FD_CLOEXEC", fcntl(d2, F_SETFD, FD_CLOEXEC));
	R("fcntl F_GETFD 20", fcntl(d2, F_GETFD));
	R("fcntl F_GETFL & (ACCMODE|APPEND)", ({ long f = fcntl(fd, F_GETFL); f < 0 ? f : f & (O_ACCMODE | O_APPEND); }));
	R("fcntl F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
	R("fcntl F_GETFL & (ACCMODE|APPEND)", ({ long f = fcntl(fd, F_GETFL); f < 0 ? f : f & (O_ACCMODE | O_APPEND); }));
	d4 = R("fcntl F_DUPFD 30", fcntl(fd, F_DUPFD, 30));
	d5 = R("fcntl F_DUPFD_CLOEXEC 30", fcntl(fd, F_DUPFD_CLOEXEC, 30));
	R("fcntl F_GETFD (the F_DUPFD_CLOEXEC one)", fcntl(d5, F_GETFD));
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 4 };
	R("fcntl F_SETLK F_WRLCK 0+4", fcntl(fd, F_SETLK, &fl));
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	if (R("fcntl F_GETLK", fcntl(fd, F_GETLK, &fl)) == 0)
		printf("  F_GETLK: type=%d start=%lld len=%lld\n", fl.l_type, (long long)fl.l_start,
		    (long long)fl.l_len);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 4 };
	R("fcntl F_SETLK F_UNLCK", fcntl(fd, F_SETLK, &fl));
	R("fcntl bad fd", fcntl(997, F_GETFD));

	/* ioctl. */
	int avail = -1;
	R("lseek 3", lseek(fd, 3, SEEK_SET));
	if (R("ioctl FIONREAD", ioctl(fd, FIONREAD, &avail)) == 0)
		printf("  FIONREAD: %d\n", avail);
	struct termios tio;
	R("ioctl TCGETS (not a tty)", ioctl(fd, TCGETS, &tio));
	struct winsize ws;
	R("ioctl TIOCGWINSZ (not a tty)", ioctl(fd, TIOCGWINSZ, &ws));
	R("ioctl FIOCLEX", ioctl(d1, FIOCLEX));
	R("fcntl F_GETFD", fcntl(d1, F_GETFD));
	R("ioctl FIONCLEX", ioctl(d1, FIONCLEX));
	R("fcntl F_GETFD", fcntl(d1, F_GETFD));

	/* Locks, space, sync. */
	R("flock LOCK_EX", flock(fd, LOCK_EX));
	R("flock LOCK_SH|LOCK_NB", flock(d1, LOCK_SH | LOCK_NB));
	R("flock LOCK_UN", flock(fd, LOCK_UN));
	R("fallocate 0 8192", fallocate(fd, 0, 0, 8192));
	R("fallocate KEEP_SIZE 8192 4096", fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 4096));
	if (R("fstat", fstat(fd, &st)) == 0)
		printf("  fstat: size=%lld blocks=%lld\n", (long long)st.st_size, (long long)st.st_blocks);
	R("ftruncate 40", ftruncate(fd, 40));
	R("posix_fadvise SEQUENTIAL", ({ int e = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	    errno = e; e ? -1 : 0; }));
	R("fsync", fsync(fd));
	R("fdatasync", fdatasync(fd));

	/* Copies. */
	fd2 = R("open copy.txt O_CREAT", open(P("copy.txt"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	loff_t off_in = 0, off_out = 0;
	R("copy_file_range 40", copy_file_range(fd, &off_in, fd2, &off_out, 40, 0));
	printf("  offsets: in=%lld out=%lld\n", (long long)off_in, (long long)off_out);
	show_fd("copy.txt", fd2);
	int fd3 = R("open sendfile.txt O_CREAT", open(P("sendfile.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	off_t soff = 5;
	R("sendfile 10 @5", sendfile(fd3, fd, &soff, 10));
	printf("  offset: %lld\n", (long long)soff);
	R("sendfile NULL offset", sendfile(fd3, fd2, NULL, 100));
	R("lseek sendfile.txt SEEK_CUR", lseek(fd3, 0, SEEK_CUR));
	close(fd3);

	/* stdout by hand, and redirected to a file and back. */
	fflush(stdout);
	R("write stdout", write(1, "direct write to stdout\n", 23));
	iov[0] = (struct iovec){ "writev ", 7 };
	iov[1] = (struct iovec){ "to stdout\n", 10 };
	R("writev stdout", writev(1, iov, 2));
	fflush(stdout);
	soff = 0;
	write(1, "[", 1);
	r = sendfile(1, fd, &soff, 10);
	write(1, "]\n", 2);
	R("sendfile data.txt 10 @0 -> stdout (between the brackets)", r);
	off_in = 10;
	write(1, "[", 1);
	r = copy_file_range(fd, &off_in, 1, NULL, 10, 0);
	write(1, "]\n", 2);
	R("copy_file_range data.txt 10 @10 -> stdout (between the brackets)", r);
	rfd = R("open redirect.txt", open(P("redirect.txt"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	saved = R("dup 1", dup(1));
	fflush(stdout);
	if (dup2(rfd, 1) == 1) {
		printf("this line goes to redirect.txt, not to stdout\n");
		fflush(stdout);
		write(1, "and this one too\n", 17);
		dup2(saved, 1);
	}
	R("close saved", close(saved));
	show_fd("redirect.txt", rfd);
	R("close redirect.txt", close(rfd));
	fprintf(stderr, "fdops: to stderr with write\n");
	write(2, "fdops: raw write to fd 2\n", 25);

	/* Closing ranges. */
	R("close_range 20..21", syscall(SYS_close_range, 20, 21, 0));
	R("fcntl F_GETFD 20 (closed)", fcntl(d2, F_GETFD));
	R("close_range 30..31 CLOEXEC", syscall(SYS_close_range, d4, d5, CLOSE_RANGE_CLOEXEC));
	R("fcntl F_GETFD 30", fcntl(d4, F_GETFD));
	R("close_range 30..~0", syscall(SYS_close_range, d4, ~0U, 0));
	R("fcntl F_GETFD 31 (closed)", fcntl(d5, F_GETFD));
	R("close", close(d1));
	R("close again", close(d1));
	R("close copy.txt", close(fd2));
	show_fd("data.txt at the end", fd);
	R("close data.txt", close(fd));
	fprintf(stderr, "fdops: done\n");
	return 4;
}

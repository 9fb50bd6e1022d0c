/* errtab.c: the errno table (errtab.h).  The lists follow the calls'
 * manual pages (Linux man-pages 6); a call is named in one row at most
 * (tests/unit/test-spec checks it), and a row's "fuzz" part comes first,
 * the errors issue 12 names for it.
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fuzz/errtab.h"
#include "sys/xlat.h"

#define L(...) ((const int[]){ __VA_ARGS__, 0 })
#define NONE ((const int[]){ 0 })

/* Errors every call naming a path can meet on the way to it. */
#define PATHERR ENOTDIR, ELOOP, ENAMETOOLONG

static const struct errtab_row rows[] = {
	/* files: paths */
	{ "open openat openat2 creat",
	  L(ENOENT, EACCES, EMFILE, ENFILE, ENOSPC, PATHERR, EROFS),
	  L(EEXIST, EISDIR, EPERM, EINTR, ENOMEM, EDQUOT, ENXIO, EFBIG, EOVERFLOW, ETXTBSY,
	    EAGAIN, ENODEV, EBUSY, EFAULT, EINVAL, EBADF) },
	{ "open_by_handle_at",
	  L(ENOENT, EACCES, EMFILE, ENFILE, ESTALE),
	  L(EPERM, ELOOP, ENOMEM, EINVAL, EBADF, EFAULT) },
	{ "stat lstat newfstatat statx",
	  L(ENOENT, EACCES, PATHERR),
	  L(ENOMEM, EOVERFLOW, EFAULT, EBADF, EINVAL) },
	{ "statfs",
	  L(ENOENT, EACCES, PATHERR, EIO),
	  L(ENOMEM, EOVERFLOW, ENOSYS, EINTR, EFAULT) },
	{ "access faccessat faccessat2",
	  L(ENOENT, EACCES, PATHERR, EROFS),
	  L(ENOMEM, ETXTBSY, EIO, EPERM, EFAULT, EINVAL, EBADF) },
	{ "readlink readlinkat",
	  L(ENOENT, EACCES, PATHERR, EINVAL),
	  L(EIO, ENOMEM, EFAULT, EBADF) },
	{ "getcwd",
	  L(ENOENT, ERANGE, EACCES),
	  L(ENAMETOOLONG, ENOMEM, EFAULT, EINVAL) },
	{ "chdir",
	  L(ENOENT, EACCES, PATHERR),
	  L(EIO, ENOMEM, EFAULT) },
	{ "chroot",
	  L(ENOENT, EACCES, EPERM, PATHERR),
	  L(EIO, ENOMEM, EFAULT) },
	{ "mkdir mkdirat",
	  L(EEXIST, ENOENT, EACCES, ENOSPC, EDQUOT, EROFS, PATHERR),
	  L(EPERM, EMLINK, ENOMEM, EINVAL, EFAULT, EBADF) },
	{ "mknod mknodat",
	  L(EEXIST, ENOENT, EACCES, ENOSPC, EDQUOT, EROFS, EPERM, PATHERR),
	  L(ENOMEM, EINVAL, EFAULT, EBADF) },
	{ "rmdir",
	  L(ENOENT, EACCES, ENOTEMPTY, EBUSY, EROFS, PATHERR),
	  L(EPERM, EINVAL, ENOMEM, EFAULT) },
	{ "unlink unlinkat",
	  L(ENOENT, EACCES, EBUSY, EROFS, EPERM, EISDIR, PATHERR),
	  L(EIO, ENOMEM, ENOTEMPTY, EINVAL, EFAULT, EBADF) },
	{ "rename renameat renameat2",
	  L(ENOENT, EACCES, EXDEV, ENOSPC, EDQUOT, EROFS, EBUSY, ENOTEMPTY, EEXIST, PATHERR),
	  L(EISDIR, EMLINK, EPERM, ENOMEM, EINVAL, EFAULT, EBADF) },
	{ "link linkat",
	  L(ENOENT, EACCES, EEXIST, EXDEV, ENOSPC, EDQUOT, EROFS, EMLINK, PATHERR),
	  L(EPERM, EIO, ENOMEM, EINVAL, EFAULT, EBADF) },
	{ "symlink symlinkat",
	  L(ENOENT, EACCES, EEXIST, ENOSPC, EDQUOT, EROFS, PATHERR),
	  L(EPERM, EIO, ENOMEM, EFAULT, EBADF) },
	{ "chmod fchmodat chown lchown fchownat",
	  L(ENOENT, EACCES, EPERM, EROFS, PATHERR),
	  L(EIO, ENOMEM, EINVAL, EFAULT, EBADF) },
	{ "truncate",
	  L(ENOENT, EACCES, EFBIG, EIO, EROFS, EISDIR, PATHERR),
	  L(EINTR, EINVAL, EPERM, ETXTBSY, EFAULT) },
	{ "utime utimes utimensat futimesat",
	  L(ENOENT, EACCES, EPERM, EROFS, PATHERR),
	  L(ESRCH, EINVAL, EFAULT, EBADF) },
	{ "getxattr lgetxattr listxattr llistxattr",
	  L(ENODATA, ERANGE, ENOTSUP, ENOENT, EACCES),
	  L(E2BIG, PATHERR, ENOMEM, EFAULT) },
	{ "setxattr lsetxattr removexattr lremovexattr",
	  L(ENOSPC, EDQUOT, ENOTSUP, EEXIST, ENODATA, ENOENT, EACCES, EPERM),
	  L(ERANGE, E2BIG, PATHERR, EROFS, ENOMEM, EFAULT) },
	/* descriptors */
	{ "read pread64 readv preadv preadv2",
	  L(EIO, EINTR, EAGAIN),
	  L(EBADF, EINVAL, EISDIR, EFAULT, EOPNOTSUPP, ESPIPE, EOVERFLOW) },
	{ "write pwrite64 writev pwritev pwritev2",
	  L(ENOSPC, EIO, EPIPE, EDQUOT, EFBIG, EINTR, EAGAIN),
	  L(EBADF, EINVAL, EPERM, EDESTADDRREQ, EFAULT, EOPNOTSUPP, ESPIPE, EOVERFLOW) },
	{ "close",
	  L(EIO, EINTR),
	  L(EBADF, ENOSPC, EDQUOT) },
	{ "close_range",
	  L(EINVAL),
	  L(ENOMEM) },
	{ "fsync fdatasync syncfs sync_file_range",
	  L(EIO, ENOSPC, EDQUOT),
	  L(EBADF, EINVAL, EROFS, EINTR, ESPIPE) },
	{ "dup dup2 dup3",
	  L(EMFILE, EBADF),
	  L(EBUSY, EINTR, EINVAL) },
	{ "pipe pipe2",
	  L(EMFILE, ENFILE),
	  L(EFAULT, EINVAL, ENOPKG) },
	{ "lseek",
	  L(EINVAL, ESPIPE, ENXIO, EOVERFLOW),
	  L(EBADF) },
	{ "fstat",
	  L(EBADF, EIO),
	  L(ENOMEM, EOVERFLOW, EFAULT) },
	{ "fstatfs",
	  L(EIO, EBADF),
	  L(ENOMEM, EOVERFLOW, ENOSYS, EINTR, EFAULT) },
	{ "ftruncate fallocate",
	  L(EIO, EFBIG, ENOSPC, EINTR),
	  L(EBADF, EINVAL, EPERM, EROFS, ETXTBSY, EOPNOTSUPP, ENODEV, ESPIPE) },
	{ "getdents getdents64",
	  L(EIO, ENOENT),
	  L(EBADF, EFAULT, EINVAL, ENOTDIR) },
	{ "fcntl",
	  L(EAGAIN, EACCES, EMFILE, EDEADLK, EINTR, ENOLCK),
	  L(EBADF, EBUSY, EFAULT, EINVAL, EPERM, ENOTDIR) },
	{ "flock",
	  L(EWOULDBLOCK, EINTR, ENOLCK),
	  L(EBADF, EINVAL) },
	{ "ioctl",
	  L(ENOTTY, EIO, EINTR),
	  L(EBADF, EFAULT, EINVAL, EPERM, EAGAIN, ENODEV, ENXIO) },
	{ "poll ppoll select pselect6 epoll_wait epoll_pwait epoll_pwait2",
	  L(EINTR, ENOMEM),
	  L(EBADF, EFAULT, EINVAL) },
	{ "epoll_create epoll_create1 eventfd eventfd2 signalfd signalfd4 timerfd_create "
	  "inotify_init inotify_init1 memfd_create fanotify_init",
	  L(EMFILE, ENFILE, ENOMEM),
	  L(EINVAL, ENODEV, EPERM, EFAULT, EBADF) },
	{ "epoll_ctl",
	  L(ENOMEM, ENOSPC, EEXIST, ENOENT),
	  L(EBADF, EINVAL, ELOOP, EPERM) },
	{ "sendfile copy_file_range splice tee vmsplice",
	  L(EIO, EAGAIN, ENOMEM, EINTR, ENOSPC),
	  L(EBADF, EFAULT, EINVAL, EOVERFLOW, ESPIPE, EXDEV, EFBIG, EPERM) },
	/* network */
	{ "socket",
	  L(EMFILE, ENFILE, EACCES, EAFNOSUPPORT, ENOBUFS, ENOMEM),
	  L(EINVAL, EPROTONOSUPPORT) },
	{ "socketpair",
	  L(EMFILE, ENFILE),
	  L(EAFNOSUPPORT, EFAULT, EOPNOTSUPP, EPROTONOSUPPORT, EINVAL) },
	{ "connect",
	  L(ECONNREFUSED, ETIMEDOUT, ENETUNREACH, EHOSTUNREACH, EINTR, EADDRNOTAVAIL, EACCES),
	  L(EAGAIN, EINPROGRESS, EALREADY, EISCONN, EADDRINUSE, EAFNOSUPPORT, EPERM, ECONNRESET,
	    ENOENT, EPROTOTYPE, EBADF, EFAULT, ENOTSOCK, EINVAL) },
	{ "accept accept4",
	  L(EMFILE, ENFILE, EAGAIN, EINTR, ECONNABORTED, ENOBUFS, ENOMEM),
	  L(EPERM, EPROTO, EBADF, EFAULT, EINVAL, ENOTSOCK, EOPNOTSUPP, ENETDOWN, EHOSTUNREACH,
	    ENONET, ETIMEDOUT) },
	{ "bind",
	  L(EADDRINUSE, EACCES, EADDRNOTAVAIL),
	  L(EINVAL, ENOENT, EROFS, PATHERR, ENOMEM, EBADF, EFAULT, ENOTSOCK) },
	{ "listen",
	  L(EADDRINUSE),
	  L(EBADF, ENOTSOCK, EOPNOTSUPP) },
	{ "recvfrom recvmsg recvmmsg",
	  L(EAGAIN, EINTR, ECONNRESET, ECONNREFUSED, ENOMEM),
	  L(ENOTCONN, ETIMEDOUT, EBADF, EFAULT, EINVAL, ENOTSOCK) },
	{ "sendto sendmsg sendmmsg",
	  L(EAGAIN, EINTR, EPIPE, ECONNRESET, ENOBUFS, ENOMEM),
	  L(EMSGSIZE, ENOTCONN, EACCES, EDESTADDRREQ, EISCONN, ECONNREFUSED, EHOSTUNREACH,
	    ENETUNREACH, EBADF, EFAULT, EINVAL, ENOTSOCK, EOPNOTSUPP) },
	{ "getsockopt setsockopt",
	  L(ENOPROTOOPT, ENOMEM),
	  L(EBADF, EFAULT, EINVAL, ENOTSOCK, EPERM) },
	{ "getsockname getpeername",
	  L(ENOTCONN, ENOBUFS),
	  L(EBADF, EFAULT, EINVAL, ENOTSOCK) },
	{ "shutdown",
	  L(ENOTCONN),
	  L(EBADF, EINVAL, ENOTSOCK) },
	/* memory */
	{ "mmap",
	  L(ENOMEM, EACCES, EAGAIN),
	  L(EBADF, EINVAL, ENFILE, ENODEV, EPERM, EOVERFLOW, ETXTBSY, EEXIST) },
	{ "msync",
	  L(EIO, ENOMEM, EBUSY),
	  L(EINVAL) },
	/* processes */
	{ "fork vfork",
	  L(EAGAIN, ENOMEM),
	  L(ENOSYS) },
	{ "clone",
	  L(EAGAIN, ENOMEM),
	  L(ENOSPC, EPERM, EINVAL, EUSERS, EBUSY, EEXIST, EINTR) },
	{ "execve execveat",
	  L(ENOENT, EACCES, ENOMEM, E2BIG, ENOEXEC, ETXTBSY, EIO),
	  L(EAGAIN, EFAULT, EINVAL, EISDIR, ELIBBAD, ELOOP, EMFILE, ENAMETOOLONG, ENFILE,
	    ENOTDIR, EPERM, EBADF) },
	{ "wait4 waitid",
	  L(ECHILD, EINTR),
	  L(EAGAIN, EINVAL, EFAULT, ESRCH) },
	{ "kill tkill tgkill pidfd_send_signal rt_sigqueueinfo rt_tgsigqueueinfo",
	  L(ESRCH, EPERM, EAGAIN),
	  L(EINVAL, EBADF) },
	{ "nanosleep clock_nanosleep",
	  L(EINTR),
	  L(EINVAL, EFAULT, ENOTSUP) },
	{ "rt_sigtimedwait",
	  L(EAGAIN, EINTR),
	  L(EINVAL, EFAULT) },
	/* clocks, random, ids */
	{ "getrandom",
	  L(EAGAIN, EINTR),
	  L(EFAULT, EINVAL, ENOSYS) },
	{ "clock_gettime clock_getres gettimeofday time",
	  L(EINVAL),
	  L(EFAULT, EPERM, EOVERFLOW) },
	{ "uname sysinfo",
	  L(EFAULT),
	  NONE },
	/* The classes, for calls without a row of their own. */
	{ "%file", L(ENOENT, EACCES, PATHERR, EIO), L(EPERM, EROFS, ENOMEM, EINVAL, EFAULT, EBADF) },
	{ "%fd", L(EBADF, EIO, EINTR), L(EINVAL, EAGAIN, ENOMEM, EFAULT, EPERM) },
	{ "%clock", L(EINVAL), L(EFAULT, EPERM, EINTR) },
	{ "%random", L(EAGAIN, EINTR), L(EFAULT, EINVAL) },
	{ "%id", L(EPERM, EINVAL), L(EFAULT, ESRCH, EAGAIN) },
	{ "%net", L(EAGAIN, EINTR, ENOMEM, ENOBUFS), L(EBADF, EINVAL, EFAULT, ENOTSOCK, EPERM) },
	{ "%proc", L(EAGAIN, ENOMEM, EPERM), L(EINVAL, ESRCH, EFAULT, EINTR) },
	{ "%signal", L(EINTR, EINVAL), L(EFAULT, EPERM, ESRCH, EAGAIN) },
	{ "%mem", L(ENOMEM, EINVAL), L(EACCES, EAGAIN, EFAULT, EPERM) },
	{ "%ipc", L(EACCES, ENOENT, ENOMEM, ENOSPC, EINTR, EAGAIN),
	  L(EEXIST, EINVAL, EIDRM, EPERM, EFAULT, E2BIG) },
	{ "%system", L(EPERM, EBUSY, ENOMEM), L(EINVAL, EFAULT, ENOSYS, EIO, ENOENT) },
};

#define NROWS (sizeof rows / sizeof rows[0])

/* Whether the blank-separated list has word w. */
static bool
has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

const struct errtab_row *
errtab_find(const struct sc_desc *sc)
{
	static const char *const cls[CLS__N] = { "%file", "%fd", "%clock", "%random", "%id",
	    "%net", "%proc", "%signal", "%mem", "%ipc", "%system" };
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (rows[i].calls[0] != '%' && has_word(rows[i].calls, sc->name))
			return &rows[i];
	for (i = 0; i < NROWS; i++)
		if (sc->cls < CLS__N && strcmp(rows[i].calls, cls[sc->cls]) == 0)
			return &rows[i];
	return &rows[NROWS - 1];
}

static bool
in(const int *l, int e)
{
	for (; *l; l++)
		if (*l == e)
			return true;
	return false;
}

bool
errtab_can(const struct sc_desc *sc, int e)
{
	const struct errtab_row *r = errtab_find(sc);

	/* EWOULDBLOCK is EAGAIN; ENOTSUP is EOPNOTSUPP on Linux. */
	return e > 0 && (in(r->fuzz, e) || in(r->more, e));
}

const char *
errtab_names(const struct sc_desc *sc, char *buf, size_t len)
{
	const struct errtab_row *r = errtab_find(sc);
	const int *parts[2] = { r->fuzz, r->more };
	size_t n = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (int k = 0; k < 2; k++)
		for (const int *l = parts[k]; *l; l++) {
			const char *name = errno_name(*l);
			char num[16];
			if (name == NULL) {
				snprintf(num, sizeof num, "%d", *l);
				name = num;
			}
			size_t w = strlen(name) + (n ? 2 : 0);
			if (n + w + 4 >= len) {
				if (n + 4 < len)
					memcpy(buf + n, "...", 4);
				return buf;
			}
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
		}
	return buf;
}

const struct errtab_row *
errtab_rows(size_t *n)
{
	*n = NROWS;
	return rows;
}

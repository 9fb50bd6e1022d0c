/* fileops: the path-based file calls of syscalls.def, in directory argv[1].
 *
 * Reads input.txt there (created by the test), creates, renames, links and
 * removes files there, and prints one line per call.  Leaves kept.txt,
 * sub/ and sub/inner.txt behind.  Exits 3.
 */
#include "progs.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

static void
show_stat(const char *what, const struct stat *st)
{
	printf("  %s: ino=%llu mode=%o nlink=%lu uid=%u gid=%u size=%lld mtime=%lld.%09ld "
	    "atime=%lld ctime=%lld dev=%llu\n", what,
	    (unsigned long long)st->st_ino, (unsigned)st->st_mode, (unsigned long)st->st_nlink,
	    st->st_uid, st->st_gid, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
	    st->st_mtim.tv_nsec, (long long)st->st_atim.tv_sec, (long long)st->st_ctim.tv_sec,
	    (unsigned long long)st->st_dev);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists directory fd with getdents64; prints the sorted names with their
 * types and inode numbers. */
static void
list_dir(const char *what, int fd)
{
	char buf[512], *names[256];
	int n = 0;
	long r;

	while ((r = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < r;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char *s;
			if (n < 256 && asprintf(&s, "%s(type %d, ino %llu)", d->d_name, d->d_type,
			    (unsigned long long)d->d_ino) > 0)
				names[n++] = s;
			off += d->d_reclen;
		}
	}
	if (r < 0)
		printf("getdents64 = -1 %s\n", ename(errno));
	qsort(names, n, sizeof *names, cmp);
	printf("%s: %d entries:", what, n);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void
read_all(const char *what, int fd)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf - 1);

	if (n < 0) {
		printf("%s: read = -1 %s\n", what, ename(errno));
		return;
	}
	buf[n] = '\0';
	printf("%s: read %zd bytes: %s", what, n, buf);
	if (n == 0 || buf[n - 1] != '\n')
		printf("\n");
}

int
main(int argc, char **argv)
{
	struct stat st;
	struct statx stx;
	struct statfs sfs;
	struct open_how how;
	char buf[PATH_MAX];
	int fd, dfd, cwdfd;
	long r;

	progs_init();
	progs_dir(argc, argv, "fileops");
	fprintf(stderr, "fileops: working in %s\n", dir);

	/* Opening and reading the input. */
	fd = R("open input.txt", syscall(SYS_open, P("input.txt"), O_RDONLY));
	if (fd >= 0) {
		read_all("input.txt", fd);
		close(fd);
	}
	R("open missing.txt", syscall(SYS_open, P("missing.txt"), O_RDONLY));
	dfd = R("open dir O_DIRECTORY", syscall(SYS_open, dir, O_RDONLY | O_DIRECTORY));
	NEED(dfd);
	fd = R("openat input.txt", syscall(SYS_openat, dfd, "input.txt", O_RDONLY | O_CLOEXEC));
	if (fd >= 0) {
		read_all("openat", fd);
		close(fd);
	}
	R("openat input.txt/x", syscall(SYS_openat, dfd, "input.txt/x", O_RDONLY));
	memset(&how, 0, sizeof how);
	how.flags = O_RDONLY;
	how.resolve = RESOLVE_BENEATH;
	fd = R("openat2 input.txt RESOLVE_BENEATH", syscall(SYS_openat2, dfd, "input.txt", &how, sizeof how));
	if (fd >= 0) {
		read_all("openat2", fd);
		close(fd);
	}
	R("openat2 ../x RESOLVE_BENEATH", syscall(SYS_openat2, dfd, "../x", &how, sizeof how));
	fd = R("creat new.txt", syscall(SYS_creat, P("new.txt"), 0640));
	if (fd >= 0) {
		R("write new.txt", write(fd, "created by fileops\n", 19));
		close(fd);
	}
	R("open new.txt O_EXCL", syscall(SYS_open, P("new.txt"), O_WRONLY | O_CREAT | O_EXCL, 0600));

	/* Metadata. */
	if (R("stat input.txt", syscall(SYS_stat, P("input.txt"), &st)) == 0)
		show_stat("stat", &st);
	R("stat missing", syscall(SYS_stat, P("missing"), &st));
	if (R("symlink input.txt link", syscall(SYS_symlink, "input.txt", P("link"))) == 0) {
		if (R("lstat link", syscall(SYS_lstat, P("link"), &st)) == 0)
			show_stat("lstat", &st);
	}
	if (R("newfstatat link", syscall(SYS_newfstatat, dfd, "link", &st, 0)) == 0)
		show_stat("newfstatat", &st);
	if (R("newfstatat link AT_SYMLINK_NOFOLLOW", syscall(SYS_newfstatat, dfd, "link", &st,
	    AT_SYMLINK_NOFOLLOW)) == 0)
		show_stat("newfstatat nofollow", &st);
	if (R("newfstatat \"\" AT_EMPTY_PATH", syscall(SYS_newfstatat, dfd, "", &st, AT_EMPTY_PATH)) == 0)
		show_stat("dir", &st);
	memset(&stx, 0, sizeof stx);
	if (R("statx input.txt", syscall(SYS_statx, dfd, "input.txt", 0, STATX_BASIC_STATS | STATX_BTIME,
	    &stx)) == 0)
		printf("  statx: mask=%#x ino=%llu size=%llu mode=%o btime=%lld.%09u mnt=%u:%u\n",
		    stx.stx_mask, (unsigned long long)stx.stx_ino, (unsigned long long)stx.stx_size,
		    stx.stx_mode, (long long)stx.stx_btime.tv_sec, stx.stx_btime.tv_nsec,
		    stx.stx_dev_major, stx.stx_dev_minor);
	R("statx missing", syscall(SYS_statx, dfd, "missing", 0, STATX_BASIC_STATS, &stx));
	if (R("statfs dir", syscall(SYS_statfs, dir, &sfs)) == 0)
		printf("  statfs: type=%#lx bsize=%ld blocks=%llu bfree=%llu files=%llu ffree=%llu "
		    "namelen=%ld\n", (unsigned long)sfs.f_type, (long)sfs.f_bsize,
		    (unsigned long long)sfs.f_blocks, (unsigned long long)sfs.f_bfree,
		    (unsigned long long)sfs.f_files, (unsigned long long)sfs.f_ffree, (long)sfs.f_namelen);
	R("access input.txt R_OK", syscall(SYS_access, P("input.txt"), R_OK));
	R("access input.txt X_OK", syscall(SYS_access, P("input.txt"), X_OK));
	R("access missing F_OK", syscall(SYS_access, P("missing"), F_OK));
	R("faccessat input.txt W_OK", syscall(SYS_faccessat, dfd, "input.txt", W_OK));
	R("faccessat2 link F_OK AT_SYMLINK_NOFOLLOW", syscall(SYS_faccessat2, dfd, "link", F_OK,
	    AT_SYMLINK_NOFOLLOW));
	R("faccessat2 missing F_OK AT_EACCESS", syscall(SYS_faccessat2, dfd, "missing", F_OK, AT_EACCESS));

	/* Links. */
	memset(buf, 0, sizeof buf);
	if (R("readlink link", r = syscall(SYS_readlink, P("link"), buf, sizeof buf)) >= 0)
		printf("  readlink: %.*s\n", (int)r, buf);
	R("readlink input.txt", syscall(SYS_readlink, P("input.txt"), buf, sizeof buf));
	if (R("symlinkat ../nowhere dangling", syscall(SYS_symlinkat, "../nowhere", dfd, "dangling")) == 0) {
		memset(buf, 0, sizeof buf);
		if (R("readlinkat dangling", r = syscall(SYS_readlinkat, dfd, "dangling", buf, 4)) >= 0)
			printf("  readlinkat (4 bytes): %.*s\n", (int)r, buf);
	}
	R("link input.txt hard", syscall(SYS_link, P("input.txt"), P("hard")));
	R("linkat hard hard2", syscall(SYS_linkat, dfd, "hard", dfd, "hard2", 0));
	if (R("stat hard2", syscall(SYS_stat, P("hard2"), &st)) == 0)
		show_stat("hard2", &st);
	R("link missing x", syscall(SYS_link, P("missing"), P("x")));

	/* Directories. */
	cwdfd = R("open . (cwd)", syscall(SYS_open, ".", O_RDONLY | O_DIRECTORY));
	if (R("getcwd", syscall(SYS_getcwd, buf, sizeof buf)) >= 0)
		printf("  getcwd: %s\n", buf);
	R("getcwd (3 bytes)", syscall(SYS_getcwd, buf, 3));
	R("chdir dir", syscall(SYS_chdir, dir));
	if (R("getcwd", syscall(SYS_getcwd, buf, sizeof buf)) >= 0)
		printf("  getcwd: %s\n", buf);
	R("chdir missing", syscall(SYS_chdir, "missing"));
	R("mkdir sub", syscall(SYS_mkdir, "sub", 0755));
	R("mkdir sub again", syscall(SYS_mkdir, "sub", 0755));
	R("mkdirat sub/d2", syscall(SYS_mkdirat, dfd, "sub/d2", 0700));
	R("mkdirat empty", syscall(SYS_mkdirat, AT_FDCWD, "empty", 0700));
	R("rmdir sub (not empty)", syscall(SYS_rmdir, "sub"));
	R("rmdir empty", syscall(SYS_rmdir, "empty"));
	R("unlinkat sub/d2 AT_REMOVEDIR", syscall(SYS_unlinkat, dfd, "sub/d2", AT_REMOVEDIR));
	R("unlink sub (a directory)", syscall(SYS_unlink, "sub"));

	/* Renames. */
	R("rename new.txt renamed.txt", syscall(SYS_rename, "new.txt", "renamed.txt"));
	R("rename new.txt again", syscall(SYS_rename, "new.txt", "renamed.txt"));
	R("renameat renamed.txt sub/inner.txt", syscall(SYS_renameat, dfd, "renamed.txt", dfd, "sub/inner.txt"));
	R("renameat2 hard2 input.txt NOREPLACE", syscall(SYS_renameat2, dfd, "hard2", dfd, "input.txt",
	    RENAME_NOREPLACE));
	R("renameat2 hard2 kept.txt NOREPLACE", syscall(SYS_renameat2, dfd, "hard2", dfd, "kept.txt",
	    RENAME_NOREPLACE));
	R("renameat2 link dangling EXCHANGE", syscall(SYS_renameat2, AT_FDCWD, "link", AT_FDCWD, "dangling",
	    RENAME_EXCHANGE));
	memset(buf, 0, sizeof buf);
	if (R("readlink link (after exchange)", r = syscall(SYS_readlink, "link", buf, sizeof buf)) >= 0)
		printf("  readlink: %.*s\n", (int)r, buf);

	/* Modes, owners, sizes, times. */
	R("chmod kept.txt 0600", syscall(SYS_chmod, "kept.txt", 0600));
	R("chmod missing", syscall(SYS_chmod, "missing", 0600));
	fd = R("open kept.txt O_RDWR", syscall(SYS_open, "kept.txt", O_RDWR));
	R("fchmod kept.txt 0640", syscall(SYS_fchmod, fd, 0640));
	R("fchmodat sub/inner.txt 0444", syscall(SYS_fchmodat, dfd, "sub/inner.txt", 0444));
	if (R("fstat kept.txt", syscall(SYS_fstat, fd, &st)) == 0)
		show_stat("kept.txt", &st);
	R("chown kept.txt (same owner)", syscall(SYS_chown, "kept.txt", st.st_uid, st.st_gid));
	R("fchown kept.txt -1 -1", syscall(SYS_fchown, fd, -1, -1));
	R("lchown link -1 -1", syscall(SYS_lchown, "link", -1, -1));
	R("fchownat kept.txt", syscall(SYS_fchownat, dfd, "kept.txt", st.st_uid, -1, 0));
	R("fchownat missing", syscall(SYS_fchownat, dfd, "missing", -1, -1, AT_SYMLINK_NOFOLLOW));
	R("truncate kept.txt 7", syscall(SYS_truncate, "kept.txt", 7));
	R("truncate missing", syscall(SYS_truncate, "missing", 7));
	R("ftruncate kept.txt 12", syscall(SYS_ftruncate, fd, 12));
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1234567890, 987654321 } };
	R("utimensat kept.txt", syscall(SYS_utimensat, dfd, "kept.txt", ts, 0));
	R("utimensat link UTIME_NOW nofollow", syscall(SYS_utimensat, dfd, "link",
	    (struct timespec[2]){ { 0, UTIME_NOW }, { 0, UTIME_OMIT } }, AT_SYMLINK_NOFOLLOW));
	if (R("stat kept.txt", syscall(SYS_stat, "kept.txt", &st)) == 0)
		show_stat("kept.txt", &st);
	if (fd >= 0) {
		R("lseek kept.txt 0", lseek(fd, 0, SEEK_SET));
		read_all("kept.txt", fd);
	}

	/* Extended attributes: whatever the file system says. */
	memset(buf, 0, sizeof buf);
	R("getxattr input.txt user.dios", syscall(SYS_getxattr, P("input.txt"), "user.dios", buf, sizeof buf));
	R("lgetxattr link security.selinux", syscall(SYS_lgetxattr, P("link"), "security.selinux", buf,
	    sizeof buf));
	R("fgetxattr kept.txt system.posix_acl_access", syscall(SYS_fgetxattr, fd, "system.posix_acl_access",
	    buf, sizeof buf));
	if ((r = R("listxattr input.txt", syscall(SYS_listxattr, P("input.txt"), buf, sizeof buf))) > 0)
		hexdump("  listxattr", (unsigned char *)buf, r);
	R("llistxattr link", syscall(SYS_llistxattr, P("link"), buf, sizeof buf));
	R("flistxattr kept.txt (size 0)", syscall(SYS_flistxattr, fd, NULL, 0));
	R("getxattr missing", syscall(SYS_getxattr, P("missing"), "user.dios", buf, sizeof buf));
	close(fd);

	/* What the directory holds now, then cleaning up. */
	R("lseek dir 0", lseek(dfd, 0, SEEK_SET));
	list_dir("before cleanup", dfd);
	R("unlink link", syscall(SYS_unlink, "link"));
	R("unlink dangling", syscall(SYS_unlink, P("dangling")));
	R("unlinkat hard", syscall(SYS_unlinkat, dfd, "hard", 0));
	R("unlinkat missing", syscall(SYS_unlinkat, dfd, "missing", 0));
	R("lseek dir 0", lseek(dfd, 0, SEEK_SET));
	list_dir("after cleanup", dfd);

	R("fchdir back", syscall(SYS_fchdir, cwdfd));
	R("fchdir bad fd", syscall(SYS_fchdir, 12345));
	if (R("getcwd", syscall(SYS_getcwd, buf, sizeof buf)) >= 0)
		printf("  getcwd: %s\n", buf);
	close(cwdfd);
	close(dfd);
	fprintf(stderr, "fileops: done\n");
	return 3;
}

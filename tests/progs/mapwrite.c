/* mapwrite: a file mapped shared shows the writes made through descriptors
 * (write, pwrite, pwritev, ftruncate, fallocate), by the process or its
 * child, and a read-only shared mapping takes MADV_REMOVE.  MODE
 * (argv[2]): file (a file of DIR, argv[1]), ro (the same, mapped read
 * only) or memfd.  Exits 25. */
#include "progs.h"
#include <stdbool.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

static void
show(const char *what, const char *p)
{
	printf("%s: map holds \"%.*s\"\n", what, 16, p);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "file";
	bool ro = strcmp(mode, "ro") == 0;
	int fd;

	snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : ".");
	if (strcmp(mode, "memfd") == 0)
		fd = memfd_create("mapwrite", 0);
	else
		fd = open(P("mapped"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16 || ftruncate(fd, 8192) < 0)
		return 1;
	char *p = mmap(NULL, 8192, PROT_READ | (ro ? 0 : PROT_WRITE), MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 2;
	show("mapped", p);
	printf("pwrite = %zd\n", pwrite(fd, "PW", 2, 2));
	show("after pwrite", p);
	printf("lseek = %ld\n", (long)lseek(fd, 6, SEEK_SET));
	printf("write = %zd\n", write(fd, "WR", 2));
	show("after write", p);
	struct iovec v[2] = { { "V", 1 }, { "EC", 2 } };
	printf("pwritev = %zd\n", pwritev(fd, v, 2, 10));
	show("after pwritev", p);
	pid_t c = fork();
	if (c == 0) {
		_exit(pwrite(fd, "CH", 2, 14) == 2 ? 0 : 1);
	}
	int st;
	printf("waitpid = %d, status %d\n", waitpid(c, &st, 0) == c, st);
	show("after the child's pwrite", p);
	printf("fallocate(PUNCH_HOLE) = %d\n",
	    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	printf("byte 0 = %d\n", p[0]);
	printf("pwrite at 4096 = %zd\n", pwrite(fd, "page two", 8, 4096));
	printf("page two: \"%.8s\"\n", p + 4096);
	printf("madvise(MADV_REMOVE) = %d\n", madvise(p + 4096, 4096, MADV_REMOVE) < 0 ? -errno : 0);
	printf("page two after: %d\n", p[4096]);
	printf("ftruncate = %d\n", ftruncate(fd, 4096));
	printf("pwrite at 100 = %zd\n", pwrite(fd, "end", 3, 100));
	printf("at 100: \"%.3s\"\n", p + 100);
	if (!ro) {
		memcpy(p + 200, "stored", 6);
		char b[7] = { 0 };
		printf("pread = %zd \"%s\"\n", pread(fd, b, 6, 200), b);
	}
	munmap(p, 8192);
	close(fd);
	if (strcmp(mode, "memfd") != 0)
		unlink(P("mapped"));
	return 25;
}

/* mmap: maps its own executable (argv[0] made absolute with realpath)
 * read-only and prints a checksum of its first pages; maps anonymous
 * memory too.  Exits 8.
 */
#include "progs.h"
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

static uint32_t
fnv1a(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

int
main(int argc, char **argv)
{
	char exe[PATH_MAX];
	struct stat st;
	unsigned char *p, *a;
	size_t len;
	int fd;

	progs_init();
	fprintf(stderr, "mmap: starting\n");
	if (realpath(argv[0], exe) == NULL) {
		printf("realpath %s = -1 %s\n", argv[0], ename(errno));
		return 99;
	}
	printf("executable: %s\n", exe);
	fd = R("open executable", open(exe, O_RDONLY | O_CLOEXEC));
	NEED(fd);
	NEED(R("fstat", fstat(fd, &st)));
	printf("  size %lld\n", (long long)st.st_size);
	len = st.st_size < 3 * 4096 ? (size_t)st.st_size : 3 * 4096;
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		printf("mmap executable = -1 %s\n", ename(errno));
	else {
		printf("mmap executable %zu bytes = ok\n", len);
		printf("  magic %02x %c%c%c, fnv1a %#x\n", p[0], p[1], p[2], p[3], fnv1a(p, len));
		R("munmap", munmap(p, len));
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
	if (p == MAP_FAILED)
		printf("mmap executable @4096 shared = -1 %s\n", ename(errno));
	else {
		printf("mmap executable @4096 shared = ok: fnv1a %#x\n", fnv1a(p, 4096));
		munmap(p, 4096);
	}
	if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED)
		printf("mmap bad fd = -1 %s\n", ename(errno));
	close(fd);

	a = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		printf("mmap anonymous = -1 %s\n", ename(errno));
	else {
		for (size_t i = 0; i < 1 << 20; i++)
			a[i] = (unsigned char)(i * 7 + (i >> 12));
		printf("mmap anonymous 1 MiB = ok: fnv1a %#x\n", fnv1a(a, 1 << 20));
		munmap(a, 1 << 20);
	}
	fprintf(stderr, "mmap: done\n");
	return 8;
}

/* mapshared: maps descriptor FD (argv[1], opened by whoever started it)
 * shared and writable, writes "written by mapshared" at its start, and
 * unmaps it: what a hostile trace could turn against a host file if replay
 * mapped the real descriptor.  Then reads SIZE bytes (argv[2], default 0)
 * of standard input in one read and writes them to standard output in one
 * write: a large call that must replay as one event. */
#include "progs.h"
#include <sys/mman.h>

int
main(int argc, char **argv)
{
	static const char msg[] = "written by mapshared";
	int fd = argc > 1 ? atoi(argv[1]) : 5;
	size_t size = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		printf("mmap(%d) = -1 %s\n", fd, ename(errno));
		return 1;
	}
	memcpy(p, msg, sizeof msg - 1);
	printf("munmap = %d\n", munmap(p, 4096));
	fflush(stdout);
	if (size > 0) {
		char *buf = malloc(size);
		ssize_t n = buf ? read(0, buf, size) : -1;
		ssize_t w = n > 0 ? write(1, buf, (size_t)n) : 0;
		fprintf(stderr, "read %zd, wrote %zd\n", n, w);
		free(buf);
	}
	return 0;
}

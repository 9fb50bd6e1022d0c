/* reads.c: benchmark loop of small reads.  Opens FILE (default: this
 * program) and reads 16 bytes from it N times (default 100000) with pread,
 * at offsets cycling over its first 4 KiB.  Each read is one system call that
 * dios intercepts.  Prints a checksum of the bytes read.
 *
 * Usage: reads [N [FILE]]
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	const char *path = argc > 2 ? argv[2] : argv[0];
	unsigned char buf[16];
	unsigned long sum = 0;
	int fd;

	if (n <= 0) {
		fprintf(stderr, "usage: reads [N [FILE]]\n");
		return 2;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "reads: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (long i = 0; i < n; i++) {
		ssize_t got = pread(fd, buf, sizeof buf, (off_t)(i * 16 % 4096));

		if (got < 0) {
			fprintf(stderr, "reads: pread %s: %s\n", path, strerror(errno));
			return 1;
		}
		for (ssize_t j = 0; j < got; j++)
			sum += buf[j];
	}
	close(fd);
	printf("%ld reads, checksum %lu\n", n, sum);
	return 0;
}

/* diverge: one program, four builds that differ in one place, for
 * tests/divergence.sh.  Reads a.txt in the current directory, prints it and
 * a greeting.
 *   VARIANT 1  the original
 *   VARIANT 2  opens b.txt instead of a.txt
 *   VARIANT 3  prints other bytes
 *   VARIANT 4  makes one more call (opens c.txt) before exiting
 * Exits 9.
 */
#include "progs.h"
#include <fcntl.h>

#ifndef VARIANT
#define VARIANT 1
#endif

int
main(void)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(VARIANT == 2 ? "b.txt" : "a.txt", O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "diverge: cannot open the input: %s\n", strerror(errno));
		return 99;
	}
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n > 0)
		write(1, buf, n);
	if (VARIANT == 3)
		write(1, "hello, world?\n", 14);
	else
		write(1, "hello, world!\n", 14);
	write(2, "diverge: done\n", 14);
	if (VARIANT == 4) {
		fd = open("c.txt", O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	return 9;
}

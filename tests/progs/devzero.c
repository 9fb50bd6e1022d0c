/* devzero: mmap of /dev/zero, private and shared (anonymous memory by
 * another name), and of /dev/null (which fails with ENODEV); writes into
 * the memory and prints what it reads back.  Exits 11.
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/mman.h>

int
main(void)
{
	int fd = open("/dev/zero", O_RDWR);
	if (fd < 0)
		return 1;
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *q = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || q == MAP_FAILED)
		return 2;
	p[100] = 7;
	q[5] = 3;
	printf("private: %d %d, shared: %d %d\n", p[0], p[100], q[0], q[5]);
	int nfd = open("/dev/null", O_RDWR);
	void *n = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, nfd, 0);
	printf("/dev/null: %s\n", n == MAP_FAILED ? strerror(errno) : "mapped");
	return 11;
}

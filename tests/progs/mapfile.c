/* mapfile: maps the file argv[1] read-only (its first MiB) and says so;
 * prints "mapping" first, so a caller knows the mmap is under way.
 * Exits 0, or 1 when the file cannot be opened or mapped.
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/mman.h>

int
main(int argc, char **argv)
{
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;

	if (fd < 0)
		return 1;
	printf("mapping\n");
	fflush(stdout);
	void *p = mmap(NULL, 1 << 20, PROT_READ, MAP_PRIVATE, fd, 0);
	printf("%s\n", p == MAP_FAILED ? "not mapped" : "mapped");
	return p == MAP_FAILED;
}

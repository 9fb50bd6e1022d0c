/* mapfile: maps the file argv[1] read-only, LEN bytes (argv[3], default
 * 1 MiB) from OFFSET (argv[2], default 0), and says so; prints "mapping"
 * first, so a caller knows the mmap is under way, then the first and the
 * last byte of the part mapped that lies in the file.  Exits 0, or 1 when
 * the file cannot be opened or mapped.
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

int
main(int argc, char **argv)
{
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
	off_t off = argc > 2 ? strtoll(argv[2], NULL, 0) : 0;
	size_t len = argc > 3 ? strtoull(argv[3], NULL, 0) : 1 << 20;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return 1;
	printf("mapping\n");
	fflush(stdout);
	unsigned char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, off);
	printf("%s\n", p == MAP_FAILED ? "not mapped" : "mapped");
	if (p == MAP_FAILED)
		return 1;
	size_t in = st.st_size <= off ? 0 : (size_t)(st.st_size - off) < len ?
	    (size_t)(st.st_size - off) : len;
	if (in)
		printf("first %d, last %d\n", p[0], p[in - 1]);
	return 0;
}

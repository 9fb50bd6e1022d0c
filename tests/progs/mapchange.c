/* mapchange: files that were there before the run, mapped, then changed by
 * the program itself, as git does with its index (a new one renamed over
 * the mapped one) and its loose objects (removed after packing), and a
 * data file mapped shared and written through memory.  Their recorded
 * content cannot be on the host at replay: the trace must carry it.
 * Usage: mapchange DIR (with index, object and counter in it).  Exits 23.
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/mman.h>

static void
show_map(const char *name, int prot, int flags)
{
	int fd = open(P(name), (prot & PROT_WRITE) ? O_RDWR : O_RDONLY);
	char *p;

	if (fd < 0 || (p = mmap(NULL, 16, prot, flags, fd, 0)) == MAP_FAILED) {
		printf("  %s: cannot map it: %s\n", name, ename(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	if (prot & PROT_WRITE)
		p[0]++;
	printf("  %s maps \"%.5s\"\n", name, p);
	munmap(p, 16);
}

int
main(int argc, char **argv)
{
	progs_init();
	progs_dir(argc, argv, "mapchange");

	show_map("index", PROT_READ, MAP_PRIVATE);
	int fd = R("open index.lock", open(P("index.lock"), O_WRONLY | O_CREAT | O_EXCL, 0644));
	R("write", write(fd, "two..", 5));
	R("close", close(fd));
	R("rename index.lock index", rename(P("index.lock"), P("index")));
	show_map("index", PROT_READ, MAP_PRIVATE);

	show_map("object", PROT_READ, MAP_PRIVATE);
	R("unlink object", unlink(P("object")));

	show_map("counter", PROT_READ | PROT_WRITE, MAP_SHARED);
	show_map("counter", PROT_READ | PROT_WRITE, MAP_SHARED);
	return 23;
}

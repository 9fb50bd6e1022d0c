/* shmname: files mapped shared and writable whose names change, as
 * glibc's sem_open and SQLite's WAL index do.  In DIR: a file made under a
 * temporary name, mapped, linked to its final name and the temporary name
 * unlinked; a child maps it by the final name and counts up, which the
 * parent's mapping must show.  Then a file mapped and written through
 * memory, unlinked, made again with other content and mapped: the new
 * mapping shows the new content, not the old one.  Exits 22.
 * Usage: shmname DIR.
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

static char *
map_file(const char *path, int flags)
{
	int fd = open(path, flags, 0600);
	char *p;

	if (fd < 0)
		return NULL;
	if ((flags & O_CREAT) && write(fd, "0000", 4) != 4)
		return NULL;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

int
main(int argc, char **argv)
{
	progs_init();
	progs_dir(argc, argv, "shmname");

	char *p = map_file(P("sem.tmp"), O_RDWR | O_CREAT | O_EXCL);
	if (p == NULL)
		return 1;
	R("link sem.tmp sem.final", link(P("sem.tmp"), P("sem.final")));
	R("unlink sem.tmp", unlink(P("sem.tmp")));
	pid_t c = fork();
	if (c == 0) {
		char *q = map_file(P("sem.final"), O_RDWR);
		if (q == NULL)
			_exit(1);
		for (int i = 0; i < 3; i++)
			q[i] = 'a' + i;
		_exit(0);
	}
	int st;
	R("waitpid", waitpid(c, &st, 0));
	printf("  the child mapped the final name: %s, the parent sees \"%.4s\"\n",
	    WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "no", p);
	R("rename sem.final sem.moved", rename(P("sem.final"), P("sem.moved")));
	char *m = map_file(P("sem.moved"), O_RDWR);
	printf("  the moved name maps \"%.4s\"\n", m ? m : "????");
	R("unlink sem.moved", unlink(P("sem.moved")));

	char *w = map_file(P("index"), O_RDWR | O_CREAT | O_TRUNC);
	if (w == NULL)
		return 1;
	memcpy(w, "old!", 4);
	R("unlink index", unlink(P("index")));
	int fd = R("open index again", open(P("index"), O_RDWR | O_CREAT | O_EXCL, 0600));
	R("write", write(fd, "new.", 4));
	R("close", close(fd));
	char *n = map_file(P("index"), O_RDWR);
	printf("  the new index maps \"%.4s\", the old mapping still \"%.4s\"\n", n ? n : "????", w);
	R("unlink index", unlink(P("index")));
	return 22;
}

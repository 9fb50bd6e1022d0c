/* shmfork: memory two processes share through a file each maps shared and
 * writable: the parent makes the file (in DIR), maps it, writes a word,
 * forks; the child reads it, writes its answer into the mapping, and
 * exits; the parent, once it has reaped the child, reads the answer.  A
 * child that maps the file again by its name answers through that
 * mapping too.  Prints what each side read.  Exits 12.
 *	shmfork DIR
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

int
main(int argc, char **argv)
{
	volatile int *m;
	int fd, st;

	if (argc < 2)
		return 99;
	snprintf(dir, sizeof dir, "%s", argv[1]);
	if ((fd = open(P("shared.bin"), O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 || ftruncate(fd, 4096) < 0)
		return 98;
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 97;
	m[0] = 41;
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		printf("child read %d\n", m[0]);
		m[1] = m[0] + 1;
		/* the same file mapped again, by name */
		int fd2 = open(P("shared.bin"), O_RDWR);
		volatile int *m2 = fd2 >= 0 ? mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0) :
		    MAP_FAILED;
		if (m2 != MAP_FAILED)
			m2[2] = 7;
		fflush(stdout);
		_exit(0);
	}
	if (p < 0 || waitpid(p, &st, 0) != p)
		return 96;
	printf("parent read %d and %d\n", m[1], m[2]);
	unlink(P("shared.bin"));
	return 12;
}

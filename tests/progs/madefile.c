/* madefile: files the program makes and then maps or executes, as git
 * (its index), SQLite (the -shm file), Python's multiprocessing (a
 * semaphore in /dev/shm) and a build (the linker's output, run by the next
 * step) do.  Replay has none of them on the host: the trace carries their
 * content.
 *	madefile DIR		(exits 8)
 *	madefile DIR keep	(the same, the copy left in DIR: it prints where
 *				its stack is, which replay must not move)
 *	madefile DIR gone	(the same, the copy removed: replay runs its
 *				content from the cache, and must not move it)
 *	madefile DIR child	(the copy of itself it executes; exits 5)
 */
#include "progs.h"
#include <stdbool.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

static unsigned
sum(const unsigned char *p, size_t n)
{
	unsigned s = 0;

	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

int
main(int argc, char **argv)
{
	char buf[8192], shm[64];
	unsigned char *m;
	int fd, st;

	if (argc < 2)
		return 99;
	snprintf(dir, sizeof dir, "%s", argv[1]);
	bool keep = argc == 3 && strcmp(argv[2], "keep") == 0;
	bool gone = argc == 3 && strcmp(argv[2], "gone") == 0;
	if (argc == 3 && strcmp(argv[2], "stack") == 0) {
		printf("the copy runs, its stack at %#lx\n", (unsigned long)&st & 0xfffff);
		return 5;
	}
	if (argc == 3 && !keep && !gone) {
		printf("the copy runs\n");
		return 5;
	}
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)(i * 7 + 3);
	/* written, then mapped private and read */
	fd = open(P("data.bin"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, sizeof buf) != (ssize_t)sizeof buf)
		return 98;
	m = mmap(NULL, sizeof buf, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 97;
	printf("private map: sum %u\n", sum(m, sizeof buf));
	munmap(m, sizeof buf);
	/* mapped shared and writable, changed through the map */
	m = mmap(NULL, sizeof buf, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 97;
	printf("shared map: sum %u\n", sum(m, sizeof buf));
	memset(m, 'x', 100);
	printf("after the change: sum %u\n", sum(m, sizeof buf));
	munmap(m, sizeof buf);
	close(fd);
	/* a file of /dev/shm, grown with ftruncate, mapped shared */
	snprintf(shm, sizeof shm, "/dev/shm/dios-madefile-%d", (int)getpid());
	if ((fd = open(shm, O_RDWR | O_CREAT | O_EXCL, 0600)) >= 0) {
		if (ftruncate(fd, 4096) == 0 &&
		    (m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) != MAP_FAILED) {
			printf("shm map: sum %u\n", sum(m, 4096));
			m[0] = 1;
			munmap(m, 4096);
		}
		close(fd);
		unlink(shm);
	}
	/* a copy of itself, made and executed */
	int in = open("/proc/self/exe", O_RDONLY), out = open(P("copy"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;
	if (in < 0 || out < 0)
		return 96;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			return 96;
	close(in);
	close(out);
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		execl(P("copy"), "copy", dir, keep || gone ? "stack" : "child", (char *)NULL);
		_exit(95);
	}
	if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
		return 94;
	printf("the copy exited %d\n", WEXITSTATUS(st));
	if (!keep)
		unlink(P("copy"));
	unlink(P("data.bin"));
	return 8;
}

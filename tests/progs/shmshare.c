/* shmshare MODE: memory shared between a parent and its child through an
 * anonymous MAP_SHARED mapping (anon), a memfd mapped shared (memfd) or a
 * System V segment (sysv: shmget, shmat, then a second shmat in the child
 * and shmdt, shmctl IPC_STAT and IPC_RMID).  Both then race in it with no
 * lock: the child stores a counter and makes a call between stores, the
 * parent samples it between calls of its own and prints what it saw, so
 * the output depends on how the two interleaved.  A replay that let them
 * run side by side would print other samples.  Exits 12.
 * shmshare attach ID: attaches the existing System V segment ID, prints
 * its first bytes and detaches.  Exits 13.
 */
#include "progs.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

#define ROUNDS 400

struct area { volatile int counter; volatile int done; char text[64]; };

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "anon";
	struct area *a = MAP_FAILED;
	int id = -1;

	if (strcmp(mode, "anon") == 0)
		a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	else if (strcmp(mode, "memfd") == 0) {
		int fd = memfd_create("shmshare", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, 4096) < 0)
			return 1;
		a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
	} else if (strcmp(mode, "sysv") == 0) {
		if ((id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600)) < 0)
			return 1;
		a = shmat(id, NULL, 0);
		if (a == (void *)-1)
			a = MAP_FAILED;
	} else if (strcmp(mode, "attach") == 0 && argc > 2) {
		char *p = shmat(atoi(argv[2]), NULL, SHM_RDONLY);
		if (p == (void *)-1) {
			printf("shmat: %s\n", ename(errno));
			return 1;
		}
		printf("the segment holds %d %d %d\n", p[0], p[1], p[2]);
		printf("shmdt = %d\n", shmdt(p));
		return 13;
	} else
		return 2;
	if (a == MAP_FAILED) {
		printf("%s: cannot map: %s\n", mode, ename(errno));
		return 1;
	}
	strcpy(a->text, "from the parent");
	fflush(stdout);
	pid_t c = fork();
	if (c < 0)
		return 3;
	if (c == 0) {
		struct area *b = a;
		if (id >= 0 && (b = shmat(id, NULL, 0)) == (void *)-1)
			_exit(4);
		printf("child sees \"%s\"%s\n", b->text, b != a ? " at its own attach" : "");
		fflush(stdout);
		for (int i = 1; i <= ROUNDS; i++) {
			b->counter = i;
			(void)getppid();
		}
		strcpy(b->text, "from the child");
		b->done = 1;
		if (b != a)
			shmdt(b);
		_exit(0);
	}
	int seen = 0, changes = 0, last = -1;
	unsigned long sum = 0;
	for (int i = 0; i < ROUNDS; i++) {
		int v = a->counter;
		sum = sum * 31 + (unsigned)v;
		changes += v != last;
		last = v;
		seen++;
		(void)getpid();
	}
	int st;
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 5;
	printf("parent sampled %d times, saw %d changes, digest %lu, last %d; then \"%s\", done %d\n",
	    seen, changes, sum, last, a->text, a->done);
	if (id >= 0) {
		struct shmid_ds ds;
		if (shmctl(id, IPC_STAT, &ds) == 0)
			printf("segment of %zu bytes, %lu attached\n", (size_t)ds.shm_segsz,
			    (unsigned long)ds.shm_nattch);
		printf("shmdt = %d, IPC_RMID = %d\n", shmdt(a), shmctl(id, IPC_RMID, NULL));
	}
	return 12;
}

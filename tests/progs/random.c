/* random: getrandom, /dev/urandom, AT_RANDOM, and the addresses that ASLR
 * would move (dios turns it off in both modes).  Prints them in hex.
 * Exits 6.
 */
#include "progs.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>

int
main(int argc, char **argv)
{
	unsigned char buf[32];
	const unsigned char *atr;
	int local = 42, fd;
	long n;

	progs_init();
	fprintf(stderr, "random: starting\n");
	if ((n = R("getrandom 32", getrandom(buf, sizeof buf, 0))) > 0)
		hexdump("  getrandom", buf, n);
	if ((n = R("getrandom 8 GRND_NONBLOCK", getrandom(buf, 8, GRND_NONBLOCK))) > 0)
		hexdump("  getrandom", buf, n);
	if ((n = R("getrandom raw 16 GRND_INSECURE", syscall(SYS_getrandom, buf, 16, 0x4))) > 0)
		hexdump("  getrandom", buf, n);
	R("getrandom bad flags", syscall(SYS_getrandom, buf, 16, 0x100));
	fd = R("open /dev/urandom", open("/dev/urandom", O_RDONLY));
	if (fd >= 0) {
		if ((n = R("read /dev/urandom 16", read(fd, buf, 16))) > 0)
			hexdump("  urandom", buf, n);
		close(fd);
	}
	fd = R("open /dev/random", open("/dev/random", O_RDONLY | O_NONBLOCK));
	if (fd >= 0) {
		if ((n = R("read /dev/random 8", read(fd, buf, 8))) > 0)
			hexdump("  random", buf, n);
		close(fd);
	}
	atr = (const unsigned char *)getauxval(AT_RANDOM);
	if (atr)
		hexdump("AT_RANDOM", atr, 16);
	printf("stack variable at %p\n", (void *)&local);
	printf("argv at %p, argv[0] at %p\n", (void *)argv, (void *)argv[0]);
	void *small = malloc(16), *big = malloc(1 << 20);
	printf("malloc(16) at %p\n", small);
	printf("malloc(1 MiB) at %p\n", big);
	void *anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("anonymous mmap at %p\n", anon);
	printf("main at %p, printf at %p\n", (void *)main, (void *)printf);
	/* rand() seeded from the recorded randomness. */
	unsigned seed;
	memcpy(&seed, atr ? atr : buf, sizeof seed);
	srandom(seed);
	printf("random() after srandom(AT_RANDOM) = %ld\n", random());
	free(small);
	free(big);
	fprintf(stderr, "random: done\n");
	return 6;
}

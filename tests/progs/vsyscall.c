/* vsyscall: time(), gettimeofday() and getcpu() through the legacy vsyscall page
 * (0xffffffffff600000, which the kernel emulates, through seccomp), as old
 * static binaries call them; prints what they returned, to the
 * microsecond.  Exits 0; 77 where the kernel has no vsyscall page.
 */
#include "progs.h"
#include <time.h>
#include <sys/time.h>

int
main(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int have = 0;

	while (f && fgets(line, sizeof line, f))
		have |= strstr(line, "[vsyscall]") != NULL && strstr(line, "x") != NULL;
	if (f)
		fclose(f);
	if (!have)
		return 77;
	time_t (*vtime)(time_t *) = (time_t (*)(time_t *))0xffffffffff600400;
	int (*vgtod)(struct timeval *, void *) = (int (*)(struct timeval *, void *))0xffffffffff600000;
	struct timeval tv;
	time_t t = vtime(NULL);
	int r = vgtod(&tv, NULL);
	printf("time() = %lld\ngettimeofday() = %d, %lld.%06ld\n", (long long)t, r,
	    (long long)tv.tv_sec, (long)tv.tv_usec);
	/* with a time zone, and getcpu: no syscall-exit stop follows them */
	struct timezone tz = { -1, -1 };
	r = vgtod(&tv, &tz);
	printf("gettimeofday(tz) = %d, %lld.%06ld, zone %d %d\n", r, (long long)tv.tv_sec,
	    (long)tv.tv_usec, tz.tz_minuteswest, tz.tz_dsttime);
	long (*vgetcpu)(unsigned *, unsigned *, void *) =
	    (long (*)(unsigned *, unsigned *, void *))0xffffffffff600800;
	unsigned cpu = 999, node = 999;
	long g = vgetcpu(&cpu, &node, NULL);
	printf("getcpu() = %ld, a cpu %s, node %u\n", g, cpu < 999 ? "given" : "not given", node);
	return 0;
}

/* clock: the clock calls of syscalls.def, through glibc (so through the
 * vDSO entry points dios rewrites) and raw.  Prints every value with full
 * precision.  Exits 5.
 */
#include "progs.h"
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

static const struct { clockid_t id; const char *name; } clocks[] = {
	{ CLOCK_REALTIME, "REALTIME" },
	{ CLOCK_MONOTONIC, "MONOTONIC" },
	{ CLOCK_BOOTTIME, "BOOTTIME" },
	{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID" },
	{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW" },
	{ CLOCK_REALTIME_COARSE, "REALTIME_COARSE" },
};

static void
show_ts(const char *what, const struct timespec *ts)
{
	printf("  %s: %lld.%09ld\n", what, (long long)ts->tv_sec, ts->tv_nsec);
}

static int64_t
ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

int
main(void)
{
	struct timespec ts, t0, t1, req, rem;
	struct timeval tv;
	struct timezone tz;
	char name[64];
	time_t t, tl;

	progs_init();
	fprintf(stderr, "clock: starting\n");
	for (size_t i = 0; i < sizeof clocks / sizeof *clocks; i++) {
		snprintf(name, sizeof name, "clock_gettime %s", clocks[i].name);
		if (R(name, clock_gettime(clocks[i].id, &ts)) == 0)
			show_ts(clocks[i].name, &ts);
		snprintf(name, sizeof name, "clock_getres %s", clocks[i].name);
		if (R(name, clock_getres(clocks[i].id, &ts)) == 0)
			show_ts(clocks[i].name, &ts);
	}
	if (R("clock_gettime raw REALTIME", syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts)) == 0)
		show_ts("raw REALTIME", &ts);
	R("clock_gettime bad clock", clock_gettime((clockid_t)1234, &ts));
	R("clock_getres bad clock", clock_getres((clockid_t)1234, &ts));
	if (R("gettimeofday", gettimeofday(&tv, &tz)) == 0)
		printf("  gettimeofday: %lld.%06ld tz=%d/%d\n", (long long)tv.tv_sec, (long)tv.tv_usec,
		    tz.tz_minuteswest, tz.tz_dsttime);
	if (R("gettimeofday raw NULL tz", syscall(SYS_gettimeofday, &tv, NULL)) == 0)
		printf("  gettimeofday: %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
	t = time(&tl);
	printf("time = %lld (stored %lld)\n", (long long)t, (long long)tl);
	printf("time raw NULL = %ld\n", syscall(SYS_time, NULL));

	/* Sleeping: the elapsed time is measured on the recorded clock. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	req = (struct timespec){ 0, 50 * 1000 * 1000 };
	R("nanosleep raw 50ms", syscall(SYS_nanosleep, &req, &rem));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  slept %lld ns (at least 50 ms: %s)\n", (long long)(ns(&t1) - ns(&t0)),
	    ns(&t1) - ns(&t0) >= 50000000 ? "yes" : "no");
	req = (struct timespec){ 0, -1 };
	R("nanosleep invalid", nanosleep(&req, NULL));
	req = (struct timespec){ 0, 1000 };
	R("nanosleep (glibc) 1us", nanosleep(&req, NULL));
	req = (struct timespec){ 0, 10 * 1000 * 1000 };
	R("clock_nanosleep MONOTONIC 10ms", ({ int e = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	    errno = e; e ? -1 : 0; }));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	req = t0;
	req.tv_nsec += 20 * 1000 * 1000;
	if (req.tv_nsec >= 1000000000) {
		req.tv_sec++;
		req.tv_nsec -= 1000000000;
	}
	R("clock_nanosleep MONOTONIC TIMER_ABSTIME +20ms", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC,
	    TIMER_ABSTIME, &req, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  slept %lld ns (at least 20 ms: %s)\n", (long long)(ns(&t1) - ns(&t0)),
	    ns(&t1) - ns(&t0) >= 20000000 ? "yes" : "no");
	R("clock_nanosleep bad clock", syscall(SYS_clock_nanosleep, (clockid_t)1234, 0, &req, NULL));
	if (R("clock_gettime PROCESS_CPUTIME_ID", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)) == 0)
		show_ts("cpu time at the end", &ts);
	fprintf(stderr, "clock: done\n");
	return 5;
}

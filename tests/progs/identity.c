/* identity: the identity calls of syscalls.def: ids, uname, sysinfo, CPU
 * count and number, umask, limits, usage; and what cpuid says of the CPU
 * it runs on (its APIC id) and of RDRAND and RDSEED, which dios hides
 * where it can fault cpuid (arch_prctl ARCH_GET_CPUID says 0).  Exits 7.
 */
#include "progs.h"
#include <cpuid.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

int
main(void)
{
	struct utsname u;
	struct sysinfo si;
	struct rlimit rl, old;
	struct rusage ru;
	struct tms tm;
	cpu_set_t set;
	uid_t ru_, eu, su;
	gid_t rg, eg, sg;
	unsigned cpu = 0, node = 0;
	long r;

	progs_init();
	fprintf(stderr, "identity: starting\n");
	R("getpid", getpid());
	R("getpid raw", syscall(SYS_getpid));
	R("getppid", getppid());
	R("gettid", gettid());
	R("getuid", getuid());
	R("geteuid", geteuid());
	R("getgid", getgid());
	R("getegid", getegid());
	if (R("getresuid", getresuid(&ru_, &eu, &su)) == 0)
		printf("  getresuid: %u %u %u\n", ru_, eu, su);
	if (R("getresgid", getresgid(&rg, &eg, &sg)) == 0)
		printf("  getresgid: %u %u %u\n", rg, eg, sg);
	if (R("uname", uname(&u)) == 0)
		printf("  uname: sysname=%s nodename=%s release=%s version=%s machine=%s domainname=%s\n",
		    u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname);
	if (R("sysinfo", sysinfo(&si)) == 0)
		printf("  sysinfo: uptime=%ld procs=%u totalram=%lu freeram=%lu loads=%lu/%lu/%lu unit=%u\n",
		    si.uptime, si.procs, si.totalram, si.freeram, si.loads[0], si.loads[1], si.loads[2],
		    si.mem_unit);
	CPU_ZERO(&set);
	if ((r = R("sched_getaffinity", syscall(SYS_sched_getaffinity, 0, sizeof set, &set))) > 0)
		printf("  sched_getaffinity: %d CPUs, first word %#lx\n", CPU_COUNT(&set),
		    ((unsigned long *)&set)[0]);
	R("sched_getaffinity (1 byte)", syscall(SYS_sched_getaffinity, 0, 1, &set));
	printf("sysconf(_SC_NPROCESSORS_ONLN) = %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("get_nprocs = %d\n", get_nprocs());
	if (R("getcpu raw", syscall(SYS_getcpu, &cpu, &node, NULL)) == 0)
		printf("  getcpu: cpu=%u node=%u\n", cpu, node);
	R("sched_getcpu", sched_getcpu());
	R("umask 027 (old)", umask(027));
	R("umask 022 (old)", umask(022));
	if (R("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &rl)) == 0)
		printf("  NOFILE: %llu %llu\n", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	if (R("getrlimit raw STACK", syscall(SYS_getrlimit, RLIMIT_STACK, &rl)) == 0)
		printf("  STACK: %llu %llu\n", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	if (R("prlimit64 CORE (get)", syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, &old)) == 0)
		printf("  CORE: %llu %llu\n", (unsigned long long)old.rlim_cur, (unsigned long long)old.rlim_max);
	rl = old;
	rl.rlim_cur = 0;
	if (R("prlimit64 CORE (set cur 0)", syscall(SYS_prlimit64, 0, RLIMIT_CORE, &rl, &old)) == 0)
		printf("  CORE was: %llu %llu\n", (unsigned long long)old.rlim_cur, (unsigned long long)old.rlim_max);
	if (R("prlimit64 CORE (get)", syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, &old)) == 0)
		printf("  CORE: %llu %llu\n", (unsigned long long)old.rlim_cur, (unsigned long long)old.rlim_max);
	R("prlimit64 bad resource", syscall(SYS_prlimit64, 0, 999, NULL, &old));
	if (R("getrusage SELF", getrusage(RUSAGE_SELF, &ru)) == 0)
		printf("  rusage: utime=%ld.%06ld stime=%ld.%06ld maxrss=%ld minflt=%ld\n",
		    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
		    (long)ru.ru_stime.tv_usec, ru.ru_maxrss, ru.ru_minflt);
	R("getrusage bad who", getrusage(42, &ru));
	if ((r = R("times", times(&tm))) >= 0)
		printf("  times: utime=%ld stime=%ld cutime=%ld cstime=%ld\n", (long)tm.tms_utime,
		    (long)tm.tms_stime, (long)tm.tms_cutime, (long)tm.tms_cstime);
	unsigned a, b, c, d, b7 = 0;
	__cpuid(1, a, b, c, d);
	if (__get_cpuid_max(0, NULL) >= 7) {
		unsigned a7, c7, d7;
		__cpuid_count(7, 0, a7, b7, c7, d7);
	}
	printf("cpuid: apic %u rdrand %u rdseed %u cpuid faulting %s\n", b >> 24, (c >> 30) & 1,
	    (b7 >> 18) & 1, syscall(SYS_arch_prctl, 0x1011 /* ARCH_GET_CPUID */, 0) == 0 ? "on" : "off");
	fprintf(stderr, "identity: done\n");
	return 7;
}

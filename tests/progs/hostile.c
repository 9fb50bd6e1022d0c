/* hostile: the calls that name other processes, and the process trees that
 * try to outlive their supervisor, for tests/hostile-procs.sh.  The ids come
 * from the command line, which a trace keeps in its header, so an edited
 * trace can make the replayed program name any process.
 *	hostile kill PID SIG		kill(PID, SIG)
 *	hostile tkill TID SIG		tkill(TID, SIG)
 *	hostile tgkill TGID TID SIG	tgkill(TGID, TID, SIG)
 *	hostile sigqueue PID SIG	rt_sigqueueinfo(PID, SIG, ...)
 *	hostile wait PID		wait4(PID, ...)
 *	hostile killchild		a child waiting in pause(), killed (SIGKILL)
 *	hostile killgroup parent|self	a process group of two waiting in pause(),
 *					killed by the parent (kill(-PGID)) or by
 *					its leader (kill(0))
 *	hostile killall			a child waiting in pause(), killed by
 *					kill(-1) (run it in a pid namespace only)
 *	hostile untraced SECS [MARK]	clone(CLONE_UNTRACED) of a child that
 *					sleeps SECS seconds, left running
 *	hostile daemon SECS [MARK]	a daemon (fork, setsid, fork) that sleeps
 *					SECS seconds, left running
 *	hostile ignoreterm SECS [MARK]	ignores SIGTERM and sleeps SECS seconds
 * MARK is not used: it names the processes in /proc/PID/cmdline.  The
 * sleeps wait on a futex, which runs natively (dios sees no call), in
 * replay too.
 */
#include "progs.h"
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <linux/futex.h>
#include <sys/wait.h>

static int word;

/* Sleeps secs seconds without a call dios sees. */
static void
nap(int secs)
{
	struct timespec ts = { secs, 0 };

	syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
}

static void
report(const char *who, int st)
{
	if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", who, WTERMSIG(st));
	else
		printf("%s: exit %d\n", who, WEXITSTATUS(st));
}

static void __attribute__((noreturn))
wait_forever(void)
{
	for (;;)
		pause();
}

static int
killgroup(int self)
{
	int pfd[2], st;
	char c;
	pid_t a;

	NEED(pipe(pfd));
	NEED(a = fork());
	if (a == 0) {
		NEED(setpgid(0, 0));
		pid_t b;
		NEED(b = fork());
		if (b == 0)
			wait_forever();
		NEED(write(pfd[1], "x", 1));
		if (self)
			R("kill(0, SIGKILL)", kill(0, SIGKILL));
		wait_forever();
	}
	R("setpgid(child)", setpgid(a, a));
	NEED(read(pfd[0], &c, 1));
	if (!self)
		R("kill(-child, SIGKILL)", kill(-a, SIGKILL));
	NEED(waitpid(a, &st, 0));
	report("group leader", st);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	int st;
	pid_t p;

	progs_init();
	if (!strcmp(m, "kill") && argc == 4)
		R("kill", kill(atoi(argv[2]), atoi(argv[3])));
	else if (!strcmp(m, "tkill") && argc == 4)
		R("tkill", syscall(SYS_tkill, atoi(argv[2]), atoi(argv[3])));
	else if (!strcmp(m, "tgkill") && argc == 5)
		R("tgkill", syscall(SYS_tgkill, atoi(argv[2]), atoi(argv[3]), atoi(argv[4])));
	else if (!strcmp(m, "sigqueue") && argc == 4) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_code = SI_QUEUE;
		si.si_pid = getpid();
		si.si_uid = getuid();
		R("rt_sigqueueinfo", syscall(SYS_rt_sigqueueinfo, atoi(argv[2]), atoi(argv[3]), &si));
	} else if (!strcmp(m, "wait") && argc == 3)
		R("wait4", wait4(atoi(argv[2]), &st, 0, NULL));
	else if (!strcmp(m, "killchild")) {
		NEED(p = fork());
		if (p == 0)
			wait_forever();
		R("kill(child, SIGKILL)", kill(p, SIGKILL));
		NEED(waitpid(p, &st, 0));
		report("child", st);
	} else if (!strcmp(m, "killgroup") && argc == 3)
		return killgroup(!strcmp(argv[2], "self"));
	else if (!strcmp(m, "killall")) {
		NEED(p = fork());
		if (p == 0)
			wait_forever();
		R("kill(-1, SIGKILL)", kill(-1, SIGKILL));
		NEED(waitpid(p, &st, 0));
		report("child", st);
	} else if (!strcmp(m, "untraced") && argc >= 3) {
		long r = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
		if (r == 0) {
			nap(atoi(argv[2]));
			syscall(SYS_exit_group, 0);
		}
		printf("clone(CLONE_UNTRACED|SIGCHLD) = %s\n", r > 0 ? "a child" : "-1");
	} else if (!strcmp(m, "daemon") && argc >= 3) {
		NEED(p = fork());
		if (p == 0) {
			NEED(setsid());
			pid_t q;
			NEED(q = fork());
			if (q == 0)
				nap(atoi(argv[2]));
			_exit(0);
		}
		NEED(waitpid(p, &st, 0));
		printf("started\n");
	} else if (!strcmp(m, "ignoreterm") && argc >= 3) {
		signal(SIGTERM, SIG_IGN);
		printf("started\n");
		nap(atoi(argv[2]));
	} else {
		fprintf(stderr, "usage: hostile kill|tkill|tgkill|sigqueue|wait|killchild|killgroup|"
		    "killall|untraced|daemon|ignoreterm ARG...\n");
		return 99;
	}
	return 0;
}

/* fastclock: clock reads of the fast path (src/agent/agent.h: dios-record
 * puts the agent into a process at its first clock read, and the vDSO's
 * clock entries then jump to it): many in one thread, in four threads at
 * once, in a signal handler, in a forked child, in a vfork child, in an
 * exec'd copy of itself, and with "taken", in a process that maps the
 * agent's address itself first (no agent: every read stops), and with
 * "killed", a child killed and threads ended by the process's exit in the
 * middle of their reads.  Prints, per
 * part, how many reads it made and a checksum of what they returned, so a
 * replay that answers one read wrongly prints another line.  Exits 21.
 *
 * Usage: fastclock [all|child|taken|killed]
 */
#include "progs.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include "agent/agent.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

struct part {
	const char *name;
	int n;
	uint64_t sum;
	int backwards;
};

static void
reads(struct part *p, int n)
{
	struct timespec ts, last = { 0, 0 };
	struct timeval tv;
	time_t t;

	for (int i = 0; i < n; i++) {
		clockid_t id = i % 3 == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
		if (clock_gettime(id, &ts) != 0)
			continue;
		p->sum = p->sum * 31 + (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		if (id == CLOCK_MONOTONIC) {
			if (ts.tv_sec < last.tv_sec || (ts.tv_sec == last.tv_sec && ts.tv_nsec < last.tv_nsec))
				p->backwards++;
			last = ts;
		}
		p->n++;
		if (i % 50 == 0 && gettimeofday(&tv, NULL) == 0) {
			p->sum = p->sum * 31 + (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
			p->n++;
		}
		if (i % 70 == 0) {
			p->sum = p->sum * 31 + (uint64_t)time(&t) + (uint64_t)t;
			p->sum = p->sum * 31 + (uint64_t)time(NULL);
			p->n += 2;
		}
	}
}

static void
show(const struct part *p)
{
	printf("%s: %d reads, checksum %016llx, %d backwards\n", p->name, p->n,
	    (unsigned long long)p->sum, p->backwards);
	fflush(stdout);
}

static void *
thread(void *arg)
{
	reads(arg, 3000);
	return NULL;
}

static void *
spin(void *arg)
{
	for (;;)
		reads(arg, 1000);
	return NULL;
}

static struct part in_handler = { "handler", 0, 0, 0 };

static void
on_usr1(int sig)
{
	reads(&in_handler, 10);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	struct part one = { "main", 0, 0, 0 };

	progs_init();
	if (strcmp(mode, "child") == 0) {
		struct part c = { "exec'd child", 0, 0, 0 };
		reads(&c, 1000);
		show(&c);
		return 0;
	}
	if (strcmp(mode, "killed") == 0) {
		/* tasks that end in the middle of their reads: a child killed,
		 * threads ended by the process's exit */
		for (int round = 0; round < 3; round++) {
			pid_t pid = fork();
			if (pid == 0) {
				struct part c = { "killed child", 0, 0, 0 };
				for (;;)
					reads(&c, 1000);
			}
			reads(&one, 300 + 200 * round);
			kill(pid, SIGKILL);
			int st;
			waitpid(pid, &st, 0);
			printf("child %d: %s\n", round, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "killed" : "?");
		}
		pthread_t th[3];
		static struct part tp[3];
		for (int i = 0; i < 3; i++)
			pthread_create(&th[i], NULL, spin, &tp[i]);
		reads(&one, 2000);
		show(&one);
		exit(21);	/* the threads end in their reads */
	}
	if (strcmp(mode, "taken") == 0) {
		void *m = mmap((void *)AGENT_BASE, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_FIXED_NOREPLACE, -1, 0);
		printf("mapped the agent's address: %s\n", m == (void *)AGENT_BASE ? "yes" : "no");
		one.name = "taken";
		reads(&one, 2000);
		show(&one);
		return 21;
	}
	reads(&one, 5000);
	show(&one);

	pthread_t th[4];
	struct part tp[4] = { { "thread 1", 0, 0, 0 }, { "thread 2", 0, 0, 0 }, { "thread 3", 0, 0, 0 }, { "thread 4", 0, 0, 0 } };
	for (int i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, thread, &tp[i]) != 0)
			return 1;
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++)
		show(&tp[i]);

	signal(SIGUSR1, on_usr1);
	for (int i = 0; i < 3; i++)
		raise(SIGUSR1);
	show(&in_handler);

	pid_t pid = fork();
	if (pid == 0) {
		struct part c = { "forked child", 0, 0, 0 };
		reads(&c, 1000);
		show(&c);
		_exit(0);
	}
	waitpid(pid, NULL, 0);

	if ((pid = vfork()) == 0) {
		time_t t = time(NULL);
		_exit(t > 0 ? 3 : 4);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	printf("vfork child: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	if ((pid = fork()) == 0) {
		execl("/proc/self/exe", argv[0], "child", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("exec'd child: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	reads(&one, 100);
	show(&one);
	return 21;
}

/* record.c: one run of a program under dios-record (see flaky.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "flaky/flaky.h"

volatile sig_atomic_t flaky_stop;

char *
flaky_record_path(void)
{
	const char *env = getenv("DIOS_RECORD");
	char self[PATH_MAX], *slash, *p;
	ssize_t n;

	if (env && *env)
		return strdup(env);
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if (asprintf(&p, "%s/dios-record", self) >= 0) {
				if (access(p, X_OK) == 0)
					return p;
				free(p);
			}
		}
	}
	return strdup("dios-record");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* dios-record's last "dios-record: " line in the log, into buf. */
static bool
dios_message(const char *log, char *buf, size_t n)
{
	FILE *f = fopen(log, "r");
	char line[1024];
	bool found = false;

	if (f == NULL)
		return false;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "dios-record: ", 13) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, n, "%.480s", line);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static void
child(const struct flaky_rec_req *q, char **av)
{
	int fd;

	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	if ((fd = open(q->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		_exit(125);
	dup2(fd, 1);
	dup2(fd, 2);
	if (q->cwd && chdir(q->cwd) < 0) {
		dprintf(2, "dios-record: cannot enter %s: %s\n", q->cwd, strerror(errno));
		_exit(125);
	}
	if (q->envp) {
		extern char **environ;
		environ = (char **)q->envp;
	}
	execvp(q->record, av);
	dprintf(2, "dios-record: cannot run %s: %s\n", q->record, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int
flaky_record(const struct flaky_rec_req *q, struct flaky_rec_res *res, char *err, size_t errlen)
{
	char seed[32], **av;
	size_t n = 0, i = 0;
	pid_t pid;
	int pidfd = -1, st = 0;
	double t0 = now(), term_at = 0;
	bool termed = false;

	memset(res, 0, sizeof *res);
	while (q->argv[n])
		n++;
	if ((av = calloc(n + 12, sizeof *av)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	av[i++] = (char *)q->record;
	av[i++] = "-q";
	av[i++] = "-f";
	av[i++] = "-o";
	av[i++] = (char *)q->trace;
	if (q->chaos) {
		snprintf(seed, sizeof seed, "%" PRIu64, q->chaos_seed);
		av[i++] = "--chaos";
		av[i++] = (char *)q->chaos;
		av[i++] = "--chaos-seed";
		av[i++] = seed;
	}
	av[i++] = "--";
	for (size_t k = 0; k < n; k++)
		av[i++] = q->argv[k];
	av[i] = NULL;

	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "cannot start %s: fork: %s", q->record, strerror(errno));
		free(av);
		return -errno;
	}
	if (pid == 0)
		child(q, av);
	free(av);
	setpgid(pid, pid);	/* both sides: no race with the kill below */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		double t = now(), wait_s;
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(err, errlen, "waiting for %s: %s", q->record, strerror(errno));
			kill(-pid, SIGKILL);
			if (pidfd >= 0)
				close(pidfd);
			return -ECHILD;
		}
		if (!termed && (flaky_stop || (q->timeout > 0 && t - t0 >= q->timeout))) {
			/* dios-record passes the first SIGTERM to the program and
			 * writes the trace up to there. */
			res->end = flaky_stop ? FE_STOPPED : FE_TIMEOUT;
			kill(pid, SIGTERM);
			termed = true;
			term_at = t;
		}
		if (termed && t - term_at >= q->grace && !res->killed) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			res->killed = true;
		}
		if (termed)
			wait_s = 0.05;
		else {
			wait_s = 1;
			if (q->timeout > 0 && q->timeout - (t - t0) < wait_s)
				wait_s = q->timeout - (t - t0);
		}
		if (wait_s < 0.001)
			wait_s = 0.001;
		if (pidfd >= 0) {
			struct pollfd p = { .fd = pidfd, .events = POLLIN };
			(void)poll(&p, 1, (int)(wait_s * 1000));	/* EINTR: flaky_stop */
		} else {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	/* Nothing of the tree may stay: dios-record takes its tasks with it
	 * (PTRACE_O_EXITKILL); anything else left in its group goes now. */
	kill(-pid, SIGKILL);
	res->seconds = now() - t0;
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (termed)
		return 0;
	res->end = FE_EXIT;
	if (WIFSIGNALED(st)) {
		res->end = FE_DIOS;
		snprintf(res->dios_msg, sizeof res->dios_msg, "dios-record was killed by signal %d",
		    WTERMSIG(st));
	} else if ((res->status == 2 || (res->status >= 120 && res->status <= 127)) &&
	    dios_message(q->log, res->dios_msg, sizeof res->dios_msg))
		res->end = FE_DIOS;
	else if (access(q->trace, F_OK) < 0) {
		res->end = FE_DIOS;
		snprintf(res->dios_msg, sizeof res->dios_msg, "dios-record wrote no trace %s (status %d)",
		    q->trace, res->status);
	}
	return 0;
}

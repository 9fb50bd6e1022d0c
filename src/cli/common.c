/* common.c: messages, program lookup, CPU pinning for the mains. */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli/common.h"
#include "config/exitcodes.h"

const char *progname = "dios";
bool cli_quiet;

static void
vwarnx_(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
	exit(status);
}

void
warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx_(fmt, ap);
	va_end(ap);
}

static int
check_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (access(path, X_OK) < 0)
		return -errno;
	return 0;
}

char *
resolve_program(const char *prog, int notfound, int noexec)
{
	const char *path;
	char *buf;
	int e, saw_noexec = 0;

	if (prog[0] == '\0')
		die(notfound, "no program given: the program name is empty");
	if (strchr(prog, '/')) {
		if ((e = check_exec(prog)) == 0)
			return realpath(prog, NULL);
		if (e == -ENOENT || e == -ENOTDIR)
			die(notfound, "%s: program not found", prog);
		die(noexec, "%s: cannot execute: %s", prog, strerror(-e));
	}
	path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	buf = malloc(strlen(path) + strlen(prog) + 2);
	while (buf) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		sprintf(buf, "%.*s%s%s", (int)n, path, n ? "/" : "", prog);
		if ((e = check_exec(buf)) == 0) {
			char *r = realpath(buf, NULL);
			free(buf);
			return r;
		}
		if (e == -EACCES || e == -EISDIR)
			saw_noexec = 1;
		if (end == NULL)
			break;
		path = end + 1;
	}
	free(buf);
	if (saw_noexec)
		die(noexec, "%s: cannot execute: permission denied", prog);
	die(notfound, "%s: program not found in PATH", prog);
}

int
pin_to_one_cpu(unsigned char **mask, size_t *len)
{
	cpu_set_t old, one;
	int cpu = sched_getcpu();

	if (sched_getaffinity(0, sizeof old, &old) < 0)
		return -errno;
	if (cpu < 0 || !CPU_ISSET(cpu, &old)) {
		for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &old); cpu++)
			;
	}
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) < 0)
		return -errno;
	if ((*mask = malloc(sizeof old)) == NULL)
		return -ENOMEM;
	memcpy(*mask, &old, sizeof old);
	*len = sizeof old;
	return 0;
}

bool
helper_cpus(const unsigned char *mask, size_t len, cpu_set_t *set)
{
	cpu_set_t now;

	if (sched_getaffinity(0, sizeof now, &now) < 0)
		return false;
	if (mask == NULL) {
		*set = now;
		return CPU_COUNT(set) > 1;
	}
	CPU_ZERO(set);
	memcpy(set, mask, len < sizeof *set ? len : sizeof *set);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &now))
			CPU_CLR(c, set);
	return CPU_COUNT(set) > 0;
}

const char *
human_size(unsigned long long n, char buf[32])
{
	if (n < 1024)
		snprintf(buf, 32, "%llu bytes", n);
	else if (n < 1024 * 1024)
		snprintf(buf, 32, "%.1f KiB", n / 1024.0);
	else
		snprintf(buf, 32, "%.1f MiB", n / (1024.0 * 1024.0));
	return buf;
}

/* fdpaths.c: descriptor -> path table followed through a trace. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/close_range.h>
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#include "inspect/fdpaths.h"
#include "trace/number.h"

/* Descriptors above this are not followed (their paths show as unknown). */
#define FDP_MAX (1 << 20)

struct fdent { char *path; bool cloexec; };

struct fdpaths {
	struct fdent *v;
	size_t n;
	char *cwd;
};

struct fdpaths *
fdpaths_new(const char *cwd)
{
	struct fdpaths *fp = calloc(1, sizeof *fp);

	if (fp && cwd && (fp->cwd = strdup(cwd)) == NULL) {
		free(fp);
		return NULL;
	}
	return fp;
}

void
fdpaths_free(struct fdpaths *fp)
{
	if (fp == NULL)
		return;
	for (size_t i = 0; i < fp->n; i++)
		free(fp->v[i].path);
	free(fp->v);
	free(fp->cwd);
	free(fp);
}

const char *
fdpaths_get(const struct fdpaths *fp, long long fd)
{
	if (fp == NULL || fd < 0 || (unsigned long long)fd >= fp->n)
		return NULL;
	return fp->v[fd].path;
}

static void
drop(struct fdpaths *fp, long long fd)
{
	if (fd >= 0 && (unsigned long long)fd < fp->n) {
		free(fp->v[fd].path);
		fp->v[fd].path = NULL;
	}
}

static void
set(struct fdpaths *fp, long long fd, const char *path, bool cloexec)
{
	if (fd < 0 || fd >= FDP_MAX)
		return;
	if ((size_t)fd >= fp->n) {
		size_t n = fp->n ? fp->n : 16;
		struct fdent *v;
		while (n <= (size_t)fd)
			n *= 2;
		if ((v = realloc(fp->v, n * sizeof *v)) == NULL)
			return;
		memset(v + fp->n, 0, (n - fp->n) * sizeof *v);
		fp->v = v;
		fp->n = n;
	}
	drop(fp, fd);
	fp->v[fd].path = path ? strdup(path) : NULL;
	fp->v[fd].cloexec = cloexec;
}

static long long
num(const json_t *o, const char *k, long long dflt)
{
	return json_int64_or(o, k, dflt);
}

/* path relative to directory descriptor dirfd, made absolute when the base
 * is known. */
static void
join(const struct fdpaths *fp, long long dirfd, const char *path, char *buf, size_t n)
{
	const char *base = NULL;

	if (path[0] != '/')
		base = dirfd == AT_FDCWD ? fp->cwd : fdpaths_get(fp, dirfd);
	if (base && base[0] == '\0')
		base = NULL;
	if (base && path[0] == '\0')
		snprintf(buf, n, "%s", base);
	else if (base)
		snprintf(buf, n, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", path);
	else
		snprintf(buf, n, "%s", path);
}

int
fdpaths_result(const struct fdpaths *fp, const json_t *ev, char *buf, size_t n)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const json_t *args = json_object_get(ev, "args");
	const char *path = json_string_value(json_object_get(args, "path"));
	const char *p;

	if (sys == NULL || !json_is_int64(json_object_get(ev, "ret")))
		return -ENOENT;
	if ((strcmp(sys, "open") == 0 || strcmp(sys, "creat") == 0) && path) {
		join(fp, AT_FDCWD, path, buf, n);
		return 0;
	}
	if ((strcmp(sys, "openat") == 0 || strcmp(sys, "openat2") == 0) && path) {
		join(fp, num(args, "dirfd", AT_FDCWD), path, buf, n);
		return 0;
	}
	if (strcmp(sys, "socket") == 0) {
		snprintf(buf, n, "socket");
		return 0;
	}
	if (strcmp(sys, "ioctl") == 0 && num(args, "request", 0) == TIOCGPTPEER) {
		snprintf(buf, n, "pty peer");
		return 0;
	}
	if (strncmp(sys, "dup", 3) == 0 ||
	    (strcmp(sys, "fcntl") == 0 && (num(args, "cmd", -1) == F_DUPFD ||
	    num(args, "cmd", -1) == F_DUPFD_CLOEXEC))) {
		p = fdpaths_get(fp, num(args, strcmp(sys, "fcntl") == 0 ? "fd" : "oldfd", -1));
		if (p == NULL)
			return -ENOENT;
		snprintf(buf, n, "%s", p);
		return 0;
	}
	return -ENOENT;
}

static bool
opened_cloexec(const char *sys, const json_t *args)
{
	long long fl;

	if (strcmp(sys, "openat2") == 0)
		fl = num(json_object_get(args, "how"), "flags", 0);
	else if (strcmp(sys, "dup3") == 0)
		fl = num(args, "flags", 0);
	else if (strcmp(sys, "fcntl") == 0)
		return num(args, "cmd", -1) == F_DUPFD_CLOEXEC;
	else if (strcmp(sys, "ioctl") == 0)
		fl = num(args, "arg", 0);	/* TIOCGPTPEER's open flags */
	else
		fl = num(args, "flags", 0);
	return (fl & O_CLOEXEC) != 0;
}

void
fdpaths_update(struct fdpaths *fp, const json_t *ev)
{
	const char *sys = json_string_value(json_object_get(ev, "sys"));
	const json_t *args = json_object_get(ev, "args");
	char buf[4096];
	long long ret;

	if (fp == NULL || sys == NULL || !json_is_int64(json_object_get(ev, "ret")))
		return;
	ret = (long long)json_int64_or(ev, "ret", 0);
	if (strcmp(sys, "close") == 0) {
		drop(fp, num(args, "fd", -1));
	} else if (strcmp(sys, "close_range") == 0) {
		long long first = num(args, "first", 0), last = num(args, "last", 0);
		bool cloexec = (num(args, "flags", 0) & CLOSE_RANGE_CLOEXEC) != 0;
		for (long long fd = first < 0 ? 0 : first; fd <= last && (size_t)fd < fp->n; fd++) {
			if (cloexec)
				fp->v[fd].cloexec = true;
			else
				drop(fp, fd);
		}
	} else if (strcmp(sys, "chdir") == 0 && json_is_string(json_object_get(args, "path"))) {
		char *c;
		join(fp, AT_FDCWD, json_string_value(json_object_get(args, "path")), buf, sizeof buf);
		if ((c = strdup(buf)) != NULL) {
			free(fp->cwd);
			fp->cwd = c;
		}
	} else if (strcmp(sys, "fchdir") == 0) {
		const char *p = fdpaths_get(fp, num(args, "fd", -1));
		char *c = p ? strdup(p) : NULL;
		free(fp->cwd);
		fp->cwd = c;
	} else if (strcmp(sys, "execve") == 0 || strcmp(sys, "execveat") == 0) {
		for (size_t fd = 0; fd < fp->n; fd++)
			if (fp->v[fd].cloexec)
				drop(fp, (long long)fd);
	} else if (fdpaths_result(fp, ev, buf, sizeof buf) == 0) {
		set(fp, ret, buf, opened_cloexec(sys, args));
	} else if (strncmp(sys, "dup", 3) == 0 || strncmp(sys, "open", 4) == 0 ||
	    strcmp(sys, "creat") == 0) {
		drop(fp, ret);	/* a new descriptor whose path is unknown */
	}
}

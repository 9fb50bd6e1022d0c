/* header.c: line 1 of a trace (man/dios-trace.5). */
#include "config.h"
#include <dirent.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "trace/bytes.h"
#include "trace/number.h"
#include "sys/systable.h"
#include "sys/family.h"
#include "kernel/tracee.h"
#include "proxy/proxy.h"

static json_t *
strv(char *const v[])
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, utf8_valid(v[i], strlen(v[i])) ?
		    json_string(v[i]) : json_bytes(v[i], strlen(v[i])));
	return a;
}

json_t *
at_random_get(pid_t tid)
{
	uint64_t addr;
	unsigned char b[16];

	if (auxv_get(tid, AT_RANDOM, &addr) < 0 || mem_read(tid, addr, b, sizeof b) < 0)
		return NULL;
	return json_bytes(b, sizeof b);
}

static json_t *
open_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	json_t *a = json_array();
	int fds[1024], n = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", pid);
	if ((d = opendir(path)) == NULL)
		return a;
	while ((de = readdir(d)) != NULL && n < 1024)
		if (de->d_name[0] != '.')
			fds[n++] = atoi(de->d_name);
	closedir(d);
	for (int i = 0; i < n; i++)	/* sort: a few entries */
		for (int j = i + 1; j < n; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i]; fds[i] = fds[j]; fds[j] = t;
			}
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_int64(fds[i]));
	return a;
}

/* Umask, and the signals ignored and blocked, from /proc/PID/status. */
static int
proc_status(pid_t pid, unsigned long long *ign, unsigned long long *blk)
{
	char path[64], line[256];
	FILE *f;
	int m = -1;

	*ign = *blk = 0;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "Umask: %o", &m);
		sscanf(line, "SigIgn: %llx", ign);
		sscanf(line, "SigBlk: %llx", blk);
	}
	fclose(f);
	return m;
}

/* The arguments the new program was given, from /proc/PID/cmdline at its
 * exec stop: for a script ("#!"), what the kernel made of them (the
 * interpreter, its argument, the script's path, then the rest); NULL when
 * it cannot be read. */
json_t *
exec_argv(pid_t pid)
{
	char path[64], *buf = NULL;
	size_t len = 0, cap = 0;
	json_t *a;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 4096);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	a = json_array();
	for (size_t i = 0; a && i < len; i += strlen(buf + i) + 1) {
		if (memchr(buf + i, '\0', len - i) == NULL)
			break;
		json_array_append_new(a, utf8_valid(buf + i, strlen(buf + i)) ?
		    json_string(buf + i) : json_bytes(buf + i, strlen(buf + i)));
	}
	free(buf);
	return a;
}

json_t *
header_new(pid_t pid, char *const argv[], char *const envp[], json_t *exe, json_t *at_random)
{
	struct utsname u;
	struct timespec now;
	char cwd[4096];
	json_t *h, *lim = json_object(), *names = json_array();

	uname(&u);
	clock_gettime(CLOCK_REALTIME, &now);
	if (getcwd(cwd, sizeof cwd) == NULL)
		strcpy(cwd, "");
	for (int res = 0; rlimit_name(res); res++) {
		struct rlimit r;
		if (prlimit(pid, res, NULL, &r) == 0)
			json_object_set_new(lim, rlimit_name(res), json_pack("{s:o,s:o}",
			    "cur", json_uint64(r.rlim_cur), "max", json_uint64(r.rlim_max)));
	}
	for (size_t i = 0; i < sc_count; i++)
		json_array_append_new(names, json_string(sc_table[i].name));
	h = json_object();
	json_object_set_new(h, "format", json_string("dios-trace"));
	json_object_set_new(h, "version", json_int64(1));
	json_object_set_new(h, "tool", json_string(PACKAGE_STRING));
	json_object_set_new(h, "argv", strv(argv));
	/* A script: replay executes its interpreter ("exe") with these. */
	json_t *xa = exec_argv(pid);
	if (xa && !json_equal(xa, json_object_get(h, "argv")))
		json_object_set_new(h, "exec_argv", xa);
	else
		json_decref(xa);
	json_object_set_new(h, "env", strv(envp));
	json_object_set_new(h, "cwd", json_string(cwd));
	json_object_set_new(h, "exe", exe ? json_incref(exe) : json_null());
	json_object_set_new(h, "pid", json_int64(pid));
	json_object_set_new(h, "host", json_pack("{s:s, s:s, s:s, s:s, s:s}",
	    "sysname", u.sysname, "nodename", u.nodename, "release", u.release,
	    "version", u.version, "machine", u.machine));
	json_object_set_new(h, "arch", json_string("x86_64"));
	unsigned long long ign, blk;
	json_object_set_new(h, "umask", json_int64(proc_status(pid, &ign, &blk)));
	/* Dispositions inherited across exec: replay starts the same way. */
	json_object_set_new(h, "sigign", json_uint64(ign));
	json_object_set_new(h, "sigblk", json_uint64(blk));
	json_object_set_new(h, "rlimits", lim);
	json_object_set_new(h, "at_random", at_random ? json_incref(at_random) : json_null());
	json_object_set_new(h, "fds", open_fds(pid));
	json_object_set_new(h, "intercepted", names);
	json_object_set_new(h, "start", json_pack("{s:o, s:o}",
	    "sec", json_int64(now.tv_sec), "nsec", json_int64(now.tv_nsec)));
	return h;
}

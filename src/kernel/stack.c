/* stack.c: call sites of traced tasks through elfutils' libdwfl (stack.h).
 *
 * One Dwfl per process, made at its first unwind: its modules reported from
 * /proc/PID/maps (dwfl_linux_proc_report, reported again when stack_remap
 * says the mappings changed: libdwfl keeps the modules that did not), its
 * threads attached with the promise that dios has them ptrace-stopped
 * (dwfl_linux_proc_attach(..., true): libdwfl reads their registers and
 * memory with ptrace and neither attaches nor detaches).  Symbols and DWARF
 * are read by libdwfl on first use of each module and kept with it.  Names
 * are kept too, per process and address (as strace does): libdwfl looks a
 * symbol up by a walk over the whole symbol table, a few hundred
 * microseconds in libc.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include "kernel/stack.h"

/* The processes kept (least recently used goes first) and the threads
 * whose process is known. */
#define PROCS 16
#define TIDS 64
#define NAMES 1024	/* names kept per process (a power of two) */

struct proc {
	pid_t tgid;		/* 0: a free slot */
	Dwfl *dwfl;
	bool stale;		/* mappings changed: report the modules again */
	bool attached;		/* dwfl_linux_proc_attach done */
	unsigned long used;
	struct name { uint64_t pc; char *text; } *names;	/* NAMES of them, or NULL */
};

static struct proc procs[PROCS];
static struct { pid_t tid, tgid; } tids[TIDS];
static unsigned long clock_uses;
static unsigned tid_next;

/* stack_lines: file and line in the names, and separate debug files
 * (/usr/lib/debug, debuginfod) for symbols and lines: a large library's
 * debug file costs tens of milliseconds at its first lookup. */
static bool with_lines = true;

void
stack_lines(bool on)
{
	with_lines = on;
}

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

/* Without separate debug files: the symbols of the mapped files alone. */
static int
no_debuginfo(Dwfl_Module *m, void **user, const char *name, Dwarf_Addr base, const char *file,
    const char *debuglink, GElf_Word crc, char **debuginfo_file_name)
{
	(void)m, (void)user, (void)name, (void)base, (void)file, (void)debuglink, (void)crc;
	*debuginfo_file_name = NULL;
	return -1;
}

static const Dwfl_Callbacks callbacks_brief = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = no_debuginfo,
};

/* The process of task tid, from the table or /proc/TID/status; 0 when tid
 * does not exist. */
static pid_t
tgid_of(pid_t tid)
{
	char path[64], buf[512];
	pid_t tgid = 0;
	ssize_t n;
	int fd;

	for (unsigned i = 0; i < TIDS; i++)
		if (tids[i].tid == tid)
			return tids[i].tgid;
	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *p = strstr(buf, "\nTgid:");
	if (p == NULL || (tgid = (pid_t)strtol(p + 6, NULL, 10)) <= 0)
		return 0;
	tids[tid_next].tid = tid;
	tids[tid_next].tgid = tgid;
	tid_next = (tid_next + 1) % TIDS;
	return tgid;
}

static void
names_clear(struct proc *pr)
{
	if (pr->names == NULL)
		return;
	for (unsigned i = 0; i < NAMES; i++)
		free(pr->names[i].text);
	free(pr->names);
	pr->names = NULL;
}

static void
proc_close(struct proc *pr)
{
	if (pr->dwfl)
		dwfl_end(pr->dwfl);
	names_clear(pr);
	memset(pr, 0, sizeof *pr);
}

/* Reports the modules of pr's process (again); 0 or -errno. */
static int
proc_report(struct proc *pr)
{
	int r;

	names_clear(pr);
	dwfl_report_begin(pr->dwfl);
	r = dwfl_linux_proc_report(pr->dwfl, pr->tgid);
	if (dwfl_report_end(pr->dwfl, NULL, NULL) != 0 && r == 0)
		r = -1;
	if (r != 0)
		return r > 0 ? -r : -EIO;	/* r > 0: an errno reading /proc */
	pr->stale = false;
	return 0;
}

/* The session of tid's process, made or brought up to date; NULL with
 * *err set on failure. */
static struct proc *
proc_get(pid_t tid, int *err)
{
	pid_t tgid = tgid_of(tid);
	struct proc *pr = NULL, *lru = &procs[0];

	if (tgid == 0) {
		*err = -ESRCH;
		return NULL;
	}
	for (unsigned i = 0; i < PROCS && pr == NULL; i++) {
		if (procs[i].tgid == tgid)
			pr = &procs[i];
		else if (procs[i].used < lru->used)
			lru = &procs[i];
	}
	if (pr == NULL) {
		proc_close(lru);
		pr = lru;
		if ((pr->dwfl = dwfl_begin(with_lines ? &callbacks : &callbacks_brief)) == NULL) {
			*err = -ENOMEM;
			return NULL;
		}
		pr->tgid = tgid;
		pr->stale = true;
	}
	pr->used = ++clock_uses;
	if (pr->stale && (*err = proc_report(pr)) < 0) {
		proc_close(pr);
		return NULL;
	}
	return pr;
}

struct walk {
	uint64_t *pcs;
	int n, max;
	struct timespec deadline;
};

static bool
past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static int
frame_cb(Dwfl_Frame *f, void *arg)
{
	struct walk *w = arg;
	Dwarf_Addr pc;
	bool activation = false;

	if (!dwfl_frame_pc(f, &pc, &activation) || pc == 0)
		return DWARF_CB_ABORT;
	w->pcs[w->n++] = activation ? pc + 1 : pc;
	if (w->n >= w->max || past(&w->deadline))
		return DWARF_CB_ABORT;
	return DWARF_CB_OK;
}

int
stack_unwind(pid_t tid, uint64_t *pcs, int max)
{
	struct walk w = { pcs, 0, max < STACK_MAX_FRAMES ? max : STACK_MAX_FRAMES, { 0, 0 } };
	struct proc *pr;
	int e;

	if (max < 1)
		return -EINVAL;
	if ((pr = proc_get(tid, &e)) == NULL)
		return e;
	if (!pr->attached) {
		int r = dwfl_linux_proc_attach(pr->dwfl, pr->tgid, true);
		if (r != 0) {
			e = r > 0 ? -r : -EIO;
			proc_close(pr);
			return e;
		}
		pr->attached = true;
	}
	clock_gettime(CLOCK_MONOTONIC, &w.deadline);
	w.deadline.tv_nsec += (long)STACK_MAX_MS * 1000000;
	w.deadline.tv_sec += w.deadline.tv_nsec / 1000000000;
	w.deadline.tv_nsec %= 1000000000;
	/* The end of the stack is an error on some systems: the frames
	 * found count, whatever it returns. */
	(void)dwfl_getthread_frames(pr->dwfl, tid, frame_cb, &w);
	if (w.n == 0)
		return kill(tid, 0) < 0 && errno == ESRCH ? -ESRCH : -EIO;
	return w.n;
}

/* Appends to buf (n bytes, len used) what fmt says, cut to fit. */
static size_t __attribute__((format(printf, 4, 5)))
add(char *buf, size_t n, size_t len, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (len + 1 >= n)
		return len;
	va_start(ap, fmt);
	k = vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
	if (k < 0)
		return len;
	return len + (size_t)k < n ? len + (size_t)k : n - 1;
}

/* Names pc - 1 of pr's process in buf, as stack_symbolize says. */
static size_t
name_of(struct proc *pr, uint64_t pc, char *buf, size_t n)
{
	Dwarf_Addr a = pc - 1, rel = a;
	Dwfl_Module *m;
	const char *name, *base, *sym, *file;
	GElf_Off off = 0;
	GElf_Sym s;
	Dwfl_Line *line;
	size_t len = 0;
	int lineno = 0;

	if ((m = dwfl_addrmodule(pr->dwfl, a)) == NULL)
		return add(buf, n, 0, "?+%#llx", (unsigned long long)a);
	name = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (name == NULL)
		name = "?";
	if (strncmp(name, "[vdso", 5) == 0)
		name = "[vdso]";	/* "[vdso: PID]" */
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (dwfl_module_relocate_address(m, &rel) < 0)
		rel = a;
	len = add(buf, n, len, "%s+%#llx", base, (unsigned long long)rel);
	if ((sym = dwfl_module_addrinfo(m, a, &off, &s, NULL, NULL, NULL)) != NULL && sym[0])
		len = add(buf, n, len, " %s+%#llx", sym, (unsigned long long)off);
	if (with_lines && (line = dwfl_module_getsrc(m, a)) != NULL &&
	    (file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL)) != NULL && lineno > 0)
		len = add(buf, n, len, " (%s:%d)", file, lineno);
	return len;
}

int
stack_symbolize(pid_t tid, uint64_t pc, char *buf, size_t n)
{
	struct proc *pr;
	struct name *nm = NULL;
	size_t len;
	int e;

	if (n == 0)
		return -EINVAL;
	buf[0] = '\0';
	if ((pr = proc_get(tid, &e)) == NULL)
		return e;
	if (pr->names == NULL)
		pr->names = calloc(NAMES, sizeof *pr->names);
	if (pr->names) {
		nm = &pr->names[(pc * 0x9e3779b97f4a7c15ull) >> 54 & (NAMES - 1)];
		if (nm->text && nm->pc == pc) {
			snprintf(buf, n, "%s", nm->text);
			return (int)strlen(buf);
		}
	}
	len = name_of(pr, pc, buf, n);
	if (nm && len + 1 < n) {	/* not cut: kept */
		char *t = strdup(buf);
		if (t) {
			free(nm->text);
			nm->text = t;
			nm->pc = pc;
		}
	}
	return (int)len;
}

json_t *
stack_json(pid_t tid, int max)
{
	uint64_t pcs[STACK_MAX_FRAMES];
	char buf[1024];
	json_t *a;
	int k;

	if ((k = stack_unwind(tid, pcs, max < STACK_MAX_FRAMES ? max : STACK_MAX_FRAMES)) < 0)
		return NULL;
	if ((a = json_array()) == NULL)
		return NULL;
	for (int i = 0; i < k; i++)
		if (stack_symbolize(tid, pcs[i], buf, sizeof buf) < 0 ||
		    json_array_append_new(a, json_string(buf)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

void
stack_remap(pid_t pid)
{
	pid_t tgid = 0;

	/* Nothing kept (a recording without --stacks): not even a look at
	 * /proc. */
	for (unsigned i = 0; i < PROCS; i++)
		if (procs[i].tgid && (tgid || (tgid = tgid_of(pid)) != 0) && procs[i].tgid == tgid)
			procs[i].stale = true;
}

void
stack_forget(pid_t pid)
{
	for (unsigned i = 0; i < TIDS; i++)
		if (tids[i].tid == pid || tids[i].tgid == pid)
			tids[i].tid = tids[i].tgid = 0;
	for (unsigned i = 0; i < PROCS; i++)
		if (procs[i].tgid == pid)
			proc_close(&procs[i]);
}

void
stack_forget_all(void)
{
	for (unsigned i = 0; i < PROCS; i++)
		proc_close(&procs[i]);
	memset(tids, 0, sizeof tids);
}

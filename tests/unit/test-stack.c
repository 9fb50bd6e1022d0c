/* test-stack.c: src/kernel/stack.c.  Traces tests/unit/stack-chain (built
 * with frame pointers and without), stops it inside its innermost function
 * (at a raise(SIGSTOP) signal stop, and at getppid's syscall-entry stop
 * under PTRACE_O_TRACESYSGOOD), unwinds it and checks that the symbolized
 * frames name inner, middle, outer and main in that order, each at the line
 * of its call in stack-chain.c; a stripped copy still gives module+offset.
 */
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include "kernel/stack.h"
#include "tap.h"

static char srcdir[PATH_MAX + 16], builddir[PATH_MAX + 16], tmp[PATH_MAX];

/* The line of the "@tag" comment in stack-chain.c, 0 if none. */
static int
line_of(const char *tag)
{
	char path[PATH_MAX + 64], buf[512], want[64];
	int n = 0, found = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/tests/unit/stack-chain.c", srcdir);
	snprintf(want, sizeof want, "/* @%s */", tag);
	if ((f = fopen(path, "r")) == NULL)
		bail_out("cannot read %s: %s", path, strerror(errno));
	while (fgets(buf, sizeof buf, f) && !found) {
		n++;
		found = strstr(buf, want) != NULL;
	}
	fclose(f);
	return found ? n : 0;
}

/* Starts prog (argument arg) traced and runs it to the stop asked for: its
 * SIGSTOP (sys false) or its getppid's entry.  Returns the pid, or -1. */
static pid_t
start(const char *prog, const char *arg, bool sys)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl(prog, prog, arg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		diag("%s did not stop at its exec (status %#x)", prog, st);
		return -1;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
	for (int sig = 0;;) {
		if (ptrace(sys ? PTRACE_SYSCALL : PTRACE_CONT, pid, NULL, (void *)(long)sig) < 0 ||
		    waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
			break;
		sig = 0;
		if (!sys && WSTOPSIG(st) == SIGSTOP)
			return pid;
		if (sys && WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			struct user_regs_struct r;
			if (ptrace(PTRACE_GETREGS, pid, NULL, &r) == 0 && r.orig_rax == SYS_getppid &&
			    (long long)r.rax == -ENOSYS)	/* the entry, not the exit */
				return pid;
		} else if (WSTOPSIG(st) != SIGTRAP)
			sig = WSTOPSIG(st);
	}
	diag("%s %s never reached its stop (status %#x)", prog, arg, st);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static void
finish(pid_t pid)
{
	int st;

	stack_forget(pid);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* The frames of pid as text, one per line, in out; their count. */
static int
frames(pid_t pid, char *out, size_t n)
{
	uint64_t pcs[STACK_MAX_FRAMES];
	char buf[1024];
	size_t len = 0;
	int k = stack_unwind(pid, pcs, STACK_MAX_FRAMES);

	out[0] = '\0';
	for (int i = 0; i < k; i++) {
		if (stack_symbolize(pid, pcs[i], buf, sizeof buf) < 0)
			snprintf(buf, sizeof buf, "(stack_symbolize failed)");
		len += (size_t)snprintf(out + len, n - len, "%s\n", buf);
		if (len >= n)
			break;
	}
	return k;
}

/* Does the frame after line *at of text name function fn at the line of
 * tag?  Moves *at past it. */
static bool
next_is(const char **at, const char *fn, const char *tag)
{
	char want_fn[64], want_line[64];
	const char *nl;
	char one[1024];

	if (*at == NULL || **at == '\0')
		return false;
	nl = strchr(*at, '\n');
	snprintf(one, sizeof one, "%.*s", nl ? (int)(nl - *at) : (int)strlen(*at), *at);
	*at = nl ? nl + 1 : *at + strlen(*at);
	snprintf(want_fn, sizeof want_fn, " %s+0x", fn);
	snprintf(want_line, sizeof want_line, "stack-chain.c:%d)", line_of(tag));
	return strstr(one, want_fn) != NULL && strstr(one, want_line) != NULL;
}

static void
chain(const char *variant, bool sys)
{
	char prog[PATH_MAX + 64], text[16384];
	const char *mode = sys ? "syscall" : "signal";
	pid_t pid;
	int k;

	snprintf(prog, sizeof prog, "%s/tests/unit/stack-chain-%s", builddir, variant);
	if ((pid = start(prog, mode, sys)) < 0) {
		ok(0, "%s, %s stop: the program stops where asked", variant, mode);
		return;
	}
	k = frames(pid, text, sizeof text);
	ok(k >= 5, "%s, %s stop: %d frames unwound", variant, mode, k);
	const char *at = strstr(text, " inner+0x");
	if (at)
		while (at > text && at[-1] != '\n')
			at--;
	bool in_order = next_is(&at, "inner", sys ? "inner-syscall" : "inner-signal") &&
	    next_is(&at, "middle", "middle") && next_is(&at, "outer", "outer") &&
	    next_is(&at, "main", "main");
	ok(in_order, "%s, %s stop: inner, middle, outer, main in order, each at its call's line",
	    variant, mode);
	ok(strncmp(text, "libc.so.6+0x", 12) == 0 || strncmp(text, "stack-chain-", 12) == 0,
	    "%s, %s stop: the innermost frame is in libc or the program", variant, mode);
	if (!in_order || k < 5 || (!sys && strcmp(variant, "fp") == 0))
		diag("the frames:\n%s", text);

	/* The same through stack_json, and again after the session is
	 * forgotten and after the maps are marked stale. */
	json_t *a = stack_json(pid, STACK_MAX_FRAMES);
	ok(json_is_array(a) && (int)json_array_size(a) == k &&
	    strstr(json_string_value(json_array_get(a, 0)) ?: "", "+0x") != NULL,
	    "%s, %s stop: stack_json gives the same %d frames as strings", variant, mode, k);
	json_decref(a);
	char again[16384];
	stack_remap(pid);
	frames(pid, again, sizeof again);
	is_str(again, text, "%s, %s stop: the same after stack_remap", variant, mode);
	stack_forget(pid);
	frames(pid, again, sizeof again);
	is_str(again, text, "%s, %s stop: the same after stack_forget", variant, mode);
	finish(pid);
}

static void
stripped(void)
{
	char prog[PATH_MAX + 64], copy[PATH_MAX + 64], cmd[5 * PATH_MAX], text[16384];
	pid_t pid;

	snprintf(prog, sizeof prog, "%s/tests/unit/stack-chain-nofp", builddir);
	snprintf(copy, sizeof copy, "%s/stripped-chain", tmp);
	snprintf(cmd, sizeof cmd, "objcopy --strip-all '%s' '%s' 2>/dev/null || strip -o '%s' '%s' 2>/dev/null",
	    prog, copy, copy, prog);
	if (system(cmd) != 0) {
		skip(3, "neither objcopy nor strip could strip a copy of %s", prog);
		return;
	}
	if ((pid = start(copy, "signal", false)) < 0) {
		ok(0, "stripped: the program stops where asked");
		skip(2, "it did not stop");
		return;
	}
	int k = frames(pid, text, sizeof text);
	int inprog = 0;
	for (const char *p = text; (p = strstr(p, "stripped-chain+0x")) != NULL; p++)
		inprog++;
	ok(k >= 5 && inprog >= 4, "stripped: %d frames, %d of them stripped-chain+OFFSET", k, inprog);
	ok(strstr(text, " inner+") == NULL && strstr(text, "stack-chain.c:") == NULL,
	    "stripped: no function names or lines for the program's frames");
	ok(strstr(text, "libc.so.6+0x") != NULL, "stripped: libc's frames are there too");
	if (k < 5 || inprog < 4)
		diag("the frames:\n%s", text);
	finish(pid);
	unlink(copy);
}

int
main(void)
{
	const char *s = getenv("top_srcdir"), *b = getenv("top_builddir");
	char self[PATH_MAX];
	uint64_t pcs[4];
	char buf[64];

	if (b == NULL) {	/* run by hand: from the build tree's tests/unit */
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		self[n > 0 ? n : 0] = '\0';
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(builddir, sizeof builddir, "%s/../..", self);
	} else
		snprintf(builddir, sizeof builddir, "%s", b);
	snprintf(srcdir, sizeof srcdir, "%s", s ? s : builddir);
	snprintf(tmp, sizeof tmp, "%s/dios-stack.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (mkdtemp(tmp) == NULL)
		bail_out("mkdtemp %s: %s", tmp, strerror(errno));
	/* No network from libdwfl's debuginfod client. */
	unsetenv("DEBUGINFOD_URLS");
	if (line_of("main") == 0)
		bail_out("no @main in %s/tests/unit/stack-chain.c", srcdir);
	pid_t probe = fork();
	int pst = 0;
	if (probe == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ? 1 : 0);
	if (probe < 0 || waitpid(probe, &pst, 0) != probe || !WIFEXITED(pst) || WEXITSTATUS(pst) != 0) {
		printf("1..0 # SKIP ptrace is not allowed here\n");
		return 0;
	}

	is_int(stack_unwind(getpid(), pcs, 0), -EINVAL, "stack_unwind: max 0 is -EINVAL");
	is_int(stack_unwind(INT_MAX - 1, pcs, 4), -ESRCH, "stack_unwind: no such task is -ESRCH");
	is_int(stack_symbolize(INT_MAX - 1, 0x1000, buf, sizeof buf), -ESRCH,
	    "stack_symbolize: no such task is -ESRCH");
	ok(stack_json(INT_MAX - 1, 8) == NULL, "stack_json: no such task is NULL");

	chain("fp", false);
	chain("fp", true);
	chain("nofp", false);
	chain("nofp", true);
	stripped();
	stack_forget_all();
	rmdir(tmp);
	return done_testing();
}

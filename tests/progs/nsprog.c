/* nsprog: namespaces and capabilities, as a sandboxing program uses them:
 * capget, PR_CAPBSET_READ, unshare of a UTS and a user namespace (whatever
 * the kernel allows here: the results are printed), sethostname and uname
 * in it, setns back into a namespace by descriptor, capset dropping a
 * capability, then unshare(CLONE_NEWPID) and a child that is pid 1 of the
 * new namespace.  Prints one line per call.  Exits 14.
 */
#include "progs.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/capability.h>

static void
caps(const char *when)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int r = (int)syscall(SYS_capget, &h, d);

	if (r < 0)
		printf("capget (%s) = -1 %s\n", when, ename(errno));
	else
		printf("capget (%s) = 0: effective %#x %#x, permitted %#x %#x\n", when, d[0].effective,
		    d[1].effective, d[0].permitted, d[1].permitted);
}

int
main(void)
{
	struct utsname u;
	int r;

	caps("at start");
	r = prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0);
	printf("PR_CAPBSET_READ(CAP_SYS_ADMIN) = %d\n", r);
	int own = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	printf("open own uts namespace: %s\n", own >= 0 ? "ok" : ename(errno));
	r = unshare(CLONE_NEWUTS);
	printf("unshare(CLONE_NEWUTS) = %d%s%s\n", r, r < 0 ? " " : "", r < 0 ? ename(errno) : "");
	if (r == 0) {
		r = sethostname("dios-ns", 7);
		printf("sethostname = %d\n", r);
	}
	if (uname(&u) == 0)
		printf("uname: nodename %s\n", u.nodename);
	if (own >= 0) {
		r = setns(own, CLONE_NEWUTS);
		printf("setns(own uts) = %d%s%s\n", r, r < 0 ? " " : "", r < 0 ? ename(errno) : "");
		if (uname(&u) == 0)
			printf("uname after setns: nodename %s\n", r == 0 ? "(the host's)" : u.nodename);
		close(own);
	}
	r = unshare(CLONE_NEWUSER);
	printf("unshare(CLONE_NEWUSER) = %d%s%s\n", r, r < 0 ? " " : "", r < 0 ? ename(errno) : "");
	printf("getuid = %d\n", (int)getuid());
	caps("after unshare");
	{
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2];
		if (syscall(SYS_capget, &h, d) == 0) {
			d[0].effective &= ~(1u << CAP_NET_RAW);
			r = (int)syscall(SYS_capset, &h, d);
			printf("capset (without CAP_NET_RAW) = %d%s%s\n", r, r < 0 ? " " : "",
			    r < 0 ? ename(errno) : "");
		}
	}
	caps("after capset");
	r = unshare(CLONE_NEWPID);
	printf("unshare(CLONE_NEWPID) = %d%s%s\n", r, r < 0 ? " " : "", r < 0 ? ename(errno) : "");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		printf("child: getpid = %d\n", r == 0 ? (int)getpid() : 1);
		fflush(stdout);
		_exit(3);
	}
	int st = 0;
	pid_t w = waitpid(c, &st, 0);
	printf("waitpid = %s, status %d\n", w == c ? "the child" : "?",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 14;
}

/* settings: the process's own settings and the calls of syscalls.def rows
 * added for issue 15: capabilities, prctl by option, seccomp queries,
 * priorities and scheduling, memory policy, personality, memfd, inotify,
 * extended attributes (set, get, list, remove) in DIR, mknod, a SysV
 * message queue and semaphore set (GETALL, SETALL), user keys (add_key,
 * keyctl), numbers no kernel implements (syscall(-1), 1000, 9999, -5 and
 * 0x40000000 | 600, which have the x32 bit), a mount that fails, a file
 * handle probed for its size, and its own CPU affinity.  Exits 9.
 */
#include "progs.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>

int
main(int argc, char **argv)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct sched_param sp;
	struct timespec ts;
	char name[16], buf[256];
	unsigned long mask[2] = { 0, 0 };
	int sig = -1, mode = -1, fd, wd;
	long r;

	progs_init();
	progs_dir(argc, argv, "settings");
	fprintf(stderr, "settings: starting\n");

	/* capabilities: libcap asks the version with a header it does not know */
	struct __user_cap_header_struct probe = { 0, 0 };
	R("capget version probe", syscall(SYS_capget, &probe, NULL));
	printf("  preferred version: %#x\n", probe.version);
	memset(d, 0, sizeof d);
	if (R("capget v3", syscall(SYS_capget, &h, d)) == 0)
		printf("  effective %#x %#x permitted %#x %#x\n", d[0].effective, d[1].effective,
		    d[0].permitted, d[1].permitted);
	R("capset (same sets)", syscall(SYS_capset, &h, d));

	/* prctl */
	R("prctl PR_SET_NAME", prctl(PR_SET_NAME, "dios-settings", 0, 0, 0));
	memset(name, 'x', sizeof name);
	if (R("prctl PR_GET_NAME", prctl(PR_GET_NAME, name, 0, 0, 0)) == 0)
		printf("  name: %.16s\n", name);
	R("prctl PR_SET_PDEATHSIG SIGTERM", prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0));
	if (R("prctl PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0)) == 0)
		printf("  pdeathsig: %d\n", sig);
	R("prctl PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	R("prctl PR_CAPBSET_READ CAP_CHOWN", prctl(PR_CAPBSET_READ, 0, 0, 0, 0));
	R("prctl PR_CAPBSET_READ 999", prctl(PR_CAPBSET_READ, 999, 0, 0, 0));
	R("prctl PR_SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	R("prctl PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	R("prctl PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	R("prctl PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	R("prctl PR_SET_TIMERSLACK", prctl(PR_SET_TIMERSLACK, 100000, 0, 0, 0));
	R("prctl PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &mode, 0, 0, 0));
	printf("  subreaper: %d\n", mode);
	R("prctl 12345 (no such option)", prctl(12345, 0, 0, 0, 0));
	unsigned int action = SECCOMP_RET_LOG;
	R("seccomp GET_ACTION_AVAIL", syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action));

	/* priorities, scheduling, memory policy, personality */
	errno = 0;
	r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
	printf("getpriority = %ld\n", r);
	R("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
	R("getpriority (libc)", getpriority(PRIO_PROCESS, 0));
	R("ioprio_get", syscall(SYS_ioprio_get, 1, 0));
	R("sched_getscheduler", sched_getscheduler(0));
	if (R("sched_getparam", sched_getparam(0, &sp)) == 0)
		printf("  priority %d\n", sp.sched_priority);
	R("sched_get_priority_max FIFO", sched_get_priority_max(SCHED_FIFO));
	if (R("sched_rr_get_interval", sched_rr_get_interval(0, &ts)) == 0)
		printf("  %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
	if (R("get_mempolicy", syscall(SYS_get_mempolicy, &mode, mask, 128, 0, 0)) == 0)
		printf("  mode %d mask %#lx\n", mode, mask[0]);
	R("personality (query)", personality(0xffffffff));

	/* descriptors: memfd, inotify */
	if ((fd = R("memfd_create", memfd_create("dios-test", MFD_CLOEXEC))) >= 0) {
		R("write memfd", write(fd, "memfd!", 6));
		R("lseek memfd", lseek(fd, 0, SEEK_SET));
		r = R("read memfd", read(fd, buf, sizeof buf));
		show_text("memfd", buf, r);
		R("close memfd", close(fd));
	}
	if ((fd = R("inotify_init1", inotify_init1(IN_CLOEXEC | IN_NONBLOCK))) >= 0) {
		wd = R("inotify_add_watch", inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE));
		NEED(close(open(P("watched"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)));
		r = R("read inotify", read(fd, buf, sizeof buf));
		if (r > 0)
			printf("  event mask %#x name %s\n", ((struct inotify_event *)buf)->mask,
			    ((struct inotify_event *)buf)->name);
		R("inotify_rm_watch", inotify_rm_watch(fd, wd));
		R("close inotify", close(fd));
	}

	/* extended attributes on a file of DIR (user.* may be unsupported) */
	NEED(close(open(P("attrs"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)));
	if (setxattr(P("attrs"), "user.dios", "value-1", 7, XATTR_CREATE) < 0 && errno == ENOTSUP)
		printf("xattrs: not supported here\n");
	else {
		printf("setxattr = 0\n");
		R("setxattr again (XATTR_CREATE)", setxattr(P("attrs"), "user.dios", "v", 1, XATTR_CREATE));
		R("lsetxattr", lsetxattr(P("attrs"), "user.other", "two", 3, 0));
		NEED(fd = open(P("attrs"), O_RDONLY | O_CLOEXEC));
		R("fsetxattr", fsetxattr(fd, "user.third", "3", 1, XATTR_REPLACE));
		R("fsetxattr", fsetxattr(fd, "user.third", "3", 1, 0));
		r = R("getxattr size", getxattr(P("attrs"), "user.dios", NULL, 0));
		r = R("getxattr", getxattr(P("attrs"), "user.dios", buf, sizeof buf));
		show_text("value", buf, r);
		r = R("listxattr", listxattr(P("attrs"), buf, sizeof buf));
		for (long i = 0; i < r; i += (long)strlen(buf + i) + 1)
			printf("  name: %s\n", buf + i);
		R("removexattr", removexattr(P("attrs"), "user.other"));
		R("lremovexattr (gone)", lremovexattr(P("attrs"), "user.other"));
		R("fremovexattr", fremovexattr(fd, "user.third"));
		r = R("flistxattr", flistxattr(fd, buf, sizeof buf));
		show_text("names", buf, r);
		R("close", close(fd));
	}

	/* mknod: a FIFO */
	R("mknod fifo", mknod(P("fifo"), S_IFIFO | 0600, 0));
	R("mknodat fifo (exists)", mknodat(AT_FDCWD, P("fifo"), S_IFIFO | 0600, 0));

	/* a SysV message queue of its own */
	int q = R("msgget", msgget(IPC_PRIVATE, IPC_CREAT | 0600));
	if (q >= 0) {
		struct { long type; char text[32]; } m = { 7, "through a queue" }, got;
		struct msqid_ds ds;
		R("msgsnd", msgsnd(q, &m, strlen(m.text) + 1, 0));
		memset(&got, 0, sizeof got);
		if (R("msgrcv", msgrcv(q, &got, sizeof got.text, 0, 0)) > 0)
			printf("  type %ld text %s\n", got.type, got.text);
		if (R("msgctl IPC_STAT", msgctl(q, IPC_STAT, &ds)) == 0)
			printf("  qnum %lu\n", (unsigned long)ds.msg_qnum);
		R("msgctl IPC_RMID", msgctl(q, IPC_RMID, NULL));
	}

	/* a SysV semaphore set of its own: all its values set and read */
	int sem = R("semget (3)", semget(IPC_PRIVATE, 3, IPC_CREAT | 0600));
	if (sem >= 0) {
		unsigned short set[3] = { 4, 5, 6 }, got[4] = { 9, 9, 9, 9 };
		union { int val; unsigned short *array; } su = { .array = set };
		R("semctl SETALL", semctl(sem, 0, SETALL, su));
		su.array = got;
		if (R("semctl GETALL", semctl(sem, 0, GETALL, su)) == 0)
			printf("  values %u %u %u (then %u)\n", got[0], got[1], got[2], got[3]);
		R("semctl IPC_RMID", semctl(sem, 0, IPC_RMID));
	}

	/* a file handle: the size probe (EOVERFLOW writes only the head), then
	 * the handle */
	struct { struct file_handle h; unsigned char b[128]; } fh;
	int mnt;
	fh.h.handle_bytes = 0;
	R("name_to_handle_at (no room)", name_to_handle_at(AT_FDCWD, P("."), &fh.h, &mnt, 0));
	printf("  needs %s\n", fh.h.handle_bytes > 0 ? "some bytes" : "none");
	if (R("name_to_handle_at", name_to_handle_at(AT_FDCWD, P("."), &fh.h, &mnt, 0)) == 0)
		printf("  type %s\n", fh.h.handle_type != 0 ? "set" : "0");

	/* its own CPU affinity: what it set is what it is shown */
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	R("sched_setaffinity (CPU 0)", sched_setaffinity(0, sizeof cpus, &cpus));
	CPU_ZERO(&cpus);
	if (R("sched_getaffinity", sched_getaffinity(0, sizeof cpus, &cpus)) == 0)
		printf("  %d CPU(s), CPU 0 %s\n", CPU_COUNT(&cpus), CPU_ISSET(0, &cpus) ? "in" : "out");

	/* a call replay cannot stand in for, failing: answered from the trace */
	R("mount (no such target)", mount("none", P("no-such-dir"), "tmpfs", 0, NULL));

	/* keys: a user key added, read (whole, then into a short buffer),
	 * described, found, revoked, and read again */
	{
		char kb[64];
		long key = R("add_key user", syscall(SYS_add_key, "user", "dios:settings", "secret!", 7,
		    KEY_SPEC_PROCESS_KEYRING));
		memset(kb, 0, sizeof kb);
		if (R("keyctl KEYCTL_READ", syscall(SYS_keyctl, KEYCTL_READ, key, kb, sizeof kb)) > 0)
			printf("  payload: %s\n", kb);
		memset(kb, 0, sizeof kb);
		R("keyctl KEYCTL_READ (3 bytes)", syscall(SYS_keyctl, KEYCTL_READ, key, kb, 3));
		printf("  payload: %s\n", kb);
		memset(kb, 0, sizeof kb);
		if (R("keyctl KEYCTL_DESCRIBE", syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, kb, sizeof kb - 1)) > 0)
			printf("  ends: %s\n", strrchr(kb, ';') ? strrchr(kb, ';') : kb);
		R("keyctl KEYCTL_SEARCH", syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_PROCESS_KEYRING, "user",
		    "dios:settings", 0) == key);
		R("keyctl KEYCTL_REVOKE", syscall(SYS_keyctl, KEYCTL_REVOKE, key));
		R("keyctl KEYCTL_READ (revoked)", syscall(SYS_keyctl, KEYCTL_READ, key, kb, sizeof kb));
	}

	/* numbers no kernel implements */
	R("syscall(-1)", syscall(-1));
	R("syscall(1000)", syscall(1000));
	R("syscall(9999)", syscall(9999, 1, 2, 3));
	R("syscall(-5)", syscall(-5));
	R("syscall(0x40000000 | 600)", syscall(0x40000000 | 600));
	fprintf(stderr, "settings: done\n");
	return 9;
}

/* xlat.c: errno, signal and flag names. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/xattr.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <poll.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include "sys/xlat.h"

struct xname { uint64_t v; const char *name; };
#define X(c) { c, #c }

#include "sys/errnames.inc"

const char *
errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].v == (uint64_t)e)
			return errno_names[i].name;
	return NULL;
}

int
errno_from_name(const char *s)
{
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (strcmp(errno_names[i].name, s) == 0)
			return (int)errno_names[i].v;
	if (s[0] == 'E' && s[1] >= '1' && s[1] <= '9') {
		v = strtol(s + 1, &end, 10);
		if (*end == '\0' && v > 0 && v < 4096)
			return (int)v;
	}
	return -1;
}

static const struct xname sig_names[] = {
	X(SIGHUP), X(SIGINT), X(SIGQUIT), X(SIGILL), X(SIGTRAP), X(SIGABRT),
	X(SIGBUS), X(SIGFPE), X(SIGKILL), X(SIGUSR1), X(SIGSEGV), X(SIGUSR2),
	X(SIGPIPE), X(SIGALRM), X(SIGTERM), X(SIGSTKFLT), X(SIGCHLD), X(SIGCONT),
	X(SIGSTOP), X(SIGTSTP), X(SIGTTIN), X(SIGTTOU), X(SIGURG), X(SIGXCPU),
	X(SIGXFSZ), X(SIGVTALRM), X(SIGPROF), X(SIGWINCH), X(SIGIO), X(SIGPWR),
	X(SIGSYS),
};

const char *
signal_name(int sig, char buf[16])
{
	for (size_t i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++)
		if (sig_names[i].v == (uint64_t)sig)
			return sig_names[i].name;
	snprintf(buf, 16, "SIG%d", sig);
	return buf;
}

int
signal_from_name(const char *s)
{
	char *end;
	long v;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++)
		if (strcmp(sig_names[i].name + 3, s) == 0)
			return (int)sig_names[i].v;
	v = strtol(s, &end, 10);
	if (end != s && *end == '\0' && v > 0 && v < 65)
		return (int)v;
	return -1;
}

static const struct xname x_open[] = {
	X(O_WRONLY), X(O_RDWR), X(O_CREAT), X(O_EXCL), X(O_NOCTTY), X(O_TRUNC),
	X(O_APPEND), X(O_NONBLOCK), X(O_DSYNC), X(O_ASYNC), X(O_DIRECT),
	X(O_LARGEFILE), X(O_DIRECTORY), X(O_NOFOLLOW), X(O_NOATIME),
	X(O_CLOEXEC), { 04000000, "__O_SYNC" }, X(O_PATH), { 020000000, "__O_TMPFILE" }, {0, NULL}
};
static const struct xname x_at[] = {
	X(AT_SYMLINK_NOFOLLOW), X(AT_REMOVEDIR), X(AT_SYMLINK_FOLLOW),
	X(AT_NO_AUTOMOUNT), X(AT_EMPTY_PATH), X(AT_EACCESS), {0, NULL}
};
static const struct xname x_access[] = { X(R_OK), X(W_OK), X(X_OK), {0, NULL} };
static const struct xname x_prot[] = { X(PROT_READ), X(PROT_WRITE), X(PROT_EXEC), {0, NULL} };
static const struct xname x_map[] = {
	X(MAP_SHARED), X(MAP_PRIVATE), X(MAP_FIXED), X(MAP_ANONYMOUS),
	X(MAP_DENYWRITE), X(MAP_NORESERVE), X(MAP_POPULATE), X(MAP_STACK),
	X(MAP_FIXED_NOREPLACE), {0, NULL}
};
static const struct xname x_rename[] = { X(RENAME_NOREPLACE), X(RENAME_EXCHANGE), X(RENAME_WHITEOUT), {0, NULL} };
static const struct xname x_grnd[] = { X(GRND_NONBLOCK), X(GRND_RANDOM), {0, NULL} };
static const struct xname x_flock[] = { X(LOCK_SH), X(LOCK_EX), X(LOCK_NB), X(LOCK_UN), {0, NULL} };
static const struct xname x_falloc[] = { { 1, "FALLOC_FL_KEEP_SIZE" }, { 2, "FALLOC_FL_PUNCH_HOLE" }, {0, NULL} };
static const struct xname x_close_range[] = { X(CLOSE_RANGE_UNSHARE), X(CLOSE_RANGE_CLOEXEC), {0, NULL} };
static const struct xname x_timer[] = { X(TIMER_ABSTIME), {0, NULL} };
static const struct xname x_clone[] = {
	X(CLONE_VM), X(CLONE_FS), X(CLONE_FILES), X(CLONE_SIGHAND), X(CLONE_PIDFD),
	X(CLONE_PTRACE), X(CLONE_VFORK), X(CLONE_PARENT), X(CLONE_THREAD),
	X(CLONE_NEWNS), X(CLONE_SYSVSEM), X(CLONE_SETTLS), X(CLONE_PARENT_SETTID),
	X(CLONE_CHILD_CLEARTID), X(CLONE_DETACHED), X(CLONE_UNTRACED),
	X(CLONE_CHILD_SETTID), X(CLONE_NEWCGROUP), X(CLONE_NEWUTS), X(CLONE_NEWIPC),
	X(CLONE_NEWUSER), X(CLONE_NEWPID), X(CLONE_NEWNET), X(CLONE_IO), {0, NULL}
};
static const struct xname x_wait[] = {
	X(WNOHANG), X(WUNTRACED), X(WEXITED), X(WCONTINUED), X(WNOWAIT),
	X(__WNOTHREAD), X(__WALL), X(__WCLONE), {0, NULL}
};
static const struct xname x_rwf[] = { X(RWF_HIPRI), X(RWF_DSYNC), X(RWF_SYNC), X(RWF_NOWAIT), X(RWF_APPEND), {0, NULL} };
static const struct xname x_msg[] = {
	X(MSG_OOB), X(MSG_PEEK), X(MSG_DONTROUTE), X(MSG_CTRUNC), X(MSG_TRUNC),
	X(MSG_DONTWAIT), X(MSG_EOR), X(MSG_WAITALL), X(MSG_NOSIGNAL), X(MSG_MORE),
	X(MSG_WAITFORONE), X(MSG_CMSG_CLOEXEC), {0, NULL}
};
static const struct xname x_sock[] = { X(SOCK_NONBLOCK), X(SOCK_CLOEXEC), {0, NULL} };
static const struct xname x_poll[] = {
	X(POLLIN), X(POLLPRI), X(POLLOUT), X(POLLERR), X(POLLHUP), X(POLLNVAL),
	X(POLLRDNORM), X(POLLRDBAND), X(POLLWRNORM), X(POLLWRBAND), X(POLLRDHUP), {0, NULL}
};

static const struct xname x_xattr[] = { X(XATTR_CREATE), X(XATTR_REPLACE), {0, NULL} };
static const struct xname x_mfd[] = {
	X(MFD_CLOEXEC), X(MFD_ALLOW_SEALING), X(MFD_HUGETLB),
#ifdef MFD_NOEXEC_SEAL
	X(MFD_NOEXEC_SEAL), X(MFD_EXEC),
#endif
	{0, NULL}
};

/* Enumerations, not bit sets: rendered by exact value. */
static const struct xname e_prctl[] = {
	X(PR_SET_PDEATHSIG), X(PR_GET_PDEATHSIG), X(PR_GET_DUMPABLE), X(PR_SET_DUMPABLE),
	X(PR_GET_UNALIGN), X(PR_SET_UNALIGN), X(PR_GET_KEEPCAPS), X(PR_SET_KEEPCAPS),
	X(PR_GET_FPEMU), X(PR_SET_FPEMU), X(PR_GET_FPEXC), X(PR_SET_FPEXC),
	X(PR_GET_TIMING), X(PR_SET_TIMING), X(PR_SET_NAME), X(PR_GET_NAME),
	X(PR_GET_ENDIAN), X(PR_SET_ENDIAN), X(PR_GET_SECCOMP), X(PR_SET_SECCOMP),
	X(PR_CAPBSET_READ), X(PR_CAPBSET_DROP), X(PR_GET_TSC), X(PR_SET_TSC),
	X(PR_GET_SECUREBITS), X(PR_SET_SECUREBITS), X(PR_SET_TIMERSLACK), X(PR_GET_TIMERSLACK),
	X(PR_TASK_PERF_EVENTS_DISABLE), X(PR_TASK_PERF_EVENTS_ENABLE), X(PR_MCE_KILL),
	X(PR_MCE_KILL_GET), X(PR_SET_MM), X(PR_SET_PTRACER), X(PR_SET_CHILD_SUBREAPER),
	X(PR_GET_CHILD_SUBREAPER), X(PR_SET_NO_NEW_PRIVS), X(PR_GET_NO_NEW_PRIVS),
	X(PR_GET_TID_ADDRESS), X(PR_SET_THP_DISABLE), X(PR_GET_THP_DISABLE),
	X(PR_MPX_ENABLE_MANAGEMENT), X(PR_MPX_DISABLE_MANAGEMENT), X(PR_SET_FP_MODE),
	X(PR_GET_FP_MODE), X(PR_CAP_AMBIENT), X(PR_SVE_SET_VL), X(PR_SVE_GET_VL),
	X(PR_GET_SPECULATION_CTRL), X(PR_SET_SPECULATION_CTRL), X(PR_PAC_RESET_KEYS),
	X(PR_SET_TAGGED_ADDR_CTRL), X(PR_GET_TAGGED_ADDR_CTRL), X(PR_SET_IO_FLUSHER),
	X(PR_GET_IO_FLUSHER), X(PR_SET_SYSCALL_USER_DISPATCH), X(PR_PAC_SET_ENABLED_KEYS),
	X(PR_PAC_GET_ENABLED_KEYS), X(PR_SCHED_CORE), X(PR_SME_SET_VL), X(PR_SME_GET_VL),
	X(PR_SET_VMA),
#ifdef PR_SET_MDWE
	X(PR_SET_MDWE), X(PR_GET_MDWE),
#endif
#ifdef PR_GET_AUXV
	X(PR_GET_AUXV),
#endif
#ifdef PR_SET_MEMORY_MERGE
	X(PR_SET_MEMORY_MERGE), X(PR_GET_MEMORY_MERGE),
#endif
	{0, NULL}
};
static const struct xname e_rlimit[] = {
	X(RLIMIT_CPU), X(RLIMIT_FSIZE), X(RLIMIT_DATA), X(RLIMIT_STACK),
	X(RLIMIT_CORE), X(RLIMIT_RSS), X(RLIMIT_NPROC), X(RLIMIT_NOFILE),
	X(RLIMIT_MEMLOCK), X(RLIMIT_AS), X(RLIMIT_LOCKS), X(RLIMIT_SIGPENDING),
	X(RLIMIT_MSGQUEUE), X(RLIMIT_NICE), X(RLIMIT_RTPRIO), X(RLIMIT_RTTIME), {0, NULL}
};

static const struct xname e_clock[] = {
	X(CLOCK_REALTIME), X(CLOCK_MONOTONIC), X(CLOCK_PROCESS_CPUTIME_ID),
	X(CLOCK_THREAD_CPUTIME_ID), X(CLOCK_MONOTONIC_RAW), X(CLOCK_REALTIME_COARSE),
	X(CLOCK_MONOTONIC_COARSE), X(CLOCK_BOOTTIME), X(CLOCK_REALTIME_ALARM),
	X(CLOCK_BOOTTIME_ALARM), X(CLOCK_TAI), {0, NULL}
};
static const struct xname e_seek[] = {
	X(SEEK_SET), X(SEEK_CUR), X(SEEK_END), X(SEEK_DATA), X(SEEK_HOLE), {0, NULL}
};
static const struct xname e_fcntl[] = {
	X(F_DUPFD), X(F_GETFD), X(F_SETFD), X(F_GETFL), X(F_SETFL), X(F_GETLK),
	X(F_SETLK), X(F_SETLKW), X(F_SETOWN), X(F_GETOWN), X(F_SETSIG), X(F_GETSIG),
	X(F_OFD_GETLK), X(F_OFD_SETLK), X(F_OFD_SETLKW), X(F_SETLEASE), X(F_GETLEASE),
	X(F_NOTIFY), X(F_DUPFD_CLOEXEC), X(F_SETPIPE_SZ), X(F_GETPIPE_SZ),
	X(F_ADD_SEALS), X(F_GET_SEALS), {0, NULL}
};

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
static const struct xname e_ioctl[] = {
	X(TCGETS), X(TCSETS), X(TCSETSW), X(TCSETSF), X(TCSBRK), X(TCXONC), X(TCFLSH),
	X(TIOCSCTTY), X(TIOCGPGRP), X(TIOCSPGRP), X(TIOCOUTQ), X(TIOCGWINSZ),
	X(TIOCSWINSZ), X(TIOCMGET), X(TIOCNOTTY), X(TIOCGETD), X(TIOCGSID), X(TIOCGPTN),
	X(TIOCSPTLCK), X(TIOCGPKT), X(TIOCGPTLCK), X(TIOCGPTPEER), X(FIONREAD), X(FIONBIO),
	X(FIOASYNC), X(FIOCLEX), X(FIONCLEX), X(SIOCATMARK), X(SIOCGSTAMP), X(SIOCGSTAMPNS),
	X(SIOCGIFCONF), X(SIOCGIFNAME), X(SIOCGIFINDEX), X(SIOCGIFFLAGS), X(SIOCGIFMTU),
	X(SIOCGIFMETRIC), X(SIOCGIFTXQLEN), X(SIOCGIFHWADDR), X(SIOCGIFADDR),
	X(SIOCGIFDSTADDR), X(SIOCGIFBRDADDR), X(SIOCGIFNETMASK), X(SIOCGIFMAP),
	{0, NULL}
};

/* An ioctl request by name, else as its number says: _IOR('T', 0x30, 4). */
static void
render_ioctl(uint64_t v, char *buf, size_t n)
{
	static const char *const dirs[4] = { "_IO", "_IOW", "_IOR", "_IOWR" };
	unsigned int r = (unsigned int)v;

	for (const struct xname *t = e_ioctl; t->name; t++)
		if (t->v == r) {
			snprintf(buf, n, "%s", t->name);
			return;
		}
	if (v > UINT32_MAX || _IOC_TYPE(r) == 0)
		snprintf(buf, n, "%#llx", (unsigned long long)v);
	else if (_IOC_DIR(r) == _IOC_NONE)
		snprintf(buf, n, "_IO(%#x, %#x)", _IOC_TYPE(r), _IOC_NR(r));
	else
		snprintf(buf, n, "%s(%#x, %#x, %u)", dirs[_IOC_DIR(r) & 3], _IOC_TYPE(r),
		    _IOC_NR(r), _IOC_SIZE(r));
}

/* An enumeration value by name; an unknown one as a signed number (clock
 * ids of other processes are negative). */
static void
render_enum(const struct xname *t, uint64_t v, char *buf, size_t n)
{
	for (; t->name; t++)
		if (t->v == v) {
			snprintf(buf, n, "%s", t->name);
			return;
		}
	snprintf(buf, n, "%lld", (long long)v);
}

static void
render_bits(const struct xname *t, uint64_t v, const char *zero, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	if (zero && (v & 3) == 0 && t == x_open) {
		len += snprintf(buf + len, n - len, "%s", zero);
	} else if (v == 0) {
		snprintf(buf, n, "%s", zero ? zero : "0");
		return;
	}
	for (; t->name && len < n; t++) {
		if (t->v && (v & t->v) == t->v) {
			len += snprintf(buf + len, n - len, "%s%s", len ? "|" : "", t->name);
			v &= ~t->v;
		}
	}
	if (v && len < n)
		snprintf(buf + len, n - len, "%s%#llx", len ? "|" : "", (unsigned long long)v);
}

void
xlat_render(enum xlat_id x, uint64_t v, char *buf, size_t n)
{
	switch (x) {
	case X_OPEN: render_bits(x_open, v, "O_RDONLY", buf, n); break;
	case X_AT: render_bits(x_at, v, NULL, buf, n); break;
	case X_ACCESS: render_bits(x_access, v, "F_OK", buf, n); break;
	case X_PROT: render_bits(x_prot, v, "PROT_NONE", buf, n); break;
	case X_MAP: render_bits(x_map, v, NULL, buf, n); break;
	case X_RENAME: render_bits(x_rename, v, NULL, buf, n); break;
	case X_GRND: render_bits(x_grnd, v, NULL, buf, n); break;
	case X_FLOCK: render_bits(x_flock, v, NULL, buf, n); break;
	case X_FALLOC: render_bits(x_falloc, v, NULL, buf, n); break;
	case X_CLOSE_RANGE: render_bits(x_close_range, v, NULL, buf, n); break;
	case X_TIMER: render_bits(x_timer, v, NULL, buf, n); break;
	case X_RWF: render_bits(x_rwf, v, NULL, buf, n); break;
	case X_MSG: render_bits(x_msg, v, NULL, buf, n); break;
	case X_SOCK: render_bits(x_sock, v, NULL, buf, n); break;
	case X_POLL: render_bits(x_poll, v, NULL, buf, n); break;
	case X_RLIMIT: render_enum(e_rlimit, v, buf, n); break;
	case X_XATTR: render_bits(x_xattr, v, NULL, buf, n); break;
	case X_MFD: render_bits(x_mfd, v, NULL, buf, n); break;
	case X_PRCTL: render_enum(e_prctl, v, buf, n); break;
	case X_CLONE: {
		/* the low byte is the signal sent at the child's exit */
		char sb[16], rest[256];
		render_bits(x_clone, v & ~0xffULL, NULL, rest, sizeof rest);
		if ((v & 0xff) == 0)
			snprintf(buf, n, "%s", rest);
		else
			snprintf(buf, n, "%s%s%s", v & ~0xffULL ? rest : "",
			    v & ~0xffULL ? "|" : "", signal_name((int)(v & 0xff), sb));
		break;
	}
	case X_WAIT: render_bits(x_wait, v, NULL, buf, n); break;
	case X_SIGNAL: {
		char sb[16];
		snprintf(buf, n, "%s", v ? signal_name((int)v, sb) : "0");
		break;
	}
	case X_CLOCK: render_enum(e_clock, v, buf, n); break;
	case X_SEEK: render_enum(e_seek, v, buf, n); break;
	case X_FCNTL: render_enum(e_fcntl, v, buf, n); break;
	case X_IOCTL: render_ioctl(v, buf, n); break;
	default: snprintf(buf, n, "%#llx", (unsigned long long)v); break;
	}
}

int
xlat_parse_names(const char *list, const char *const *names, int n, unsigned *mask,
    char *bad, size_t badlen)
{
	char *dup = strdup(list), *save = NULL, *tok;
	unsigned m = 0;
	int e = 0;

	if (dup == NULL)
		return -ENOMEM;
	bad[0] = '\0';
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;
		if (strcmp(tok, "all") == 0) {
			m = (1u << n) - 1;
			continue;
		}
		for (i = 0; i < n && strcmp(tok, names[i]) != 0; i++)
			;
		if (i == n) {
			snprintf(bad, badlen, "%s", tok);
			e = -EINVAL;
			break;
		}
		m |= 1u << i;
	}
	free(dup);
	if (e == 0 && m == 0)
		e = -EINVAL;
	if (e == 0)
		*mask = m;
	return e;
}

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
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <poll.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/futex.h>
#include <linux/if_ether.h>
#include <linux/kcmp.h>
#include <linux/kexec.h>
#include <linux/keyctl.h>
#include <linux/mempolicy.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/quota.h>
#include <linux/reboot.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
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

#include "sys/xlattab.inc"

/* An address an unsigned argument holds: NULL, or in hex. */
static void
render_addr(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, v ? "%#llx" : "NULL", (unsigned long long)v);
}

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

/* The name of v in t, or NULL.  An int argument may come sign-extended
 * (rendering) or not (the fuzz spec's matching): a negative entry matches
 * both. */
static const char *
enum_name(const struct xname *t, uint64_t v)
{
	for (; t->name; t++)
		if (t->v == v || ((v >> 32) == 0 && (t->v >> 32) == 0xffffffffu &&
		    (uint32_t)t->v == (uint32_t)v))
			return t->name;
	return NULL;
}

/* An enumeration value by name; an unknown one as a signed number (clock
 * ids of other processes are negative). */
static void
render_enum(const struct xname *t, uint64_t v, char *buf, size_t n)
{
	const char *s = enum_name(t, v);

	if (s)
		snprintf(buf, n, "%s", s);
	else
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

/* An enumeration in the bits mask of v, flags in the others:
 * SCHED_BATCH|SCHED_RESET_ON_FORK, MPOL_BIND|MPOL_F_STATIC_NODES. */
static void
render_enum_flags(const struct xname *e, uint64_t mask, const struct xname *f, uint64_t v,
    char *buf, size_t n)
{
	char rest[256];
	size_t len;

	render_enum(e, v & mask, buf, n);
	if ((v & ~mask) == 0)
		return;
	render_bits(f, v & ~mask, NULL, rest, sizeof rest);
	len = strlen(buf);
	snprintf(buf + len, n - len, "|%s", rest);
}

/* A socket's type: SOCK_STREAM|SOCK_CLOEXEC; of an unknown type, the
 * flags and the rest in hex as strace does (SOCK_CLOEXEC|0x4d). */
static void
render_socktype(uint64_t v, char *buf, size_t n)
{
	uint32_t t = (uint32_t)v;

	if (enum_name(e_socktype, t & 0xf) == NULL)
		render_bits(x_sock, t, NULL, buf, n);
	else
		render_enum_flags(e_socktype, 0xf, x_sock, t, buf, n);
}

/* A socket's protocol, by its domain: IPPROTO_TCP, NETLINK_ROUTE, or
 * htons(ETH_P_ALL) for a packet socket (the type is in network order). */
static void
render_sockproto(uint64_t domain, uint64_t v, char *buf, size_t n)
{
	const char *s = NULL;
	uint16_t eth;

	switch ((int)domain) {
	case AF_INET:
	case AF_INET6:
		s = enum_name(e_ipproto, v);
		break;
	case AF_NETLINK:
		s = enum_name(e_netlink, v);
		break;
	case AF_PACKET:
		if (v == 0 || v > 0xffff)
			break;
		eth = ntohs((uint16_t)v);
		if ((s = enum_name(e_eth_p, eth)) != NULL)
			snprintf(buf, n, "htons(%s)", s);
		else
			snprintf(buf, n, "htons(%#x)", eth);
		return;
	}
	if (s)
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, "%lld", (long long)v);
}

/* An option's name, by its level. */
static void
render_sockopt(uint64_t level, uint64_t v, char *buf, size_t n)
{
	const struct xname *t;

	switch ((int)level) {
	case SOL_SOCKET: t = e_so; break;
	case SOL_IP: t = e_sol_ip; break;
	case SOL_TCP: t = e_sol_tcp; break;
	case SOL_UDP: t = e_sol_udp; break;
	case SOL_IPV6: t = e_sol_ipv6; break;
	default:
		snprintf(buf, n, "%lld", (long long)v);
		return;
	}
	render_enum(t, v, buf, n);
}

/* fanotify_init: the class (FAN_CLASS_NOTIF is 0) and the flags. */
static void
render_fan_init(uint64_t v, char *buf, size_t n)
{
	render_enum_flags(e_fan_class, FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT, x_fan_init, v,
	    buf, n);
}

/* A futex operation as strace names it: FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME. */
static void
render_futex(uint64_t v, char *buf, size_t n)
{
	uint32_t op = (uint32_t)v;
	const char *s = enum_name(e_futex, op & FUTEX_CMD_MASK);

	if (s == NULL)
		snprintf(buf, n, "%#x", op);
	else
		snprintf(buf, n, "%s%s%s", s, op & FUTEX_PRIVATE_FLAG ? "_PRIVATE" : "",
		    op & FUTEX_CLOCK_REALTIME ? "|FUTEX_CLOCK_REALTIME" : "");
}

/* IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4): the class in the bits above 13. */
static void
render_ioprio(uint64_t v, char *buf, size_t n)
{
	const char *s = enum_name(e_ioprio_class, v >> IOPRIO_CLASS_SHIFT);

	if (v > 0xffff || s == NULL)
		snprintf(buf, n, "%lld", (long long)v);
	else
		snprintf(buf, n, "IOPRIO_PRIO_VALUE(%s, %llu)", s,
		    (unsigned long long)(v & ((1u << IOPRIO_CLASS_SHIFT) - 1)));
}

/* personality(0xffffffff) asks without setting. */
static void
render_personality(uint64_t v, char *buf, size_t n)
{
	if ((uint32_t)v == 0xffffffffu)
		snprintf(buf, n, "%#x", 0xffffffffu);
	else
		render_enum_flags(e_per, PER_MASK, x_per, v, buf, n);
}

/* A wait status as strace decodes it, the brackets of the pointer aside:
 * {WIFEXITED(s) && WEXITSTATUS(s) == 3}. */
static void
render_wstatus(uint64_t v, char *buf, size_t n)
{
	int st = (int)v;
	char sb[16];
	const char *ev;
	size_t len;

	if (WIFSTOPPED(st)) {
		len = (size_t)snprintf(buf, n, "{WIFSTOPPED(s) && WSTOPSIG(s) == %s%s}",
		    signal_name(WSTOPSIG(st) & 0x7f, sb), WSTOPSIG(st) & 0x80 ? " | 0x80" : "");
		st &= ~0xffff;
	} else if (WIFSIGNALED(st)) {
		len = (size_t)snprintf(buf, n, "{WIFSIGNALED(s) && WTERMSIG(s) == %s%s}",
		    signal_name(WTERMSIG(st), sb), WCOREDUMP(st) ? " && WCOREDUMP(s)" : "");
		st &= ~0xffff;
	} else if (WIFEXITED(st)) {
		len = (size_t)snprintf(buf, n, "{WIFEXITED(s) && WEXITSTATUS(s) == %d}",
		    WEXITSTATUS(st));
		st &= ~0xffff;
	} else if (WIFCONTINUED(st)) {
		len = (size_t)snprintf(buf, n, "{WIFCONTINUED(s)}");
		st &= ~0xffff;
	} else {
		snprintf(buf, n, "%#x", (unsigned)st);
		return;
	}
	/* a ptrace event in the bits above 16 (__WALL waits of a tracer) */
	if (st && len < n && (ev = enum_name(e_ptrace_event, (unsigned)st >> 16)) != NULL)
		snprintf(buf + len, n - len, " | %s << 16", ev);
	else if (st && len < n)
		snprintf(buf + len, n - len, " | %#x", (unsigned)st);
}

/* A signal set as strace shows one: [INT TERM], or what it lacks when it
 * has more than half: ~[KILL STOP]. */
static void
render_sigset(uint64_t v, char *buf, size_t n)
{
	bool inv = __builtin_popcountll(v) > 32;
	size_t len;
	char sb[16];

	if (inv)
		v = ~v;
	len = (size_t)snprintf(buf, n, "%s[", inv ? "~" : "");
	for (int s = 1; s <= 64 && len < n; s++) {
		const char *name;
		if ((v & (1ULL << (s - 1))) == 0)
			continue;
		if (s < 32)
			name = signal_name(s, sb) + 3;
		else if (s == 32)
			name = "RTMIN";
		else {
			snprintf(sb, sizeof sb, "RT_%d", s - 32);
			name = sb;
		}
		len += (size_t)snprintf(buf + len, n - len, "%s%s", buf[len - 1] == '[' ? "" : " ", name);
	}
	if (len < n)
		snprintf(buf + len, n - len, "]");
}

/* A System V key: IPC_PRIVATE, else in hex as strace shows keys. */
static void
render_ipc_key(uint64_t v, char *buf, size_t n)
{
	if ((uint32_t)v == IPC_PRIVATE)
		snprintf(buf, n, "IPC_PRIVATE");
	else
		snprintf(buf, n, "%#x", (uint32_t)v);
}

/* msgget, semget and shmget: flags, shmget's huge page size, and the
 * permissions in octal: IPC_CREAT|IPC_EXCL|0600. */
static void
render_ipc_get(const struct xname *t, bool huge, uint64_t v, char *buf, size_t n)
{
	uint32_t f = (uint32_t)v & ~0777u, h = 0;
	size_t len = 0;

	buf[0] = '\0';
	if (huge) {
		h = f & ((uint32_t)SHM_HUGE_MASK << SHM_HUGE_SHIFT);
		f &= ~h;
	}
	if (f) {
		render_bits(t, f, NULL, buf, n);
		len = strlen(buf);
	}
	if (h && len < n)
		len += (size_t)snprintf(buf + len, n - len, "%s%u<<SHM_HUGE_SHIFT", len ? "|" : "",
		    h >> SHM_HUGE_SHIFT);
	if (len < n)
		snprintf(buf + len, n - len, "%s%#03o", len ? "|" : "", (unsigned)v & 0777);
}

/* msgctl, semctl and shmctl: the command, IPC_64 first as strace has it. */
static void
render_ipc_ctl(const struct xname *t, uint64_t v, char *buf, size_t n)
{
	char b[64];

	render_enum(t, v & ~(uint64_t)IPC_64, b, sizeof b);
	snprintf(buf, n, "%s%s", v & IPC_64 ? "IPC_64|" : "", b);
}

/* keyctl's second argument: a key (KEY_SPEC_SESSION_KEYRING) for the
 * commands that take one there. */
static void
render_keyctl_arg(uint64_t cmd, uint64_t v, char *buf, size_t n)
{
	switch ((int)cmd) {
	case KEYCTL_JOIN_SESSION_KEYRING:
	case KEYCTL_SET_REQKEY_KEYRING:
	case KEYCTL_SESSION_TO_PARENT:
	case KEYCTL_GET_PERSISTENT:
	case KEYCTL_DH_COMPUTE:
	case KEYCTL_PKEY_ENCRYPT:
	case KEYCTL_PKEY_DECRYPT:
	case KEYCTL_PKEY_SIGN:
	case KEYCTL_PKEY_VERIFY:
#ifdef KEYCTL_CAPABILITIES
	case KEYCTL_CAPABILITIES:
#endif
		snprintf(buf, n, "%lld", (long long)v);
		return;
	}
	if (enum_name(e_keyctl, cmd) == NULL)
		snprintf(buf, n, "%lld", (long long)v);
	else
		render_enum(e_key_spec, v, buf, n);
}

/* syslog's action: the number and its name in a comment, as strace shows
 * names no header has. */
static void
render_syslog(uint64_t v, char *buf, size_t n)
{
	const char *s = enum_name(e_syslog, v);

	if (s)
		snprintf(buf, n, "%lld /* %s */", (long long)v, s);
	else
		snprintf(buf, n, "%lld", (long long)v);
}

/* mount's flags: the old magic number in the high half first. */
static void
render_mount(uint64_t v, char *buf, size_t n)
{
	size_t len;

	if ((v & MS_MGC_MSK) != MS_MGC_VAL) {
		render_bits(x_mount, v, NULL, buf, n);
		return;
	}
	len = (size_t)snprintf(buf, n, "MS_MGC_VAL");
	if ((v & ~(uint64_t)MS_MGC_MSK) && len < n) {
		buf[len++] = '|';
		render_bits(x_mount, v & ~(uint64_t)MS_MGC_MSK, NULL, buf + len, n - len);
	}
}

/* QCMD(Q_GETQUOTA, USRQUOTA). */
static void
render_quotactl(uint64_t v, char *buf, size_t n)
{
	uint32_t c = (uint32_t)v;
	const char *cmd = enum_name(e_quota_cmd, c >> SUBCMDSHIFT);
	const char *type = enum_name(e_quota_type, c & SUBCMDMASK);
	char cb[16], tb[16];

	snprintf(cb, sizeof cb, "%#x", c >> SUBCMDSHIFT);
	snprintf(tb, sizeof tb, "%u", c & SUBCMDMASK);
	snprintf(buf, n, "QCMD(%s, %s)", cmd ? cmd : cb, type ? type : tb);
}

/* swapon: flags, and the priority in the low bits. */
static void
render_swapon(uint64_t v, char *buf, size_t n)
{
	uint32_t f = (uint32_t)v & ~(uint32_t)SWAP_FLAG_PRIO_MASK;
	size_t len = 0;

	buf[0] = '\0';
	if (f) {
		render_bits(x_swapon, f, NULL, buf, n);
		len = strlen(buf);
	}
	if (len < n)
		snprintf(buf + len, n - len, "%s%u", len ? "|" : "",
		    (uint32_t)v & SWAP_FLAG_PRIO_MASK);
}

/* The futex timeout argument: a pointer for the operations that wait,
 * else a number (the count of FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP). */
static void
render_futex_timeout(uint64_t op, uint64_t v, char *buf, size_t n)
{
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
		render_addr(v, buf, n);
		break;
	default:
		snprintf(buf, n, "%lld", (long long)v);
		break;
	}
}

/* The last futex argument: a bit set (FUTEX_BITSET_MATCH_ANY), FUTEX_WAKE_OP's
 * operation and comparison as strace shows them, or a number. */
static void
render_futex_val3(uint64_t op, uint64_t v, char *buf, size_t n)
{
	uint32_t x = (uint32_t)v;
	char o[32], c[32];

	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAKE_BITSET:
		if (x == FUTEX_BITSET_MATCH_ANY)
			snprintf(buf, n, "FUTEX_BITSET_MATCH_ANY");
		else
			snprintf(buf, n, "%#x", x);
		break;
	case FUTEX_WAKE_OP:
		render_enum(e_futex_wake_op, (x >> 28) & 7, o, sizeof o);
		render_enum(e_futex_wake_cmp, (x >> 24) & 0xf, c, sizeof c);
		snprintf(buf, n, "%s%s<<28|%#x<<12|%s<<24|%#x",
		    x >> 28 & FUTEX_OP_OPARG_SHIFT ? "FUTEX_OP_OPARG_SHIFT<<28|" : "", o,
		    (x >> 12) & 0xfff, c, x & 0xfff);
		break;
	default:
		snprintf(buf, n, "%lld", (long long)v);
		break;
	}
}

/* si_code, by the signal: CLD_EXITED, SEGV_MAPERR, SI_USER. */
static void
render_si_code(uint64_t sig, uint64_t v, char *buf, size_t n)
{
	const struct xname *t = NULL;
	const char *s;
	int code = (int)v;

	if (code > 0 && code < SI_KERNEL)
		switch ((int)sig) {
		case SIGCHLD: t = e_cld_code; break;
		case SIGSEGV: t = e_segv_code; break;
		case SIGBUS: t = e_bus_code; break;
		case SIGILL: t = e_ill_code; break;
		case SIGFPE: t = e_fpe_code; break;
		case SIGTRAP: t = e_trap_code; break;
		case SIGIO: t = e_poll_code; break;
		case SIGSYS: t = e_sys_code; break;
		}
	if ((s = enum_name(t ? t : e_si_code, (uint64_t)(int64_t)code)) != NULL)
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, "%d", code);
}

const char *
xlat_context_arg(enum xlat_id x)
{
	switch (x) {
	case X_SOCKPROTO: return "domain";
	case X_SOCKOPT: return "level";
	case X_KEYCTL_ARG: return "cmd";
	case X_FUTEX_TIMEOUT:
	case X_FUTEX_VAL3: return "op";
	default: return NULL;
	}
}

void
xlat_render_ctx(enum xlat_id x, uint64_t ctx, uint64_t v, char *buf, size_t n)
{
	switch (x) {
	case X_SOCKPROTO: render_sockproto(ctx, v, buf, n); break;
	case X_SOCKOPT: render_sockopt(ctx, v, buf, n); break;
	case X_KEYCTL_ARG: render_keyctl_arg(ctx, v, buf, n); break;
	case X_FUTEX_TIMEOUT: render_futex_timeout(ctx, v, buf, n); break;
	case X_FUTEX_VAL3: render_futex_val3(ctx, v, buf, n); break;
	case X_SI_CODE: render_si_code(ctx, v, buf, n); break;
	default: xlat_render(x, v, buf, n); break;
	}
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
	case X_ADDR: render_addr(v, buf, n); break;
	case X_DEV:
		snprintf(buf, n, "makedev(%#x, %#x)", major(v), minor(v));
		break;
	case X_FDFLAGS: render_bits(x_open, v, NULL, buf, n); break;
	case X_EPOLL_CREATE: render_bits(x_epoll_create, v, NULL, buf, n); break;
	case X_EPOLL_CTL: render_enum(e_epoll_ctl, v, buf, n); break;
	case X_EPOLL: render_bits(x_epoll, v, NULL, buf, n); break;
	case X_EFD: render_bits(x_efd, v, NULL, buf, n); break;
	case X_TFD: render_bits(x_tfd, v, NULL, buf, n); break;
	case X_TFD_TIMER: render_bits(x_tfd_timer, v, NULL, buf, n); break;
	case X_SFD: render_bits(x_sfd, v, NULL, buf, n); break;
	case X_IN_INIT: render_bits(x_in_init, v, NULL, buf, n); break;
	case X_INOTIFY: render_bits(x_inotify, v, NULL, buf, n); break;
	case X_FAN_INIT: render_fan_init(v, buf, n); break;
	case X_FAN_MARK: render_bits(x_fan_mark, v, NULL, buf, n); break;
	case X_FAN_EVENT: render_bits(x_fan_event, v, NULL, buf, n); break;
	case X_UFFD: render_bits(x_uffd, v, NULL, buf, n); break;
	case X_PIDFD: render_bits(x_pidfd, v, NULL, buf, n); break;
	case X_PIDFD_SIGNAL: render_bits(x_pidfd_signal, v, NULL, buf, n); break;
	case X_FADV: render_enum(e_fadv, v, buf, n); break;
	case X_SYNC_FILE_RANGE: render_bits(x_sync_file_range, v, NULL, buf, n); break;
	case X_SPLICE: render_bits(x_splice, v, NULL, buf, n); break;
	case X_RESOLVE: render_bits(x_resolve, v, NULL, buf, n); break;
	case X_STATX_MASK: render_bits(x_statx_mask, v, NULL, buf, n); break;
	case X_STATX_ATTR: render_bits(x_statx_attr, v, NULL, buf, n); break;
	case X_LOCK_TYPE: render_enum(e_lock_type, v, buf, n); break;
	case X_FD_FLAGS: render_bits(x_fd_flags, v, NULL, buf, n); break;
	case X_SEALS: render_bits(x_seals, v, NULL, buf, n); break;
	case X_DNOTIFY: render_bits(x_dnotify, v, NULL, buf, n); break;
	case X_AF: render_enum(e_af, v, buf, n); break;
	case X_SOCKTYPE: render_socktype(v, buf, n); break;
	case X_SHUT: render_enum(e_shut, v, buf, n); break;
	case X_SOL: render_enum(e_sol, v, buf, n); break;
	case X_RUSAGE: render_enum(e_rusage, v, buf, n); break;
	case X_PRIO: render_enum(e_prio, v, buf, n); break;
	case X_IOPRIO_WHO: render_enum(e_ioprio_who, v, buf, n); break;
	case X_IOPRIO: render_ioprio(v, buf, n); break;
	case X_ITIMER: render_enum(e_itimer, v, buf, n); break;
	case X_SCHED:
		render_enum_flags(e_sched, ~(uint64_t)SCHED_RESET_ON_FORK, x_sched, v, buf, n);
		break;
	case X_KCMP: render_enum(e_kcmp, v, buf, n); break;
	case X_MPOL:
		render_enum_flags(e_mpol, ~(uint64_t)(MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES |
		    MPOL_F_NUMA_BALANCING), x_mpol, v, buf, n);
		break;
	case X_MPOL_GET: render_bits(x_mpol_get, v, NULL, buf, n); break;
	case X_MPOL_MF: render_bits(x_mpol_mf, v, NULL, buf, n); break;
	case X_MSYNC: render_bits(x_msync, v, NULL, buf, n); break;
	case X_MADV: render_enum(e_madv, v, buf, n); break;
	case X_FUTEX: render_futex(v, buf, n); break;
	case X_IDTYPE: render_enum(e_idtype, v, buf, n); break;
	case X_PTRACE: render_enum(e_ptrace, v, buf, n); break;
	case X_SECCOMP_OP: render_enum(e_seccomp_op, v, buf, n); break;
	case X_SECCOMP_FILTER: render_bits(x_seccomp_filter, v, NULL, buf, n); break;
	case X_PERSONALITY: render_personality(v, buf, n); break;
	case X_LANDLOCK_CREATE: render_bits(x_landlock_create, v, NULL, buf, n); break;
	case X_LANDLOCK_RULE: render_enum(e_landlock_rule, v, buf, n); break;
	case X_WSTATUS: render_wstatus(v, buf, n); break;
	case X_SIGSET: render_sigset(v, buf, n); break;
	case X_CAP: render_bits(x_cap, v, NULL, buf, n); break;
	case X_CAP_VERSION:
		if (enum_name(e_cap_version, v))
			snprintf(buf, n, "%s", enum_name(e_cap_version, v));
		else
			snprintf(buf, n, "%#llx", (unsigned long long)v);
		break;
	case X_IPC_KEY: render_ipc_key(v, buf, n); break;
	case X_IPC_GET: render_ipc_get(x_ipc_get, false, v, buf, n); break;
	case X_SHMGET: render_ipc_get(x_shmget, true, v, buf, n); break;
	case X_MSGFLG: render_bits(x_msgflg, v, NULL, buf, n); break;
	case X_SHMAT: render_bits(x_shmat, v, NULL, buf, n); break;
	case X_MSGCTL: render_ipc_ctl(e_msgctl, v, buf, n); break;
	case X_SEMCTL: render_ipc_ctl(e_semctl, v, buf, n); break;
	case X_SHMCTL: render_ipc_ctl(e_shmctl, v, buf, n); break;
	case X_KEY_SPEC: render_enum(e_key_spec, v, buf, n); break;
	case X_KEYCTL: render_enum(e_keyctl, v, buf, n); break;
	case X_SYSLOG: render_syslog(v, buf, n); break;
	case X_MOUNT: render_mount(v, buf, n); break;
	case X_UMOUNT: render_bits(x_umount, v, NULL, buf, n); break;
	case X_OPEN_TREE: render_bits(x_open_tree, v, NULL, buf, n); break;
	case X_MOVE_MOUNT: render_bits(x_move_mount, v, NULL, buf, n); break;
	case X_FSOPEN: render_bits(x_fsopen, v, NULL, buf, n); break;
	case X_FSCONFIG: render_enum(e_fsconfig, v, buf, n); break;
	case X_FSMOUNT: render_bits(x_fsmount, v, NULL, buf, n); break;
	case X_MOUNT_ATTR: render_bits(x_mount_attr, v, NULL, buf, n); break;
	case X_FSPICK: render_bits(x_fspick, v, NULL, buf, n); break;
	case X_QUOTACTL: render_quotactl(v, buf, n); break;
	case X_SWAPON: render_swapon(v, buf, n); break;
	case X_REBOOT_MAGIC: render_enum(e_reboot_magic, v, buf, n); break;
	case X_REBOOT_CMD: render_enum(e_reboot_cmd, v, buf, n); break;
	case X_KEXEC:
		render_enum_flags(e_kexec_arch, KEXEC_ARCH_MASK, x_kexec, v, buf, n);
		break;
	case X_KEXEC_FILE: render_bits(x_kexec_file, v, NULL, buf, n); break;
	case X_MODULE_INIT: render_bits(x_module_init, v, NULL, buf, n); break;
	case X_DELETE_MODULE: render_bits(x_delete_module, v, NULL, buf, n); break;
	case X_BPF: render_enum(e_bpf, v, buf, n); break;
	case X_PERF: render_bits(x_perf, v, NULL, buf, n); break;
	case X_IORING_ENTER: render_bits(x_ioring_enter, v, NULL, buf, n); break;
	case X_IORING_REGISTER: render_enum(e_ioring_register, v, buf, n); break;
	/* without the argument they depend on: the number */
	case X_SOCKPROTO:
	case X_SOCKOPT:
	case X_KEYCTL_ARG:
	case X_FUTEX_TIMEOUT:
	case X_FUTEX_VAL3:
	case X_SI_CODE:
		snprintf(buf, n, "%lld", (long long)v);
		break;
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

/* systable.h: the one syscall table (syscalls.def) as data.
 *
 * Every intercepted syscall is one row: name, class, result kind, and its
 * arguments with their kinds.  The filter, capture at entry and exit, the
 * JSON form, replay matching and injection, and the strace-like rendering
 * are all driven by these rows.  Owner: src/sys/systable.c.
 */
#ifndef DIOS_SYSTABLE_H
#define DIOS_SYSTABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sc_class {
	CLS_FILE, CLS_FD, CLS_CLOCK, CLS_RANDOM, CLS_ID, CLS_NET, CLS_PROC,
	CLS_SIGNAL, CLS_MEM, CLS_IPC, CLS_SYSTEM, CLS__N
};

/* What the result means. */
enum ret_kind {
	R_INT,		/* 0 or -errno, or a number */
	R_FD,		/* a new descriptor */
	R_SIZE,		/* a byte count */
	R_OFF,		/* a file offset */
	R_ADDR,		/* an address (mmap) */
	R_NONE,		/* does not return (exec on success) */
};

/* Argument kinds.  "in" arguments are captured at entry and compared in
 * replay; "out" arguments are captured at exit and written back in replay. */
enum arg_kind {
	A_INT,		/* signed 64-bit integer (off_t, long), compared */
	A_INT32,	/* C int (pid, uid, timeout...): its low 32 bits, signed, compared
			   (a constant named by .xlat when set) */
	A_UINT,		/* unsigned integer / size, compared */
	A_FD,		/* descriptor (int), compared, rendered with its path */
	A_FLAGS,	/* bit flags, compared, rendered with xlat */
	A_MODE,		/* file mode, compared, rendered in octal */
	A_PTR,		/* address: rendered, not compared */
	A_PATH,		/* NUL-terminated string in */
	A_IN,		/* bytes in; length from argument .len */
	A_OUT,		/* bytes out; capacity from argument .len, filled up to the result */
	A_IN_STRUCT,	/* struct in (nullable) of type .st */
	A_OUT_STRUCT,	/* struct out (nullable) of type .st, written when the call succeeds
			   (or, in a row flagged SC_OUT_INTR, is interrupted) */
	A_INOUT_STRUCT,	/* both */
	A_IOV_IN,	/* iovec array in; count from argument .len */
	A_IOV_OUT,	/* iovec array out; count from argument .len, filled up to the result */
	A_CUSTOM,	/* handled by the row's family handler */
};

/* Names of constants (src/sys/xlat.c): bit sets, enumerations, and values
 * that are both (a socket's type and its flags).  A few depend on another
 * argument of the call (xlat_context_arg). */
enum xlat_id { X_NONE, X_OPEN, X_AT, X_ACCESS, X_SEEK, X_CLOCK, X_PROT,
	X_MAP, X_FCNTL, X_IOCTL, X_RENAME, X_GRND, X_FLOCK, X_FALLOC, X_RLIMIT,
	X_CLOSE_RANGE, X_TIMER, X_RWF, X_STATX_MASK, X_CLONE, X_WAIT, X_SIGNAL, X_MSG, X_SOCK,
	X_POLL, X_PRCTL, X_XATTR, X_MFD,
	/* addresses and devices */
	X_ADDR, X_DEV,
	/* descriptors: epoll, eventfd, timerfd, signalfd, inotify, fanotify, pidfd */
	X_FDFLAGS, X_EPOLL_CREATE, X_EPOLL_CTL, X_EPOLL, X_EFD, X_TFD, X_TFD_TIMER, X_SFD,
	X_IN_INIT, X_INOTIFY, X_FAN_INIT, X_FAN_MARK, X_FAN_EVENT, X_UFFD, X_PIDFD,
	X_PIDFD_SIGNAL,
	/* files */
	X_FADV, X_SYNC_FILE_RANGE, X_SPLICE, X_RESOLVE, X_STATX_ATTR, X_LOCK_TYPE, X_FD_FLAGS, X_SEALS, X_DNOTIFY,
	/* sockets */
	X_AF, X_SOCKTYPE, X_SOCKPROTO, X_SHUT, X_SOL, X_SOCKOPT,
	/* processes, scheduling, memory */
	X_RUSAGE, X_PRIO, X_IOPRIO_WHO, X_IOPRIO, X_ITIMER, X_SCHED, X_KCMP, X_MPOL,
	X_MPOL_GET, X_MPOL_MF, X_MSYNC, X_MADV, X_FUTEX, X_IDTYPE, X_PTRACE,
	X_SECCOMP_OP, X_SECCOMP_FILTER, X_PERSONALITY, X_LANDLOCK_CREATE, X_LANDLOCK_RULE,
	X_FUTEX_TIMEOUT, X_FUTEX_VAL3, X_WSTATUS, X_SIGSET, X_SI_CODE, X_CAP, X_CAP_VERSION,
	/* System V IPC and keys */
	X_IPC_KEY, X_IPC_GET, X_SHMGET, X_MSGFLG, X_SHMAT, X_MSGCTL, X_SEMCTL, X_SHMCTL,
	X_KEY_SPEC, X_KEYCTL, X_KEYCTL_ARG,
	/* the system */
	X_SYSLOG, X_MOUNT, X_UMOUNT, X_OPEN_TREE, X_MOVE_MOUNT, X_FSOPEN, X_FSCONFIG,
	X_FSMOUNT, X_MOUNT_ATTR, X_FSPICK, X_QUOTACTL, X_SWAPON, X_REBOOT_MAGIC,
	X_REBOOT_CMD, X_KEXEC, X_KEXEC_FILE, X_MODULE_INIT, X_DELETE_MODULE, X_BPF, X_PERF,
	X_IORING_ENTER, X_IORING_REGISTER,
	X__N };

struct st_desc;
struct sc_family;

struct arg_desc {
	const char *name;	/* JSON key and rendering label */
	enum arg_kind kind;
	int len;		/* index of the length / count argument, or -1 */
	enum xlat_id xlat;	/* for A_FLAGS / A_INT32 constants */
	const struct st_desc *st; /* for struct kinds */
};

/* Row flags. */
#define SC_NEWFD	0x01	/* success returns a new descriptor (replay: placeholder) */
#define SC_RUN_REAL	0x02	/* replay runs the call for real too (descriptor table mirror) */
#define SC_SLEEP	0x04	/* sleeps: replay does not, unless --realtime */
#define SC_UNSUPPORTED	0x08	/* processes/threads: not supported yet */
#define SC_EXEC		0x10	/* execve, execveat */
#define SC_MAP		0x20	/* mmap of a file */
#define SC_CLONE	0x40	/* fork, vfork, clone: replay runs it; the result is the recorded id */
#define SC_RUN_KEEP	0x80	/* replay runs it for real, but the program gets the recorded result */
#define SC_WAIT		0x100	/* wait4, waitid: replay reaps the recorded child for real */
#define SC_KILL		0x200	/* kill, tgkill, tkill: never run in replay; dios sends SIGKILL to the tree's tasks named */
#define SC_SIGWAIT	0x400	/* rt_sigsuspend, pause...: replay runs it; due signals are sent into it */
#define SC_SERIAL	0x4000	/* futex: traced only in the one-at-a-time schedule (kernel.h) */
/* Calls replay cannot stand in for: recorded, and refused by replay (a
 * one-line message naming the call and why, sc_replay_refusal) unless they
 * failed when recording (a failed call changed nothing). */
#define SC_SYSTEM	0x800	/* changes the system itself: mounts, kernel code, swap, reboot, I/O ports */
#define SC_OPAQUE	0x1000	/* the kernel works on memory dios does not record (shared rings,
				   other processes, kernel objects), or the call is obsolete */
/* The row of the numbers no header names (syscall(-1), syscall(9999)):
 * dios never runs them; the program gets ENOSYS, in record and replay. */
#define SC_ENOSYS	0x2000
#define SC_ORDERED	0x10000	/* writes to an object other tasks may write to: record keeps
				   them one at a time per object, in the order they took effect */
#define SC_OUT_INTR	0x8000	/* interrupted by a signal (EINTR, ERESTART*), it still writes its
				   struct outputs: nanosleep's time left, select's timeout */

struct sc_desc {
	const char *name;
	int nr;
	enum sc_class cls;
	enum ret_kind ret;
	unsigned flags;
	const struct sc_family *fam;	/* NULL for plain rows */
	int nargs;
	struct arg_desc args[6];
};

/* The rows, in syscalls.def order, and their count. */
extern const struct sc_desc sc_table[];
extern const size_t sc_count;

/* The row for syscall number nr; for a number <sys/syscall.h> does not
 * name, the "nosys" row (SC_ENOSYS); NULL for a named call without a row
 * (those the filter lets run natively, or refuses). */
const struct sc_desc *sc_by_nr(long nr);
/* The row named name ("nosys" included), or NULL. */
const struct sc_desc *sc_by_name(const char *name);
/* The index of the argument bounding sc's first buffer (read's and write's
 * count: what a short read or write lowers), or -1. */
int sc_len_arg(const struct sc_desc *sc);
/* The calls <sys/syscall.h> names, as the build found them (sysnames.inc):
 * *n is their count. */
struct sc_hdr_call { const char *name; int nr; };
const struct sc_hdr_call *sc_header_calls(size_t *n);
/* Name of a class ("file", "fd", ...). */
const char *sc_class_name(enum sc_class c);
/* Name of syscall nr for messages: the table's, libseccomp's, or "syscall_N"
 * (in buf, which holds 32 bytes). */
const char *sc_any_name(long nr, char buf[32]);

/* Struct types, see structs.c. */
enum st_field_kind { F_INT, F_UINT, F_STR, F_BYTES };
/* A field: rendered by the names of xlat (X_NONE: a number), or as a file
 * mode when mode ("S_IFREG|0644"). */
struct st_field {
	const char *name;
	enum st_field_kind kind;
	size_t off, size;
	enum xlat_id xlat;
	bool mode;
};
struct st_desc {
	const char *name;
	size_t size;
	int nfields;		/* 0: stored as bytes */
	const struct st_field *fields;
};

#endif

#!/bin/sh
# render.sh: dios-trace cat shows arguments as strace does: constants and
# flags by name (socket domains and types, socket options by level, epoll,
# inotify and fanotify masks, System V IPC flags and commands, futex
# operations, mount flags...), and the structures strace decodes (wait4's
# status, capabilities, signal sets, siginfo).
#
# A trace made by hand, one event per case, is rendered and each line
# compared with the text expected.  Where strace, a C compiler and tracing
# are there, a small program making such calls is also run under strace
# and recorded by dios, and the calls compared (their results and strace's
# shortened argument lists aside).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

DIOS_TRACE=$top_builddir/dios-trace
require_built "$DIOS_TRACE"
[ -n "$ZSTD" ] || skip_all "zstd is not installed (needed to write traces)"
command -v base64 >/dev/null 2>&1 || skip_all "base64 is not installed (needed to write traces)"
tmpdir

# c EVENT TEXT: a case, EVENT the JSON of the event after its seq and tid,
# TEXT the line dios-trace cat shows for it after those.
: >"$T/events"
: >"$T/want"
c()
{
	printf '%s\n' "$1" >>"$T/events"
	printf '%s\n' "$2" >>"$T/want"
}

# The bytes of structures kept as bytes: a struct rusage of zeros, a
# siginfo_t of a child that exited with 3, a signal set of SIGINT and SIGTERM.
RUSAGE=$(head -c 144 /dev/zero | base64 | tr -d '\n')
SIGINFO=$({ printf '\021\0\0\0\0\0\0\0\001\0\0\0\0\0\0\0\052\0\0\0\350\003\0\0\003\0\0\0'
	head -c 100 /dev/zero; } | base64 | tr -d '\n')
SIGSET=$(printf '\002\100\0\0\0\0\0\0' | base64 | tr -d '\n')

## sockets
c '"sys":"socket","args":{"domain":2,"type":524289,"protocol":0},"ret":3' \
  'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3<socket>'
c '"sys":"socket","args":{"domain":10,"type":2050,"protocol":17},"ret":4' \
  'socket(AF_INET6, SOCK_DGRAM|SOCK_NONBLOCK, IPPROTO_UDP) = 4<socket>'
c '"sys":"socket","args":{"domain":1,"type":5,"protocol":0},"err":"EMFILE"' \
  'socket(AF_UNIX, SOCK_SEQPACKET, 0) = -1 EMFILE (Too many open files)'
c '"sys":"socket","args":{"domain":16,"type":3,"protocol":15},"err":"EPERM"' \
  'socket(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT) = -1 EPERM (Operation not permitted)'
c '"sys":"socket","args":{"domain":17,"type":3,"protocol":768},"err":"EPERM"' \
  'socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = -1 EPERM (Operation not permitted)'
c '"sys":"socket","args":{"domain":99,"type":524365,"protocol":5},"err":"EINVAL"' \
  'socket(99, SOCK_CLOEXEC|0x4d, 5) = -1 EINVAL (Invalid argument)'
c '"sys":"socketpair","args":{"domain":1,"type":1,"protocol":0},"ret":0,"out":{"fds":{"fd0":5,"fd1":6}}' \
  'socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0'
c '"sys":"shutdown","args":{"fd":3,"how":2},"err":"ENOTCONN"' \
  'shutdown(3<socket>, SHUT_RDWR) = -1 ENOTCONN (Transport endpoint is not connected)'
c '"sys":"shutdown","args":{"fd":3,"how":1},"err":"ENOTCONN"' \
  'shutdown(3<socket>, SHUT_WR) = -1 ENOTCONN (Transport endpoint is not connected)'
c '"sys":"setsockopt","args":{"fd":3,"level":1,"optname":2,"optval":{"text":"\u0001\u0000\u0000\u0000"},"optlen":4},"ret":0' \
  'setsockopt(3<socket>, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0'
c '"sys":"setsockopt","args":{"fd":3,"level":6,"optname":1,"optval":{"text":"\u0001\u0000\u0000\u0000"},"optlen":4},"ret":0' \
  'setsockopt(3<socket>, SOL_TCP, TCP_NODELAY, [1], 4) = 0'
c '"sys":"setsockopt","args":{"fd":3,"level":0,"optname":2,"optval":{"text":"@\u0000\u0000\u0000"},"optlen":4},"ret":0' \
  'setsockopt(3<socket>, SOL_IP, IP_TTL, [64], 4) = 0'
c '"sys":"getsockopt","args":{"fd":4,"level":41,"optname":26,"optlen":{"value":4}},"ret":0,"out":{"optlen":{"value":4},"optval":{"text":"\u0001\u0000\u0000\u0000"}}' \
  'getsockopt(4<socket>, SOL_IPV6, IPV6_V6ONLY, [1], [4]) = 0'

## descriptors
# structures' fields by name: a file mode, a device, openat2's flags and
# resolve, statx's mask, struct flock's type and whence
c '"sys":"newfstatat","args":{"dirfd":3,"path":"","flags":4096},"ret":0,"out":{"statbuf":{"dev":65024,"ino":794,"nlink":1,"mode":33188,"uid":0,"gid":0,"rdev":0,"size":41727,"blksize":4096,"blocks":88,"atime_sec":1,"atime_nsec":2,"mtime_sec":3,"mtime_nsec":4,"ctime_sec":5,"ctime_nsec":6}}' \
  'newfstatat(3<socket>, "", {dev=makedev(0xfe, 0), ino=794, nlink=1, mode=S_IFREG|0644, uid=0, gid=0, rdev=makedev(0, 0), size=41727, blksize=4096, blocks=88, atime_sec=1, atime_nsec=2, mtime_sec=3, mtime_nsec=4, ctime_sec=5, ctime_nsec=6}, AT_EMPTY_PATH) = 0'
c '"sys":"openat2","args":{"dirfd":-100,"path":"g","how":{"flags":524353,"mode":384,"resolve":12},"size":24},"ret":5' \
  'openat2(AT_FDCWD, "g", {flags=O_WRONLY|O_CREAT|O_CLOEXEC, mode=0600, resolve=RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH}, 24) = 5<g>'
c '"sys":"statx","args":{"dirfd":-100,"path":"sx","flags":256,"mask":4095},"ret":0,"out":{"statxbuf":{"mask":8191,"mode":16877,"attributes":16}}' \
  'statx(AT_FDCWD, "sx", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS|STATX_BTIME, {mask=STATX_BASIC_STATS|STATX_BTIME|STATX_MNT_ID, mode=S_IFDIR|0755, attributes=STATX_ATTR_IMMUTABLE}) = 0'
c '"sys":"fcntl","args":{"fd":3,"cmd":6,"arg":{"type":1,"whence":1,"start":0,"len":5,"pid":0}},"ret":0' \
  'fcntl(3<socket>, F_SETLK, {type=F_WRLCK, whence=SEEK_CUR, start=0, len=5, pid=0}) = 0'
# fcntl's int argument by command
c '"sys":"fcntl","args":{"fd":3,"cmd":2,"arg":1},"ret":0' \
  'fcntl(3<socket>, F_SETFD, FD_CLOEXEC) = 0'
c '"sys":"fcntl","args":{"fd":3,"cmd":4,"arg":2050},"ret":0' \
  'fcntl(3<socket>, F_SETFL, O_RDWR|O_NONBLOCK) = 0'
c '"sys":"fcntl","args":{"fd":3,"cmd":1033,"arg":6},"ret":0' \
  'fcntl(3<socket>, F_ADD_SEALS, F_SEAL_SHRINK|F_SEAL_GROW) = 0'
c '"sys":"epoll_create1","args":{"flags":524288},"ret":7' \
  'epoll_create1(EPOLL_CLOEXEC) = 7'
c '"sys":"epoll_ctl","args":{"epfd":7,"op":1,"fd":3,"event":{"events":2147483649,"data":3}},"ret":0' \
  'epoll_ctl(7, EPOLL_CTL_ADD, 3<socket>, {events=EPOLLIN|EPOLLET, data={u32=3, u64=3}}) = 0'
c '"sys":"epoll_ctl","args":{"epfd":7,"op":2,"fd":3,"event":null},"ret":0' \
  'epoll_ctl(7, EPOLL_CTL_DEL, 3<socket>, NULL) = 0'
c '"sys":"pipe2","args":{"flags":524288},"ret":0,"out":{"fds":{"fd0":8,"fd1":9}}' \
  'pipe2([8, 9], O_CLOEXEC) = 0'
c '"sys":"eventfd2","args":{"initval":0,"flags":526337},"ret":10' \
  'eventfd2(0, EFD_SEMAPHORE|EFD_CLOEXEC|EFD_NONBLOCK) = 10'
c '"sys":"timerfd_create","args":{"clockid":7,"flags":526336},"ret":11' \
  'timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC|TFD_NONBLOCK) = 11'
c '"sys":"signalfd4","args":{"fd":-1,"mask":{"b64":"'"$SIGSET"'"},"sizemask":8,"flags":524288},"ret":12' \
  'signalfd4(-1, [INT TERM], 8, SFD_CLOEXEC) = 12'
c '"sys":"inotify_init1","args":{"flags":524288},"ret":13' \
  'inotify_init1(IN_CLOEXEC) = 13'
c '"sys":"inotify_add_watch","args":{"fd":13,"path":"/tmp","mask":770},"ret":1' \
  'inotify_add_watch(13, "/tmp", IN_MODIFY|IN_CREATE|IN_DELETE) = 1'
c '"sys":"fanotify_init","args":{"flags":1,"event_f_flags":0},"err":"EPERM"' \
  'fanotify_init(FAN_CLASS_NOTIF|FAN_CLOEXEC, O_RDONLY) = -1 EPERM (Operation not permitted)'
c '"sys":"fanotify_mark","args":{"fanotify_fd":-1,"flags":9,"mask":134217768,"dirfd":-100,"path":"/tmp"},"err":"EBADF"' \
  'fanotify_mark(-1, FAN_MARK_ADD|FAN_MARK_ONLYDIR, FAN_CLOSE_WRITE|FAN_OPEN|FAN_EVENT_ON_CHILD, AT_FDCWD, "/tmp") = -1 EBADF (Bad file descriptor)'
c '"sys":"poll","args":{"fds":[{"fd":0,"events":3},{"fd":1,"events":4}],"nfds":2,"timeout":0},"ret":0,"out":{"revents":[0,0]}' \
  'poll([{fd=0, events=POLLIN|POLLPRI}, {fd=1, events=POLLOUT}], 2, 0) = 0'
c '"sys":"fadvise64","args":{"fd":0,"offset":0,"len":0,"advice":2},"ret":0' \
  'fadvise64(0, 0, 0, POSIX_FADV_SEQUENTIAL) = 0'
c '"sys":"sync_file_range","args":{"fd":0,"offset":0,"nbytes":0,"flags":3},"err":"ESPIPE"' \
  'sync_file_range(0, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE) = -1 ESPIPE (Illegal seek)'
c '"sys":"splice","args":{"fd_in":0,"off_in":null,"fd_out":1,"off_out":null,"len":10,"flags":5},"err":"EINVAL"' \
  'splice(0, NULL, 1, NULL, 10, SPLICE_F_MOVE|SPLICE_F_MORE) = -1 EINVAL (Invalid argument)'
c '"sys":"mknodat","args":{"dirfd":-100,"path":"/tmp/c","mode":8576,"dev":259},"err":"EPERM"' \
  'mknodat(AT_FDCWD, "/tmp/c", S_IFCHR|0600, makedev(0x1, 0x3)) = -1 EPERM (Operation not permitted)'

## System V IPC
c '"sys":"shmget","args":{"key":0,"size":4096,"shmflg":1920},"ret":7,"segment":{"size":4096,"made":true}' \
  'shmget(IPC_PRIVATE, 4096, IPC_CREAT|IPC_EXCL|0600) = 7'
c '"sys":"shmget","args":{"key":1234,"size":4096,"shmflg":0},"err":"ENOENT"' \
  'shmget(0x4d2, 4096, 000) = -1 ENOENT (No such file or directory)'
c '"sys":"shmat","args":{"shmid":7,"shmaddr":0,"shmflg":4096},"ret":140737353871360' \
  'shmat(7, NULL, SHM_RDONLY) = 0x7ffff7fbf000'
c '"sys":"shmdt","args":{"shmaddr":140737353871360},"ret":0' \
  'shmdt(0x7ffff7fbf000) = 0'
c '"sys":"shmctl","args":{"shmid":7,"cmd":11},"ret":0' \
  'shmctl(7, SHM_LOCK, ...) = 0'
c '"sys":"shmctl","args":{"shmid":7,"cmd":0},"ret":0' \
  'shmctl(7, IPC_RMID, ...) = 0'
c '"sys":"shmctl","args":{"shmid":7,"cmd":258},"err":"EINVAL"' \
  'shmctl(7, IPC_64|IPC_STAT, ...) = -1 EINVAL (Invalid argument)'
c '"sys":"msgget","args":{"key":0,"msgflg":896},"ret":8' \
  'msgget(IPC_PRIVATE, IPC_CREAT|0600) = 8'
c '"sys":"msgctl","args":{"msqid":8,"cmd":0},"ret":0' \
  'msgctl(8, IPC_RMID, ...) = 0'
c '"sys":"semget","args":{"key":5,"nsems":1,"semflg":1956},"ret":9' \
  'semget(0x5, 1, IPC_CREAT|IPC_EXCL|0644) = 9'
c '"sys":"semctl","args":{"semid":9,"semnum":0,"cmd":12},"ret":0' \
  'semctl(9, 0, GETVAL, ...) = 0'

## memory
c '"sys":"msync","args":{"addr":140737353871360,"length":4096,"flags":4},"ret":0' \
  'msync(0x7ffff7fbf000, 4096, MS_SYNC) = 0'
c '"sys":"msync","args":{"addr":140737353871360,"length":4096,"flags":3},"ret":0' \
  'msync(0x7ffff7fbf000, 4096, MS_ASYNC|MS_INVALIDATE) = 0'
c '"sys":"mbind","args":{"addr":140737353871360,"len":4096,"mode":32770,"maxnode":0,"flags":1,"nodemask":null},"err":"EINVAL"' \
  'mbind(0x7ffff7fbf000, 4096, MPOL_BIND|MPOL_F_STATIC_NODES, NULL, 0, MPOL_MF_STRICT) = -1 EINVAL (Invalid argument)'
c '"sys":"set_mempolicy","args":{"mode":0,"maxnode":0,"nodemask":null},"ret":0' \
  'set_mempolicy(MPOL_DEFAULT, NULL, 0) = 0'

## processes
c '"sys":"futex","args":{"uaddr":140737488348588,"op":129,"val":1,"timeout":0,"uaddr2":0,"val3":0},"ret":0' \
  'futex(0x7fffffffe5ac, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0) = 0'
c '"sys":"futex","args":{"uaddr":140737488348588,"op":393,"val":1,"timeout":0,"uaddr2":0,"val3":-1},"err":"EAGAIN"' \
  'futex(0x7fffffffe5ac, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 1, NULL, NULL, FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)'
c '"sys":"futex","args":{"uaddr":140737488348588,"op":133,"val":1,"timeout":0,"uaddr2":140737488348588,"val3":335548417},"ret":0' \
  'futex(0x7fffffffe5ac, FUTEX_WAKE_OP_PRIVATE, 1, 0, 0x7fffffffe5ac, FUTEX_OP_ADD<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0x1) = 0'
c '"sys":"wait4","args":{"pid":-1,"options":0},"ret":42,"out":{"wstatus":{"value":768}}' \
  'wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, ...) = 42'
c '"sys":"wait4","args":{"pid":-1,"options":1},"ret":43,"out":{"wstatus":{"value":139},"rusage":{"b64":"'"$RUSAGE"'"}}' \
  'wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], WNOHANG, {ru_utime={tv_sec=0, tv_usec=0}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 43'
c '"sys":"waitid","args":{"idtype":1,"id":42,"options":4},"ret":0,"out":{"infop":{"b64":"'"$SIGINFO"'"}}' \
  'waitid(P_PID, 42, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, si_uid=1000, si_status=3, si_utime=0, si_stime=0}, WEXITED, ...) = 0'
c '"sys":"capset","args":{"hdr":{"version":537396514,"pid":0},"data":[{"effective":33,"permitted":2097185,"inheritable":0},{"effective":0,"permitted":4,"inheritable":0}]},"ret":0' \
  'capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=1<<CAP_CHOWN|1<<CAP_KILL, permitted=1<<CAP_CHOWN|1<<CAP_KILL|1<<CAP_SYS_ADMIN|1<<CAP_SYSLOG, inheritable=0}) = 0'
c '"sys":"getrusage","args":{"who":-1},"ret":0,"out":{"usage":{"b64":"'"$RUSAGE"'"}}' \
  'getrusage(RUSAGE_CHILDREN, {ru_utime={tv_sec=0, tv_usec=0}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 0'
c '"sys":"getpriority","args":{"which":0,"who":0},"ret":20' \
  'getpriority(PRIO_PROCESS, 0) = 20'
c '"sys":"getitimer","args":{"which":2},"err":"EFAULT"' \
  'getitimer(ITIMER_PROF, ...) = -1 EFAULT (Bad address)'
c '"sys":"timer_create","args":{"clockid":1,"sevp":null},"ret":0,"out":{"timerid":{"value":0}}' \
  'timer_create(CLOCK_MONOTONIC, NULL, [0]) = 0'
c '"sys":"sched_setscheduler","args":{"pid":0,"policy":1073741827,"param":{"value":0}},"ret":0' \
  'sched_setscheduler(0, SCHED_BATCH|SCHED_RESET_ON_FORK, [0]) = 0'
c '"sys":"sched_get_priority_max","args":{"policy":1},"ret":99' \
  'sched_get_priority_max(SCHED_FIFO) = 99'
c '"sys":"kcmp","args":{"pid1":1,"pid2":2,"type":0,"idx1":3,"idx2":4},"ret":0' \
  'kcmp(1, 2, KCMP_FILE, 3, 4) = 0'
c '"sys":"ptrace","args":{"request":16,"pid":123,"addr":0,"data":0},"err":"EPERM"' \
  'ptrace(PTRACE_ATTACH, 123, NULL, NULL) = -1 EPERM (Operation not permitted)'
c '"sys":"pidfd_open","args":{"pid":5,"flags":2048},"err":"ESRCH"' \
  'pidfd_open(5, PIDFD_NONBLOCK) = -1 ESRCH (No such process)'
c '"sys":"personality","args":{"persona":4294967295},"ret":0' \
  'personality(0xffffffff) = 0'
c '"sys":"keyctl","args":{"cmd":0,"arg2":4294967293,"arg3":0,"arg4":0,"arg5":0},"ret":99' \
  'keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0) = 99'

## the system
c '"sys":"mount","args":{"source":"none","target":"/mnt","fstype":"tmpfs","flags":7,"data":0},"err":"EPERM"' \
  'mount("none", "/mnt", "tmpfs", MS_RDONLY|MS_NOSUID|MS_NODEV, NULL) = -1 EPERM (Operation not permitted)'
c '"sys":"mount","args":{"source":"/a","target":"/mnt","fstype":null,"flags":20480,"data":0},"err":"EPERM"' \
  'mount("/a", "/mnt", NULL, MS_BIND|MS_REC, NULL) = -1 EPERM (Operation not permitted)'
c '"sys":"mount","args":{"source":null,"target":"/mnt","fstype":null,"flags":3236757512,"data":0},"err":"EPERM"' \
  'mount(NULL, "/mnt", NULL, MS_MGC_VAL|MS_NOEXEC, NULL) = -1 EPERM (Operation not permitted)'
c '"sys":"umount2","args":{"target":"/mnt","flags":2},"err":"EPERM"' \
  'umount2("/mnt", MNT_DETACH) = -1 EPERM (Operation not permitted)'
c '"sys":"quotactl","args":{"cmd":2147485440,"special":"/dev/sda","id":0,"addr":0},"err":"EPERM"' \
  'quotactl(QCMD(Q_GETQUOTA, USRQUOTA), "/dev/sda", 0, NULL) = -1 EPERM (Operation not permitted)'
c '"sys":"syslog","args":{"type":10,"len":0},"ret":131072' \
  'syslog(10 /* SYSLOG_ACTION_SIZE_BUFFER */, ..., 0) = 131072'

# The trace: a header, the events of one task, its end.
n=$(wc -l <"$T/events" | tr -d ' ')
{
	printf '%s\n' '{"format":"dios-trace","version":1,"argv":["render"],"pid":100}'
	awk '{ printf "{\"seq\":%d,\"tid\":100,%s}\n", NR - 1, $0 }' "$T/events"
	printf '{"seq":%d,"tid":100,"event":"exit","exit":0}\n' "$n"
} | "$ZSTD" -q -o "$T/t.json.zst" || bail_out "cannot write the trace"

run cat "$DIOS_TRACE" cat "$T/t.json.zst"
is "$st" 0 "cat: exit status 0"
is "$(grep -c . "$T/cat.o")" "$((n + 1))" "cat: one line per event"
i=0
while IFS= read -r want; do
	i=$((i + 1))
	is "$(sed -n "${i}p" "$T/cat.o")" "$((i - 1)) 100 $want" "cat: ${want%%(*}: ${want%% = *}"
done <"$T/want"

## The same calls under strace and under dios.
SRC=$T/calls.c
cat >"$SRC" <<'EOF'
/* Calls with constant arguments; the descriptors at fixed numbers. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

int
main(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 7 };
	int one = 1, id;

	dup2(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 100);
	socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
	setsockopt(100, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(100, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	shutdown(100, SHUT_RDWR);
	dup2(epoll_create1(EPOLL_CLOEXEC), 101);
	epoll_ctl(101, EPOLL_CTL_ADD, 100, &ev);
	epoll_ctl(101, EPOLL_CTL_DEL, 100, NULL);
	posix_fadvise(101, 0, 0, POSIX_FADV_SEQUENTIAL);
	getpriority(PRIO_PROCESS, 0);
	timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	dup2(inotify_init1(IN_CLOEXEC), 102);
	inotify_add_watch(102, "/", IN_MODIFY | IN_CREATE | IN_DELETE);
	if ((id = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) >= 0)
		msgctl(id, IPC_RMID, NULL);
	if ((id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | IPC_EXCL | 0600)) >= 0)
		shmctl(id, IPC_RMID, NULL);
	mount("none", "/nonexistent/dios", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
	umount2("/nonexistent/dios", MNT_DETACH);
	sched_get_priority_max(SCHED_FIFO);
	return 0;
}
EOF
CALLS='socket|setsockopt|shutdown|epoll_create1|epoll_ctl|fadvise64|getpriority|timerfd_create|inotify_init1|inotify_add_watch|msgget|shmget|mount|umount2|sched_get_priority_max'
# calls FILE: the compared calls of FILE, without their results.
calls()
{
	grep -E "^($CALLS)\(" "$1" | sed 's/) *= .*$/)/'
}

why=
[ -n "${CC:-}" ] || CC=cc
if [ -z "$STRACE" ]; then
	why="strace is not installed"
elif ! command -v "$CC" >/dev/null 2>&1 || ! "$CC" -o "$T/calls" "$SRC" 2>"$T/cc.err"; then
	diag_file "$T/cc.err"
	why="no C compiler ($CC) to build the program"
elif ! run_to 60 "$STRACE" -o "$T/strace.txt" "$T/calls" </dev/null >/dev/null 2>"$T/strace.err"; then
	diag_file "$T/strace.err"
	why="strace cannot trace here"
elif ! (cd "$T" && run_to 60 "$DIOS_RECORD" -q -o "$T/calls.json.zst" -- "$T/calls") \
    </dev/null >/dev/null 2>"$T/rec.err"; then
	diag_file "$T/rec.err"
	why="dios-record cannot trace here"
fi
if [ -n "$why" ]; then
	skip "strace: the calls of a program read the same" "$why"
else
	calls "$T/strace.txt" >"$T/strace.calls"
	# dios-trace cat's lines are "seq tid call"; descriptors carry their path.
	run catp "$DIOS_TRACE" cat "$T/calls.json.zst"
	sed 's/^[0-9]* [0-9]* //; s/\([0-9]\)<[^>]*>/\1/g' "$T/catp.o" >"$T/dios.txt"
	calls "$T/dios.txt" >"$T/dios.calls"
	is "$(wc -l <"$T/strace.calls" | tr -d ' ')" 19 "strace: the program made the calls compared"
	same_file "$T/dios.calls" "$T/strace.calls" "strace: the calls of a program read the same"
fi

done_testing

/* outputs: calls whose outputs the kernel writes behind a pointer in
 * less common ways, each printed so that a replay that does not write them
 * back shows as a difference in stdout.
 *	outputs sleep	nanosleep, clock_nanosleep, select, pselect6 and
 *			ppoll interrupted by SIGALRM: the time left (exits 11)
 *	outputs ifconf	SIOCGIFCONF and the SIOCGIF* requests on each
 *			interface, if_nametoindex, if_indextoname (exits 12)
 *	outputs pty	posix_openpt, TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER and
 *			openpty; bytes both ways through each pair; TIOCGEXCL,
 *			an _IOR request dios decodes by its number (exits 13)
 *	outputs getlk	F_GETLK and F_OFD_GETLK against a lock held by a
 *			child; F_GETOWN_EX (exits 14)
 * (DIR is where getlk makes its file.)
 */
#include "progs.h"
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <termios.h>
#include <time.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef TIOCGEXCL
#define TIOCGEXCL _IOR('T', 0x40, int)
#endif

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void
show_ts(const char *what, const struct timespec *ts)
{
	printf("  %s: %lld.%09ld\n", what, (long long)ts->tv_sec, ts->tv_nsec);
}

/* A SIGALRM in ms milliseconds. */
static void
alarm_in(long ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	NEED(setitimer(ITIMER_REAL, &it, NULL));
}

static int
do_sleep(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct timespec req, rem;
	struct timeval tv;
	fd_set rfds;
	struct pollfd pfd;
	int p[2], e;

	NEED(sigaction(SIGALRM, &sa, NULL));
	NEED(pipe(p));

	/* alarm(1) into a 3 s nanosleep: about 2 s left */
	alarm(1);
	req = (struct timespec){ 3, 0 };
	rem = (struct timespec){ -1, -1 };
	R("nanosleep 3s (alarm 1s)", nanosleep(&req, &rem));
	show_ts("rem", &rem);
	printf("  alarms: %d\n", (int)alarms);

	alarm_in(100);
	req = (struct timespec){ 2, 0 };
	rem = (struct timespec){ -1, -1 };
	e = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	printf("clock_nanosleep MONOTONIC 2s (timer 100ms) = %s\n", e ? ename(e) : "0");
	show_ts("rem", &rem);

	alarm_in(100);
	req = (struct timespec){ 2, 0 };
	rem = (struct timespec){ -1, -1 };
	R("nanosleep raw 2s (timer 100ms)", syscall(SYS_nanosleep, &req, &rem));
	show_ts("rem", &rem);

	/* select and pselect6 write the time left even when interrupted */
	alarm_in(100);
	FD_ZERO(&rfds);
	FD_SET(p[0], &rfds);
	tv = (struct timeval){ 2, 0 };
	R("select pipe 2s (timer 100ms)", select(p[0] + 1, &rfds, NULL, NULL, &tv));
	printf("  timeout left: %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);

	alarm_in(100);
	FD_ZERO(&rfds);
	FD_SET(p[0], &rfds);
	req = (struct timespec){ 2, 0 };
	R("pselect6 raw pipe 2s (timer 100ms)",
	    syscall(SYS_pselect6, p[0] + 1, &rfds, NULL, NULL, &req, NULL));
	show_ts("timeout left", &req);

	alarm_in(100);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	req = (struct timespec){ 2, 0 };
	R("ppoll raw pipe 2s (timer 100ms)", syscall(SYS_ppoll, &pfd, 1, &req, NULL, 8));
	show_ts("timeout left", &req);

	/* a select that times out: the time left is zero */
	FD_ZERO(&rfds);
	FD_SET(p[0], &rfds);
	tv = (struct timeval){ 0, 20000 };
	R("select pipe 20ms", select(p[0] + 1, &rfds, NULL, NULL, &tv));
	printf("  timeout left: %lld.%06ld, set: %d\n", (long long)tv.tv_sec, (long)tv.tv_usec,
	    FD_ISSET(p[0], &rfds));
	printf("alarms: %d\n", (int)alarms);
	return 11;
}

static void
show_addr(const char *what, const struct sockaddr *sa)
{
	char buf[64];

	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof buf);
	else
		snprintf(buf, sizeof buf, "family %d", sa->sa_family);
	printf("  %s: %s\n", what, buf);
}

static int
do_ifconf(void)
{
	struct ifconf ifc;
	struct ifreq req[64], r;
	int s, n, lo = 0;

	s = R("socket AF_INET SOCK_DGRAM", socket(AF_INET, SOCK_DGRAM, 0));
	NEED(s);
	ifc = (struct ifconf){ .ifc_len = 0, .ifc_buf = NULL };
	R("ioctl SIOCGIFCONF NULL", ioctl(s, SIOCGIFCONF, &ifc));
	printf("  needs %d bytes (%zu each)\n", ifc.ifc_len, sizeof(struct ifreq));
	memset(req, 0xee, sizeof req);
	ifc = (struct ifconf){ .ifc_len = sizeof req, .ifc_req = req };
	NEED(R("ioctl SIOCGIFCONF", ioctl(s, SIOCGIFCONF, &ifc)));
	n = ifc.ifc_len / (int)sizeof(struct ifreq);
	printf("  %d bytes, %d interfaces\n", ifc.ifc_len, n);
	for (int i = 0; i < n; i++) {
		const char *name = req[i].ifr_name;

		printf("interface %d: %.*s\n", i, IFNAMSIZ, name);
		lo |= strcmp(name, "lo") == 0;
		show_addr("address", &req[i].ifr_addr);
		memset(&r, 0, sizeof r);
		memcpy(r.ifr_name, name, IFNAMSIZ);
		if (R("  ioctl SIOCGIFINDEX", ioctl(s, SIOCGIFINDEX, &r)) == 0)
			printf("    index %d\n", r.ifr_ifindex);
		int index = r.ifr_ifindex;
		if (R("  ioctl SIOCGIFFLAGS", ioctl(s, SIOCGIFFLAGS, &r)) == 0)
			printf("    flags %#x (up: %d, loopback: %d)\n", (unsigned)(unsigned short)r.ifr_flags,
			    !!(r.ifr_flags & IFF_UP), !!(r.ifr_flags & IFF_LOOPBACK));
		if (R("  ioctl SIOCGIFMTU", ioctl(s, SIOCGIFMTU, &r)) == 0)
			printf("    mtu %d\n", r.ifr_mtu);
		if (R("  ioctl SIOCGIFHWADDR", ioctl(s, SIOCGIFHWADDR, &r)) == 0) {
			const unsigned char *h = (const unsigned char *)r.ifr_hwaddr.sa_data;
			printf("    hwaddr family %d %02x:%02x:%02x:%02x:%02x:%02x\n",
			    r.ifr_hwaddr.sa_family, h[0], h[1], h[2], h[3], h[4], h[5]);
		}
		if (R("  ioctl SIOCGIFADDR", ioctl(s, SIOCGIFADDR, &r)) == 0)
			show_addr("  address", &r.ifr_addr);
		if (R("  ioctl SIOCGIFNETMASK", ioctl(s, SIOCGIFNETMASK, &r)) == 0)
			show_addr("  netmask", &r.ifr_netmask);
		memset(&r, 0, sizeof r);
		r.ifr_ifindex = index;
		if (R("  ioctl SIOCGIFNAME", ioctl(s, SIOCGIFNAME, &r)) == 0)
			printf("    name %.*s\n", IFNAMSIZ, r.ifr_name);
		char nb[IF_NAMESIZE];
		unsigned idx = if_nametoindex(name);
		printf("    if_nametoindex %u, if_indextoname %s\n", idx,
		    if_indextoname(idx, nb) ? nb : "(none)");
	}
	memset(&r, 0, sizeof r);
	snprintf(r.ifr_name, sizeof r.ifr_name, "nosuchif0");
	R("ioctl SIOCGIFFLAGS nosuchif0", ioctl(s, SIOCGIFFLAGS, &r));
	printf("loopback listed: %s\n", lo ? "yes" : "no");
	R("close", close(s));
	return 12;
}

/* Writes what to fd w and reads it back from fd r; prints it. */
static void
through(const char *what, int w, int r, const char *text)
{
	char buf[128];
	long n;

	R(what, write(w, text, strlen(text)));
	n = R("  read", read(r, buf, sizeof buf));
	show_text("got", buf, n);
}

static int
do_pty(void)
{
	struct termios t;
	struct winsize ws = { 24, 80, 0, 0 };
	unsigned ptn;
	int m, s, m2, s2, unlock = 0, d;
	char name[64];

	m = R("posix_openpt", posix_openpt(O_RDWR | O_NOCTTY));
	NEED(m);
	if (R("ioctl TIOCGPTN", ioctl(m, TIOCGPTN, &ptn)) == 0)
		printf("  pts number is a number: %s\n", ptn < 1u << 20 ? "yes" : "no");
	R("ioctl TIOCSPTLCK 0", ioctl(m, TIOCSPTLCK, &unlock));
	s = R("ioctl TIOCGPTPEER", ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	NEED(s);
	R("isatty peer", isatty(s));
	/* TIOCGEXCL is not one dios knows: its number says it writes an int */
	int excl = -1;
	R("ioctl TIOCEXCL peer", ioctl(s, TIOCEXCL));
	if (R("ioctl TIOCGEXCL peer", ioctl(s, TIOCGEXCL, &excl)) == 0)
		printf("  exclusive: %d\n", excl);
	if (R("tcgetattr peer", tcgetattr(s, &t)) == 0) {
		cfmakeraw(&t);
		R("tcsetattr peer raw", tcsetattr(s, TCSANOW, &t));
	}
	through("write peer", s, m, "to the master\n");
	through("write master", m, s, "to the peer");
	/* the peer's number is one the replay must keep: dup and close it */
	d = R("dup peer", dup(s));
	R("close dup", close(d));
	R("close peer", close(s));
	R("close master", close(m));

	if (R("openpty", openpty(&m2, &s2, name, NULL, &ws)) == 0) {
		printf("  name starts /dev/pts/: %s\n", strncmp(name, "/dev/pts/", 9) == 0 ? "yes" : "no");
		through("write openpty peer", s2, m2, "cooked\n");
		d = R("dup openpty peer", dup(s2));
		R("close dup", close(d));
		R("close openpty peer", close(s2));
		R("close openpty master", close(m2));
	}
	d = R("open /dev/null", open("/dev/null", O_RDONLY));
	R("close", close(d));
	return 13;
}

static void
show_flock(const char *what, const struct flock *fl, pid_t child)
{
	printf("  %s: type %s whence %d start %lld len %lld pid %s\n", what,
	    fl->l_type == F_WRLCK ? "F_WRLCK" : fl->l_type == F_RDLCK ? "F_RDLCK" :
	    fl->l_type == F_UNLCK ? "F_UNLCK" : "?", fl->l_whence, (long long)fl->l_start,
	    (long long)fl->l_len, fl->l_pid == child ? "the child" : fl->l_pid == -1 ? "-1" :
	    fl->l_pid == 0 ? "0" : "another");
}

static int
do_getlk(void)
{
	struct flock fl;
	int fd, go[2], done[2], st;
	char c;
	pid_t p;

	fd = R("open lock.dat", open(P("lock.dat"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	NEED(fd);
	NEED(R("ftruncate 4096", ftruncate(fd, 4096)));
	NEED(pipe(go));
	NEED(pipe(done));
	if ((p = fork()) == 0) {
		struct flock w = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 50 };
		if (fcntl(fd, F_SETLK, &w) < 0)
			_exit(98);
		struct flock rd = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 1000, .l_len = 0 };
		if (fcntl(fd, F_SETLK, &rd) < 0)
			_exit(97);
		if (write(go[1], "g", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(96);
		_exit(0);
	}
	NEED(p);
	NEED(read(go[0], &c, 1));
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	R("fcntl F_GETLK whole file", fcntl(fd, F_GETLK, &fl));
	show_flock("conflict", &fl, p);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 1200, .l_len = 10 };
	R("fcntl F_GETLK read lock at 1200", fcntl(fd, F_GETLK, &fl));
	show_flock("conflict", &fl, p);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 1100, .l_len = 0 };
	R("fcntl F_GETLK write lock at 1100", fcntl(fd, F_GETLK, &fl));
	show_flock("conflict", &fl, p);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
	R("fcntl F_GETLK 0..100", fcntl(fd, F_GETLK, &fl));
	show_flock("free", &fl, p);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 120, .l_len = 1 };
	R("fcntl F_OFD_GETLK at 120", fcntl(fd, F_OFD_GETLK, &fl));
	show_flock("conflict", &fl, p);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	R("fcntl F_OFD_GETLK 0..10", fcntl(fd, F_OFD_GETLK, &fl));
	show_flock("free", &fl, p);
	NEED(write(done[1], "d", 1));
	if (waitpid(p, &st, 0) == p)
		printf("child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	R("fcntl F_GETLK after the child", fcntl(fd, F_GETLK, &fl));
	show_flock("free", &fl, p);
	/* F_GETOWN_EX fills a struct f_owner_ex */
	struct f_owner_ex ow = { F_OWNER_TID, gettid() }, ow2 = { -1, -1 };
	R("fcntl F_SETOWN_EX F_OWNER_TID", fcntl(fd, F_SETOWN_EX, &ow));
	R("fcntl F_GETOWN_EX", fcntl(fd, F_GETOWN_EX, &ow2));
	printf("  owner: type %s, the thread: %s\n", ow2.type == F_OWNER_TID ? "F_OWNER_TID" : "?",
	    ow2.pid == ow.pid ? "yes" : "no");
	R("close", close(fd));
	return 14;
}

/* seekout: its stdout, a file, written at an offset (pwrite64), and a
 * write after an lseek back to the end: replay must leave the same file. */
static int
do_seekout(void)
{
	char line[64];
	int n;

	fflush(stdout);
	if (write(1, "line one\n", 9) != 9)
		return 98;
	n = snprintf(line, sizeof line, "at %ld\n", (long)lseek(1, 0, SEEK_CUR));
	if (write(1, line, (size_t)n) != n || pwrite(1, "PW", 2, 0) != 2)
		return 98;
	n = snprintf(line, sizeof line, "end at %ld\n", (long)lseek(1, 0, SEEK_END));
	if (write(1, line, (size_t)n) != n)
		return 98;
	return 15;
}

int
main(int argc, char **argv)
{
	progs_init();
	if (argc < 2) {
		fprintf(stderr, "usage: outputs sleep|ifconf|pty|getlk|seekout [DIR]\n");
		return 99;
	}
	snprintf(dir, sizeof dir, "%s", argc > 2 ? argv[2] : ".");
	if (strcmp(argv[1], "sleep") == 0)
		return do_sleep();
	if (strcmp(argv[1], "ifconf") == 0)
		return do_ifconf();
	if (strcmp(argv[1], "pty") == 0)
		return do_pty();
	if (strcmp(argv[1], "getlk") == 0)
		return do_getlk();
	if (strcmp(argv[1], "seekout") == 0)
		return do_seekout();
	fprintf(stderr, "outputs: unknown case %s\n", argv[1]);
	return 99;
}

/* pipes: pipes, readiness and event descriptors within one process.
 *
 * pipe2 + poll/ppoll/select/pselect + write/read to itself; stdout sent
 * into a pipe with dup2 and read back; eventfd, timerfd (a short timer),
 * signalfd, and epoll on them.  Prints one line per call.  Exits 10.
 */
#include "progs.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

int
main(void)
{
	int p[2], q[2], efd, tfd, sfd, ep, saved, fl;
	struct pollfd pf[2];
	struct epoll_event ev, evs[4];
	struct itimerspec its;
	struct timespec ts;
	struct timeval tv;
	fd_set rs, ws;
	sigset_t mask;
	uint64_t u;
	char buf[256];
	long r;

	progs_init();
	NEED(R("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC)));
	printf("  fds: %d %d\n", p[0], p[1]);
	NEED(R("pipe (the old call)", syscall(SYS_pipe, q)));
	printf("  fds: %d %d\n", q[0], q[1]);
	R("fcntl F_GETFD (pipe2 end)", fcntl(p[0], F_GETFD));
	R("fcntl F_GETFD (pipe end)", fcntl(q[0], F_GETFD));

	/* poll: nothing yet (a short timeout), then data. */
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = q[1], .events = POLLOUT };
	R("poll 20ms", poll(pf, 1, 20));
	printf("  revents: %#x\n", pf[0].revents);
	R("write pipe", write(p[1], "through the pipe\n", 17));
	R("poll", poll(pf, 2, 1000));
	printf("  revents: %#x %#x\n", pf[0].revents, pf[1].revents);
	ts = (struct timespec){ 0, 5000000 };
	R("ppoll", ppoll(pf, 2, &ts, NULL));
	printf("  revents: %#x %#x\n", pf[0].revents, pf[1].revents);
	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_SET(p[0], &rs);
	FD_SET(q[0], &rs);
	FD_SET(q[1], &ws);
	tv = (struct timeval){ 1, 0 };
	R("select (the old call)", syscall(SYS_select, q[1] + 1, &rs, &ws, NULL, &tv));
	printf("  readable: p0=%d q0=%d writable: q1=%d\n", FD_ISSET(p[0], &rs),
	    FD_ISSET(q[0], &rs), FD_ISSET(q[1], &ws));
	FD_ZERO(&rs);
	FD_SET(q[0], &rs);
	ts = (struct timespec){ 0, 10000000 };
	sigemptyset(&mask);
	R("pselect 10ms (nothing to read)", pselect(q[0] + 1, &rs, NULL, NULL, &ts, &mask));
	printf("  readable: q0=%d\n", FD_ISSET(q[0], &rs));
	show_text("read pipe", buf, R("read pipe", read(p[0], buf, sizeof buf)));

	/* stdout into a pipe and back. */
	fflush(stdout);
	saved = R("dup 1", dup(1));
	if (dup2(q[1], 1) == 1) {
		printf("this line goes into the pipe\n");
		fflush(stdout);
		dup2(saved, 1);
	}
	R("close saved", close(saved));
	show_text("read from the stdout pipe", buf, R("read", read(q[0], buf, sizeof buf)));
	fl = fcntl(q[0], F_GETFL);
	R("fcntl F_SETFL O_NONBLOCK", fcntl(q[0], F_SETFL, fl | O_NONBLOCK));
	R("read empty pipe (EAGAIN)", read(q[0], buf, sizeof buf));

	/* eventfd. */
	efd = R("eventfd2 NONBLOCK|CLOEXEC", eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	NEED(efd);
	R("read eventfd (EAGAIN)", read(efd, &u, sizeof u));
	u = 5;
	R("write eventfd 5", write(efd, &u, sizeof u));
	u = 0;
	R("read eventfd", read(efd, &u, sizeof u));
	printf("  value: %llu\n", (unsigned long long)u);
	int efd1 = R("eventfd (old call)", syscall(SYS_eventfd, 3));

	/* timerfd. */
	tfd = R("timerfd_create MONOTONIC CLOEXEC", timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
	NEED(tfd);
	its = (struct itimerspec){ .it_value = { 0, 30000000 } };
	R("timerfd_settime 30ms", timerfd_settime(tfd, 0, &its, NULL));
	if (R("timerfd_gettime", timerfd_gettime(tfd, &its)) == 0)
		printf("  armed: %d\n", its.it_value.tv_sec > 0 || its.it_value.tv_nsec > 0);

	/* epoll on the timer, the eventfd and the pipe. */
	ep = R("epoll_create1 CLOEXEC", epoll_create1(EPOLL_CLOEXEC));
	NEED(ep);
	int ep0 = R("epoll_create (old call)", epoll_create(4));
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0x1111 };
	R("epoll_ctl ADD timerfd", epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev));
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0x2222 };
	R("epoll_ctl ADD eventfd", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = p[0] };
	R("epoll_ctl ADD pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	R("epoll_ctl ADD pipe again (EEXIST)", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	r = R("epoll_wait (the timer)", epoll_wait(ep, evs, 4, 2000));
	for (long i = 0; i < r; i++)
		printf("  event: events=%#x data=%#llx\n", evs[i].events, (unsigned long long)evs[i].data.u64);
	u = 0;
	R("read timerfd", read(tfd, &u, sizeof u));
	printf("  expirations >= 1: %d\n", u >= 1);
	u = 1;
	R("write eventfd 1", write(efd, &u, sizeof u));
	R("write pipe", write(p[1], "x", 1));
	sigemptyset(&mask);
	r = R("epoll_pwait (eventfd and pipe)", epoll_pwait(ep, evs, 4, 1000, &mask));
	for (long i = 0; i < r; i++)
		printf("  event: events=%#x data=%#llx\n", evs[i].events, (unsigned long long)evs[i].data.u64);
	R("epoll_ctl DEL pipe", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	R("epoll_wait 0ms", epoll_wait(ep, evs, 4, 0));

	/* signalfd: a new descriptor, then a new mask on the same one. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = R("signalfd -1 SIGUSR1 NONBLOCK", signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
	struct signalfd_siginfo si;
	R("read signalfd (EAGAIN)", read(sfd, &si, sizeof si));
	sigaddset(&mask, SIGUSR2);
	R("signalfd on the same fd", signalfd(sfd, &mask, 0));

	R("close signalfd", close(sfd));
	R("close epoll", close(ep));
	R("close epoll (old)", close(ep0));
	R("close timerfd", close(tfd));
	R("close eventfd", close(efd));
	R("close eventfd (old)", close(efd1));
	R("close p1", close(p[1]));
	R("read after the writer closed", read(p[0], buf, sizeof buf));
	R("read EOF", read(p[0], buf, sizeof buf));
	R("close p0", close(p[0]));
	R("write to a pipe without reader (EPIPE)", ({ signal(SIGPIPE, SIG_IGN); close(q[0]);
	    write(q[1], "x", 1); }));
	R("close q1", close(q[1]));
	return 10;
}

/* blocker: blocking calls interrupted by a signal from outside.  With a
 * SIGUSR1 handler installed without SA_RESTART, it prints "pid N", then
 * "waiting in CALL" before each of poll, accept, recv and epoll_wait (each
 * with a 20 s timeout or none); tests/net.sh sends SIGUSR1 each time, so
 * each fails with EINTR.  Then a non-blocking accept and recv fail with
 * EAGAIN.  Prints one line per call.  Exits 14.
 */
#include "progs.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>

static volatile sig_atomic_t caught;

static void
on_usr1(int sig)
{
	(void)sig;
	caught++;
}

int
main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct epoll_event ev = { .events = EPOLLIN }, evs[2];
	struct pollfd pf;
	char buf[16];
	int p[2], ls, us, ep;

	progs_init();
	sigaction(SIGUSR1, &sa, NULL);
	NEED(pipe(p));
	NEED(ls = socket(AF_INET, SOCK_STREAM, 0));
	NEED(bind(ls, (struct sockaddr *)&a, sizeof a));
	NEED(listen(ls, 1));
	NEED(us = socket(AF_INET, SOCK_DGRAM, 0));
	NEED(bind(us, (struct sockaddr *)&a, sizeof a));
	NEED(ep = epoll_create1(0));
	ev.data.fd = p[0];
	NEED(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	printf("pid %d\n", (int)getpid());

	printf("waiting in poll\n");
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	R("poll 20s", poll(&pf, 1, 20000));
	printf("waiting in accept\n");
	R("accept", accept(ls, NULL, NULL));
	printf("waiting in recv\n");
	R("recv", recv(us, buf, sizeof buf, 0));
	printf("waiting in epoll_wait\n");
	R("epoll_wait 20s", epoll_wait(ep, evs, 2, 20000));
	printf("signals caught: %d\n", (int)caught);
	NEED(fcntl(ls, F_SETFL, O_NONBLOCK));
	R("accept non-blocking (EAGAIN)", accept(ls, NULL, NULL));
	R("recv MSG_DONTWAIT (EAGAIN)", recv(us, buf, sizeof buf, MSG_DONTWAIT));
	return 14;
}

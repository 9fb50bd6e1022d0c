/* tcpclient: a TCP client of an outside server (tests/progs/tcpserver on
 * 127.0.0.1, port argv[1]).  Looks up "localhost" with getaddrinfo (the C
 * library reads /etc/hosts and friends, and may ask the kernel over
 * netlink), connects, sends a line, and reads the answer to the end with
 * poll and read.  Prints one line per call.  Exits 13.
 */
#include "progs.h"
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

int
main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in peer;
	socklen_t plen = sizeof peer;
	char host[64], buf[256];
	int s, e;
	long r;

	progs_init();
	if (argc < 2) {
		fprintf(stderr, "usage: tcpclient PORT\n");
		return 99;
	}
	e = getaddrinfo("localhost", argv[1], &hints, &res);
	printf("getaddrinfo localhost = %s\n", e ? gai_strerror(e) : "ok");
	for (ai = e ? NULL : res; ai; ai = ai->ai_next) {
		void *p = ai->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr :
		    (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		inet_ntop(ai->ai_family, p, host, sizeof host);
		printf("  family=%d address=%s\n", ai->ai_family, host);
	}
	if (!e)
		freeaddrinfo(res);

	a.sin_port = htons((unsigned short)atoi(argv[1]));
	s = R("socket", socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	NEED(s);
	NEED(R("connect 127.0.0.1", connect(s, (struct sockaddr *)&a, sizeof a)));
	if (R("getpeername", getpeername(s, (struct sockaddr *)&peer, &plen)) == 0)
		printf("  peer: %s:%d\n", inet_ntop(AF_INET, &peer.sin_addr, host, sizeof host),
		    ntohs(peer.sin_port) == atoi(argv[1]));
	R("send", send(s, "hello from the client\n", 22, MSG_NOSIGNAL));
	for (;;) {
		struct pollfd pf = { .fd = s, .events = POLLIN };
		if (R("poll", poll(&pf, 1, 5000)) <= 0)
			break;
		r = R("read", read(s, buf, sizeof buf));
		if (r <= 0)
			break;
		printf("  got: \"");
		for (long i = 0; i < r; i++)
			putchar(buf[i] == '\n' ? '|' : buf[i]);
		printf("\"\n");
	}
	R("shutdown", shutdown(s, SHUT_RDWR));
	R("close", close(s));
	return 13;
}

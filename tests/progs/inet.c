/* inet: sockets over loopback within one process: a UDP exchange between
 * two sockets (sendto/recvfrom, sendmsg/recvmsg, sendmmsg/recvmmsg, socket
 * options), then a TCP connection to itself (listen, accept4, getpeername,
 * shutdown).  argv[1] is 4 (127.0.0.1) or 6 (::1).  Prints one line per
 * call.  Exits 11, or 77 when the address family is not available here.
 */
#include "progs.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

static int fam;

static socklen_t
loopback(struct sockaddr_storage *ss, unsigned short port)
{
	memset(ss, 0, sizeof *ss);
	if (fam == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *in;
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	in6->sin6_addr = in6addr_loopback;
	return sizeof *in6;
}

static void
show_addr(const char *what, const struct sockaddr_storage *ss, socklen_t len)
{
	char host[64] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
	}
	printf("  %s: family=%d %s port>0=%d len=%u\n", what, ss->ss_family, host, port > 0,
	    (unsigned)len);
}

static void
show(const char *what, const char *b, long n)
{
	if (n >= 0)
		printf("  %s: \"%.*s\"\n", what, (int)n, b);
}

static unsigned short
port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return ntohs(fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void
udp(void)
{
	struct sockaddr_storage a, b, from;
	socklen_t alen, blen, flen;
	char buf[64], b1[8], b2[8];
	struct iovec iov[2];
	struct msghdr mh;
	struct mmsghdr mm[2];
	int sa, sb, v;
	socklen_t vlen;

	sa = R("socket UDP", socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	sb = R("socket UDP", socket(fam, SOCK_DGRAM, 0));
	NEED(sa);
	NEED(sb);
	alen = loopback(&a, 0);
	blen = loopback(&b, 0);
	NEED(R("bind a", bind(sa, (struct sockaddr *)&a, alen)));
	NEED(R("bind b", bind(sb, (struct sockaddr *)&b, blen)));
	alen = sizeof a;
	R("getsockname a", getsockname(sa, (struct sockaddr *)&a, &alen));
	show_addr("a", &a, alen);
	blen = sizeof b;
	R("getsockname b", getsockname(sb, (struct sockaddr *)&b, &blen));
	show_addr("b", &b, blen);
	R("recvfrom MSG_DONTWAIT (EAGAIN)", recvfrom(sb, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL));

	R("sendto a -> b", sendto(sa, "datagram one", 12, 0, (struct sockaddr *)&b, blen));
	flen = sizeof from;
	show("recvfrom", buf, R("recvfrom b", recvfrom(sb, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen)));
	show_addr("from", &from, flen);
	printf("  from a: %d\n", port_of(sa) == ntohs(fam == AF_INET ?
	    ((struct sockaddr_in *)&from)->sin_port : ((struct sockaddr_in6 *)&from)->sin6_port));

	/* sendmsg with two iovecs, recvmsg into two buffers with a name */
	iov[0] = (struct iovec){ "two ", 4 };
	iov[1] = (struct iovec){ "pieces", 6 };
	mh = (struct msghdr){ .msg_name = &a, .msg_namelen = alen, .msg_iov = iov, .msg_iovlen = 2 };
	R("sendmsg b -> a", sendmsg(sb, &mh, 0));
	memset(b1, 0, sizeof b1);
	memset(b2, 0, sizeof b2);
	iov[0] = (struct iovec){ b1, 3 };
	iov[1] = (struct iovec){ b2, sizeof b2 };
	flen = sizeof from;
	mh = (struct msghdr){ .msg_name = &from, .msg_namelen = flen, .msg_iov = iov, .msg_iovlen = 2 };
	R("recvmsg a", recvmsg(sa, &mh, 0));
	printf("  pieces: \"%.3s\" \"%.8s\" flags=%#x\n", b1, b2, mh.msg_flags);
	show_addr("from", &from, mh.msg_namelen);
	/* a datagram longer than the buffer: MSG_TRUNC */
	R("sendto a -> b (long)", sendto(sa, "a rather long datagram", 22, 0, (struct sockaddr *)&b, blen));
	iov[0] = (struct iovec){ b1, 5 };
	mh = (struct msghdr){ .msg_iov = iov, .msg_iovlen = 1 };
	R("recvmsg b MSG_TRUNC", recvmsg(sb, &mh, MSG_TRUNC));
	printf("  truncated: \"%.5s\" flags=%#x\n", b1, mh.msg_flags);

	/* sendmmsg two datagrams, recvmmsg both */
	struct iovec i0 = { "first", 5 }, i1 = { "second", 6 };
	memset(mm, 0, sizeof mm);
	mm[0].msg_hdr = (struct msghdr){ .msg_name = &b, .msg_namelen = blen, .msg_iov = &i0, .msg_iovlen = 1 };
	mm[1].msg_hdr = (struct msghdr){ .msg_name = &b, .msg_namelen = blen, .msg_iov = &i1, .msg_iovlen = 1 };
	R("sendmmsg a -> b x2", sendmmsg(sa, mm, 2, 0));
	printf("  msg_len: %u %u\n", mm[0].msg_len, mm[1].msg_len);
	char r0[16], r1[16];
	struct iovec o0 = { r0, sizeof r0 }, o1 = { r1, sizeof r1 };
	memset(mm, 0, sizeof mm);
	mm[0].msg_hdr = (struct msghdr){ .msg_iov = &o0, .msg_iovlen = 1 };
	mm[1].msg_hdr = (struct msghdr){ .msg_iov = &o1, .msg_iovlen = 1 };
	struct pollfd pf = { .fd = sb, .events = POLLIN };
	R("poll b", poll(&pf, 1, 1000));
	R("recvmmsg b", recvmmsg(sb, mm, 2, MSG_WAITFORONE, NULL));
	printf("  got: \"%.*s\" \"%.*s\"\n", (int)mm[0].msg_len, r0, (int)mm[1].msg_len, r1);

	/* options */
	v = 1;
	R("setsockopt SO_REUSEADDR", setsockopt(sa, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
	v = 0;
	vlen = sizeof v;
	R("getsockopt SO_REUSEADDR", getsockopt(sa, SOL_SOCKET, SO_REUSEADDR, &v, &vlen));
	printf("  value: %d len=%u\n", v, (unsigned)vlen);
	vlen = sizeof v;
	R("getsockopt SO_TYPE", getsockopt(sb, SOL_SOCKET, SO_TYPE, &v, &vlen));
	printf("  type: %d\n", v);
	R("getsockopt bad level", getsockopt(sb, 12345, 1, &v, &vlen));
	R("close a", close(sa));
	R("close b", close(sb));
}

static void
tcp(void)
{
	struct sockaddr_storage a, peer;
	socklen_t alen, plen;
	char buf[64];
	int ls, cs, as, v;

	ls = R("socket TCP listening NONBLOCK", socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0));
	NEED(ls);
	alen = loopback(&a, 0);
	NEED(R("bind", bind(ls, (struct sockaddr *)&a, alen)));
	NEED(R("listen", listen(ls, 4)));
	alen = sizeof a;
	R("getsockname", getsockname(ls, (struct sockaddr *)&a, &alen));
	R("accept4 (EAGAIN)", accept4(ls, NULL, NULL, 0));
	cs = R("socket TCP", socket(fam, SOCK_STREAM, 0));
	NEED(R("connect", connect(cs, (struct sockaddr *)&a, alen)));
	struct pollfd pf = { .fd = ls, .events = POLLIN };
	R("poll listening", poll(&pf, 1, 2000));
	plen = sizeof peer;
	as = R("accept4 CLOEXEC", accept4(ls, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC));
	NEED(as);
	show_addr("peer", &peer, plen);
	R("fcntl F_GETFD accepted", fcntl(as, F_GETFD));
	plen = sizeof peer;
	R("getpeername client", getpeername(cs, (struct sockaddr *)&peer, &plen));
	show_addr("server", &peer, plen);
	v = 1;
	R("setsockopt TCP_NODELAY", setsockopt(cs, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
	R("send", send(cs, "over tcp", 8, 0));
	show("recv", buf, R("recv", recv(as, buf, sizeof buf, 0)));
	R("write back", write(as, "reply", 5));
	show("read", buf, R("read", read(cs, buf, sizeof buf)));
	R("shutdown SHUT_WR", shutdown(cs, SHUT_WR));
	R("recv EOF", recv(as, buf, sizeof buf, 0));
	R("shutdown bad how", shutdown(cs, 7));
	R("close accepted", close(as));
	R("close client", close(cs));
	R("close listening", close(ls));
}

int
main(int argc, char **argv)
{
	int s;

	progs_init();
	if (argc < 2 || (strcmp(argv[1], "4") && strcmp(argv[1], "6"))) {
		fprintf(stderr, "usage: inet 4|6\n");
		return 99;
	}
	fam = argv[1][0] == '4' ? AF_INET : AF_INET6;
	if (fam == AF_INET6) {
		struct sockaddr_storage ss;
		socklen_t len = loopback(&ss, 0);
		if ((s = socket(fam, SOCK_DGRAM, 0)) < 0 || bind(s, (struct sockaddr *)&ss, len) < 0) {
			fprintf(stderr, "inet: no ::1 here: %s\n", strerror(errno));
			return 77;
		}
		close(s);
	}
	udp();
	tcp();
	return 11;
}

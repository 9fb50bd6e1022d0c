/* scmrights: a unix socketpair passing descriptors to itself with
 * SCM_RIGHTS: the file DIR/secret.txt (argv[1]) and a pipe's write end;
 * then reads the file through the received descriptor and writes to the
 * pipe through the other.  Prints one line per call.  Exits 12.
 */
#include "progs.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>

int
main(int argc, char **argv)
{
	union { struct cmsghdr h; char b[CMSG_SPACE(2 * sizeof(int))]; } ctl;
	struct cmsghdr *cm;
	struct msghdr mh;
	struct iovec iov;
	char buf[128];
	int sv[2], fd, p[2], got[2] = { -1, -1 }, n = 0;
	long r;

	progs_init();
	progs_dir(argc, argv, "scmrights");
	NEED(R("socketpair AF_UNIX SOCK_STREAM|SOCK_CLOEXEC",
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)));
	printf("  fds: %d %d\n", sv[0], sv[1]);
	R("fcntl F_GETFD", fcntl(sv[1], F_GETFD));
	fd = R("open secret.txt", open(P("secret.txt"), O_RDONLY));
	NEED(fd);
	NEED(R("pipe", pipe(p)));

	/* Send both with a message. */
	iov = (struct iovec){ "two descriptors", 15 };
	memset(&ctl, 0, sizeof ctl);
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
	    .msg_controllen = sizeof ctl.b };
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(cm), (int[]){ fd, p[1] }, 2 * sizeof(int));
	R("sendmsg SCM_RIGHTS", sendmsg(sv[0], &mh, 0));
	R("close the file", close(fd));
	R("close the pipe's write end", close(p[1]));

	/* Receive them: new numbers. */
	iov = (struct iovec){ buf, sizeof buf };
	memset(&ctl, 0, sizeof ctl);
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
	    .msg_controllen = sizeof ctl.b };
	r = R("recvmsg MSG_CMSG_CLOEXEC", recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC));
	if (r >= 0)
		printf("  data: \"%.*s\" controllen=%zu flags=%#x\n", (int)r, buf, mh.msg_controllen,
		    mh.msg_flags);
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(got, CMSG_DATA(cm), (n > 2 ? 2 : n) * sizeof(int));
		}
	printf("  received %d: %d %d\n", n, got[0], got[1]);
	if (n != 2)
		return 99;
	R("fcntl F_GETFD received", fcntl(got[0], F_GETFD));

	/* Use them. */
	r = R("read the file through the received descriptor", read(got[0], buf, sizeof buf));
	if (r >= 0)
		printf("  contents: \"%.*s\"\n", (int)(r && buf[r - 1] == '\n' ? r - 1 : r), buf);
	R("read again (EOF)", read(got[0], buf, sizeof buf));
	R("write to the pipe through the received end", write(got[1], "via SCM_RIGHTS", 14));
	r = R("read the pipe", read(p[0], buf, sizeof buf));
	if (r >= 0)
		printf("  pipe: \"%.*s\"\n", (int)r, buf);

	/* A message without descriptors. */
	R("send plain", send(sv[1], "plain", 5, 0));
	memset(&ctl, 0, sizeof ctl);
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
	    .msg_controllen = sizeof ctl.b };
	r = R("recvmsg plain", recvmsg(sv[0], &mh, 0));
	printf("  controllen=%zu\n", mh.msg_controllen);
	R("close received file", close(got[0]));
	R("close received pipe end", close(got[1]));
	R("close pipe", close(p[0]));
	R("close sv0", close(sv[0]));
	R("close sv1", close(sv[1]));
	return 12;
}

/* numbers: calls whose integers a double cannot hold (beyond 2^53), for
 * the trace's number form (man/dios-trace.5, NUMBERS): lseek, pread64 and
 * ftruncate of a file in DIR at such offsets, epoll_ctl and epoll_wait with
 * 64-bit user data, and the signal mask it started with (the header's
 * sigblk).  Prints one line per call.  Exits 6.
 *
 *	numbers DIR
 *	numbers --block CMD [ARG]...	blocks SIGUSR1 and signal 63 (mask
 *		2^62 + 2^9, which a double rounds to 2^62) and execs CMD
 */
#include "progs.h"
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/stat.h>

int
main(int argc, char **argv)
{
	struct epoll_event ev, out[4];
	struct stat st;
	sigset_t set;
	uint64_t mask = 0;
	char c;
	int fd, p[2], ep;

	if (argc > 2 && strcmp(argv[1], "--block") == 0) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigaddset(&set, 63);
		NEED(sigprocmask(SIG_BLOCK, &set, NULL));
		execvp(argv[2], argv + 2);
		fprintf(stderr, "numbers: cannot execute %s: %s\n", argv[2], strerror(errno));
		return 99;
	}
	progs_init();
	progs_dir(argc, argv, "numbers");

	NEED(sigprocmask(SIG_BLOCK, NULL, &set));
	for (int sig = 1; sig <= 64; sig++)
		if (sigismember(&set, sig) == 1)
			mask |= (uint64_t)1 << (sig - 1);
	printf("blocked at the start: %#" PRIx64 "\n", mask);

	fd = R("open big", open(P("big"), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	NEED(fd);
	R("write", write(fd, "x", 1));
	R("lseek 0x123456789abcdef1", lseek(fd, (off_t)0x123456789abcdef1, SEEK_SET));
	R("lseek -0x123456789abcdef SEEK_CUR", lseek(fd, -(off_t)0x123456789abcdef, SEEK_CUR));
	R("pread64 at 0x0fedcba987654321", pread(fd, &c, 1, (off_t)0x0fedcba987654321));
	R("ftruncate 2^53+1", ftruncate(fd, ((off_t)1 << 53) + 1));
	if (R("fstat", fstat(fd, &st)) == 0)
		printf("  size %lld\n", (long long)st.st_size);
	R("lseek SEEK_END", lseek(fd, 0, SEEK_END));
	R("close", close(fd));
	R("unlink big", unlink(P("big")));

	NEED(R("pipe2", pipe2(p, O_CLOEXEC)));
	ep = R("epoll_create1", epoll_create1(EPOLL_CLOEXEC));
	NEED(ep);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0xfedcba9876543211u };
	R("epoll_ctl ADD data 0xfedcba9876543211", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev = (struct epoll_event){ .events = EPOLLOUT, .data.u64 = 0x20000000000003u };
	R("epoll_ctl ADD data 0x20000000000003", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	R("write pipe", write(p[1], "y", 1));
	int n = (int)R("epoll_wait", epoll_wait(ep, out, 4, 1000));
	for (int i = 0; i < n; i++)
		printf("  event %#x data %#" PRIx64 "\n", out[i].events, (uint64_t)out[i].data.u64);
	R("close epoll", close(ep));
	R("close pipe", close(p[0]));
	R("close pipe", close(p[1]));
	return 6;
}

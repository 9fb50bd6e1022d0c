/* tcpserver: a small TCP server for tests/net.sh, never recorded itself.
 * Listens on 127.0.0.1 (an ephemeral port, written to the file argv[1]
 * once it listens), and for each connection reads one line and answers
 * "echo: LINE" in upper case, then "bye\n", and closes.  Runs until
 * killed.
 */
#include "progs.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sys/socket.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	char tmp[4200], line[512], out[600];
	FILE *f;
	int ls, cs;

	if (argc < 2) {
		fprintf(stderr, "usage: tcpserver PORTFILE\n");
		return 99;
	}
	NEED(ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	NEED(bind(ls, (struct sockaddr *)&a, sizeof a));
	NEED(listen(ls, 8));
	NEED(getsockname(ls, (struct sockaddr *)&a, &len));
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%u\n", ntohs(a.sin_port)) < 0 ||
	    fclose(f) != 0 || rename(tmp, argv[1]) < 0) {
		fprintf(stderr, "tcpserver: cannot write %s: %s\n", argv[1], strerror(errno));
		return 99;
	}
	for (;;) {
		size_t n = 0;
		ssize_t r;

		if ((cs = accept(ls, NULL, NULL)) < 0)
			continue;
		while (n < sizeof line - 1 && (r = read(cs, line + n, sizeof line - 1 - n)) > 0) {
			n += (size_t)r;
			if (memchr(line, '\n', n))
				break;
		}
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		for (char *p = line; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		r = snprintf(out, sizeof out, "echo: %s\n", line);
		if (write(cs, out, (size_t)r) == r)
			(void)!write(cs, "bye\n", 4);
		close(cs);
	}
}

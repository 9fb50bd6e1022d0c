/* stacky: a few calls made from named functions, for tests/stacks.sh:
 * main -> load_config -> read_file -> open, read and close of DIR/config,
 * then main -> say -> write.  The lines of the calls are marked "@name". */
#include <fcntl.h>
#include "progs.h"

volatile int sink;

__attribute__((noinline, noclone)) ssize_t
read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);	/* @open */
	ssize_t k;

	if (fd < 0)
		return -1;
	k = read(fd, buf, n);	/* @read */
	close(fd);
	sink++;
	return k;
}

__attribute__((noinline, noclone)) int
load_config(void)
{
	char buf[256];
	ssize_t k = read_file(P("config"), buf, sizeof buf);	/* @load_config */

	sink++;
	return k < 0 ? -1 : (int)k;
}

__attribute__((noinline, noclone)) void
say(int n)
{
	char line[64];
	int len = snprintf(line, sizeof line, "config: %d bytes\n", n);

	if (write(1, line, (size_t)len) < 0)	/* @write */
		exit(1);
	sink++;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	snprintf(dir, sizeof dir, "%s", argv[1]);
	int n = load_config();	/* @main */
	say(n);
	return n < 0;
}

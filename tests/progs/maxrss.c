/* maxrss: runs a command and prints its peak resident set size in KiB (from
 * wait4's rusage) on stdout.  Exits with the command's status (128+N when
 * killed by signal N), 99 when it cannot run it.
 *	maxrss COMMAND [ARG]...
 */
#include "progs.h"
#include <sys/resource.h>
#include <sys/wait.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	pid_t pid;
	int st;

	if (argc < 2) {
		fprintf(stderr, "usage: maxrss COMMAND [ARG]...\n");
		return 99;
	}
	if ((pid = fork()) < 0) {
		perror("maxrss: fork");
		return 99;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "maxrss: %s: %s\n", argv[1], strerror(errno));
		_exit(99);
	}
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("maxrss: wait4");
		return 99;
	}
	printf("%ld\n", ru.ru_maxrss);
	fflush(stdout);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* noseccomp: runs a command where seccomp filters cannot be installed:
 * seccomp() and prctl(PR_SET_SECCOMP) fail with EPERM; everything else
 * (prctl(PR_SET_NO_NEW_PRIVS) included) works.  For tests/bad-input.sh.
 *	noseccomp COMMAND [ARG]...
 * Exits 99 when it cannot set this up or run the command.
 */
#include "progs.h"
#include <sys/prctl.h>
#include <seccomp.h>

int
main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: noseccomp COMMAND [ARG]...\n");
		return 99;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		fprintf(stderr, "noseccomp: seccomp_init failed\n");
		return 99;
	}
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 0)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_SET_SECCOMP))) < 0 ||
	    (r = seccomp_load(ctx)) < 0) {
		fprintf(stderr, "noseccomp: cannot install the filter: %s\n", strerror(-r));
		return 99;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "noseccomp: %s: %s\n", argv[1], strerror(errno));
	return 99;
}

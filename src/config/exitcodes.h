/* exitcodes.h: the exit statuses of the dios commands (documented in
 * dios-record(1) and dios-replay(1)).  Scripts and `git bisect run` rely on
 * them. */
#ifndef DIOS_EXITCODES_H
#define DIOS_EXITCODES_H

/* The program's own status is passed through (128+N when killed by signal N). */
#define DIOS_EXIT_USAGE		2	/* bad command line or configuration */
#define DIOS_EXIT_DIVERGED	120	/* replay: the program left the recording */
#define DIOS_EXIT_ERROR		125	/* dios could not do its job ("cannot test") */
#define DIOS_EXIT_NOEXEC	126	/* the program is not executable */
#define DIOS_EXIT_NOTFOUND	127	/* the program was not found */

#endif

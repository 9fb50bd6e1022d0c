/* splicestd: moves a line from a pipe to its stdout with splice, then
 * writes one: replay cannot show the spliced bytes (no event holds them)
 * and must say so.  Exits 17.
 */
#include "progs.h"
#include <fcntl.h>

int
main(void)
{
	int p[2];

	if (pipe(p) < 0 || write(p[1], "spliced line\n", 13) != 13)
		return 1;
	close(p[1]);
	if (splice(p[0], NULL, 1, NULL, 100, 0) != 13)
		return 2;
	printf("written after the splice\n");
	return 17;
}

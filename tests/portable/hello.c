/* hello.c: the program of tests/portable.sh: calls a function of its own
 * shared library, reads a file, and exits with a distinctive status. */
#include <stdio.h>

const char *greeting(void);

int
main(int argc, char **argv)
{
	char line[128] = "";
	FILE *f = fopen("input.txt", "r");

	if (f && fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	printf("%s from %s, %d args; input: %s", greeting(), argv[0], argc, line);
	return 7;
}

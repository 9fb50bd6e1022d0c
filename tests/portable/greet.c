/* greet.c: the shared library of tests/portable.sh.  GREETING is set at
 * build time, so two builds differ. */
#ifndef GREETING
#define GREETING "hello"
#endif
const char *
greeting(void)
{
	return GREETING;
}

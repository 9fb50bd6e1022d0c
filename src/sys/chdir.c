/* chdir.c: the chdir row's family. */
#include "config.h"
#include "sys/family.h"

/* chdir: replay changes the real directory too, when the recorded call
 * succeeded (it changes no file), so that a relative exec finds its file
 * by the name it gave, which a script's interpreter gets as its argument
 * (answer in src/replay/replay.c); the program gets the recorded result. */
static enum replay_mode
chdir_mode(const struct call *c)
{
	(void)c;
	return RM_RUN_KEEP;
}

const struct sc_family fam_chdir = { .mode = chdir_mode };

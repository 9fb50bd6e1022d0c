/* unshare.c: replay answers unshare from the trace and makes no namespace
 * (what the program saw in its new ones, the trace holds), except
 * CLONE_FILES: a task that stops sharing its descriptor table with others
 * is something replay's descriptor mirror does not follow, so a successful
 * one is refused. */
#include "config.h"
#include <sched.h>
#include "sys/capture.h"
#include "sys/family.h"

static const char *
unshare_refuse(const struct call *c)
{
	if (c->a[0] & CLONE_FILES)
		return "with CLONE_FILES it splits a descriptor table, which replay's mirror of "
		    "the descriptors does not follow";
	return NULL;
}

const struct sc_family fam_unshare = { .refuse = unshare_refuse };

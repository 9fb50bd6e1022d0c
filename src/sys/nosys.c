/* nosys.c: the row of every number <sys/syscall.h> does not name
 * (syscall(-1), syscall(9999), a number past the table, one a kernel newer
 * than the headers may have).  dios never runs such a call: at entry its
 * number is made -1, so the kernel does nothing and answers ENOSYS, when
 * recording as when replaying (where the answer is the trace's).  The event
 * is "nosys" with the number as its one input: {"nr":9999}. */
#include "config.h"
#include <errno.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include "sys/capture.h"
#include "sys/family.h"

static int
nosys_entry(pid_t tid, struct call *c)
{
	if (ptrace(PTRACE_POKEUSER, tid, offsetof(struct user_regs_struct, orig_rax), -1L) < 0)
		return -errno;
	return json_object_set_new(c->args, "nr", json_int64(c->nr)) < 0 ? -ENOMEM : 0;
}

const struct sc_family fam_nosys = { .entry = nosys_entry };

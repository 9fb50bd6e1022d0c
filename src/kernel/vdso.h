/* vdso.h: makes the vDSO's time entry points real system calls, so that
 * clock reads pass through the seccomp filter (DESIGN.md, "Processes").
 * Owner: src/kernel/vdso.c. */
#ifndef DIOS_VDSO_H
#define DIOS_VDSO_H
#include <stdint.h>
#include <sys/types.h>

/* Rewrites clock_gettime, gettimeofday, time, clock_getres and getcpu of
 * the vDSO of task tid (just after an exec) into stubs making the real
 * syscall, and getrandom into one failing with ENOSYS (so the C library
 * falls back to the syscall).  Returns the number of entry points patched,
 * 0 when the task has no vDSO, or -errno. */
int vdso_patch(pid_t tid);

/* An entry of the vDSO (by its name, "__vdso_clock_gettime") and the
 * address it is to jump to. */
struct vdso_jump {
	const char *name;
	uint64_t target;
};
/* Points the entries patched by vdso_patch that jumps names (ending with a
 * NULL name) at their targets, leaving their syscall instruction where it
 * was (fastpath.h).  Returns the number of entries redirected, or -errno. */
int vdso_redirect(pid_t tid, const struct vdso_jump *jumps);

#endif

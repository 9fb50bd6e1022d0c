/* tracee.h: control of a stopped task: registers, remote syscalls, auxv
 * (its memory: sys/mem.h).  Owner: src/kernel/tracee.c.  All functions return 0 / a count, or -errno.
 */
#ifndef DIOS_TRACEE_H
#define DIOS_TRACEE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>
#include "sys/mem.h"

int regs_get(pid_t tid, struct user_regs_struct *r);
int regs_set(pid_t tid, const struct user_regs_struct *r);
/* At a seccomp stop with registers at_entry: the call is not run, and
 * returns ret to the program. */
int call_skip(pid_t tid, const struct user_regs_struct *at_entry, long ret);

/* Waits for the next stop of tid only (used inside a call in progress).
 * Returns the waitpid status, or -errno; -ESRCH when the task died (then
 * *status holds its exit status if status is not NULL). */
int wait_stop(pid_t tid, int *status);

/* Runs system call nr with args in task tid, which is at a seccomp stop
 * (entry) of some call with registers at_entry; on return the task is at
 * the syscall-exit stop of the injected call, its result in *result.  The
 * task's registers are not restored: pass at_entry to remote_finish. */
int remote_syscall_at_entry(pid_t tid, const struct user_regs_struct *at_entry, long nr,
    const uint64_t args[6], long *result);
/* Runs another system call in a task that is at a syscall-exit stop, by
 * rewinding to the syscall instruction.  The task ends at that call's exit
 * stop.  *result is its result. */
int remote_syscall_again(pid_t tid, const struct user_regs_struct *saved,
    long nr, const uint64_t args[6], long *result);
/* Ends a remote sequence: restores saved (from the original seccomp stop)
 * with rax = ret, so the original call appears to return ret. */
int remote_finish(pid_t tid, const struct user_regs_struct *saved, long ret);

/* Writes n bytes below the red zone of the stack at sp and returns their
 * address there (scratch memory for remote calls). */
int scratch_put(pid_t tid, uint64_t sp, const void *p, size_t n, uint64_t *addr);

/* The value of auxv entry type for task tid (from /proc/tid/auxv). */
int auxv_get(pid_t tid, unsigned long type, uint64_t *val);
/* From /proc/tid/stat: the task's state letter (R running, S, Z zombie,
 * X dead...) into *state and the CPU it last ran on into *cpu, either NULL
 * when not wanted.  0, or -errno: -ENOENT when the task is gone. */
int task_stat(pid_t tid, char *state, unsigned *cpu);
/* Is the task gone, a zombie, or has it a SIGKILL pending (its group's
 * exit, by another thread, comes)?  stopped: dios holds it at a ptrace
 * stop, which only a SIGKILL ends without dios: running (R, D...) means
 * doomed too. */
bool task_doomed(pid_t tid, bool stopped);

/* At task tid's exit (its PTRACE_EVENT_EXIT stop), before the kernel walks
 * its robust futex list: the futex words of that list whose owner is vtid,
 * the id the program knows the task by (which replay's C library wrote
 * there), are made to name tid, so the kernel marks them FUTEX_OWNER_DIED
 * and wakes their waiters as it would have when recording.  Nothing when
 * vtid is tid.  0, or -errno. */
int robust_own(pid_t tid, pid_t vtid);
/* Is waitpid's status st a task's exit stop (PTRACE_EVENT_EXIT)? */
bool is_exit_stop(int st);

#endif

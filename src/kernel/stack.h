/* stack.h: call sites of a traced task: its stack unwound through ptrace and
 * symbolized, with elfutils' libdwfl (as strace -k does).  For the record
 * module ("stack" in an event: dios-trace(5)) and, later, dios-fuzz's triage
 * and error-path coverage.  Owner: src/kernel/stack.c.
 *
 * The task must be one dios traces, stopped at a ptrace stop (a seccomp
 * stop, a syscall exit stop, a signal stop).  One libdwfl session per process
 * is kept (its modules from /proc/PID/maps, their symbols and DWARF loaded
 * once); the caller says when it is stale.  Nothing here is fatal or prints:
 * errors come back as -errno (or NULL).  Not thread-safe (the event loop's
 * thread only).
 */
#ifndef DIOS_STACK_H
#define DIOS_STACK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

/* At most this many frames are unwound, and an unwind gives up (with the
 * frames it has) after STACK_MAX_MS milliseconds. */
#define STACK_MAX_FRAMES 32
#define STACK_MAX_MS 100

/* Unwinds the stack of stopped task tid into pcs (max entries, at most
 * STACK_MAX_FRAMES), innermost first.  Each entry is the frame's return
 * address, so that pc - 1 lies in the call instruction; the innermost frame
 * and a frame a signal interrupted have none, and get their exact pc plus
 * one instead (so pc - 1 is that instruction).  Returns the number of
 * frames (at least 1), or -errno: -ESRCH (no such task), -EINVAL (max < 1),
 * -ENOMEM, -EIO (libdwfl could not unwind even the first frame). */
int stack_unwind(pid_t tid, uint64_t *pcs, int max);

/* Names address pc - 1 of tid's process (pc as stack_unwind gives it) in buf
 * (n bytes, always NUL-terminated, cut to fit): "MODULE+0xOFF" always (the
 * mapped file's base name and the address in the file's own terms, as
 * addr2line takes it; "?+0xPC" outside any file), then " FUNCTION+0xOFF"
 * when a symbol covers it, then " (FILE:LINE)" when DWARF line information
 * does:  "flaky+0x1a2b t_dirorder+0x44 (tests/progs/flaky.c:181)".
 * Returns the length of the text, or -errno. */
int stack_symbolize(pid_t tid, uint64_t pc, char *buf, size_t n);

/* The stack of tid (at most max frames) as a new JSON array of
 * stack_symbolize's strings, innermost first (caller owns it); NULL on any
 * failure. */
json_t *stack_json(pid_t tid, int max);

/* The process of task pid changed its mappings (a file mapped or unmapped, a
 * library loaded): its modules are read again at the next unwind (those
 * that did not change keep their loaded symbols). */
void stack_remap(pid_t pid);

/* Forgets what is kept for task pid: the task exited or its process
 * exec'd.  When pid is a process's id (a leader, or the thread that
 * exec'd), its process's session is closed too. */
void stack_forget(pid_t pid);

/* Whether names carry " (FILE:LINE)", and symbols and lines come from
 * separate debug files too (default: on).  Off for a caller that unwinds
 * once or twice in a fresh process (dios-replay --mutate), where reading a
 * library's debug file is most of the cost: the symbols of the mapped
 * files alone. */
void stack_lines(bool on);

/* Forgets everything (at the end of a run). */
void stack_forget_all(void);

#endif

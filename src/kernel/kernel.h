/* kernel.h: the supervisor ("kernel") of dios: tasks, calls, the module
 * stack and the event loop.  See DESIGN.md, "Processes" and "Kernel
 * components".  Owner: src/kernel/loop.c (loop, stack), task.c (tasks),
 * sched.c (the serial schedule).
 *
 * A run is: spawn the program (spawn.c), then kernel_run(): every ptrace
 * stop of every task goes down the module stack
 *   policy -> proxy | replay -> stub
 * Library code returns -errno and leaves messages to src/cli/.
 */
#ifndef DIOS_KERNEL_H
#define DIOS_KERNEL_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>
#include <jansson.h>
#include "sys/call.h"

enum task_state {
	TS_STARTING,	/* spawned, before its first exec completes */
	TS_NEW,		/* a new child: held stopped until its parent's clone event */
	TS_RUNNING,	/* running native code */
	TS_IN_CALL,	/* between seccomp stop and syscall exit stop */
	TS_PARKED,	/* held at a stop until its turn comes (replay order) */
	TS_DEAD,
};

struct task {
	pid_t tid;		/* real thread id */
	pid_t vtid;		/* the id the trace knows it by */
	pid_t exec_vtid;	/* an exec by a thread, which took its leader's ids: the
			 * vtid it made the call with (its event's), until written */
	enum task_state state;
	struct call call;	/* the call in progress */
	void *mod;		/* per-task state of the proxy or replay module (freed with the task) */
	struct module *claimed;	/* the module handling the call in progress */
	int park_sig;		/* TS_PARKED at a signal stop: the signal; 0: at a seccomp stop */
	bool stopped;		/* TS_NEW: its first stop was seen */
	bool announced;		/* TS_NEW: its parent's clone event was seen */
	pid_t ptid;		/* real tid of the task that created it; 0 for the root */
	bool dying;		/* dios sent it SIGKILL: held as it is until its end */
	bool cpuid_pending;	/* it exec-ed: cpuid faulting is turned on at its
				 * first seccomp stop (cpuid.h) */
	/* vfork (CLONE_VFORK): the child's tid on the parent, the parent's on
	 * the child, until the child's exec call has been handled in full or
	 * the child is gone.  The kernel lets the parent go as the child's
	 * exec takes its memory away, before dios has seen the exec end: the
	 * parent is held at its call's exit stop (held) until then, so that
	 * the child's execve comes before the parent's next call in the
	 * trace, as it did happen. */
	pid_t vfork_child, vfork_parent;
	bool vfork_exec;	/* the child: its exec happened, its exit stop comes */
	/* serial: a vfork parent whose child's exec call runs (recorded, or
	 * matched in replay; loop.c, vfork_exec_begins) or that its child let
	 * go (the exec handled, or the child gone), and whose call's exit
	 * stop is not handled yet: the other tasks of its group wait for it,
	 * and it goes first, as soon as no task of the group runs (sched.c,
	 * first_due).  No event marks where the parent's code goes on, so the
	 * place must follow from the trace: right after the child's exec, in
	 * record and replay alike. */
	bool vfork_resume;
	bool listening;		/* in a group stop (SIGSTOP...), left stopped with
				 * PTRACE_LISTEN until SIGCONT: it runs no code, so it
				 * holds no turn (serial) */
	bool held;		/* a stop waits (held_status): a vfork parent, or serial */
	int held_status;
	/* serial (struct kernel): the task's group of tasks that share its
	 * memory (its thread group: the leader's tid; 0 before its parent's
	 * clone event), the order its held stop came in, and whether a call
	 * it is in keeps the group's turn (a module's enter hook sets it for
	 * V_EXIT_STOP: replay's calls that run for real and cannot wait on
	 * another task of the group). */
	pid_t group;
	uint64_t held_seq;
	bool keep_turn;
	bool deferred;		/* k->pick sent its call after the others' (the module
				 * handling it may say so; it clears it) */
	struct task *next;
};

struct kernel;

/* What a module's enter hook decided. */
enum verdict {
	V_PASS,		/* not mine: next module */
	V_RESUME,	/* handled; resume without an exit stop */
	V_EXIT_STOP,	/* let the call run; call my exit hook at syscall exit */
	V_STOP,		/* the run must stop; the module keeps the reason for the CLI */
	V_PARK,		/* not this task's turn: hold it stopped (see due) */
};

/* A signal hook's answer that holds the task at its signal stop. */
#define SIG_PARK (-1)

struct module {
	const char *name;
	enum verdict (*enter)(struct module *m, struct kernel *k, struct task *t);
	/* At syscall exit, for calls this module asked V_EXIT_STOP for. */
	int (*exit)(struct module *m, struct kernel *k, struct task *t);
	/* The task completed an exec (PTRACE_EVENT_EXEC stop). */
	int (*exec)(struct module *m, struct kernel *k, struct task *t);
	/* A signal is about to be delivered to t; return the signal to deliver
	 * (0 to suppress). */
	int (*signal)(struct module *m, struct kernel *k, struct task *t, int sig);
	/* parent created child (fork, vfork, clone): at the parent's ptrace
	 * event stop, before the child runs; the module sets child->vtid. */
	int (*clone)(struct module *m, struct kernel *k, struct task *parent, struct task *child);
	/* The new child is about to run for the first time. */
	int (*start)(struct module *m, struct kernel *k, struct task *child);
	/* The vtid of the task whose turn it is, or 0 when the order does not
	 * say (a module that orders tasks: replay).  Parked tasks are woken
	 * with it. */
	pid_t (*due)(struct module *m, struct kernel *k);
	/* Every task is parked: nobody can move (a module that parks must
	 * explain and stop the run, or free its order so that due names a
	 * parked task, which then goes on). */
	void (*stalled)(struct module *m, struct kernel *k);
	/* The task is gone: status as from waitpid. */
	void (*task_exit)(struct module *m, struct kernel *k, struct task *t, int status);
	/* The task is forgotten (task_free: after task_exit, or when the run
	 * is stopped and the tasks killed): release what t->mod holds; the
	 * kernel frees t->mod itself. */
	void (*task_release)(struct module *m, struct task *t);
	void *state;
};

#define KERNEL_MAX_MODULES 4

struct kernel {
	struct module *stack[KERNEL_MAX_MODULES];
	int nmodules;
	struct task *tasks;
	pid_t root;			/* real pid of the program */
	int root_status;		/* waitpid status of the root, when it ended */
	bool root_done;
	bool stop;			/* a module asked to stop the run */
	int interrupted;		/* the fatal signal (SIGTERM...) that ended the run; 0: none */
	bool killing;			/* every task is being killed: none runs on */
	bool cpuid_off;			/* the processor cannot fault cpuid (cpuid.h): it
					 * runs as it is */
	int (*tick)(struct kernel *k);	/* called at least every second */
	void *tick_arg;
	/* The one-at-a-time schedule: of the tasks that share memory (a
	 * thread group), one at a time runs its own code, from a stop to its
	 * next stop; the others' stops wait (held) and are handled in the
	 * order they came (replay's order then parks those whose turn it is
	 * not).  So the threads' memory races between calls go one way, the
	 * same in record and replay.  A task in a call the kernel runs (a
	 * blocking futex, read...) does not hold the turn.  A task that runs
	 * two ticks (seconds) without a stop while others wait loses the turn
	 * (a spin loop), and serial_lost counts it. */
	bool serial;
	unsigned serial_lost;
	/* A task killed inside a fork leaves a child no clone event announces:
	 * true, it is killed (replay: the recording has its end); false, it
	 * runs on as a process of its own (record). */
	bool kill_orphans;
	/* dios-record --at-exit kill: when the root ends, the tasks it left
	 * are killed and the run ends (left_killed counts them); false: they
	 * are waited for. */
	bool end_with_root;
	unsigned left_killed;
	struct sgroup *groups;
	uint64_t held_next;
	/* Serial: at a call's entry of the task that ran while others of its
	 * group wait, pick(pick_arg, 2) == 1 sends it after them (dios-record
	 * --chaos: another order of the threads' calls); NULL: it goes first. */
	unsigned (*pick)(void *arg, unsigned n);
	void *pick_arg;
};

/* Does sig stop a process by default (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU):
 * the signals of a group stop (loop.c), which replay acts out itself
 * (src/replay/signals.c). */
static inline bool
kernel_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Tasks (task.c). */
struct task *task_new(struct kernel *k, pid_t tid);
struct task *task_find(struct kernel *k, pid_t tid);
struct task *task_find_vtid(struct kernel *k, pid_t vtid);
void task_free(struct kernel *k, struct task *t);

/* Pushes m at the bottom of the stack. */
void kernel_push(struct kernel *k, struct module *m);

/* Runs the event loop until every task is gone or a module stops the run.
 * A first SIGTERM or SIGHUP to dios is passed on to the program; after
 * one of SIGTERM, SIGHUP, SIGINT or SIGQUIT the run ends with the program
 * (k->interrupted), a second kills the tree at once.  No task outlives
 * kernel_run: those left are killed and reaped before it returns.  Returns
 * 0 or -errno (a ptrace failure). */
int kernel_run(struct kernel *k);

/* Sends SIGKILL to t, a task of the table, by its real tid (its whole
 * process dies); from then on the loop runs no hook for its stops and waits
 * for its end.  A task the table holds cannot have been reaped, so the tid
 * is t's and no one else's.  A module's hook may kill the task whose stop
 * it handles only as it lets it go on (V_RESUME): its registers can no
 * longer be read or set. */
void kernel_kill_task(struct kernel *k, struct task *t);

/* Kills every task (SIGKILL), and any task or child of dios that shows up
 * meanwhile, and reaps them all. */
void kernel_kill_all(struct kernel *k);

/* Exit status of a waitpid status for scripts: the code, or 128+signal. */
int status_to_exit(int status);

#endif

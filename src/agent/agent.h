/* agent.h: the in-process agent's layout, shared by the agent itself
 * (agent.c, freestanding: no libc) and by dios (src/kernel/fastpath.c maps
 * it into tasks and patches call sites; src/proxy/fast.c drains what it
 * recorded; src/replay/fast.c fills what it answers).  Owner: this folder.
 * Only <stdint.h> and <asm/unistd.h> here: the agent is built without the
 * C library.
 *
 * The agent is a few kilobytes of code dios maps at AGENT_BASE into a
 * process the first time one of its tasks makes a fast call (AGENT_CALLS),
 * with a page of the process's own (struct agent_local) and a ring of
 * events in memory shared with dios (one memfd of dios's, mapped at
 * AGENT_RING in every process of the run, so the ring's order is the one
 * order of all the tasks' fast calls).  The vDSO's clock entries jump to
 * the agent, and so do the C library's wrappers of the other fast calls,
 * once dios has patched them (fastpath_patch).  The agent makes the call
 * itself from its one allowed system-call instruction (the seccomp filter
 * lets that address through, and traces the same calls from anywhere
 * else) and writes the call and its result into the ring; dios turns the
 * ring's slots into events at its next stop, before any event of its own
 * (src/agent/README).  In replay the agent answers them instead, from a
 * queue per task that dios fills at the task's stops with the recorded
 * calls that come next.
 */
#ifndef DIOS_AGENT_H
#define DIOS_AGENT_H
#include <stdint.h>
#include <asm/unistd.h>

#define AGENT_BASE	0x7d1000000000ULL	/* the code (read, execute) */
#define AGENT_CODE_MAX	0x4000ULL		/* room for the code */
#define AGENT_LOCAL	(AGENT_BASE + AGENT_CODE_MAX)	/* struct agent_local */
#define AGENT_LOCAL_SIZE 0x1000ULL
#define AGENT_RING	(AGENT_BASE + 0x10000ULL)	/* the shared ring */
#define AGENT_SLOTS	16384u			/* a power of two */
#define AGENT_DATA	(16u << 20)		/* record: bytes of outputs, a power of two */
#define AGENT_IO_MAX	(256u << 10)		/* the largest read the agent makes */
#define AGENT_MAGIC	0x32746e6567612d64ULL	/* "d-agent2" */

/* The fast calls, the agent's entry for each (clock: the vDSO's entry
 * points; the others: patched call sites, agent_entry), and what dios and
 * the agent must agree on about each.  One table for the filter (which
 * calls the second filter traces unless made by the agent), the agent
 * (what it records and answers), record (the slot's outputs) and replay
 * (which events it queues). */
#define AGENT_CALLS(X) \
	X(clock_gettime) X(gettimeofday) X(time) X(gettid) \
	X(read) X(pread64) X(lseek) X(fstat) X(newfstatat) X(fadvise64)

/* The argument that points where call nr writes its output, or -1. */
static inline int
agent_out_arg(long nr)
{
	switch (nr) {
	case __NR_clock_gettime: case __NR_read: case __NR_pread64: case __NR_fstat:
		return 1;
	case __NR_gettimeofday: case __NR_time:
		return 0;
	case __NR_newfstatat:
		return 2;
	}
	return -1;
}

/* The arguments of call nr the agent compares with a queued answer's
 * (bit i: argument i) in replay: the descriptor, the size, the offset
 * and whence, the clock, the flags; never the output pointer. */
static inline unsigned
agent_match_args(long nr)
{
	switch (nr) {
	case __NR_clock_gettime: case __NR_fstat:
		return 1u << 0;
	case __NR_read:
		return 1u << 0 | 1u << 2;
	case __NR_pread64:
		return 1u << 0 | 1u << 2 | 1u << 3;
	case __NR_lseek:
		return 1u << 0 | 1u << 1 | 1u << 2;
	case __NR_fadvise64:
		return 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3;
	case __NR_newfstatat:
		return 1u << 0 | 1u << 3;
	}
	return 0;
}

/* The calls on a descriptor (the data calls): the agent takes them only on
 * descriptors dios marked in agent_local when recording, and only from a
 * patched call site (the clock calls come from the vDSO). */
static inline int
agent_is_data_call(long nr)
{
	return nr == __NR_read || nr == __NR_pread64 || nr == __NR_lseek ||
	    nr == __NR_fstat || nr == __NR_newfstatat || nr == __NR_fadvise64;
}

/* The process's own page (private: a fork copies it with the descriptor
 * table).  Bit fd of fd_ok: dios knows descriptor fd for a regular file
 * on a local file system (src/proxy/direct.c), which the agent may read,
 * seek and stat itself when recording.  dios sets a bit at a direct call
 * and clears it before any call that may close or replace the number. */
#define AGENT_FDS ((unsigned)((AGENT_LOCAL_SIZE - 64) * 8))
struct agent_local {
	uint8_t fd_ok[AGENT_LOCAL_SIZE - 64];
	/* dios's: where the process's call-site stubs are (0: none yet,
	 * src/kernel/patch.c) and the offset of the next one */
	uint64_t stubs;
	uint32_t stub_next;
	uint32_t pad[13];
};

/* One fast call: taken by the agent (its tid, then stamp AGENT_TAKEN(pos)),
 * written, committed by setting stamp to its position + 1, read and
 * released by dios.  A slot taken by a task that died before committing
 * it (exit_group from another thread, SIGKILL) is let go by dios at the
 * task's end.  A data call's output is in the ring's data, from doff (a
 * position: data[doff % AGENT_DATA]) for dlen bytes; its reservation,
 * dsize bytes from dpos, is freed with the slot. */
#define AGENT_TAKEN(pos) (((pos) + 1) | (1ULL << 63))
#define AGENT_VOID (-1)		/* nr of a slot that holds no call */
struct agent_slot {
	uint64_t stamp;
	int32_t tid;		/* the task's real tid (gettid) */
	int32_t nr;		/* the system call, or AGENT_VOID */
	uint64_t a[6];		/* its arguments */
	int64_t ret;		/* its result: >= 0 or -errno */
	uint64_t dpos;		/* its reservation of the data: position */
	uint32_t dsize;		/* and bytes */
	uint32_t dlen;		/* bytes of output at doff */
	uint64_t doff;
	uint8_t out[24];	/* a clock call's output (at a[agent_out_arg]) */
	uint8_t pad[8];
};

/* Replay: one recorded call the agent may answer, if the task makes it
 * with these inputs (agent_match_args); its output, nout bytes, is at doff
 * in the queue's data. */
struct agent_answer {
	int32_t nr;
	uint32_t nout;		/* bytes to write at the output pointer */
	uint64_t a[4];
	int64_t ret;
	uint64_t seq;		/* the event's seq (dios checks it back) */
	uint32_t doff;
	uint32_t pad;
};

#define AGENT_QLEN 64
#define AGENT_QUEUES 128
#define AGENT_QDATA (512u << 10)	/* bytes of outputs a queue holds */

/* Replay: a task's queue.  dios writes it while the task is stopped; the
 * task's agent reads it and counts what it used while the task runs. */
struct agent_queue {
	int32_t tid;		/* real tid; 0: free (the end of a probe), -1: was used */
	uint32_t n;		/* answers in ev */
	uint32_t used;		/* answers the agent gave */
	uint32_t pad;
	struct agent_answer ev[AGENT_QLEN];
};

#define AGENT_RECORD 1
#define AGENT_REPLAY 2

struct agent_ring {
	uint64_t magic;
	uint64_t pad0;
	/* The next slot position and the next data position: the agents
	 * take both at once (a 16-byte compare and swap), so data is taken
	 * in the order of the slots and freed in it. */
	uint64_t head __attribute__((aligned(16)));
	uint64_t dhead;
	uint64_t tail;		/* the first slot position dios has not read (dios) */
	uint64_t dtail;		/* the first data position not freed (dios) */
	uint32_t on;		/* AGENT_RECORD, AGENT_REPLAY; 0: every call slow */
	uint32_t slow_every;	/* a slow call every this many positions (0: never) */
	uint64_t fast;		/* calls the agents recorded (statistics) */
	uint64_t slow;		/* calls they sent the slow way */
	struct agent_slot slot[AGENT_SLOTS] __attribute__((aligned(4096)));
	uint8_t data[AGENT_DATA];
	struct agent_queue q[AGENT_QUEUES];
	uint8_t qdata[AGENT_QUEUES][AGENT_QDATA];
};

#define AGENT_RING_SIZE ((sizeof(struct agent_ring) + 4095) & ~4095ULL)

#endif

/* agent.h: the in-process agent's layout, shared by the agent itself
 * (agent.c, freestanding: no libc) and by dios (src/kernel/fastpath.c maps
 * it into tasks; src/proxy/fast.c drains what it recorded).  Owner: this
 * folder.  Only <stdint.h> here: the agent is built without the C library.
 *
 * The agent is a few hundred bytes of code dios maps at AGENT_BASE into a
 * process the first time one of its tasks reads a clock, with a ring of
 * events in memory shared with dios (one memfd of dios's, mapped at
 * AGENT_RING in every process of the run, so the ring's order is the one
 * order of all the tasks' fast calls).  The vDSO's clock entries jump to
 * the agent, which makes the call itself from its one allowed system-call
 * instruction (the seccomp filter lets that address through, and traces
 * the same calls from anywhere else) and writes the call and its result
 * into the ring; dios turns the ring's slots into events at its next stop,
 * before any event of its own (src/agent/README).  In replay the agent
 * answers them instead, from a queue per task that dios fills at the
 * task's stops with the recorded calls that come next.
 */
#ifndef DIOS_AGENT_H
#define DIOS_AGENT_H
#include <stdint.h>

#define AGENT_BASE	0x7d1000000000ULL	/* the code (read, execute) */
#define AGENT_CODE_MAX	0x4000ULL		/* room for the code */
#define AGENT_RING	(AGENT_BASE + 0x10000ULL)	/* the shared ring */
#define AGENT_SLOTS	16384u			/* a power of two */
#define AGENT_MAGIC	0x31746e6567612d64ULL	/* "d-agent1" */

/* One fast call: taken by the agent (its tid, then stamp AGENT_TAKEN(pos)),
 * written, committed by setting stamp to its position + 1, read and
 * released by dios.  A slot taken by a task that died before committing
 * it (exit_group from another thread, SIGKILL) is let go by dios at the
 * task's end. */
#define AGENT_TAKEN(pos) (((pos) + 1) | (1ULL << 63))
struct agent_slot {
	uint64_t stamp;
	int32_t tid;		/* the task's real tid (gettid) */
	int32_t nr;		/* the system call */
	uint64_t a[2];		/* its first two arguments */
	int64_t ret;		/* its result: >= 0 or -errno */
	uint8_t out[24];	/* what it wrote at its pointer (a[1], or a[0]) */
};

/* Replay: one recorded call the agent may answer, if the task makes it
 * with these inputs. */
struct agent_answer {
	int32_t nr;
	uint32_t nout;		/* bytes of out to write at the output pointer */
	uint64_t a0;		/* clock_gettime's clock; 0 for the others */
	int64_t ret;
	uint64_t seq;		/* the event's seq (dios checks it back) */
	uint8_t out[24];
};

#define AGENT_QLEN 64
#define AGENT_QUEUES 128

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
	uint64_t head;		/* the next position to take (agents) */
	uint64_t tail;		/* the first position dios has not read (dios) */
	uint32_t on;		/* AGENT_RECORD, AGENT_REPLAY; 0: every call slow */
	uint32_t slow_every;	/* a slow call every this many positions (0: never) */
	uint64_t fast;		/* calls the agents recorded (statistics) */
	uint64_t slow;		/* calls they sent the slow way */
	uint8_t pad[4096 - 48];
	struct agent_slot slot[AGENT_SLOTS];
	struct agent_queue q[AGENT_QUEUES];
};

#define AGENT_RING_SIZE ((sizeof(struct agent_ring) + 4095) & ~4095ULL)

#endif

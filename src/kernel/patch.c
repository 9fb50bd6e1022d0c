/* patch.c: system-call sites of the program's code patched to call the
 * agent (fastpath.h: fastpath_patch), so that their calls make no stop.
 *
 * A site is patched at a seccomp stop of a data call made there, when its
 * process has the agent and every other task of it is stopped where dios
 * knows (at a stop, or in a call whose exit stop comes before it runs any
 * code), outside the bytes rewritten, and only in one of the shapes C
 * libraries' wrappers have:
 *   mov $nr,%eax; syscall     the mov becomes a jump to the stub, which
 *                             sets eax itself; the syscall instruction
 *                             stays, for code that jumps to it
 *   syscall; cmp $-4096,%rax  (or $-4095, or cmp $-4096,%eax) both become
 *                             the jump; the stub makes the cmp after the
 *                             call
 * The stub, one per site, in an area of the process's own above its other
 * mappings and below the reach of its stack (within 2 GiB of the C
 * library, as a jump needs), steps below the red zone, calls agent_entry
 * (which takes any call: those it does not make go out the slow way) and
 * jumps back after the patched bytes.  Forked children inherit the
 * patches and the stubs; an exec drops both.
 */
#include "config.h"
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "agent/blob.h"
#include "kernel/fastpath.h"
#include "kernel/kernel.h"
#include "kernel/tracee.h"
#include "sys/mem.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define STUB_AREA 0x10000ULL	/* bytes of stubs per process */
#define STUB_MAX 48		/* the longest stub */
#define LOCAL_STUBS (AGENT_LOCAL + offsetof(struct agent_local, stubs))

/* Could b be a prefix of the instruction that seems to start after it? */
static bool
prefix_byte(uint8_t b)
{
	return (b >= 0x40 && b <= 0x4f) || b == 0x66 || b == 0x67 || b == 0xf0 ||
	    b == 0xf2 || b == 0xf3;
}

/* Where the process of task tid may have its stubs: above all its
 * mappings but the stack, beyond what its stack may grow to.  0, or
 * -ENOSPC. */
static int
stub_place(pid_t tid, uint64_t *addr)
{
	char path[64], line[512];
	uint64_t stack_lo = 0, stack_hi = 0, top = 0;
	struct rlimit rl;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/maps", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	while (fgets(line, sizeof line, f)) {
		unsigned long long lo, hi;
		if (sscanf(line, "%llx-%llx", &lo, &hi) != 2)
			continue;
		if (strstr(line, "[stack]")) {
			stack_lo = lo;
			stack_hi = hi;
		}
	}
	rewind(f);
	while (fgets(line, sizeof line, f)) {
		unsigned long long lo, hi;
		if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && hi <= stack_lo && hi > top)
			top = hi;
	}
	fclose(f);
	if (stack_hi == 0 || prlimit((pid_t)tid, RLIMIT_STACK, NULL, &rl) < 0 ||
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > stack_hi)
		return -ENOSPC;
	uint64_t at = ((top + 0xffff) & ~0xffffULL) + 0x10000;
	/* the stack's own reach, and the kernel's guard gap below it */
	uint64_t reach = stack_hi - rl.rlim_cur - (1ULL << 20);
	if (at + STUB_AREA > reach || at + STUB_AREA > stack_lo)
		return -ENOSPC;
	*addr = at;
	return 0;
}

static bool
near(uint64_t from, uint64_t to)
{
	int64_t d = (int64_t)(to - from);

	return d > INT32_MIN / 2 && d < INT32_MAX / 2;
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* May task o, another of the process, meet bytes at..at+len-1 rewritten
 * while dios writes them, or come back into them?  Not when it is
 * stopped, or in a call with an exit stop to come, with its instruction
 * pointer at at or outside them. */
static bool
in_the_way(const struct task *o, uint64_t at, size_t len)
{
	struct user_regs_struct r;
	uint64_t ip;

	switch (o->state) {
	case TS_IN_CALL:
		ip = o->call.regs.rip;	/* where it returns to */
		break;
	case TS_PARKED: case TS_NEW:
		if (regs_get(o->tid, &r) < 0)
			return true;
		ip = r.rip;
		break;
	case TS_DEAD:
		return false;
	default:
		if (!o->held && !o->listening)
			return true;	/* running code of its own */
		if (regs_get(o->tid, &r) < 0)
			return true;
		ip = r.rip;
		break;
	}
	return ip > at && ip < at + len;
}

int
fastpath_patch(pid_t tid, const struct user_regs_struct *at_entry, struct task *const *others,
    size_t nothers, bool *rewound)
{
	uint64_t site = at_entry->rip - 2, at, back, stub;
	uint8_t b[16], code[STUB_MAX], jump[8];
	size_t n = 0, len, keep = 0;
	bool set_nr;
	struct { uint64_t stubs; uint32_t next; } area;
	int e;

	*rewound = false;
	if (site >= AGENT_BASE && site < AGENT_RING + AGENT_RING_SIZE)
		return 0;	/* the agent's own slow call */
	if (mem_read(tid, site - 8, b, sizeof b) < 0 || b[8] != 0x0f || b[9] != 0x05)
		return 0;	/* no syscall instruction (the vsyscall page) */
	uint32_t nr32;
	memcpy(&nr32, b + 4, 4);
	static const uint8_t cmp64a[] = { 0x48, 0x3d, 0x00, 0xf0, 0xff, 0xff };
	static const uint8_t cmp64b[] = { 0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff };
	static const uint8_t cmp32[] = { 0x3d, 0x00, 0xf0, 0xff, 0xff };
	if (b[3] == 0xb8 && nr32 == (uint32_t)at_entry->orig_rax && !prefix_byte(b[2])) {
		at = site - 5;		/* mov $nr,%eax; syscall */
		len = 5;
		back = site + 2;
		set_nr = true;
	} else if (b[3] == 0xe9) {
		/* a jump just before: a site patched the first way, reached by
		 * a task that had made the mov before it was (the stub comes
		 * back after the syscall instruction, which must stay) */
		return 0;
	} else if (!memcmp(b + 10, cmp64a, 6) || !memcmp(b + 10, cmp64b, 6)) {
		at = site;		/* syscall; cmp $-4096,%rax */
		len = 8;
		keep = 6;
		back = site + 8;
		set_nr = false;
	} else if (!memcmp(b + 10, cmp32, 5)) {
		at = site;		/* syscall; cmp $-4096,%eax */
		len = 7;
		keep = 5;
		back = site + 7;
		set_nr = false;
	} else
		return 0;
	for (size_t i = 0; i < nothers; i++)
		if (in_the_way(others[i], at, len))
			return 0;	/* another time */

	if (mem_read(tid, LOCAL_STUBS, &area, sizeof area) < 0)
		return -EFAULT;	/* no agent */
	bool made = false;
	struct user_regs_struct r = *at_entry;
	if (area.stubs == 0) {
		uint64_t place = 0;
		long got;
		if ((e = stub_place(tid, &place)) < 0)
			return e;
		if (!near(place, site))
			return 0;
		const uint64_t args[6] = { place, STUB_AREA, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0 };
		if ((e = remote_syscall_at_entry(tid, at_entry, SYS_mmap, args, &got)) < 0)
			return e;
		made = true;	/* the task is now at that call's exit */
		if ((uint64_t)got != place) {
			if (got >= 0 || got < -4095) {
				const uint64_t un[6] = { (uint64_t)got, STUB_AREA, 0, 0, 0, 0 };
				long ignored;
				remote_syscall_again(tid, at_entry, SYS_munmap, un, &ignored);
			}
			e = -ENOSPC;
			goto rewind;
		}
		area.stubs = place;
		area.next = 0;
	}
	stub = area.stubs + area.next;
	if (area.next + STUB_MAX > STUB_AREA || !near(stub, at) || !near(stub, back)) {
		e = 0;
		goto rewind;
	}

	/* the stub */
	static const uint8_t below[] = { 0x48, 0x8d, 0x64, 0x24, 0x80 };	/* lea -0x80(%rsp),%rsp */
	static const uint8_t above[] = { 0x48, 0x8d, 0xa4, 0x24, 0x80, 0, 0, 0 };	/* lea 0x80(%rsp),%rsp */
	memcpy(code + n, below, sizeof below);
	n += sizeof below;
	if (set_nr) {
		code[n++] = 0xb8;	/* mov $nr,%eax */
		put32(code + n, nr32);
		n += 4;
	}
	uint64_t entry = AGENT_BASE + agent_entry_off;
	code[n++] = 0x49;	/* movabs $entry,%r11 */
	code[n++] = 0xbb;
	memcpy(code + n, &entry, 8);
	n += 8;
	code[n++] = 0x41;	/* call *%r11 */
	code[n++] = 0xff;
	code[n++] = 0xd3;
	memcpy(code + n, above, sizeof above);
	n += sizeof above;
	memcpy(code + n, b + 10, keep);	/* the cmp after the syscall */
	n += keep;
	code[n++] = 0xe9;	/* jmp back */
	put32(code + n, (uint32_t)(int32_t)(back - (stub + n + 4)));
	n += 4;
	/* the jump at the site */
	jump[0] = 0xe9;
	put32(jump + 1, (uint32_t)(int32_t)(stub - (at + 5)));
	memset(jump + 5, 0x90, sizeof jump - 5);

	area.next += (uint32_t)((n + 15) & ~15u);
	if ((e = mem_write(tid, stub, code, n)) < 0 ||
	    (e = mem_write(tid, LOCAL_STUBS, &area, sizeof area)) < 0 ||
	    (e = mem_write(tid, at, jump, len)) < 0)
		goto rewind;
	e = 1;
rewind:
	if (!made && e <= 0)
		return e;	/* still at the seccomp stop, untouched */
	/* The call again, through the patch when there is one (else from
	 * its syscall instruction): this one is not made. */
	r.rip = e == 1 ? at : site;
	r.rax = r.orig_rax;
	r.orig_rax = (uint64_t)-1;
	*rewound = true;
	{
		int e2 = regs_set(tid, &r);
		return e2 < 0 ? e2 : e;
	}
}

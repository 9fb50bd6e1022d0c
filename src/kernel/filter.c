/* filter.c: the seccomp filter.  Default action: trace.  Allowed natively
 * only what cannot reach the environment. */
#include "config.h"
#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <seccomp.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include "kernel/filter.h"
#include "agent/agent.h"
#include "sys/systable.h"

/* Calls that stay inside the process: memory management, futexes, signal
 * masks and handlers, thread bookkeeping, exit.  Keep this list short;
 * anything not here is seen by the supervisor. */
const char *const filter_native[] = {
	"brk", "munmap", "mprotect", "mremap", "madvise", "mlock", "mlock2",
	"munlock", "mlockall", "munlockall", "mincore", "pkey_mprotect",
	"pkey_alloc", "pkey_free", "membarrier",
	"futex", "futex_waitv", "set_robust_list", "get_robust_list",
	"arch_prctl",
	"rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "sigaltstack",
	"sched_yield",
	"exit", "exit_group",
	NULL
};

/* The calls of the agent's fast path (agent.h's AGENT_CALLS): allowed by
 * the first filter, and traced by the second unless made at the agent's
 * one system call instruction. */
#define FAST_NR(name) SYS_##name,
static const int fast_calls[] = { AGENT_CALLS(FAST_NR) };
#define NFAST (sizeof fast_calls / sizeof fast_calls[0])

static bool
is_fast(int nr, uint64_t fast_site)
{
	for (size_t i = 0; fast_site && i < NFAST; i++)
		if (fast_calls[i] == nr)
			return true;
	return false;
}

/* The second filter, in BPF by hand (libseccomp compares arguments, not
 * the instruction pointer): for the fast calls, allow at the agent's
 * site and trace anywhere else; allow the rest (the first filter's action
 * stands: the stricter of the two wins). */
static int
load_site_filter(uint64_t site)
{
	struct sock_filter f[NFAST + 12];
	size_t n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* each fast call jumps past the others and the allow, to the site test */
	for (size_t i = 0; i < NFAST; i++)
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)fast_calls[i],
		    (uint8_t)(NFAST - i), 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, instruction_pointer) + 4);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(site >> 32), 0, 3);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, instruction_pointer));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)site, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

/* Numbers with the x32 bit (0x40000000), syscall(-5) among them: the
 * kernel's x32 calls, which kernels built without x32 (nearly all) answer
 * ENOSYS like any number they do not have.  Traced (the default action,
 * no rule): the supervisor's table has no row for them, so they take the
 * "nosys" row and are never run (src/sys/nosys.c), recorded and replayed
 * with ENOSYS.  Without this section libseccomp's arch check would treat
 * them as another ABI's (SIGSYS). */
static int
add_x32(scmp_filter_ctx ctx)
{
	scmp_filter_ctx x;
	int r;

	if ((x = seccomp_init(SCMP_ACT_TRACE(0))) == NULL)
		return -ENOMEM;
	seccomp_attr_set(x, SCMP_FLTATR_API_SYSRAWRC, 1);
	if ((r = seccomp_attr_set(x, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP)) < 0 ||
	    (r = seccomp_arch_remove(x, SCMP_ARCH_NATIVE)) < 0 ||
	    (r = seccomp_arch_add(x, SCMP_ARCH_X32)) < 0) {
		seccomp_release(x);
		return r;
	}
	if ((r = seccomp_merge(ctx, x)) < 0)	/* releases x when it succeeds */
		seccomp_release(x);
	return r;
}

int
filter_load(bool serial, uint64_t fast_site)
{
	scmp_filter_ctx ctx;
	int r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if ((ctx = seccomp_init(SCMP_ACT_TRACE(0))) == NULL)
		return -ENOMEM;
	/* The kernel's own errno when loading fails (EPERM, EACCES...), not
	 * libseccomp's ECANCELED. */
	seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	/* A call of another ABI (int $0x80's i386 calls) is no row of
	 * the table: SIGSYS, which the record module turns into a message
	 * naming the call, instead of the program killed without a word. */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP)) < 0)
		goto out;
	for (const char *const *n = filter_native; *n; n++) {
		int nr = seccomp_syscall_resolve_name(*n);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this kernel's headers */
		const struct sc_desc *sc = sc_by_nr(nr);
		if (serial && sc && (sc->flags & SC_SERIAL))
			continue;	/* traced: its row below */
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) < 0)
			goto out;
	}
	/* Restartable sequences are refused (ENOSYS, as rr does): the kernel
	 * writes the CPU number into the rseq area, where the C library reads
	 * it for sched_getcpu() without any call dios could see.  Without
	 * rseq the C library asks getcpu, which is recorded. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(rseq), 0)) < 0)
		goto out;
	/* clone3 is refused the same way: the C library then uses clone,
	 * whose arguments are registers (dios reads and rewrites the tid
	 * pointers of new tasks; see replay.c). */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) < 0)
		goto out;
	/* Private anonymous memory: mmap with fd -1 (compared on the low 32
	 * bits, as the kernel reads an int) and without MAP_SHARED (the bit
	 * MAP_SHARED_VALIDATE has too).  Shared anonymous memory is traced:
	 * the processes forked after it share it, so they run in one
	 * schedule group (sched.h). */
	r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 2,
	    SCMP_A4(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0xffffffffu),
	    SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_SHARED, 0));
	if (r < 0)
		goto out;
	/* Rows of the table carry their index as the trace tag (for
	 * debugging; the supervisor looks rows up by number). */
	for (size_t i = 0; i < sc_count; i++) {
		if (sc_table[i].flags & SC_MAP)
			continue;	/* the default action traces the rest */
		if ((sc_table[i].flags & SC_SERIAL) && !serial)
			continue;	/* native (filter_native) */
		if (is_fast(sc_table[i].nr, fast_site)) {
			if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sc_table[i].nr, 0)) < 0)
				goto out;
			continue;	/* the second filter traces it */
		}
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_TRACE((uint32_t)(i + 1)),
		    sc_table[i].nr, 0)) < 0 && r != -EEXIST)
			goto out;
	}
	if ((r = add_x32(ctx)) < 0)
		goto out;
	if ((r = seccomp_load(ctx)) == 0 && fast_site)
		r = load_site_filter(fast_site);
out:
	seccomp_release(ctx);
	return r;
}

/* systable.c: expands syscalls.def into sc_table[] and looks rows up. */
#include "config.h"
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <seccomp.h>
#include "sys/systable.h"
#include "sys/family.h"
#include "sys/structs.h"

#define FAMPTR_NOFAM NULL
#define FAMPTR_fam_fcntl (&fam_fcntl)
#define FAMPTR_fam_ioctl (&fam_ioctl)
#define FAMPTR_fam_mmap (&fam_mmap)
#define FAMPTR_fam_exec (&fam_exec)
#define FAMPTR_fam_affinity (&fam_affinity)
#define FAMPTR_fam_groups (&fam_groups)
#define FAMPTR_fam_copy (&fam_copy)
#define FAMPTR_fam_sockaddr (&fam_sockaddr)
#define FAMPTR_fam_pipe (&fam_pipe)
#define FAMPTR_fam_signalfd (&fam_signalfd)
#define FAMPTR_fam_poll (&fam_poll)
#define FAMPTR_fam_select (&fam_select)
#define FAMPTR_fam_epoll (&fam_epoll)
#define FAMPTR_fam_msg (&fam_msg)
#define FAMPTR_fam_prctl (&fam_prctl)
#define FAMPTR_fam_seccomp (&fam_seccomp)
#define FAMPTR_fam_caps (&fam_caps)
#define FAMPTR_fam_mempolicy (&fam_mempolicy)
#define FAMPTR_fam_schedattr (&fam_schedattr)
#define FAMPTR_fam_landlock (&fam_landlock)
#define FAMPTR_fam_unshare (&fam_unshare)
#define FAMPTR_fam_sysv (&fam_sysv)
#define FAMPTR_fam_memfd (&fam_memfd)
#define FAMPTR_fam_pidfd (&fam_pidfd)
#define FAMPTR_fam_handle (&fam_handle)
#define FAMPTR_fam_rlimit (&fam_rlimit)
#define FAMPTR_fam_futex (&fam_futex)
#define FAMPTR_fam_chdir (&fam_chdir)
#define FAMPTR_fam_keyctl (&fam_keyctl)
#define ARG_(n, k, l, x, s) { .name = #n, .kind = (k), .len = (l), .xlat = (x), .st = (s) }
#define I(n)		ARG_(n, A_INT32, -1, X_NONE, NULL)
#define IX(n, x)	ARG_(n, A_INT32, -1, X_##x, NULL)
#define L(n)		ARG_(n, A_INT, -1, X_NONE, NULL)
#define U(n)		ARG_(n, A_UINT, -1, X_NONE, NULL)
#define UX(n, x)	ARG_(n, A_UINT, -1, X_##x, NULL)
#define FD(n)		ARG_(n, A_FD, -1, X_NONE, NULL)
#define FL(n, x)	ARG_(n, A_FLAGS, -1, X_##x, NULL)
#define MODE(n)		ARG_(n, A_MODE, -1, X_NONE, NULL)
#define PTR(n)		ARG_(n, A_PTR, -1, X_NONE, NULL)
#define PATH(n)		ARG_(n, A_PATH, -1, X_NONE, NULL)
#define IN(n, l)	ARG_(n, A_IN, l, X_NONE, NULL)
#define OUT(n, l)	ARG_(n, A_OUT, l, X_NONE, NULL)
#define SIN(n, t)	ARG_(n, A_IN_STRUCT, -1, X_NONE, &st_##t)
#define SOUT(n, t)	ARG_(n, A_OUT_STRUCT, -1, X_NONE, &st_##t)
#define SINOUT(n, t)	ARG_(n, A_INOUT_STRUCT, -1, X_NONE, &st_##t)
#define IOVIN(n, l)	ARG_(n, A_IOV_IN, l, X_NONE, NULL)
#define IOVOUT(n, l)	ARG_(n, A_IOV_OUT, l, X_NONE, NULL)
#define CUSTOM(n)	ARG_(n, A_CUSTOM, -1, X_NONE, NULL)
#define NARGS_(...) (sizeof((struct arg_desc[]){ __VA_ARGS__ }) / sizeof(struct arg_desc))

#define SC(nm, cl, rk, fl, fm, ...) { \
	.name = #nm, .nr = SYS_##nm, .cls = CLS_##cl, .ret = R_##rk, .flags = (fl), \
	.fam = FAMPTR_##fm, .nargs = (int)NARGS_(__VA_ARGS__), .args = { __VA_ARGS__ } },

/* Rows without arguments still need one initialiser for NARGS_. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const struct sc_desc sc_table[] = {
#include "sys/syscalls.def"
};
const size_t sc_count = sizeof(sc_table) / sizeof(sc_table[0]);

/* Every number no header names: its own row, outside sc_table (the filter
 * traces such numbers by its default action; they have no SYS_ name). */
static const struct sc_desc sc_nosys = {
	.name = "nosys", .nr = -1, .cls = CLS_PROC, .ret = R_INT, .flags = SC_ENOSYS,
	.fam = &fam_nosys, .nargs = 1, .args = { { .name = "nr", .kind = A_CUSTOM, .len = -1 } },
};

/* The calls of <sys/syscall.h>, listed from it by the build (see
 * src/sys/local.mk): never typed by hand. */
static const struct sc_hdr_call hdr_calls[] = {
#define SYSNAME(n) { #n, SYS_##n },
#include "sysnames.inc"
#undef SYSNAME
};

const struct sc_hdr_call *
sc_header_calls(size_t *n)
{
	*n = sizeof hdr_calls / sizeof hdr_calls[0];
	return hdr_calls;
}

#define MAX_NR 512
static const struct sc_desc *by_nr[MAX_NR];
static bool named[MAX_NR];
static int by_nr_ready;

static void
index_table(void)
{
	for (size_t i = 0; i < sizeof hdr_calls / sizeof hdr_calls[0]; i++)
		if (hdr_calls[i].nr >= 0 && hdr_calls[i].nr < MAX_NR)
			named[hdr_calls[i].nr] = true;
	for (size_t i = 0; i < sc_count; i++)
		if (sc_table[i].nr >= 0 && sc_table[i].nr < MAX_NR)
			by_nr[sc_table[i].nr] = &sc_table[i];
	by_nr_ready = 1;
}

const struct sc_desc *
sc_by_nr(long nr)
{
	if (!by_nr_ready)
		index_table();
	if (nr < 0 || nr >= MAX_NR)
		return &sc_nosys;
	if (by_nr[nr] == NULL && !named[nr])
		return &sc_nosys;
	return by_nr[nr];
}

const struct sc_desc *
sc_by_name(const char *name)
{
	for (size_t i = 0; i < sc_count; i++)
		if (strcmp(sc_table[i].name, name) == 0)
			return &sc_table[i];
	if (strcmp(name, sc_nosys.name) == 0)
		return &sc_nosys;
	return NULL;
}

int
sc_len_arg(const struct sc_desc *sc)
{
	for (int i = 0; i < sc->nargs; i++)
		if (sc->args[i].kind == A_IN || sc->args[i].kind == A_OUT)
			return sc->args[i].len;
	return -1;
}

static const char *const class_names[CLS__N] = {
	"file", "fd", "clock", "random", "id", "net", "proc", "signal", "mem", "ipc",
	"system",
};

const char *
sc_class_name(enum sc_class c)
{
	return c < CLS__N ? class_names[c] : "?";
}

const char *
sc_any_name(long nr, char buf[32])
{
	const struct sc_desc *sc = sc_by_nr(nr);
	char *s;

	if (sc)
		return sc->name;
	s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
	if (s) {
		snprintf(buf, 32, "%s", s);
		free(s);
	} else
		snprintf(buf, 32, "syscall_%ld", nr);
	return buf;
}

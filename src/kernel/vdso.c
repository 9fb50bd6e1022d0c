/* vdso.c: rewrite the vDSO time functions into syscall stubs. */
#include "config.h"
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include "kernel/tracee.h"
#include "kernel/vdso.h"

#define VDSO_MAX (64 * 1024)

static const struct { const char *name; long nr; } entries[] = {
	{ "__vdso_clock_gettime", SYS_clock_gettime },
	{ "__vdso_gettimeofday", SYS_gettimeofday },
	{ "__vdso_time", SYS_time },
	{ "__vdso_clock_getres", SYS_clock_getres },
	{ "__vdso_getcpu", SYS_getcpu },
	{ "__vdso_getrandom", -1 },
};

/* mov $nr, %eax; syscall; ret */
static void
stub_syscall(unsigned char s[8], long nr)
{
	s[0] = 0xb8;
	memcpy(s + 1, &(int32_t){ (int32_t)nr }, 4);
	s[5] = 0x0f; s[6] = 0x05; s[7] = 0xc3;
}

/* mov $-ENOSYS, %eax (sign-extended via movq); ret */
static size_t
stub_enosys(unsigned char s[8])
{
	/* 48 c7 c0 imm32 = mov $imm32, %rax */
	s[0] = 0x48; s[1] = 0xc7; s[2] = 0xc0;
	memcpy(s + 3, &(int32_t){ -ENOSYS }, 4);
	s[7] = 0xc3;
	return 8;
}

/* Calls fn(arg, name, address, size) for each entry of the vDSO of task tid
 * (just after an exec) whose name is one of entries[]; the sum of what fn
 * returns (or its first -errno), 0 when the task has no vDSO. */
static int
vdso_each(pid_t tid, int (*fn)(void *arg, pid_t tid, size_t j, uint64_t addr, uint64_t size),
    void *arg)
{
	uint64_t base;
	unsigned char *img;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	int e, patched = 0;
	uint64_t load_vaddr = 0;

	if ((e = auxv_get(tid, AT_SYSINFO_EHDR, &base)) < 0)
		return e == -ENOENT ? 0 : e;
	if ((img = malloc(VDSO_MAX)) == NULL)
		return -ENOMEM;
	/* The vDSO is at most a few pages; read page by page until a fault. */
	size_t size = 0;
	while (size < VDSO_MAX && mem_read(tid, base + size, img + size, 4096) == 0)
		size += 4096;
	e = -ENOEXEC;
	if (size < sizeof(Elf64_Ehdr))
		goto out;
	eh = (Elf64_Ehdr *)img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shoff == 0 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size)
		goto out;
	for (int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff) + i;
		if (ph->p_type == PT_LOAD) {
			load_vaddr = ph->p_vaddr - ph->p_offset;
			break;
		}
	}
	sh = (Elf64_Shdr *)(img + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr *sym = &sh[i], *str;
		if (sym->sh_type != SHT_DYNSYM || sym->sh_link >= eh->e_shnum)
			continue;
		str = &sh[sym->sh_link];
		if (sym->sh_offset + sym->sh_size > size || str->sh_offset + str->sh_size > size)
			goto out;
		for (size_t k = 0; k < sym->sh_size / sizeof(Elf64_Sym); k++) {
			Elf64_Sym *s = (Elf64_Sym *)(img + sym->sh_offset) + k;
			const char *nm;
			if (s->st_name >= str->sh_size || s->st_value == 0)
				continue;
			nm = (const char *)img + str->sh_offset + s->st_name;
			if (strnlen(nm, str->sh_size - s->st_name) == str->sh_size - s->st_name)
				continue;
			for (size_t j = 0; j < sizeof entries / sizeof entries[0]; j++) {
				if (strcmp(nm, entries[j].name) != 0)
					continue;
				if ((e = fn(arg, tid, j, base + s->st_value - load_vaddr, s->st_size)) < 0)
					goto out;
				patched += e;
			}
		}
	}
	e = patched;
out:
	free(img);
	return e;
}

static int
patch_one(void *arg, pid_t tid, size_t j, uint64_t addr, uint64_t size)
{
	unsigned char stub[8];
	size_t n = 8;
	int e;

	if (size && size < 8)
		return 0;
	if (entries[j].nr < 0)
		n = stub_enosys(stub);
	else
		stub_syscall(stub, entries[j].nr);
	return (e = mem_write(tid, addr, stub, n)) < 0 ? e : 1;
}

int
vdso_patch(pid_t tid)
{
	return vdso_each(tid, patch_one, NULL);
}

/* The entry at addr, patched by vdso_patch (mov $nr,%eax; syscall; ret),
 * becomes: jmp +3; syscall; ret; jmp *0(%rip); target.  The syscall and
 * ret stay where they were, so a task stopped in that call, or about to
 * make it, goes on as before. */
static int
redirect_one(void *arg, pid_t tid, size_t j, uint64_t addr, uint64_t size)
{
	const struct vdso_jump *jumps = arg;
	unsigned char code[22] = { 0xe9, 3, 0, 0, 0, 0x0f, 0x05, 0xc3, 0xff, 0x25, 0, 0, 0, 0 };
	int e;

	for (; jumps->name; jumps++) {
		if (strcmp(jumps->name, entries[j].name) != 0)
			continue;
		if (size < sizeof code)
			return 0;
		memcpy(code + 14, &jumps->target, 8);
		/* the jump to the target first, then the first jump over to it */
		if ((e = mem_write(tid, addr + 8, code + 8, sizeof code - 8)) < 0 ||
		    (e = mem_write(tid, addr, code, 5)) < 0)
			return e;
		return 1;
	}
	return 0;
}

int
vdso_redirect(pid_t tid, const struct vdso_jump *jumps)
{
	return vdso_each(tid, redirect_one, (void *)jumps);
}

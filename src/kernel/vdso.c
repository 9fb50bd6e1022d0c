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

int
vdso_patch(pid_t tid)
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
				unsigned char stub[8];
				size_t n = 8;
				if (strcmp(nm, entries[j].name) != 0)
					continue;
				if (s->st_size && s->st_size < 8)
					continue;
				if (entries[j].nr < 0)
					n = stub_enosys(stub);
				else
					stub_syscall(stub, entries[j].nr);
				if ((e = mem_write(tid, base + s->st_value - load_vaddr, stub, n)) < 0)
					goto out;
				patched++;
			}
		}
	}
	e = patched;
out:
	free(img);
	return e;
}

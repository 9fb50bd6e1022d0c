/* elfinterp.c: find the PT_INTERP of an ELF executable. */
#include "config.h"
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace/elfinterp.h"

#define MAX_PHDRS 256
#define MAX_INTERP 4096

static int
pread_all(int fd, void *p, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(fd, (char *)p + got, n - got, (off_t)(off + got));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -ENOEXEC;	/* the file is shorter than its headers say */
		got += (size_t)k;
	}
	return 0;
}

int
elf_interp_read(int fd, struct elf_interp *ei)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHDRS];
	const Elf64_Phdr *in = NULL;
	int e;

	memset(ei, 0, sizeof *ei);
	if ((e = pread_all(fd, &eh, sizeof eh, 0)) < 0)
		return e;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phnum == 0 || eh.e_phnum > MAX_PHDRS)
		return -ENOEXEC;
	if ((e = pread_all(fd, ph, eh.e_phnum * sizeof ph[0], eh.e_phoff)) < 0)
		return e;
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_INTERP) {
			in = &ph[i];
			break;
		}
	if (in == NULL)
		return -ENOENT;
	if (in->p_filesz < 2 || in->p_filesz > MAX_INTERP)
		return -ENOEXEC;
	ei->off = in->p_offset;
	ei->len = in->p_filesz;
	ei->vaddr = in->p_vaddr;
	ei->entry = eh.e_entry;
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && in->p_vaddr >= ph[i].p_vaddr &&
		    in->p_vaddr + in->p_filesz <= ph[i].p_vaddr + ph[i].p_filesz &&
		    in->p_offset - ph[i].p_offset == in->p_vaddr - ph[i].p_vaddr)
			ei->loaded = true;
	if ((ei->orig = malloc(ei->len)) == NULL)
		return -ENOMEM;
	if ((e = pread_all(fd, ei->orig, ei->len, ei->off)) < 0 || ei->orig[ei->len - 1] != '\0') {
		elf_interp_free(ei);
		return e < 0 ? e : -ENOEXEC;
	}
	return 0;
}

int
elf_interp_path(const char *path, struct elf_interp *ei)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	memset(ei, 0, sizeof *ei);
	if (fd < 0)
		return -errno;
	e = elf_interp_read(fd, ei);
	close(fd);
	return e;
}

void
elf_interp_free(struct elf_interp *ei)
{
	free(ei->orig);
	ei->orig = NULL;
}

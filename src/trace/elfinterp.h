/* elfinterp.h: the PT_INTERP (program interpreter, the dynamic loader) of an
 * x86_64 ELF executable: where it is in the file and in memory, so that
 * portable replay can exec a copy whose interpreter is the cached loader
 * and then give the program back the original bytes (DESIGN: dios-trace(5),
 * PORTABLE TRACES).  Owner: src/trace/elfinterp.c.  Functions return 0 or
 * -errno; none exits or prints. */
#ifndef DIOS_ELFINTERP_H
#define DIOS_ELFINTERP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_interp {
	uint64_t off;		/* file offset of the PT_INTERP bytes */
	size_t len;		/* their length (p_filesz), the NUL included */
	uint64_t vaddr;		/* their address before relocation (p_vaddr) */
	bool loaded;		/* a PT_LOAD segment maps them into memory */
	uint64_t entry;		/* e_entry, to find the load bias from AT_ENTRY */
	char *orig;		/* the len original bytes (caller frees) */
};

/* Reads the interpreter of the ELF file open at fd.  0 and *ei filled;
 * -ENOENT when it has none (a static executable); -ENOEXEC when fd is not
 * a 64-bit little-endian ELF file, or its PT_INTERP is malformed. */
int elf_interp_read(int fd, struct elf_interp *ei);
/* The same for the file at path. */
int elf_interp_path(const char *path, struct elf_interp *ei);
void elf_interp_free(struct elf_interp *ei);

#endif

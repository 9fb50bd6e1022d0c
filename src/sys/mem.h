/* mem.h: a stopped task's memory.  Owner: src/sys/mem.c.  Used by capture,
 * the family files and the kernel's remote calls.  Functions return 0 or
 * -errno.
 */
#ifndef DIOS_MEM_H
#define DIOS_MEM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads n bytes at addr of task tid into buf; -EFAULT when any is unmapped. */
int mem_read(pid_t tid, uint64_t addr, void *buf, size_t n);
/* Says that the n bytes at addr of tid are those at buf (dios just wrote
 * them there and the task has not run since): mem_read of them copies from
 * buf instead of asking the kernel, until mem_shadow_clear().  buf must
 * stay valid until then.  One range at a time. */
void mem_shadow(pid_t tid, uint64_t addr, const void *buf, size_t n);
void mem_shadow_clear(void);
/* The n bytes at addr of task tid in a new buffer (caller frees), or NULL
 * with *err: -ENOMEM, or mem_read's error.  Callers bound n first. */
void *mem_dup(pid_t tid, uint64_t addr, size_t n, int *err);
/* Writes n bytes to addr (falls back to /proc/tid/mem for read-only
 * mappings such as the vDSO). */
int mem_write(pid_t tid, uint64_t addr, const void *buf, size_t n);
/* Writes n bytes to addr as the program's own call would: -EFAULT where
 * the memory is not writable by the program (read-only, PROT_NONE,
 * unmapped), with what came before it written. */
int mem_write_as_program(pid_t tid, uint64_t addr, const void *buf, size_t n);
/* Reads a NUL-terminated string of at most max bytes at addr.  *out is
 * malloc'd (caller frees) and *len its length.  -ENAMETOOLONG past max. */
int mem_read_str(pid_t tid, uint64_t addr, size_t max, char **out, size_t *len);

#endif

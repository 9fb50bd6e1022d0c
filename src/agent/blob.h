/* blob.h: the agent's code as dios carries it (generated blob.c, from
 * agent.c by mkblob.sh) and the offsets of its entry points from
 * AGENT_BASE.  Read-only data; owner: this folder. */
#ifndef DIOS_AGENT_BLOB_H
#define DIOS_AGENT_BLOB_H
#include <stddef.h>
#include <stdint.h>

extern const unsigned char agent_code[];
extern const size_t agent_code_len;
extern const uint64_t agent_clock_gettime_off, agent_gettimeofday_off, agent_time_off;
/* Where a patched call site's stub calls (the system call's registers). */
extern const uint64_t agent_entry_off;
/* The address after the agent's one allowed syscall instruction, less
 * AGENT_BASE: what the seccomp filter compares the instruction pointer
 * with. */
extern const uint64_t agent_fast_site_off;

#endif

/* common.h: what the thin mains share: messages and exits.  Only src/cli/
 * exits. */
#ifndef DIOS_CLI_COMMON_H
#define DIOS_CLI_COMMON_H
#include <stdbool.h>
#include <stddef.h>
#include <sched.h>

extern const char *progname;
extern bool cli_quiet;

void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Resolves prog as execvp would (PATH search when it has no '/').  On
 * success returns a malloc'd absolute path; otherwise exits with status
 * notfound or noexec and a message. */
char *resolve_program(const char *prog, int notfound, int noexec);

/* Pins the calling process to the CPU it runs on; returns the previous
 * affinity mask in *mask (malloc'd) and its length.  0 or -errno. */
int pin_to_one_cpu(unsigned char **mask, size_t *len);

/* The CPUs a helper thread may use, in *set: with dios pinned (mask from
 * pin_to_one_cpu), those of mask but the one dios runs on; otherwise all
 * allowed.  False when that leaves no other CPU to run on (the thread
 * would only take turns with dios). */
bool helper_cpus(const unsigned char *mask, size_t len, cpu_set_t *set);

/* "12.3 KiB" style size into buf. */
const char *human_size(unsigned long long n, char buf[32]);

#endif

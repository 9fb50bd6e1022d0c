/* sha256.h: SHA-256 (FIPS 180-4), used to identify executables and mapped
 * files in traces.  Owner: src/trace/sha256.c.  Pure computation: with the
 * processor's SHA extensions where it has them (about 1.2 GB/s here), else
 * portable C (about 300 MB/s); DIOS_SHA256=portable in the environment
 * keeps to the latter. */
#ifndef DIOS_SHA256_H
#define DIOS_SHA256_H
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
/* "sha-ni" or "portable": the code that hashes here. */
const char *sha256_impl(void);
void sha256_update(struct sha256 *s, const void *p, size_t n);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* Lower-case hex of a digest into hex[65] (NUL-terminated). */
void sha256_hex(const uint8_t d[32], char hex[65]);
/* The SHA-256 of p[0..n) in hex, at once. */
void sha256_buf_hex(const void *p, size_t n, char hex[65]);
/* Hashes the file at path; on success fills hex and *size and returns 0,
 * else -errno. */
int sha256_file(const char *path, char hex[65], off_t *size);
/* Hashes what is left to read at fd, to its end; fills hex and *size (the
 * bytes read) and returns 0, else -errno. */
int sha256_fd(int fd, char hex[65], off_t *size);
/* Hashes bytes [off, off + len) of the file at fd (pread: its offset
 * stays); 0, -ESTALE when the file ends before, else -errno. */
int sha256_fd_range(int fd, uint64_t off, uint64_t len, char hex[65]);
/* When not NULL and *sha256_cancel is not 0, sha256_fd, sha256_fd_range
 * and sha256_file stop with -EINTR: the supervisor points it at its count
 * of fatal signals (SIGTERM while a huge mapped file is hashed ends dios at
 * once). */
extern volatile sig_atomic_t *sha256_cancel;

#endif

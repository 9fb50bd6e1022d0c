/* bytes.h: byte buffers in the trace, base64, UTF-8 checks.
 *
 * A byte buffer is stored in JSON as {"text":"..."} when it is valid UTF-8
 * (NUL bytes included, as \u0000) and its escapes make it at most twice as
 * long (plus 16 bytes), and as {"b64":"..."} otherwise: a buffer of zeros
 * takes 4/3 of its size, not 6 times.
 * Owner: src/trace/bytes.c.  No function here exits or prints.
 */
#ifndef DIOS_BYTES_H
#define DIOS_BYTES_H
#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>

/* Size of the base64 text for n bytes, without the NUL. */
#define B64_LEN(n) (4 * (((n) + 2) / 3))

/* Encodes n bytes into dst, which holds B64_LEN(n) + 1 bytes; NUL-terminates.
 * Returns the text length. */
size_t b64_encode(const void *src, size_t n, char *dst);

/* Decodes standard base64 (padding required, no whitespace) of length n into
 * dst, which holds at least n / 4 * 3 bytes.  Returns the byte count, or
 * -EINVAL on any bad character or length. */
ssize_t b64_decode(const char *src, size_t n, void *dst);

/* Whether c is of the base64 alphabet (not the '=' pad). */
bool b64_is_char(unsigned char c);

/* True when p[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const void *p, size_t n);

/* New reference to {"text":...} or {"b64":...} for p[0..n).  NULL on ENOMEM. */
json_t *json_bytes(const void *p, size_t n);

/* Decodes a bytes object made by json_bytes.  On success *out is a malloc'd
 * buffer (caller frees; never NULL, even for 0 bytes) and *n its length;
 * returns 0.  Returns -EINVAL when j is not such an object, -ENOMEM, -E2BIG
 * for an elided one. */
int json_get_bytes(const json_t *j, void **out, size_t *n);

struct elided;
/* Whether j is a bytes object whose string an eliding reader kept as a
 * digest (trace/elide.h); then json_get_bytes fails with -E2BIG, and *e
 * (when not NULL) has the bytes' count, hash and first bytes, decoded. */
bool json_bytes_elided(const json_t *j, struct elided *e);

/* Length of the bytes a json_bytes object holds, without decoding fully;
 * -EINVAL when j is not such an object. */
ssize_t json_bytes_len(const json_t *j);

#endif

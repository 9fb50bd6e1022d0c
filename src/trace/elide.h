/* elide.h: long strings of a trace line kept as a digest, so that the
 * inspecting tools (dios-trace, the trace check) use memory bounded well
 * below the length of the line.
 *
 * Every reader decodes a string longer than ELIDE_LONG bytes of JSON text
 * itself as it comes (escapes, UTF-8): jansson then parses the rest of the
 * line, and the reader puts the string back whole (keep mode, the default:
 * a long string costs its length once, not the several times of a line
 * parsed whole).  A reader in eliding mode (trace_reader_elide, io.h)
 * keeps no such string at all: it checks it (base64 validity too), hashes
 * it, and puts in its place a short string of its own:
 *     HEAD "\0" "dios-elided " NONCE " " N " " B64 " " SHA256
 * HEAD is the string's first bytes (at most ELIDE_HEAD, cut at a UTF-8
 * character), N its length in bytes once unescaped, B64 the byte count it
 * decodes to as strict base64 (-1 when it is not base64), SHA256 the hash
 * of its N bytes, and NONCE a random number of this process, so that no
 * file can hold such a string: elided_get never takes one a trace wrote.
 * Two equal strings give equal placeholders (json_equal still compares).
 * Owner: src/trace/elide.c.  No function here exits or prints.
 */
#ifndef DIOS_TRACE_ELIDE_H
#define DIOS_TRACE_ELIDE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Strings with more bytes of JSON text than this are elided (a blob line's
 * 64 KiB of base64, 87384 bytes, never is). */
#define ELIDE_LONG (128u << 10)
/* Past this much kept text in one line, strings past ELIDE_SHORT are. */
#define ELIDE_CROWDED (4u << 20)
#define ELIDE_SHORT 4096u
/* A line whose kept text passes this, or with more values than
 * ELIDE_MAX_VALUES, is refused by an eliding reader. */
#define ELIDE_MAX_KEPT (16u << 20)
#define ELIDE_MAX_VALUES (2u << 20)
/* Bytes of an elided string's beginning kept (a multiple of 4). */
#define ELIDE_HEAD 1024u
/* The longest placeholder's JSON text. */
#define ELIDE_TEXT_MAX (ELIDE_HEAD * 6 + 160)

struct elided {
	uint64_t n;		/* bytes once unescaped */
	int64_t b64;		/* bytes as strict base64, or -1 */
	char sha256[65];	/* of the n bytes */
	const char *head;	/* the first bytes (into the json string) */
	size_t head_len;
	uint8_t decoded[ELIDE_HEAD];	/* json_bytes_elided's head of base64 */
};

/* Whether s is a placeholder an eliding reader of this process made; fills
 * *e when it is. */
bool elided_get(const json_t *s, struct elided *e);

/* Whether j holds such a placeholder anywhere (a string, or in an array or
 * an object). */
bool elided_in(const json_t *j);

/* The decoder of one string being elided.  Feed it the string's JSON text
 * (without the quotes) in pieces of any size. */
struct elide_str;

/* With keep, the string's bytes are kept too (elide_end gives them), and
 * its placeholder only numbers it: "\0" "dios-kept " NONCE " " ID. */
struct elide_str *elide_begin(bool keep);
/* Takes text[0..n), which holds no unescaped '"'. */
void elide_feed(struct elide_str *es, const char *text, size_t n);
/* Ends the string: writes its placeholder's JSON text (without quotes) to
 * out, which holds ELIDE_TEXT_MAX bytes, and frees es; with keep, *kept is
 * the bytes (malloc'd, the caller's) and *kept_len their count, and id is
 * the placeholder's number.  Returns the length written, or -EBADMSG when
 * the string is not valid JSON text (then *why says why), or -ENOMEM. */
long elide_end(struct elide_str *es, unsigned id, char *out, const char **why, char **kept,
    size_t *kept_len);
/* Puts back into j the strings kept[0..n) that its keep-mode placeholders
 * number (as json strings of lens[i] bytes); each one put back is freed
 * and its kept[i] set to NULL.  0 or -ENOMEM. */
int elide_restore(json_t *j, char **kept, const size_t *lens, unsigned n);
void elide_free(struct elide_str *es);

#endif

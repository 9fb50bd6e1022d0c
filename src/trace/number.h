/* number.h: the integers of the trace (man/dios-trace.5, NUMBERS).
 *
 * Every integer in a trace is a 64-bit value, signed: an unsigned 64-bit
 * value of 2^63 or more (a pointer, a mask, a u64 field) is written as the
 * signed value of the same bits, so 2^64-1 is -1.  A value whose magnitude
 * is at most 2^53 is a JSON number, which any JSON tool keeps exactly
 * (jq 1.6 and JavaScript use doubles); a larger one is a JSON string of its
 * decimal digits, "-9223372036854775808" or "9007199254740993", so that
 * such a tool keeps it too.  Readers also take a JSON number of any
 * magnitude (as older dios wrote them), and nothing else: no fraction or
 * exponent, no string for a value a number holds exactly, no leading zero
 * or '+' (each value has one spelling besides an older trace's number).
 *
 * Every writer of an integer into an event, a header, a footer or a blob
 * line calls json_int64 (or json_uint64); every reader calls
 * json_int64_get (or json_int64_or); inputs are compared with json_same.
 * Owner: src/trace/number.c.  No function here exits or prints.
 */
#ifndef DIOS_TRACE_NUMBER_H
#define DIOS_TRACE_NUMBER_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

/* The largest magnitude written as a JSON number: 2^53.  Every integer up to
 * it is exact in a double. */
#define TRACE_EXACT_MAX ((int64_t)1 << 53)

/* New reference to v in the trace's form: a number when |v| <= 2^53, else
 * a string of its decimal digits.  NULL on ENOMEM. */
json_t *json_int64(int64_t v);
/* The same for the bits of an unsigned value: json_int64((int64_t)v). */
json_t *json_uint64(uint64_t v);

/* Reads an integer of the trace from j into *v.  0; -ENOENT when j is NULL
 * (a member that is missing); -EINVAL when j is anything else than an
 * integer number or a decimal string beyond 2^53 (a fraction, 1e3, true,
 * "12", "0x10", a number out of the 64-bit range).  *v is left alone on
 * error. */
int json_int64_get(const json_t *j, int64_t *v);
/* The same, the bits taken as unsigned ("-1" is 2^64-1). */
int json_uint64_get(const json_t *j, uint64_t *v);
/* Whether json_int64_get(j) succeeds. */
bool json_is_int64(const json_t *j);
/* Member key of object obj (obj may be NULL or not an object) as an
 * integer, or dflt when it is missing or not an integer. */
int64_t json_int64_or(const json_t *obj, const char *key, int64_t dflt);

/* json_equal, except that integers compare by value wherever they are
 * nested: an older trace's 9007199254740993 is the same as
 * "9007199254740993".  Two strings still compare as strings. */
bool json_same(const json_t *a, const json_t *b);

#endif

/* io.h: streaming reader and writer of trace files.
 *
 * A trace is a zstd stream of JSON Lines (man/dios-trace.5): one compact JSON
 * object per line.  The writer ends a zstd frame whenever trace_writer_tick()
 * finds a second has passed since the last frame ended, and at close, so a
 * killed writer leaves a decodable prefix.  Both sides use memory bounded by
 * the longest line, never by the length of the trace.
 * Owner: src/trace/writer.c (the writer and its thread), src/trace/reader.c
 * (the reader and its thread), src/trace/iothread.c (trace_io_thread);
 * private to them: src/trace/io_impl.h.  Functions return 0 or -errno; none
 * exits or prints.
 */
#ifndef DIOS_TRACE_IO_H
#define DIOS_TRACE_IO_H
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdbool.h>
#include <jansson.h>

/* The longest line a reader accepts (a larger one is an error, not an
 * allocation): a read(2) of the most the kernel reads at once
 * (MAX_RW_COUNT, 2 GiB - 4 KiB) as base64, and room. */
#define TRACE_MAX_LINE (3u << 30)

struct trace_writer;

/* Creates path for writing.  With exclusive, fails with -EEXIST when the
 * file exists (O_EXCL: never overwrites); otherwise truncates it.
 * On success *w is the writer (release with trace_writer_close). */
int trace_writer_open(struct trace_writer **w, const char *path, bool exclusive);
/* Appends obj as one line.  Does not take ownership of obj. */
int trace_write(struct trace_writer *w, const json_t *obj);
/* Ends the current zstd frame and writes it out when at least one second has
 * passed since the last frame ended and data is pending.  Cheap otherwise. */
int trace_writer_tick(struct trace_writer *w);
/* Ends the current frame now (if data is pending) and writes it out. */
int trace_writer_flush(struct trace_writer *w);
/* Compressed bytes written so far (after a flush: the file size). */
uint64_t trace_writer_bytes(const struct trace_writer *w);
/* From now on, a thread of w's own (on the CPUs in cpus; NULL: any)
 * serialises, compresses and writes; trace_write only queues (a bounded
 * queue: memory stays bounded) and takes a reference to obj, which the
 * caller must not change afterwards.  Errors show at a later call, and any
 * error (an object too long or with a reference cycle too) fails the writer
 * for good.  Call from one thread only. */
int trace_writer_background(struct trace_writer *w, const cpu_set_t *cpus);
/* Flushes, closes and frees w (NULL is fine).  Returns the first error
 * seen by the writer, if any. */
int trace_writer_close(struct trace_writer *w);

struct trace_reader;

/* Opens path for reading.  -ENOENT etc. from open(2).  A file that does not
 * start with a zstd frame is detected by the first trace_read (-EBADMSG). */
int trace_reader_open(struct trace_reader **r, const char *path);
/* How a reader takes long strings (call before the first trace_read).
 * By default (trace_reader_keep with ELIDE_LONG), a string longer than
 * that many bytes of JSON text is decoded by the reader as it streams by
 * and put back whole into the parsed line: such a string costs its length
 * once in memory, and a line is refused when the rest of it passes
 * ELIDE_MAX_KEPT bytes or ELIDE_MAX_VALUES values (trace/elide.h).
 * trace_reader_elide keeps such strings as a digest and their first bytes
 * instead, so the reader's memory stays a few MiB however long a line is:
 * for the tools that inspect traces.  trace_reader_whole gives each line
 * to jansson whole (lines up to TRACE_MAX_LINE; for tests).  longer_than
 * 0 means ELIDE_LONG; small values are for tests. */
void trace_reader_keep(struct trace_reader *r, size_t longer_than);
void trace_reader_elide(struct trace_reader *r, size_t longer_than);
void trace_reader_whole(struct trace_reader *r);
/* Lowers the longest line r accepts to n bytes (for tests). */
void trace_reader_max_line(struct trace_reader *r, size_t n);
/* Reads the next line.  Returns 1 and *obj (a new reference, caller
 * decrefs) for a line holding a JSON object; 0 at the end of the data;
 * -EBADMSG for data that is not zstd, or a line that is not a JSON object,
 * or a line longer than TRACE_MAX_LINE (see trace_reader_error); -errno for
 * I/O errors.  After 0, trace_reader_truncated() says whether the zstd
 * stream was cut short (an incomplete frame or an unterminated last line:
 * that partial line is dropped, never returned). */
int trace_read(struct trace_reader *r, json_t **obj);
/* 1-based number of the line last returned or failed. */
uint64_t trace_reader_line(const struct trace_reader *r);
bool trace_reader_truncated(const struct trace_reader *r);
/* One-line description of the last -EBADMSG ("not a zstd stream",
 * "line 4: not JSON: ...", ...).  Owned by the reader. */
const char *trace_reader_error(const struct trace_reader *r);
/* Compressed bytes consumed so far. */
uint64_t trace_reader_bytes(const struct trace_reader *r);
/* Decompressed bytes of the lines read so far, newlines included. */
uint64_t trace_reader_text_bytes(const struct trace_reader *r);
/* From now on, a thread of r's own (on the CPUs in cpus; NULL: any) reads
 * and parses ahead, a bounded number of lines; trace_read and the functions
 * above behave as before.  Call from one thread only. */
int trace_reader_background(struct trace_reader *r, const cpu_set_t *cpus);
void trace_reader_close(struct trace_reader *r);

/* Starts fn(arg) in a thread on the CPUs in cpus (NULL: any) that blocks
 * every signal but faults (those stay the main thread's; rdtsc is trapped
 * in dios too: see tsc_trap_self).  0 or -errno from pthread_create. */
int trace_io_thread(pthread_t *th, void *(*fn)(void *), void *arg, const cpu_set_t *cpus);

#endif

/* io_impl.h: private to the trace I/O files (writer.c, reader.c,
 * iothread.c): the bounds of the queue between a trace writer or reader and
 * its thread.  The interface is trace/io.h.
 */
#ifndef DIOS_TRACE_IO_IMPL_H
#define DIOS_TRACE_IO_IMPL_H

/* ---- threads ----
 *
 * trace_writer_background and trace_reader_background hand the JSON and
 * zstd work to a thread of its own, which runs on the CPUs given (dios
 * pins itself and the program to one CPU; the thread takes another).  The
 * queue between them is bounded by events and by bytes, so memory still
 * does not grow with the trace.  A sleeping thread is woken only for a
 * batch, so the hand-over costs no system call per event.  The thread
 * blocks every signal but faults: they stay the main thread's.
 */

#define BG_CAP 256		/* events queued at most */
#define BG_BYTES (4u << 20)	/* and about this many bytes of text */
#define BG_BATCH 32		/* a sleeping side is woken for this many */

#endif

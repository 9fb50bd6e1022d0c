/* iothread.c: what the trace writer's and reader's threads share:
 * trace_io_thread, which starts them (and dios-trace check's jobs).  The
 * queue between a writer or reader and its thread: io_impl.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include "trace/io.h"

int
trace_io_thread(pthread_t *th, void *(*fn)(void *), void *arg, const cpu_set_t *cpus)
{
	pthread_attr_t at;
	sigset_t all, old;
	int e;

	if ((e = pthread_attr_init(&at)) != 0)
		return -e;
	if (cpus)
		(void)pthread_attr_setaffinity_np(&at, sizeof *cpus, cpus);
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(th, &at, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
	return -e;
}

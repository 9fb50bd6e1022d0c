/* task.c: the task table (real tid -> task). */
#include "config.h"
#include <stdlib.h>
#include "kernel/kernel.h"

struct task *
task_new(struct kernel *k, pid_t tid)
{
	struct task *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->tid = tid;
	t->vtid = tid;
	t->state = TS_STARTING;
	t->next = k->tasks;
	k->tasks = t;
	return t;
}

struct task *
task_find(struct kernel *k, pid_t tid)
{
	for (struct task *t = k->tasks; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

struct task *
task_find_vtid(struct kernel *k, pid_t vtid)
{
	for (struct task *t = k->tasks; t; t = t->next)
		if (t->vtid == vtid && t->state != TS_NEW)
			return t;
	return NULL;
}

void
task_free(struct kernel *k, struct task *t)
{
	for (struct task **p = &k->tasks; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	call_reset(&t->call);
	for (int i = 0; i < k->nmodules; i++)
		if (k->stack[i]->task_release)
			k->stack[i]->task_release(k->stack[i], t);
	free(t->mod);
	free(t);
}

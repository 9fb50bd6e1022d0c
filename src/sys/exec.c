/* exec.c: execve and execveat: argv and envp as arrays of strings.
 * The executable's identity and AT_RANDOM are added at the exec event by
 * the record and replay modules. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "sys/mem.h"

#define EXEC_MAX_ARGS 65536

static json_t *
read_strv(pid_t tid, uint64_t addr, int *err)
{
	json_t *a = json_array();

	if (a == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	if (addr == 0)
		return a;
	for (int i = 0; i < EXEC_MAX_ARGS; i++) {
		uint64_t p;
		char *s;
		size_t n;
		json_t *j;

		if ((*err = mem_read(tid, addr + 8 * (uint64_t)i, &p, 8)) < 0)
			goto fail;
		if (p == 0)
			return a;
		if ((*err = mem_read_str(tid, p, 1 << 20, &s, &n)) < 0)
			goto fail;
		j = utf8_valid(s, n) ? json_stringn(s, n) : json_bytes(s, n);
		free(s);
		if (j == NULL || json_array_append_new(a, j) < 0) {
			*err = -ENOMEM;
			goto fail;
		}
	}
	*err = -E2BIG;
fail:
	json_decref(a);
	return NULL;
}

static int
exec_entry(pid_t tid, struct call *c)
{
	int argv_i = c->sc->args[0].kind == A_FD ? 2 : 1;
	json_t *argv, *envp;
	int e;

	if ((argv = read_strv(tid, c->a[argv_i], &e)) == NULL)
		return e;
	json_object_set_new(c->args, "argv", argv);
	if ((envp = read_strv(tid, c->a[argv_i + 1], &e)) == NULL)
		return e;
	json_object_set_new(c->args, "envp", envp);
	return 0;
}

/* Replay runs a successful exec for real (src/replay/replay.c) and answers
 * a failed one from the trace, so no host path is probed. */
const struct sc_family fam_exec = { .entry = exec_entry };

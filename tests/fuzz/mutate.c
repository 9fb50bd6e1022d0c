/* mutate: a trace's lines (JSON Lines, decompressed) from standard input,
 * the same lines with a few random mutations on standard output, the way
 * a hostile hand or a careless fuzzer would edit them: keys removed,
 * values replaced by others of any type and size, lines dropped,
 * duplicated, swapped or replaced by non-objects, numbers made huge or
 * negative, syscall names and task ids exchanged.  The mutations made go
 * to standard error, one per line.
 *
 *	mutate SEED [COUNT]	(COUNT mutations, default 1 to 3 by SEED)
 *
 * Used by tests/fuzz-replay.sh.  Exit 0, or 99 when it cannot work. */
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

static uint64_t rng;

static uint64_t
rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : 0;
}

static json_t *
any_value(void)
{
	static const char *names[] = { "read", "write", "openat", "close", "mmap", "execve",
	    "clone", "kill", "wait4", "exit_group", "getpid", "nosuchcall", "" };
	char *s;
	json_t *j;

	switch (rnd(16)) {
	case 0: return json_null();
	case 1: return json_true();
	case 2: return json_string("");
	case 3: return json_string(names[rnd(sizeof names / sizeof names[0])]);
	case 4: return json_integer(-1);
	case 5: return json_integer(0);
	case 6: return json_integer(INT64_MAX);
	case 7: return json_integer(INT64_MIN);
	case 8: return json_integer(4294967295LL);
	case 9: return json_real(1e308);
	case 10: return json_array();
	case 11: return json_object();
	case 12: return json_pack("{s:s}", "text", "mutated");
	case 13: return json_pack("{s:s}", "b64", "!!not base64!!");
	case 14:
		/* A long string. */
		if ((s = malloc(70000)) == NULL)
			return json_null();
		memset(s, 'A' + (int)rnd(26), 69999);
		s[69999] = '\0';
		j = json_string(s);
		free(s);
		return j;
	default: return json_integer((json_int_t)rnd(70000) - 5);
	}
}

/* A random object or array inside v (v itself included). */
static json_t *
pick_container(json_t *v)
{
	for (int depth = 0; depth < 4; depth++) {
		json_t *kids[64];
		size_t n = 0, i;
		const char *k;
		json_t *x;

		if (json_is_object(v)) {
			json_object_foreach(v, k, x)
				if ((json_is_object(x) || json_is_array(x)) && n < 64)
					kids[n++] = x;
		} else if (json_is_array(v)) {
			json_array_foreach(v, i, x)
				if ((json_is_object(x) || json_is_array(x)) && n < 64)
					kids[n++] = x;
		}
		if (n == 0 || rnd(2) == 0)
			return v;
		v = kids[rnd(n)];
	}
	return v;
}

/* One mutation of the object o in place; what it did into what. */
static void
mutate_value(json_t *o, char *what, size_t n)
{
	json_t *c = pick_container(o);
	const char *keys[64];
	size_t nk = 0;
	const char *k;
	json_t *x;

	if (json_is_array(c)) {
		size_t len = json_array_size(c);
		if (len == 0 || rnd(3) == 0) {
			json_array_append_new(c, any_value());
			snprintf(what, n, "appended to an array");
		} else if (rnd(2)) {
			json_array_remove(c, rnd(len));
			snprintf(what, n, "removed an array item");
		} else {
			json_array_set_new(c, rnd(len), any_value());
			snprintf(what, n, "replaced an array item");
		}
		return;
	}
	json_object_foreach(c, k, x)
		if (nk < 64)
			keys[nk++] = k;
	if (nk == 0 || rnd(5) == 0) {
		static const char *add[] = { "sig", "map", "unknown", "unsupported", "event", "err",
		    "blob", "exit", "signal", "portable" };
		k = add[rnd(sizeof add / sizeof add[0])];
		snprintf(what, n, "added \"%s\"", k);
		json_object_set_new(c, k, any_value());
		return;
	}
	k = keys[rnd(nk)];
	if (rnd(3) == 0) {
		snprintf(what, n, "removed \"%s\"", k);
		json_object_del(c, k);
	} else {
		snprintf(what, n, "replaced \"%s\"", k);
		json_object_set_new(c, k, any_value());
	}
}

int
main(int argc, char **argv)
{
	json_t **lines = NULL, *o;
	size_t n = 0, cap = 0;
	json_error_t e;
	char what[128];
	int count;

	if (argc < 2) {
		fprintf(stderr, "usage: mutate SEED [COUNT] <trace.jsonl >mutated.jsonl\n");
		return 99;
	}
	rng = strtoull(argv[1], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
	count = argc > 2 ? atoi(argv[2]) : 1 + (int)rnd(3);
	char *buf = NULL;
	size_t bufcap = 0;
	ssize_t len;

	while ((len = getline(&buf, &bufcap, stdin)) > 0) {
		if ((o = json_loadb(buf, (size_t)len, JSON_DECODE_ANY, &e)) == NULL)
			continue;	/* not JSON: left out */
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if ((lines = realloc(lines, cap * sizeof *lines)) == NULL)
				return 99;
		}
		lines[n++] = o;
	}
	free(buf);
	if (n < 2) {
		fprintf(stderr, "mutate: fewer than two lines read\n");
		return 99;
	}
	for (int m = 0; m < count; m++) {
		/* Mostly events; the header and the footer now and then. */
		size_t i = rnd(10) == 0 ? (rnd(2) ? 0 : n - 1) : 1 + rnd(n - 1);
		switch (rnd(10)) {
		case 0:
			json_decref(lines[i]);
			memmove(lines + i, lines + i + 1, (n - i - 1) * sizeof *lines);
			n--;
			fprintf(stderr, "line %zu dropped\n", i + 1);
			break;
		case 1:
			if (n == cap && (lines = realloc(lines, (cap *= 2) * sizeof *lines)) == NULL)
				return 99;
			memmove(lines + i + 1, lines + i, (n - i) * sizeof *lines);
			lines[i] = json_deep_copy(lines[i + 1]);
			n++;
			fprintf(stderr, "line %zu duplicated\n", i + 1);
			break;
		case 2:
			if (i + 1 < n) {
				json_t *t = lines[i];
				lines[i] = lines[i + 1];
				lines[i + 1] = t;
				fprintf(stderr, "lines %zu and %zu swapped\n", i + 1, i + 2);
			}
			break;
		case 3:
			json_decref(lines[i]);
			lines[i] = any_value();
			fprintf(stderr, "line %zu replaced by a value\n", i + 1);
			break;
		default:
			if (json_is_object(lines[i]) || json_is_array(lines[i])) {
				mutate_value(lines[i], what, sizeof what);
				fprintf(stderr, "line %zu: %s\n", i + 1, what);
			}
			break;
		}
		if (n < 1)
			break;
	}
	for (size_t i = 0; i < n; i++) {
		if (json_dumpf(lines[i], stdout, JSON_COMPACT | JSON_ENCODE_ANY) < 0 || putchar('\n') == EOF)
			return 99;
		json_decref(lines[i]);
	}
	free(lines);
	return fflush(stdout) == 0 ? 0 : 99;
}

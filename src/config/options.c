/* options.c: the option table of dios-record and dios-replay, defaults, and
 * setting one option from text (opts_set).  The command line (cmdline.c) and
 * the YAML file (yaml.c) both set values through it.  Nothing here exits or
 * prints an error: messages go to the caller's buffer.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config/options.h"
#include "config/optutil.h"

#define OPT(field, sname, t, c, arg, h) \
	{ #field, sname, t, offsetof(struct dios_opts, field), c, arg, h }
/* An option whose name is not its field's ("cache-size"). */
#define OPTN(name, field, sname, t, c, arg, h) \
	{ name, sname, t, offsetof(struct dios_opts, field), c, arg, h }


const struct opt_desc dios_options[] = {
	OPT(output, 'o', OPT_STRING, CMD_BOTH, "FILE",
	    "record: write the trace to FILE (default: trace.json.zst);\n"
	    "                         replay: write the run as it was replayed to FILE"),
	OPT(force, 'f', OPT_BOOL, CMD_BOTH, NULL,
	    "let --output overwrite an existing file"),
	OPT(portable, 0, OPT_BOOL, CMD_RECORD, NULL,
	    "store the files the program maps (executable, loader,\n"
	    "                         libraries) in the trace, to replay it on other hosts"),
	OPT(serial, 0, OPT_BOOL, CMD_RECORD, NULL,
	    "run the threads of a process one at a time between\n"
	    "                         their calls, so replay sees the same races (default:\n"
	    "                         on); --no-serial: all at once, as natively"),
	OPT(fast, 0, OPT_BOOL, CMD_BOTH, NULL,
	    "record and replay clock reads, and reads, seeks and stats\n"
	    "                         of regular files, inside the program, without\n"
	    "                         a stop (the fast path; default: on, but off with\n"
	    "                         chaos, injected faults, stacks, the model or\n"
	    "                         mutations); --no-fast: every call stops"),
	OPT(chaos, 0, OPT_STRING, CMD_RECORD, "CLASSES",
	    "perturb what the program sees, as POSIX allows, to make\n"
	    "                         a flaky failure come sooner: sched, time, io, dirs\n"
	    "                         (commas) or all; the trace holds what it saw"),
	OPTN("chaos-seed", chaos_seed, 0, OPT_UINT, CMD_RECORD, "N",
	    "draw the chaos from seed N (default: a new one, printed)"),
	OPT(inject, 0, OPT_STRING, CMD_RECORD, "SPEC",
	    "inject faults as SPEC says: a YAML file (dios-fuzz.yaml(5))\n"
	    "                         or strace's -e inject= rules such as\n"
	    "                         'openat:error=ENOENT:when=2' (';' between rules)"),
	OPTN("inject-seed", inject_seed, 0, OPT_UINT, CMD_RECORD, "N",
	    "draw the spec's probabilities from seed N (default: the\n"
	    "                         spec's seed:, or a new one, printed)"),
	OPTN("at-exit", at_exit, 0, OPT_STRING, CMD_RECORD | CMD_REPLAY, "WHAT",
	    "when the program ends, wait for the tasks it left running\n"
	    "                         (wait, the default) or kill them and end (kill)"),
	OPT(stacks, 0, OPT_BOOL, CMD_RECORD, NULL,
	    "write each system call's stack (its call sites, symbolized)\n"
	    "                         in its event: slow, for debugging"),
	OPT(exe, 0, OPT_STRING, CMD_REPLAY, "FILE",
	    "run FILE instead of the recorded executable"),
	OPT(realtime, 0, OPT_BOOL, CMD_REPLAY, NULL,
	    "sleep as long as the recorded program slept"),
	OPT(timeout, 0, OPT_UINT, CMD_REPLAY, "SECONDS",
	    "report a divergence when the program is blocked for\n"
	    "                         SECONDS outside dios's view (0: never; default: 10)"),
	OPT(cache, 0, OPT_BOOL, CMD_REPLAY, NULL,
	    "keep portable traces' files in the cache for the next\n"
	    "                         replays (default: on); --no-cache: a temporary cache,\n"
	    "                         removed at exit"),
	OPTN("cache-size", cache_size, 0, OPT_SIZE, CMD_REPLAY, "SIZE",
	    "let the cache hold SIZE bytes at most (K, M, G, T\n"
	    "                         suffixes; default: 1G), removing the least recently\n"
	    "                         used files"),
	OPT(model, 0, OPT_BOOL, CMD_REPLAY, NULL,
	    "where the run leaves the recording, go on against a model\n"
	    "                         of the environment the trace saw (exit: the program's)"),
	OPT(mutate, 0, OPT_STRING, CMD_REPLAY, "FILE",
	    "change the answers of the calls FILE names (a JSON list of\n"
	    "                         mutations, as dios-fuzz writes; see dios-fuzz(1))"),
	OPT(quiet, 'q', OPT_BOOL, CMD_BOTH, NULL,
	    "record: no summary; replay: hide the program's output"),
	OPT(pin, 0, OPT_BOOL, CMD_BOTH, NULL,
	    "keep dios and the program on one CPU (default: on)"),
	OPT(verbose, 'v', OPT_COUNT, CMD_BOTH, NULL,
	    "print each event, strace-like, as it is recorded or replayed"),
	OPT(config, 0, OPT_STRING, CMD_BOTH, "FILE",
	    "read settings from FILE, not the default config file"),
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

const char *
opts_cmd_name(enum dios_cmd cmd)
{
	return cmd == CMD_RECORD ? "dios-record" : "dios-replay";
}

void *
opts_field(struct dios_opts *o, const struct opt_desc *d)
{
	return (char *)o + d->offset;
}

void
opts_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Copies text s (n bytes) into buf for an error message: control bytes,
 * quotes and backslashes escaped, at most about 60 bytes shown.  The text
 * may come from an untrusted file and must not reach a terminal raw. */
const char *
opts_quote(char *buf, size_t buflen, const char *s, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n && j + 8 < buflen; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned char next = i + 1 < n ? (unsigned char)s[i + 1] : 0;

		if (i >= 60) {
			memcpy(buf + j, "...", 3);
			j += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\' ||
		    (c == 0xc2 && next >= 0x80 && next < 0xa0))	/* C1 */
			j += (size_t)snprintf(buf + j, buflen - j, "\\x%02x", c);
		else
			buf[j++] = (char)c;
	}
	buf[j] = '\0';
	return buf;
}

void
opts_init(struct dios_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pin = true;
	o->serial = true;
	o->fast = true;
	o->timeout = 10;
	o->cache = true;
	o->cache_size = 1ull << 30;
}

void
opts_free(struct dios_opts *o)
{
	const struct opt_desc *d;

	for (d = dios_options; d->name != NULL; d++) {
		if (d->type == OPT_STRING) {
			char **p = opts_field(o, d);

			free(*p);
			*p = NULL;
		}
	}
}

static int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int
parse_uint(const char *s, unsigned *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT_MAX)
			return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

/* A size: decimal digits and an optional K, M, G or T (powers of 1024),
 * which "iB" or "B" may follow. */
static int
parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v = 0, mul = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
	}
	switch (*p) {
	case 'k': case 'K': mul = 1ull << 10; p++; break;
	case 'm': case 'M': mul = 1ull << 20; p++; break;
	case 'g': case 'G': mul = 1ull << 30; p++; break;
	case 't': case 'T': mul = 1ull << 40; p++; break;
	default: break;
	}
	if (mul > 1 && (strcmp(p, "iB") == 0 || strcmp(p, "B") == 0))
		p += strlen(p);
	else if (mul == 1 && strcmp(p, "B") == 0)
		p++;
	if (*p != '\0' || v > ULLONG_MAX / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

int
opts_set_named(struct dios_opts *o, const struct opt_desc *d, const char *value,
    const char *prefix, char *err, size_t errlen)
{
	char q[256];
	const char *expected = NULL;
	char *copy;

	switch (d->type) {
	case OPT_BOOL:
		if (parse_bool(value, opts_field(o, d)) < 0)
			expected = "true or false";
		break;
	case OPT_UINT:
	case OPT_COUNT:
		if (parse_uint(value, opts_field(o, d)) < 0)
			expected = "a whole number from 0 to 4294967295";
		break;
	case OPT_SIZE:
		if (parse_size(value, opts_field(o, d)) < 0)
			expected = "a size in bytes, or with a suffix K, M, G or T (512M, 2G)";
		break;
	case OPT_STRING:
		if (*value == '\0') {
			expected = d->argname != NULL &&
			    strcmp(d->argname, "FILE") == 0 ?
			    "a file name" : "a value";
			break;
		}
		if ((copy = strdup(value)) == NULL) {
			opts_errf(err, errlen, "out of memory setting '%s%s'",
			    prefix, d->name);
			return -ENOMEM;
		}
		free(*(char **)opts_field(o, d));
		*(char **)opts_field(o, d) = copy;
		break;
	default:
		opts_errf(err, errlen, "option '%s%s' has no type", prefix, d->name);
		return -EINVAL;
	}
	if (expected != NULL) {
		opts_errf(err, errlen, "bad value '%s' for '%s%s': expected %s",
		    opts_quote(q, sizeof(q), value, strlen(value)), prefix, d->name,
		    expected);
		return -EINVAL;
	}
	return 0;
}

int
opts_set(struct dios_opts *o, const struct opt_desc *d, const char *value,
    char *err, size_t errlen)
{
	return opts_set_named(o, d, value, "", err, errlen);
}

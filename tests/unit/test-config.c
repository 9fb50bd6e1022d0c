/* test-config.c: the YAML config file (config_load) and the command line
 * (opts_parse), as tables of cases.  A case's result is the list of
 * settings that differ from the defaults ("output=x pin=false"), or an error
 * substring; "@" in an expectation stands for the config file's path, "@xdg"
 * for the default file's, "@cfg" (also in argv) for a --config file's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/options.h"
#include "tap.h"

#define R CMD_RECORD
#define P CMD_REPLAY

static char tmpdir[256];

/* ---- helpers ---- */

/* The settings of o that differ from the defaults, in table order. */
static void
describe(const struct dios_opts *o, char *buf, size_t len)
{
	const struct opt_desc *d;
	struct dios_opts def;
	size_t j = 0;

	opts_init(&def);
	buf[0] = '\0';
	for (d = dios_options; d->name != NULL && j < len; d++) {
		const void *p = (const char *)o + d->offset;
		const void *q = (const char *)&def + d->offset;
		const char *sep = j > 0 ? " " : "";

		switch (d->type) {
		case OPT_BOOL:
			if (*(const bool *)p != *(const bool *)q)
				j += (size_t)snprintf(buf + j, len - j, "%s%s=%s",
				    sep, d->name, *(const bool *)p ? "true" :
				    "false");
			break;
		case OPT_UINT:
		case OPT_COUNT:
			if (*(const unsigned *)p != *(const unsigned *)q)
				j += (size_t)snprintf(buf + j, len - j, "%s%s=%u",
				    sep, d->name, *(const unsigned *)p);
			break;
		case OPT_SIZE:
			if (*(const unsigned long long *)p !=
			    *(const unsigned long long *)q)
				j += (size_t)snprintf(buf + j, len - j, "%s%s=%llu",
				    sep, d->name, *(const unsigned long long *)p);
			break;
		case OPT_STRING:
			if (*(char *const *)p != NULL)
				j += (size_t)snprintf(buf + j, len - j, "%s%s=%s",
				    sep, d->name, *(char *const *)p);
			break;
		}
	}
}

/* s with every "@name" of the list replaced by its value; caller frees. */
static char *
expand(const char *s, const char *const *names, const char *const *values,
    int n)
{
	size_t cap = strlen(s) * 4 + 1024, j = 0;
	char *out = malloc(cap);
	int i;

	if (out == NULL)
		bail_out("out of memory");
	while (*s != '\0' && j + 600 < cap) {
		for (i = 0; i < n; i++) {
			size_t l = strlen(names[i]);

			if (strncmp(s, names[i], l) == 0) {
				j += (size_t)snprintf(out + j, cap - j, "%s",
				    values[i]);
				s += l;
				break;
			}
		}
		if (i == n)
			out[j++] = *s++;
	}
	out[j] = '\0';
	return out;
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		bail_out("cannot write %s: %s", path, strerror(errno));
}

static void
mkdir_p(const char *path)
{
	char buf[512], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			bail_out("mkdir %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		bail_out("mkdir %s: %s", buf, strerror(errno));
}

static bool
has_newline(const char *s)
{
	return strchr(s, '\n') != NULL;
}

/* ---- config_load ---- */

struct yaml_case {
	enum dios_cmd cmd;
	const char *yaml;	/* NUL-terminated, unless len is set */
	int rc;
	const char *want;	/* settings, or an error substring */
};

static const struct yaml_case yaml_cases[] = {
	/* every key, good values */
	{ R, "output: out.json.zst\n", 0, "output=out.json.zst" },
	{ R, "force: true\n", 0, "force=true" },
	{ R, "force: yes\n", 0, "force=true" },
	{ R, "force: on\n", 0, "force=true" },
	{ R, "force: 1\n", 0, "force=true" },
	{ R, "force: TRUE\n", 0, "force=true" },
	{ R, "force: false\n", 0, "" },
	{ R, "portable: true\n", 0, "portable=true" },
	{ R, "chaos: all\n", 0, "chaos=all" },
	{ R, "chaos-seed: 42\n", 0, "chaos-seed=42" },
	{ R, "stacks: true\n", 0, "stacks=true" },
	{ R, "chaos-seed: -1\n", -EINVAL, "bad value '-1' for 'chaos-seed'" },
	{ R, "inject: faults.yaml\n", 0, "inject=faults.yaml" },
	{ R, "inject-seed: 7\n", 0, "inject-seed=7" },
	{ P, "exe: /usr/bin/true\n", 0, "exe=/usr/bin/true" },
	{ P, "realtime: true\n", 0, "realtime=true" },
	{ P, "timeout: 0\n", 0, "timeout=0" },
	{ P, "timeout: 60\n", 0, "timeout=60" },
	{ P, "timeout: 4294967295\n", 0, "timeout=4294967295" },
	{ R, "quiet: true\n", 0, "quiet=true" },
	{ P, "quiet: true\n", 0, "quiet=true" },
	{ R, "pin: false\n", 0, "pin=false" },
	{ P, "pin: off\n", 0, "pin=false" },
	{ R, "pin: no\n", 0, "pin=false" },
	{ R, "pin: true\n", 0, "" },
	{ R, "verbose: 3\n", 0, "verbose=3" },
	{ P, "verbose: 0\n", 0, "" },
	{ P, "cache: false\n", 0, "cache=false" },
	{ P, "cache: true\n", 0, "" },
	{ P, "cache-size: 512M\n", 0, "cache-size=536870912" },
	{ P, "cache-size: 2GiB\n", 0, "cache-size=2147483648" },
	{ P, "cache-size: 3gB\n", 0, "cache-size=3221225472" },
	{ P, "cache-size: 64k\n", 0, "cache-size=65536" },
	{ P, "cache-size: 1T\n", 0, "cache-size=1099511627776" },
	{ P, "cache-size: 1000\n", 0, "cache-size=1000" },
	{ P, "cache-size: 1000B\n", 0, "cache-size=1000" },
	{ P, "cache-size: 0\n", 0, "cache-size=0" },
	{ P, "cache-size: 1G\n", 0, "" },
	/* every key, bad values */
	{ R, "output: ''\n", -EINVAL,
	    "@:1: bad value '' for 'output': expected a file name" },
	{ R, "output:\n", -EINVAL, "@:1: bad value '' for 'output'" },
	{ R, "output: \"a\\0b\"\n", -EINVAL,
	    "@:1: bad value 'a\\x00b' for 'output': contains a NUL byte" },
	{ R, "force: 2\n", -EINVAL,
	    "@:1: bad value '2' for 'force': expected true or false" },
	{ R, "force:\n", -EINVAL, "@:1: bad value '' for 'force'" },
	{ P, "exe: \"\"\n", -EINVAL, "@:1: bad value '' for 'exe'" },
	{ P, "realtime: sometimes\n", -EINVAL,
	    "@:1: bad value 'sometimes' for 'realtime': expected true or "
	    "false" },
	{ P, "timeout: ten\n", -EINVAL,
	    "@:1: bad value 'ten' for 'timeout': expected a whole number" },
	{ P, "timeout: -1\n", -EINVAL, "@:1: bad value '-1' for 'timeout'" },
	{ P, "timeout: 1.5\n", -EINVAL, "@:1: bad value '1.5' for 'timeout'" },
	{ P, "timeout: 4294967296\n", -EINVAL,
	    "@:1: bad value '4294967296' for 'timeout'" },
	{ P, "timeout: ' 5'\n", -EINVAL, "@:1: bad value ' 5' for 'timeout'" },
	{ R, "quiet: maybe\n", -EINVAL,
	    "@:1: bad value 'maybe' for 'quiet': expected true or false" },
	{ R, "pin: maybe\n", -EINVAL,
	    "@:1: bad value 'maybe' for 'pin': expected true or false" },
	{ P, "cache: later\n", -EINVAL,
	    "@:1: bad value 'later' for 'cache': expected true or false" },
	{ P, "cache-size: lots\n", -EINVAL, "@:1: bad value 'lots' for "
	    "'cache-size': expected a size in bytes, or with a suffix K, M, G or T" },
	{ P, "cache-size: 1.5G\n", -EINVAL, "@:1: bad value '1.5G' for 'cache-size'" },
	{ P, "cache-size: -1\n", -EINVAL, "@:1: bad value '-1' for 'cache-size'" },
	{ P, "cache-size: 5X\n", -EINVAL, "@:1: bad value '5X' for 'cache-size'" },
	{ P, "cache-size: 1Gi\n", -EINVAL, "@:1: bad value '1Gi' for 'cache-size'" },
	{ P, "cache-size: 1iB\n", -EINVAL, "@:1: bad value '1iB' for 'cache-size'" },
	{ P, "cache-size: G\n", -EINVAL, "@:1: bad value 'G' for 'cache-size'" },
	{ P, "cache-size: ''\n", -EINVAL, "@:1: bad value '' for 'cache-size'" },
	{ P, "cache-size: 20000000T\n", -EINVAL,
	    "@:1: bad value '20000000T' for 'cache-size'" },
	{ P, "cache-size: 18446744073709551616\n", -EINVAL,
	    "@:1: bad value '18446744073709551616' for 'cache-size'" },
	{ R, "verbose: true\n", -EINVAL,
	    "@:1: bad value 'true' for 'verbose': expected a whole number" },
	{ R, "quiet: true\nverbose: lots\n", -EINVAL,
	    "@:2: bad value 'lots' for 'verbose'" },
	{ R, "config: other.yaml\n", -EINVAL,
	    "@:1: config cannot be set from a config file" },
	/* unknown keys */
	{ R, "frob: 1\n", -EINVAL, "@:1: unknown key 'frob'" },
	{ R, "# c\nquiet: true\n\nfrob: 1\n", -EINVAL,
	    "@:4: unknown key 'frob'" },
	{ R, "Quiet: true\n", -EINVAL, "@:1: unknown key 'Quiet'" },
	{ R, "o: out.zst\n", -EINVAL, "@:1: unknown key 'o'" },
	{ R, "no-pin: true\n", -EINVAL, "@:1: unknown key 'no-pin'" },
	{ R, "\"\\e[31mred\": 1\n", -EINVAL, "@:1: unknown key '\\x1b[31mred'" },
	/* the other command's keys: checked, then ignored */
	{ R, "exe: ./new\nrealtime: true\ntimeout: 5\n", 0, "" },
	{ R, "cache: false\ncache-size: 2G\n", 0, "" },
	{ P, "output: t.zst\nforce: true\n", 0, "output=t.zst force=true" },
	{ P, "output: t.zst\nquiet: true\n", 0, "output=t.zst quiet=true" },
	{ P, "model: true\n", 0, "model=true" },
	{ R, "model: true\n", 0, "" },
	{ R, "timeout: soon\n", -EINVAL, "@:1: bad value 'soon' for 'timeout'" },
	{ R, "exe: [a, b]\n", -EINVAL,
	    "@:1: value of 'exe' must be a single value, not a list" },
	/* duplicates */
	{ R, "quiet: true\nquiet: false\n", -EINVAL,
	    "@:2: duplicate key 'quiet' (first set on line 1)" },
	{ R, "timeout: 1\n\ntimeout: 1\n", -EINVAL,
	    "@:3: duplicate key 'timeout' (first set on line 1)" },
	{ R, "{pin: false, pin: false}\n", -EINVAL,
	    "@:1: duplicate key 'pin'" },
	/* nested values, aliases, odd keys */
	{ R, "pin: [true]\n", -EINVAL,
	    "@:1: value of 'pin' must be a single value, not a list" },
	{ R, "pin:\n  - true\n", -EINVAL,
	    "@:2: value of 'pin' must be a single value, not a list" },
	{ R, "quiet: true\npin:\n  a: b\n", -EINVAL,
	    "@:3: value of 'pin' must be a single value, not a mapping" },
	{ R, "pin: {}\n", -EINVAL, "@:1: value of 'pin' must be a single" },
	{ R, "quiet: &t true\npin: *t\n", -EINVAL,
	    "@:2: value of 'pin' must be a single value, not an alias" },
	{ R, "quiet: &t true\n", 0, "quiet=true" },
	{ P, "timeout: !!int 5\n", 0, "timeout=5" },
	{ R, "? [a, b]\n: c\n", -EINVAL, "@:1: expected an option name as key" },
	{ R, "*a : b\n", -EINVAL, "@:1: " },
	/* the top level */
	{ R, "- quiet\n", -EINVAL,
	    "@:1: expected a mapping of option names to values" },
	{ R, "quiet\n", -EINVAL, "@:1: expected a mapping of option names" },
	{ R, "\n\n[1, 2]\n", -EINVAL, "@:3: expected a mapping of option" },
	{ R, "'just text'\n", -EINVAL, "@:1: expected a mapping" },
	{ R, "quiet: true\n---\npin: false\n", -EINVAL,
	    "@:2: a second document" },
	/* syntax errors */
	{ R, "quiet: [true\n", -EINVAL, "@:2: YAML syntax error: " },
	{ R, "quiet: true\n  pin: false\n", -EINVAL,
	    "@:2: YAML syntax error: " },
	{ R, "frob: 1\n{quiet: true\n", -EINVAL, "@:3: YAML syntax error: " },
	{ R, "\tquiet: true\n", -EINVAL, "@:1: YAML syntax error: " },
	{ R, "output: 'open\n", -EINVAL, "@:2: YAML syntax error: " },
	{ R, "quiet: true\npin: \xff\n", -EINVAL,
	    "@:2: YAML syntax error: invalid leading UTF-8 octet" },
	{ R, "quiet: true\n%BAD directive\n", -EINVAL, "YAML syntax error: " },
	/* empty files and documents, comments, quoting, layout */
	{ R, "", 0, "" },
	{ R, "\n\n", 0, "" },
	{ R, "# nothing here\n", 0, "" },
	{ R, "---\n", 0, "" },
	{ R, "---\n...\n", 0, "" },
	{ R, "~\n", 0, "" },
	{ R, "{}\n", 0, "" },
	{ R, "# dios\nquiet: true   # trailing comment\n\n# more\npin: false\n",
	    0, "quiet=true pin=false" },
	{ R, "output: \"with space.zst\"\n", 0, "output=with space.zst" },
	{ R, "output: 'it''s: here.zst'\n", 0, "output=it's: here.zst" },
	{ R, "output: \"tab\\there\"\n", 0, "output=tab\there" },
	{ R, "output: 'yes'\n", 0, "output=yes" },
	{ R, "\"quiet\": 'true'\n", 0, "quiet=true" },
	{ R, "output: caf\xc3\xa9.zst\n", 0, "output=caf\xc3\xa9.zst" },
	{ R, "{quiet: true, pin: false}\n", 0, "quiet=true pin=false" },
	{ R, "quiet: true\r\npin: false\r\n", 0, "quiet=true pin=false" },
	{ R, "\xef\xbb\xbfquiet: true\n", 0, "quiet=true" },
	{ R, "%YAML 1.1\n---\nquiet: true\n...\n", 0, "quiet=true" },
	{ R, "output: t.zst\nforce: true\nquiet: true\npin: false\n"
	    "verbose: 2\nexe: x\nrealtime: true\ntimeout: 3\n", 0,
	    "output=t.zst force=true quiet=true pin=false verbose=2" },
	{ P, "output: t.zst\nforce: true\nquiet: true\npin: false\n"
	    "verbose: 2\nexe: x\nrealtime: true\ntimeout: 3\n", 0,
	    "output=t.zst force=true exe=x realtime=true timeout=3 quiet=true pin=false verbose=2" },
};

static void
check_yaml_cases(void)
{
	const char *names[] = { "@" };
	char path[512], got[1024], err[1024];
	size_t i;

	snprintf(path, sizeof(path), "%s/case.yaml", tmpdir);
	for (i = 0; i < sizeof(yaml_cases) / sizeof(yaml_cases[0]); i++) {
		const struct yaml_case *c = &yaml_cases[i];
		const char *values[] = { path };
		char *want = expand(c->want, names, values, 1);
		struct dios_opts o;
		int rc;
		bool pass;

		write_file(path, c->yaml, strlen(c->yaml));
		opts_init(&o);
		err[0] = '\0';
		rc = config_load(path, c->cmd, &o, err, sizeof(err));
		describe(&o, got, sizeof(got));
		if (c->rc == 0)
			pass = rc == 0 && strcmp(got, want) == 0 &&
			    err[0] == '\0';
		else	/* on error, o is left as it was */
			pass = rc == c->rc && strstr(err, want) != NULL &&
			    !has_newline(err) && got[0] == '\0';
		ok(pass, "yaml %zu (%s): %s", i + 1,
		    c->cmd == R ? "record" : "replay", c->want);
		if (!pass)
			diag("rc %d, err \"%s\", settings \"%s\"", rc, err,
			    got);
		opts_free(&o);
		free(want);
	}
}

static void
check_files(void)
{
	char path[512], err[1024], got[1024], *big;
	struct dios_opts o;
	size_t n = (1u << 20) + 10;
	int rc;

	snprintf(path, sizeof(path), "%s/missing.yaml", tmpdir);
	opts_init(&o);
	rc = config_load(path, R, &o, err, sizeof(err));
	ok(rc == -ENOENT && strstr(err, "missing.yaml: cannot read: No such "
	    "file or directory") != NULL, "missing file: -ENOENT, named");

	rc = config_load(tmpdir, R, &o, err, sizeof(err));
	ok(rc == -EISDIR && strstr(err, ": cannot read: Is a directory")
	    != NULL, "a directory: cannot read");

	snprintf(path, sizeof(path), "%s/big.yaml", tmpdir);
	if ((big = malloc(n)) == NULL)
		bail_out("out of memory");
	memset(big, '#', n);
	big[n - 1] = '\n';
	write_file(path, big, n);
	free(big);
	rc = config_load(path, R, &o, err, sizeof(err));
	ok(rc == -EFBIG && strstr(err, "big.yaml: too large") != NULL,
	    "a file over 1 MiB: too large");

	snprintf(path, sizeof(path), "%s/case.yaml", tmpdir);
	write_file(path, "quiet: true\0pin: false\n", 23);
	rc = config_load(path, R, &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "case.yaml:1: YAML syntax error: ")
	    != NULL, "a NUL byte in the file: a syntax error on its line");

	/* Not a regular file: refused at once, never waited on. */
	snprintf(path, sizeof(path), "%s/fifo.yaml", tmpdir);
	if (mkfifo(path, 0600) < 0)
		bail_out("mkfifo %s: %s", path, strerror(errno));
	rc = config_load(path, R, &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "fifo.yaml: not a regular file")
	    != NULL, "a FIFO: refused without blocking");
	rc = config_load("/dev/zero", R, &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "/dev/zero: not a regular file")
	    != NULL, "a device: refused");

	/* Deep nesting is refused at depth 17, before libyaml's time
	 * (quadratic in the depth) matters: 100,000 took 46 s. */
	snprintf(path, sizeof(path), "%s/deep.yaml", tmpdir);
	n = 100000;
	if ((big = malloc(n + 1)) == NULL)
		bail_out("out of memory");
	memset(big, '[', n);
	big[n] = '\n';
	write_file(path, big, n + 1);
	free(big);
	rc = config_load(path, R, &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "deep.yaml:1: lists or mappings nested "
	    "more than 16 deep") != NULL, "100,000 nested [: refused at depth 17");
	write_file(path, "quiet: {a: [[[[1]]]]}\n", 22);
	rc = config_load(path, R, &o, err, sizeof(err));
	ok(rc == -EINVAL && strstr(err, "must be a single value, not a mapping")
	    != NULL, "shallow nesting: still the usual message");

	/* A bad file changes nothing, a good one changes what it sets. */
	snprintf(path, sizeof(path), "%s/case.yaml", tmpdir);
	write_file(path, "output: a.zst\nquiet: true\n", 26);
	rc = config_load(path, R, &o, err, sizeof(err));
	write_file(path, "output: b.zst\npin: false\nfrob: 1\n", 33);
	rc |= config_load(path, R, &o, err, sizeof(err)) != -EINVAL;
	describe(&o, got, sizeof(got));
	ok(rc == 0 && strcmp(got, "output=a.zst quiet=true") == 0,
	    "a bad file leaves the settings as they were");
	write_file(path, "verbose: 1\noutput: c.zst\n", 25);
	rc = config_load(path, R, &o, err, sizeof(err));
	describe(&o, got, sizeof(got));
	ok(rc == 0 && strcmp(got, "output=c.zst quiet=true verbose=1") == 0,
	    "a second file adds to the first");
	opts_free(&o);
}

/* ---- opts_set ---- */

static void
check_opts_set(void)
{
	const struct opt_desc *d, *pin = NULL, *timeout = NULL, *fast = NULL;
	struct dios_opts o;
	char err[256];
	int n = 0;

	for (d = dios_options; d->name != NULL; d++) {
		n++;
		if (strcmp(d->name, "pin") == 0)
			pin = d;
		if (strcmp(d->name, "timeout") == 0)
			timeout = d;
		if (strcmp(d->name, "fast") == 0)
			fast = d;
	}
	ok(n == 22 && pin != NULL && timeout != NULL && fast != NULL,
	    "the table has the 22 fields of struct dios_opts");
	opts_init(&o);
	ok(o.fast && fast != NULL && opts_set(&o, fast, "false", err, sizeof(err)) == 0 && !o.fast,
	    "fast: on by default, off with false");
	opts_free(&o);
	opts_init(&o);
	ok(o.pin && o.timeout == 10 && !o.quiet && o.output == NULL,
	    "defaults: pin on, timeout 10");
	ok(o.cache && o.cache_size == 1ull << 30,
	    "defaults: cache on, cache-size 1 GiB");
	ok(pin != NULL && opts_set(&o, pin, "Off", err, sizeof(err)) == 0 &&
	    !o.pin, "opts_set pin Off");
	ok(pin != NULL && opts_set(&o, pin, "2", err, sizeof(err)) == -EINVAL
	    && strcmp(err, "bad value '2' for 'pin': expected true or false")
	    == 0, "opts_set pin 2: %s", err);
	ok(timeout != NULL && opts_set(&o, timeout, "\x1b]0;x", err,
	    sizeof(err)) == -EINVAL && strstr(err, "'\\x1b]0;x'") != NULL,
	    "control characters are escaped in messages");
	opts_free(&o);
	opts_free(&o);
	ok(o.output == NULL, "opts_free twice is safe");
}

/* ---- opts_parse ---- */

struct argv_case {
	enum dios_cmd cmd;
	const char *xdg_env;	/* NULL: $tmp/xdg; "": unset; else as is */
	const char *xdg;	/* the $XDG_CONFIG_HOME file; NULL: none */
	const char *home;	/* the $HOME/.config file; NULL: none */
	const char *cfg;	/* the file @cfg; NULL: none */
	const char *args;	/* split at spaces */
	int rc;
	int first_arg;		/* when rc is 0 */
	const char *want;	/* settings, or an error substring */
};

static const struct argv_case argv_cases[] = {
	/* plain options */
	{ R, NULL, NULL, NULL, NULL, "", 0, 1, "" },
	{ R, NULL, NULL, NULL, NULL, "./prog", 0, 1, "" },
	{ R, NULL, NULL, NULL, NULL, "-q", 0, 2, "quiet=true" },
	{ R, NULL, NULL, NULL, NULL, "-o t.zst ./prog -x", 0,
	    3, "output=t.zst" },
	{ R, NULL, NULL, NULL, NULL, "--output=t.zst -f ./prog", 0, 3,
	    "output=t.zst force=true" },
	{ R, NULL, NULL, NULL, NULL, "-ot.zst ./prog", 0, 2, "output=t.zst" },
	{ R, NULL, NULL, NULL, NULL, "-fq ./prog", 0,
	    2, "force=true quiet=true" },
	{ R, NULL, NULL, NULL, NULL, "--out t.zst p", 0, 3, "output=t.zst" },
	{ P, NULL, NULL, NULL, NULL, "--exe ./new --timeout 5 trace", 0, 5,
	    "exe=./new timeout=5" },
	{ P, NULL, NULL, NULL, NULL, "--timeout=0 --realtime trace", 0, 3,
	    "realtime=true timeout=0" },
	{ P, NULL, NULL, NULL, NULL, "-q --no-pin trace", 0, 3,
	    "quiet=true pin=false" },
	{ P, NULL, NULL, NULL, NULL, "--no-cache --cache-size 64M trace", 0, 4,
	    "cache=false cache-size=67108864" },
	{ P, NULL, NULL, NULL, NULL, "--cache-size=18446744073709551615 t", 0, 2,
	    "cache-size=18446744073709551615" },
	{ P, NULL, NULL, NULL, NULL, "--no-cache --cache t", 0, 3, "" },
	/* --no-pin, counting -v */
	{ R, NULL, NULL, NULL, NULL, "--no-pin p", 0, 2, "pin=false" },
	{ R, NULL, NULL, NULL, NULL, "--no-pin --pin p", 0, 3, "" },
	{ R, NULL, NULL, NULL, NULL, "-q --no-quiet p", 0, 3, "" },
	{ R, NULL, NULL, NULL, NULL, "-v p", 0, 2, "verbose=1" },
	{ R, NULL, NULL, NULL, NULL, "-vv p", 0, 2, "verbose=2" },
	{ R, NULL, NULL, NULL, NULL, "-v --verbose -qv p", 0, 4,
	    "quiet=true verbose=3" },
	/* where parsing stops */
	{ R, NULL, NULL, NULL, NULL, "-- -o x", 0, 2, "" },
	{ R, NULL, NULL, NULL, NULL, "-q -- ./prog -v", 0, 3, "quiet=true" },
	{ R, NULL, NULL, NULL, NULL, "./prog -o x --frob", 0, 1, "" },
	{ R, NULL, NULL, NULL, NULL, "-q ./prog -- -v", 0, 2, "quiet=true" },
	{ R, NULL, NULL, NULL, NULL, "-q - -v", 0, 2, "quiet=true" },
	/* errors */
	{ R, NULL, NULL, NULL, NULL, "--frob p", -EINVAL, 0,
	    "unknown option '--frob' (see --help)" },
	{ R, NULL, NULL, NULL, NULL, "--frob=1 p", -EINVAL, 0,
	    "unknown option '--frob' (see --help)" },
	{ R, NULL, NULL, NULL, NULL, "-x p", -EINVAL, 0,
	    "unknown option '-x' (see --help)" },
	{ R, NULL, NULL, NULL, NULL, "-qx p", -EINVAL, 0,
	    "unknown option '-x' (see --help)" },
	{ R, NULL, NULL, NULL, NULL, "-o", -EINVAL, 0,
	    "option '-o' needs an argument FILE" },
	{ R, NULL, NULL, NULL, NULL, "--output", -EINVAL, 0,
	    "option '--output' needs an argument FILE" },
	{ P, NULL, NULL, NULL, NULL, "--timeout", -EINVAL, 0,
	    "option '--timeout' needs an argument SECONDS" },
	{ P, NULL, NULL, NULL, NULL, "--output x t", 0, 3, "output=x" },
	{ P, NULL, NULL, NULL, NULL, "-o x t", 0, 3, "output=x" },
	{ P, NULL, NULL, NULL, NULL, "-f t", 0, 2, "force=true" },
	{ P, NULL, NULL, NULL, NULL, "--model t", 0, 2, "model=true" },
	{ R, NULL, NULL, NULL, NULL, "--model p", -EINVAL, 0,
	    "option '--model' is for dios-replay, not dios-record" },
	{ P, NULL, NULL, NULL, NULL, "--chaos all t", -EINVAL, 0,
	    "option '--chaos' is for dios-record, not dios-replay" },
	{ R, NULL, NULL, NULL, NULL, "--timeout 3 p", -EINVAL, 0,
	    "option '--timeout' is for dios-replay, not dios-record" },
	{ R, NULL, NULL, NULL, NULL, "--exe", -EINVAL, 0,
	    "option '--exe' is for dios-replay, not dios-record" },
	{ P, NULL, NULL, NULL, NULL, "--cache-size", -EINVAL, 0,
	    "option '--cache-size' needs an argument SIZE" },
	{ P, NULL, NULL, NULL, NULL, "--cache-size 1.5G t", -EINVAL, 0,
	    "bad value '1.5G' for '--cache-size': expected a size" },
	{ P, NULL, NULL, NULL, NULL, "--cache=no t", -EINVAL, 0,
	    "option '--cache' takes no argument (use --cache or --no-cache)" },
	{ R, NULL, NULL, NULL, NULL, "--no-cache p", -EINVAL, 0,
	    "option '--no-cache' is for dios-replay, not dios-record" },
	{ R, NULL, NULL, NULL, NULL, "--cache-size 1G p", -EINVAL, 0,
	    "option '--cache-size' is for dios-replay, not dios-record" },
	{ P, NULL, NULL, NULL, NULL, "--timeout soon t", -EINVAL, 0,
	    "bad value 'soon' for '--timeout': expected a whole number" },
	{ R, NULL, NULL, NULL, NULL, "-o= p", 0, 2, "output==" },
	{ R, NULL, NULL, NULL, NULL, "--output= p", -EINVAL, 0,
	    "bad value '' for '--output': expected a file name" },
	{ R, NULL, NULL, NULL, NULL, "--config= p", -EINVAL, 0,
	    "bad value '' for '--config': expected a file name" },
	{ R, NULL, NULL, NULL, NULL, "--pin=yes p", -EINVAL, 0,
	    "option '--pin' takes no argument (use --pin or --no-pin)" },
	{ R, NULL, NULL, NULL, NULL, "--verbose=2 p", -EINVAL, 0,
	    "option '--verbose' takes no argument" },
	{ R, NULL, NULL, NULL, NULL, "--help=me", -EINVAL, 0,
	    "option '--help' takes no argument" },
	{ R, NULL, NULL, NULL, NULL, "--ver p", -EINVAL, 0,
	    "option '--ver' is ambiguous: it could be --verbose, --version" },
	/* precedence: defaults < default file < --config file < options */
	{ R, NULL, "quiet: true\nverbose: 2\n", NULL, NULL, "p", 0, 1,
	    "quiet=true verbose=2" },
	{ R, NULL, "quiet: true\nverbose: 2\n", NULL, NULL, "-v p", 0, 2,
	    "quiet=true verbose=1" },
	{ R, NULL, "pin: false\n", NULL, NULL, "--pin p", 0, 2, "" },
	{ R, NULL, "quiet: true\n", NULL, NULL, "--no-quiet p", 0, 2, "" },
	{ R, NULL, "output: a.zst\n", NULL, NULL, "-o b.zst p", 0, 3,
	    "output=b.zst" },
	{ P, NULL, "timeout: 30\noutput: x.zst\n", NULL, NULL, "t", 0, 1,
	    "output=x.zst timeout=30" },
	{ P, NULL, "cache: false\ncache-size: 8M\n", NULL, NULL, "--cache t", 0, 2,
	    "cache-size=8388608" },
	{ P, NULL, "cache-size: 8M\n", NULL, NULL, "--cache-size 2G t", 0, 3,
	    "cache-size=2147483648" },
	{ R, NULL, "output: a.zst\nquiet: true\n", NULL, "output: b.zst\n",
	    "--config @cfg p", 0, 3, "output=b.zst config=@cfg" },
	{ R, NULL, "output: a.zst\n", NULL, "output: b.zst\n",
	    "--config=@cfg -o c.zst p", 0, 4, "output=c.zst config=@cfg" },
	{ R, NULL, NULL, NULL, "output: b.zst\n",
	    "-o c.zst --config @cfg p", 0, 5, "output=c.zst config=@cfg" },
	{ R, NULL, "frob: 1\n", NULL, "pin: false\n", "--config @cfg p", 0, 3,
	    "pin=false config=@cfg" },
	/* the default file's place */
	{ R, "", NULL, "quiet: true\n", NULL, "p", 0, 1, "quiet=true" },
	{ R, "relative/dir", NULL, "quiet: true\n", NULL, "p", 0, 1,
	    "quiet=true" },
	{ R, NULL, NULL, "quiet: true\n", NULL, "p", 0, 1, "" },
	{ R, NULL, "pin: false\n", "quiet: true\n", NULL, "p", 0,
	    1, "pin=false" },
	/* config file errors */
	{ R, NULL, NULL, NULL, NULL, "--config /nonexistent/dios.yaml p",
	    -EINVAL, 0, "/nonexistent/dios.yaml: cannot read: No such file" },
	{ R, NULL, "frob: 1\n", NULL, NULL, "p", -EINVAL, 0,
	    "@xdg:1: unknown key 'frob'" },
	{ R, NULL, "quiet: 1\npin: maybe\n", NULL, NULL, "-q p", -EINVAL, 0,
	    "@xdg:2: bad value 'maybe' for 'pin'" },
	{ R, NULL, "config: x.yaml\n", NULL, NULL, "p", -EINVAL, 0,
	    "@xdg:1: config cannot be set from a config file" },
	{ R, NULL, NULL, NULL, "[\n", "--config @cfg p", -EINVAL, 0,
	    "@cfg:2: YAML syntax error: " },
	/* --help and --version: before the config file is read */
	{ R, NULL, "frob: 1\n", NULL, NULL, "--help", 1, 0, "" },
	{ P, NULL, NULL, NULL, NULL, "-q -h trace", 1, 0, "" },
	{ R, NULL, NULL, NULL, NULL, "--version", 1, 0, "" },
	{ R, NULL, NULL, NULL, NULL, "--frob --help", -EINVAL, 0,
	    "unknown option '--frob'" },
};

static void
put_file(const char *dir, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/dios.yaml", dir);
	unlink(path);
	if (text != NULL) {
		mkdir_p(dir);
		write_file(path, text, strlen(text));
	}
}

static void
check_argv_cases(void)
{
	const char *names[] = { "@xdg", "@cfg" };
	char xdgdir[512], homedir[512], xdgpath[600], cfgpath[600];
	char got[1024], err[1024];
	size_t i;

	snprintf(xdgdir, sizeof(xdgdir), "%s/xdg", tmpdir);
	snprintf(homedir, sizeof(homedir), "%s/home", tmpdir);
	snprintf(xdgpath, sizeof(xdgpath), "%s/dios/dios.yaml", xdgdir);
	snprintf(cfgpath, sizeof(cfgpath), "%s/dios.yaml", tmpdir);
	setenv("HOME", homedir, 1);
	for (i = 0; i < sizeof(argv_cases) / sizeof(argv_cases[0]); i++) {
		const struct argv_case *c = &argv_cases[i];
		const char *values[] = { xdgpath, cfgpath };
		char *args = expand(c->args, names, values, 2);
		char *want = expand(c->want, names, values, 2);
		char *argv[64], *save = NULL, *tok, *help = NULL;
		size_t helplen = 0;
		int argc = 0, first = -1, rc;
		struct dios_opts o;
		FILE *out;
		bool pass;

		if (c->xdg_env == NULL)
			setenv("XDG_CONFIG_HOME", xdgdir, 1);
		else if (c->xdg_env[0] == '\0')
			unsetenv("XDG_CONFIG_HOME");
		else
			setenv("XDG_CONFIG_HOME", c->xdg_env, 1);
		{
			char d[600];

			snprintf(d, sizeof(d), "%s/dios", xdgdir);
			put_file(d, c->xdg);
			snprintf(d, sizeof(d), "%s/.config/dios", homedir);
			put_file(d, c->home);
		}
		put_file(tmpdir, c->cfg);

		argv[argc++] = (char *)(c->cmd == R ? "dios-record" :
		    "dios-replay");
		for (tok = strtok_r(args, " ", &save); tok != NULL &&
		    argc < 63; tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
		argv[argc] = NULL;

		if ((out = open_memstream(&help, &helplen)) == NULL)
			bail_out("open_memstream: %s", strerror(errno));
		err[0] = '\0';
		rc = opts_parse(argc, argv, c->cmd, &o, &first, out, err,
		    sizeof(err));
		fclose(out);
		describe(&o, got, sizeof(got));
		if (c->rc == 0)
			pass = rc == 0 && strcmp(got, want) == 0 &&
			    first == c->first_arg && helplen == 0;
		else if (c->rc == 1)
			pass = rc == 1 && helplen > 0 && got[0] == '\0';
		else
			pass = rc == c->rc && strstr(err, want) != NULL &&
			    !has_newline(err) && got[0] == '\0' &&
			    helplen == 0;
		ok(pass, "argv %zu (%s): %s -> %s", i + 1,
		    c->cmd == R ? "record" : "replay", c->args,
		    c->rc == 1 ? "help" : c->want);
		if (!pass)
			diag("rc %d, err \"%s\", settings \"%s\", first_arg "
			    "%d, output %zu bytes", rc, err, got, first,
			    helplen);
		opts_free(&o);
		free(help);
		free(args);
		free(want);
	}
	setenv("XDG_CONFIG_HOME", xdgdir, 1);
	put_file(xdgdir, NULL);
}

/* --help lists every option of the command and none of the other's;
 * --version prints the version. */
static void
check_help(void)
{
	enum dios_cmd cmds[] = { R, P };
	size_t i;

	for (i = 0; i < 2; i++) {
		enum dios_cmd cmd = cmds[i];
		const char *name = cmd == R ? "dios-record" : "dios-replay";
		char *argv[] = { (char *)name, (char *)"--help", NULL };
		const struct opt_desc *d;
		struct dios_opts o;
		char err[256], *text = NULL, want[64];
		size_t len = 0;
		int first, rc;
		bool all = true;
		FILE *out = open_memstream(&text, &len);

		if (out == NULL)
			bail_out("open_memstream: %s", strerror(errno));
		rc = opts_parse(2, argv, cmd, &o, &first, out, err,
		    sizeof(err));
		fclose(out);
		for (d = dios_options; d->name != NULL; d++) {
			bool mine = (d->cmds & cmd) != 0;

			snprintf(want, sizeof(want), "--%s%s", d->name,
			    d->argname != NULL ? " " : "");
			if ((strstr(text, want) != NULL) != mine) {
				diag("%s: %s is %s", name, want, mine ?
				    "missing" : "listed");
				all = false;
			}
			snprintf(want, sizeof(want), "-%c, --%s",
			    d->short_name, d->name);
			if (mine && d->short_name != 0 &&
			    strstr(text, want) == NULL) {
				diag("%s: %s is missing", name, want);
				all = false;
			}
		}
		all = all && strstr(text, "--no-pin") != NULL &&
		    strstr(text, "--help") != NULL &&
		    strstr(text, "--version") != NULL &&
		    strstr(text, "Usage: ") == text &&
		    strstr(text, "dios.yaml(5)") != NULL;
		ok(rc == 1 && all, "%s --help returns 1 and lists its options",
		    name);
		if (rc != 1 || !all)
			diag("rc %d; output:\n%s", rc, text);
		opts_free(&o);
		free(text);
	}
	{
		char *argv[] = { (char *)"dios-replay", (char *)"--version",
		    NULL };
		char err[256], *text = NULL;
		size_t len = 0;
		struct dios_opts o;
		int first, rc;
		FILE *out = open_memstream(&text, &len);

		if (out == NULL)
			bail_out("open_memstream: %s", strerror(errno));
		rc = opts_parse(2, argv, P, &o, &first, out, err, sizeof(err));
		fclose(out);
		is_str(text, "dios-replay (dios) " PACKAGE_VERSION "\n",
		    "--version prints the version");
		ok(rc == 1, "--version returns 1");
		opts_free(&o);
		free(text);
	}
}

static void
cleanup(void)
{
	char cmd[600];

	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
	}
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test-config.XXXXXX",
	    t != NULL && t[0] == '/' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		bail_out("mkdtemp %s: %s", tmpdir, strerror(errno));
	atexit(cleanup);

	check_opts_set();
	check_yaml_cases();
	check_files();
	check_argv_cases();
	check_help();
	return done_testing();
}

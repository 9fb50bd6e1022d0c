/* fuzz-config.c: config files and command lines that must never crash,
 * hang or leak.  One input is used three ways: as a config file for both
 * commands (config_load), as the default config file under fixed command
 * lines, and split at newlines as a command line (opts_parse).
 *
 * libFuzzer:  clang -g -fsanitize=fuzzer,address,undefined -DDIOS_LIBFUZZER \
 *               -I src -I . tests/unit/fuzz-config.c src/kernel/options.c \
 *               src/kernel/config.c -lyaml && ./a.out
 * Standalone (make check): a fixed-seed loop over mutations of valid and
 * tricky configs, as a TAP test; "fuzz-config FILE..." runs files instead
 * (to replay what libFuzzer found).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/options.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 8192
#define MAX_ARGS 32

static int memfd = -1;
static char mpath[64];		/* /proc/self/fd/N: the input as a file */
static char tmpdir[256];
static FILE *devnull;
static unsigned long accepted, rejected;	/* config_load verdicts */

static void
fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz-config: %s: \"%s\"\n", what, err);
	abort();
}

static void
teardown(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/dios/dios.yaml", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dios", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
	if (devnull != NULL)
		fclose(devnull);
	close(memfd);
}

static void
setup(void)
{
	char path[512];
	const char *t = getenv("TMPDIR");

	if (memfd >= 0)
		return;
	if ((memfd = memfd_create("fuzz-config", MFD_CLOEXEC)) < 0) {
		perror("fuzz-config: memfd_create");
		exit(99);
	}
	snprintf(mpath, sizeof(mpath), "/proc/self/fd/%d", memfd);
	/* The default config file, $XDG_CONFIG_HOME/dios/dios.yaml, is the
	 * input too; HOME points nowhere real. */
	snprintf(tmpdir, sizeof(tmpdir), "%s/fuzz-config.XXXXXX",
	    t != NULL && t[0] == '/' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("fuzz-config: mkdtemp");
		exit(99);
	}
	snprintf(path, sizeof(path), "%s/dios", tmpdir);
	if (mkdir(path, 0700) < 0) {
		perror("fuzz-config: mkdir");
		exit(99);
	}
	snprintf(path, sizeof(path), "%s/dios/dios.yaml", tmpdir);
	if (symlink(mpath, path) < 0) {
		perror("fuzz-config: symlink");
		exit(99);
	}
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	setenv("HOME", tmpdir, 1);
	if ((devnull = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz-config: /dev/null");
		exit(99);
	}
	atexit(teardown);
}

/* A message is one non-empty line of printable text (it quotes the input
 * escaped). */
static void
check_message(int rc, const char *err)
{
	const unsigned char *p;

	if (rc != -EINVAL && rc != -ENOMEM && rc != -EFBIG)
		fail("unexpected return code", err);
	if (err[0] == '\0')
		fail("error without a message", err);
	for (p = (const unsigned char *)err; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			fail("control character in the message", err);
}

static void
check_opts(const struct dios_opts *o)
{
	/* Strings set are never empty; touch them all. */
	if ((o->output != NULL && o->output[0] == '\0') ||
	    (o->exe != NULL && o->exe[0] == '\0'))
		fail("empty string set", o->output != NULL ? o->output : "");
}

static void
load(enum dios_cmd cmd)
{
	struct dios_opts o;
	char err[512];
	int rc;

	opts_init(&o);
	err[0] = '\0';
	rc = config_load(mpath, cmd, &o, err, sizeof(err));
	if (rc < 0) {
		check_message(rc, err);
		rejected++;
	} else {
		check_opts(&o);
		accepted++;
	}
	opts_free(&o);
}

static void
parse(int argc, char **argv, enum dios_cmd cmd)
{
	struct dios_opts o;
	char err[512];
	int rc, first = -1;

	err[0] = '\0';
	rc = opts_parse(argc, argv, cmd, &o, &first, devnull, err,
	    sizeof(err));
	if (rc < 0)
		check_message(rc, err);
	else if (rc == 0 && (first < 1 || first > argc))
		fail("first_arg out of range", argv[0]);
	else if (rc == 0)
		check_opts(&o);
	else if (rc != 1)
		fail("unexpected return code", err);
	opts_free(&o);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setup();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *record[] = { (char *)"dios-record", (char *)"-v",
	    (char *)"./prog", NULL };
	static char *replay[] = { (char *)"dios-replay", (char *)"--timeout",
	    (char *)"3", (char *)"trace", NULL };
	char buf[MAX_INPUT + 1], *argv[MAX_ARGS + 2], *p, *nl;
	int argc = 0;

	setup();
	if (size > MAX_INPUT)
		size = MAX_INPUT;
	if (ftruncate(memfd, 0) < 0 ||
	    (size > 0 && pwrite(memfd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz-config: memfd");
		exit(99);
	}
	load(CMD_RECORD);
	load(CMD_REPLAY);
	parse(3, record, CMD_RECORD);
	parse(4, replay, CMD_REPLAY);

	/* The input as a command line, one argument per line.  Any --config
	 * (or an abbreviation: "--c...") could name a file that blocks, so
	 * such inputs are not run as command lines. */
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)"dios-record";
	for (p = buf; argc <= MAX_ARGS; p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (strncmp(p, "--c", 3) == 0)
			return 0;
		argv[argc++] = p;
		if (nl == NULL)
			break;
	}
	argv[argc] = NULL;
	parse(argc, argv, CMD_RECORD);
	argv[0] = (char *)"dios-replay";
	parse(argc, argv, CMD_REPLAY);
	return 0;
}

#ifndef DIOS_LIBFUZZER

static const char *const seeds[] = {
	"",
	"output: trace.json.zst\nforce: true\nquiet: false\npin: true\n"
	    "verbose: 2\n",
	"exe: ./new\nrealtime: yes\ntimeout: 30\n",
	"# dios\nquiet: true   # comment\n\n---\npin: off\n...\n",
	"{output: \"a b\", force: on, timeout: 4294967295}\n",
	"output: 'it''s'\nexe: \"tab\\there\\u00e9\"\n",
	"%YAML 1.1\n%TAG ! tag:dios,2024:\n--- !map\nquiet: !!bool true\n",
	"a: &x [1, 2]\nb: &y [*x, *x]\nc: [*y, *y]\nquiet: *x\n",
	"pin:\n  - true\n  - {a: [b, {c: d}]}\n",
	"? [complex, key]\n: value\n? quiet\n: true\n",
	"output: |\n  literal\n  block\nexe: >\n  folded\n  text\n",
	"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]"
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	"{a: {b: {c: {d: {e: {f: {g: {h: {i: {j: {k: {l: {m: {}}}}}}}}}}}}}",
	"\xef\xbb\xbfquiet: true\r\npin: false\r\n",
	"-o\nout.zst\n-fqvv\n--no-pin\n--\n./prog\n-x\n",
	"--timeout\n5\n--exe=./x\n--realtime\ntrace\n",
	"--output\n",
	"--ver\n--no\n-h\n",
};

static const char *const tokens[] = {
	":", ": ", "-", "- ", "--", "[", "]", "{", "}", ",", "#", "\n", "\r\n",
	"\t", "  ", "'", "\"", "\\", "&a ", "*a", "!!str ", "!!map ", "!x ",
	"? ", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "|\n  ",
	">-\n  ", "~", "null", "true", "false", "yes", "4294967296", "0", "=",
	"output", "force", "exe", "realtime", "timeout", "quiet", "pin",
	"verbose", "config", "--no-pin", "-v", "-o", "--output=", "--help",
	"\xff", "\xef\xbb\xbf", "\xc3", "\xc2\x9b", "\x1b[31m", "\\0", "\\x",
	"\\u", "\\U0010ffff", "\"\\0\"", "\0",
};

#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))
#define NTOKENS (sizeof(tokens) / sizeof(tokens[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n == 0 ? 0 : (uint32_t)(rng % n);
}

/* One random change to buf[0..*len) (capacity MAX_INPUT). */
static void
mutate(uint8_t *buf, size_t *len)
{
	size_t n = *len, pos = rnd((uint32_t)n + 1), k;
	const char *s;

	switch (rnd(7)) {
	case 0:		/* flip a bit */
		if (n > 0)
			buf[pos % n] ^= (uint8_t)(1u << rnd(8));
		break;
	case 1:		/* a random byte */
		if (n > 0)
			buf[pos % n] = (uint8_t)rnd(256);
		break;
	case 2:		/* insert a token */
	case 3:
		s = tokens[rnd(NTOKENS)];
		k = s[0] == '\0' ? 1 : strlen(s);
		if (n + k > MAX_INPUT)
			break;
		memmove(buf + pos + k, buf + pos, n - pos);
		memcpy(buf + pos, s, k);
		*len = n + k;
		break;
	case 4:		/* delete a few bytes */
		k = rnd(8) + 1;
		if (pos + k > n)
			k = n - pos;
		memmove(buf + pos, buf + pos + k, n - pos - k);
		*len = n - k;
		break;
	case 5:		/* repeat a range */
		k = rnd(16) + 1;
		if (pos + k > n)
			k = n - pos;
		if (n + k > MAX_INPUT)
			break;
		memmove(buf + pos + k, buf + pos, n - pos);
		*len = n + k;
		break;
	case 6:		/* splice in the end of another seed */
		s = seeds[rnd(NSEEDS)];
		k = strlen(s);
		k = k - rnd((uint32_t)k + 1);
		if (pos + k > MAX_INPUT)
			break;
		memcpy(buf + pos, s + strlen(s) - k, k);
		*len = pos + k;
		break;
	}
}

static int
run_file(const char *path)
{
	uint8_t buf[MAX_INPUT];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		perror(path);
		return 99;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned iterations = 3000, i, m;
	uint8_t buf[MAX_INPUT];
	size_t len;
	int r = 0;
	const char *e = getenv("FUZZ_ITERATIONS");

	setup();
	if (argc > 1) {
		for (i = 1; i < (unsigned)argc && r == 0; i++)
			r = run_file(argv[i]);
		return r;
	}
	if (e != NULL && *e != '\0')
		iterations = (unsigned)strtoul(e, NULL, 10);
	printf("1..2\n");
	fflush(stdout);
	for (i = 0; i < NSEEDS; i++)
		LLVMFuzzerTestOneInput((const uint8_t *)seeds[i],
		    strlen(seeds[i]));
	printf("ok 1 - %zu seed inputs\n", NSEEDS);
	fflush(stdout);
	for (i = 0; i < iterations; i++) {
		const char *s = seeds[rnd(NSEEDS)];

		len = strlen(s);
		memcpy(buf, s, len);
		for (m = rnd(4) + 1; m > 0; m--)
			mutate(buf, &len);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("ok 2 - %u mutated inputs, no crash\n", iterations);
	printf("# config files: %lu accepted, %lu rejected\n", accepted,
	    rejected);
	return 0;
}

#endif

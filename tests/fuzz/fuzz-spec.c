/* fuzz-spec.c: fault specs (src/fuzz/spec.h) that must never crash, hang
 * or leak: each input is read as a YAML spec and as strace's syntax; a
 * spec accepted is described (spec_json) and asked about a few calls; a
 * spec refused has one line of printable text saying why.
 *
 * libFuzzer:  clang -g -fsanitize=fuzzer,address,undefined -DDIOS_LIBFUZZER \
 *               -iquote src -I BUILD tests/fuzz/fuzz-spec.c BUILD/libdios.a \
 *               -lyaml -ljansson -lzstd -lseccomp && ./a.out
 * Standalone (make check): a fixed-seed loop over mutations of valid and
 * tricky specs, as a TAP test; "fuzz-spec FILE..." runs files instead (to
 * replay what libFuzzer found).  FUZZ_ITERATIONS sets the loop's length.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 8192

static unsigned long accepted, rejected;

static void
fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz-spec: %s: \"%s\"\n", what, err);
	abort();
}

static void
check_message(int rc, const char *err)
{
	if (rc != -EINVAL && rc != -ENOMEM && rc != -EFBIG)
		fail("unexpected return code", err);
	if (err[0] == '\0')
		fail("error without a message", err);
	for (const unsigned char *p = (const unsigned char *)err; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			fail("control character in the message", err);
}

static const char *fd_path(void *arg, int fd) { return "/tmp/x.bin"; }
static const char *cwd(void *arg) { return "/tmp"; }
static const char *exe(void *arg) { return "/bin/prog"; }

static void
exercise(struct spec *s)
{
	static const char *const calls[] = { "openat", "read", "write", "chdir", "close", "connect" };
	uint64_t a[6] = { (uint64_t)-100, 0, 100, 0, 0, 0 };
	json_t *args = json_pack("{s:i, s:s, s:i}", "dirfd", -100, "path", "a.txt", "flags", 0);
	json_t *j = spec_json(s);
	char *d = json_dumps(j, JSON_COMPACT);

	if (d == NULL)
		fail("spec_json gives no JSON", "");
	free(d);
	json_decref(j);
	spec_seed_set(s, 3);
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		struct spec_call q = { .sc = sc_by_name(calls[i]), .a = a, .args = args, .tid = 1,
		    .fd_path = fd_path, .cwd = cwd, .exe = exe };
		for (int k = 0; k < 3; k++) {
			struct perturb_act act = { 0 };
			unsigned r = spec_decide(s, &q, &act);
			if (r > spec_rules(s) || (r && act.why == NULL))
				fail("spec_decide: a rule that is not there", "");
			if (act.error < 0 || act.error > 4095 || act.delay_enter_us > SPEC_MAX_DELAY_US)
				fail("spec_decide: an action out of bounds", "");
		}
	}
	json_decref(args);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[MAX_INPUT + 1], err[1024];
	struct spec *s = NULL;
	int rc;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	err[0] = '\0';
	rc = spec_load_yaml("fuzz.yaml", (const char *)data, size, &s, err, sizeof err);
	if (rc < 0) {
		if (s != NULL)
			fail("a spec refused and returned", err);
		check_message(rc, err);
		rejected++;
	} else {
		exercise(s);
		accepted++;
	}
	spec_free(s);
	memcpy(text, data, size);
	text[size] = '\0';
	s = NULL;
	err[0] = '\0';
	rc = spec_parse_strace(text, &s, err, sizeof err);
	if (rc < 0)
		check_message(rc, err);
	else
		exercise(s);
	spec_free(s);
	return 0;
}

#ifndef DIOS_LIBFUZZER

static const char *const seeds[] = {
	"",
	"seed: 42\nrules:\n  - name: noent\n    syscall: [open, openat]\n    path: '*/a.txt'\n"
	    "    error: ENOENT\n    when: 2..3\n",
	"rules:\n  - syscall: read\n    fd-path: '*.bin'\n    short: half\n    delay_exit: 10ms\n",
	"- {syscall: '%network', error: EINTR, probability: 0.25}\n- {syscall: write, args: {fd: 2}, "
	    "retval: 0}\n",
	"rules:\n  - syscall: openat\n    args: {flags: O_CREAT|O_TRUNC, path: '*.log'}\n    error: EDQUOT\n",
	"rules:\n  - {syscall: chdir, error: ENOSYS, force: true, tid: [1, 2], process: 'sh*'}\n",
	"chdir:error=ENOENT:when=3+",
	"open,openat:error=ENOENT;read:short=1:when=2..10+3;write:signal=USR1:delay_enter=5ms",
	"a: &x [1, 2]\nrules: *x\n",
	"rules: [[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]\n",
	"%YAML 1.1\n---\nrules: !!seq\n - !!map {syscall: !!str chdir, error: EACCES}\n",
	"rules:\n  - syscall: chdir\n    error: \"\\u00e9\\x00\"\n",
	"fault=%file:when=1..65535+65535",
	"!read,?x,%desc:retval=9223372036854775807",
};

static const char *const tokens[] = {
	":", ": ", "- ", "[", "]", "{", "}", ",", "#", "\n", "  ", "'", "\"", "\\", "&a ", "*a",
	"!!str ", "? ", "---\n", "~", "syscall", "error", "retval", "signal", "when", "path",
	"fd-path", "args", "probability", "short", "force", "tid", "process", "name", "seed",
	"rules", "delay_enter", "delay_exit", "ENOENT", "EIO", "SIGUSR1", "half", "0", "1",
	"4294967296", "..", "+", "%file", "%desc", "!", "?", "=", ";", "*", "0.5", "1e308", "nan",
	"-1", "10ms", "60s", "61s", "\xff", "\xc3", "\x1b[31m",
};

#define NSEEDS (sizeof seeds / sizeof seeds[0])
#define NTOKENS (sizeof tokens / sizeof tokens[0])

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n == 0 ? 0 : (uint32_t)(rng % n);
}

static void
mutate(uint8_t *buf, size_t *len)
{
	size_t n = *len, pos = rnd((uint32_t)n + 1), k;
	const char *s;

	switch (rnd(6)) {
	case 0:
		if (n > 0)
			buf[pos % n] ^= (uint8_t)(1u << rnd(8));
		break;
	case 1:
		if (n > 0)
			buf[pos % n] = (uint8_t)rnd(256);
		break;
	case 2:
	case 3:
		s = tokens[rnd(NTOKENS)];
		k = strlen(s);
		if (n + k > MAX_INPUT)
			break;
		memmove(buf + pos + k, buf + pos, n - pos);
		memcpy(buf + pos, s, k);
		*len = n + k;
		break;
	case 4:
		k = rnd(8) + 1;
		if (pos + k > n)
			k = n - pos;
		memmove(buf + pos, buf + pos + k, n - pos - k);
		*len = n - k;
		break;
	case 5:
		k = rnd(16) + 1;
		if (pos + k > n)
			k = n - pos;
		if (n + k > MAX_INPUT)
			break;
		memmove(buf + pos + k, buf + pos, n - pos);
		*len = n + k;
		break;
	}
}

int
main(int argc, char **argv)
{
	unsigned iterations = 3000;
	uint8_t buf[MAX_INPUT];
	size_t len;
	const char *e = getenv("FUZZ_ITERATIONS");

	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			FILE *f = fopen(argv[i], "rb");
			if (f == NULL) {
				perror(argv[i]);
				return 99;
			}
			len = fread(buf, 1, sizeof buf, f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, len);
		}
		return 0;
	}
	if (e != NULL && *e != '\0')
		iterations = (unsigned)strtoul(e, NULL, 10);
	printf("1..2\n");
	fflush(stdout);
	for (size_t i = 0; i < NSEEDS; i++)
		LLVMFuzzerTestOneInput((const uint8_t *)seeds[i], strlen(seeds[i]));
	printf("ok 1 - %zu seed specs\n", NSEEDS);
	fflush(stdout);
	for (unsigned i = 0; i < iterations; i++) {
		const char *s = seeds[rnd(NSEEDS)];
		len = strlen(s);
		memcpy(buf, s, len);
		for (unsigned m = rnd(4) + 1; m > 0; m--)
			mutate(buf, &len);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("ok 2 - %u mutated specs, no crash\n", iterations);
	printf("# YAML specs: %lu accepted, %lu rejected\n", accepted, rejected);
	return 0;
}

#endif

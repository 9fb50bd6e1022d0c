/* test-spec.c: the fault spec (src/fuzz/spec.h) and the errno table
 * (src/fuzz/errtab.h): good and bad specs in YAML and in strace's syntax,
 * each error message checked; when= arithmetic; a seeded probability that
 * repeats; the predicates (path, fd-path, args, tid) and the actions as the
 * perturber hands them to the record module.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "fuzz/errtab.h"
#include "fuzz/spec.h"
#include "sys/systable.h"

/* ---- the errno table ---- */

static void
check_errtab(void)
{
	static const struct { const char *call; const char *errs; } want[] = {
		{ "openat", "ENOENT EACCES EMFILE ENFILE ENOSPC ENOTDIR ELOOP ENAMETOOLONG EROFS" },
		{ "open", "ENOENT EACCES EMFILE ENFILE ENOSPC" },
		{ "read", "EIO EINTR EAGAIN" },
		{ "pread64", "EIO EINTR EAGAIN" },
		{ "write", "ENOSPC EIO EPIPE EDQUOT EFBIG EINTR EAGAIN" },
		{ "close", "EIO EINTR" },
		{ "fsync", "EIO" },
		{ "mmap", "ENOMEM" },
		{ "fork", "EAGAIN ENOMEM" },
		{ "clone", "EAGAIN ENOMEM" },
		{ "connect", "ECONNREFUSED ETIMEDOUT ENETUNREACH" },
		{ "accept", "EMFILE" },
		{ "accept4", "EMFILE" },
		{ "getrandom", "EAGAIN EINTR" },
		{ "stat", "ENOENT EACCES" },
		{ "newfstatat", "ENOENT EACCES" },
	};
	char buf[512];

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct sc_desc *sc = sc_by_name(want[i].call);
		char errs[256], *save = NULL, *tok;
		bool all = sc != NULL;
		snprintf(errs, sizeof errs, "%s", want[i].errs);
		for (tok = strtok_r(errs, " ", &save); tok && all; tok = strtok_r(NULL, " ", &save)) {
			const char *list = errtab_names(sc, buf, sizeof buf);
			char w[40];
			snprintf(w, sizeof w, "%s", tok);
			/* errtab_can by name through the list printed */
			all = strstr(list, w) != NULL;
		}
		ok(all, "errtab: %s can return %s", want[i].call, want[i].errs);
	}
	ok(!errtab_can(sc_by_name("read"), ENOENT), "errtab: read cannot return ENOENT");
	ok(!errtab_can(sc_by_name("close"), ENOENT), "errtab: close cannot return ENOENT");
	ok(errtab_can(sc_by_name("write"), EPIPE), "errtab: write can return EPIPE");
	ok(errtab_can(sc_by_name("setxattr"), ENOSPC), "errtab: a call of a row's more list");
	/* a call without a row of its own: its class's */
	ok(errtab_can(sc_by_name("getpid"), EPERM) || errtab_find(sc_by_name("getpid")) != NULL,
	    "errtab: a call without a row takes its class's");
	is_str(errtab_names(sc_by_name("close"), buf, sizeof buf), "EIO, EINTR, EBADF, ENOSPC, EDQUOT",
	    "errtab: close's errors, the fuzz list first");
	errtab_names(sc_by_name("openat"), buf, 40);
	ok(strlen(buf) < 40 && strstr(buf, "...") != NULL, "errtab_names cuts a long list: %s", buf);

	/* Every call named in the table has a row, and is named once. */
	size_t n, dup = 0, unknown = 0;
	const struct errtab_row *rows = errtab_rows(&n);
	for (size_t i = 0; i < n; i++) {
		char calls[1024], *save = NULL, *tok;
		if (rows[i].calls[0] == '%')
			continue;
		snprintf(calls, sizeof calls, "%s", rows[i].calls);
		for (tok = strtok_r(calls, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			const struct sc_desc *sc = sc_by_name(tok);
			if (sc == NULL) {
				diag("errtab names %s, which has no row", tok);
				unknown++;
			} else if (errtab_find(sc) != &rows[i]) {
				diag("errtab names %s twice", tok);
				dup++;
			}
		}
	}
	ok(unknown == 0 && dup == 0, "errtab: every call it names has a row, each named once");
}

/* ---- loading ---- */

static struct spec *
yaml(const char *text, char *err, size_t errlen, int *rc)
{
	struct spec *s = NULL;

	err[0] = '\0';
	*rc = spec_load_yaml("t.yaml", text, strlen(text), &s, err, errlen);
	return s;
}

struct bad_case {
	const char *text;	/* YAML, or strace's syntax when strace */
	bool strace;
	const char *want;	/* the whole message */
};

static const struct bad_case bad_cases[] = {
	{ "rules:\n  - syscall: openat\n    error: ENOENT\n   bad: [\n", false,
	  "t.yaml:4: YAML syntax error: did not find expected '-' indicator" },
	{ "rules:\n  - syscall: openat\n    errno: ENOENT\n", false,
	  "t.yaml:3: rule 1: unknown key 'errno' (expected name, syscall, path, fd-path, args, when, "
	  "probability, tid, process, error, retval, signal, delay_enter, delay_exit, short or force; "
	  "see dios-fuzz.yaml(5))" },
	{ "rules:\n  - syscall: read\n    error: ENOENT\n", false,
	  "t.yaml:2: rule 1: read cannot return ENOENT (it can return EIO, EINTR, EAGAIN, EBADF, "
	  "EINVAL, EISDIR, EFAULT, EOPNOTSUPP, ESPIPE, EOVERFLOW); force: true injects it all the same" },
	{ "rules:\n  - syscall: chdir\n    error: ENOENT\n    when: 0\n", false,
	  "t.yaml:4: rule 1: bad when: '0' (expected strace's N, N+, N+STEP, FIRST..LAST or "
	  "FIRST..LAST+STEP, numbers from 1 to 4294967295)" },
	{ "rules:\n  - syscall: chdir\n    error: ENOENT\n    when: 3..2\n", false,
	  "t.yaml:4: rule 1: when: 3..2: the last call (2) comes before the first (3)" },
	{ "rules:\n  - syscall: chdir\n    when: 2\n", false,
	  "t.yaml:2: rule 1: no action (expected error, retval, signal, delay_enter, delay_exit or short)" },
	{ "rules:\n  - syscall: chdir\n    error: ENOENT\n    retval: 1\n", false,
	  "t.yaml:2: rule 1: error and retval exclude each other (the call fails or returns)" },
	{ "rules:\n  - syscall: close\n    short: half\n", false,
	  "t.yaml:2: rule 1: short: close has no buffer with a length that dios can lower (read, "
	  "write, pread64, recvfrom, sendto... do)" },
	{ "rules:\n  - syscall: read\n    args: {flags: 1}\n    error: EIO\n", false,
	  "t.yaml:2: rule 1: args: read has no argument 'flags' (see dios-trace's output for the names)" },
	{ "rules:\n  - syscall: opne\n    error: ENOENT\n", false,
	  "t.yaml:2: rule 1: syscall: unknown system call 'opne'" },
	{ "rules:\n  - syscall: exit_group\n    signal: SIGUSR1\n", false,
	  "t.yaml:2: rule 1: syscall: exit_group runs natively under dios (it never stops there), so "
	  "no fault can be injected into it" },
	{ "rules:\n  - syscall: '%bogus'\n    error: EIO\n", false,
	  "t.yaml:2: rule 1: syscall: unknown class '%bogus' (dios knows %file, %desc, %network, "
	  "%process, %signal, %ipc, %memory and %clock)" },
	{ "rules:\n  - syscall: chdir\n    error: ENOENT\n    error: EACCES\n", false,
	  "t.yaml:4: rule 1: error given twice" },
	{ "rules:\n  - &a {syscall: chdir, error: ENOENT}\n  - *a\n", false,
	  "t.yaml:3: an alias: dios does not follow them (write the value itself)" },
	{ "seeds: 1\nrules: []\n", false,
	  "t.yaml:1: unknown key 'seeds' (expected seed or rules; see dios-fuzz.yaml(5))" },
	{ "seed: -3\nrules: [{syscall: chdir, error: ENOENT}]\n", false,
	  "t.yaml:1: bad seed: '-3' (expected a number from 1 to 4294967295)" },
	{ "", false, "t.yaml:1: no rules (expected rules: a list of rules, see dios-fuzz.yaml(5))" },
	{ "rules:\n  - syscall: chdir\n    error: ENOENT\n  - syscall: chdir\n    signal: SIGFOO\n", false,
	  "t.yaml:5: rule 2: bad signal: 'SIGFOO' (expected a name such as SIGUSR1 or USR1, or a "
	  "number from 1 to 64)" },
	{ "rules:\n  - syscall: chdir\n    delay_enter: 2h\n", false,
	  "t.yaml:3: rule 1: bad delay_enter: '2h' (expected a duration such as 10ms, 500us or 2s, "
	  "a bare number being microseconds, at most 60s)" },
	{ "rules:\n  - error: EIO\n", false,
	  "t.yaml:2: rule 1: error EIO on every call: name the calls with syscall: (or say force: true)" },
	{ "rules:\n  - syscall: chdir\n    probability: 1.5\n    error: ENOENT\n", false,
	  "t.yaml:3: rule 1: bad probability: '1.5' (expected a number from 0 to 1)" },
	{ "rules:\n  - syscall: chdir\n    path: [a]\n    error: ENOENT\n", false,
	  "t.yaml:3: rule 1: path must be a single value, not a list" },
	{ "rules:\n  - syscall: chdir\n    error: \"EN\\x1bOENT\"\n", false,
	  "t.yaml:3: rule 1: bad error: 'EN\\x1bOENT' (expected an errno name such as ENOENT, or a "
	  "number from 1 to 4095)" },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", false,
	  "t.yaml:1: lists or mappings nested more than 16 deep" },
	{ "rules:\n  - syscall: close\n    error: EIO\n", false,
	  "t.yaml:2: rule 1: close runs for real in dios-replay too (the descriptor table mirror), "
	  "so an error injected there would not replay; force: true injects it all the same" },
	{ "rules:\n  - syscall: openat\n    retval: 42\n", false,
	  "t.yaml:2: rule 1: openat makes a descriptor: a result injected there would name none the "
	  "program has, and would not replay; force: true injects it all the same" },
	/* strace's syntax */
	{ "chdir:errno=ENOENT", true,
	  "'chdir:errno=ENOENT': unknown key 'errno' (expected name, syscall, path, fd-path, args, "
	  "when, probability, tid, process, error, retval, signal, delay_enter, delay_exit, short or "
	  "force; see dios-fuzz.yaml(5))" },
	{ "chdir:poke_enter=@arg1=00", true,
	  "'chdir:poke_enter=@arg1=00': strace's poke_enter= is not supported by dios" },
	{ "chdir", true,
	  "'chdir': no action (expected error, retval, signal, delay_enter, delay_exit or short)" },
	{ "chdir:error=ENOENT:when=2..", true,
	  "'chdir:error=ENOENT:when=2..': bad when: '2..' (expected strace's N, N+, N+STEP, "
	  "FIRST..LAST or FIRST..LAST+STEP, numbers from 1 to 4294967295)" },
	{ "chdir:error=ENOENT;read:error=ENOENT", true,
	  "'read:error=ENOENT': read cannot return ENOENT (it can return EIO, EINTR, EAGAIN, EBADF, "
	  "EINVAL, EISDIR, EFAULT, EOPNOTSUPP, ESPIPE, EOVERFLOW); force: true injects it all the same" },
	{ ":error=EIO", true,
	  "':error=EIO': no syscall set (expected SET:error=ENOENT, SET:when=2..3... as strace's -e inject=)" },
	{ "/ope.*/:error=ENOENT", true,
	  "'/ope.*/:error=ENOENT': syscall: /ope.*/: regular expressions are not supported (name the "
	  "calls, or a class such as %file)" },
};

static void
check_bad(void)
{
	char err[1024];
	int rc;

	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct bad_case *c = &bad_cases[i];
		struct spec *s = NULL;
		err[0] = '\0';
		if (c->strace)
			rc = spec_parse_strace(c->text, &s, err, sizeof err);
		else
			s = yaml(c->text, err, sizeof err, &rc);
		ok(rc == -EINVAL && s == NULL && strcmp(err, c->want) == 0 && !strchr(err, '\n'),
		    "bad spec %zu refused: %s", i + 1, c->want);
		if (strcmp(err, c->want) != 0)
			diag("got: %s", err);
		spec_free(s);
	}
}

static void
check_good(void)
{
	char err[1024];
	int rc;
	struct spec *s;

	s = yaml("seed: 42\n"
	    "rules:\n"
	    "  - name: noent\n"
	    "    syscall: [open, openat]\n"
	    "    path: '*/a.txt'\n"
	    "    error: ENOENT\n"
	    "    when: 2..3\n"
	    "  - syscall: read\n"
	    "    fd-path: '*.bin'\n"
	    "    short: half\n"
	    "    delay_exit: 10ms\n"
	    "  - syscall: '%network'\n"
	    "    error: EINTR\n"
	    "    probability: 0.25\n"
	    "  - syscall: write\n"
	    "    args: {fd: 2}\n"
	    "    retval: 0\n"
	    "  - syscall: chdir\n"
	    "    error: ENOSYS\n"
	    "    force: true\n"
	    "  - syscall: write\n"
	    "    signal: USR1\n"
	    "    delay_enter: 1500\n"
	    "    tid: [1, 2]\n"
	    "    process: 'sh*'\n", err, sizeof err, &rc);
	ok(rc == 0 && s != NULL, "a spec of every key loads%s%s", err[0] ? ": " : "", err);
	if (s) {
		is_int((long long)spec_rules(s), 6, "it has 6 rules");
		is_int((long long)spec_seed(s), 42, "its seed is 42");
		ok(spec_random(s), "it has a probability");
		json_t *j = spec_json(s);
		char *d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		ok(d && strstr(d, "{\"error\":\"ENOENT\",\"name\":\"noent\",\"path\":\"*/a.txt\","
		    "\"syscall\":[\"open\",\"openat\"],\"when\":\"2..3\"}") != NULL &&
		    strstr(d, "\"delay_enter_us\":1500") && strstr(d, "\"signal\":\"SIGUSR1\"") &&
		    strstr(d, "\"short\":\"half\""), "spec_json: %s", d ? d : "(null)");
		free(d);
		json_decref(j);
	}
	spec_free(s);

	s = yaml("- {syscall: chdir, error: ENOENT}\n", err, sizeof err, &rc);
	ok(rc == 0 && s && spec_rules(s) == 1 && !spec_random(s), "a bare list of rules loads");
	spec_free(s);

	static const char *const strace_good[] = {
		"chdir:error=ENOENT:when=3+",
		"inject=open,openat:error=ENOENT",
		"close:error=EIO:force",
		"%desc:error=EINTR",
		"chdir:retval=42",
		"chdir:error=ENOENT:signal=USR1",
		"chdir:delay_enter=10ms:delay_exit=1s",
		"%file:error=ENOENT",
		"fault=chdir",
		"read:short=half;write:short=1:when=2+2",
		"openat:path=*/a.txt:error=ENOENT:when=2",
		"?nosuchcall,chdir:error=EACCES",
		"!chdir,%file:signal=SIGUSR2",
		"openat:arg.flags=O_CREAT:error=EDQUOT",
	};
	for (size_t i = 0; i < sizeof strace_good / sizeof strace_good[0]; i++) {
		s = NULL;
		rc = spec_parse_strace(strace_good[i], &s, err, sizeof err);
		ok(rc == 0 && s, "strace syntax: %s%s%s", strace_good[i], rc ? ": " : "", rc ? err : "");
		spec_free(s);
	}
}

/* ---- deciding ---- */

static const char *fake_fd_path(void *arg, int fd) { return fd == 3 ? "/data/in.bin" : "/dev/null"; }
static const char *fake_cwd(void *arg) { return "/work/dir"; }
static const char *fake_exe(void *arg) { return "/bin/sh"; }

/* Which of calls 1..n a one-rule spec changes: "2 3 5". */
static void
applied(const char *rule, const char *call, json_t *args, const uint64_t *a, int n, char *out,
    size_t len)
{
	struct spec *s = NULL;
	char err[512];
	size_t o = 0;

	out[0] = '\0';
	if (spec_parse_strace(rule, &s, err, sizeof err) < 0) {
		snprintf(out, len, "error: %s", err);
		return;
	}
	struct spec_call q = { .sc = sc_by_name(call), .a = a, .args = args, .tid = 7,
	    .fd_path = fake_fd_path, .cwd = fake_cwd, .exe = fake_exe };
	for (int i = 1; i <= n; i++) {
		struct perturb_act act = { 0 };
		if (spec_decide(s, &q, &act) && o + 8 < len)
			o += (size_t)snprintf(out + o, len - o, "%s%d", o ? " " : "", i);
	}
	spec_free(s);
}

static void
check_when(void)
{
	static const struct { const char *when, *want; } cases[] = {
		{ "1", "1" },
		{ "2", "2" },
		{ "3+", "3 4 5 6 7 8 9 10 11 12" },
		{ "2..4", "2 3 4" },
		{ "2..4+", "2 3 4" },
		{ "1+3", "1 4 7 10" },
		{ "2..10+3", "2 5 8" },
		{ "5..5", "5" },
		{ "11..20", "11 12" },
		{ "13", "" },
	};
	uint64_t a[6] = { 0 };
	json_t *args = json_pack("{s:s}", "path", ".");
	char rule[128], got[600];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(rule, sizeof rule, "chdir:error=ENOENT:when=%s", cases[i].when);
		applied(rule, "chdir", args, a, 12, got, sizeof got);
		is_str(got, cases[i].want, "when=%s changes calls: %s", cases[i].when, cases[i].want);
	}
	/* The count is of the calls the rule's predicates matched. */
	applied("chdir:path=/tmp/*:error=ENOENT:when=2", "chdir", args, a, 4, got, sizeof got);
	is_str(got, "", "when= counts only the calls the predicates matched");
	json_decref(args);
}

static void
check_predicates(void)
{
	char got[600];
	uint64_t a[6] = { 0 };
	json_t *args;

	args = json_pack("{s:i, s:s, s:i, s:i}", "dirfd", AT_FDCWD, "path", "a.txt", "flags",
	    O_WRONLY | O_CREAT, "mode", 0644);
	a[0] = (uint64_t)(int64_t)AT_FDCWD;
	a[2] = O_WRONLY | O_CREAT;
	applied("openat:path=*.txt:error=ENOENT", "openat", args, a, 2, got, sizeof got);
	is_str(got, "1 2", "path= matches the path as given");
	applied("openat:path=/work/dir/*.txt:error=ENOENT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "1", "an absolute path= matches a relative path from the cwd");
	applied("openat:path=/other/*:error=ENOENT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "", "path= that does not match");
	applied("openat:arg.flags=O_CREAT:error=EDQUOT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "1", "args: a flag the call has");
	applied("openat:arg.flags=O_CREAT|O_EXCL:error=EEXIST", "openat", args, a, 1, got, sizeof got);
	is_str(got, "", "args: flags the call has not all");
	applied("openat:arg.flags=65:error=EDQUOT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "1", "args: flags as a number");
	applied("openat:process=sh:error=ENOENT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "1", "process= matches the executable's name");
	applied("openat:process=python*:error=ENOENT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "", "process= of another program");
	applied("openat:tid=7:error=ENOENT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "1", "tid= of the task");
	applied("openat:tid=8:error=ENOENT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "", "tid= of another task");
	applied("%file:error=ENOENT", "openat", args, a, 1, got, sizeof got);
	is_str(got, "1", "%%file has openat");
	applied("%network:error=EINTR", "openat", args, a, 1, got, sizeof got);
	is_str(got, "", "%%network has not openat");
	json_decref(args);

	args = json_pack("{s:i, s:i}", "fd", 3, "count", 100);
	a[0] = 3;
	a[1] = 0x1000;
	a[2] = 100;
	applied("read:fd-path=*.bin:short=half", "read", args, a, 1, got, sizeof got);
	is_str(got, "1", "fd-path= matches the descriptor's path");
	a[0] = 4;
	applied("read:fd-path=*.bin:short=half", "read", args, a, 1, got, sizeof got);
	is_str(got, "", "fd-path= of another descriptor");
	applied("read:arg.fd=4:error=EIO", "read", args, a, 1, got, sizeof got);
	is_str(got, "1", "args: a descriptor by number");

	/* The action as the record module gets it. */
	struct spec *s = NULL;
	char err[512];
	a[0] = 3;
	spec_parse_strace("read:short=half:delay_exit=2ms;read:error=EIO:signal=SIGUSR1:delay_enter=3",
	    &s, err, sizeof err);
	struct spec_call q = { .sc = sc_by_name("read"), .a = a, .args = args, .tid = 7,
	    .fd_path = fake_fd_path };
	struct perturb_act act = { 0 };
	ok(s && spec_decide(s, &q, &act) == 1 && act.count == 50 && act.delay_exit_us == 2000 &&
	    act.error == 0 && act.why && strcmp(act.why, "inject:1") == 0,
	    "short=half halves the count, delay_exit in us, why inject:1");
	spec_free(s);
	s = NULL;
	spec_parse_strace("read:error=EIO:signal=SIGUSR1:delay_enter=3:name=eio", &s, err, sizeof err);
	memset(&act, 0, sizeof act);
	ok(s && spec_decide(s, &q, &act) == 1 && act.error == EIO && act.signal == 10 &&
	    act.delay_enter_us == 3 && strcmp(act.why, "inject:eio") == 0,
	    "error, signal, delay_enter and the rule's name as why");
	spec_free(s);
	s = NULL;
	spec_parse_strace("write:retval=42;read:retval=7", &s, err, sizeof err);
	memset(&act, 0, sizeof act);
	ok(s && spec_decide(s, &q, &act) == 2 && act.retval_set && act.retval == 7 &&
	    strcmp(act.why, "inject:2") == 0, "the first rule that matches decides: rule 2");
	spec_free(s);
	json_decref(args);
}

static void
check_probability(void)
{
	struct spec *s = NULL;
	char err[512], a1[201], a2[201], a3[201];
	uint64_t a[6] = { 0 };
	int hits = 0;

	if (spec_parse_strace("chdir:error=ENOENT:probability=0.5", &s, err, sizeof err) < 0)
		bail_out("%s", err);
	struct spec_call q = { .sc = sc_by_name("chdir"), .a = a };
	char *runs[3] = { a1, a2, a3 };
	uint64_t seeds[3] = { 7, 7, 8 };
	for (int r = 0; r < 3; r++) {
		spec_seed_set(s, seeds[r]);
		for (int i = 0; i < 200; i++) {
			struct perturb_act act = { 0 };
			runs[r][i] = spec_decide(s, &q, &act) ? '1' : '0';
			hits += r == 0 && runs[r][i] == '1';
		}
		runs[r][200] = '\0';
	}
	ok(strcmp(a1, a2) == 0, "probability: the same seed, the same calls changed");
	ok(strcmp(a1, a3) != 0, "probability: another seed, other calls");
	ok(hits > 60 && hits < 140, "probability 0.5: %d of 200 calls changed", hits);
	spec_seed_set(s, 0);
	ok(spec_seed(s) != 0, "seed 0 draws one: %llu", (unsigned long long)spec_seed(s));
	spec_free(s);

	s = NULL;
	spec_parse_strace("chdir:error=ENOENT:probability=0;chdir:error=EACCES:probability=1", &s, err,
	    sizeof err);
	spec_seed_set(s, 1);
	int second = 0;
	for (int i = 0; i < 50; i++) {
		struct perturb_act act = { 0 };
		second += spec_decide(s, &q, &act) == 2 && act.error == EACCES;
	}
	is_int(second, 50, "probability 0 never, 1 always");
	spec_free(s);
}

int
main(void)
{
	check_errtab();
	check_bad();
	check_good();
	check_when();
	check_predicates();
	check_probability();
	return done_testing();
}

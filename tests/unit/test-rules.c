/* test-rules.c: the requirement rules (src/inspect/rules.h) over
 * hand-made event sequences: for each rule one that violates it and one
 * close to it that does not.  A case is a header's "fds", its events as
 * JSON Lines, a footer, the rules on, and the violations expected as
 * "rule@seq" words in order. */
#include "config.h"
#include <errno.h>
#include <string.h>
#include <jansson.h>
#include "inspect/rules.h"
#include "tap.h"

#define H "{\"format\":\"dios-trace\",\"version\":1,\"fds\":[0,1,2]}\n"
#define OK0 "{\"end\":{\"exit\":0},\"events\":99}"
#define OK1 "{\"end\":{\"exit\":1},\"events\":99}"
#define ALL 0xffffffffu

struct tcase {
	const char *name;
	unsigned mask;
	const char *lines;	/* header and events, one per line */
	const char *footer;	/* NULL: cut short */
	const char *want;	/* "closed-fd@5 double-close@7", "" for none */
};

static const struct tcase cases[] = {
	/* closed-fd */
	{ "read after close", RULE_CLOSED_FD, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/a\",\"flags\":0},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":3},\"ret\":0}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":3,\"count\":10},\"err\":\"EBADF\"}\n",
	  OK0, "closed-fd@3" },
	{ "close then reuse of the number by a new open", RULE_CLOSED_FD | RULE_DOUBLE_CLOSE, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/a\",\"flags\":0},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":3},\"ret\":0}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/b\",\"flags\":0},\"ret\":3}\n"
	  "{\"seq\":4,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":3,\"count\":10},\"ret\":0}\n"
	  "{\"seq\":5,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":3},\"ret\":0}\n",
	  OK0, "" },
	{ "EBADF on a number never opened (probing) is no violation", RULE_CLOSED_FD | RULE_DOUBLE_CLOSE, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"fcntl\",\"args\":{\"fd\":9,\"cmd\":1},\"err\":\"EBADF\"}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":-1},\"err\":\"EBADF\"}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":7},\"err\":\"EBADF\"}\n",
	  OK0, "" },
	{ "a reuse not followed (a call that succeeds) resets the entry", RULE_CLOSED_FD, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":0},\"ret\":0}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"ioctl\",\"args\":{\"fd\":0,\"request\":21505},\"ret\":0}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":0,\"count\":1},\"err\":\"EBADF\"}\n",
	  OK0, "" },
	{ "threads sharing a table: one closes, the other reads", RULE_CLOSED_FD, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"pipe2\",\"args\":{\"flags\":0},\"ret\":0,\"out\":{\"fds\":{\"fd0\":3,\"fd1\":4}}}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"clone\",\"args\":{\"flags\":4001536},\"ret\":11}\n"
	  "{\"seq\":3,\"tid\":11,\"sys\":\"close\",\"args\":{\"fd\":3},\"ret\":0}\n"
	  "{\"seq\":4,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":3,\"count\":1},\"err\":\"EBADF\"}\n",
	  OK0, "closed-fd@4" },
	{ "a fork child closing its copy: the parent's stays open", RULE_CLOSED_FD, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"pipe2\",\"args\":{\"flags\":0},\"ret\":0,\"out\":{\"fds\":{\"fd0\":3,\"fd1\":4}}}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"clone\",\"args\":{\"flags\":18874385},\"ret\":11}\n"
	  "{\"seq\":3,\"tid\":11,\"sys\":\"close\",\"args\":{\"fd\":3},\"ret\":0}\n"
	  "{\"seq\":4,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":3,\"count\":1},\"ret\":1}\n"
	  "{\"seq\":5,\"tid\":11,\"sys\":\"read\",\"args\":{\"fd\":3,\"count\":1},\"err\":\"EBADF\"}\n",
	  OK0, "closed-fd@5" },
	{ "an exec forgets the program's closes", RULE_CLOSED_FD, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":0},\"ret\":0}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"execve\",\"args\":{\"path\":\"/bin/x\"},\"ret\":0}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":0,\"count\":1},\"err\":\"EBADF\"}\n",
	  OK0, "" },
	/* double-close */
	{ "close twice", RULE_DOUBLE_CLOSE | RULE_CLOSED_FD, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"dup\",\"args\":{\"oldfd\":1},\"ret\":5}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":5},\"ret\":0}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":5},\"err\":\"EBADF\"}\n",
	  OK0, "double-close@3" },
	{ "close, dup2 onto the number, close again", RULE_DOUBLE_CLOSE, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"dup\",\"args\":{\"oldfd\":1},\"ret\":5}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":5},\"ret\":0}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"dup2\",\"args\":{\"oldfd\":1,\"newfd\":5},\"ret\":5}\n"
	  "{\"seq\":4,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":5},\"ret\":0}\n",
	  OK0, "" },
	{ "close_range then close", RULE_DOUBLE_CLOSE, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/a\",\"flags\":0},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close_range\",\"args\":{\"first\":3,\"last\":4294967295,\"flags\":0},\"ret\":0}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":3},\"err\":\"EBADF\"}\n",
	  OK0, "double-close@3" },
	/* error-ignored */
	{ "a failed write, exit 0, silence", RULE_ERROR_IGNORED, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/o\",\"flags\":577},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":3,\"buf\":{\"text\":\"abc\"},\"count\":3},\"err\":\"ENOSPC\"}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":3},\"ret\":0}\n"
	  "{\"seq\":4,\"tid\":10,\"event\":\"exit\",\"exit\":0}\n",
	  OK0, "error-ignored@2" },
	{ "a failed write reported on stderr", RULE_ERROR_IGNORED, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/o\",\"flags\":577},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":3,\"buf\":{\"text\":\"abc\"},\"count\":3},\"err\":\"ENOSPC\"}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":2,\"buf\":{\"text\":\"x: No space\\n\"},\"count\":12},\"ret\":12}\n",
	  OK0, "" },
	{ "a failed write and exit 1", RULE_ERROR_IGNORED, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":1,\"buf\":{\"text\":\"abc\"},\"count\":3},\"err\":\"EIO\"}\n",
	  OK1, "" },
	{ "a failed close on stdout, exit 0", RULE_ERROR_IGNORED, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":1},\"err\":\"EIO\"}\n",
	  OK0, "error-ignored@1" },
	{ "a short write completed by the next", RULE_ERROR_IGNORED, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":1,\"buf\":{\"text\":\"abcd\"},\"count\":4},\"ret\":2}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":1,\"buf\":{\"text\":\"cd\"},\"count\":2},\"ret\":2}\n",
	  OK0, "" },
	{ "a short write given up", RULE_ERROR_IGNORED, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"writev\",\"args\":{\"fd\":1,\"iov\":{\"text\":\"abcd\"},\"iovcnt\":1},\"ret\":2}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":1},\"ret\":0}\n",
	  OK0, "error-ignored@1" },
	{ "a write failing on a pipe (not a file) or fsync EINVAL", RULE_ERROR_IGNORED, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"pipe2\",\"args\":{\"flags\":0},\"ret\":0,\"out\":{\"fds\":{\"fd0\":3,\"fd1\":4}}}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":4,\"buf\":{\"text\":\"abc\"},\"count\":3},\"err\":\"EPIPE\"}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"fsync\",\"args\":{\"fd\":1},\"err\":\"EINVAL\"}\n",
	  OK0, "" },
	{ "a cut-short trace says nothing of how the program ended", RULE_ERROR_IGNORED, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":1,\"buf\":{\"text\":\"abc\"},\"count\":3},\"err\":\"EIO\"}\n",
	  NULL, "" },
	/* fd-leak */
	{ "a file opened for writing left open at exit 0", RULE_FD_LEAK, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/o\",\"flags\":577},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/r\",\"flags\":0},\"ret\":4}\n"
	  "{\"seq\":3,\"tid\":10,\"event\":\"exit\",\"exit\":0}\n",
	  OK0, "fd-leak@1" },
	{ "fd-leak-all adds the read-only one", RULE_FD_LEAK | RULE_FD_LEAK_ALL, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/o\",\"flags\":577},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/r\",\"flags\":0},\"ret\":4}\n"
	  "{\"seq\":3,\"tid\":10,\"event\":\"exit\",\"exit\":0}\n",
	  OK0, "fd-leak@1 fd-leak-all@2" },
	{ "an inherited descriptor left open is no leak", RULE_FD_LEAK | RULE_FD_LEAK_ALL,
	  "{\"format\":\"dios-trace\",\"version\":1,\"fds\":[0,1,2,7]}\n"
	  "{\"seq\":1,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":7,\"buf\":{\"text\":\"abc\"},\"count\":3},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"dup2\",\"args\":{\"oldfd\":1,\"newfd\":9},\"ret\":9}\n"
	  "{\"seq\":3,\"tid\":10,\"event\":\"exit\",\"exit\":0}\n",
	  OK0, "" },
	{ "closed before exit, or exit 1, or an O_CLOEXEC one gone at exec", RULE_FD_LEAK, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/o\",\"flags\":577},\"ret\":3}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":3},\"ret\":0}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"clone\",\"args\":{\"flags\":18874385},\"ret\":11}\n"
	  "{\"seq\":4,\"tid\":11,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/p\",\"flags\":577},\"ret\":3}\n"
	  "{\"seq\":5,\"tid\":11,\"event\":\"exit\",\"exit\":1}\n"
	  "{\"seq\":6,\"tid\":10,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/q\",\"flags\":524865},\"ret\":3}\n"
	  "{\"seq\":7,\"tid\":10,\"sys\":\"execve\",\"args\":{\"path\":\"/bin/x\"},\"ret\":0}\n"
	  "{\"seq\":8,\"tid\":10,\"event\":\"exit\",\"exit\":0}\n",
	  OK0, "" },
	{ "a thread's exit is not its process's", RULE_FD_LEAK, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"clone\",\"args\":{\"flags\":4001536},\"ret\":11}\n"
	  "{\"seq\":2,\"tid\":11,\"sys\":\"openat\",\"args\":{\"dirfd\":-100,\"path\":\"/tmp/o\",\"flags\":577},\"ret\":3}\n"
	  "{\"seq\":3,\"tid\":11,\"event\":\"exit\",\"exit\":0}\n"
	  "{\"seq\":4,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":3},\"ret\":0}\n"
	  "{\"seq\":5,\"tid\":10,\"event\":\"exit\",\"exit\":0}\n",
	  OK0, "" },
	/* eintr-not-retried */
	{ "EINTR given up and reported", RULE_EINTR, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":0,\"count\":1},\"err\":\"EINTR\"}\n"
	  "{\"seq\":2,\"tid\":10,\"event\":\"signal\",\"sig\":\"SIGUSR1\"}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":2,\"buf\":{\"text\":\"read: Interrupted\\n\"},\"count\":18},\"ret\":18}\n"
	  "{\"seq\":4,\"tid\":10,\"event\":\"exit\",\"exit\":1}\n",
	  OK1, "eintr-not-retried@1" },
	{ "EINTR retried", RULE_EINTR, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":0,\"count\":1},\"err\":\"EINTR\"}\n"
	  "{\"seq\":2,\"tid\":10,\"event\":\"signal\",\"sig\":\"SIGUSR1\"}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"getpid\",\"args\":{},\"ret\":10}\n"
	  "{\"seq\":4,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":0,\"count\":1},\"ret\":1}\n"
	  "{\"seq\":5,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":2,\"buf\":{\"text\":\"x\\n\"},\"count\":2},\"ret\":2}\n"
	  "{\"seq\":6,\"tid\":10,\"event\":\"exit\",\"exit\":1}\n",
	  OK1, "" },
	{ "EINTR given up on purpose at SIGINT", RULE_EINTR, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":0,\"count\":1},\"err\":\"EINTR\"}\n"
	  "{\"seq\":2,\"tid\":10,\"event\":\"signal\",\"sig\":\"SIGINT\"}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"write\",\"args\":{\"fd\":2,\"buf\":{\"text\":\"bye\\n\"},\"count\":4},\"ret\":4}\n",
	  OK1, "" },
	{ "EINTR given up, then exit 0 in silence", RULE_EINTR, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"read\",\"args\":{\"fd\":0,\"count\":1},\"err\":\"EINTR\"}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":0},\"ret\":0}\n",
	  OK0, "" },
	{ "EINTR given up, the other task retries nothing, exit 2", RULE_EINTR, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"clone\",\"args\":{\"flags\":4001536},\"ret\":11}\n"
	  "{\"seq\":2,\"tid\":11,\"sys\":\"wait4\",\"args\":{\"pid\":-1,\"options\":0},\"err\":\"EINTR\"}\n"
	  "{\"seq\":3,\"tid\":10,\"sys\":\"wait4\",\"args\":{\"pid\":-1,\"options\":0},\"ret\":12}\n"
	  "{\"seq\":4,\"tid\":11,\"sys\":\"exit_group\",\"args\":{\"status\":2},\"ret\":0}\n",
	  "{\"end\":{\"exit\":2},\"events\":5}", "eintr-not-retried@2" },
	/* a rule off says nothing */
	{ "rules off", RULE_FD_LEAK, H
	  "{\"seq\":1,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":1},\"ret\":0}\n"
	  "{\"seq\":2,\"tid\":10,\"sys\":\"close\",\"args\":{\"fd\":1},\"err\":\"EBADF\"}\n",
	  OK0, "" },
};

/* The violations of case c as "rule@seq rule@seq". */
static void
run(const struct tcase *c, char *got, size_t n)
{
	struct rules *r = rules_new(c->mask);
	const char *p = c->lines;
	json_t *foot = c->footer ? json_loads(c->footer, 0, NULL) : NULL;
	size_t len = 0;

	got[0] = '\0';
	while (*p) {
		const char *e = strchr(p, '\n');
		json_error_t je;
		json_t *o = json_loadb(p, e ? (size_t)(e - p) : strlen(p), 0, &je);
		if (o == NULL)
			bail_out("%s: bad JSON at %.40s: %s", c->name, p, je.text);
		rules_feed(r, o);
		json_decref(o);
		p = e ? e + 1 : p + strlen(p);
	}
	rules_end(r, foot);
	for (size_t i = 0; i < rules_nviolations(r); i++) {
		const struct rule_violation *v = rules_violation(r, i);
		len += (size_t)snprintf(got + len, len < n ? n - len : 0, "%s%s@%llu", i ? " " : "",
		    v->rule, (unsigned long long)v->seq);
		diag("  %s: %s", v->rule, v->msg);
	}
	json_decref(foot);
	rules_free(r);
}

int
main(void)
{
	char got[512], err[256];
	unsigned m;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		run(&cases[i], got, sizeof got);
		is_str(got, cases[i].want, "%s", cases[i].name);
	}

	/* the table and --rules lists */
	ok(rules_count_table >= 6, "the table has the rules");
	for (size_t i = 0; i < rules_count_table; i++)
		ok(rules_table[i].name && rules_table[i].desc && strchr(rules_table[i].desc, '\n') == NULL,
		    "rule %s has a one-line description", rules_table[i].name);
	is_int(rules_parse("error-ignored,closed-fd", &m, err, sizeof err), 0, "a list of names");
	ok(m == (RULE_ERROR_IGNORED | RULE_CLOSED_FD), "those two");
	is_int(rules_parse("all", &m, err, sizeof err), 0, "all");
	ok(m == rules_all_mask(), "all of them");
	is_int(rules_parse("default,fd-leak", &m, err, sizeof err), 0, "default and one more");
	ok(m == (rules_default_mask() | RULE_FD_LEAK), "the defaults and fd-leak");
	ok((rules_default_mask() & (RULE_FD_LEAK | RULE_FD_LEAK_ALL)) == 0, "the leak rules are opt-in");
	is_int(rules_parse("closed-fd,nope", &m, err, sizeof err), -EINVAL, "an unknown rule");
	ok(strstr(err, "'nope'") != NULL, "named: %s", err);
	is_int(rules_parse("", &m, err, sizeof err), -EINVAL, "an empty list");
	is_int(rules_check_file("/nonexistent/t.json.zst", ALL, NULL, err, sizeof err), -ENOENT,
	    "a missing trace");
	ok(strstr(err, "/nonexistent/t.json.zst") != NULL, "named: %s", err);
	return done_testing();
}

/* yaml.c: the YAML configuration file (man/dios.yaml.5): one mapping of
 * option names (the long options) to scalar values, read with libyaml's
 * event parser.  The file is untrusted input: it is read whole (up to
 * CONFIG_MAX_BYTES), parsed without building a document, aliases are not
 * followed, and everything quoted back in a message is escaped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "config/options.h"
#include "config/optutil.h"

#define CONFIG_MAX_BYTES (1u << 20)
/* Deepest nesting of lists and mappings looked at: a config file is one
 * flat mapping, and libyaml takes time quadratic in the depth. */
#define CONFIG_MAX_DEPTH 16


/* Reads all of path into *buf (caller frees), at most CONFIG_MAX_BYTES. */
static int
read_file(const char *path, unsigned char **buf, size_t *len, char *err,
    size_t errlen)
{
	unsigned char *b = NULL, *nb;
	size_t n = 0, cap = 0;
	struct stat st;
	ssize_t got;
	int fd = -1, r;

	/* O_NONBLOCK: a FIFO or a device is refused below, not waited on. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0) {
		r = -errno;
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		opts_errf(err, errlen, "%s: not a regular file (a config file "
		    "is read whole, never from a pipe or a device)", path);
		close(fd);
		return -EINVAL;
	}
	for (;;) {
		if (n == cap) {
			/* One byte more than allowed tells "too large". */
			if (n > CONFIG_MAX_BYTES)
				break;
			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > CONFIG_MAX_BYTES + 1)
				cap = CONFIG_MAX_BYTES + 1;
			if ((nb = realloc(b, cap + 1)) == NULL) {
				r = -ENOMEM;
				goto fail;
			}
			b = nb;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (n > CONFIG_MAX_BYTES) {
		opts_errf(err, errlen, "%s: too large (over %u bytes); a config "
		    "file holds a few options", path, CONFIG_MAX_BYTES);
		free(b);
		return -EFBIG;
	}
	*buf = b;
	*len = n;
	return 0;
fail:
	opts_errf(err, errlen, "%s: cannot read: %s", path, strerror(-r));
	free(b);
	if (fd >= 0)
		close(fd);
	return r;
}

/* Copies the strings too: config_load works on a copy and changes o only
 * when the whole file is good. */
static int
opts_copy(struct dios_opts *dst, const struct dios_opts *src)
{
	const struct opt_desc *d;

	*dst = *src;
	for (d = dios_options; d->name != NULL; d++) {
		char **p;

		if (d->type != OPT_STRING)
			continue;
		p = (char **)((char *)dst + d->offset);
		if (*p != NULL && (*p = strdup(*p)) == NULL) {
			/* Leave the rest NULL so opts_free is safe. */
			for (d++; d->name != NULL; d++)
				if (d->type == OPT_STRING)
					*(char **)((char *)dst + d->offset) =
					    NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

static const struct opt_desc *
lookup(const char *key, size_t len)
{
	const struct opt_desc *d;

	for (d = dios_options; d->name != NULL; d++)
		if (strlen(d->name) == len && memcmp(d->name, key, len) == 0)
			return d;
	return NULL;
}

/* A plain scalar that YAML reads as null: an empty document. */
static bool
is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return ev->data.scalar.length == 0 || strcmp(v, "~") == 0 ||
	    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0;
}

static unsigned long
line_of(const yaml_mark_t *m)
{
	return (unsigned long)m->line + 1;
}

/* The line of byte offset off in buf, 1-based. */
static unsigned long
line_at(const unsigned char *buf, size_t len, size_t off)
{
	unsigned long line = 1;
	size_t i;

	for (i = 0; i < off && i < len; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

struct loader {
	const char *path;
	enum dios_cmd cmd;
	struct dios_opts *o;
	char *err;
	size_t errlen;
	unsigned long seen[64];		/* line where option i was set, 0: not */
};

/* key = value from the file, the key's event at kmark, the value's vev. */
static int
set_key(struct loader *l, const struct opt_desc *d,
    const yaml_mark_t *kmark, const yaml_event_t *vev)
{
	const char *value = (const char *)vev->data.scalar.value;
	size_t len = vev->data.scalar.length, i;
	struct dios_opts scratch;
	char msg[512], q[256];
	int r;

	i = (size_t)(d - dios_options);
	if (i < sizeof(l->seen) / sizeof(l->seen[0])) {
		if (l->seen[i] != 0) {
			opts_errf(l->err, l->errlen, "%s:%lu: duplicate key '%s' "
			    "(first set on line %lu)", l->path,
			    line_of(kmark), d->name, l->seen[i]);
			return -EINVAL;
		}
		l->seen[i] = line_of(kmark);
	}
	if (memchr(value, '\0', len) != NULL) {
		opts_errf(l->err, l->errlen, "%s:%lu: bad value '%s' for '%s': "
		    "contains a NUL byte", l->path, line_of(&vev->start_mark),
		    opts_quote(q, sizeof(q), value, len), d->name);
		return -EINVAL;
	}
	/* The other command's keys are checked the same way, so a file both
	 * commands read gets the same verdict from both, then ignored. */
	if ((d->cmds & l->cmd) != 0) {
		r = opts_set(l->o, d, value, msg, sizeof(msg));
	} else {
		opts_init(&scratch);
		r = opts_set(&scratch, d, value, msg, sizeof(msg));
		opts_free(&scratch);
	}
	if (r < 0)
		opts_errf(l->err, l->errlen, "%s:%lu: %s", l->path,
		    line_of(&vev->start_mark), msg);
	return r;
}

enum state {
	ST_STREAM,	/* expecting a document or the end */
	ST_ROOT,	/* expecting the document's top node */
	ST_KEY,		/* in the mapping: a key or its end */
	ST_VALUE,	/* after a key */
	ST_DOC_END,	/* after the top node */
};

/* Reports the first syntax error of the whole text, if any: a typo near
 * the end is told as such, not as a bad value the parser saw before it. */
static int
check_syntax(struct loader *l, const unsigned char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int r = 0;

	if (!yaml_parser_initialize(&parser)) {
		opts_errf(l->err, l->errlen, "%s: out of memory", l->path);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	for (int depth = 0;;) {
		if (depth > CONFIG_MAX_DEPTH) {
			opts_errf(l->err, l->errlen, "%s:%lu: lists or mappings "
			    "nested more than %d deep: a config file is one "
			    "mapping of option names to values", l->path,
			    line_of(&parser.mark), CONFIG_MAX_DEPTH);
			r = -EINVAL;
			break;
		}
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				opts_errf(l->err, l->errlen, "%s: out of memory",
				    l->path);
				r = -ENOMEM;
				break;
			}
			opts_errf(l->err, l->errlen, "%s:%lu: YAML syntax error: %s",
			    l->path, parser.error == YAML_READER_ERROR ?
			    line_at(buf, len, parser.problem_offset) :
			    line_of(&parser.problem_mark),
			    parser.problem != NULL ? parser.problem :
			    "unknown error");
			r = -EINVAL;
			break;
		}
		if (ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev.type == YAML_SEQUENCE_END_EVENT ||
		    ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return r;
}

/* The meaning, on text whose syntax is known good. */
static int
parse(struct loader *l, const unsigned char *buf, size_t len)
{
	const struct opt_desc *d = NULL;
	yaml_mark_t kmark = { 0, 0, 0 };
	yaml_parser_t parser;
	yaml_event_t ev;
	enum state st = ST_STREAM;
	int docs = 0, r = 0;
	bool done = false;
	char q[256];

	if (!yaml_parser_initialize(&parser)) {
		opts_errf(l->err, l->errlen, "%s: out of memory", l->path);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	while (!done && r == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			/* check_syntax passed: only memory can run out. */
			opts_errf(l->err, l->errlen, "%s: %s", l->path,
			    parser.error == YAML_MEMORY_ERROR ?
			    "out of memory" : "YAML syntax error");
			r = parser.error == YAML_MEMORY_ERROR ? -ENOMEM :
			    -EINVAL;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_NO_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				opts_errf(l->err, l->errlen, "%s:%lu: a second "
				    "document: a config file is one mapping "
				    "of option names to values (remove "
				    "'---')", l->path, line_of(&ev.start_mark));
				r = -EINVAL;
			}
			st = ST_ROOT;
			break;
		case YAML_DOCUMENT_END_EVENT:
			st = ST_STREAM;
			break;
		case YAML_MAPPING_START_EVENT:
			if (st == ST_ROOT) {
				st = ST_KEY;
				break;
			}
			/* fall through */
		case YAML_SEQUENCE_START_EVENT:
		case YAML_ALIAS_EVENT:
		case YAML_SCALAR_EVENT:
			if (st == ST_ROOT) {
				if (ev.type == YAML_SCALAR_EVENT &&
				    is_null(&ev)) {
					st = ST_DOC_END;
					break;
				}
				opts_errf(l->err, l->errlen, "%s:%lu: expected a "
				    "mapping of option names to values",
				    l->path, line_of(&ev.start_mark));
				r = -EINVAL;
			} else if (st == ST_KEY) {
				const char *k;
				size_t klen;

				if (ev.type != YAML_SCALAR_EVENT) {
					opts_errf(l->err, l->errlen, "%s:%lu: "
					    "expected an option name as key",
					    l->path, line_of(&ev.start_mark));
					r = -EINVAL;
					break;
				}
				k = (const char *)ev.data.scalar.value;
				klen = ev.data.scalar.length;
				kmark = ev.start_mark;
				if ((d = lookup(k, klen)) == NULL) {
					opts_errf(l->err, l->errlen, "%s:%lu: "
					    "unknown key '%s' (see "
					    "dios.yaml(5))", l->path,
					    line_of(&kmark),
					    opts_quote(q, sizeof(q), k, klen));
					r = -EINVAL;
				} else if (strcmp(d->name, "config") == 0) {
					opts_errf(l->err, l->errlen, "%s:%lu: "
					    "config cannot be set from a "
					    "config file (use --config on the "
					    "command line)", l->path,
					    line_of(&kmark));
					r = -EINVAL;
				}
				st = ST_VALUE;
			} else if (st == ST_VALUE) {
				if (ev.type == YAML_SCALAR_EVENT) {
					r = set_key(l, d, &kmark, &ev);
					st = ST_KEY;
					break;
				}
				opts_errf(l->err, l->errlen, "%s:%lu: value of "
				    "'%s' must be a single value, not %s",
				    l->path, line_of(&ev.start_mark), d->name,
				    ev.type == YAML_SEQUENCE_START_EVENT ?
				    "a list" : ev.type ==
				    YAML_MAPPING_START_EVENT ? "a mapping" :
				    "an alias (write the value itself)");
				r = -EINVAL;
			} else {
				/* libyaml only gives nodes where they may
				 * stand; a guard all the same. */
				opts_errf(l->err, l->errlen, "%s:%lu: expected a "
				    "mapping of option names to values",
				    l->path, line_of(&ev.start_mark));
				r = -EINVAL;
			}
			break;
		case YAML_MAPPING_END_EVENT:
			st = ST_DOC_END;
			break;
		case YAML_SEQUENCE_END_EVENT:
		default:
			opts_errf(l->err, l->errlen, "%s:%lu: expected a mapping "
			    "of option names to values", l->path,
			    line_of(&ev.start_mark));
			r = -EINVAL;
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return r;
}

int
config_load(const char *path, enum dios_cmd cmd, struct dios_opts *o,
    char *err, size_t errlen)
{
	struct loader l;
	struct dios_opts copy;
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = read_file(path, &buf, &len, err, errlen)) < 0)
		return r;
	if (opts_copy(&copy, o) < 0) {
		opts_free(&copy);
		free(buf);
		opts_errf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	memset(&l, 0, sizeof(l));
	l.path = path;
	l.cmd = cmd;
	l.o = &copy;
	l.err = err;
	l.errlen = errlen;
	r = check_syntax(&l, buf, len);
	if (r == 0)
		r = parse(&l, buf, len);
	free(buf);
	if (r < 0) {
		opts_free(&copy);
		return r;
	}
	opts_free(o);
	*o = copy;
	return 0;
}

/* cmdline.c: the command line of dios-record and dios-replay, parsed with
 * getopt_long from the option table (options.c), and the precedence of
 * defaults, config files (yaml.c) and options (options.h, opts_parse).
 * Nothing here exits; --help and --version print to the caller's stream.
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

/* getopt_long return values besides short option characters. */
enum {
	VAL_LONG = 0x100,	/* + table index: --name */
	VAL_NEG = 0x200,	/* + table index: --no-name (booleans) */
	VAL_HELP = 0x400,
	VAL_VERSION,
};

#define NAME_MAX_LEN 32		/* longest option name, for --no-NAME */

struct getopt_tables {
	struct option *longopts;
	char *nonames;		/* storage for the "no-NAME" strings */
	char optstring[128];
};

static void
tables_free(struct getopt_tables *t)
{
	free(t->longopts);
	free(t->nonames);
}

static int
tables_build(struct getopt_tables *t, char *err, size_t errlen)
{
	const struct opt_desc *d;
	size_t n = 0, k = 0, j;
	char *os = t->optstring;

	for (d = dios_options; d->name != NULL; d++)
		n++;
	/* Each option, a --no- form per boolean, help, version, the end. */
	t->longopts = calloc(2 * n + 3, sizeof(*t->longopts));
	t->nonames = calloc(n, NAME_MAX_LEN + 4);
	if (t->longopts == NULL || t->nonames == NULL) {
		tables_free(t);
		opts_errf(err, errlen, "out of memory parsing the command line");
		return -ENOMEM;
	}
	/* "+": stop at the first non-option (the program's own options are
	 * its own); ":": report a missing argument as ':'. */
	j = (size_t)snprintf(os, sizeof(t->optstring), "+:h");
	for (d = dios_options; d->name != NULL; d++) {
		size_t i = (size_t)(d - dios_options);
		bool arg = d->type == OPT_STRING || d->type == OPT_UINT ||
		    d->type == OPT_SIZE;

		t->longopts[k++] = (struct option){ d->name,
		    arg ? required_argument : no_argument, NULL,
		    (int)(VAL_LONG + i) };
		if (d->type == OPT_BOOL) {
			char *nn = t->nonames + i * (NAME_MAX_LEN + 4);

			snprintf(nn, NAME_MAX_LEN + 4, "no-%s", d->name);
			t->longopts[k++] = (struct option){ nn, no_argument,
			    NULL, (int)(VAL_NEG + i) };
		}
		if (d->short_name != 0 && j + 3 < sizeof(t->optstring)) {
			os[j++] = (char)d->short_name;
			if (arg)
				os[j++] = ':';
			os[j] = '\0';
		}
	}
	t->longopts[k++] = (struct option){ "help", no_argument, NULL,
	    VAL_HELP };
	t->longopts[k++] = (struct option){ "version", no_argument, NULL,
	    VAL_VERSION };
	return 0;
}

static const struct opt_desc *
by_short(int c)
{
	const struct opt_desc *d;

	for (d = dios_options; d->name != NULL; d++)
		if (d->short_name != 0 && d->short_name == c)
			return d;
	return NULL;
}

/* The option named by getopt value v, as the user wrote it ("-o",
 * "--output", "--no-pin") in buf; NULL when v is not in the table. */
static const struct opt_desc *
from_val(int v, char *buf, size_t buflen)
{
	const struct opt_desc *d;

	if (v >= VAL_LONG && v < VAL_LONG + 0x100) {
		d = &dios_options[v - VAL_LONG];
		snprintf(buf, buflen, "--%s", d->name);
		return d;
	}
	if (v >= VAL_NEG && v < VAL_NEG + 0x100) {
		d = &dios_options[v - VAL_NEG];
		snprintf(buf, buflen, "--no-%s", d->name);
		return d;
	}
	if ((d = by_short(v)) != NULL)
		snprintf(buf, buflen, "-%c", v);
	return d;
}

/* Message for an unknown or ambiguous long option text "--xyz[=...]". */
static void
bad_long(const struct getopt_tables *t, const char *text, char *err,
    size_t errlen)
{
	char q[256], list[256] = "";
	const struct option *lo;
	const char *name = text + 2, *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	size_t j = 0;
	int matches = 0;

	for (lo = t->longopts; lo->name != NULL; lo++) {
		if (len == 0 || strncmp(lo->name, name, len) != 0)
			continue;
		matches++;
		if (j < sizeof(list))
			j += (size_t)snprintf(list + j, sizeof(list) - j,
			    "%s--%s", matches > 1 ? ", " : "", lo->name);
	}
	opts_quote(q, sizeof(q), text, eq != NULL ? (size_t)(eq - text) :
	    strlen(text));
	if (matches > 1)
		opts_errf(err, errlen, "option '%s' is ambiguous: it could be %s",
		    q, list);
	else
		opts_errf(err, errlen, "unknown option '%s' (see --help)", q);
}

/* One pass over argv.  Pass 1 checks every option, handles --help,
 * --version and --config; pass 2 applies the others on top of the config
 * file.  Returns 0, 1 (help or version printed) or -errno. */
static int
scan(const struct getopt_tables *t, int pass, int argc, char **argv,
    enum dios_cmd cmd, struct dios_opts *o, int *first_arg, FILE *out,
    char *err, size_t errlen)
{
	bool counted[64] = { false };
	char shown[NAME_MAX_LEN + 8], q[256];
	const struct opt_desc *d;
	int c, r;

	optind = 0;	/* glibc and musl: start over */
	opterr = 0;
	while ((c = getopt_long(argc, argv, t->optstring, t->longopts,
	    NULL)) != -1) {
		if (c == '?') {
			if (optopt >= VAL_LONG &&
			    (d = from_val(optopt, shown, sizeof(shown)))
			    != NULL) {
				if (d->type == OPT_BOOL)
					opts_errf(err, errlen, "option '%s' takes "
					    "no argument (use --%s or --no-%s)",
					    shown, d->name, d->name);
				else
					opts_errf(err, errlen, "option '%s' takes "
					    "no argument", shown);
			} else if (optopt == VAL_HELP || optopt == VAL_VERSION) {
				opts_errf(err, errlen, "option '--%s' takes no "
				    "argument", optopt == VAL_HELP ? "help" :
				    "version");
			} else if (optopt != 0) {
				char ch = (char)optopt;

				opts_errf(err, errlen, "unknown option '-%s' (see "
				    "--help)", opts_quote(q, sizeof(q), &ch, 1));
			} else if (optind > 0 && optind <= argc &&
			    strncmp(argv[optind - 1], "--", 2) == 0) {
				bad_long(t, argv[optind - 1], err, errlen);
			} else {
				opts_errf(err, errlen, "unknown option (see --help)");
			}
			return -EINVAL;
		}
		if (c == ':') {
			d = from_val(optopt, shown, sizeof(shown));
			if (d == NULL) {
				opts_errf(err, errlen, "an option needs an argument "
				    "(see --help)");
				return -EINVAL;
			}
			if ((d->cmds & cmd) == 0)
				goto other_cmd;
			opts_errf(err, errlen, "option '%s' needs an argument %s",
			    shown, d->argname != NULL ? d->argname : "");
			return -EINVAL;
		}
		if (c == 'h' || c == VAL_HELP) {
			if (pass == 1) {
				opts_usage(cmd, out);
				return 1;
			}
			continue;
		}
		if (c == VAL_VERSION) {
			if (pass == 1) {
				fprintf(out, "%s (%s) %s\n", opts_cmd_name(cmd),
				    PACKAGE_NAME, PACKAGE_VERSION);
				return 1;
			}
			continue;
		}
		if ((d = from_val(c, shown, sizeof(shown))) == NULL) {
			opts_errf(err, errlen, "internal error: unexpected option "
			    "value %d", c);
			return -EINVAL;
		}
		if ((d->cmds & cmd) == 0)
			goto other_cmd;

		/* Pass 1 sets everything in a scratch copy, to check the
		 * values and find --config; pass 2 sets the rest over what
		 * the config file set. */
		if (pass == 2 && strcmp(d->name, "config") == 0)
			continue;
		switch (d->type) {
		case OPT_BOOL:
			*(bool *)opts_field(o, d) = c < VAL_NEG ||
			    c >= VAL_NEG + 0x100;
			break;
		case OPT_COUNT: {
			/* The command line's count replaces the file's. */
			size_t i = (size_t)(d - dios_options);
			unsigned *p = opts_field(o, d);

			if (i < sizeof(counted) && !counted[i]) {
				counted[i] = true;
				*p = 0;
			}
			if (*p < UINT_MAX)
				(*p)++;
			break;
		}
		default:
			r = opts_set_named(o, d, optarg, "--", err, errlen);
			if (r < 0)
				return r;
			break;
		}
	}
	*first_arg = optind < argc ? optind : argc;
	return 0;

other_cmd:
	opts_errf(err, errlen, "option '%s' is for %s, not %s", shown,
	    opts_cmd_name((enum dios_cmd)(d->cmds & CMD_BOTH)), opts_cmd_name(cmd));
	return -EINVAL;
}

/* The default config file's path in buf (empty when neither
 * XDG_CONFIG_HOME nor HOME gives one).  Per the XDG base directory spec, an
 * empty or relative XDG_CONFIG_HOME is ignored. */
static void
default_config(char *buf, size_t buflen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	int n = 0;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, buflen, "%s/dios/dios.yaml", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, buflen, "%s/.config/dios/dios.yaml", home);
	if (n <= 0 || (size_t)n >= buflen)	/* none, or cut short */
		buf[0] = '\0';
}

int
opts_parse(int argc, char **argv, enum dios_cmd cmd, struct dios_opts *o,
    int *first_arg, FILE *out, char *err, size_t errlen)
{
	struct getopt_tables t = { NULL, NULL, "" };
	struct dios_opts scratch;
	char path[PATH_MAX + 32];
	int r, dummy;

	opts_init(o);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		out = stdout;
	if (first_arg == NULL)
		first_arg = &dummy;
	*first_arg = argc > 1 ? 1 : argc;
	if ((r = tables_build(&t, err, errlen)) < 0)
		return r;

	opts_init(&scratch);
	r = scan(&t, 1, argc, argv, cmd, &scratch, first_arg, out, err,
	    errlen);
	o->config = scratch.config;
	scratch.config = NULL;
	opts_free(&scratch);
	if (r != 0)
		goto done;

	if (o->config != NULL) {
		r = config_load(o->config, cmd, o, err, errlen);
	} else {
		default_config(path, sizeof(path));
		r = path[0] != '\0' ?
		    config_load(path, cmd, o, err, errlen) : 0;
		/* No default file is fine; anything else about it is not. */
		if (r == -ENOENT || r == -ENOTDIR) {
			r = 0;
			if (err != NULL && errlen > 0)
				err[0] = '\0';
		}
	}
	if (r < 0) {
		if (r != -ENOMEM)
			r = -EINVAL;
		goto done;
	}

	r = scan(&t, 2, argc, argv, cmd, o, first_arg, out, err, errlen);
done:
	tables_free(&t);
	if (r != 0) {
		/* Leave o at the defaults, with nothing to free. */
		opts_free(o);
		opts_init(o);
	}
	return r;
}

void
opts_usage(enum dios_cmd cmd, FILE *f)
{
	const struct opt_desc *d;
	char label[96];
	int width = 0, pass;

	if (cmd == CMD_RECORD)
		fprintf(f, "Usage: dios-record [OPTION]... [--] PROGRAM "
		    "[ARG]...\n"
		    "Run PROGRAM and record its system calls to a trace.\n");
	else
		fprintf(f, "Usage: dios-replay [OPTION]... [--] TRACE\n"
		    "Run the program recorded in TRACE again, answering its "
		    "system calls from TRACE.\n");
	fprintf(f, "\nOptions:\n");
	/* Pass 0 measures the labels, pass 1 prints. */
	for (pass = 0; pass < 2; pass++) {
		for (d = dios_options; d->name != NULL; d++) {
			struct dios_opts def;
			int n;

			if ((d->cmds & cmd) == 0)
				continue;
			opts_init(&def);
			if (d->type == OPT_BOOL && *(bool *)opts_field(&def, d))
				n = snprintf(label, sizeof(label),
				    "--%s, --no-%s", d->name, d->name);
			else
				n = snprintf(label, sizeof(label), "--%s%s%s",
				    d->name, d->argname != NULL ? " " : "",
				    d->argname != NULL ? d->argname : "");
			if (pass == 0) {
				if (n > width)
					width = n;
				continue;
			}
			if (d->short_name != 0)
				fprintf(f, "  -%c, ", d->short_name);
			else
				fprintf(f, "      ");
			fprintf(f, "%-*s  ", width, label);
			/* Continuation lines under the first, whatever
			 * indentation the table gave them. */
			for (const char *h = d->help; *h; h++) {
				fputc(*h, f);
				if (*h == '\n') {
					while (h[1] == ' ')
						h++;
					fprintf(f, "%*s", width + 8, "");
				}
			}
			fputc('\n', f);
		}
	}
	fprintf(f, "  -h, %-*s  %s\n", width, "--help", "print this help");
	fprintf(f, "      %-*s  %s\n", width, "--version",
	    "print the version");
	fprintf(f, "\nEach flag has a --no- form (--no-quiet) to turn off "
	    "what a config file turned on.\n"
	    "Defaults come from $XDG_CONFIG_HOME/dios/dios.yaml "
	    "(see dios.yaml(5)).\n");
}

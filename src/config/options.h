/* options.h: the options of dios-record and dios-replay, one table for the
 * command line and for the YAML configuration (as minijail: a config key is a
 * long option's name).
 *
 * Precedence, lowest first: built-in defaults, $XDG_CONFIG_HOME/dios/dios.yaml
 * (when XDG_CONFIG_HOME is set and the file exists; else
 * $HOME/.config/dios/dios.yaml when it exists), the file given with --config
 * FILE (which replaces the default file), then the other command-line options.
 * Owner: src/config/options.c (table, defaults, opts_set), cmdline.c
 * (the command line, precedence, usage) and yaml.c
 * (YAML).  No function here exits; errors come back as -errno with a one-line
 * message in the caller's buffer.
 */
#ifndef DIOS_OPTIONS_H
#define DIOS_OPTIONS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum dios_cmd { CMD_RECORD = 1, CMD_REPLAY = 2 };
#define CMD_BOTH (CMD_RECORD | CMD_REPLAY)

struct dios_opts {
	/* record */
	char *output;		/* -o, --output FILE; record: NULL is trace.json.zst, never
				 * overwritten; replay: the run as replayed, NULL: none */
	bool force;		/* -f, --force: allow -o to overwrite an existing file */
	bool portable;		/* --portable: put the content of mapped files in the trace */
	char *chaos;		/* --chaos CLASSES: perturb what the program sees (chaos.h); NULL: none */
	char *at_exit;		/* --at-exit wait|kill: what becomes of the tasks the program leaves; NULL: wait */
	unsigned chaos_seed;	/* --chaos-seed N: the chaos's seed; 0: drawn and printed */
	char *inject;		/* --inject SPEC: inject faults (src/fuzz/spec.h); NULL: none */
	unsigned inject_seed;	/* --inject-seed N: the spec's probabilities' seed; 0: the spec's, or drawn */
	bool stacks;		/* --stacks: the call stack in every system call's event */
	/* replay */
	char *exe;		/* --exe FILE: run FILE instead of the recorded executable */
	bool realtime;		/* --realtime: sleep as the recording slept */
	unsigned timeout;	/* --timeout SECONDS: no progress for this long is a divergence (0: never); default 10 */
	bool cache;		/* --cache / --no-cache: portable traces' files in the cache that stays (default true), or in a temporary one */
	unsigned long long cache_size;	/* --cache-size SIZE: bytes the cache may hold; default 1 GiB */
	char *mutate;		/* --mutate FILE: dios-fuzz's mutations of the run (src/fuzz/mutate.h); NULL: none */
	bool model;		/* --model: where the run leaves the recording, the environment model answers */
	/* both */
	bool quiet;		/* -q, --quiet: replay hides the program's output; record prints no summary */
	bool serial;		/* --serial / --no-serial: threads one at a time (default true) */
	bool fast;		/* --fast / --no-fast: the agent's fast path (default true) */
	bool pin;		/* --pin / --no-pin: keep dios and the program on one CPU (default true) */
	unsigned verbose;	/* -v, --verbose (repeatable; yaml: a number) */
	char *config;		/* --config FILE (command line only) */
};

enum opt_type { OPT_BOOL, OPT_STRING, OPT_UINT, OPT_COUNT, OPT_SIZE };

struct opt_desc {
	const char *name;	/* long option and config key */
	int short_name;		/* 0 for none */
	enum opt_type type;
	size_t offset;		/* offsetof(struct dios_opts, field) */
	unsigned cmds;		/* CMD_RECORD | CMD_REPLAY */
	const char *argname;	/* for --help: "FILE", "SECONDS"; NULL for flags */
	const char *help;	/* one line for --help */
};

/* The table, terminated by an entry with name == NULL. */
extern const struct opt_desc dios_options[];

/* Sets defaults (pin = true, timeout = 10, cache = true, cache_size = 1 GiB,
 * the rest zero). */
void opts_init(struct dios_opts *o);
/* Frees the strings in o (not o itself). */
void opts_free(struct dios_opts *o);

/* Sets option d from text value (bool: true/false/yes/no/on/off/1/0; uint:
 * decimal; size: decimal bytes, or with a suffix K, M, G or T, powers of
 * 1024, optionally followed by "iB" or "B": 512M, 2GiB).  -EINVAL with "bad value 'x' for 'key': expected ..." in err. */
int opts_set(struct dios_opts *o, const struct opt_desc *d, const char *value,
    char *err, size_t errlen);

/* Loads YAML config file path: a mapping of keys to scalars.  Keys that are
 * options of the other command only are accepted and ignored; anything else
 * is an error "PATH:LINE: unknown key 'k'" / "PATH:LINE: bad value ...".
 * -ENOENT when path does not exist (message names it). */
int config_load(const char *path, enum dios_cmd cmd, struct dios_opts *o,
    char *err, size_t errlen);

/* Parses argv for command cmd: defaults, config files, then the options.
 * Stops at the first non-option argument or after "--"; *first_arg is its
 * index.  Returns 0; 1 when --help or --version was given (usage or version
 * already printed to out); -EINVAL with a message in err for a bad option,
 * a missing argument, or a bad config file. */
int opts_parse(int argc, char **argv, enum dios_cmd cmd, struct dios_opts *o,
    int *first_arg, FILE *out, char *err, size_t errlen);

/* Prints the usage of cmd (synopsis and one line per option) to f. */
void opts_usage(enum dios_cmd cmd, FILE *f);

#endif

/*
 * options.h - the connlog command line, parsed into one struct.
 */
#ifndef CL_CLI_OPTIONS_H
#define CL_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/shard.h"
#include "connlog.h"

/* Exit codes (sysexits.h values), documented in --help and the README. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_INPUT_CUT = 1,   /* finished, but an input ended early */
    CLI_EXIT_USAGE = 64,      /* bad command line */
    CLI_EXIT_DATAERR = 65,    /* input is not a usable capture */
    CLI_EXIT_NOINPUT = 66,    /* input cannot be opened */
    CLI_EXIT_SOFTWARE = 70,   /* internal error (engine could not start) */
    CLI_EXIT_CANTCREAT = 73,  /* output cannot be created */
    CLI_EXIT_IOERR = 74       /* write error on the output */
};

#define CLI_MAX_INPUTS 1024

typedef struct cli_options {
    const char *inputs[CLI_MAX_INPUTS]; /* -r, in order; "-" = stdin */
    size_t n_inputs;
    const char *iface;                  /* -i */
    const char *filter;                 /* -f */
    const char *outdir;                 /* -w, "." by default, "-" = stdout */
    bool stats;
    bool quiet;
    unsigned threads;                   /* -j, 1 by default */
    cl_config cfg;                      /* fully built engine config */
    cl_writer_options wopt;             /* format and columns; path unset */
} cli_options;

/* Parse argv into opt. Returns -1 when the program should exit with
 * `*exit_code` (help, version, or a usage error already reported on
 * stderr), 0 to run. */
int cli_parse(int argc, char **argv, cli_options *opt, int *exit_code);

/* Budget per live connection used for the --max-conns default: what a TCP
 * connection costs with its table slot and timer entry, rounded up. */
#define CLI_BYTES_PER_CONN 1024

/* The --max-conns default: a quarter of MemTotal at CLI_BYTES_PER_CONN per
 * connection, within [100000, 50000000]. */
uint64_t cli_default_max_conns(void);

#endif /* CL_CLI_OPTIONS_H */

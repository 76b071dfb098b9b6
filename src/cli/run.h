/*
 * run.h - the connlog main loop: inputs -> engine -> writer.
 */
#ifndef CL_CLI_RUN_H
#define CL_CLI_RUN_H

#include "cli/options.h"

/* Run with parsed options; returns the process exit code. */
int cli_run(const cli_options *opt);

#endif /* CL_CLI_RUN_H */

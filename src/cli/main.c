/*
 * main.c - the connlog command: pcap/pcapng in, Zeek conn.log out.
 */
#include "cli/options.h"
#include "cli/run.h"

#include <stdlib.h>

int main(int argc, char **argv)
{
    /* The options hold a full cl_config (two port bitmaps and net lists):
     * keep them off the stack. */
    cli_options *opt = malloc(sizeof *opt);
    if (!opt)
        return CLI_EXIT_SOFTWARE;
    int code;
    if (cli_parse(argc, argv, opt, &code) == 0)
        code = cli_run(opt);
    free(opt);
    return code;
}

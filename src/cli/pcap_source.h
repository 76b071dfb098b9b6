/*
 * pcap_source.h - packets from pcap/pcapng files or stdin (our own reader,
 * capfile.c) or a live interface (libpcap), with an optional BPF filter
 * (compiled and run by libpcap in both cases).
 */
#ifndef CL_CLI_PCAP_SOURCE_H
#define CL_CLI_PCAP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <pcap/pcap.h>

#include "cli/capfile.h"
#include "connlog.h"

typedef struct cli_source {
    pcap_t *pcap;           /* live capture */
    cli_capfile cap;        /* file or stdin */
    pcap_t *dead;           /* files: a handle to compile the filter with */
    struct bpf_program prog;
    bool has_prog;
    int prog_linktype;
    const char *filter;
    const char *name;       /* file name as given ("-" = stdin), or iface */
    bool live;
    int fd;                 /* live: the descriptor to poll */
    int linktype;
    unsigned long long packets; /* packets returned so far */
} cli_source;

typedef enum cli_next {
    CLI_NEXT_PACKET = 1,    /* *pkt is valid until the next call */
    CLI_NEXT_EOF = 0,       /* end of file, or the capture was stopped */
    CLI_NEXT_IDLE = 2,      /* live: no packet within the read timeout */
    CLI_NEXT_ERROR = -1     /* read error / cut short; message in err */
} cli_next;

/* Open a capture file ("-" = stdin), with an optional BPF filter. On
 * failure returns an exit code (66 cannot open, 65 not a capture or
 * unsupported link type, 64 bad filter) and writes "NAME: problem" to err;
 * returns 0 on success. */
int cli_source_open_file(cli_source *s, const char *path, const char *filter,
                         char *err, size_t errlen);

/* Open a live capture on iface: snaplen 9216, promiscuous, immediate mode,
 * non-blocking; cli_source_next waits at most 100 ms for a packet. Same
 * return convention (66 when the interface cannot be opened). */
int cli_source_open_live(cli_source *s, const char *iface, const char *filter,
                         char *err, size_t errlen);

/* Next packet. On CLI_NEXT_ERROR err holds "NAME: problem". */
cli_next cli_source_next(cli_source *s, cl_packet *pkt, char *err, size_t errlen);

/* Do packets stay valid after the next call (a mapped file)? Then a
 * reader may look a few packets ahead: their data stays in place until
 * at least 8 MiB later in the file. */
bool cli_source_data_stays(const cli_source *s);

/* Human name of a link type: "EN10MB (Ethernet)" or "147". */
void cli_linktype_name(int dlt, char *buf, size_t len);

void cli_source_close(cli_source *s);

#endif /* CL_CLI_PCAP_SOURCE_H */

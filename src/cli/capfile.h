/*
 * capfile.h - our own reader for pcap and pcapng files.
 *
 * libpcap's offline reader costs a copy and a callback per packet and
 * refuses pcapng files whose interfaces differ in snap length (which Zeek's
 * newer libpcap reads). This reader maps regular files (or reads pipes in
 * large blocks) and hands out packets in place, with each packet's own
 * link type. Timestamps are truncated to microseconds, as libpcap does.
 */
#ifndef CL_CLI_CAPFILE_H
#define CL_CLI_CAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connlog.h"

#define CLI_CAP_MAX_IFACES 65536
#define CLI_CAP_MAX_SNAPLEN 262144u   /* libpcap's MAXIMUM_SNAPLEN */

typedef struct cli_cap_iface {
    int linktype;
    uint32_t snaplen;
    uint64_t units_per_sec;     /* timestamp resolution */
    int64_t ts_offset;          /* seconds added to every timestamp */
} cli_cap_iface;

typedef struct cli_capfile {
    const char *name;           /* for messages: the path, or "stdin" */
    int fd;
    /* Either a mapping of the whole file ... */
    const uint8_t *map;
    size_t map_len;
    size_t map_released;        /* pages below this were given back */
    size_t prefetched;          /* cache loads were started below this */
    /* ... or a read buffer holding [0, len) of which pos is next. */
    uint8_t *buf;
    size_t cap, len, pos;
    bool eof;
    uint64_t offset;            /* file offset of buf[0] / of the mapping */

    bool pcapng;
    bool swap;                  /* file byte order differs from ours */
    bool nsec;                  /* classic pcap with nanosecond stamps */
    cli_cap_iface *ifaces;      /* grows as interface blocks arrive */
    unsigned n_ifaces, cap_ifaces;
    int linktype;               /* of the first interface / the file */
    uint64_t packets;
} cli_capfile;

/* Open path ("-" = stdin) and read its header. Returns 0, or an exit code
 * (66 cannot open, 65 not a capture file) with "NAME: problem" in err. */
int cli_capfile_open(cli_capfile *cf, const char *path, char *err, size_t errlen);

/* 1: *pkt holds the next packet (valid until the next call); 0: end of
 * file; -1: the file is cut short or corrupt from here on ("NAME: problem"
 * in err). */
int cli_capfile_next(cli_capfile *cf, cl_packet *pkt, char *err, size_t errlen);

void cli_capfile_close(cli_capfile *cf);

#endif /* CL_CLI_CAPFILE_H */

/*
 * pcap_source.c - packet sources for the connlog command.
 *
 * Files and stdin go through our own reader (capfile.c: mapped or block
 * reads, packets handed out in place, pcapng interfaces with differing snap
 * lengths or link types). Live capture uses libpcap. A BPF filter is
 * compiled by libpcap for the packet's link type and run with
 * pcap_offline_filter, so -f means exactly what it means to tcpdump.
 */
#include "cli/pcap_source.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode/decode.h"

#define LIVE_SNAPLEN 9216
#define LIVE_TIMEOUT_MS 100

void cli_linktype_name(int dlt, char *buf, size_t len)
{
    const char *name = pcap_datalink_val_to_name(dlt);
    const char *desc = pcap_datalink_val_to_description(dlt);
    if (name && desc)
        snprintf(buf, len, "%d (%s, %s)", dlt, name, desc);
    else if (name)
        snprintf(buf, len, "%d (%s)", dlt, name);
    else
        snprintf(buf, len, "%d", dlt);
}

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "stdin" : path;
}

static int apply_filter(cli_source *s, const char *filter, char *err, size_t errlen)
{
    if (!filter)
        return 0;
    struct bpf_program prog;
    if (pcap_compile(s->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "-f '%s': %s", filter, pcap_geterr(s->pcap));
        return 64;
    }
    int rc = pcap_setfilter(s->pcap, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, errlen, "-f '%s': %s", filter, pcap_geterr(s->pcap));
        return 64;
    }
    return 0;
}

static int check_linktype(cli_source *s, int linktype, char *err, size_t errlen)
{
    s->linktype = linktype;
    if (!cl_linktype_supported(s->linktype)) {
        char lt[160];
        cli_linktype_name(s->linktype, lt, sizeof lt);
        snprintf(err, errlen, "%s: unsupported link type %s", display_name(s->name), lt);
        return 65;
    }
    return 0;
}

/* Compile the filter for a link type (files: once per link type seen). */
static int compile_for(cli_source *s, int linktype, char *err, size_t errlen)
{
    if (s->has_prog) {
        pcap_freecode(&s->prog);
        s->has_prog = false;
    }
    if (s->dead)
        pcap_close(s->dead);
    s->dead = pcap_open_dead(linktype, CLI_CAP_MAX_SNAPLEN);
    if (!s->dead) {
        snprintf(err, errlen, "-f '%s': cannot prepare the filter", s->filter);
        return 64;
    }
    if (pcap_compile(s->dead, &s->prog, s->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "-f '%s': %s", s->filter, pcap_geterr(s->dead));
        return 64;
    }
    s->has_prog = true;
    s->prog_linktype = linktype;
    return 0;
}

int cli_source_open_file(cli_source *s, const char *path, const char *filter,
                         char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->name = path;
    s->filter = filter;
    int rc = cli_capfile_open(&s->cap, path, err, errlen);
    if (rc != 0)
        return rc;
    rc = check_linktype(s, s->cap.linktype, err, errlen);
    if (rc == 0 && filter)
        rc = compile_for(s, s->cap.linktype, err, errlen);
    if (rc != 0)
        cli_source_close(s);
    return rc;
}

int cli_source_open_live(cli_source *s, const char *iface, const char *filter,
                         char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->name = iface;
    s->live = true;
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    s->pcap = pcap_create(iface, ebuf);
    if (!s->pcap) {
        snprintf(err, errlen, "%s: cannot open interface: %s", iface, ebuf);
        return 66;
    }
    pcap_set_snaplen(s->pcap, LIVE_SNAPLEN);
    pcap_set_promisc(s->pcap, 1);
    pcap_set_timeout(s->pcap, LIVE_TIMEOUT_MS);
    pcap_set_immediate_mode(s->pcap, 1);
    int a = pcap_activate(s->pcap);
    if (a < 0) {
        const char *why = pcap_geterr(s->pcap);
        if (!why || !*why)
            why = pcap_statustostr(a);
        snprintf(err, errlen, "%s: cannot open interface: %s", iface, why);
        pcap_close(s->pcap);
        s->pcap = NULL;
        return 66;
    }
    int rc = check_linktype(s, pcap_datalink(s->pcap), err, errlen);
    if (rc == 0)
        rc = apply_filter(s, filter, err, errlen);
    /* Non-blocking, waited on with our own poll(): libpcap's blocking read
     * may loop over its timeouts internally, and then neither the idle
     * clock nor a stop request would get a look in. */
    if (rc == 0) {
        s->fd = pcap_get_selectable_fd(s->pcap);
        if (s->fd < 0 || pcap_setnonblock(s->pcap, 1, ebuf) != 0) {
            snprintf(err, errlen, "%s: cannot open interface: no pollable descriptor%s%s",
                     iface, ebuf[0] ? ": " : "", ebuf);
            rc = 66;
        }
    }
    if (rc != 0)
        cli_source_close(s);
    return rc;
}

static cli_next next_from_file(cli_source *s, cl_packet *pkt, char *err, size_t errlen)
{
    for (;;) {
        int r = cli_capfile_next(&s->cap, pkt, err, errlen);
        if (r == 0)
            return CLI_NEXT_EOF;
        if (r < 0)
            return CLI_NEXT_ERROR;
        s->packets++;
        if (!s->filter)
            return CLI_NEXT_PACKET;
        if (pkt->linktype != s->prog_linktype && compile_for(s, pkt->linktype, err, errlen) != 0)
            return CLI_NEXT_ERROR;
        struct pcap_pkthdr h = {.caplen = pkt->caplen, .len = pkt->wirelen};
        if (pcap_offline_filter(&s->prog, &h, pkt->data))
            return CLI_NEXT_PACKET;
    }
}

bool cli_source_data_stays(const cli_source *s)
{
    return !s->live && s->cap.map != NULL;
}

cli_next cli_source_next(cli_source *s, cl_packet *pkt, char *err, size_t errlen)
{
    if (!s->live)
        return next_from_file(s, pkt, err, errlen);
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc = pcap_next_ex(s->pcap, &hdr, &data);
    if (rc == 0) {
        /* Nothing buffered: wait up to the read timeout. A signal ends the
         * wait early (EINTR), which the caller sees as idle. */
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        if (poll(&pfd, 1, LIVE_TIMEOUT_MS) <= 0)
            return CLI_NEXT_IDLE;
        rc = pcap_next_ex(s->pcap, &hdr, &data);
    }
    if (rc == 1) {
        pkt->ts_sec = (int64_t)hdr->ts.tv_sec;
        pkt->ts_usec = (uint32_t)hdr->ts.tv_usec;
        pkt->linktype = s->linktype;
        pkt->data = data;
        pkt->caplen = hdr->caplen;
        pkt->wirelen = hdr->len;
        s->packets++;
        return CLI_NEXT_PACKET;
    }
    if (rc == 0)
        return CLI_NEXT_IDLE;
    if (rc == PCAP_ERROR_BREAK)
        return CLI_NEXT_EOF;
    snprintf(err, errlen, "%s: %s", display_name(s->name), pcap_geterr(s->pcap));
    return CLI_NEXT_ERROR;
}

void cli_source_close(cli_source *s)
{
    if (s->pcap)
        pcap_close(s->pcap);
    s->pcap = NULL;
    if (s->has_prog)
        pcap_freecode(&s->prog);
    s->has_prog = false;
    if (s->dead)
        pcap_close(s->dead);
    s->dead = NULL;
    if (!s->live)
        cli_capfile_close(&s->cap);
}

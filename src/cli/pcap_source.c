/*
 * pcap_source.c - libpcap input for the connlog command.
 *
 * Files are opened with fopen and a 1 MiB stdio buffer, then handed to
 * pcap_fopen_offline: libpcap's own pcap_open_offline leaves the default
 * 4 KiB buffer, which means many small reads on big traces. stdin is
 * duplicated first so that the buffer belongs to a stream we close.
 */
#include "cli/pcap_source.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode/decode.h"

#define IOBUF_SIZE (1u << 20)
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

static int check_linktype(cli_source *s, char *err, size_t errlen)
{
    s->linktype = pcap_datalink(s->pcap);
    if (!cl_linktype_supported(s->linktype)) {
        char lt[160];
        cli_linktype_name(s->linktype, lt, sizeof lt);
        snprintf(err, errlen, "%s: unsupported link type %s", display_name(s->name), lt);
        return 65;
    }
    return 0;
}

int cli_source_open_file(cli_source *s, const char *path, const char *filter,
                         char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->name = path;
    FILE *f;
    if (strcmp(path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        if (fd < 0 || (f = fdopen(fd, "rb")) == NULL) {
            snprintf(err, errlen, "stdin: cannot open: %s", strerror(errno));
            if (fd >= 0)
                close(fd);
            return 66;
        }
    } else {
        f = fopen(path, "rb");
        if (!f) {
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
            return 66;
        }
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: cannot open: is a directory", display_name(path));
            fclose(f);
            return 66;
        }
        if (S_ISREG(st.st_mode) && st.st_size == 0) {
            snprintf(err, errlen, "%s: not a pcap or pcapng file: the file is empty",
                     display_name(path));
            fclose(f);
            return 65;
        }
    }
    s->iobuf = malloc(IOBUF_SIZE);
    if (s->iobuf)
        setvbuf(f, s->iobuf, _IOFBF, IOBUF_SIZE);

    char ebuf[PCAP_ERRBUF_SIZE] = "";
    s->pcap = pcap_fopen_offline(f, ebuf);
    if (!s->pcap) {
        int e = errno;
        bool io = ferror(f) != 0;
        fclose(f);
        free(s->iobuf);
        s->iobuf = NULL;
        if (io) {
            snprintf(err, errlen, "%s: read error: %s", display_name(path), strerror(e));
            return 66;
        }
        if (strstr(ebuf, "tried to read") && strstr(ebuf, "only got 0"))
            snprintf(err, errlen, "%s: not a pcap or pcapng file: no data", display_name(path));
        else
            snprintf(err, errlen, "%s: not a pcap or pcapng file (%s)", display_name(path), ebuf);
        return 65;
    }
    int rc = check_linktype(s, err, errlen);
    if (rc == 0)
        rc = apply_filter(s, filter, err, errlen);
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
    int rc = check_linktype(s, err, errlen);
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

cli_next cli_source_next(cli_source *s, cl_packet *pkt, char *err, size_t errlen)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc = pcap_next_ex(s->pcap, &hdr, &data);
    if (rc == 0 && s->live) {
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
        pcap_close(s->pcap); /* also closes the FILE of an offline source */
    s->pcap = NULL;
    free(s->iobuf);
    s->iobuf = NULL;
}

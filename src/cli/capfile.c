/*
 * capfile.c - pcap and pcapng, read in place.
 *
 * Regular files are mapped whole; pipes and stdin are read in 4 MiB blocks
 * into a buffer that grows only for a record larger than it. Every length
 * read from the file is checked against what is there before it is used.
 */
#include "cli/capfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (4u << 20)
#define MAX_BLOCK (16u << 20)       /* a pcapng block larger than this is corrupt */

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_BOM 0x1a2b3c4du

enum { BLK_IDB = 1, BLK_PB = 2, BLK_SPB = 3, BLK_EPB = 6 };

static uint32_t bswap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static uint32_t rd32(const cli_capfile *cf, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return cf->swap ? bswap32(v) : v;
}

static uint16_t rd16(const cli_capfile *cf, const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return cf->swap ? (uint16_t)((v >> 8) | (v << 8)) : v;
}

/* pcapng stores 64-bit option values in the section's byte order. */
static uint64_t rd64(const cli_capfile *cf, const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return cf->swap ? ((uint64_t)bswap32((uint32_t)v) << 32) | bswap32((uint32_t)(v >> 32)) : v;
}

/* ---------------------------------------------------------------- */
/* Bytes                                                             */
/* ---------------------------------------------------------------- */

static size_t avail(const cli_capfile *cf)
{
    return cf->map ? cf->map_len - cf->pos : cf->len - cf->pos;
}

/* Make n bytes available at the read position; returns them, or NULL when
 * the file ends (or a read fails) first. */
static const uint8_t *peek(cli_capfile *cf, size_t n)
{
    if (cf->map)
        return cf->map_len - cf->pos >= n ? cf->map + cf->pos : NULL;
    while (cf->len - cf->pos < n && !cf->eof) {
        if (cf->pos > 0) {
            memmove(cf->buf, cf->buf + cf->pos, cf->len - cf->pos);
            cf->offset += cf->pos;
            cf->len -= cf->pos;
            cf->pos = 0;
        }
        if (cf->cap - cf->len < READ_CHUNK / 2 || cf->cap < n) {
            size_t want = cf->cap * 2 > n + READ_CHUNK ? cf->cap * 2 : n + READ_CHUNK;
            uint8_t *nb = realloc(cf->buf, want);
            if (!nb) {
                cf->eof = true;
                break;
            }
            cf->buf = nb;
            cf->cap = want;
        }
        ssize_t r = read(cf->fd, cf->buf + cf->len, cf->cap - cf->len);
        if (r <= 0) {
            cf->eof = true; /* end of file, or an interrupted / failed read */
            break;
        }
        cf->len += (size_t)r;
    }
    return cf->len - cf->pos >= n ? cf->buf + cf->pos : NULL;
}

#define RELEASE_STEP (16u << 20)

/* Give back the pages of a mapping that were read: they would otherwise
 * count in the resident size for the whole run (the file itself stays in
 * the page cache). Called when a packet is requested, so the previous
 * packet's bytes are no longer in use. */
static void release_consumed(cli_capfile *cf)
{
    if (!cf->map || cf->pos - cf->map_released < RELEASE_STEP)
        return;
    size_t upto = (cf->pos - RELEASE_STEP / 2) & ~((size_t)4095);
    if (upto > cf->map_released) {
        madvise((void *)(cf->map + cf->map_released), upto - cf->map_released, MADV_DONTNEED);
        cf->map_released = upto;
    }
}

/* How far ahead of the reading position a mapped file is loaded into the
 * cache. Records are read as a stride over the file (a header, then a
 * jump over the packet); when the packets themselves are looked at only
 * later (the reader's look-ahead), nothing else brings that memory in. */
#define MAP_PREFETCH_AHEAD 4096

static void skip(cli_capfile *cf, size_t n)
{
    cf->pos += n;
    if (!cf->map)
        return;
    size_t until = cf->pos + MAP_PREFETCH_AHEAD;
    if (until > cf->map_len)
        until = cf->map_len;
    if (cf->prefetched < cf->pos)
        cf->prefetched = cf->pos & ~(size_t)63;
    for (; cf->prefetched < until; cf->prefetched += 64)
        __builtin_prefetch(cf->map + cf->prefetched, 0);
}

static int fail(cli_capfile *cf, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", cf->name, what);
    return -1;
}

static int cut_short(cli_capfile *cf, char *err, size_t errlen, size_t want)
{
    char what[160];
    snprintf(what, sizeof what, "truncated capture file: a record needs %zu bytes, only %zu left",
             want, avail(cf));
    return fail(cf, err, errlen, what);
}

/* ---------------------------------------------------------------- */
/* Opening                                                           */
/* ---------------------------------------------------------------- */

static int open_fd(cli_capfile *cf, const char *path, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        cf->fd = STDIN_FILENO;
        return 0;
    }
    cf->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (cf->fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return 66;
    }
    struct stat st;
    if (fstat(cf->fd, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: cannot open: is a directory", path);
        return 66;
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        snprintf(err, errlen, "%s: not a pcap or pcapng file: the file is empty", path);
        return 65;
    }
    if (S_ISREG(st.st_mode)) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, cf->fd, 0);
        if (m != MAP_FAILED) {
            madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
            cf->map = m;
            cf->map_len = (size_t)st.st_size;
        }
    }
    return 0;
}

static int grow_ifaces(cli_capfile *cf)
{
    unsigned cap = cf->cap_ifaces ? cf->cap_ifaces * 2 : 8;
    if (cap > CLI_CAP_MAX_IFACES)
        return -1;
    cli_cap_iface *n = realloc(cf->ifaces, cap * sizeof *n);
    if (!n)
        return -1;
    cf->ifaces = n;
    cf->cap_ifaces = cap;
    return 0;
}

static int open_pcap(cli_capfile *cf, uint32_t magic, char *err, size_t errlen)
{
    cf->swap = magic == bswap32(PCAP_MAGIC_US) || magic == bswap32(PCAP_MAGIC_NS);
    cf->nsec = magic == PCAP_MAGIC_NS || magic == bswap32(PCAP_MAGIC_NS);
    if (grow_ifaces(cf) != 0) {
        snprintf(err, errlen, "%s: out of memory", cf->name);
        return 66;
    }
    const uint8_t *h = peek(cf, 24);
    if (!h) {
        snprintf(err, errlen, "%s: not a pcap or pcapng file: the file header is cut short",
                 cf->name);
        return 65;
    }
    uint32_t snaplen = rd32(cf, h + 16);
    cli_cap_iface *ifc = &cf->ifaces[0];
    ifc->linktype = (int)(rd32(cf, h + 20) & 0xffffu);
    ifc->snaplen = snaplen == 0 || snaplen > CLI_CAP_MAX_SNAPLEN ? CLI_CAP_MAX_SNAPLEN : snaplen;
    ifc->units_per_sec = cf->nsec ? 1000000000u : 1000000u;
    cf->n_ifaces = 1;
    cf->linktype = ifc->linktype;
    skip(cf, 24);
    return 0;
}

static int block_at(cli_capfile *cf, uint32_t *type, const uint8_t **b, uint32_t *total,
                    char *err, size_t errlen);
static int control_block(cli_capfile *cf, uint32_t type, const uint8_t *b, uint32_t total,
                         char *err, size_t errlen);

static bool is_packet_block(uint32_t type)
{
    return type == BLK_EPB || type == BLK_SPB || type == BLK_PB;
}

/* pcapng: the section header and the blocks before the first packet,
 * which must declare at least one interface. */
static int open_pcapng(cli_capfile *cf, char *err, size_t errlen)
{
    char why[256] = "";
    for (;;) {
        uint32_t type, total;
        const uint8_t *b;
        int r = block_at(cf, &type, &b, &total, why, sizeof why);
        if (r < 0 && cf->n_ifaces > 0)
            break; /* a damaged file past its header: reading reports it */
        if (r < 0) {
            snprintf(err, errlen, "%s", why);
            return 65;
        }
        if (r == 0 || is_packet_block(type))
            break;
        if (control_block(cf, type, b, total, why, sizeof why) < 0) {
            snprintf(err, errlen, "%s", why);
            return 65;
        }
        skip(cf, total);
    }
    if (cf->n_ifaces == 0) {
        snprintf(err, errlen, "%s: not a pcap or pcapng file: no interface description block",
                 cf->name);
        return 65;
    }
    cf->linktype = cf->ifaces[0].linktype;
    return 0;
}

int cli_capfile_open(cli_capfile *cf, const char *path, char *err, size_t errlen)
{
    memset(cf, 0, sizeof *cf);
    cf->fd = -1;
    cf->name = strcmp(path, "-") == 0 ? "stdin" : path;
    int rc = open_fd(cf, path, err, errlen);
    if (rc != 0)
        goto fail;
    const uint8_t *m = peek(cf, 4);
    if (!m) {
        snprintf(err, errlen, "%s: not a pcap or pcapng file: no data", cf->name);
        rc = 65;
        goto fail;
    }
    uint32_t magic;
    memcpy(&magic, m, 4);
    if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS || magic == bswap32(PCAP_MAGIC_US) ||
        magic == bswap32(PCAP_MAGIC_NS)) {
        rc = open_pcap(cf, magic, err, errlen);
    } else if (magic == PCAPNG_SHB) {
        cf->pcapng = true;
        rc = open_pcapng(cf, err, errlen);
    } else {
        snprintf(err, errlen, "%s: not a pcap or pcapng file (unknown magic 0x%08x)", cf->name,
                 magic);
        rc = 65;
    }
    if (rc == 0)
        return 0;
fail:
    cli_capfile_close(cf);
    return rc;
}

void cli_capfile_close(cli_capfile *cf)
{
    if (cf->map)
        munmap((void *)cf->map, cf->map_len);
    cf->map = NULL;
    free(cf->buf);
    cf->buf = NULL;
    free(cf->ifaces);
    cf->ifaces = NULL;
    cf->n_ifaces = cf->cap_ifaces = 0;
    if (cf->fd > STDIN_FILENO)
        close(cf->fd);
    cf->fd = -1;
}

/* ---------------------------------------------------------------- */
/* Records                                                           */
/* ---------------------------------------------------------------- */

/* Whole units to seconds and microseconds, truncating like libpcap. */
static void set_time(const cli_cap_iface *ifc, uint64_t ts, cl_packet *pkt)
{
    uint64_t u = ifc->units_per_sec;
    uint64_t frac = ts % u;
    pkt->ts_sec = (int64_t)(ts / u) + ifc->ts_offset;
    if (u == 1000000u)
        pkt->ts_usec = (uint32_t)frac;
    else
        pkt->ts_usec = (uint32_t)((unsigned __int128)frac * 1000000u / u);
}

static int next_pcap(cli_capfile *cf, cl_packet *pkt, char *err, size_t errlen)
{
    if (avail(cf) == 0 && !peek(cf, 1))
        return 0;
    const uint8_t *h = peek(cf, 16);
    if (!h)
        return cut_short(cf, err, errlen, 16);
    uint32_t caplen = rd32(cf, h + 8), len = rd32(cf, h + 12);
    if (caplen > CLI_CAP_MAX_SNAPLEN) {
        char what[128];
        snprintf(what, sizeof what, "invalid packet capture length %u, bigger than maximum of %u",
                 caplen, CLI_CAP_MAX_SNAPLEN);
        return fail(cf, err, errlen, what);
    }
    const uint8_t *p = peek(cf, 16 + (size_t)caplen);
    if (!p)
        return cut_short(cf, err, errlen, 16 + (size_t)caplen);
    const cli_cap_iface *ifc = &cf->ifaces[0];
    uint32_t usec = rd32(cf, p + 4);
    pkt->ts_sec = (int64_t)rd32(cf, p);
    pkt->ts_usec = cf->nsec ? usec / 1000u : usec;
    pkt->linktype = ifc->linktype;
    pkt->data = p + 16;
    /* A record longer than the snap length is cut to it, as libpcap does. */
    pkt->caplen = caplen > ifc->snaplen ? ifc->snaplen : caplen;
    pkt->wirelen = len;
    skip(cf, 16 + (size_t)caplen);
    cf->packets++;
    return 1;
}

static void parse_idb_options(cli_capfile *cf, const uint8_t *o, const uint8_t *end,
                              cli_cap_iface *ifc)
{
    while (end - o >= 4) {
        uint16_t code = rd16(cf, o), len = rd16(cf, o + 2);
        size_t padded = ((size_t)len + 3) & ~(size_t)3;
        if (code == 0 || (size_t)(end - o - 4) < padded)
            return;
        const uint8_t *v = o + 4;
        if (code == 9 && len >= 1) { /* if_tsresol */
            unsigned r = v[0] & 0x7f;
            uint64_t u = 1;
            if (v[0] & 0x80)
                u = r < 63 ? (uint64_t)1 << r : 0;
            else
                for (unsigned i = 0; i < r && u <= UINT64_MAX / 10; i++)
                    u *= 10;
            if (u > 0 && r <= 19)
                ifc->units_per_sec = u;
        } else if (code == 14 && len >= 8) { /* if_tsoffset */
            ifc->ts_offset = (int64_t)rd64(cf, v);
        }
        o += 4 + padded;
    }
}

static int add_iface(cli_capfile *cf, const uint8_t *b, uint32_t total, char *err, size_t errlen)
{
    if (total < 20)
        return fail(cf, err, errlen, "corrupt interface description block");
    if (cf->n_ifaces == cf->cap_ifaces && grow_ifaces(cf) != 0)
        return fail(cf, err, errlen, "too many interfaces");
    cli_cap_iface *ifc = &cf->ifaces[cf->n_ifaces++];
    ifc->linktype = rd16(cf, b + 8);
    uint32_t snap = rd32(cf, b + 12);
    ifc->snaplen = snap == 0 || snap > CLI_CAP_MAX_SNAPLEN ? CLI_CAP_MAX_SNAPLEN : snap;
    ifc->units_per_sec = 1000000u;
    ifc->ts_offset = 0;
    parse_idb_options(cf, b + 16, b + total - 4, ifc);
    return 0;
}

/* A section header: its own byte-order mark decides how to read it. */
static int section_header(cli_capfile *cf, char *err, size_t errlen)
{
    const uint8_t *h = peek(cf, 12);
    if (!h)
        return cut_short(cf, err, errlen, 12);
    uint32_t bom;
    memcpy(&bom, h + 8, 4);
    if (bom == PCAPNG_BOM)
        cf->swap = false;
    else if (bom == bswap32(PCAPNG_BOM))
        cf->swap = true;
    else
        return fail(cf, err, errlen, "corrupt section header (byte-order mark)");
    cf->n_ifaces = 0; /* interfaces are per section */
    return 0;
}

static int packet_block(cli_capfile *cf, uint32_t type, const uint8_t *b, uint32_t total,
                        cl_packet *pkt, char *err, size_t errlen)
{
    uint32_t iface = 0, caplen, len, hdr;
    uint64_t ts = 0;
    if (type == BLK_SPB) {
        if (total < 16 || cf->n_ifaces == 0)
            return fail(cf, err, errlen, "corrupt simple packet block");
        len = rd32(cf, b + 8);
        hdr = 12;
        caplen = len;
        if (caplen > total - 16)
            caplen = total - 16;
        if (caplen > cf->ifaces[0].snaplen)
            caplen = cf->ifaces[0].snaplen;
    } else {
        if (total < 32)
            return fail(cf, err, errlen, "corrupt packet block");
        iface = type == BLK_PB ? rd16(cf, b + 8) : rd32(cf, b + 8);
        ts = (uint64_t)rd32(cf, b + 12) << 32 | rd32(cf, b + 16);
        caplen = rd32(cf, b + 20);
        len = rd32(cf, b + 24);
        hdr = 28;
        if (caplen > total - 32)
            return fail(cf, err, errlen, "corrupt packet block (captured length)");
    }
    if (iface >= cf->n_ifaces)
        return fail(cf, err, errlen, "packet for an undeclared interface");
    if (caplen > CLI_CAP_MAX_SNAPLEN) {
        char what[128];
        snprintf(what, sizeof what, "invalid packet capture length %u, bigger than maximum of %u",
                 caplen, CLI_CAP_MAX_SNAPLEN);
        return fail(cf, err, errlen, what);
    }
    const cli_cap_iface *ifc = &cf->ifaces[iface];
    set_time(ifc, ts, pkt);
    pkt->linktype = ifc->linktype;
    pkt->data = b + hdr;
    pkt->caplen = caplen;
    pkt->wirelen = len;
    cf->packets++;
    return 1;
}

/* The block at the read position: 1 and its type/bytes/length, 0 at the
 * end of the file, -1 when it is cut short or corrupt. */
static int block_at(cli_capfile *cf, uint32_t *type, const uint8_t **b, uint32_t *total,
                    char *err, size_t errlen)
{
    if (avail(cf) == 0 && !peek(cf, 1))
        return 0;
    const uint8_t *h = peek(cf, 8);
    if (!h)
        return cut_short(cf, err, errlen, 8);
    uint32_t raw;
    memcpy(&raw, h, 4);
    if (raw == PCAPNG_SHB && section_header(cf, err, errlen) != 0)
        return -1;
    h = peek(cf, 8);
    *type = rd32(cf, h);
    *total = rd32(cf, h + 4);
    if (*total < 12 || *total % 4 != 0 || *total > MAX_BLOCK)
        return fail(cf, err, errlen, "corrupt block length");
    *b = peek(cf, *total);
    if (!*b)
        return cut_short(cf, err, errlen, *total);
    if (rd32(cf, *b + *total - 4) != *total)
        return fail(cf, err, errlen, "corrupt block (trailing length differs)");
    return 1;
}

/* Blocks other than packets: interfaces matter, the rest is skipped. */
static int control_block(cli_capfile *cf, uint32_t type, const uint8_t *b, uint32_t total,
                         char *err, size_t errlen)
{
    if (type == BLK_IDB)
        return add_iface(cf, b, total, err, errlen);
    return 0;
}

static int next_pcapng(cli_capfile *cf, cl_packet *pkt, char *err, size_t errlen)
{
    for (;;) {
        uint32_t type, total;
        const uint8_t *b;
        int r = block_at(cf, &type, &b, &total, err, errlen);
        if (r <= 0)
            return r;
        r = is_packet_block(type) ? packet_block(cf, type, b, total, pkt, err, errlen)
                                  : control_block(cf, type, b, total, err, errlen);
        if (r < 0)
            return -1;
        skip(cf, total);
        if (r == 1)
            return 1;
    }
}

int cli_capfile_next(cli_capfile *cf, cl_packet *pkt, char *err, size_t errlen)
{
    release_consumed(cf);
    return cf->pcapng ? next_pcapng(cf, pkt, err, errlen) : next_pcap(cf, pkt, err, errlen);
}

/*
 * ssh.c - the SSH analyzer's verdict (Zeek's src/analyzer/protocol/ssh):
 * "ssh" is confirmed only by the first NEWKEYS message (SSH-2) or the
 * client's session key (SSH-1), that is after a key exchange that both
 * version banners preceded; the analyzer then sets the connection's
 * inactivity timeout to an hour (Conn::analyzer_inactivity_timeouts).
 * SSH::max_packet_length and max_string_length are limits whose excess
 * marks history X and ends the analysis.
 *
 * Only unencrypted packet headers are followed: the banner lines, then
 * each packet's length, padding length and message type, skipping the
 * rest (a KEXINIT's name-lists are measured when a string limit is set).
 */
#include <string.h>
#include <strings.h>

#include "analyzer/analyzer.h"
#include "decode/decode.h"

#define SSH_LINE_MAX 1024       /* a banner or pre-banner line longer than this is not SSH */
#define SSH_PACKET_MAX (256u * 1024)
#define SSH_MSG_NEWKEYS 21
#define SSH_INACTIVITY 3600.0   /* Conn::analyzer_inactivity_timeouts */

enum {
    SSH_BANNER = 0,
    SSH_HEADER,
    SSH_SKIP,
    SSH_KEX_COOKIE,
    SSH_KEX_LEN,
    SSH_KEX_LIST,
    SSH1_PAD,
    SSH1_TYPE,
    SSH_OFF
};

/* A banner's protocol version: "SSH-2.x", "SSH-1.99" (either) or "SSH-1.x". */
enum { SSH_V_UNKNOWN = 0, SSH_V1, SSH_V199, SSH_V2 };
#define SSH1_CMSG_SESSION_KEY 3

#define SSH_MSG_KEXINIT 20
#define SSH_KEX_LISTS 10        /* name-lists in a KEXINIT message */

typedef struct ssh_dir {
    uint8_t phase;
    uint8_t nhdr;
    uint8_t hdr[6];
    uint16_t line_len;
    bool line_ssh;              /* the current line starts "SSH-" */
    bool started;               /* we saw the direction's first byte */
    bool banner_done;           /* the SSH- version line is complete */
    uint32_t skip;              /* SSH_SKIP, SSH_KEX_*: bytes to pass over */
    uint32_t remain;            /* KEXINIT: bytes left in the packet */
    uint8_t lists_left, nlen;
    uint8_t lenbuf[4];
    uint8_t ver;                /* SSH_V_*, from the banner */
    uint8_t vstart[8];          /* the banner line's first bytes */
    bool limit_pending;         /* a KEXINIT string over the limit: X at its end */
} ssh_dir;

typedef struct ssh_state {
    ssh_dir ssh[2];
} ssh_state;

/* SSH::max_packet_length / max_string_length exceeded: Zeek's analyzer
 * reports a limit (X) and stops before it could confirm. */
static void ssh_limit(cl_an *a)
{
    cl_an_limit_reached(a);
    cl_an_stop(a);
}

static void ssh_confirm(cl_an *a, ssh_state *s)
{
    /* Key exchange happens after both versions: one direction alone (a
     * half-duplex capture) never gets Zeek's analyzer that far. */
    if (!s->ssh[0].banner_done || !s->ssh[1].banner_done)
        return;
    cl_an_confirm(a);
    cl_an_set_inactivity(a, SSH_INACTIVITY);
    cl_an_stop(a);
}

/* Only the line start matters: "SSH-" in any case. */
static void ssh_banner_start(ssh_dir *d, const uint8_t *p, uint32_t n)
{
    if (d->line_len == 0 && n >= 4)
        d->line_ssh = strncasecmp((const char *)p, "ssh-", 4) == 0;
}

/* The version of a banner line ("SSH-1.99-..." is compatible with both). */
static uint8_t ssh_banner_version(const uint8_t *v, uint32_t len)
{
    if (len < 5)
        return SSH_V_UNKNOWN;
    if (v[4] == '2')
        return SSH_V2;
    if (v[4] != '1')
        return SSH_V_UNKNOWN;
    return len >= 8 && v[6] == '9' && v[7] == '9' ? SSH_V199 : SSH_V1;
}

/* The protocol both banners agree on, as Zeek decides it: SSH-1 when one
 * side says 1.x and the other 1.x or 1.99; SSH-2 packets otherwise. */
static uint8_t ssh_protocol(const ssh_state *s)
{
    uint8_t cv = s->ssh[0].ver, sv = s->ssh[1].ver;
    if ((cv == SSH_V1 && (sv == SSH_V1 || sv == SSH_V199)) || (cv == SSH_V199 && sv == SSH_V1))
        return SSH_V1;
    return SSH_V2;
}

/* Gathers a packet header's first `want` bytes (SSH-1: the length; SSH-2:
 * also the padding length and the message type) across segments; true, with
 * the packet length, once they are all in. */
static bool ssh_header(ssh_dir *d, const uint8_t **p, uint32_t *n, uint8_t want, uint32_t *plen)
{
    while (*n && d->nhdr < want) {
        d->hdr[d->nhdr++] = *(*p)++;
        (*n)--;
    }
    if (d->nhdr < want)
        return false;
    *plen = cl_rd32(d->hdr);
    d->nhdr = 0;
    return true;
}

/* Feed one direction's bytes through banner, packet headers and skips. */
static void ssh_feed(cl_an *a, ssh_state *s, int dir, const uint8_t *p, uint32_t n)
{
    const cl_config *cfg = cl_an_config(a);
    ssh_dir *d = &s->ssh[dir];
    while (n && d->phase != SSH_OFF && !cl_an_removed(a)) {
        if (d->phase == SSH_BANNER) {
            ssh_banner_start(d, p, n);
            const uint8_t *nl = memchr(p, '\n', n);
            uint32_t used = nl ? (uint32_t)(nl - p) + 1 : n;
            if (d->line_len + used > SSH_LINE_MAX) {
                d->phase = SSH_OFF;
                break;
            }
            for (uint32_t i = 0; i < used && d->line_len + i < sizeof d->vstart; i++)
                d->vstart[d->line_len + i] = p[i];
            d->line_len = (uint16_t)(d->line_len + used);
            if (nl) {
                /* Lines before the banner are allowed; after it, packets. */
                d->phase = d->line_ssh ? SSH_HEADER : SSH_BANNER;
                d->banner_done = d->line_ssh;
                if (d->line_ssh)
                    d->ver = ssh_banner_version(d->vstart, d->line_len - 1);
                d->line_len = 0;
            }
            p += used;
            n -= used;
        } else if (d->phase == SSH_HEADER && ssh_protocol(s) == SSH_V1) {
            uint32_t plen;
            if (!ssh_header(d, &p, &n, 4, &plen))
                break;
            if (plen < 5 || plen > SSH_PACKET_MAX) {
                d->phase = SSH_OFF;
                break;
            }
            if (cfg->ssh_max_packet_length && plen > cfg->ssh_max_packet_length) {
                ssh_limit(a);
                break;
            }
            d->skip = 8 - plen % 8; /* SSH-1 padding: 1 to 8 bytes */
            d->phase = SSH1_PAD;
        } else if (d->phase == SSH1_PAD) {
            uint32_t k = n < d->skip ? n : d->skip;
            d->skip -= k;
            p += k;
            n -= k;
            if (d->skip == 0)
                d->phase = SSH1_TYPE;
        } else if (d->phase == SSH1_TYPE) {
            /* The client's session key confirms; after its first message
             * each side is encrypted. */
            if (*p == SSH1_CMSG_SESSION_KEY)
                ssh_confirm(a, s);
            d->phase = SSH_OFF;
            break;
        } else if (d->phase == SSH_HEADER) {
            uint32_t plen;
            if (!ssh_header(d, &p, &n, 6, &plen)) /* length, padding length, type */
                break;
            if (plen < 2 || plen > SSH_PACKET_MAX) {
                d->phase = SSH_OFF; /* not (unencrypted) SSH-2 packets */
                break;
            }
            if (cfg->ssh_max_packet_length && plen > cfg->ssh_max_packet_length) {
                ssh_limit(a);
                break;
            }
            if (d->hdr[5] == SSH_MSG_NEWKEYS) {
                ssh_confirm(a, s);
                d->phase = SSH_OFF; /* encrypted from here on */
                break;
            }
            if (d->hdr[5] == SSH_MSG_KEXINIT && cfg->ssh_max_string_length) {
                d->remain = plen - 2;
                d->skip = d->remain < 16 ? d->remain : 16; /* the cookie */
                d->lists_left = SSH_KEX_LISTS;
                d->phase = SSH_KEX_COOKIE;
                continue;
            }
            d->skip = plen - 2;
            d->phase = d->skip ? SSH_SKIP : SSH_HEADER;
        } else if (d->phase == SSH_KEX_LEN) {
            while (n && d->nlen < 4 && d->remain) {
                d->lenbuf[d->nlen++] = *p++;
                n--;
                d->remain--;
            }
            if (d->nlen < 4) {
                if (!d->remain) {
                    d->nlen = 0; /* the packet ended inside a length */
                    d->phase = SSH_HEADER;
                }
                continue;
            }
            d->nlen = 0;
            uint32_t l = cl_rd32(d->lenbuf);
            if (l > cfg->ssh_max_string_length) {
                /* Zeek parses a KEXINIT once all of it is there: the limit
                 * shows when its last byte arrives. */
                if (!d->remain) {
                    ssh_limit(a);
                    break;
                }
                d->limit_pending = true;
                d->skip = d->remain;
                d->phase = SSH_SKIP;
                continue;
            }
            d->skip = l < d->remain ? l : d->remain;
            d->phase = SSH_KEX_LIST;
        } else if (d->phase == SSH_KEX_COOKIE || d->phase == SSH_KEX_LIST) {
            uint32_t k = n < d->skip ? n : d->skip;
            d->skip -= k;
            d->remain -= k;
            p += k;
            n -= k;
            if (d->skip)
                continue;
            if (d->phase == SSH_KEX_LIST)
                d->lists_left--;
            if (d->lists_left && d->remain) {
                d->phase = SSH_KEX_LEN;
            } else {
                d->skip = d->remain; /* the rest of the packet */
                d->phase = d->skip ? SSH_SKIP : SSH_HEADER;
            }
        } else {
            uint32_t k = n < d->skip ? n : d->skip;
            d->skip -= k;
            p += k;
            n -= k;
            if (d->skip == 0 && d->limit_pending) {
                ssh_limit(a);
                break;
            }
            if (d->skip == 0)
                d->phase = SSH_HEADER;
        }
    }
    if (s->ssh[0].phase == SSH_OFF && s->ssh[1].phase == SSH_OFF)
        cl_an_stop(a);
}

static void ssh_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len)
{
    ssh_state *s = cl_an_state(a);
    int dir = is_orig ? 0 : 1;
    ssh_dir *d = &s->ssh[dir];
    if (!d->started && off != 0)
        d->phase = SSH_OFF; /* we missed the start */
    d->started = true;
    ssh_feed(a, s, dir, p, len);
}

static void ssh_gap(cl_an *a, bool is_orig, uint64_t len)
{
    (void)len;
    ssh_state *s = cl_an_state(a);
    s->ssh[is_orig ? 0 : 1].phase = SSH_OFF;
    if (s->ssh[0].phase == SSH_OFF && s->ssh[1].phase == SSH_OFF)
        cl_an_stop(a);
}

static const cl_an_port ssh_ports[] = {{22, CL_AN_TCP, false}, {0, 0, false}};

static const cl_an_sig ssh_sigs[] = {
    {.name = "dpd_ssh_client", .transport = CL_AN_TCP, .side = CL_SIG_ORIG,
     .payload = "^[sS][sS][hH]-[12]\\.", .requires_reverse = "dpd_ssh_server", .enable = true},
    {.name = "dpd_ssh_server", .transport = CL_AN_TCP, .side = CL_SIG_RESP,
     .payload = "^[sS][sS][hH]-[12]\\."},
    {0},
};

const cl_analyzer cl_analyzer_ssh = {
    .name = "ssh",
    .transport = CL_AN_TCP,
    .ports = ssh_ports,
    .sigs = ssh_sigs,
    .state_size = sizeof(ssh_state),
    .deliver = ssh_deliver,
    .gap = ssh_gap,
};

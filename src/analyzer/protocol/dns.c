/*
 * dns.c - enough of Zeek's DNS analyzer (src/analyzer/protocol/dns) to
 * know what it does to conn.log: it confirms "dns" once a message's header,
 * questions and answers parse; the first message, if it is a response sent
 * by the originator, flips the connection (unless the responder is
 * multicast); more than dns_max_queries questions is a violation that
 * also marks the history with X; and over UDP the connection is removed
 * after dns_session_timeout of silence.
 */
#include <string.h>

#include "analyzer/analyzer.h"
#include "conn/conn.h"
#include "decode/decode.h"

#define DNS_HDR 12
#define DNS_SESSION_TIMEOUT 10.0   /* dns_session_timeout */

typedef struct dns_state {
    bool seen;                  /* the first message was parsed */
} dns_state;

/* IPv4 224.x.x.x or IPv6 ff00::/8, as Zeek's IPAddr::IsMulticast. */
static bool addr_multicast(const cl_addr *a)
{
    if (cl_addr_is_v4(a))
        return a->b[12] == 224;
    return a->b[0] == 0xff;
}

/* Skip a (possibly compressed) name at *off; the message is msg[0..len). */
static bool skip_name(const uint8_t *msg, uint32_t len, uint32_t *off)
{
    uint32_t o = *off;
    for (;;) {
        if (o >= len)
            return false;
        uint8_t l = msg[o];
        if (l == 0) {
            *off = o + 1;
            return true;
        }
        if ((l & 0xc0) == 0xc0) {
            if (o + 2 > len)
                return false;
            uint32_t target = (uint32_t)((l & 0x3f) << 8 | msg[o + 1]);
            /* A pointer must point backwards (Zeek's
             * DNS_label_forward_compress_offset). */
            if (target >= o)
                return false;
            *off = o + 2;
            return true;
        }
        if ((l & 0xc0) != 0)
            return false; /* extended label types */
        o += 1u + l;
    }
}

static bool parse_questions(const uint8_t *msg, uint32_t len, uint32_t *off, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (!skip_name(msg, len, off) || len - *off < 4)
            return false;
        *off += 4;
    }
    return true;
}

static bool parse_answers(const uint8_t *msg, uint32_t len, uint32_t *off, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (!skip_name(msg, len, off) || len - *off < 10)
            return false;
        uint16_t rdlen = cl_rd16(msg + *off + 8);
        *off += 10;
        if (len - *off < rdlen)
            return false;
        *off += rdlen;
    }
    return true;
}

static void dns_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *msg, uint32_t len)
{
    (void)off;
    dns_state *st = cl_an_state(a);
    if (len < DNS_HDR)
        return; /* DNS_truncated_len_lt_hdr_len */
    bool qr = msg[2] & 0x80;
    if (!st->seen) {
        /* The first message, if it is a response sent by the originator,
         * flips the connection (unless the responder is multicast). */
        st->seen = true;
        cl_addr resp = cl_conn_resp_h(cl_an_conn(a));
        if (qr && is_orig && !addr_multicast(&resp))
            cl_an_flip(a);
    }
    uint16_t qd = cl_rd16(msg + 4), an = cl_rd16(msg + 6);
    unsigned max = cl_an_config(a)->dns_max_queries;
    if (max > 0 && qd > max) {
        cl_an_limit_reached(a); /* DNS_Conn_count_too_large */
        cl_an_violation(a);
        return;
    }
    uint32_t at = DNS_HDR;
    if (!parse_questions(msg, len, &at, qd) || !parse_answers(msg, len, &at, an))
        return;
    cl_an_confirm(a);
}

static bool dns_init(cl_an *a)
{
    cl_an_expire_idle(a, DNS_SESSION_TIMEOUT);
    return true;
}

static const cl_an_port dns_ports[] = {
    {53, CL_AN_UDP, false}, {137, CL_AN_UDP, false}, {5353, CL_AN_UDP, false},
    {5355, CL_AN_UDP, false}, {0, 0, false},
};

const cl_analyzer cl_analyzer_dns = {
    .name = "dns",
    .transport = CL_AN_UDP,
    .ports = dns_ports,
    .state_size = sizeof(dns_state),
    .init = dns_init,
    .deliver = dns_deliver,
};

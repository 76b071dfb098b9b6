/*
 * dns.c - enough of Zeek's DNS analyzer (src/analyzer/protocol/dns) to
 * know what it does to conn.log: it confirms "dns" once a message's header,
 * questions and answers parse; the first message, if it is a response sent
 * by the originator, flips the connection (unless the responder is
 * multicast); and more than dns_max_queries questions is a violation that
 * also marks the history with X.
 */
#include <string.h>

#include "detect/detect.h"
#include "detect/detect_int.h"
#include "engine.h"

#define DNS_HDR 12
#define MAX_POINTER_HOPS 16

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

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
        uint16_t rdlen = be16(msg + *off + 8);
        *off += 10;
        if (len - *off < rdlen)
            return false;
        *off += rdlen;
    }
    return true;
}

void cl_dns_message(cl_engine *e, cl_conn *c, bool is_orig, const uint8_t *msg, uint32_t len)
{
    if (len < DNS_HDR)
        return; /* DNS_truncated_len_lt_hdr_len */
    bool qr = msg[2] & 0x80;
    if (!(c->an_state & CL_AS_DNS_SEEN)) {
        c->an_state |= CL_AS_DNS_SEEN;
        cl_addr resp = cl_conn_resp_h(c);
        if (qr && is_orig && !cl_addr_multicast(&resp))
            cl_conn_flip(e, c);
    }
    uint16_t qd = be16(msg + 4), an = be16(msg + 6);
    if (e->cfg.dns_max_queries > 0 && qd > e->cfg.dns_max_queries) {
        cl_hist_check(c, 0x400, 'X'); /* DNS_Conn_count_too_large */
        cl_analyzer_violation(e, c, CL_AN_DNS, "dns");
        return;
    }
    uint32_t off = DNS_HDR;
    if (!parse_questions(msg, len, &off, qd) || !parse_answers(msg, len, &off, an))
        return;
    cl_conn_add_service(c, "dns");
}

/*
 * udp.c - UDP connections (Zeek's UDPAnalyzer and UDPSessionAdapter):
 * checksum, the D/d and C/c letters, payload sizes from the UDP length
 * field, and the creation-time flip towards likely server ports.
 */
#include <string.h>

#include "analyzer/manager.h"
#include "engine.h"

static bool likely_udp_server(const cl_engine *e, uint16_t port)
{
    return e->cfg.likely_server_udp[port >> 3] & (1u << (port & 7));
}

static bool is_limited_broadcast(const cl_addr *a)
{
    static const uint8_t bcast[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    return memcmp(a->b, bcast, 16) == 0;
}

bool cl_udp_want_flip(const cl_engine *e, uint16_t sport, uint16_t dport, const cl_addr *dst)
{
    if (is_limited_broadcast(dst))
        return false;
    return likely_udp_server(e, sport) && !likely_udp_server(e, dport);
}

static bool udp_checksum_ok(const cl_ip_info *ip)
{
    const uint8_t *p = ip->payload;
    /* Over IPv4 a zero checksum means "none"; over IPv6 it is invalid. */
    if (ip->version == 4 && p[6] == 0 && p[7] == 0)
        return true;
    return cl_transport_checksum_ok(ip, 17, p, ip->payload_len);
}

bool cl_udp_packet(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx)
{
    const cl_ip_info *ip = ctx->ip;
    const uint8_t *p = ip->payload;
    int slot = is_orig ? 0 : 1;

    if (ip->payload_caplen >= ip->payload_len && cl_engine_checksums_apply(e, &ip->src)) {
        e->stats.checksum_checked++;
        if (!udp_checksum_ok(ip)) {
            e->stats.checksum_failures++;
            cl_hist_scaled(c, is_orig ? 'C' : 'c', &cl_conn_dg(c)->udp_chk[slot]);
            return false;
        }
    }

    /* Connection-level masks 1 and 2: not swapped by flips. */
    cl_hist_check(c, is_orig ? 0x1 : 0x2, is_orig ? 'D' : 'd');

    int64_t v = (int64_t)(((uint32_t)p[4] << 8) | p[5]) - 8;
    cl_datagram *dg = cl_conn_dg(c);
    if (dg->dlen[slot] < 0)
        dg->dlen[slot] = v;
    else
        dg->dlen[slot] += v;
    c->last_time = ctx->t;

    /* Analyzers attached by port come before ConnSize among the
     * connection's children: one that flips the connection does so before
     * the packet is counted, and the packet is then counted with its
     * pre-flip direction (Zeek's quirk, spec 1.5). The PIA and what its
     * signatures enable come after. */
    uint32_t claimed = ip->payload_len > 8 ? ip->payload_len - 8 : 0;
    uint32_t have = ip->payload_caplen - 8, n = claimed < have ? claimed : have;
    if (c->an_flags & CL_ANF_ON)
        cl_an_udp_packet(e, c, is_orig, p + 8, n, true);
    c->pkts[slot]++;
    c->ip_bytes[slot] += ip->ip_bytes;
    if (c->an_flags & CL_ANF_ON)
        cl_an_udp_packet(e, c, is_orig, p + 8, n, false);
    return true;
}

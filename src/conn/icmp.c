/*
 * icmp.c - ICMP and ICMPv6 connections (Zeek's ICMPAnalyzer): the type and
 * counterpart-or-code used as ports, sizes, and which packets are counted.
 */
#include "engine.h"

/* Request/reply pairs; every other type is one-way. */
static int counterpart4(uint8_t type)
{
    switch (type) {
    case 8: return 0;
    case 0: return 8;
    case 13: return 14;
    case 14: return 13;
    case 15: return 16;
    case 16: return 15;
    case 10: return 9;
    case 9: return 10;
    case 17: return 18;
    case 18: return 17;
    default: return -1;
    }
}

static int counterpart6(uint8_t type)
{
    switch (type) {
    case 128: return 129;
    case 129: return 128;
    case 133: return 134;
    case 134: return 133;
    case 135: return 136;
    case 136: return 135;
    case 130: return 131;
    case 131: return 130;
    case 139: return 140;
    case 140: return 139;
    case 144: return 145;
    case 145: return 144;
    default: return -1;
    }
}

bool cl_icmp_ports(uint8_t type, uint8_t code, bool v6, uint16_t *sport, uint16_t *dport)
{
    int cp = v6 ? counterpart6(type) : counterpart4(type);
    *sport = type;
    *dport = cp >= 0 ? (uint16_t)cp : code;
    return cp >= 0;
}

void cl_icmp_packet(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx)
{
    const cl_ip_info *ip = ctx->ip;
    bool complete = ip->payload_caplen >= ip->payload_len;
    int slot = is_orig ? 0 : 1;

    if (complete && cl_engine_checksums_apply(e, &ip->src)) {
        e->stats.checksum_checked++;
        uint8_t proto = ip->proto == 58 ? 58 : 1;
        if (!cl_transport_checksum_ok(ip, proto, ip->payload, ip->payload_len)) {
            e->stats.checksum_failures++;
            return; /* silently skipped: no letter, no size, no time */
        }
    }
    c->last_time = ctx->t;

    int64_t v = (int64_t)ip->payload_len - 8;
    cl_datagram *dg = cl_conn_dg(c);
    if (dg->dlen[slot] < 0)
        dg->dlen[slot] = v;
    else
        dg->dlen[slot] += v;

    /* ConnSize only sees ICMP packets that were captured whole. */
    if (complete) {
        c->pkts[slot]++;
        c->ip_bytes[slot] += ip->ip_bytes;
    }
}

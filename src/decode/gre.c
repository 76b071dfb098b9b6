/*
 * gre.c - GRE as Zeek's GRE analyzer reads it: version 0 with IPv4/IPv6,
 * transparent Ethernet bridging, ERSPAN II/III and Aruba 802.11; version 1
 * (PPTP) with a PPP header in front of IPv4/IPv6.
 */
#include "decode/tunnel.h"

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t gre_header_len(uint16_t flags)
{
    uint32_t len = 4;
    if (flags & 0x8000)
        len += 4; /* checksum + reserved */
    if (flags & 0x2000)
        len += 4; /* key */
    if (flags & 0x1000)
        len += 4; /* sequence */
    if (flags & 0x0080)
        len += 4; /* acknowledgement (PPTP) */
    return len;
}

static bool gre_v0(const uint8_t *p, uint32_t len, uint32_t hlen, uint16_t proto, cl_inner *in)
{
    if (proto == 0x0800 || proto == 0x86DD) {
        in->kind = CL_INNER_IP;
        in->offset = hlen;
        return len > hlen;
    }
    if (proto == 0x6558) { /* transparent Ethernet bridging */
        in->kind = CL_INNER_ETHERNET;
        in->offset = hlen;
        return len > hlen + 14;
    }
    if (proto == 0x88BE) { /* ERSPAN type II: 8-byte header */
        in->kind = CL_INNER_ETHERNET;
        in->offset = hlen + 8;
        return len > hlen + 14 + 8;
    }
    if (proto == 0x22EB) { /* ERSPAN type III: 12 bytes, +8 with the O flag */
        if (len <= hlen + 14 + 12)
            return false;
        uint32_t elen = 12;
        if (p[hlen + elen - 1] & 0x01)
            elen += 8;
        in->kind = CL_INNER_ETHERNET;
        in->offset = hlen + elen;
        return len > in->offset;
    }
    if (proto >= 0x8200 && proto <= 0x82FF) { /* Aruba: 802.11 frames */
        in->kind = CL_INNER_IEEE80211;
        in->offset = hlen;
        return len > hlen;
    }
    return false;
}

bool cl_gre_parse(const uint8_t *p, uint32_t len, cl_inner *in)
{
    if (len < 4)
        return false;
    uint16_t flags = be16(p);
    uint16_t proto = be16(p + 2);
    unsigned version = flags & 0x7;
    uint32_t hlen = gre_header_len(flags);
    if (len < hlen)
        return false;
    if (version == 0)
        return gre_v0(p, len, hlen, proto, in);
    if (version != 1 || proto != 0x880B || !(flags & 0x2000))
        return false;
    /* PPTP: PPP address/control, then the PPP protocol. */
    if (len < hlen + 4)
        return false;
    uint16_t ppp = be16(p + hlen + 2);
    if (ppp != 0x0021 && ppp != 0x0057)
        return false;
    in->kind = CL_INNER_IP;
    in->offset = hlen + 4;
    return len > in->offset;
}

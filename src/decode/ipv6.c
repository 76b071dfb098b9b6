/*
 * ipv6.c - the IPv6 header and its extension-header chain, walked the way
 * Zeek's IPv6_Hdr_Chain does (src/IP.cc).
 */
#include "decode/layers.h"

enum {
    IP6_HDR = 40,
    NH_HOPOPTS = 0, NH_ROUTING = 43, NH_FRAGMENT = 44, NH_ESP = 50, NH_AH = 51,
    NH_NONE = 59, NH_DSTOPTS = 60, NH_MOBILITY = 135, NH_IPV6 = 41,
    OPT_PAD1 = 0, OPT_HOME_ADDRESS = 201
};

bool cl_ip6_is_ext(uint8_t type)
{
    switch (type) {
    case NH_HOPOPTS:
    case NH_ROUTING:
    case NH_DSTOPTS:
    case NH_FRAGMENT:
    case NH_AH:
    case NH_ESP:
    case NH_MOBILITY:
        return true;
    default:
        return false;
    }
}

uint32_t cl_ip6_ext_len(uint8_t type, const uint8_t *p)
{
    switch (type) {
    case NH_HOPOPTS:
    case NH_ROUTING:
    case NH_DSTOPTS:
    case NH_MOBILITY:
        return 8 + 8 * (uint32_t)p[1];
    case NH_AH:
        return 8 + 4 * (uint32_t)p[1];
    case NH_FRAGMENT:
    case NH_ESP: /* only the SPI and sequence number are readable */
        return 8;
    default:
        return 0;
    }
}

/* Routing types 0 (RFC 2460) and 2 (Mobile IPv6) with segments left name
 * the final destination in their last 16 bytes; the first such header
 * wins. */
static void routing(const uint8_t *h, uint32_t len, cl_ip_info *out, bool *have_dst)
{
    uint8_t type = h[2], hdr_ext = h[1], segleft = h[3];
    bool take = false;

    if (*have_dst || segleft == 0)
        return;
    if (type == 0)
        take = hdr_ext >= 2 && hdr_ext % 2 == 0;
    else if (type == 2)
        take = hdr_ext == 2;
    if (take) {
        memcpy(out->dst.b, h + len - 16, 16);
        *have_dst = true;
    }
}

/* Destination options: the Mobile IPv6 Home Address option (type 201,
 * 16 bytes) replaces the source address; the first one wins. */
static void dst_opts(const uint8_t *h, uint32_t len, cl_ip_info *out, bool *have_src)
{
    uint32_t off = 2;

    while (off < len) {
        uint32_t opt_len;

        if (h[off] == OPT_PAD1) {
            off++;
            continue;
        }
        if (len - off < 2 || len - off < 2u + h[off + 1])
            return; /* option runs past the header */
        opt_len = h[off + 1];
        if (h[off] == OPT_HOME_ADDRESS && opt_len == 16 && !*have_src) {
            memcpy(out->src.b, h + off + 2, 16);
            *have_src = true;
        }
        off += 2 + opt_len;
    }
}

static void fragment(const uint8_t *h, uint32_t off, cl_ip_info *out)
{
    uint16_t offlg = cl_rd16(h + 2);

    out->is_fragment = true;
    out->more_fragments = (offlg & 0x0001) != 0;
    out->frag_offset = offlg & 0xfff8;
    out->frag_id = cl_rd32(h + 4);
    out->frag_hdr_off = off;
    out->frag_unfrag_len = off;
}

static bool ends_chain(uint8_t type)
{
    return type == NH_FRAGMENT || type == NH_ESP || type == NH_MOBILITY;
}

/* Zeek walks the chain within the captured bytes: a header that does not
 * fit ends the walk without being part of the chain, and its type becomes
 * the "transport" protocol. Fragment, ESP and mobility headers end it too. */
cl_decode_status cl_ip6_header(const uint8_t *p, uint32_t caplen, cl_ip_info *out,
                               uint8_t *last)
{
    uint32_t pos = IP6_HDR;
    uint8_t cur = NH_IPV6, next;
    bool have_src = false, have_dst = false;

    if (caplen < IP6_HDR)
        return CL_DEC_TRUNCATED;
    out->version = 6;
    out->flow_label = cl_rd32(p) & 0x000fffff;
    out->total_len = (uint32_t)cl_rd16(p + 4) + IP6_HDR;
    out->ip_bytes = out->total_len;
    out->ttl = p[7];
    memcpy(out->src.b, p + 8, 16);
    memcpy(out->dst.b, p + 24, 16);
    next = p[6];

    while (!ends_chain(cur) && cl_ip6_is_ext(next) && caplen - pos >= 2) {
        const uint8_t *h = p + pos;
        uint32_t len = cl_ip6_ext_len(next, h);

        if (len > caplen - pos)
            break;
        cur = next;
        next = cur == NH_ESP ? NH_NONE : h[0];
        if (cur == NH_ROUTING)
            routing(h, len, out, &have_dst);
        else if (cur == NH_DSTOPTS)
            dst_opts(h, len, out, &have_src);
        else if (cur == NH_FRAGMENT)
            fragment(h, pos, out);
        pos += len;
    }
    out->hdr_len = pos;
    out->proto = next;
    *last = cur;
    return CL_DEC_OK;
}

/*
 * udp_tunnels.c - the tunnels carried in UDP: VXLAN, Geneve, Teredo,
 * AYIYA and GTPv1-U (Zeek's packet analyzers of the same names).
 */
#include "decode/tunnel.h"

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

bool cl_vxlan_parse(const uint8_t *p, uint32_t len, cl_inner *in)
{
    if (len < 8 || !(p[0] & 0x08))
        return false; /* truncated, or the I flag is not set */
    in->kind = CL_INNER_ETHERNET;
    in->offset = 8;
    return true;
}

bool cl_geneve_parse(const uint8_t *p, uint32_t len, cl_inner *in)
{
    if (len < 8 || (p[0] >> 6) != 0)
        return false;
    uint32_t hlen = 8 + (uint32_t)(p[0] & 0x3f) * 4;
    if (len < hlen)
        return false;
    uint16_t proto = be16(p + 2);
    in->offset = hlen;
    if (proto == 0x6558)
        in->kind = CL_INNER_ETHERNET;
    else if (proto == 0x0800 || proto == 0x86DD)
        in->kind = CL_INNER_IP;
    else
        return false;
    return true;
}

/* Origin indication (tag 0) and authentication (tag 1) may precede the
 * IPv6 packet, each at most once, authentication first. */
bool cl_teredo_parse(const uint8_t *p, uint32_t len, cl_inner *in)
{
    uint32_t off = 0;
    bool origin = false, auth = false;
    while (len - off >= 2) {
        uint16_t tag = be16(p + off);
        if (tag == 0) {
            if (origin || len - off < 8)
                return false;
            origin = true;
            off += 8;
        } else if (tag == 1) {
            if (origin || auth || len - off < 4)
                return false;
            uint32_t tot = 4u + p[off + 2] + p[off + 3] + 8 + 1;
            if (len - off < tot)
                return false;
            auth = true;
            off += tot;
        } else if ((tag >> 12) == 6) {
            if (len - off < 40)
                return false;
            in->kind = CL_INNER_IP;
            in->offset = off;
            return true;
        } else {
            return false;
        }
    }
    return false;
}

bool cl_teredo_detect(const uint8_t *p, uint32_t len)
{
    cl_inner in;
    if (!cl_teredo_parse(p, len, &in))
        return false;
    if (in.offset > 0)
        return true; /* origin or authentication header, then IPv6 */
    /* A bare IPv6 header: only if an address is a Teredo one (2001:0::/32). */
    const uint8_t *ip6 = p + in.offset;
    bool src = ip6[8] == 0x20 && ip6[9] == 0x01 && ip6[10] == 0 && ip6[11] == 0;
    bool dst = ip6[24] == 0x20 && ip6[25] == 0x01 && ip6[26] == 0 && ip6[27] == 0;
    return src || dst;
}

bool cl_ayiya_detect(const uint8_t *p, uint32_t len)
{
    return len >= 3 && p[1] == 0x52 && p[2] == 0x11;
}

bool cl_ayiya_parse(const uint8_t *p, uint32_t len, cl_inner *in)
{
    if (len < 8)
        return false;
    uint32_t id_len = 1u << (p[0] >> 4);
    uint32_t sig_len = (uint32_t)(p[1] >> 4) * 4;
    uint32_t hlen = 8 + id_len + sig_len;
    unsigned opcode = p[2] & 0x0f, next = p[3];
    if (len < hlen || opcode != 1 || (next != 4 && next != 41))
        return false;
    in->kind = CL_INNER_IP;
    in->offset = hlen;
    return len > hlen;
}

bool cl_gtpv1_parse(const uint8_t *p, uint32_t len, cl_inner *in)
{
    if (len < 8)
        return false;
    unsigned version = p[0] >> 5, pt = (p[0] >> 4) & 1;
    if (version != 1 || !pt || p[1] != 0xFF)
        return false; /* only G-PDUs carry user traffic */
    uint32_t off = 8;
    if (p[0] & 0x07) {
        if (len < 12)
            return false;
        uint8_t next_ext = p[11];
        off = 12;
        /* Extension headers: a length in 4-byte units, the last byte
         * names the next one. */
        while ((p[0] & 0x04) && next_ext != 0) {
            if (len < off + 1)
                return false;
            uint32_t elen = (uint32_t)p[off] * 4;
            if (elen == 0 || len < off + elen)
                return false;
            next_ext = p[off + elen - 1];
            off += elen;
        }
    }
    if (len <= off)
        return false;
    unsigned ipv = p[off] >> 4;
    if (ipv != 4 && ipv != 6)
        return false;
    in->kind = CL_INNER_IP;
    in->offset = off;
    return true;
}

/*
 * sll.c - Linux "cooked" captures, versions 1 (DLT 113) and 2 (DLT 276).
 *
 * Both carry the sender's link address and no destination; Zeek reads the
 * protocol as an EtherType without looking at the ARPHRD type.
 */
#include "decode/layers.h"

enum {
    SLL_HDR = 16, SLL_ADDR = 6, SLL_PROTO = 14,
    SLL2_HDR = 20, SLL2_ADDR = 12, SLL2_PROTO = 0
};

static cl_decode_status cooked(cl_l2_cursor *c, const uint8_t *p, uint32_t len,
                               uint32_t hdr, uint32_t addr, uint32_t proto)
{
    if (len <= hdr)
        return CL_DEC_TRUNCATED;
    memcpy(c->out->src_mac, p + addr, 6);
    c->out->has_src_mac = true;
    return cl_l2_ethertype(c, CL_TABLE_IP_ARP, cl_rd16(p + proto), p + hdr, len - hdr);
}

cl_decode_status cl_l2_sll(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    return cooked(c, p, len, SLL_HDR, SLL_ADDR, SLL_PROTO);
}

cl_decode_status cl_l2_sll2(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    return cooked(c, p, len, SLL2_HDR, SLL2_ADDR, SLL2_PROTO);
}

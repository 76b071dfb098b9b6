/*
 * pppoe.c - PPPoE session stage (EtherType 0x8864).
 */
#include "decode/layers.h"

enum { PPPOE_HDR = 6, PPP_PROTO = 2 };

cl_decode_status cl_l2_pppoe(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    uint32_t payload;
    uint16_t proto;

    if (len <= PPPOE_HDR + PPP_PROTO)
        return CL_DEC_TRUNCATED;
    c->out->pppoe_session = cl_rd16(p + 2);
    /* The PPPoE length counts the PPP protocol field; the IP packet may
     * use no more than what is left of it (Zeek trims trailing bytes). */
    payload = cl_rd16(p + 4);
    payload = payload >= PPP_PROTO ? payload - PPP_PROTO : 0;
    if (payload > len - PPPOE_HDR - PPP_PROTO)
        payload = len - PPPOE_HDR - PPP_PROTO;
    proto = cl_rd16(p + 6);
    p += PPPOE_HDR + PPP_PROTO;

    switch (proto) {
    case 0x0021:
        return cl_l2_found_ip(c, p, payload, 0x0800);
    case 0x0057:
        return cl_l2_found_ip(c, p, payload, 0x86DD);
    default:
        return CL_DEC_NOT_IP;
    }
}

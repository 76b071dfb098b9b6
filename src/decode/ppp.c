/*
 * ppp.c - PPP (DLT 9, with or without HDLC framing) and PPP serial (DLT 50).
 */
#include "decode/layers.h"

enum { PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057, PPP_MPLS = 0x0281 };

cl_decode_status cl_l2_ppp_proto(cl_l2_cursor *c, uint16_t proto, const uint8_t *p,
                                 uint32_t len)
{
    if (++c->depth > CL_L2_MAX_DEPTH)
        return CL_DEC_MALFORMED;
    switch (proto) {
    case PPP_IPV4:
        return cl_l2_found_ip(c, p, len, 0x0800);
    case PPP_IPV6:
        return cl_l2_found_ip(c, p, len, 0x86DD);
    case PPP_MPLS:
        return cl_l2_mpls(c, p, len);
    default:
        return CL_DEC_NOT_IP;
    }
}

/* A frame starting FF 03 is in HDLC-like framing (address, control), with
 * the protocol behind; otherwise the protocol comes first. */
cl_decode_status cl_l2_ppp(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    if (len <= 2)
        return CL_DEC_TRUNCATED;
    if (p[0] == 0xFF && p[1] == 0x03) {
        if (len <= 4)
            return CL_DEC_TRUNCATED;
        return cl_l2_ppp_proto(c, cl_rd16(p + 2), p + 4, len - 4);
    }
    return cl_l2_ppp_proto(c, cl_rd16(p), p + 2, len - 2);
}

cl_decode_status cl_l2_ppp_serial(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    if (len <= 4)
        return CL_DEC_TRUNCATED;
    return cl_l2_ppp_proto(c, cl_rd16(p + 2), p + 4, len - 4);
}

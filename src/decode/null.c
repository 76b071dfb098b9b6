/*
 * null.c - BSD loopback: DLT_NULL (family in the capturing host's byte
 * order, taken as little-endian as Zeek does) and DLT_LOOP (big-endian).
 */
#include "decode/layers.h"

enum { NULL_HDR = 4 };

cl_decode_status cl_l2_null(cl_l2_cursor *c, const uint8_t *p, uint32_t len, int big_endian)
{
    uint32_t family;

    if (len <= NULL_HDR)
        return CL_DEC_TRUNCATED;
    if (big_endian)
        family = cl_rd32(p);
    else
        family = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                 ((uint32_t)p[3] << 24);

    /* AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS),
     * 28 (FreeBSD, DragonFly) or 30 (Darwin), and a trace may come from
     * any of them. */
    switch (family) {
    case 2:
        return cl_l2_found_ip(c, p + NULL_HDR, len - NULL_HDR, 0x0800);
    case 24:
    case 28:
    case 30:
        return cl_l2_found_ip(c, p + NULL_HDR, len - NULL_HDR, 0x86DD);
    default:
        return CL_DEC_NOT_IP;
    }
}

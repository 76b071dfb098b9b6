/*
 * pbb.c - 802.1ah Provider Backbone Bridging and Cisco VN-Tag.
 */
#include "decode/layers.h"

enum { PBB_ITAG = 4, PBB_HDR = 18, VNTAG_HDR = 6 };

/* PBB: a 4-byte I-tag, then the customer's Ethernet header, which Zeek
 * parses as Ethernet again (so its MACs replace the backbone ones). */
cl_decode_status cl_l2_pbb(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    if (len <= PBB_HDR)
        return CL_DEC_TRUNCATED;
    return cl_l2_ethernet(c, p + PBB_ITAG, len - PBB_ITAG);
}

/* VN-Tag: 6 bytes whose last two are the next EtherType; Zeek only
 * registers VLAN tags behind it. */
cl_decode_status cl_l2_vntag(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    if (len <= VNTAG_HDR)
        return CL_DEC_TRUNCATED;
    return cl_l2_ethertype(c, CL_TABLE_VNTAG, cl_rd16(p + 4), p + VNTAG_HDR,
                           len - VNTAG_HDR);
}

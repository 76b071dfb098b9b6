/*
 * vlan.c - 802.1Q / 802.1ad / 0x9100 tags.
 */
#include "decode/layers.h"

enum { VLAN_TAG = 4 };

/* Zeek keeps two tag slots: the first tag seen is the outer VLAN, every
 * later one (over)writes the inner VLAN. */
static void record_tag(cl_l2_info *out, int32_t id)
{
    if (out->vlan < 0)
        out->vlan = id;
    else
        out->inner_vlan = id;
}

cl_decode_status cl_l2_vlan(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    uint16_t type;

    if (len <= VLAN_TAG)
        return CL_DEC_TRUNCATED;
    record_tag(c->out, cl_rd16(p) & 0x0fff);
    type = cl_rd16(p + 2);
    p += VLAN_TAG;
    len -= VLAN_TAG;

    if (type >= 1536)
        return cl_l2_ethertype(c, CL_TABLE_VLAN, type, p, len);
    if (type > 1500)
        return CL_DEC_MALFORMED;
    /* An 802.3 length inside the tag: trim to it, then LLC/SNAP. */
    if (len < 2)
        return CL_DEC_TRUNCATED;
    if (len > type)
        len = type;
    return cl_l2_llc(c, p, len);
}

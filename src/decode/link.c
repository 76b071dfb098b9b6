/*
 * link.c - the root of link-layer decoding: which DLT goes where.
 */
#include "decode/layers.h"

void cl_l2_info_clear(cl_l2_info *out)
{
    memset(out, 0, sizeof *out);
    out->vlan = -1;
    out->inner_vlan = -1;
    out->pppoe_session = -1;
}

bool cl_linktype_supported(int dlt)
{
    switch (dlt) {
    case CL_DLT_NULL:
    case CL_DLT_EN10MB:
    case CL_DLT_PPP:
    case CL_DLT_FDDI:
    case CL_DLT_RAW_12:
    case CL_DLT_RAW_14:
    case CL_DLT_PPP_SERIAL:
    case CL_DLT_RAW:
    case CL_DLT_IEEE802_11:
    case CL_DLT_LOOP:
    case CL_DLT_LINUX_SLL:
    case CL_DLT_IEEE802_11_RADIO:
    case CL_DLT_IPV4:
    case CL_DLT_IPV6:
    case CL_DLT_NFLOG:
    case CL_DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

cl_decode_status cl_l2_found_ip(cl_l2_cursor *c, const uint8_t *p, uint32_t len,
                                uint16_t ethertype)
{
    uint32_t used = (uint32_t)(p - c->frame);
    cl_l2_info *out = c->out;

    out->l3 = p;
    out->l3_caplen = len;
    /* Zeek's truncated_IP_len check compares against the frame's wire
     * length minus the link headers, never against the captured bytes. */
    out->l3_wirelen = c->frame_wirelen >= used ? c->frame_wirelen - used : 0;
    out->ethertype = ethertype;
    return CL_DEC_OK;
}

/* FDDI: Zeek skips the 13-byte MAC header and an 8-byte LLC/SNAP header
 * without looking at them, then lets the IP version decide. */
static cl_decode_status fddi(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    enum { FDDI_HDR = 13 + 8 };
    if (len <= FDDI_HDR)
        return CL_DEC_TRUNCATED;
    return cl_l2_found_ip(c, p + FDDI_HDR, len - FDDI_HDR, 0);
}

cl_decode_status cl_decode_link(int dlt, const uint8_t *p, uint32_t caplen,
                                uint32_t wirelen, cl_l2_info *out)
{
    cl_l2_cursor c = {.frame = p, .frame_wirelen = wirelen, .depth = 0, .out = out};

    cl_l2_info_clear(out);
    if (p == NULL)
        caplen = 0;

    switch (dlt) {
    case CL_DLT_EN10MB:
        return cl_l2_ethernet(&c, p, caplen);
    case CL_DLT_NULL:
        return cl_l2_null(&c, p, caplen, 0);
    case CL_DLT_LOOP:
        return cl_l2_null(&c, p, caplen, 1);
    case CL_DLT_PPP:
        return cl_l2_ppp(&c, p, caplen);
    case CL_DLT_PPP_SERIAL:
        return cl_l2_ppp_serial(&c, p, caplen);
    case CL_DLT_FDDI:
        return fddi(&c, p, caplen);
    case CL_DLT_IEEE802_11:
        return cl_l2_ieee80211(&c, p, caplen);
    case CL_DLT_IEEE802_11_RADIO:
        return cl_l2_radiotap(&c, p, caplen);
    case CL_DLT_LINUX_SLL:
        return cl_l2_sll(&c, p, caplen);
    case CL_DLT_LINUX_SLL2:
        return cl_l2_sll2(&c, p, caplen);
    case CL_DLT_NFLOG:
        return cl_l2_nflog(&c, p, caplen);
    case CL_DLT_RAW_12:
    case CL_DLT_RAW_14:
    case CL_DLT_RAW:
    case CL_DLT_IPV4:
    case CL_DLT_IPV6:
        return cl_l2_found_ip(&c, p, caplen, 0);
    default:
        return CL_DEC_UNSUPPORTED;
    }
}

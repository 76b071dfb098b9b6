/*
 * ieee80211.c - 802.11 data frames, with or without a radiotap header.
 */
#include "decode/layers.h"

enum {
    WLAN_HDR = 24,      /* three addresses */
    WLAN_ADDR4 = 6,     /* fourth address when ToDS and FromDS */
    WLAN_QOS = 2,
    AMSDU_SUBHDR = 14,  /* DA, SA, length */
    LLC_SNAP = 8        /* AA AA 03 00 00 00 + EtherType */
};

/* Source and destination MAC by the ToDS/FromDS bits. */
static void take_macs(cl_l2_info *out, const uint8_t *hdr)
{
    static const uint8_t src_off[4] = {10, 10, 16, 24};
    static const uint8_t dst_off[4] = {4, 16, 4, 16};
    unsigned ds = hdr[1] & 0x03;

    memcpy(out->src_mac, hdr + src_off[ds], 6);
    memcpy(out->dst_mac, hdr + dst_off[ds], 6);
    out->has_src_mac = true;
    out->has_dst_mac = true;
}

/* The frame body: an LLC/SNAP header with OUI 0, then an EtherType. */
static cl_decode_status llc_snap(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    static const uint8_t want[6] = {0xAA, 0xAA, 0x03, 0, 0, 0};

    if (len < LLC_SNAP)
        return CL_DEC_TRUNCATED;
    if (memcmp(p, want, sizeof want) != 0)
        return CL_DEC_NOT_IP;
    return cl_l2_ethertype(c, CL_TABLE_IP_ARP, cl_rd16(p + 6), p + LLC_SNAP,
                           len - LLC_SNAP);
}

/* An A-MSDU packs several subframes into one frame, each padded to a
 * multiple of 4 bytes; Zeek analyzes each as a packet of its own. This
 * decodes the first and leaves the rest in amsdu_rest for
 * cl_decode_amsdu_next. */
static cl_decode_status amsdu_sub(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    uint32_t sub_len;

    c->out->amsdu_rest = NULL;
    c->out->amsdu_rest_len = 0;
    if (len < AMSDU_SUBHDR)
        return CL_DEC_TRUNCATED;
    sub_len = cl_rd16(p + 12);
    if (len - AMSDU_SUBHDR < sub_len)
        return CL_DEC_TRUNCATED;
    uint32_t used = AMSDU_SUBHDR + sub_len, pad = (4 - used % 4) % 4;
    if (len > used + pad) {
        c->out->amsdu_rest = p + used + pad;
        c->out->amsdu_rest_len = len - used - pad;
    }
    return llc_snap(c, p + AMSDU_SUBHDR, sub_len);
}

cl_decode_status cl_decode_amsdu_next(cl_l2_info *l2)
{
    const uint8_t *p = l2->amsdu_rest;
    uint32_t len = l2->amsdu_rest_len;
    if (!p)
        return CL_DEC_NOT_IP;
    cl_l2_cursor c = {.frame = l2->frame, .frame_wirelen = l2->frame_wirelen, .depth = 0,
                      .out = l2};
    return amsdu_sub(&c, p, len);
}

cl_decode_status cl_l2_ieee80211(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    uint32_t hdr = WLAN_HDR;
    uint8_t fc;
    bool amsdu = false;

    if (len <= hdr)
        return CL_DEC_TRUNCATED;
    fc = p[0];
    if (((fc >> 2) & 0x02) == 0)   /* management and control frames */
        return CL_DEC_NOT_IP;
    if ((fc >> 4) & 0x04)          /* null-data subtypes carry nothing */
        return CL_DEC_NOT_IP;
    if ((p[1] & 0x03) == 0x03)
        hdr += WLAN_ADDR4;
    if (len <= hdr)
        return CL_DEC_TRUNCATED;
    if ((fc >> 4) & 0x08) {        /* QoS data */
        amsdu = (p[hdr] & 0x80) != 0;
        if (p[1] & 0x40)           /* protected: encrypted body */
            return CL_DEC_NOT_IP;
        hdr += WLAN_QOS;
    }
    if (len <= hdr)
        return CL_DEC_TRUNCATED;

    take_macs(c->out, p);
    if (amsdu) {
        c->out->frame = c->frame;
        c->out->frame_wirelen = c->frame_wirelen;
        return amsdu_sub(c, p + hdr, len - hdr);
    }
    return llc_snap(c, p + hdr, len - hdr);
}

/* Radiotap: a little-endian header length at offset 2, then 802.11. */
cl_decode_status cl_l2_radiotap(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    uint32_t rt_len;

    if (len <= 3)
        return CL_DEC_TRUNCATED;
    rt_len = (uint32_t)p[2] | ((uint32_t)p[3] << 8);
    if (rt_len >= len)
        return CL_DEC_TRUNCATED;
    return cl_l2_ieee80211(c, p + rt_len, len - rt_len);
}

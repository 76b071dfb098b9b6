/*
 * ethernet.c - Ethernet II, 802.3 + SNAP, Cisco FabricPath, and the
 * EtherType dispatch tables every shim shares.
 */
#include "decode/layers.h"

enum {
    ETH_HDR = 14,
    FABRICPATH_HDR = 16,
    ET_IPV4 = 0x0800,
    ET_ARP = 0x0806,
    ET_RARP = 0x8035,
    ET_VLAN = 0x8100,
    ET_QINQ = 0x88A8,
    ET_QINQ_OLD = 0x9100,
    ET_MPLS = 0x8847,
    ET_PBB = 0x88E7,
    ET_PPPOE = 0x8864,
    ET_VNTAG = 0x8926,
    ET_FABRICPATH = 0x8903,
    ET_IPV6 = 0x86DD
};

cl_decode_status cl_decode_ethernet(const uint8_t *p, uint32_t caplen,
                                    uint32_t wirelen, cl_l2_info *out)
{
    cl_l2_cursor c = {.frame = p, .frame_wirelen = wirelen, .depth = 0, .out = out};
    cl_l2_info_clear(out);
    if (p == NULL)
        caplen = 0;
    return cl_l2_ethernet(&c, p, caplen);
}

static bool is_vlan_type(uint16_t type)
{
    return type == ET_VLAN || type == ET_QINQ || type == ET_QINQ_OLD;
}

/* The handful of EtherTypes each analyzer registers, as in Zeek's
 * scripts/base/packet-protocols/{ethernet,vlan,vntag,snap,...}/main.zeek.
 * Anything unregistered carries nothing we can use. */
cl_decode_status cl_l2_ethertype(cl_l2_cursor *c, cl_l2_table table, uint16_t type,
                                 const uint8_t *p, uint32_t len)
{
    if (++c->depth > CL_L2_MAX_DEPTH)
        return CL_DEC_MALFORMED;

    if (table == CL_TABLE_VNTAG)
        return is_vlan_type(type) ? cl_l2_vlan(c, p, len) : CL_DEC_NOT_IP;

    if (type == ET_IPV4 || type == ET_IPV6)
        return cl_l2_found_ip(c, p, len, type);
    if (table == CL_TABLE_IP_ARP)
        return CL_DEC_NOT_IP;

    switch (type) {
    case ET_VLAN:
        return cl_l2_vlan(c, p, len);
    case ET_QINQ:
    case ET_QINQ_OLD:
        return table == CL_TABLE_ETHERNET ? cl_l2_vlan(c, p, len) : CL_DEC_NOT_IP;
    case ET_MPLS:
        return cl_l2_mpls(c, p, len);
    case ET_PBB:
        return cl_l2_pbb(c, p, len);
    case ET_PPPOE:
        return cl_l2_pppoe(c, p, len);
    case ET_VNTAG:
        return table == CL_TABLE_ETHERNET ? cl_l2_vntag(c, p, len) : CL_DEC_NOT_IP;
    default:
        return CL_DEC_NOT_IP; /* ARP, RARP and everything unregistered */
    }
}

/* IEEE 802.2 SNAP: an LLC header (3 bytes, or 4 when the control field is
 * not an unnumbered PDU), a 3-byte OUI and a 2-byte type. Only OUI 0 means
 * the type is an EtherType. */
static cl_decode_status snap(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    uint32_t llc_len;

    if (len < 3)
        return CL_DEC_TRUNCATED;
    llc_len = (p[2] & 0x03) == 0x03 ? 3 : 4;
    if (len < llc_len + 5)
        return CL_DEC_TRUNCATED;
    p += llc_len;
    len -= llc_len;
    if (p[0] != 0 || p[1] != 0 || p[2] != 0)
        return CL_DEC_NOT_IP;
    return cl_l2_ethertype(c, CL_TABLE_IP_ARP, cl_rd16(p + 3), p + 5, len - 5);
}

/* The payload of an 802.3 frame (already cut to the length field): SNAP
 * carries an EtherType; Novell raw and plain LLC carry nothing for us. */
cl_decode_status cl_l2_llc(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    if (len >= 2 && p[0] == 0xAA && p[1] == 0xAA)
        return snap(c, p, len);
    return CL_DEC_NOT_IP;
}

/* An 802.3 length field: Zeek needs 2 bytes to look at and trims the
 * frame to the length (dropping Ethernet padding). */
static cl_decode_status ieee8023(cl_l2_cursor *c, uint16_t length, const uint8_t *p,
                                 uint32_t len)
{
    if (len < 2)
        return CL_DEC_TRUNCATED;
    if (len > length)
        len = length;
    return cl_l2_llc(c, p, len);
}

static void take_macs(cl_l2_info *out, const uint8_t *hdr)
{
    memcpy(out->dst_mac, hdr, 6);
    memcpy(out->src_mac, hdr + 6, 6);
    out->has_dst_mac = true;
    out->has_src_mac = true;
}

cl_decode_status cl_l2_ethernet(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    uint16_t type;

    /* Zeek wants more than the 14-byte header plus two bytes. */
    if (len <= 16)
        return CL_DEC_TRUNCATED;

    /* Cisco FabricPath: a 16-byte outer header in front of an ordinary
     * Ethernet frame, whose addresses are the ones that count. */
    if (cl_rd16(p + 12) == ET_FABRICPATH) {
        if (len <= FABRICPATH_HDR + ETH_HDR)
            return CL_DEC_TRUNCATED;
        p += FABRICPATH_HDR;
        len -= FABRICPATH_HDR;
    }

    take_macs(c->out, p);
    type = cl_rd16(p + 12);
    if (type >= 1536)
        return cl_l2_ethertype(c, CL_TABLE_ETHERNET, type, p + ETH_HDR, len - ETH_HDR);
    if (type <= 1500)
        return ieee8023(c, type, p + ETH_HDR, len - ETH_HDR);
    return CL_DEC_MALFORMED; /* 1501..1535: neither a length nor a type */
}

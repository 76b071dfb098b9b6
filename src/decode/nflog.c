/*
 * nflog.c - Linux NFLOG (DLT 239): a 4-byte header (family, version,
 * resource id) and TLVs, one of which (type 9) is the packet.
 */
#include "decode/layers.h"

enum { NFLOG_HDR = 4, TLV_HDR = 4, TLV_PAYLOAD = 9, AF_INET_ = 2, AF_INET6_ = 10 };

/* TLV lengths and types are in the capturing host's byte order; libpcap
 * swaps them to ours when it reads a foreign-endian file, so read them
 * natively as Zeek does. */
static uint16_t host16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Walk the TLVs to the payload one; returns its offset from p, or 0. */
static uint32_t find_payload(const uint8_t *p, uint32_t len, cl_decode_status *why)
{
    uint32_t off = NFLOG_HDR;

    for (;;) {
        uint32_t tlv_len;

        if (len - off <= TLV_HDR) {
            *why = CL_DEC_TRUNCATED;
            return 0;
        }
        if (host16(p + off + 2) == TLV_PAYLOAD)
            return off + TLV_HDR;
        tlv_len = host16(p + off);
        if (tlv_len < TLV_HDR) {
            *why = CL_DEC_MALFORMED;
            return 0;
        }
        /* TLVs are padded to 4 bytes; the padding is not in the length. */
        tlv_len = (tlv_len + 3u) & ~3u;
        if (tlv_len > len - off) {
            *why = CL_DEC_TRUNCATED;
            return 0;
        }
        off += tlv_len;
    }
}

cl_decode_status cl_l2_nflog(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    cl_decode_status why = CL_DEC_OK;
    uint32_t off;
    uint8_t family;

    if (len <= NFLOG_HDR)
        return CL_DEC_TRUNCATED;
    family = p[0];
    if (p[1] != 0)
        return CL_DEC_MALFORMED;
    off = find_payload(p, len, &why);
    if (off == 0)
        return why;
    if (family == AF_INET_)
        return cl_l2_found_ip(c, p + off, len - off, 0x0800);
    if (family == AF_INET6_)
        return cl_l2_found_ip(c, p + off, len - off, 0x86DD);
    return CL_DEC_NOT_IP;
}

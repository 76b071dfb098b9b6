/*
 * ip.c - cl_decode_ip: the checks of Zeek's IP analyzer
 * (src/packet_analysis/protocol/ip/IP.cc), in its order.
 */
#include "decode/layers.h"

enum { IP4_MIN = 20, NH_ESP = 50, NH_NONE = 59, NH_MOBILITY = 135 };

static cl_decode_status header(const uint8_t *p, uint32_t caplen, cl_ip_info *out,
                               uint8_t *last)
{
    *last = 0;
    switch (p[0] >> 4) {
    case 4:
        return cl_ip4_header(p, caplen, out);
    case 6:
        return cl_ip6_header(p, caplen, out, last);
    default:
        return CL_DEC_MALFORMED;
    }
}

/* Lengths: total length 0 (TSO) is only tolerated when checksums are
 * ignored, and then the captured length stands in; the packet must fit in
 * what was on the wire; the header must fit in the packet and the capture. */
static cl_decode_status lengths(uint32_t caplen, uint32_t wirelen, unsigned flags,
                                cl_ip_info *out)
{
    if (out->total_len == 0) {
        if (!(flags & CL_IP_ZERO_LEN_OK))
            return CL_DEC_MALFORMED;
        out->total_len = caplen;
    }
    if (wirelen < out->total_len)
        return CL_DEC_MALFORMED;
    if (out->hdr_len > out->total_len)
        return CL_DEC_MALFORMED;
    if (out->hdr_len > caplen)
        return CL_DEC_TRUNCATED;
    if (out->version == 4 && out->hdr_len < IP4_MIN)
        return CL_DEC_MALFORMED;
    return CL_DEC_OK;
}

static void payload(const uint8_t *p, uint32_t caplen, cl_ip_info *out)
{
    uint32_t after = caplen - out->hdr_len;

    out->payload = p + out->hdr_len;
    out->payload_len = out->total_len - out->hdr_len;
    out->payload_caplen = after < out->payload_len ? after : out->payload_len;
}

cl_decode_status cl_decode_ip(const uint8_t *p, uint32_t caplen, uint32_t wirelen,
                              unsigned flags, cl_ip_info *out)
{
    cl_decode_status st;
    uint8_t last;

    memset(out, 0, sizeof *out);
    if (p == NULL || caplen < IP4_MIN)
        return CL_DEC_TRUNCATED;
    out->hdr = p;
    st = header(p, caplen, out, &last);
    if (st != CL_DEC_OK)
        return st;
    st = lengths(caplen, wirelen, flags, out);
    if (st != CL_DEC_OK)
        return st;
    if (out->version == 4 && (flags & CL_IP_VERIFY_CHECKSUM) &&
        cl_csum_fold(cl_csum_add(0, p, out->hdr_len)) != 0)
        return CL_DEC_BAD_CHECKSUM;
    payload(p, caplen, out);

    /* Fragments go to reassembly before anything looks at what they
     * carry; the checks below apply to the reassembled datagram. */
    if (out->is_fragment)
        return CL_DEC_OK;
    if (last == NH_ESP || last == NH_MOBILITY)
        return CL_DEC_NO_TRANSPORT;
    if (out->proto == NH_NONE) /* IPv4 protocol 59 too, as in Zeek */
        return CL_DEC_NO_TRANSPORT;
    return CL_DEC_OK;
}

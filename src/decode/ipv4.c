/*
 * ipv4.c - the fixed part of an IPv4 header.
 */
#include "decode/layers.h"

/* Fill what the header says; the caller has checked caplen >= 20 and does
 * the length checks, which are common to both versions. */
cl_decode_status cl_ip4_header(const uint8_t *p, uint32_t caplen, cl_ip_info *out)
{
    uint16_t frag;

    if (caplen < 20)
        return CL_DEC_TRUNCATED;
    out->version = 4;
    out->hdr_len = (uint32_t)(p[0] & 0x0f) * 4;
    out->total_len = cl_rd16(p + 2);
    out->ip_bytes = out->total_len;
    out->frag_id = cl_rd16(p + 4);
    frag = cl_rd16(p + 6);
    out->ttl = p[8];
    out->proto = p[9];
    cl_addr_set_v4(&out->src, p + 12);
    cl_addr_set_v4(&out->dst, p + 16);

    /* A fragment has MF or an offset; DF and the reserved bit don't count. */
    out->is_fragment = (frag & 0x3fff) != 0;
    out->more_fragments = (frag & 0x2000) != 0;
    out->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
    return CL_DEC_OK;
}

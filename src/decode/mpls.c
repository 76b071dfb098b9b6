/*
 * mpls.c - an MPLS label stack (EtherType 0x8847, PPP 0x0281).
 */
#include "decode/layers.h"

enum { MPLS_LABEL = 4 };

/* Pop labels to the bottom of the stack. RFC 3032 does not say what is
 * carried, so (as Zeek) whatever follows goes to IP by its version. */
cl_decode_status cl_l2_mpls(cl_l2_cursor *c, const uint8_t *p, uint32_t len)
{
    bool bottom = false;

    while (!bottom) {
        if (len <= MPLS_LABEL)
            return CL_DEC_TRUNCATED;
        bottom = (p[2] & 0x01) != 0;
        p += MPLS_LABEL;
        len -= MPLS_LABEL;
    }
    return cl_l2_found_ip(c, p, len, 0);
}

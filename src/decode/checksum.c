/*
 * checksum.c - the Internet checksum (RFC 1071) and transport checksums.
 *
 * Convention: cl_csum_add accumulates the one's-complement sum of 16-bit
 * big-endian words (an odd final byte is padded with zero); cl_csum_fold
 * folds it and returns its complement, i.e. the value a sender writes into
 * the checksum field. Data whose checksum field is right folds to 0.
 */
#include <string.h>

#include "decode/layers.h"

enum { IPPROTO_ICMP_ = 1, IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17, IPPROTO_ICMPV6_ = 58 };

/* The one's-complement sum of the 16-bit words of p[0, n), n a multiple
 * of 4, as the 16-bit big-endian words the convention wants. It adds
 * whole 32-bit words in the machine's byte order: one's-complement sums
 * fold to the same 16 bits from any word size, and a sum of byte-swapped
 * words is the byte-swapped sum (RFC 1071, 2.(B)), so one swap at the end
 * makes it big-endian. Half the loads and adds of a 16-bit loop. */
static uint32_t sum_words(const uint8_t *p, uint32_t n)
{
    uint64_t acc = 0;
    for (uint32_t i = 0; i < n; i += 4) {
        uint32_t w;
        memcpy(&w, p + i, 4);
        acc += w;
    }
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    const uint16_t probe = 1;
    uint8_t first;
    memcpy(&first, &probe, 1);
    if (first) /* little-endian */
        acc = ((acc & 0xff) << 8) | (acc >> 8);
    return (uint32_t)acc;
}

uint32_t cl_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
    if (p == NULL)
        return sum;
    uint32_t bulk = len & ~3u;
    uint64_t acc = (uint64_t)sum + sum_words(p, bulk);
    for (uint32_t i = bulk; i + 1 < len; i += 2)
        acc += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (len & 1)
        acc += (uint32_t)(p[len - 1] << 8);
    while (acc >> 32)
        acc = (acc & 0xffffffffu) + (acc >> 32);
    return (uint32_t)acc;
}

uint16_t cl_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The pseudo-header of RFC 768/793 (IPv4) or RFC 8200 §8.1 (IPv6), over
 * the addresses the IP layer reports (home address and final routing
 * destination applied, as Zeek passes SrcAddr()/DstAddr()). */
static uint32_t pseudo_header(const cl_ip_info *ip, uint8_t proto, uint32_t len)
{
    uint8_t tail[8];
    uint32_t sum = 0;

    if (ip->version == 4) {
        sum = cl_csum_add(sum, ip->src.b + 12, 4);
        sum = cl_csum_add(sum, ip->dst.b + 12, 4);
        tail[0] = 0;
        tail[1] = proto;
        tail[2] = (uint8_t)(len >> 8);
        tail[3] = (uint8_t)len;
        return cl_csum_add(sum, tail, 4);
    }
    sum = cl_csum_add(sum, ip->src.b, 16);
    sum = cl_csum_add(sum, ip->dst.b, 16);
    tail[0] = (uint8_t)(len >> 24);
    tail[1] = (uint8_t)(len >> 16);
    tail[2] = (uint8_t)(len >> 8);
    tail[3] = (uint8_t)len;
    tail[4] = tail[5] = tail[6] = 0;
    tail[7] = proto;
    return cl_csum_add(sum, tail, 8);
}

bool cl_transport_checksum_ok(const cl_ip_info *ip, uint8_t proto,
                              const uint8_t *data, uint32_t len)
{
    uint32_t sum;

    switch (proto) {
    case IPPROTO_ICMP_:
        return cl_csum_fold(cl_csum_add(0, data, len)) == 0;
    case IPPROTO_UDP_:
        /* Over IPv4 a zero UDP checksum means the sender computed none.
         * Over IPv6 it is simply wrong (Zeek agrees, spec §13 item 7). */
        if (ip->version == 4 && len >= 8 && data[6] == 0 && data[7] == 0)
            return true;
        break;
    case IPPROTO_TCP_:
    case IPPROTO_ICMPV6_:
        break;
    default:
        return true; /* nothing we know how to verify */
    }
    sum = pseudo_header(ip, proto, len);
    sum = cl_csum_add(sum, data, len);
    return cl_csum_fold(sum) == 0;
}

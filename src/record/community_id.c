/*
 * community_id.c - Community ID v1 and the SHA-1 it needs.
 */
#include "record/community_id.h"

#include <string.h>

static uint32_t rol(uint32_t v, unsigned n) { return (v << n) | (v >> (32 - n)); }

static void sha1_block(uint32_t h[5], const uint8_t *b)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (bb & c) | (~bb & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = bb ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (bb & c) | (bb & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = bb ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(bb, 30);
        bb = a;
        a = t;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void cl_sha1(const void *data, size_t len, uint8_t digest[20])
{
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const uint8_t *p = data;
    size_t left = len;
    while (left >= 64) {
        sha1_block(h, p);
        p += 64;
        left -= 64;
    }
    uint8_t tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t n = left + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[n - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha1_block(h, tail);
    if (n == 128)
        sha1_block(h, tail + 64);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}

static size_t base64(const uint8_t *in, size_t n, char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

void cl_community_id(uint16_t seed, const cl_addr *orig, uint16_t orig_p, const cl_addr *resp,
                     uint16_t resp_p, uint8_t ip_proto, bool one_way,
                     char out[CL_COMMUNITY_ID_MAX])
{
    bool v4 = cl_addr_is_v4(orig) && cl_addr_is_v4(resp);
    size_t alen = v4 ? 4 : 16, off = v4 ? 12 : 0;
    const cl_addr *a = orig, *b = resp;
    uint16_t pa = orig_p, pb = resp_p;
    /* Smaller endpoint first (address, then port), except one-way ICMP. */
    int cmp = memcmp(a->b + off, b->b + off, alen);
    if (!one_way && (cmp > 0 || (cmp == 0 && pa > pb))) {
        a = resp;
        b = orig;
        pa = resp_p;
        pb = orig_p;
    }
    bool ports = ip_proto == 6 || ip_proto == 17 || ip_proto == 132 || ip_proto == 1 ||
                 ip_proto == 58;
    uint8_t m[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    m[n++] = (uint8_t)(seed >> 8);
    m[n++] = (uint8_t)seed;
    memcpy(m + n, a->b + off, alen);
    n += alen;
    memcpy(m + n, b->b + off, alen);
    n += alen;
    m[n++] = ip_proto;
    m[n++] = 0;
    if (ports) {
        m[n++] = (uint8_t)(pa >> 8);
        m[n++] = (uint8_t)pa;
        m[n++] = (uint8_t)(pb >> 8);
        m[n++] = (uint8_t)pb;
    }
    uint8_t d[20];
    cl_sha1(m, n, d);
    out[0] = '1';
    out[1] = ':';
    base64(d, sizeof d, out + 2);
}

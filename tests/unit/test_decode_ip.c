/*
 * test_decode_ip.c - cl_decode_ip and the checksum helpers.
 */
#include <stdint.h>
#include <string.h>

#include "decode/decode.h"
#include "test.h"

/* ---- packet builders ------------------------------------------------ */

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void ip4_fix_csum(uint8_t *p)
{
    uint32_t hl = (uint32_t)(p[0] & 0x0f) * 4;
    p[10] = p[11] = 0;
    put16(p + 10, cl_csum_fold(cl_csum_add(0, p, hl)));
}

/* IPv4 10.0.0.1 -> 10.0.0.2 with `opt_len` bytes of NOP options and
 * `payload` bytes of transport data (0x11 filled). Returns the length. */
static uint32_t ip4(uint8_t *p, uint8_t proto, uint32_t opt_len, uint32_t payload)
{
    uint32_t hl = 20 + opt_len;

    memset(p, 0, hl + payload);
    p[0] = (uint8_t)(0x40 | (hl / 4));
    put16(p + 2, hl + payload);
    put16(p + 4, 0x1234);
    p[8] = 64;
    p[9] = proto;
    p[12] = 10, p[15] = 1;
    p[16] = 10, p[19] = 2;
    memset(p + 20, 1, opt_len); /* NOP */
    memset(p + hl, 0x11, payload);
    ip4_fix_csum(p);
    return hl + payload;
}

/* IPv6 2001:db8::1 -> 2001:db8::2, next header `nh`, payload length `plen`
 * (the caller writes extension headers and payload after byte 40). */
static void ip6(uint8_t *p, uint8_t nh, uint32_t plen)
{
    memset(p, 0, 40);
    p[0] = 0x60;
    p[1] = 0x0a; /* flow label 0xabcde */
    p[2] = 0xbc;
    p[3] = 0xde;
    put16(p + 4, plen);
    p[6] = nh;
    p[7] = 33;
    p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
    p[24] = 0x20, p[25] = 0x01, p[26] = 0x0d, p[27] = 0xb8, p[39] = 2;
}

static void addr6(cl_addr *a, uint8_t last)
{
    memset(a, 0, sizeof *a);
    a->b[0] = 0x20, a->b[1] = 0x01, a->b[2] = 0x0d, a->b[3] = 0xb8;
    a->b[15] = last;
}

static void addr4(cl_addr *a, uint8_t last)
{
    memset(a, 0, sizeof *a);
    a->b[10] = a->b[11] = 0xff;
    a->b[12] = 10;
    a->b[15] = last;
}

static bool addr_eq(const cl_addr *a, const cl_addr *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* ---- IPv4 ----------------------------------------------------------- */

static void test_ipv4_basic(void)
{
    uint8_t p[64];
    cl_ip_info ip;
    cl_addr a;
    uint32_t n = ip4(p, 17, 0, 12);

    CHECK_EQ_INT(cl_decode_ip(p, n, n, CL_IP_VERIFY_CHECKSUM, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.version, 4);
    CHECK_EQ_INT(ip.proto, 17);
    CHECK_EQ_INT(ip.hdr_len, 20);
    CHECK_EQ_INT(ip.total_len, 32);
    CHECK_EQ_INT(ip.ip_bytes, 32);
    CHECK_EQ_INT(ip.payload_len, 12);
    CHECK_EQ_INT(ip.payload_caplen, 12);
    CHECK(ip.payload == p + 20);
    CHECK(ip.hdr == p);
    CHECK_EQ_INT(ip.ttl, 64);
    CHECK(!ip.is_fragment);
    addr4(&a, 1);
    CHECK(addr_eq(&ip.src, &a));
    addr4(&a, 2);
    CHECK(addr_eq(&ip.dst, &a));
}

static void test_ipv4_options(void)
{
    uint8_t p[80];
    cl_ip_info ip;
    uint32_t n = ip4(p, 6, 12, 20);

    CHECK_EQ_INT(cl_decode_ip(p, n, n, CL_IP_VERIFY_CHECKSUM, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.hdr_len, 32);
    CHECK_EQ_INT(ip.payload_len, 20);
    CHECK(ip.payload == p + 32);
}

static void test_ipv4_bad_checksum(void)
{
    uint8_t p[64];
    cl_ip_info ip;
    uint32_t n = ip4(p, 17, 4, 8);

    p[10] ^= 0x55;
    CHECK_EQ_INT(cl_decode_ip(p, n, n, CL_IP_VERIFY_CHECKSUM, &ip), CL_DEC_BAD_CHECKSUM);
    /* Checksums ignored: the same packet is fine. */
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.proto, 17);
}

static void test_ipv4_zero_total_length(void)
{
    uint8_t p[64];
    cl_ip_info ip;
    uint32_t n = ip4(p, 6, 0, 24);

    put16(p + 2, 0);
    ip4_fix_csum(p);
    CHECK_EQ_INT(cl_decode_ip(p, n, n, CL_IP_VERIFY_CHECKSUM, &ip), CL_DEC_MALFORMED);
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_MALFORMED);
    /* Zeek with -C: the captured length stands in, ip_bytes stays 0. */
    CHECK_EQ_INT(cl_decode_ip(p, n, n, CL_IP_ZERO_LEN_OK, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.total_len, n);
    CHECK_EQ_INT(ip.ip_bytes, 0);
    CHECK_EQ_INT(ip.payload_len, 24);
    CHECK_EQ_INT(ip.payload_caplen, 24);
}

static void test_ipv4_wire_and_snap_lengths(void)
{
    uint8_t p[128];
    cl_ip_info ip;
    uint32_t n = ip4(p, 17, 0, 80);

    /* Longer than the wire: Zeek's truncated_IP_len drop. */
    CHECK_EQ_INT(cl_decode_ip(p, n, n - 1, 0, &ip), CL_DEC_MALFORMED);
    /* Cut by the snap length only: fine, payload_caplen shows the cut. */
    CHECK_EQ_INT(cl_decode_ip(p, 40, n, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.payload_len, 80);
    CHECK_EQ_INT(ip.payload_caplen, 20);
    /* Ethernet padding after the datagram is not payload. */
    CHECK_EQ_INT(cl_decode_ip(p, n, n + 20, 0, &ip), CL_DEC_OK);
    memset(p + n, 0, 8);
    CHECK_EQ_INT(cl_decode_ip(p, n + 8, n + 8, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.payload_caplen, 80);
}

static void test_ipv4_header_lengths(void)
{
    uint8_t p[64];
    cl_ip_info ip;
    uint32_t n = ip4(p, 17, 0, 8);

    p[0] = 0x44; /* IHL 16 bytes: below the minimum */
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_MALFORMED);
    p[0] = 0x4f; /* 60 bytes: more than the 28-byte total */
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_MALFORMED);
    p[0] = 0x47; /* 28 bytes: fits the total, but only 24 captured */
    CHECK_EQ_INT(cl_decode_ip(p, 24, n, 0, &ip), CL_DEC_TRUNCATED);
    p[0] = 0x55; /* version 5 */
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_MALFORMED);
    CHECK_EQ_INT(cl_decode_ip(p, 19, n, 0, &ip), CL_DEC_TRUNCATED);
    CHECK_EQ_INT(cl_decode_ip(NULL, 0, 0, 0, &ip), CL_DEC_TRUNCATED);
}

static void test_ipv4_fragment_fields(void)
{
    uint8_t p[64];
    cl_ip_info ip;
    uint32_t n = ip4(p, 17, 0, 16);

    put16(p + 6, 0x2000 | 3); /* MF, offset 24 */
    ip4_fix_csum(p);
    CHECK_EQ_INT(cl_decode_ip(p, n, n, CL_IP_VERIFY_CHECKSUM, &ip), CL_DEC_OK);
    CHECK(ip.is_fragment);
    CHECK(ip.more_fragments);
    CHECK_EQ_INT(ip.frag_offset, 24);
    CHECK_EQ_INT(ip.frag_id, 0x1234);

    put16(p + 6, 0x4000); /* DF only: not a fragment */
    ip4_fix_csum(p);
    CHECK_EQ_INT(cl_decode_ip(p, n, n, CL_IP_VERIFY_CHECKSUM, &ip), CL_DEC_OK);
    CHECK(!ip.is_fragment);

    put16(p + 6, 5); /* last fragment at 40 */
    ip4_fix_csum(p);
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_OK);
    CHECK(ip.is_fragment);
    CHECK(!ip.more_fragments);
    CHECK_EQ_INT(ip.frag_offset, 40);
}

static void test_ipv4_protocols(void)
{
    uint8_t p[64];
    cl_ip_info ip;
    uint32_t n = ip4(p, 59, 0, 8);

    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_NO_TRANSPORT);
    n = ip4(p, 50, 0, 8); /* IPv4 ESP: unknown transport, a connection */
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.proto, 50);
    n = ip4(p, 132, 0, 8);
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.proto, 132);
}

static void test_ipv4_every_truncation(void)
{
    uint8_t p[80];
    cl_ip_info ip;
    uint32_t n = ip4(p, 6, 8, 20);

    for (uint32_t cap = 0; cap <= n; cap++) {
        cl_decode_status st = cl_decode_ip(p, cap, n, CL_IP_VERIFY_CHECKSUM, &ip);
        if (cap < 28) {
            CHECK(st == CL_DEC_TRUNCATED);
        } else {
            CHECK_EQ_INT(st, CL_DEC_OK);
            CHECK_EQ_INT(ip.payload_caplen, cap - 28);
        }
    }
}

/* ---- IPv6 ----------------------------------------------------------- */

static void test_ipv6_basic(void)
{
    uint8_t p[80];
    cl_ip_info ip;
    cl_addr a;

    ip6(p, 6, 20);
    memset(p + 40, 0, 20);
    CHECK_EQ_INT(cl_decode_ip(p, 60, 60, CL_IP_VERIFY_CHECKSUM, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.version, 6);
    CHECK_EQ_INT(ip.proto, 6);
    CHECK_EQ_INT(ip.hdr_len, 40);
    CHECK_EQ_INT(ip.total_len, 60);
    CHECK_EQ_INT(ip.ip_bytes, 60);
    CHECK_EQ_INT(ip.payload_len, 20);
    CHECK_EQ_INT(ip.flow_label, 0xabcde);
    CHECK_EQ_INT(ip.ttl, 33);
    addr6(&a, 1);
    CHECK(addr_eq(&ip.src, &a));
    addr6(&a, 2);
    CHECK(addr_eq(&ip.dst, &a));
    CHECK_EQ_INT(cl_decode_ip(p, 39, 60, 0, &ip), CL_DEC_TRUNCATED);
    CHECK_EQ_INT(cl_decode_ip(p, 60, 59, 0, &ip), CL_DEC_MALFORMED);
}

static void test_ipv6_ext_chain(void)
{
    uint8_t p[128];
    cl_ip_info ip;

    /* hop-by-hop (8) -> destination options (16) -> UDP (8) */
    ip6(p, 0, 8 + 16 + 8);
    memset(p + 40, 0, 32);
    p[40] = 60;        /* hop-by-hop: next dstopts, len 0 */
    p[42] = 1, p[43] = 4; /* PadN over the rest */
    p[48] = 17, p[49] = 1; /* dstopts: next UDP, 16 bytes */
    p[50] = 1, p[51] = 12;
    CHECK_EQ_INT(cl_decode_ip(p, 72, 72, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.proto, 17);
    CHECK_EQ_INT(ip.hdr_len, 64);
    CHECK_EQ_INT(ip.payload_len, 8);
    CHECK(ip.payload == p + 64);
    CHECK(!ip.is_fragment);

    /* AH (len field 4 -> 24 bytes) then TCP */
    ip6(p, 51, 24 + 20);
    memset(p + 40, 0, 44);
    p[40] = 6, p[41] = 4;
    CHECK_EQ_INT(cl_decode_ip(p, 84, 84, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.proto, 6);
    CHECK_EQ_INT(ip.hdr_len, 64);

    /* Extension headers longer than the payload length claims. */
    ip6(p, 0, 4);
    memset(p + 40, 0, 8);
    p[40] = 17;
    CHECK_EQ_INT(cl_decode_ip(p, 48, 48, 0, &ip), CL_DEC_MALFORMED);
}

static void test_ipv6_routing_final_dst(void)
{
    uint8_t p[128];
    cl_ip_info ip;
    cl_addr a;

    /* Type 0 routing header with two addresses, 1 segment left. */
    ip6(p, 43, 40 + 8);
    memset(p + 40, 0, 48);
    p[40] = 17, p[41] = 4, p[42] = 0, p[43] = 1;
    p[48 + 15] = 0x77;          /* first address: ::77 */
    p[64] = 0x20, p[64 + 1] = 0x01, p[64 + 15] = 0x99; /* final: 2001::99 */
    CHECK_EQ_INT(cl_decode_ip(p, 88, 88, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.proto, 17);
    CHECK_EQ_INT(ip.hdr_len, 80);
    memset(&a, 0, sizeof a);
    a.b[0] = 0x20, a.b[1] = 0x01, a.b[15] = 0x99;
    CHECK(addr_eq(&ip.dst, &a));

    /* No segments left: the header's destination stands. */
    p[43] = 0;
    CHECK_EQ_INT(cl_decode_ip(p, 88, 88, 0, &ip), CL_DEC_OK);
    addr6(&a, 2);
    CHECK(addr_eq(&ip.dst, &a));

    /* Type 2 (Mobile IPv6): exactly one address. */
    ip6(p, 43, 24 + 8);
    memset(p + 40, 0, 32);
    p[40] = 17, p[41] = 2, p[42] = 2, p[43] = 1;
    p[48] = 0xfe, p[48 + 15] = 0x42;
    CHECK_EQ_INT(cl_decode_ip(p, 72, 72, 0, &ip), CL_DEC_OK);
    memset(&a, 0, sizeof a);
    a.b[0] = 0xfe, a.b[15] = 0x42;
    CHECK(addr_eq(&ip.dst, &a));
}

static void test_ipv6_home_address(void)
{
    uint8_t p[128];
    cl_ip_info ip;
    cl_addr a;

    /* Destination options: Pad1, PadN(1), Home Address (16), then UDP. */
    ip6(p, 60, 24 + 8);
    memset(p + 40, 0, 32);
    p[40] = 17, p[41] = 2;
    p[42] = 0;                       /* Pad1 */
    p[43] = 1, p[44] = 1, p[45] = 0; /* PadN with 1 byte */
    p[46] = 201, p[47] = 16;
    p[48] = 0xfd, p[48 + 15] = 0x05;
    CHECK_EQ_INT(cl_decode_ip(p, 72, 72, 0, &ip), CL_DEC_OK);
    memset(&a, 0, sizeof a);
    a.b[0] = 0xfd, a.b[15] = 0x05;
    CHECK(addr_eq(&ip.src, &a));
    addr6(&a, 2);
    CHECK(addr_eq(&ip.dst, &a));

    /* A Home Address option of the wrong size is ignored. */
    p[47] = 14, p[46 + 16] = 1, p[46 + 17] = 0;
    CHECK_EQ_INT(cl_decode_ip(p, 72, 72, 0, &ip), CL_DEC_OK);
    addr6(&a, 1);
    CHECK(addr_eq(&ip.src, &a));
}

static void test_ipv6_fragment_header(void)
{
    uint8_t p[128];
    cl_ip_info ip;

    /* hop-by-hop, then fragment header: offset 16, MF, id 0xdeadbeef. */
    ip6(p, 0, 8 + 8 + 16);
    memset(p + 40, 0, 32);
    p[40] = 44;
    p[48] = 17;
    put16(p + 50, 16 | 1);
    p[52] = 0xde, p[53] = 0xad, p[54] = 0xbe, p[55] = 0xef;
    CHECK_EQ_INT(cl_decode_ip(p, 72, 72, 0, &ip), CL_DEC_OK);
    CHECK(ip.is_fragment);
    CHECK(ip.more_fragments);
    CHECK_EQ_INT(ip.frag_offset, 16);
    CHECK_EQ_U64(ip.frag_id, 0xdeadbeefu);
    CHECK_EQ_INT(ip.frag_hdr_off, 48);
    CHECK_EQ_INT(ip.frag_unfrag_len, 48);
    CHECK_EQ_INT(ip.hdr_len, 56);
    CHECK_EQ_INT(ip.proto, 17);
    CHECK_EQ_INT(ip.payload_len, 16);

    /* A fragment of something with no next header still goes to
     * reassembly: the check is made on the datagram. */
    p[48] = 59;
    CHECK_EQ_INT(cl_decode_ip(p, 72, 72, 0, &ip), CL_DEC_OK);
    CHECK(ip.is_fragment);
}

static void test_ipv6_no_transport(void)
{
    uint8_t p[128];
    cl_ip_info ip;

    ip6(p, 50, 16); /* ESP */
    memset(p + 40, 0, 16);
    CHECK_EQ_INT(cl_decode_ip(p, 56, 56, 0, &ip), CL_DEC_NO_TRANSPORT);
    ip6(p, 59, 0); /* no next header */
    CHECK_EQ_INT(cl_decode_ip(p, 40, 40, 0, &ip), CL_DEC_NO_TRANSPORT);
    ip6(p, 135, 8); /* mobility header, 8 bytes */
    memset(p + 40, 0, 8);
    p[40] = 59;
    CHECK_EQ_INT(cl_decode_ip(p, 48, 48, 0, &ip), CL_DEC_NO_TRANSPORT);
    /* ESP after a hop-by-hop header. */
    ip6(p, 0, 8 + 16);
    memset(p + 40, 0, 24);
    p[40] = 50;
    CHECK_EQ_INT(cl_decode_ip(p, 64, 64, 0, &ip), CL_DEC_NO_TRANSPORT);
}

static void test_ipv6_truncated_chain(void)
{
    uint8_t p[128];
    cl_ip_info ip;

    /* A 16-byte hop-by-hop header of which the capture has only 10 bytes:
     * as in Zeek, the walk stops before it and its type is the protocol. */
    ip6(p, 0, 16 + 8);
    memset(p + 40, 0, 24);
    p[40] = 17, p[41] = 1;
    CHECK_EQ_INT(cl_decode_ip(p, 50, 64, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(ip.proto, 0);
    CHECK_EQ_INT(ip.hdr_len, 40);
    for (uint32_t cap = 0; cap <= 64; cap++) {
        cl_decode_status st = cl_decode_ip(p, cap, 64, 0, &ip);
        if (cap < 40)
            CHECK_EQ_INT(st, CL_DEC_TRUNCATED);
        else
            CHECK_EQ_INT(ip.proto, cap >= 56 ? 17 : 0);
    }
}

/* ---- checksums ------------------------------------------------------ */

static void test_csum_rfc1071(void)
{
    /* RFC 1071's example words sum to ddf2 (one's complement). */
    static const uint8_t w[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_EQ_INT(cl_csum_fold(cl_csum_add(0, w, sizeof w)), (uint16_t)~0xddf2);
    /* Odd length: the last byte is padded with zero. */
    CHECK_EQ_INT(cl_csum_fold(cl_csum_add(0, w, 1)), 0xffff);
    CHECK_EQ_INT(cl_csum_fold(cl_csum_add(0, w, 3)), (uint16_t)~0xf201);
}

/* The definition, 16 bits at a time: what cl_csum_add must agree with
 * for every length, alignment and starting sum. */
static uint16_t ref_csum(uint32_t sum, const uint8_t *p, uint32_t len)
{
    uint64_t acc = sum;
    for (uint32_t i = 0; i + 1 < len; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        acc += (uint32_t)(p[len - 1] << 8);
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static void test_csum_matches_definition(void)
{
    static uint8_t buf[1600];
    uint32_t x = 99;
    unsigned bad = 0;
    for (int round = 0; round < 4000; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1103515245u + 12345u;
            /* some rounds all 0xff or all zero: the carry corner cases */
            buf[i] = round % 50 == 1 ? 0xff : round % 50 == 2 ? 0 : (uint8_t)(x >> 16);
        }
        uint32_t off = (uint32_t)round % 7, len = (uint32_t)(x >> 8) % 1500;
        uint32_t start = round % 3 == 0 ? 0 : (x >> 4) & 0x3ffff;
        if (cl_csum_fold(cl_csum_add(start, buf + off, len)) != ref_csum(start, buf + off, len))
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

static void set_transport_csum(const cl_ip_info *ip, uint8_t proto, uint8_t *t,
                               uint32_t len, uint32_t field)
{
    /* Search for the field value that verifies (not 0, which UDP over
     * IPv4 accepts for another reason). */
    for (uint32_t v = 1; v <= 0xffff; v++) {
        put16(t + field, v);
        if (cl_transport_checksum_ok(ip, proto, t, len))
            return;
    }
}

static void test_transport_udp4(void)
{
    uint8_t p[64];
    cl_ip_info ip;
    uint32_t n = ip4(p, 17, 0, 13);
    uint8_t *u = p + 20;

    put16(u, 1234), put16(u + 2, 53), put16(u + 4, 13);
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_OK);
    set_transport_csum(&ip, 17, u, 13, 6);
    CHECK(u[6] != 0 || u[7] != 0);
    CHECK(cl_transport_checksum_ok(&ip, 17, u, 13));
    u[12] ^= 1;
    CHECK(!cl_transport_checksum_ok(&ip, 17, u, 13));
    /* Zero over IPv4: "no checksum", accepted. */
    u[6] = u[7] = 0;
    CHECK(cl_transport_checksum_ok(&ip, 17, u, 13));
}

static void test_transport_v6(void)
{
    uint8_t p[128];
    cl_ip_info ip;
    uint8_t *u = p + 40;

    ip6(p, 17, 12);
    memset(u, 0x5a, 12);
    put16(u + 4, 12);
    CHECK_EQ_INT(cl_decode_ip(p, 52, 52, 0, &ip), CL_DEC_OK);
    set_transport_csum(&ip, 17, u, 12, 6);
    CHECK(cl_transport_checksum_ok(&ip, 17, u, 12));
    /* A zero UDP checksum over IPv6 is invalid. */
    u[6] = u[7] = 0;
    CHECK(!cl_transport_checksum_ok(&ip, 17, u, 12));

    /* TCP and ICMPv6 use the pseudo-header too. */
    ip6(p, 6, 20);
    memset(u, 0x33, 20);
    CHECK_EQ_INT(cl_decode_ip(p, 60, 60, 0, &ip), CL_DEC_OK);
    set_transport_csum(&ip, 6, u, 20, 16);
    CHECK(cl_transport_checksum_ok(&ip, 6, u, 20));
    ip.src.b[15] ^= 1; /* a different address breaks it */
    CHECK(!cl_transport_checksum_ok(&ip, 6, u, 20));

    ip6(p, 58, 8);
    memset(u, 0, 8);
    u[0] = 128;
    CHECK_EQ_INT(cl_decode_ip(p, 48, 48, 0, &ip), CL_DEC_OK);
    set_transport_csum(&ip, 58, u, 8, 2);
    CHECK(cl_transport_checksum_ok(&ip, 58, u, 8));
    /* ICMPv6 checksummed without the pseudo-header would differ. */
    CHECK(cl_csum_fold(cl_csum_add(0, u, 8)) != 0);
}

static void test_transport_icmp4(void)
{
    uint8_t p[64];
    cl_ip_info ip;
    uint32_t n = ip4(p, 1, 0, 12);
    uint8_t *m = p + 20;

    m[0] = 8, m[1] = 0;
    CHECK_EQ_INT(cl_decode_ip(p, n, n, 0, &ip), CL_DEC_OK);
    m[2] = m[3] = 0;
    put16(m + 2, cl_csum_fold(cl_csum_add(0, m, 12)));
    CHECK(cl_transport_checksum_ok(&ip, 1, m, 12));
    m[5] ^= 0x80;
    CHECK(!cl_transport_checksum_ok(&ip, 1, m, 12));
}

TEST_MAIN(test_ipv4_basic, test_ipv4_options, test_ipv4_bad_checksum,
          test_ipv4_zero_total_length, test_ipv4_wire_and_snap_lengths,
          test_ipv4_header_lengths, test_ipv4_fragment_fields, test_ipv4_protocols,
          test_ipv4_every_truncation, test_ipv6_basic, test_ipv6_ext_chain,
          test_ipv6_routing_final_dst, test_ipv6_home_address,
          test_ipv6_fragment_header, test_ipv6_no_transport, test_ipv6_truncated_chain,
          test_csum_rfc1071, test_csum_matches_definition, test_transport_udp4, test_transport_v6,
          test_transport_icmp4)

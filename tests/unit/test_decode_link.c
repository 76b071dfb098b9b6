/*
 * test_decode_link.c - cl_decode_link for every link type and shim.
 */
#include <stdint.h>
#include <string.h>

#include "decode/decode.h"
#include "test.h"

static const uint8_t MAC_A[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t MAC_B[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
static const uint8_t MAC_C[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c};
static const uint8_t MAC_D[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0d};

/* A 28-byte IPv4/UDP packet used as the payload of every frame. */
static const uint8_t IP4[28] = {
    0x45, 0, 0, 28, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x04, 0xd2, 0, 53, 0, 8, 0, 0};

/* A 48-byte IPv6/UDP packet. */
static const uint8_t IP6[48] = {
    0x60, 0, 0, 0, 0, 8, 17, 64,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    0x04, 0xd2, 0, 53, 0, 8, 0, 0};

typedef struct frame {
    uint8_t b[512];
    uint32_t n;
} frame;

static void add(frame *f, const void *p, uint32_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void add16(frame *f, uint32_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    add(f, b, 2);
}

static void add_bytes(frame *f, uint32_t n, uint8_t v)
{
    memset(f->b + f->n, v, n);
    f->n += n;
}

static void eth(frame *f, const uint8_t *dst, const uint8_t *src, uint32_t type)
{
    add(f, dst, 6);
    add(f, src, 6);
    add16(f, type);
}

static void vlan_tag(frame *f, uint32_t id, uint32_t next)
{
    add16(f, 0xa000 | id); /* PCP 5 must not leak into the id */
    add16(f, next);
}

/* Decode and require OK with the IPv4 payload at `off`. */
static void expect_ip4_at(int dlt, const frame *f, uint32_t off, cl_l2_info *l2)
{
    CHECK_EQ_INT(cl_decode_link(dlt, f->b, f->n, f->n, l2), CL_DEC_OK);
    CHECK(l2->l3 == f->b + off);
    CHECK_EQ_INT(l2->l3_caplen, f->n - off);
    CHECK_EQ_INT(l2->l3_wirelen, f->n - off);
    CHECK(l2->l3 != NULL && memcmp(l2->l3, IP4, sizeof IP4) == 0);
}

/* Every shorter capture of a frame must fail cleanly until the first
 * length at which the frame decodes, and decode with l3 in bounds after. */
static void every_cut(int dlt, const frame *f, uint32_t min_ok)
{
    cl_l2_info l2;
    uint8_t copy[512];

    for (uint32_t cap = 0; cap <= f->n; cap++) {
        /* A fresh copy of exactly cap bytes lets ASan catch overreads. */
        uint8_t *p = cap ? memcpy(copy + sizeof copy - cap, f->b, cap) : NULL;
        cl_decode_status st = cl_decode_link(dlt, p, cap, f->n, &l2);
        if (cap < min_ok) {
            CHECK(st != CL_DEC_OK);
        } else {
            CHECK_EQ_INT(st, CL_DEC_OK);
            CHECK(l2.l3 >= p && l2.l3 + l2.l3_caplen <= p + cap);
            CHECK_EQ_INT(l2.l3_wirelen, f->n - (uint32_t)(l2.l3 - p));
        }
    }
}

/* ---- Ethernet and its shims --------------------------------------- */

static void test_ethernet_ipv4(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    eth(&f, MAC_A, MAC_B, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_EN10MB, &f, 14, &l2);
    CHECK_EQ_INT(l2.ethertype, 0x0800);
    CHECK(l2.has_dst_mac && l2.has_src_mac);
    CHECK(memcmp(l2.dst_mac, MAC_A, 6) == 0);
    CHECK(memcmp(l2.src_mac, MAC_B, 6) == 0);
    CHECK_EQ_INT(l2.vlan, -1);
    CHECK_EQ_INT(l2.inner_vlan, -1);
    CHECK_EQ_INT(l2.pppoe_session, -1);
    /* Wire length beyond the capture shows in l3_wirelen only. */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, 30, 1514, &l2), CL_DEC_OK);
    CHECK_EQ_INT(l2.l3_caplen, 16);
    CHECK_EQ_INT(l2.l3_wirelen, 1500);
    /* Zeek wants more than 16 bytes. */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, 16, 16, &l2), CL_DEC_TRUNCATED);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, 17, 17, &l2), CL_DEC_OK);
    every_cut(CL_DLT_EN10MB, &f, 17);
    /* The same through cl_decode_ethernet. */
    CHECK_EQ_INT(cl_decode_ethernet(f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 14);
}

static void test_ethernet_ipv6_and_arp(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    eth(&f, MAC_A, MAC_B, 0x86DD);
    add(&f, IP6, sizeof IP6);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK_EQ_INT(l2.ethertype, 0x86DD);
    CHECK(l2.l3 == f.b + 14);

    f.n = 0;
    eth(&f, MAC_A, MAC_B, 0x0806);
    add_bytes(&f, 28, 0);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    f.b[12] = 0x88, f.b[13] = 0x63; /* PPPoE discovery: not handled */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    f.b[12] = 0x88, f.b[13] = 0x48; /* MPLS multicast: not handled */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    f.b[12] = 0x05, f.b[13] = 0xe0; /* 1504: neither length nor type */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_MALFORMED);
}

static void test_vlan_tags(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    eth(&f, MAC_A, MAC_B, 0x8100);
    vlan_tag(&f, 100, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_EN10MB, &f, 18, &l2);
    CHECK_EQ_INT(l2.vlan, 100);
    CHECK_EQ_INT(l2.inner_vlan, -1);
    every_cut(CL_DLT_EN10MB, &f, 19);

    /* QinQ: 802.1ad outer, 802.1Q inner. */
    f.n = 0;
    eth(&f, MAC_A, MAC_B, 0x88A8);
    vlan_tag(&f, 10, 0x8100);
    vlan_tag(&f, 20, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_EN10MB, &f, 22, &l2);
    CHECK_EQ_INT(l2.vlan, 10);
    CHECK_EQ_INT(l2.inner_vlan, 20);

    /* 0x9100 outer works too; a third tag overwrites the inner one. */
    f.n = 0;
    eth(&f, MAC_A, MAC_B, 0x9100);
    vlan_tag(&f, 1, 0x8100);
    vlan_tag(&f, 2, 0x8100);
    vlan_tag(&f, 3, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_EN10MB, &f, 26, &l2);
    CHECK_EQ_INT(l2.vlan, 1);
    CHECK_EQ_INT(l2.inner_vlan, 3);

    /* Inside a tag only 0x8100 nests: 802.1Q then 802.1ad is not IP. */
    f.n = 0;
    eth(&f, MAC_A, MAC_B, 0x8100);
    vlan_tag(&f, 5, 0x88A8);
    vlan_tag(&f, 6, 0x0800);
    add(&f, IP4, sizeof IP4);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    CHECK_EQ_INT(l2.vlan, 5);
}

static void test_vlan_8023_snap(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;
    static const uint8_t snap[8] = {0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00};

    /* A tag whose type is an 802.3 length, then SNAP, then padding. */
    eth(&f, MAC_A, MAC_B, 0x8100);
    vlan_tag(&f, 7, 8 + sizeof IP4);
    add(&f, snap, sizeof snap);
    add(&f, IP4, sizeof IP4);
    add_bytes(&f, 10, 0);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 26);
    CHECK_EQ_INT(l2.l3_caplen, sizeof IP4); /* trimmed to the length */
    CHECK_EQ_INT(l2.l3_wirelen, f.n - 26);
    CHECK_EQ_INT(l2.vlan, 7);
}

static void test_ethernet_8023(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;
    static const uint8_t snap[8] = {0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00};
    static const uint8_t snap4[9] = {0xAA, 0xAA, 0x00, 0x00, 0, 0, 0, 0x08, 0x00};

    eth(&f, MAC_A, MAC_B, 8 + sizeof IP4);
    add(&f, snap, sizeof snap);
    add(&f, IP4, sizeof IP4);
    add_bytes(&f, 6, 0xee); /* padding */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 22);
    CHECK_EQ_INT(l2.l3_caplen, sizeof IP4);
    CHECK_EQ_INT(l2.ethertype, 0x0800);
    every_cut(CL_DLT_EN10MB, &f, 22);

    /* A numbered LLC control field makes the LLC header 4 bytes. */
    f.n = 0;
    eth(&f, MAC_A, MAC_B, 9 + sizeof IP4);
    add(&f, snap4, sizeof snap4);
    add(&f, IP4, sizeof IP4);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 23);

    /* A non-zero OUI, plain LLC and Novell raw carry no IP. */
    f.b[14 + 5] = 0x01;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    f.b[14] = 0x42, f.b[15] = 0x42;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    f.b[14] = 0xFF, f.b[15] = 0xFF;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
}

static void test_mpls(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;
    static const uint8_t labels[8] = {0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40};

    eth(&f, MAC_A, MAC_B, 0x8847);
    add(&f, labels, sizeof labels);
    add(&f, IP6, sizeof IP6);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 22);
    CHECK_EQ_INT(l2.ethertype, 0); /* decided by the version nibble */
    CHECK(memcmp(l2.src_mac, MAC_B, 6) == 0);
    every_cut(CL_DLT_EN10MB, &f, 23);

    /* MPLS inside a VLAN tag. */
    f.n = 0;
    eth(&f, MAC_A, MAC_B, 0x8100);
    vlan_tag(&f, 9, 0x8847);
    add(&f, labels + 4, 4);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_EN10MB, &f, 22, &l2);
    CHECK_EQ_INT(l2.vlan, 9);
}

static void test_pppoe(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    eth(&f, MAC_A, MAC_B, 0x8864);
    add16(&f, 0x1100);                 /* version/type, code */
    add16(&f, 0xbeef);                 /* session */
    add16(&f, 2 + sizeof IP4);         /* length incl. PPP protocol */
    add16(&f, 0x0021);
    add(&f, IP4, sizeof IP4);
    add_bytes(&f, 12, 0);              /* Ethernet padding */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 22);
    CHECK_EQ_INT(l2.l3_caplen, sizeof IP4);
    CHECK_EQ_INT(l2.pppoe_session, 0xbeef);
    CHECK_EQ_INT(l2.ethertype, 0x0800);
    every_cut(CL_DLT_EN10MB, &f, 23);

    f.b[20] = 0x00, f.b[21] = 0x57; /* IPv6 protocol number */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK_EQ_INT(l2.ethertype, 0x86DD);
    f.b[20] = 0xc0, f.b[21] = 0x21; /* LCP */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
}

static void test_pbb(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    eth(&f, MAC_A, MAC_B, 0x88E7);
    add16(&f, 0x0000);
    add16(&f, 0x0100); /* I-tag */
    eth(&f, MAC_C, MAC_D, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_EN10MB, &f, 32, &l2);
    /* Zeek re-parses the customer frame as Ethernet: its MACs count. */
    CHECK(memcmp(l2.dst_mac, MAC_C, 6) == 0);
    CHECK(memcmp(l2.src_mac, MAC_D, 6) == 0);
    every_cut(CL_DLT_EN10MB, &f, 35);
}

static void test_vntag(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    eth(&f, MAC_A, MAC_B, 0x8926);
    add16(&f, 0x8001);
    add16(&f, 0x0002);
    add16(&f, 0x8100);
    vlan_tag(&f, 33, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_EN10MB, &f, 24, &l2);
    CHECK_EQ_INT(l2.vlan, 33);
    every_cut(CL_DLT_EN10MB, &f, 25);

    /* Zeek registers only VLAN tags behind a VN-Tag. */
    f.b[18] = 0x08, f.b[19] = 0x00;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
}

static void test_fabricpath(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    eth(&f, MAC_A, MAC_B, 0x8903);
    add16(&f, 0x0001);      /* FTag/TTL */
    eth(&f, MAC_C, MAC_D, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_EN10MB, &f, 30, &l2);
    CHECK(memcmp(l2.dst_mac, MAC_C, 6) == 0);
    CHECK(memcmp(l2.src_mac, MAC_D, 6) == 0);
    every_cut(CL_DLT_EN10MB, &f, 31);
}

static void test_deep_nesting_is_bounded(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    eth(&f, MAC_A, MAC_B, 0x8100);
    for (int i = 0; i < 100; i++)
        vlan_tag(&f, (uint32_t)i, 0x8100);
    add(&f, IP4, sizeof IP4);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_EN10MB, f.b, f.n, f.n, &l2), CL_DEC_MALFORMED);
}

/* ---- 802.11 -------------------------------------------------------- */

static void wlan(frame *f, uint8_t fc0, uint8_t fc1)
{
    static const uint8_t a1[6] = {1, 1, 1, 1, 1, 1}, a2[6] = {2, 2, 2, 2, 2, 2},
                         a3[6] = {3, 3, 3, 3, 3, 3}, a4[6] = {4, 4, 4, 4, 4, 4};
    uint8_t fc[4] = {fc0, fc1, 0, 0};

    add(f, fc, 4);
    add(f, a1, 6);
    add(f, a2, 6);
    add(f, a3, 6);
    add16(f, 0); /* sequence control */
    if ((fc1 & 3) == 3)
        add(f, a4, 6);
}

static void llc_snap(frame *f, uint32_t type)
{
    static const uint8_t h[6] = {0xAA, 0xAA, 0x03, 0, 0, 0};
    add(f, h, 6);
    add16(f, type);
}

static void test_ieee80211(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;
    /* (ToDS, FromDS) -> expected source / destination address number */
    static const int src_of[4] = {2, 2, 3, 4}, dst_of[4] = {1, 3, 1, 3};

    for (uint8_t ds = 0; ds < 4; ds++) {
        uint32_t hdr = ds == 3 ? 30 : 24;
        f.n = 0;
        wlan(&f, 0x08, ds);
        llc_snap(&f, 0x0800);
        add(&f, IP4, sizeof IP4);
        expect_ip4_at(CL_DLT_IEEE802_11, &f, hdr + 8, &l2);
        CHECK(l2.has_src_mac && l2.has_dst_mac);
        CHECK_EQ_INT(l2.src_mac[0], src_of[ds]);
        CHECK_EQ_INT(l2.dst_mac[0], dst_of[ds]);
        every_cut(CL_DLT_IEEE802_11, &f, hdr + 8);
    }

    /* QoS data: two more header bytes. */
    f.n = 0;
    wlan(&f, 0x88, 0x01);
    add16(&f, 0x0000);
    llc_snap(&f, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_IEEE802_11, &f, 34, &l2);
    every_cut(CL_DLT_IEEE802_11, &f, 34);

    /* QoS + Protected: encrypted, skipped. */
    f.b[1] |= 0x40;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);

    /* Management (beacon) and null-data frames carry nothing. */
    f.b[0] = 0x80, f.b[1] = 0;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    f.b[0] = 0x48;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);

    /* Not LLC/SNAP, or ARP behind it. */
    f.n = 0;
    wlan(&f, 0x08, 0x02);
    llc_snap(&f, 0x0806);
    add_bytes(&f, 28, 0);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    f.b[24] = 0x42;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
}

static void test_ieee80211_amsdu(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    wlan(&f, 0x88, 0x02);
    add16(&f, 0x8000); /* QoS control with the A-MSDU bit */
    add(&f, MAC_A, 6);
    add(&f, MAC_B, 6);
    add16(&f, 8 + sizeof IP4);
    llc_snap(&f, 0x0800);
    add(&f, IP4, sizeof IP4);
    add_bytes(&f, 2, 0); /* subframe padding */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 26 + 14 + 8);
    CHECK_EQ_INT(l2.l3_caplen, sizeof IP4);
    CHECK_EQ_INT(l2.src_mac[0], 3); /* FromDS: from the 802.11 header */
}

/* Two subframes: the first is padded to a multiple of 4 bytes, and
 * cl_decode_amsdu_next yields the second with the frame's MACs. */
static void test_ieee80211_amsdu_two_subframes(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    wlan(&f, 0x88, 0x02);
    add16(&f, 0x8000);
    for (int i = 0; i < 2; i++) {
        add(&f, MAC_A, 6);
        add(&f, MAC_B, 6);
        add16(&f, 8 + sizeof IP4);
        llc_snap(&f, 0x0800);
        add(&f, IP4, sizeof IP4);
        uint32_t used = 14 + 8 + sizeof IP4;
        if (i == 0)
            add_bytes(&f, (4 - used % 4) % 4, 0);
    }
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11, f.b, f.n, f.n, &l2), CL_DEC_OK);
    const uint8_t *first = l2.l3;
    CHECK(l2.amsdu_rest != NULL);
    CHECK_EQ_INT(cl_decode_amsdu_next(&l2), CL_DEC_OK);
    CHECK(l2.l3 > first);
    CHECK_EQ_INT(l2.l3_caplen, sizeof IP4);
    CHECK_EQ_INT(l2.l3_wirelen, sizeof IP4);
    CHECK_EQ_INT(l2.src_mac[0], 3);
    CHECK(l2.amsdu_rest == NULL);
    /* A cut second subframe is reported, not read past. */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11, f.b, f.n - 3, f.n, &l2), CL_DEC_OK);
    CHECK_EQ_INT(cl_decode_amsdu_next(&l2), CL_DEC_TRUNCATED);
}

static void test_radiotap(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    add16(&f, 0x0000);
    add16(&f, 0x0c00); /* length 12, little-endian */
    add_bytes(&f, 8, 0);
    wlan(&f, 0x08, 0x01);
    llc_snap(&f, 0x86DD);
    add(&f, IP6, sizeof IP6);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11_RADIO, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 12 + 24 + 8);
    CHECK_EQ_INT(l2.ethertype, 0x86DD);
    CHECK_EQ_INT(l2.dst_mac[0], 3);
    every_cut(CL_DLT_IEEE802_11_RADIO, &f, 12 + 24 + 8);
    f.b[2] = 0xff, f.b[3] = 0xff; /* longer than the frame */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_IEEE802_11_RADIO, f.b, f.n, f.n, &l2),
                 CL_DEC_TRUNCATED);
}

/* ---- cooked, loopback, PPP, NFLOG, raw ------------------------------ */

static void test_sll(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    add16(&f, 0);      /* packet type */
    add16(&f, 1);      /* ARPHRD_ETHER */
    add16(&f, 6);
    add(&f, MAC_B, 6);
    add16(&f, 0);      /* address padding */
    add16(&f, 0x0800);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_LINUX_SLL, &f, 16, &l2);
    CHECK(l2.has_src_mac && !l2.has_dst_mac);
    CHECK(memcmp(l2.src_mac, MAC_B, 6) == 0);
    every_cut(CL_DLT_LINUX_SLL, &f, 17);
    f.b[14] = 0x81, f.b[15] = 0x00; /* SLL registers no VLAN */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_LINUX_SLL, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
}

static void test_sll2(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    add16(&f, 0x86DD);
    add16(&f, 0);
    add16(&f, 0), add16(&f, 3); /* ifindex */
    add16(&f, 1);
    add_bytes(&f, 1, 4);        /* outgoing */
    add_bytes(&f, 1, 6);
    add(&f, MAC_A, 6);
    add16(&f, 0);
    add(&f, IP6, sizeof IP6);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_LINUX_SLL2, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 20);
    CHECK(l2.has_src_mac && !l2.has_dst_mac);
    CHECK(memcmp(l2.src_mac, MAC_A, 6) == 0);
    every_cut(CL_DLT_LINUX_SLL2, &f, 21);
}

static void test_null_and_loop(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;
    static const uint8_t af_le[4] = {2, 0, 0, 0}, af_be[4] = {0, 0, 0, 2};
    static const uint32_t v6_families[3] = {24, 28, 30};

    add(&f, af_le, 4);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_NULL, &f, 4, &l2);
    CHECK(!l2.has_src_mac && !l2.has_dst_mac);
    every_cut(CL_DLT_NULL, &f, 5);
    /* LOOP is big-endian: the little-endian form is family 2<<24. */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_LOOP, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    memcpy(f.b, af_be, 4);
    expect_ip4_at(CL_DLT_LOOP, &f, 4, &l2);
    every_cut(CL_DLT_LOOP, &f, 5);

    for (int i = 0; i < 3; i++) {
        f.n = 0;
        add_bytes(&f, 1, (uint8_t)v6_families[i]);
        add_bytes(&f, 3, 0);
        add(&f, IP6, sizeof IP6);
        CHECK_EQ_INT(cl_decode_link(CL_DLT_NULL, f.b, f.n, f.n, &l2), CL_DEC_OK);
        CHECK_EQ_INT(l2.ethertype, 0x86DD);
    }
    f.b[0] = 10; /* Linux AF_INET6 is not among the accepted values */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_NULL, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
}

static void test_ppp(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    add16(&f, 0xff03);
    add16(&f, 0x0021);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_PPP, &f, 4, &l2);
    every_cut(CL_DLT_PPP, &f, 5);

    f.n = 0; /* without HDLC framing */
    add16(&f, 0x0057);
    add(&f, IP6, sizeof IP6);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_PPP, f.b, f.n, f.n, &l2), CL_DEC_OK);
    CHECK(l2.l3 == f.b + 2);
    CHECK_EQ_INT(l2.ethertype, 0x86DD);

    f.n = 0; /* MPLS over PPP */
    add16(&f, 0x0281);
    add16(&f, 0x0001), add16(&f, 0x0140);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_PPP, &f, 6, &l2);

    f.n = 0;
    add16(&f, 0xc021); /* LCP */
    add_bytes(&f, 8, 0);
    CHECK_EQ_INT(cl_decode_link(CL_DLT_PPP, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);

    f.n = 0; /* PPP serial (Cisco HDLC style): protocol at offset 2 */
    add16(&f, 0x0f00);
    add16(&f, 0x0021);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_PPP_SERIAL, &f, 4, &l2);
    every_cut(CL_DLT_PPP_SERIAL, &f, 5);
}

static void tlv(frame *f, uint16_t len, uint16_t type, uint32_t body, uint32_t pad)
{
    add(f, &len, 2); /* host byte order, as libpcap delivers it */
    add(f, &type, 2);
    add_bytes(f, body + pad, 0x5c);
}

static void test_nflog(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;

    add_bytes(&f, 1, 2);  /* AF_INET */
    add_bytes(&f, 1, 0);  /* version */
    add16(&f, 7);         /* resource id */
    tlv(&f, 4 + 5, 1, 5, 3);  /* 5-byte body padded to 8 */
    tlv(&f, 4 + 8, 10, 8, 0);
    tlv(&f, 4 + sizeof IP4, 9, 0, 0);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_NFLOG, &f, 4 + 12 + 12 + 4, &l2);
    every_cut(CL_DLT_NFLOG, &f, 4 + 12 + 12 + 4 + 1);

    f.b[0] = 10; /* AF_INET6 with an IPv4 packet: IP decides later */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_NFLOG, f.b, f.n, f.n, &l2), CL_DEC_OK);
    f.b[0] = 7;
    CHECK_EQ_INT(cl_decode_link(CL_DLT_NFLOG, f.b, f.n, f.n, &l2), CL_DEC_NOT_IP);
    f.b[0] = 2, f.b[1] = 1; /* unknown version */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_NFLOG, f.b, f.n, f.n, &l2), CL_DEC_MALFORMED);
    f.b[1] = 0;
    f.b[4] = 2, f.b[5] = 0; /* a TLV shorter than its own header */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_NFLOG, f.b, f.n, f.n, &l2), CL_DEC_MALFORMED);
    f.b[4] = 0xff, f.b[5] = 0x7f; /* a TLV past the end */
    CHECK_EQ_INT(cl_decode_link(CL_DLT_NFLOG, f.b, f.n, f.n, &l2), CL_DEC_TRUNCATED);
}

static void test_raw_and_fddi(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;
    static const int raws[5] = {CL_DLT_RAW_12, CL_DLT_RAW_14, CL_DLT_RAW, CL_DLT_IPV4,
                                CL_DLT_IPV6};

    add(&f, IP4, sizeof IP4);
    for (int i = 0; i < 5; i++) {
        expect_ip4_at(raws[i], &f, 0, &l2);
        CHECK_EQ_INT(l2.ethertype, 0);
        CHECK(!l2.has_src_mac);
    }
    CHECK_EQ_INT(cl_decode_link(CL_DLT_RAW, NULL, 0, 0, &l2), CL_DEC_OK);
    CHECK_EQ_INT(l2.l3_caplen, 0);

    f.n = 0;
    add_bytes(&f, 21, 0xfd);
    add(&f, IP4, sizeof IP4);
    expect_ip4_at(CL_DLT_FDDI, &f, 21, &l2);
    every_cut(CL_DLT_FDDI, &f, 22);
}

static void test_unsupported(void)
{
    frame f = {.n = 0};
    cl_l2_info l2;
    static const int good[] = {0, 1, 9, 10, 12, 14, 50, 101, 105, 108, 113, 127, 228,
                               229, 239, 276};

    add(&f, IP4, sizeof IP4);
    CHECK_EQ_INT(cl_decode_link(147, f.b, f.n, f.n, &l2), CL_DEC_UNSUPPORTED);
    CHECK_EQ_INT(cl_decode_link(-1, f.b, f.n, f.n, &l2), CL_DEC_UNSUPPORTED);
    CHECK(!cl_linktype_supported(147));
    CHECK(!cl_linktype_supported(6));
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(cl_linktype_supported(good[i]));

    cl_l2_info_clear(&l2);
    CHECK(l2.l3 == NULL);
    CHECK_EQ_INT(l2.vlan, -1);
    CHECK_EQ_INT(l2.inner_vlan, -1);
    CHECK_EQ_INT(l2.pppoe_session, -1);
    CHECK(!l2.has_src_mac && !l2.has_dst_mac);
}

TEST_MAIN(test_ethernet_ipv4, test_ethernet_ipv6_and_arp, test_vlan_tags,
          test_vlan_8023_snap, test_ethernet_8023, test_mpls, test_pppoe, test_pbb,
          test_vntag, test_fabricpath, test_deep_nesting_is_bounded, test_ieee80211,
          test_ieee80211_amsdu, test_ieee80211_amsdu_two_subframes, test_radiotap, test_sll, test_sll2, test_null_and_loop,
          test_ppp, test_nflog, test_raw_and_fddi, test_unsupported)

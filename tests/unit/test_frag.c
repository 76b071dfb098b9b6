/*
 * test_frag.c - IP fragment reassembly (src/ip/frag.c).
 */
#include <stdint.h>
#include <string.h>

#include "ip/frag.h"
#include "test.h"

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The datagram being fragmented: a UDP header and payload bytes 0,1,2... */
static uint8_t DATA[4096];

static void init_data(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        DATA[i] = (uint8_t)(i * 7 + 3);
    put16(DATA, 1111), put16(DATA + 2, 2222), put16(DATA + 4, n);
    DATA[6] = DATA[7] = 0;
}

/* An IPv4 fragment: id, offset in bytes, MF, `opt` option bytes,
 * payload DATA[off, off+n) (or `fill` bytes when fill >= 0). */
static uint32_t frag4(uint8_t *p, uint16_t id, uint32_t off, bool mf, uint32_t opt,
                      uint32_t n, int fill)
{
    uint32_t hl = 20 + opt;

    memset(p, 0, hl);
    p[0] = (uint8_t)(0x40 | (hl / 4));
    put16(p + 2, hl + n);
    put16(p + 4, id);
    put16(p + 6, (mf ? 0x2000 : 0) | (off / 8));
    p[8] = 64, p[9] = 17;
    p[12] = 192, p[13] = 168, p[15] = 1;
    p[16] = 192, p[17] = 168, p[19] = 2;
    memset(p + 20, 1, opt);
    if (fill >= 0)
        memset(p + hl, fill, n);
    else
        memcpy(p + hl, DATA + off, n);
    put16(p + 10, cl_csum_fold(cl_csum_add(0, p, hl)));
    return hl + n;
}

/* Decode a fragment and feed it to the table. */
static cl_frag_result feed(cl_frag_table *t, const uint8_t *p, uint32_t n, double now,
                           cl_ip_info *out)
{
    cl_ip_info ip;
    cl_decode_status st = cl_decode_ip(p, n, n, CL_IP_VERIFY_CHECKSUM, &ip);

    CHECK_EQ_INT(st, CL_DEC_OK);
    CHECK(ip.is_fragment);
    return cl_frag_add(t, &ip, n, now, out);
}

static void check_whole(const cl_ip_info *out, uint32_t payload_len, uint32_t hdr_len)
{
    CHECK(!out->is_fragment);
    CHECK_EQ_INT(out->proto, 17);
    CHECK_EQ_INT(out->hdr_len, hdr_len);
    CHECK_EQ_INT(out->total_len, hdr_len + payload_len);
    CHECK_EQ_INT(out->ip_bytes, hdr_len + payload_len);
    CHECK_EQ_INT(out->payload_len, payload_len);
    CHECK_EQ_INT(out->payload_caplen, payload_len);
    CHECK(out->payload != NULL && memcmp(out->payload, DATA, payload_len) == 0);
}

static void test_ipv4_in_order(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t p[2048];
    cl_ip_info out;
    uint32_t n;

    init_data(1000);
    n = frag4(p, 7, 0, true, 0, 600, -1);
    CHECK_EQ_INT(feed(t, p, n, 1.0, &out), CL_FRAG_HELD);
    CHECK(cl_frag_memory(t) > 0);
    n = frag4(p, 7, 600, false, 0, 400, -1);
    CHECK_EQ_INT(feed(t, p, n, 1.5, &out), CL_FRAG_COMPLETE);
    check_whole(&out, 1000, 20);
    CHECK_EQ_INT(out.frag_id, 7);
    /* The reassembled header is consistent: its checksum verifies. */
    CHECK_EQ_INT(cl_csum_fold(cl_csum_add(0, out.hdr, 20)), 0);
    CHECK_EQ_INT(out.hdr[6] & 0x3f, 0);
    CHECK_EQ_INT(out.hdr[7], 0);
    cl_frag_free(t);
}

static void test_ipv4_out_of_order_with_options(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t p[2048];
    cl_ip_info out;
    uint32_t n;

    init_data(1200);
    /* The first fragment seen (offset 800, with 8 option bytes) supplies
     * the header of the datagram, options included. */
    n = frag4(p, 9, 800, false, 8, 400, -1);
    CHECK_EQ_INT(feed(t, p, n, 1, &out), CL_FRAG_HELD);
    n = frag4(p, 9, 0, true, 0, 400, -1);
    CHECK_EQ_INT(feed(t, p, n, 2, &out), CL_FRAG_HELD);
    n = frag4(p, 9, 400, true, 0, 400, -1);
    CHECK_EQ_INT(feed(t, p, n, 3, &out), CL_FRAG_COMPLETE);
    check_whole(&out, 1200, 28);
    CHECK_EQ_INT(out.hdr[20], 1);
    CHECK_EQ_INT(cl_frag_memory(t) > 0, 1);
    cl_frag_free(t);
}

static void test_ipv4_overlap_first_wins(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t p[2048];
    cl_ip_info out;
    uint32_t n;

    init_data(64);
    n = frag4(p, 3, 16, true, 0, 16, 0xAA);     /* [16,32) = AA */
    CHECK_EQ_INT(feed(t, p, n, 1, &out), CL_FRAG_HELD);
    n = frag4(p, 3, 8, true, 0, 32, 0xBB);      /* [8,40): only holes fill */
    CHECK_EQ_INT(feed(t, p, n, 2, &out), CL_FRAG_HELD);
    n = frag4(p, 3, 0, true, 0, 16, -1);        /* [0,16) = DATA, over BB */
    CHECK_EQ_INT(feed(t, p, n, 3, &out), CL_FRAG_HELD);
    n = frag4(p, 3, 40, false, 0, 24, 0xCC);    /* [40,64) last */
    CHECK_EQ_INT(feed(t, p, n, 4, &out), CL_FRAG_COMPLETE);
    CHECK_EQ_INT(out.payload_len, 64);
    CHECK(memcmp(out.payload, DATA, 8) == 0);
    for (int i = 8; i < 16; i++)
        CHECK_EQ_INT(out.payload[i], 0xBB);
    for (int i = 16; i < 32; i++)
        CHECK_EQ_INT(out.payload[i], 0xAA);
    for (int i = 32; i < 40; i++)
        CHECK_EQ_INT(out.payload[i], 0xBB);
    for (int i = 40; i < 64; i++)
        CHECK_EQ_INT(out.payload[i], 0xCC);
    cl_frag_free(t);
}

static void test_ipv4_shuffled_many(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t p[2048];
    cl_ip_info out;
    static const int order[10] = {7, 2, 9, 0, 5, 3, 8, 1, 6, 4};
    int completes = 0;

    init_data(800);
    for (int i = 0; i < 10; i++) {
        uint32_t off = (uint32_t)order[i] * 80;
        uint32_t n = frag4(p, 42, off, order[i] != 9, 0, 80, -1);
        cl_frag_result r = feed(t, p, n, i, &out);
        if (r == CL_FRAG_COMPLETE) {
            completes++;
            CHECK_EQ_INT(i, 9);
            check_whole(&out, 800, 20);
        } else {
            CHECK_EQ_INT(r, CL_FRAG_HELD);
        }
    }
    CHECK_EQ_INT(completes, 1);
    cl_frag_free(t);
}

static void test_duplicate_after_completion(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t a[256], b[256];
    cl_ip_info out;
    uint32_t na, nb;

    init_data(128);
    na = frag4(a, 5, 0, true, 0, 64, -1);
    nb = frag4(b, 5, 64, false, 0, 64, -1);
    CHECK_EQ_INT(feed(t, a, na, 1, &out), CL_FRAG_HELD);
    CHECK_EQ_INT(feed(t, b, nb, 2, &out), CL_FRAG_COMPLETE);
    /* The buffer is gone: a late duplicate starts a new one. */
    CHECK_EQ_INT(cl_frag_memory(t) > 0, 1);
    CHECK_EQ_INT(feed(t, b, nb, 3, &out), CL_FRAG_HELD);
    CHECK_EQ_INT(feed(t, a, na, 4, &out), CL_FRAG_COMPLETE);
    check_whole(&out, 128, 20);
    cl_frag_free(t);
}

static void test_keys_are_separate(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t a[256], b[256];
    cl_ip_info out;
    uint32_t na, nb;

    init_data(128);
    na = frag4(a, 5, 0, true, 0, 64, -1);
    nb = frag4(b, 6, 64, false, 0, 64, -1); /* different id */
    CHECK_EQ_INT(feed(t, a, na, 1, &out), CL_FRAG_HELD);
    CHECK_EQ_INT(feed(t, b, nb, 2, &out), CL_FRAG_HELD);
    nb = frag4(b, 5, 64, false, 0, 64, -1);
    b[19] = 3; /* different destination */
    put16(b + 10, 0);
    put16(b + 10, cl_csum_fold(cl_csum_add(0, b, 20)));
    CHECK_EQ_INT(feed(t, b, nb, 3, &out), CL_FRAG_HELD);
    cl_frag_free(t);
}

static void test_timeout(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t a[256], b[256];
    cl_ip_info out;
    uint32_t na, nb;

    init_data(128);
    na = frag4(a, 5, 0, true, 0, 64, -1);
    nb = frag4(b, 5, 64, false, 0, 64, -1);
    /* Just inside the timeout (counted from the first fragment). */
    CHECK_EQ_INT(feed(t, a, na, 100, &out), CL_FRAG_HELD);
    CHECK_EQ_INT(feed(t, b, nb, 399.999, &out), CL_FRAG_COMPLETE);

    /* At exactly the timeout the buffer is gone. */
    CHECK_EQ_INT(feed(t, a, na, 1000, &out), CL_FRAG_HELD);
    CHECK_EQ_INT(feed(t, b, nb, 1300, &out), CL_FRAG_HELD);
    /* ... and the buffer the second fragment started expires in turn. */
    cl_frag_expire(t, 1599);
    CHECK(cl_frag_memory(t) > 0);
    cl_frag_expire(t, 1600);
    CHECK_EQ_INT(feed(t, a, na, 1600, &out), CL_FRAG_HELD);
    cl_frag_expire(t, 5000);
    /* Only the output buffer remains. */
    CHECK(cl_frag_memory(t) < 1024);
    cl_frag_free(t);
}

static void test_incompletely_captured(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t p[256];
    cl_ip_info ip, out;
    uint32_t n;

    init_data(128);
    n = frag4(p, 5, 64, false, 0, 64, -1);
    CHECK_EQ_INT(cl_decode_ip(p, 60, n, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(cl_frag_add(t, &ip, 60, 1, &out), CL_FRAG_DROPPED);

    /* A first fragment cut short is processed as it is. */
    n = frag4(p, 5, 0, true, 0, 64, -1);
    CHECK_EQ_INT(cl_decode_ip(p, 40, n, 0, &ip), CL_DEC_OK);
    CHECK_EQ_INT(cl_frag_add(t, &ip, 40, 2, &out), CL_FRAG_COMPLETE);
    CHECK(!out.is_fragment);
    CHECK(out.hdr == p);
    CHECK_EQ_INT(out.total_len, 84);
    CHECK_EQ_INT(out.payload_len, 64);
    CHECK_EQ_INT(out.payload_caplen, 20);
    CHECK_EQ_INT(out.proto, 17);
    /* Nothing was buffered. */
    CHECK_EQ_INT(cl_frag_memory(t), 0);
    cl_frag_free(t);
}

static void test_size_grows_and_prefix_delivered(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 300);
    uint8_t p[256];
    cl_ip_info out;
    uint32_t n;

    init_data(200);
    /* A "last" fragment ending at 64, then an MF fragment reaching 96:
     * the expected size grows to 96 (Zeek's fragment_size_inconsistency). */
    n = frag4(p, 8, 32, false, 0, 32, -1);
    CHECK_EQ_INT(feed(t, p, n, 1, &out), CL_FRAG_HELD);
    n = frag4(p, 8, 64, true, 0, 32, -1);
    CHECK_EQ_INT(feed(t, p, n, 2, &out), CL_FRAG_HELD);
    n = frag4(p, 8, 0, true, 0, 32, -1);
    CHECK_EQ_INT(feed(t, p, n, 3, &out), CL_FRAG_COMPLETE);
    CHECK_EQ_INT(out.payload_len, 96);

    /* Data beyond a hole past the expected end: the contiguous prefix
     * reaching the size is delivered, and only it. (The MF fragment came
     * before the size was known, so it does not grow it.) */
    n = frag4(p, 9, 120, true, 0, 40, -1);
    CHECK_EQ_INT(feed(t, p, n, 4, &out), CL_FRAG_HELD);
    n = frag4(p, 9, 32, false, 0, 32, -1);
    CHECK_EQ_INT(feed(t, p, n, 5, &out), CL_FRAG_HELD);
    n = frag4(p, 9, 0, true, 0, 32, -1);
    CHECK_EQ_INT(feed(t, p, n, 6, &out), CL_FRAG_COMPLETE);
    CHECK_EQ_INT(out.payload_len, 64);
    CHECK_EQ_INT(out.total_len, 84);

    /* A hole below the expected size keeps the datagram waiting. */
    n = frag4(p, 10, 0, true, 0, 32, -1);
    CHECK_EQ_INT(feed(t, p, n, 7, &out), CL_FRAG_HELD);
    n = frag4(p, 10, 64, false, 0, 32, -1);
    CHECK_EQ_INT(feed(t, p, n, 8, &out), CL_FRAG_HELD);
    n = frag4(p, 10, 32, true, 0, 32, -1);
    CHECK_EQ_INT(feed(t, p, n, 9, &out), CL_FRAG_COMPLETE);
    check_whole(&out, 96, 20);
    cl_frag_free(t);
}

static void test_memory_bound(void)
{
    cl_frag_table *t = cl_frag_new(64 * 1024, 300);
    uint8_t p[2048];
    cl_ip_info out;

    init_data(1400);
    for (uint16_t id = 0; id < 200; id++) {
        uint32_t n = frag4(p, id, 0, true, 0, 1400, -1);
        CHECK_EQ_INT(feed(t, p, n, id, &out), CL_FRAG_HELD);
        CHECK(cl_frag_memory(t) <= 64 * 1024);
    }
    /* The oldest buffers went first; the newest can still complete. */
    uint32_t n = frag4(p, 199, 1400, false, 0, 8, 0);
    CHECK_EQ_INT(feed(t, p, n, 250, &out), CL_FRAG_COMPLETE);
    n = frag4(p, 0, 1400, false, 0, 8, 0);
    CHECK_EQ_INT(feed(t, p, n, 251, &out), CL_FRAG_HELD);
    cl_frag_free(t);
}

/* ---- IPv6 ----------------------------------------------------------- */

/* IPv6 with a hop-by-hop header, then the fragment header (next header
 * `nh`), payload DATA[off, off+n). */
static uint32_t frag6(uint8_t *p, uint32_t id, uint32_t off, bool mf, uint8_t nh,
                      uint32_t n)
{
    memset(p, 0, 56);
    p[0] = 0x60;
    put16(p + 4, 16 + n);
    p[6] = 0;  /* hop-by-hop */
    p[7] = 64;
    p[8] = 0x20, p[9] = 0x01, p[23] = 1;
    p[24] = 0x20, p[25] = 0x01, p[39] = 2;
    p[40] = 44; /* hop-by-hop -> fragment */
    p[42] = 1, p[43] = 4;
    p[48] = nh;
    put16(p + 50, off | (mf ? 1 : 0));
    p[52] = (uint8_t)(id >> 24), p[53] = (uint8_t)(id >> 16);
    p[54] = (uint8_t)(id >> 8), p[55] = (uint8_t)id;
    memcpy(p + 56, DATA + off, n);
    return 56 + n;
}

static void test_ipv6_reassembly(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 60);
    uint8_t p[2048];
    cl_ip_info out;
    uint32_t n;

    init_data(1000);
    /* The last fragment arrives first and names a bogus next header; the
     * offset-0 fragment's next header wins. */
    n = frag6(p, 0xabcdef01, 512, false, 6, 488);
    CHECK_EQ_INT(feed(t, p, n, 1, &out), CL_FRAG_HELD);
    n = frag6(p, 0xabcdef01, 0, true, 17, 512);
    CHECK_EQ_INT(feed(t, p, n, 2, &out), CL_FRAG_COMPLETE);
    CHECK_EQ_INT(out.version, 6);
    check_whole(&out, 1000, 48);
    /* The fragment header is gone and hop-by-hop now names UDP. */
    CHECK_EQ_INT(out.hdr[40], 17);
    CHECK_EQ_INT(out.hdr[4], (1000 + 8) >> 8);
    CHECK_EQ_INT(out.hdr[5], (1000 + 8) & 0xff);
    cl_frag_free(t);
}

static void test_ipv6_reassembled_no_transport(void)
{
    cl_frag_table *t = cl_frag_new(1 << 20, 60);
    uint8_t p[256];
    cl_ip_info out;
    uint32_t n;

    init_data(64);
    n = frag6(p, 1, 0, true, 50, 32); /* ESP */
    CHECK_EQ_INT(feed(t, p, n, 1, &out), CL_FRAG_HELD);
    n = frag6(p, 1, 32, false, 50, 32);
    CHECK_EQ_INT(feed(t, p, n, 2, &out), CL_FRAG_DROPPED);
    CHECK(cl_frag_memory(t) < 1024);
    cl_frag_free(t);
}

TEST_MAIN(test_ipv4_in_order, test_ipv4_out_of_order_with_options,
          test_ipv4_overlap_first_wins, test_ipv4_shuffled_many,
          test_duplicate_after_completion, test_keys_are_separate, test_timeout,
          test_incompletely_captured, test_size_grows_and_prefix_delivered,
          test_memory_bound, test_ipv6_reassembly, test_ipv6_reassembled_no_transport)

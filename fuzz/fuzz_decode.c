/*
 * fuzz_decode.c - libFuzzer entry for the link, IP and fragment layers.
 *
 * Input: byte 0 picks the link type, byte 1 the IP flags, the snap-length
 * cut and the fragment table's memory bound; the rest is a sequence of
 * frames, each a 2-byte big-endian length and that many bytes, all fed
 * through one fragment table so reassembly gets exercised across frames.
 * Every byte the decoders say is there is read back, so ASan catches any
 * pointer or length that lies.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "ip/frag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int DLTS[] = {
    CL_DLT_NULL, CL_DLT_EN10MB, CL_DLT_PPP, CL_DLT_FDDI, CL_DLT_RAW_12, CL_DLT_RAW_14,
    CL_DLT_PPP_SERIAL, CL_DLT_RAW, CL_DLT_IEEE802_11, CL_DLT_LOOP, CL_DLT_LINUX_SLL,
    CL_DLT_IEEE802_11_RADIO, CL_DLT_IPV4, CL_DLT_IPV6, CL_DLT_NFLOG, CL_DLT_LINUX_SLL2,
    147 /* unsupported */
};

static volatile uint32_t sink;

/* Touch every byte of [p, p+n). */
static void touch(const uint8_t *p, uint32_t n)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += p[i];
    sink += s;
}

static void check_ip(const cl_ip_info *ip)
{
    touch(ip->hdr, ip->hdr_len);
    touch(ip->payload, ip->payload_caplen);
    if (ip->payload_caplen > ip->payload_len || ip->hdr_len > ip->total_len)
        abort();
    sink += cl_transport_checksum_ok(ip, ip->proto, ip->payload, ip->payload_caplen);
}

static void one_frame(cl_frag_table *t, int dlt, unsigned flags, uint32_t extra,
                      const uint8_t *frame, uint32_t len, double now)
{
    cl_l2_info l2;
    cl_ip_info ip, out;
    /* A private copy of exactly len bytes, so overreads hit a redzone. */
    uint8_t *copy = malloc(len ? len : 1);

    if (copy == NULL)
        return;
    memcpy(copy, frame, len);
    if (cl_decode_link(dlt, copy, len, len + extra, &l2) == CL_DEC_OK) {
        touch(l2.l3, l2.l3_caplen);
        if (cl_decode_ip(l2.l3, l2.l3_caplen, l2.l3_wirelen, flags, &ip) == CL_DEC_OK) {
            check_ip(&ip);
            if (ip.is_fragment &&
                cl_frag_add(t, &ip, l2.l3_caplen, now, &out) == CL_FRAG_COMPLETE)
                check_ip(&out);
        }
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cl_frag_table *t;
    int dlt;
    unsigned flags;
    uint32_t extra;
    double now = 0;

    if (size < 2)
        return 0;
    dlt = DLTS[data[0] % (sizeof DLTS / sizeof DLTS[0])];
    flags = data[1] & 3;
    extra = (data[1] >> 2) & 7 ? 64u << ((data[1] >> 2) & 7) : 0;
    t = cl_frag_new(data[1] & 0x20 ? 4096 : 1u << 20, 30);
    if (t == NULL)
        return 0;
    data += 2;
    size -= 2;

    while (size >= 2) {
        uint32_t len = (uint32_t)(data[0] << 8 | data[1]);
        data += 2;
        size -= 2;
        if (len > size)
            len = (uint32_t)size;
        one_frame(t, dlt, flags, extra, data, len, now);
        now += 7.5;
        data += len;
        size -= len;
    }
    cl_frag_expire(t, now);
    sink += (uint32_t)cl_frag_memory(t);
    cl_frag_free(t);
    return 0;
}

/*
 * decode.h - pure packet decoders: link layer to IP, IP to transport.
 *
 * Nothing here allocates or keeps state; every read is bounds-checked
 * against the captured length first. Each layer lives in its own file
 * (ethernet.c, vlan.c, mpls.c, pppoe.c, ieee80211.c, sll.c, ipv4.c,
 * ipv6.c, ...) and this header is their common interface.
 *
 * The engine calls cl_decode_link() on a frame, then cl_decode_ip() on what
 * the link layer found, then dispatches on cl_ip_info.proto itself (TCP,
 * UDP and ICMP headers are parsed by the connection code, which needs them
 * in a particular order relative to connection lookup).
 */
#ifndef CL_DECODE_H
#define CL_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "connlog.h"

/* Big-endian (network order) reads. */
static inline uint16_t cl_rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t cl_rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t cl_rd64(const uint8_t *p)
{
    return (uint64_t)cl_rd32(p) << 32 | cl_rd32(p + 4);
}

/* Little-endian reads (SMB, DCE-RPC, NTLM and other Windows protocols). */
static inline uint16_t cl_rd16le(const uint8_t *p)
{
    return (uint16_t)((p[1] << 8) | p[0]);
}

static inline uint32_t cl_rd32le(const uint8_t *p)
{
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[1] << 8) | p[0];
}

static inline uint64_t cl_rd64le(const uint8_t *p)
{
    return (uint64_t)cl_rd32le(p + 4) << 32 | cl_rd32le(p);
}

/* An IPv4 address (4 bytes, network order) in the 16-byte form:
 * ::ffff:a.b.c.d (cl_addr_is_v4 tells it apart). */
static inline void cl_addr_set_v4(cl_addr *a, const uint8_t v4[4])
{
    memset(a->b, 0, 10);
    a->b[10] = a->b[11] = 0xff;
    memcpy(a->b + 12, v4, 4);
}

typedef enum cl_decode_status {
    CL_DEC_OK = 0,
    CL_DEC_NOT_IP,        /* a frame that carries no IP (ARP, LLC, 802.11 mgmt) */
    CL_DEC_TRUNCATED,     /* a header runs past the captured bytes */
    CL_DEC_UNSUPPORTED,   /* link type this decoder does not know */
    CL_DEC_MALFORMED,     /* lengths or versions that make no sense */
    CL_DEC_BAD_CHECKSUM,  /* IPv4 header checksum wrong */
    CL_DEC_NO_TRANSPORT   /* IPv6 ESP / mobility / no-next-header */
} cl_decode_status;

/* What the link layer (and any VLAN/MPLS/PPPoE/... shims) tell us. */
typedef struct cl_l2_info {
    const uint8_t *l3;      /* first byte of the IP header */
    uint32_t l3_caplen;     /* captured bytes from l3 on */
    uint32_t l3_wirelen;    /* wire bytes from l3 on (wirelen minus link headers) */
    uint16_t ethertype;     /* 0x0800, 0x86DD, or 0 = decide by IP version nibble */
    bool has_src_mac, has_dst_mac;
    uint8_t src_mac[6], dst_mac[6];
    int32_t vlan, inner_vlan;   /* -1 when absent */
    int32_t pppoe_session;      /* -1 when absent */
    /* An 802.11 A-MSDU carries several subframes; l3 is the first one's
     * IP packet and these locate the rest (NULL when there is none). */
    const uint8_t *amsdu_rest;
    uint32_t amsdu_rest_len;
    const uint8_t *frame;       /* the whole frame, for wire lengths */
    uint32_t frame_wirelen;
} cl_l2_info;

/* DLT values we decode (pcap's numbering). */
enum {
    CL_DLT_NULL = 0,
    CL_DLT_EN10MB = 1,
    CL_DLT_PPP = 9,
    CL_DLT_FDDI = 10,
    CL_DLT_RAW_12 = 12,   /* OpenBSD's DLT_RAW */
    CL_DLT_RAW_14 = 14,
    CL_DLT_PPP_SERIAL = 50,
    CL_DLT_RAW = 101,     /* LINKTYPE_RAW */
    CL_DLT_IEEE802_11 = 105,
    CL_DLT_LOOP = 108,
    CL_DLT_LINUX_SLL = 113,
    CL_DLT_IEEE802_11_RADIO = 127,
    CL_DLT_IPV4 = 228,
    CL_DLT_IPV6 = 229,
    CL_DLT_NFLOG = 239,
    CL_DLT_LINUX_SLL2 = 276
};

bool cl_linktype_supported(int dlt);

/* Decode the link layer of a frame. `wirelen` is the frame's length on the
 * wire (>= caplen). On CL_DEC_OK, out->l3 points at the IP header. */
cl_decode_status cl_decode_link(int dlt, const uint8_t *p, uint32_t caplen,
                                uint32_t wirelen, cl_l2_info *out);

/* An Ethernet frame (also the payload of VXLAN, Geneve, GRE TEB, ERSPAN).
 * Handles 802.1Q/802.1ad tags, MPLS, PPPoE sessions, PBB, VN-Tag,
 * FabricPath, 802.3 + SNAP, as Zeek does. */
cl_decode_status cl_decode_ethernet(const uint8_t *p, uint32_t caplen,
                                    uint32_t wirelen, cl_l2_info *out);

/* The next subframe of an A-MSDU (l2->amsdu_rest): on CL_DEC_OK, l2->l3
 * and the rest are updated for it (the MACs stay those of the frame). */
cl_decode_status cl_decode_amsdu_next(cl_l2_info *l2);

/* Reset an l2 info to "nothing known" (no MACs, no VLANs). */
void cl_l2_info_clear(cl_l2_info *out);

/* What the IP layer tells us. */
typedef struct cl_ip_info {
    uint8_t version;        /* 4 or 6 */
    cl_addr src, dst;       /* IPv6 home address / routing final dst applied */
    uint8_t proto;          /* transport protocol (after IPv6 extension headers) */
    const uint8_t *hdr;     /* IP header start */
    uint32_t hdr_len;       /* IPv4 IHL*4; IPv6 40 + extension headers */
    uint32_t total_len;     /* length used for decoding: IPv4 total length
                               (captured length when the field is 0 and
                               checksums are ignored); IPv6 payload len + 40 */
    uint32_t ip_bytes;      /* what Zeek's ConnSize adds: the IPv4 total-length
                               field (0 stays 0), IPv6 payload length + 40 */
    const uint8_t *payload; /* transport header */
    uint32_t payload_len;   /* total_len - hdr_len (what the IP header claims) */
    uint32_t payload_caplen;/* min(captured bytes after hdr, payload_len) */
    uint8_t ttl;
    uint32_t flow_label;    /* IPv6 */
    /* Fragments. */
    bool is_fragment;       /* MF set or offset != 0 (IPv6: fragment header) */
    bool more_fragments;
    uint32_t frag_offset;   /* bytes */
    uint32_t frag_id;
    uint32_t frag_hdr_off;  /* IPv6: offset of the fragment header from hdr */
    uint32_t frag_unfrag_len; /* IPv6: bytes before the fragment header */
} cl_ip_info;

/* Flags for cl_decode_ip. */
#define CL_IP_VERIFY_CHECKSUM 0x1  /* check the IPv4 header checksum */
#define CL_IP_ZERO_LEN_OK     0x2  /* accept total length 0 (Zeek with -C) */

/* Decode an IPv4 or IPv6 header (the version nibble decides). `wirelen` is
 * the number of bytes from p on that were on the wire: a packet whose IP
 * length exceeds it is malformed, while one merely cut by the snap length
 * is fine (payload_caplen < payload_len). */
cl_decode_status cl_decode_ip(const uint8_t *p, uint32_t caplen, uint32_t wirelen,
                              unsigned flags, cl_ip_info *out);

/* Internet checksum helpers. */
uint32_t cl_csum_add(uint32_t sum, const uint8_t *p, uint32_t len);
uint16_t cl_csum_fold(uint32_t sum);

/* Transport checksum of a TCP/UDP/ICMPv6 segment (pseudo-header included)
 * or an ICMPv4 message (no pseudo-header): `data` points at the transport
 * header, `len` bytes of it are present. Returns true when it verifies. */
bool cl_transport_checksum_ok(const cl_ip_info *ip, uint8_t proto,
                              const uint8_t *data, uint32_t len);

#endif /* CL_DECODE_H */

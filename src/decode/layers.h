/*
 * layers.h - private to src/decode: how the link-layer shims hand a frame
 * to one another.
 *
 * Every shim receives a cursor (the frame as a whole, for computing how many
 * bytes the link headers used) plus the bytes at its own position, and
 * either finds IP (cl_l2_found_ip) or hands the rest to the next shim. The
 * lengths follow Zeek: `len` is the number of captured bytes the shim may
 * use, which an 802.3 or PPPoE length field can make shorter than what was
 * captured.
 */
#ifndef CL_DECODE_LAYERS_H
#define CL_DECODE_LAYERS_H

#include <stdint.h>
#include <string.h>

#include "decode/decode.h"

/* Shims nest (PBB re-enters Ethernet, VLAN tags stack): a hostile frame
 * could nest thousands deep, so cap the walk. */
#define CL_L2_MAX_DEPTH 64

typedef struct cl_l2_cursor {
    const uint8_t *frame;
    uint32_t frame_wirelen;
    unsigned depth;
    cl_l2_info *out;
} cl_l2_cursor;

/* Which dispatch table an EtherType is looked up in (Zeek registers a
 * different set behind each analyzer). */
typedef enum cl_l2_table {
    CL_TABLE_ETHERNET,  /* Ethernet, PBB's customer frame */
    CL_TABLE_VLAN,      /* behind an 802.1Q tag: only 0x8100 nests */
    CL_TABLE_VNTAG,     /* behind a VN-Tag: only VLAN tags */
    CL_TABLE_IP_ARP     /* SNAP, SLL, SLL2, 802.11: IP or ARP only */
} cl_l2_table;

/* IP starts at p; `ethertype` 0 lets the IP decoder go by the version. */
cl_decode_status cl_l2_found_ip(cl_l2_cursor *c, const uint8_t *p, uint32_t len,
                                uint16_t ethertype);

/* Look `type` up in `table` and continue with what it names. */
cl_decode_status cl_l2_ethertype(cl_l2_cursor *c, cl_l2_table table, uint16_t type,
                                 const uint8_t *p, uint32_t len);

/* The shims. Each takes the bytes at its own header. */
cl_decode_status cl_l2_ethernet(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_llc(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_vlan(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_mpls(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_pppoe(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_pbb(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_vntag(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_ieee80211(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_radiotap(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_sll(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_sll2(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_null(cl_l2_cursor *c, const uint8_t *p, uint32_t len, int big_endian);
cl_decode_status cl_l2_ppp(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
cl_decode_status cl_l2_ppp_serial(cl_l2_cursor *c, const uint8_t *p, uint32_t len);
/* A PPP protocol number (PPP, PPP serial): IPv4, IPv6 or MPLS. */
cl_decode_status cl_l2_ppp_proto(cl_l2_cursor *c, uint16_t proto, const uint8_t *p,
                                 uint32_t len);
cl_decode_status cl_l2_nflog(cl_l2_cursor *c, const uint8_t *p, uint32_t len);

/* IP-layer pieces shared by ip.c, ipv4.c and ipv6.c. */
cl_decode_status cl_ip4_header(const uint8_t *p, uint32_t caplen, cl_ip_info *out);
/* Walks the extension-header chain within `caplen` captured bytes and
 * stores the type of the last header walked (41 when there is none) in
 * *last. */
cl_decode_status cl_ip6_header(const uint8_t *p, uint32_t caplen, cl_ip_info *out,
                               uint8_t *last);
/* Length of the IPv6 extension header of `type` at p, as Zeek measures it;
 * p must hold 2 bytes. 0 for a type that is not an extension header. */
uint32_t cl_ip6_ext_len(uint8_t type, const uint8_t *p);
bool cl_ip6_is_ext(uint8_t type);

#endif /* CL_DECODE_LAYERS_H */

/*
 * tunnel.h - pure decoders for the encapsulations Zeek unwraps: GRE (with
 * Ethernet bridging, ERSPAN II/III, Aruba and PPTP), VXLAN, Geneve,
 * Teredo, AYIYA and GTPv1-U. Each says where the inner packet starts and
 * what it is (IP or a link layer to decode first).
 */
#ifndef CL_DECODE_TUNNEL_H
#define CL_DECODE_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

typedef enum cl_inner_kind {
    CL_INNER_IP = 0,        /* an IPv4/IPv6 packet */
    CL_INNER_ETHERNET,      /* an Ethernet frame */
    CL_INNER_IEEE80211      /* an 802.11 frame (Aruba) */
} cl_inner_kind;

typedef struct cl_inner {
    cl_inner_kind kind;
    uint32_t offset;        /* where the inner packet starts in the payload */
} cl_inner;

/* Each returns true when the payload is a well-formed header of its kind
 * with an inner packet behind it (and fills *in). */
bool cl_gre_parse(const uint8_t *p, uint32_t len, cl_inner *in);
bool cl_vxlan_parse(const uint8_t *p, uint32_t len, cl_inner *in);
bool cl_geneve_parse(const uint8_t *p, uint32_t len, cl_inner *in);
bool cl_teredo_parse(const uint8_t *p, uint32_t len, cl_inner *in);
bool cl_ayiya_parse(const uint8_t *p, uint32_t len, cl_inner *in);
/* GTPv1: returns true for a G-PDU carrying IP. */
bool cl_gtpv1_parse(const uint8_t *p, uint32_t len, cl_inner *in);

/* Payload detection used on any UDP port (Zeek's DetectProtocol). */
bool cl_teredo_detect(const uint8_t *p, uint32_t len);
bool cl_ayiya_detect(const uint8_t *p, uint32_t len);

#endif /* CL_DECODE_TUNNEL_H */

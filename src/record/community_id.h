/*
 * community_id.h - the Community ID flow hash (version 1), as Zeek's
 * policy/protocols/conn/community-id-logging.zeek logs it:
 * "1:" + base64(SHA-1(seed, addresses, protocol, ports)).
 */
#ifndef CL_COMMUNITY_ID_H
#define CL_COMMUNITY_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connlog.h"

#define CL_COMMUNITY_ID_MAX 40   /* "1:" + 28 base64 characters + NUL */

/* ports: TCP/UDP/SCTP ports, ICMP type and counterpart-or-code (as in the
 * connection's id); one_way: an ICMP type without counterpart, whose
 * endpoints keep their order. */
void cl_community_id(uint16_t seed, const cl_addr *orig, uint16_t orig_p, const cl_addr *resp,
                     uint16_t resp_p, uint8_t ip_proto, bool one_way,
                     char out[CL_COMMUNITY_ID_MAX]);

/* SHA-1 of len bytes (20 bytes out). */
void cl_sha1(const void *data, size_t len, uint8_t digest[20]);

#endif /* CL_COMMUNITY_ID_H */

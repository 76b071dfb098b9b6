/*
 * netlist.h - internal extras for network lists (see connlog.h for the
 * public part: cl_cidr_parse, cl_netlist_add, cl_netlist_contains).
 */
#ifndef CL_SITE_NETLIST_H
#define CL_SITE_NETLIST_H

#include "connlog.h"

/* Add Zeek's Site::private_address_space (scripts/base/utils/site.zeek):
 * the special IPv4 ranges, their 6to4 images and the special IPv6 ranges.
 * Prefixes that do not fit (list full) are dropped. */
void cl_netlist_add_private(cl_netlist *l);

/* Parse a bare IPv4 or IPv6 address into the 16-byte form. 0 or -1. */
int cl_addr_parse(const char *text, cl_addr *out);

/* A network list made ready for lookups on every record or packet. An
 * IPv4 address is checked against the IPv4 prefixes only (as 32-bit words
 * with their masks), plus any IPv6 prefix short enough to cover
 * IPv4-mapped space; an IPv6 address against the IPv6 prefixes only.
 * Site::private_address_space alone has 42 prefixes, 16 of them IPv4.
 * The answers are cl_netlist_contains's. */
typedef struct cl_net6 {
    uint64_t hi, lo, mhi, mlo;      /* prefix and mask, host order */
} cl_net6;

typedef struct cl_netmatch {
    uint32_t v4_net[CL_MAX_NETS], v4_mask[CL_MAX_NETS];
    size_t n4;
    cl_net6 v6[CL_MAX_NETS];        /* those covering IPv4-mapped space first */
    size_t n6, n6_covering_v4;
} cl_netmatch;

void cl_netmatch_build(cl_netmatch *m, const cl_netlist *l);
bool cl_netmatch_contains(const cl_netmatch *m, const cl_addr *a);

#endif /* CL_SITE_NETLIST_H */

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

#endif /* CL_SITE_NETLIST_H */

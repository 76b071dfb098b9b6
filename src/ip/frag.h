/*
 * frag.h - IPv4 and IPv6 fragment reassembly, as Zeek's src/Frag.cc does it.
 *
 * Buffers are keyed by (src, dst, IP id); the first fragment seen supplies
 * the header of the reassembled datagram; the first bytes received win on
 * overlap; a buffer lives frag_timeout seconds from its first fragment.
 * Memory is bounded: past max_bytes the oldest buffers are dropped.
 */
#ifndef CL_FRAG_H
#define CL_FRAG_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

typedef struct cl_frag_table cl_frag_table;

cl_frag_table *cl_frag_new(size_t max_bytes, double timeout);
void cl_frag_free(cl_frag_table *t);

typedef enum cl_frag_result {
    CL_FRAG_HELD = 0,     /* kept, datagram not complete yet */
    CL_FRAG_COMPLETE,     /* *out describes the reassembled datagram */
    CL_FRAG_DROPPED       /* not usable (incompletely captured non-first fragment, ...) */
} cl_frag_result;

/* Feed one fragment (ip->is_fragment is true) seen at network time `now`.
 * `ip_caplen` is the number of captured bytes from ip->hdr on. On
 * CL_FRAG_COMPLETE, out is a full cl_ip_info over a buffer owned by the
 * table, valid until the next call. An incompletely captured first
 * fragment comes back as CL_FRAG_COMPLETE with *out = *ip unchanged except
 * that it is no longer marked a fragment (Zeek processes it as-is). */
cl_frag_result cl_frag_add(cl_frag_table *t, const cl_ip_info *ip, uint32_t ip_caplen,
                           double now, cl_ip_info *out);

/* Discard buffers older than the timeout at network time `now`. */
void cl_frag_expire(cl_frag_table *t, double now);

size_t cl_frag_memory(const cl_frag_table *t);

#endif /* CL_FRAG_H */

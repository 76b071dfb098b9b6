/*
 * frag.c - IP fragment reassembly with the semantics of Zeek's src/Frag.cc.
 *
 * A buffer per (src, dst, id) holds the header of the first fragment seen
 * and the payload bytes in fragment-offset space, plus a bitmap of which
 * bytes have arrived: the first bytes received win, later overlapping
 * bytes only fill holes. Buffers sit in a hash table and in an age list
 * (creation order, which is also deadline order because the table's clock
 * never runs backwards), so expiry and eviction take the oldest first.
 */
#include "ip/frag.h"

#include <stdlib.h>
#include <string.h>

enum {
    NBUCKETS = 4096,
    IP6_HDR = 40,
    FRAG6_HDR = 8,
    GROW_STEP = 2048
};

typedef struct frag_buf {
    struct frag_buf *hnext;         /* hash chain */
    struct frag_buf *older, *newer; /* age list */
    cl_addr src, dst;
    uint32_t id;
    double deadline;
    uint8_t version;
    uint8_t next_proto;             /* from the offset-0 fragment, once seen */
    uint8_t *hdr;                   /* header of the reassembled datagram */
    uint32_t hdr_len;
    uint32_t frag_size;             /* expected payload size, 0 = unknown */
    uint32_t hi;                    /* highest byte (exclusive) received */
    uint32_t cap;                   /* bytes of room in data/have */
    uint8_t *data;
    uint8_t *have;                  /* one bit per payload byte */
} frag_buf;

struct cl_frag_table {
    frag_buf *buckets[NBUCKETS];
    frag_buf *oldest, *newest;
    size_t mem, max_bytes;
    double timeout, clock;
    uint8_t *out;                   /* the last reassembled datagram */
    uint32_t out_cap;
};

/* ---- buffers ---------------------------------------------------------- */

static size_t buf_mem(const frag_buf *b)
{
    return sizeof *b + b->hdr_len + b->cap + b->cap / 8;
}

static uint32_t key_hash(const cl_addr *src, const cl_addr *dst, uint32_t id)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 16; i++)
        h = (h ^ src->b[i]) * 16777619u;
    for (int i = 0; i < 16; i++)
        h = (h ^ dst->b[i]) * 16777619u;
    for (int i = 0; i < 4; i++)
        h = (h ^ ((id >> (8 * i)) & 0xff)) * 16777619u;
    return h % NBUCKETS;
}

static frag_buf **find_slot(cl_frag_table *t, const cl_ip_info *ip)
{
    frag_buf **pp = &t->buckets[key_hash(&ip->src, &ip->dst, ip->frag_id)];

    for (; *pp; pp = &(*pp)->hnext) {
        frag_buf *b = *pp;
        if (b->id == ip->frag_id && memcmp(&b->src, &ip->src, sizeof b->src) == 0 &&
            memcmp(&b->dst, &ip->dst, sizeof b->dst) == 0)
            break;
    }
    return pp;
}

static void unlink_buf(cl_frag_table *t, frag_buf *b)
{
    frag_buf **pp = &t->buckets[key_hash(&b->src, &b->dst, b->id)];

    while (*pp != b)
        pp = &(*pp)->hnext;
    *pp = b->hnext;
    if (b->older)
        b->older->newer = b->newer;
    else
        t->oldest = b->newer;
    if (b->newer)
        b->newer->older = b->older;
    else
        t->newest = b->older;
    t->mem -= buf_mem(b);
}

static void free_buf(cl_frag_table *t, frag_buf *b)
{
    unlink_buf(t, b);
    free(b->hdr);
    free(b->data);
    free(b->have);
    free(b);
}

/* The header kept for the reassembled datagram: all of an IPv4 header with
 * its options; an IPv6 header chain without the fragment header. */
static frag_buf *new_buf(cl_frag_table *t, frag_buf **slot, const cl_ip_info *ip)
{
    frag_buf *b = calloc(1, sizeof *b);
    uint32_t hdr_len = ip->version == 4 ? ip->hdr_len : ip->frag_hdr_off;

    if (b == NULL)
        return NULL;
    b->hdr = malloc(hdr_len ? hdr_len : 1);
    if (b->hdr == NULL) {
        free(b);
        return NULL;
    }
    memcpy(b->hdr, ip->hdr, hdr_len);
    b->hdr_len = hdr_len;
    b->src = ip->src;
    b->dst = ip->dst;
    b->id = ip->frag_id;
    b->version = ip->version;
    b->next_proto = ip->proto;
    b->deadline = t->clock + t->timeout;

    *slot = b;
    b->older = t->newest;
    if (t->newest)
        t->newest->newer = b;
    else
        t->oldest = b;
    t->newest = b;
    t->mem += buf_mem(b);
    return b;
}

/* Make room for payload bytes [0, upper). */
static bool grow(cl_frag_table *t, frag_buf *b, uint32_t upper)
{
    uint32_t cap = (upper + GROW_STEP - 1) / GROW_STEP * GROW_STEP;
    uint8_t *data, *have;

    if (upper <= b->cap)
        return true;
    data = realloc(b->data, cap);
    if (data == NULL)
        return false;
    b->data = data;
    have = realloc(b->have, cap / 8);
    if (have == NULL)
        return false;
    memset(have + b->cap / 8, 0, (cap - b->cap) / 8);
    b->have = have;
    t->mem += (cap - b->cap) + (cap - b->cap) / 8;
    b->cap = cap;
    return true;
}

static bool has_byte(const frag_buf *b, uint32_t i)
{
    return (b->have[i / 8] >> (i % 8)) & 1;
}

/* Copy a fragment's bytes into the holes only: first received wins. */
static void fill(frag_buf *b, uint32_t seq, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = seq + i;
        if (!has_byte(b, at)) {
            b->data[at] = p[i];
            b->have[at / 8] |= (uint8_t)(1u << (at % 8));
        }
    }
    if (seq + n > b->hi)
        b->hi = seq + n;
}

/* ---- Zeek's AddFragment / BlockInserted ----------------------------- */

/* Update the expected size from a fragment's extent (Frag.cc's rules: the
 * last fragment sets it, anything reaching beyond it grows it). */
static void update_size(frag_buf *b, const cl_ip_info *ip, uint32_t upper)
{
    if (!ip->more_fragments) {
        if (b->frag_size == 0 || upper > b->frag_size)
            b->frag_size = upper;
    }
    if (b->frag_size && upper > b->frag_size)
        b->frag_size = upper;
}

/* The first byte not yet received, scanning whole bitmap bytes when full. */
static uint32_t first_hole(const frag_buf *b)
{
    uint32_t i = 0;

    while (i < b->hi) {
        if (i % 8 == 0 && i + 8 <= b->hi && b->have[i / 8] == 0xff) {
            i += 8;
            continue;
        }
        if (!has_byte(b, i))
            return i;
        i++;
    }
    return b->hi;
}

/* Is the datagram complete? A contiguous prefix reaching the expected size
 * is enough, even with more (unconnected) data beyond it, in which case the
 * prefix is what gets delivered. */
static bool complete(frag_buf *b)
{
    uint32_t hole;

    if (b->frag_size == 0 || b->hi == 0 || !has_byte(b, 0))
        return false;
    hole = first_hole(b);
    if (hole < b->hi) {
        if (hole < b->frag_size)
            return false;
        b->frag_size = hole;
    } else if (b->hi > b->frag_size) {
        b->frag_size = b->hi;
    } else if (b->hi < b->frag_size) {
        return false;
    }
    return true;
}

/* Returns false when memory for the bytes could not be had. */
static bool add_fragment(cl_frag_table *t, frag_buf *b, const cl_ip_info *ip, bool *done)
{
    /* The header's own length field, as Zeek reads it (an IPv4 zero
     * stays zero, so such a fragment adds nothing). */
    uint32_t len = ip->ip_bytes, upper;

    *done = false;
    if (len < ip->hdr_len)
        return true;
    upper = ip->frag_offset + (len - ip->hdr_len);
    if (ip->frag_offset == 0)
        b->next_proto = ip->proto;
    update_size(b, ip, upper);
    if (len == ip->hdr_len)
        return true; /* an empty block: Zeek does not even look */
    if (!grow(t, b, upper))
        return false;
    fill(b, ip->frag_offset, ip->hdr + ip->hdr_len, len - ip->hdr_len);
    *done = complete(b);
    return true;
}

/* ---- building the datagram ----------------------------------------- */

/* Offset of the next-header byte that names the fragment header: the last
 * one in the kept IPv6 chain. */
static uint32_t ip6_next_field(const uint8_t *h, uint32_t hdr_len)
{
    uint32_t field = 6, pos = IP6_HDR;
    uint8_t type = h[6];

    while (pos + 2 <= hdr_len) {
        uint32_t len = type == 51 ? 8 + 4 * (uint32_t)h[pos + 1]
                                  : 8 + 8 * (uint32_t)h[pos + 1];
        field = pos;
        type = h[pos];
        pos += len;
    }
    return field;
}

static void fix_ip4(uint8_t *p, uint32_t n)
{
    uint32_t hl = (uint32_t)(p[0] & 0x0f) * 4, sum;

    /* Zeek writes the size into a 16-bit field, truncating it. */
    p[2] = (uint8_t)(n >> 8);
    p[3] = (uint8_t)n;
    p[6] &= 0xc0; /* no longer a fragment: clear MF and the offset */
    p[7] = 0;
    p[10] = p[11] = 0;
    sum = cl_csum_fold(cl_csum_add(0, p, hl));
    p[10] = (uint8_t)(sum >> 8);
    p[11] = (uint8_t)sum;
}

static void fix_ip6(uint8_t *p, uint32_t hdr_len, uint32_t n, uint8_t next_proto)
{
    uint32_t plen = n - IP6_HDR;

    p[4] = (uint8_t)(plen >> 8);
    p[5] = (uint8_t)plen;
    p[ip6_next_field(p, hdr_len)] = next_proto;
}

static cl_frag_result deliver(cl_frag_table *t, frag_buf *b, cl_ip_info *out)
{
    uint32_t n = b->hdr_len + b->frag_size;
    cl_decode_status st;

    if (n > t->out_cap) {
        uint8_t *o = realloc(t->out, n);
        if (o == NULL) {
            free_buf(t, b);
            return CL_FRAG_DROPPED;
        }
        t->out = o;
        t->out_cap = n;
    }
    memcpy(t->out, b->hdr, b->hdr_len);
    memcpy(t->out + b->hdr_len, b->data, b->frag_size);
    if (b->version == 4)
        fix_ip4(t->out, n);
    else
        fix_ip6(t->out, b->hdr_len, n, b->next_proto);
    free_buf(t, b);

    st = cl_decode_ip(t->out, n, n, 0, out);
    /* A fragment header inside the reassembled payload would send us
     * round again; Zeek does not look twice either. */
    if (st != CL_DEC_OK || out->is_fragment)
        return CL_FRAG_DROPPED;
    return CL_FRAG_COMPLETE;
}

/* ---- the table ------------------------------------------------------ */

cl_frag_table *cl_frag_new(size_t max_bytes, double timeout)
{
    cl_frag_table *t = calloc(1, sizeof *t);

    if (t == NULL)
        return NULL;
    t->max_bytes = max_bytes;
    t->timeout = timeout;
    return t;
}

void cl_frag_free(cl_frag_table *t)
{
    if (t == NULL)
        return;
    while (t->oldest)
        free_buf(t, t->oldest);
    free(t->out);
    free(t);
}

void cl_frag_expire(cl_frag_table *t, double now)
{
    if (now > t->clock)
        t->clock = now;
    /* A timeout of 0 means no timer at all, as frag_timeout = 0 in Zeek. */
    if (t->timeout <= 0)
        return;
    while (t->oldest && t->oldest->deadline <= t->clock)
        free_buf(t, t->oldest);
}

size_t cl_frag_memory(const cl_frag_table *t)
{
    return t->mem + t->out_cap;
}

/* Over the memory bound: drop the oldest buffers other than `keep`.
 * Returns false when `keep` alone is still too big. */
static bool enforce_bound(cl_frag_table *t, frag_buf *keep)
{
    if (t->max_bytes == 0)
        return true;
    while (t->mem > t->max_bytes && t->oldest && t->oldest != keep)
        free_buf(t, t->oldest);
    while (t->mem > t->max_bytes && keep->newer)
        free_buf(t, keep->newer);
    return t->mem <= t->max_bytes;
}

/* A fragment cut short by the snap length cannot be reassembled. Zeek
 * drops it, except an offset-0 one, which it processes as it is. */
static cl_frag_result partial(const cl_ip_info *ip, cl_ip_info *out)
{
    if (ip->frag_offset != 0)
        return CL_FRAG_DROPPED;
    if (ip->proto == 59) /* no next header: nothing would come of it */
        return CL_FRAG_DROPPED;
    *out = *ip;
    out->is_fragment = false;
    return CL_FRAG_COMPLETE;
}

cl_frag_result cl_frag_add(cl_frag_table *t, const cl_ip_info *ip, uint32_t ip_caplen,
                           double now, cl_ip_info *out)
{
    frag_buf **slot, *b;
    bool done;

    cl_frag_expire(t, now);
    if (ip_caplen < ip->total_len)
        return partial(ip, out);
    if (!ip->is_fragment || ip->hdr == NULL || ip->hdr_len > ip_caplen)
        return CL_FRAG_DROPPED;
    if (ip->version == 6 && ip->frag_hdr_off + FRAG6_HDR != ip->hdr_len)
        return CL_FRAG_DROPPED;

    slot = find_slot(t, ip);
    b = *slot ? *slot : new_buf(t, slot, ip);
    if (b == NULL)
        return CL_FRAG_DROPPED;
    if (!add_fragment(t, b, ip, &done) || !enforce_bound(t, b)) {
        free_buf(t, b);
        return CL_FRAG_DROPPED;
    }
    return done ? deliver(t, b, out) : CL_FRAG_HELD;
}

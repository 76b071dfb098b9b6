/*
 * reassembly.c - sequence-range bookkeeping with Zeek's reassembler rules.
 *
 * Invariant: the ranges are sorted, disjoint and never adjacent (adjacent
 * ranges are merged), and no range straddles last_reassem: data that
 * becomes contiguous with the delivery point is delivered at once, as
 * Zeek's BlockInserted() does.
 */
#include "conn/reassembly.h"

#include <stdlib.h>
#include <string.h>

/* More holes than this in one direction is pathological; we stop
 * tracking (as Zeek does past its own buffering limits) rather than grow
 * without bound. */
#define CL_REASM_MAX_RANGES 1024

static cl_range *ranges(cl_reasm *ra)
{
    return ra->cap > CL_REASM_INLINE ? ra->rs.heap : ra->rs.inl;
}

static const cl_range *ranges_const(const cl_reasm *ra)
{
    return ra->cap > CL_REASM_INLINE ? ra->rs.heap : ra->rs.inl;
}

void cl_reasm_init(cl_reasm *ra)
{
    memset(ra, 0, sizeof *ra);
    ra->last_reassem = 1;
    ra->trim_seq = 1;
    ra->cap = CL_REASM_INLINE;
}

void cl_reasm_free(cl_reasm *ra)
{
    if (ra->cap > CL_REASM_INLINE)
        free(ra->rs.heap);
    ra->cap = CL_REASM_INLINE;
    ra->n = 0;
}

uint64_t cl_reasm_size(const cl_reasm *ra)
{
    const cl_range *r = ranges_const(ra);
    uint64_t total = 0;
    for (uint32_t i = 0; i < ra->n; i++)
        total += r[i].upper - r[i].seq;
    return total;
}

uint64_t cl_reasm_undelivered(const cl_reasm *ra)
{
    if (ra->n == 0)
        return 0;
    /* Unsigned like Zeek's NumUndeliveredBytes(). */
    return ranges_const(ra)[ra->n - 1].upper - ra->last_reassem;
}

void cl_reasm_give_up(cl_reasm *ra)
{
    cl_reasm_free(ra);
    ra->skip = true;
}

static bool reserve(cl_reasm *ra, uint32_t need)
{
    if (need <= ra->cap)
        return true;
    if (need > CL_REASM_MAX_RANGES)
        return false;
    uint32_t cap = ra->cap * 2u;
    while (cap < need)
        cap *= 2;
    if (cap > CL_REASM_MAX_RANGES)
        cap = CL_REASM_MAX_RANGES;
    cl_range *nr = malloc(cap * sizeof *nr);
    if (!nr)
        return false;
    memcpy(nr, ranges(ra), ra->n * sizeof *nr);
    if (ra->cap > CL_REASM_INLINE)
        free(ra->rs.heap);
    ra->rs.heap = nr;
    ra->cap = (uint16_t)cap;
    return true;
}

/* Advance the delivery point over a range that now touches it. */
static void deliver_contiguous(cl_reasm *ra)
{
    const cl_range *r = ranges(ra);
    for (uint32_t i = 0; i < ra->n; i++) {
        if (r[i].seq > ra->last_reassem)
            break;
        if (r[i].upper > ra->last_reassem)
            ra->last_reassem = r[i].upper;
    }
}

/* Merge [seq, upper) into the sorted range list. */
static void add_range(cl_reasm *ra, uint64_t seq, uint64_t upper)
{
    cl_range *r = ranges(ra);
    uint32_t i = 0;
    while (i < ra->n && r[i].upper < seq)
        i++;
    /* ranges i..j-1 overlap or touch the new one */
    uint32_t j = i;
    while (j < ra->n && r[j].seq <= upper) {
        if (r[j].seq < seq)
            seq = r[j].seq;
        if (r[j].upper > upper)
            upper = r[j].upper;
        j++;
    }
    if (j > i) {
        r[i].seq = seq;
        r[i].upper = upper;
        memmove(&r[i + 1], &r[j], (ra->n - j) * sizeof(cl_range));
        ra->n = (uint16_t)(ra->n - (j - i - 1));
        return;
    }
    if (!reserve(ra, ra->n + 1)) {
        cl_reasm_give_up(ra);
        return;
    }
    r = ranges(ra); /* reserve() may have moved them */
    memmove(&r[i + 1], &r[i], (ra->n - i) * sizeof(cl_range));
    r[i].seq = seq;
    r[i].upper = upper;
    ra->n++;
}

void cl_reasm_insert(cl_reasm *ra, uint64_t seq, uint64_t len)
{
    if (len == 0 || ra->skip)
        return;
    uint64_t upper = seq + len;
    if (upper <= ra->trim_seq)
        return; /* old data */
    if (seq < ra->trim_seq)
        seq = ra->trim_seq;
    add_range(ra, seq, upper);
    if (!ra->skip)
        deliver_contiguous(ra);
}

/* Zeek's TCP_Reassembler::Undelivered: skip holes below up_to, reporting
 * each as a gap, delivering the held ranges in between. */
static void undelivered(cl_reasm *ra, uint64_t up_to, bool partial, cl_gap_fn gap, void *ctx)
{
    if (up_to <= 2 && partial)
        return; /* faked initial sequence of a partial connection */
    if (!ra->skip) {
        const cl_range *r = ranges(ra);
        for (uint32_t i = 0; i < ra->n; i++) {
            const cl_range *b = &r[i];
            if (b->seq < ra->last_reassem)
                continue; /* already delivered */
            if (b->seq >= up_to)
                break;
            gap(ctx, ra->last_reassem, b->seq - ra->last_reassem);
            ra->last_reassem = b->upper;
        }
        if (up_to > ra->last_reassem)
            gap(ctx, ra->last_reassem, up_to - ra->last_reassem);
    }
    if (up_to > ra->last_reassem)
        ra->last_reassem = up_to;
}

void cl_reasm_trim(cl_reasm *ra, uint64_t seq, bool partial, cl_gap_fn gap, void *ctx)
{
    if (seq > ra->last_reassem)
        undelivered(ra, seq, partial, gap, ctx);

    cl_range *r = ranges(ra);
    uint32_t drop = 0;
    while (drop < ra->n && r[drop].upper <= seq)
        drop++;
    if (drop) {
        memmove(&r[0], &r[drop], (ra->n - drop) * sizeof(cl_range));
        ra->n = (uint16_t)(ra->n - drop);
    }
    if (ra->n && r[0].seq == ra->last_reassem)
        ra->last_reassem = r[0].upper;
    ra->trim_seq = seq;
}

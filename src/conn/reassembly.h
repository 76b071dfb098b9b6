/*
 * reassembly.h - the bookkeeping half of Zeek's TCP reassembler.
 *
 * connlog never needs the payload bytes, only which sequence ranges were
 * seen, delivered and acknowledged: that is what decides content gaps
 * (missed_bytes, history G/g) and whether a close must wait for data.
 * So a direction keeps a sorted list of [seq, upper) ranges instead of
 * data blocks, with the same trimming and delivery rules as Zeek's
 * Reassembler/TCP_Reassembler (relative sequence numbers, starting at 1).
 */
#ifndef CL_REASSEMBLY_H
#define CL_REASSEMBLY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cl_range {
    uint64_t seq, upper;
} cl_range;

#define CL_REASM_INLINE 1

typedef struct cl_reasm {
    uint64_t last_reassem;  /* everything below was delivered (or skipped) */
    uint64_t trim_seq;      /* everything below was acknowledged and dropped */
    /* the n sorted, disjoint, non-adjacent ranges: inline while cap is
     * CL_REASM_INLINE, on the heap once more were needed */
    union {
        cl_range inl[CL_REASM_INLINE];
        cl_range *heap;
    } rs;
    uint16_t n, cap;
    bool skip;              /* "skip_deliveries": reassembly gave up */
    bool did_eof;
} cl_reasm;

void cl_reasm_init(cl_reasm *ra);
void cl_reasm_free(cl_reasm *ra);

/* Total bytes held (Zeek's block_list.DataSize()). */
uint64_t cl_reasm_size(const cl_reasm *ra);
/* Bytes between the delivery point and the top of the held data. */
uint64_t cl_reasm_undelivered(const cl_reasm *ra);
static inline bool cl_reasm_has_blocks(const cl_reasm *ra) { return ra->n > 0; }

/* Insert [seq, seq+len) (Zeek's NewBlock + BlockInserted). */
void cl_reasm_insert(cl_reasm *ra, uint64_t seq, uint64_t len);

/* Called for each hole skipped while trimming: (seq, len). */
typedef void (*cl_gap_fn)(void *ctx, uint64_t seq, uint64_t len);

/* Drop everything below `seq` (Zeek's TrimToSeq). Holes below `seq` that
 * were never delivered are reported through gap() unless ignore_small is
 * set and seq <= 2 (the partial-connection rule). */
void cl_reasm_trim(cl_reasm *ra, uint64_t seq, bool partial, cl_gap_fn gap, void *ctx);

/* Forget all held data and stop tracking (Zeek's ClearBlocks + skip). */
void cl_reasm_give_up(cl_reasm *ra);

#endif /* CL_REASSEMBLY_H */

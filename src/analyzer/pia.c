/*
 * pia.c - Zeek's PIA ("protocol identification analyzer",
 * src/analyzer/protocol/pia/PIA.cc): the DPD signatures are matched over
 * a connection's first bytes, which are kept, so that an analyzer a
 * signature enables can be replayed everything from the start.
 *
 * As in Zeek, the buffer takes chunks (stream segments in delivery order,
 * both directions interleaved, or datagrams) until it holds more than
 * dpd_buffer_size bytes or more than dpd_max_packets chunks; the chunk
 * that crosses the limit is still kept and matched, and then matching
 * stops for good (dpd_match_only_beginning). A stream on which no
 * signature can match any more stops earlier, which changes nothing but
 * the memory it holds.
 *
 * The PIA is an analyzer of its own kind: at the top of a connection,
 * after the port analyzers, where what it enables joins the connection's
 * analyzers; or as a DPD child (HTTP CONNECT, WebSocket), where what it
 * enables becomes its children and it forwards the stream to them.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "analyzer/signature.h"
#include "engine.h"

#define DPD_BUFFER_SIZE 1024
#define DPD_MAX_PACKETS 100

enum { REC_ORIG = 0x1, REC_GAP = 0x2 };

/* A buffered chunk: a header, then len bytes of data unless a gap. */
typedef struct rec_hdr {
    uint8_t flags;
    uint32_t len;
    uint64_t off;
} rec_hdr;

typedef struct pia_state {
    uint8_t transport;
    bool skipping;              /* matching is over */
    uint32_t size, chunks;
    uint8_t *buf;
    uint32_t len, cap;
    cl_sigmatch m;
} pia_state;

static bool pia_init(cl_an *a)
{
    pia_state *s = cl_an_state(a);
    s->transport = cl_an_conn(a)->proto == CL_PROTO_TCP ? CL_AN_TCP : CL_AN_UDP;
    cl_sigmatch_init(cl_an_engine(a)->an.sigs, &s->m, s->transport);
    return true;
}

static void pia_free_buffer(pia_state *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
}

static void pia_done(cl_an *a) { pia_free_buffer(cl_an_state(a)); }

static void add_record(pia_state *s, uint8_t flags, uint64_t off, const uint8_t *p, uint32_t len)
{
    uint32_t data = (flags & REC_GAP) ? 0 : len;
    uint32_t need = (uint32_t)sizeof(rec_hdr) + data;
    if (s->len + need > s->cap) {
        uint32_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + need)
            cap *= 2;
        uint8_t *b = realloc(s->buf, cap);
        if (!b) {
            /* Out of memory: matching ends here, as if the buffer were full. */
            s->skipping = true;
            pia_free_buffer(s);
            return;
        }
        s->buf = b;
        s->cap = cap;
    }
    rec_hdr h = {flags, len, off};
    memcpy(s->buf + s->len, &h, sizeof h);
    if (data)
        memcpy(s->buf + s->len + sizeof h, p, data);
    s->len += need;
}

void cl_pia_replay(cl_an *pia, cl_an *to)
{
    pia_state *s = cl_an_state(pia);
    for (uint32_t at = 0; at < s->len;) {
        rec_hdr h;
        memcpy(&h, s->buf + at, sizeof h);
        at += (uint32_t)sizeof h;
        bool orig = (h.flags & REC_ORIG) != 0;
        if (h.flags & REC_GAP) {
            cl_an_gap_one(to, orig, h.len);
        } else {
            cl_an_deliver_one(to, orig, s->transport == CL_AN_TCP ? h.off : 0, s->buf + at, h.len);
            at += h.len;
        }
    }
}

static void on_enable(void *ctx, const cl_analyzer *kind) { cl_an_enable(ctx, kind); }

/* What a DPD child enabled sees the stream through it. */
static void forward_children(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len)
{
    for (cl_an *ch = a->children; ch; ch = ch->next) {
        if (ch->flags & CL_ANI_NEW)
            ch->flags &= (uint8_t)~CL_ANI_NEW; /* replayed this chunk already */
        else
            cl_an_deliver_one(ch, is_orig, off, p, len);
    }
}

/* The matching is over: a top-level PIA has nothing left to do. */
static void finish(cl_an *a, pia_state *s)
{
    s->skipping = true;
    pia_free_buffer(s);
    if (!a->parent)
        cl_an_stop(a);
}

static void pia_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len)
{
    pia_state *s = cl_an_state(a);
    if (!s->skipping && len > 0) {
        bool full = false;
        add_record(s, is_orig ? REC_ORIG : 0, off, p, len);
        s->size += len;
        if (s->size > DPD_BUFFER_SIZE || ++s->chunks > DPD_MAX_PACKETS)
            full = true;
        if (!s->skipping)
            cl_sigmatch_feed(cl_an_engine(a)->an.sigs, &s->m, s->transport, is_orig, p, len,
                             on_enable, a);
        if (full || cl_sigmatch_dead(cl_an_engine(a)->an.sigs, &s->m, s->transport))
            finish(a, s);
    }
    if (a->parent)
        forward_children(a, is_orig, off, p, len);
}

static void pia_gap(cl_an *a, bool is_orig, uint64_t len)
{
    pia_state *s = cl_an_state(a);
    if (!s->skipping) {
        add_record(s, (uint8_t)((is_orig ? REC_ORIG : 0) | REC_GAP), 0, NULL,
                   len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
        if (++s->chunks > DPD_MAX_PACKETS)
            finish(a, s);
    }
    for (cl_an *ch = a->children; ch; ch = ch->next)
        cl_an_gap_one(ch, is_orig, len);
}

static void pia_eof(cl_an *a, bool is_orig)
{
    for (cl_an *ch = a->children; ch; ch = ch->next)
        cl_an_forward_eof(ch, is_orig);
}

const cl_analyzer cl_analyzer_pia = {
    .name = "pia",
    .flags = CL_AN_F_CHILD_ONLY,
    .state_size = sizeof(pia_state),
    .init = pia_init,
    .deliver = pia_deliver,
    .gap = pia_gap,
    .eof = pia_eof,
    .done = pia_done,
};

/*
 * tcp.c - TCP connections as Zeek tracks them: the endpoint state machine,
 * sequence bookkeeping, history letters, sizes, closes and TCP timers
 * (Zeek's TCPSessionAdapter, TCP_Endpoint and TCP_Reassembler; see
 * spec sections 3, 4.2 and 5.1 for the rules this file follows).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/manager.h"
#include "engine.h"

/* Once-only history masks (Zeek's TCP_Endpoint HIST_*). */
enum {
    HIST_SYN_PKT = 0x1,
    HIST_FIN_PKT = 0x2,
    HIST_RST_PKT = 0x4,
    HIST_FIN_RST_PKT = 0x8,
    HIST_DATA_PKT = 0x10,
    HIST_ACK_PKT = 0x20,
    HIST_MULTI_FLAG_PKT = 0x40
};

#define TOO_LARGE_SEQ_DELTA 1048576
#define TCP_MAX_INITIAL_WINDOW 16384

/* ---------------------------------------------------------------- */
/* Sequence arithmetic                                               */
/* ---------------------------------------------------------------- */

static int32_t seq_delta(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

static uint64_t full_seq(uint32_t seq, uint32_t wraps)
{
    return ((uint64_t)wraps << 32) | seq;
}

static uint32_t start32(const cl_tcp_endpoint *ep) { return ep->start_seq; }

static bool is_handshake(uint8_t s)
{
    return s == CL_TCP_INACTIVE || s == CL_TCP_SYN_SENT || s == CL_TCP_SYN_ACK_SENT;
}

static cl_tcp_endpoint *peer_of(cl_conn *c, cl_tcp_endpoint *ep)
{
    return ep == &cl_conn_tcp(c)->ep[0] ? &cl_conn_tcp(c)->ep[1] : &cl_conn_tcp(c)->ep[0];
}

static bool no_data_acked(const cl_tcp_endpoint *ep)
{
    uint64_t ack = full_seq(ep->ack_seq, ep->ack_wraps);
    uint64_t start = (uint64_t)ep->start_seq;
    return ack == start || ack == start + 1;
}

uint64_t cl_tcp_size(const cl_tcp_endpoint *ep, const cl_tcp_endpoint *peer)
{
    /* A half-open connection discovered and aborted: sequence numbers
     * would mislead, and the endpoint never got to send anything. */
    if (ep->prev_state == CL_TCP_SYN_SENT && ep->state == CL_TCP_RESET &&
        peer->state == CL_TCP_INACTIVE && !no_data_acked(ep))
        return 0;
    uint64_t last = full_seq(ep->last_seq, ep->seq_wraps);
    uint64_t ack = full_seq(ep->ack_seq, ep->ack_wraps);
    uint64_t size = (last > ack ? last : ack) - (uint64_t)ep->start_seq;
    if (size != 0)
        size--; /* the SYN octet */
    if (ep->fin_seen && size != 0)
        size--; /* the FIN octet */
    return size;
}

static void update_last(cl_tcp_endpoint *ep, uint32_t seq)
{
    if (seq < ep->last_seq)
        ep->seq_wraps++;
    ep->last_seq = seq;
}

static void update_ack(cl_tcp_endpoint *ep, uint32_t seq)
{
    if (seq < ep->ack_seq)
        ep->ack_wraps++;
    ep->ack_seq = seq;
}

static void init_seqs(cl_tcp_endpoint *ep, uint32_t start, uint32_t last)
{
    ep->start_seq = start;
    ep->ack_seq = start;
    ep->last_seq = last;
}

/* Relative sequence of `cur`, inferring wraps against `last`. Until the
 * first wrap this is a signed 32-bit difference (Zeek 9 behaviour). */
static uint64_t relative_seq(const cl_tcp_endpoint *ep, uint32_t cur, uint32_t last,
                             uint32_t wraps, bool *underflow)
{
    int32_t delta = seq_delta(cur, last);
    if (delta < 0) {
        if (wraps && cur > last)
            wraps--;
    } else if (delta > 0) {
        if (cur < last)
            wraps++;
    }
    if (wraps == 0) {
        delta = seq_delta(cur, start32(ep));
        if (delta < 0)
            *underflow = true;
        return (uint64_t)(int64_t)delta;
    }
    return full_seq(cur, wraps) - (uint64_t)ep->start_seq;
}

/* ---------------------------------------------------------------- */
/* Endpoint state and history                                        */
/* ---------------------------------------------------------------- */

static void set_state(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, uint8_t st)
{
    if (st == ep->state)
        return;
    /* Leaving the handshake switches to the long TCP idle timeout. */
    if (!is_handshake(st) && is_handshake(ep->state) && is_handshake(peer_of(c, ep)->state))
        cl_conn_set_inactivity(e, c, e->cfg.tcp_inactivity_timeout);
    ep->prev_state = ep->state;
    ep->state = st;
}

static char ep_case(const cl_tcp_endpoint *ep, char code)
{
    return ep->is_orig ? code : (char)tolower((unsigned char)code);
}

static bool ep_check_hist(cl_conn *c, const cl_tcp_endpoint *ep, uint32_t mask, char code)
{
    if (!ep->is_orig)
        mask <<= 16;
    return cl_hist_check(c, mask, ep_case(ep, code));
}

static void ep_add_hist(cl_conn *c, const cl_tcp_endpoint *ep, char code)
{
    cl_hist_add(c, ep_case(ep, code));
}

/* A SYN-ACK seen first and now real traffic: the SYN-ACK's sender was the
 * responder all along. Zeek flips and rewrites "H^" as "^h". */
static void flip_after_synack(cl_engine *e, cl_conn *c)
{
    if (c->hist_len != 1 || cl_hist(c)[0] != 'H')
        return;
    cl_conn_flip(e, c);
    char *h = cl_hist(c);
    h[0] = '^';
    h[1] = 'h';
    h[2] = '\0';
    c->hist_len = 2;
    /* Zeek then pretends it saw the missing first packet: the new
     * originator's next packet does not make the connection partial. */
    cl_conn_tcp(c)->first_packet_seen |= 1;
}

static void update_history(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, uint8_t flags,
                           uint64_t rel_seq, uint32_t len)
{
    int bits = !!(flags & CL_TH_SYN) + !!(flags & CL_TH_FIN) + !!(flags & CL_TH_RST);
    if (bits > 1) {
        if ((flags & CL_TH_FIN) && (flags & CL_TH_RST))
            ep_check_hist(c, ep, HIST_FIN_RST_PKT, 'I');
        else
            ep_check_hist(c, ep, HIST_MULTI_FLAG_PKT, 'Q');
        return;
    }
    if (bits == 1) {
        if (flags & CL_TH_SYN) {
            char code = (flags & CL_TH_ACK) ? 'H' : 'S';
            if (ep_check_hist(c, ep, HIST_SYN_PKT, code) && rel_seq != ep->hist_last_syn)
                ep_add_hist(c, ep, code);
            ep->hist_last_syn = rel_seq;
        }
        if (flags & CL_TH_FIN) {
            /* A FIN's sequence comes after its payload. */
            if (ep_check_hist(c, ep, HIST_FIN_PKT, 'F') && rel_seq + len != ep->hist_last_fin)
                ep_add_hist(c, ep, 'F');
            ep->hist_last_fin = rel_seq + len;
        }
        if (flags & CL_TH_RST) {
            if (ep_check_hist(c, ep, HIST_RST_PKT, 'R') && rel_seq != ep->hist_last_rst)
                ep_add_hist(c, ep, 'R');
            ep->hist_last_rst = rel_seq;
        }
        return;
    }
    if (len) {
        flip_after_synack(e, c);
        ep_check_hist(c, ep, HIST_DATA_PKT, 'D');
    } else if (flags & CL_TH_ACK) {
        flip_after_synack(e, c);
        ep_check_hist(c, ep, HIST_ACK_PKT, 'A');
    }
}

static void update_window(cl_conn *c, cl_tcp_endpoint *ep, uint16_t win, uint8_t flags)
{
    uint32_t window = (uint32_t)win << (uint32_t)ep->window_scale;
    if (window == 0 && !(flags & CL_TH_RST) && peer_of(c, ep)->state != CL_TCP_CLOSED &&
        ep->state != CL_TCP_RESET)
        cl_hist_scaled(c, ep->is_orig ? 'W' : 'w', &ep->win0);
}

/* The window-scale option of a SYN, as Zeek's SYN option walk finds it. */
static int syn_window_scale(const cl_tcp_hdr *h)
{
    const uint8_t *o = h->raw + 20, *end = h->raw + h->off * 4u;
    int scale = -1;
    while (o < end) {
        unsigned kind = o[0];
        if (kind == 0)
            break;
        if (kind == 1) {
            o++;
            continue;
        }
        if (o + 1 >= end)
            break;
        unsigned olen = o[1];
        if (olen == 0 || o + olen > end)
            break;
        if (kind == 3 && olen >= 3)
            scale = o[2];
        o += olen;
    }
    return scale;
}

static void init_window(cl_tcp_endpoint *ep, cl_tcp_endpoint *peer, uint8_t flags, int scale)
{
    if (scale < 0) {
        ep->window_scale = 0;
        if (flags & CL_TH_ACK)
            peer->window_scale = 0;
        return;
    }
    ep->window_scale = (int8_t)(scale > 14 ? 14 : scale);
}

static void init_endpoint(cl_tcp_endpoint *ep, uint8_t flags, uint32_t seq, uint32_t end)
{
    bool syn = flags & CL_TH_SYN;
    switch (ep->state) {
    case CL_TCP_INACTIVE:
        if (syn)
            init_seqs(ep, seq, end);
        else
            /* Partial connection: number as if a SYN had been seen, and
             * do not count the first segment as a retransmission. */
            init_seqs(ep, seq - 1, seq);
        break;
    case CL_TCP_SYN_SENT:
    case CL_TCP_SYN_ACK_SENT:
        if (syn && seq != start32(ep))
            init_seqs(ep, seq, end);
        break;
    case CL_TCP_ESTABLISHED:
    case CL_TCP_PARTIAL:
        if (syn)
            init_seqs(ep, seq, end);
        break;
    case CL_TCP_RESET:
        if (syn && ep->prev_state == CL_TCP_INACTIVE)
            init_seqs(ep, seq, end);
        break;
    default:
        break;
    }
}

static int32_t update_last_seq(cl_conn *c, cl_tcp_endpoint *ep, uint32_t end, uint8_t flags,
                               uint32_t len)
{
    int32_t d = seq_delta(end, ep->last_seq);
    if ((flags & (CL_TH_SYN | CL_TH_RST)) && (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA))
        ; /* implausible jump in a SYN/RST: ignore */
    else if ((flags & CL_TH_FIN) && ep->last_seq == start32(ep) + 1u)
        update_last(ep, end); /* >2 GB transfers with only SYN and FIN seen */
    else if (ep->state == CL_TCP_RESET)
        ; /* after a RST, sequence numbers are not trusted */
    else if (d > 0)
        update_last(ep, end);
    else if (len > 0)
        cl_hist_scaled(c, ep->is_orig ? 'T' : 't', &ep->rxmt);
    return d;
}

/* ---------------------------------------------------------------- */
/* Reassembly bookkeeping: gaps and pending data                     */
/* ---------------------------------------------------------------- */

typedef struct gap_ctx {
    cl_engine *e;
    cl_conn *c;
    cl_tcp_endpoint *ep;
} gap_ctx;

static uint32_t hdr_len_of(const cl_tcp_hdr *h) { return h->off * 4u; }

static bool is_clean(const cl_tcp_endpoint *ep)
{
    return ep->state == CL_TCP_ESTABLISHED ||
           (ep->state == CL_TCP_CLOSED && ep->prev_state == CL_TCP_ESTABLISHED);
}

static void on_gap(void *arg, uint64_t seq, uint64_t len)
{
    (void)seq;
    gap_ctx *g = arg;
    bool clean = is_clean(g->ep) && is_clean(peer_of(g->c, g->ep));
    if (clean)
        cl_hist_scaled(g->c, g->ep->is_orig ? 'G' : 'g', &g->ep->gap);
    if (clean || g->e->cfg.report_gaps_for_partial)
        g->c->missed_bytes += len;
    if (g->c->an_flags & CL_ANF_ON)
        cl_an_tcp_gap(g->e, g->c, g->ep->is_orig, len);
}

static bool data_pending(cl_conn *c, const cl_tcp_endpoint *ep)
{
    if (ep->reasm.skip)
        return false;
    uint64_t delivered = (uint64_t)ep->start_seq + ep->reasm.last_reassem;
    uint64_t last = full_seq(ep->last_seq, ep->seq_wraps);
    if (last < delivered)
        return false;
    /* Everything is delivered up to the FIN's octet, or right at it. */
    if (delivered != last - 1 && delivered != last)
        return true;
    if (ep->state != CL_TCP_RESET && cl_reasm_has_blocks(&peer_of(c, (cl_tcp_endpoint *)ep)->reasm))
        return true;
    return false;
}

static void connection_closed(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep,
                              cl_tcp_endpoint *peer, bool gen_event);

static void check_eof(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep)
{
    cl_tcp_conn *tc = cl_conn_tcp(c);
    if (ep->reasm.did_eof)
        return;
    if (!(ep->fin_seen || ep->state == CL_TCP_CLOSED || ep->state == CL_TCP_RESET))
        return;
    if (data_pending(c, ep))
        return;
    ep->reasm.did_eof = true;
    if (c->an_flags & CL_ANF_ON)
        cl_an_tcp_eof(e, c, ep->is_orig);
    if (tc->close_deferred) {
        connection_closed(e, c, ep, peer_of(c, ep), tc->deferred_gen_event);
        tc->close_deferred = false;
    }
}

static void ack_received(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, uint64_t seq)
{
    if (ep->fin_seen && seq >= ep->fin_seq)
        seq = ep->fin_seq - 1; /* acknowledging the FIN is no gap */
    if (seq <= ep->reasm.trim_seq)
        return;
    gap_ctx g = {e, c, ep};
    cl_reasm_trim(&ep->reasm, seq, cl_conn_tcp(c)->is_partial, on_gap, &g);
    check_eof(e, c, ep);
}

/* The stream analyzers see the bytes this segment added to the delivered
 * stream. We keep no payload, so data that was buffered above a hole and
 * is now delivered with it reaches them as a gap instead. */
static void deliver_stream(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, uint64_t before,
                           uint64_t seq, uint32_t len, const uint8_t *data)
{
    uint64_t end = seq + len, upto = end < ep->reasm.last_reassem ? end : ep->reasm.last_reassem;
    if (seq <= before && upto > before)
        cl_an_tcp_data(e, c, ep->is_orig, before - 1, data + (before - seq),
                       (uint32_t)(upto - before));
    uint64_t covered = upto > before ? upto : before;
    if (ep->reasm.last_reassem > covered && (c->an_flags & CL_ANF_ON))
        cl_an_tcp_gap(e, c, ep->is_orig, ep->reasm.last_reassem - covered);
}

static void data_sent(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, uint64_t seq, uint32_t len,
                      const uint8_t *data)
{
    cl_reasm *ra = &ep->reasm;
    if (ra->skip)
        return;
    uint64_t before = ra->last_reassem;
    cl_reasm_insert(ra, seq, len);
    if ((c->an_flags & CL_ANF_ON) && ra->last_reassem > before)
        deliver_stream(e, c, ep, before, seq, len, data);
    /* Much data and no ACK for any of it: the peer's ACKs are probably
     * not visible, so do not hold delivered data until the end. */
    if (ra->last_reassem != before && no_data_acked(ep) &&
        cl_tcp_size(ep, peer_of(c, ep)) > TCP_MAX_INITIAL_WINDOW) {
        gap_ctx g = {e, c, ep};
        cl_reasm_trim(ra, ra->last_reassem, cl_conn_tcp(c)->is_partial, on_gap, &g);
    }
    if (no_data_acked(ep) && e->cfg.tcp_max_above_hole_without_any_acks &&
        cl_reasm_undelivered(ra) > e->cfg.tcp_max_above_hole_without_any_acks)
        cl_reasm_give_up(ra);
    else if (e->cfg.tcp_excessive_data_without_further_acks &&
             cl_reasm_size(ra) > e->cfg.tcp_excessive_data_without_further_acks)
        cl_reasm_give_up(ra);
}

/* ---------------------------------------------------------------- */
/* Closing                                                           */
/* ---------------------------------------------------------------- */

static void cancel_tcp_timers(cl_engine *e, cl_conn *c)
{
    cl_timers_cancel(&e->timers, c, CL_TIMER_TCP_EXPIRE);
    cl_timers_cancel(&e->timers, c, CL_TIMER_TCP_EXPIRE_CLOSE);
    cl_timers_cancel(&e->timers, c, CL_TIMER_TCP_ATTEMPT);
    cl_timers_cancel(&e->timers, c, CL_TIMER_CONN_DELETE);
}

static void connection_closed(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep,
                              cl_tcp_endpoint *peer, bool gen_event)
{
    cl_tcp_conn *tc = cl_conn_tcp(c);
    if (data_pending(c, ep)) {
        /* Data still to deliver: close once it is (or is skipped). */
        tc->close_deferred = true;
        if (!tc->deferred_gen_event)
            tc->deferred_gen_event = gen_event;
        return;
    }
    tc->close_deferred = false;
    if (ep->did_close)
        return;
    ep->did_close = true;

    bool complete = ep->state == CL_TCP_RESET || peer->did_close || peer->state == CL_TCP_INACTIVE;
    if (!complete) {
        if (ep->prev_state != CL_TCP_INACTIVE)
            cl_timers_set(&e->timers, c, CL_TIMER_TCP_EXPIRE_CLOSE,
                          c->last_time + e->cfg.tcp_session_timer);
        return;
    }
    if (ep->prev_state != CL_TCP_INACTIVE || peer->state != CL_TCP_INACTIVE) {
        if (tc->deferred_gen_event) {
            gen_event = true;
            tc->deferred_gen_event = false;
        }
        if (gen_event)
            tc->is_active = false; /* connection finished */
    }
    cancel_tcp_timers(e, c);
    cl_timers_set(&e->timers, c, CL_TIMER_CONN_DELETE, c->last_time + e->cfg.tcp_close_delay);
}

/* ---------------------------------------------------------------- */
/* The state machine (by the sender's state before this packet)      */
/* ---------------------------------------------------------------- */

typedef struct sm_result {
    bool do_close, gen_event, established;
} sm_result;

static void sm_inactive(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, cl_tcp_endpoint *peer,
                        const cl_tcp_hdr *h, uint32_t len, bool is_orig, double t, sm_result *r)
{
    cl_tcp_conn *tc = cl_conn_tcp(c);
    uint8_t f = h->flags;
    if (f & CL_TH_SYN) {
        if (is_orig) {
            set_state(e, c, ep, (f & CL_TH_ACK) ? CL_TCP_SYN_ACK_SENT : CL_TCP_SYN_SENT);
            if (e->cfg.tcp_attempt_delay > 0)
                cl_timers_set(&e->timers, c, CL_TIMER_TCP_ATTEMPT, t + e->cfg.tcp_attempt_delay);
        } else {
            if (!(f & CL_TH_ACK) && peer->state == CL_TCP_SYN_ACK_SENT && h->seq == start32(ep)) {
                /* SYN/SYN-ACK reversal: flip and establish. */
                tc->is_partial = false;
                cl_conn_flip(e, c);
                set_state(e, c, peer, CL_TCP_ESTABLISHED);
                tc->first_packet_seen |= 1;
            }
            if (peer->state == CL_TCP_SYN_SENT)
                set_state(e, c, peer, CL_TCP_ESTABLISHED);
            set_state(e, c, ep, CL_TCP_ESTABLISHED);
            if (peer->state != CL_TCP_PARTIAL)
                r->established = true;
        }
    }
    if (f & CL_TH_FIN) {
        set_state(e, c, ep, CL_TCP_CLOSED);
        r->do_close = r->gen_event = true;
    }
    if (f & CL_TH_RST) {
        set_state(e, c, ep, CL_TCP_RESET);
        bool reject = is_orig ? peer->state == CL_TCP_ESTABLISHED
                              : (peer->state == CL_TCP_SYN_SENT || peer->state == CL_TCP_SYN_ACK_SENT);
        r->do_close = true;
        r->gen_event = !reject;
    }
    if (ep->state == CL_TCP_INACTIVE) {
        if (!is_orig && len == 0 && CL_TCP_ORIG(tc)->state == CL_TCP_SYN_SENT)
            ; /* a bare ACK to a SYN is not a response */
        else if ((f & CL_TH_ACK) && peer->state == CL_TCP_ESTABLISHED) {
            set_state(e, c, ep, CL_TCP_ESTABLISHED);
            tc->is_partial = false;
            tc->first_packet_seen |= is_orig ? 1 : 2;
        } else
            set_state(e, c, ep, CL_TCP_PARTIAL);
    }
}

static void sm_syn_sent(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, const cl_tcp_hdr *h,
                        sm_result *r)
{
    if (h->flags & CL_TH_FIN) {
        set_state(e, c, ep, CL_TCP_CLOSED);
        r->do_close = r->gen_event = true;
    }
    if (h->flags & CL_TH_RST) {
        set_state(e, c, ep, CL_TCP_RESET);
        cl_conn_tcp(c)->is_active = false; /* connection reset */
        r->do_close = true;
    }
}

static void sm_established(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, cl_tcp_endpoint *peer,
                           const cl_tcp_hdr *h, sm_result *r)
{
    uint8_t f = h->flags;
    if ((f & CL_TH_SYN) && ep->state == CL_TCP_PARTIAL && peer->state == CL_TCP_INACTIVE &&
        !(f & CL_TH_ACK))
        set_state(e, c, ep, CL_TCP_SYN_SENT);
    if ((f & CL_TH_FIN) && !(f & CL_TH_RST)) {
        set_state(e, c, ep, CL_TCP_CLOSED);
        /* A FIN followed by a RST from the peer was a normal close. */
        if (peer->state == CL_TCP_RESET && peer->prev_state == CL_TCP_CLOSED)
            set_state(e, c, peer, CL_TCP_CLOSED);
        r->do_close = r->gen_event = true;
    }
    if (f & CL_TH_RST) {
        set_state(e, c, ep, CL_TCP_RESET);
        r->do_close = true;
        if (peer->state != CL_TCP_RESET || peer->prev_state != CL_TCP_ESTABLISHED)
            cl_conn_tcp(c)->is_active = false;
    }
}

static void sm_closed(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, cl_tcp_endpoint *peer,
                      const cl_tcp_hdr *h, sm_result *r)
{
    if ((h->flags & CL_TH_RST) && peer->state != CL_TCP_CLOSED) {
        set_state(e, c, ep, CL_TCP_RESET);
        if (!ep->did_close)
            r->do_close = true; /* RST after FIN */
    }
}

static void state_machine(cl_engine *e, cl_conn *c, cl_tcp_endpoint *ep, cl_tcp_endpoint *peer,
                          const cl_tcp_hdr *h, uint32_t len, bool is_orig, double t, sm_result *r)
{
    switch (ep->state) {
    case CL_TCP_INACTIVE:
        sm_inactive(e, c, ep, peer, h, len, is_orig, t, r);
        break;
    case CL_TCP_SYN_SENT:
    case CL_TCP_SYN_ACK_SENT:
        sm_syn_sent(e, c, ep, h, r);
        break;
    case CL_TCP_ESTABLISHED:
    case CL_TCP_PARTIAL:
        sm_established(e, c, ep, peer, h, r);
        break;
    case CL_TCP_CLOSED:
        sm_closed(e, c, ep, peer, h, r);
        break;
    default:
        break; /* RESET never changes */
    }
}

/* Conn::port_inactivity_timeouts, applied by connection_established. */
static bool likely_tcp_server(const cl_engine *e, uint16_t port)
{
    return e->cfg.likely_server_tcp[port >> 3] & (1u << (port & 7));
}

static void on_established(cl_engine *e, cl_conn *c)
{
    uint16_t port = cl_conn_resp_p(c), oport = cl_conn_orig_p(c);
    if (CL_TCP_ORIG(cl_conn_tcp(c))->state == CL_TCP_INACTIVE && !likely_tcp_server(e, port) &&
        likely_tcp_server(e, oport))
        port = oport;
    if (port == 21 || port == 22 || port == 23 || port == 513)
        cl_conn_set_inactivity(e, c, 3600.0);
}

/* ---------------------------------------------------------------- */
/* Per packet                                                        */
/* ---------------------------------------------------------------- */

static void set_partial_status(cl_tcp_conn *tc, uint8_t flags, bool is_orig)
{
    if (is_orig) {
        if (!(tc->first_packet_seen & 1))
            tc->is_partial = !(flags & CL_TH_SYN) || (flags & CL_TH_ACK);
    } else if (!(tc->first_packet_seen & 2) && !tc->is_partial) {
        tc->is_partial = !(flags & CL_TH_SYN);
    }
}

static void process(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx,
                    const cl_tcp_hdr *h, uint32_t len, uint32_t caplen)
{
    cl_tcp_conn *tc = cl_conn_tcp(c);
    cl_tcp_endpoint *ep = is_orig ? CL_TCP_ORIG(tc) : CL_TCP_RESP(tc);
    cl_tcp_endpoint *peer = peer_of(c, ep);
    uint8_t f = h->flags;
    double t = ctx->t;

    set_partial_status(tc, f, ep->is_orig);

    uint32_t seg_len = len + !!(f & CL_TH_SYN) + !!(f & CL_TH_FIN);
    if (f & CL_TH_RST)
        seg_len -= len; /* RST payload is not part of the stream */
    uint32_t end = h->seq + seg_len;

    init_endpoint(ep, f, h->seq, end);
    bool underflow = false;
    uint64_t rel_seq = relative_seq(ep, h->seq, ep->last_seq, ep->seq_wraps, &underflow);

    update_history(e, c, ep, f, rel_seq, len);
    update_window(c, ep, h->win, f);

    if (!CL_TCP_ORIG(tc)->did_close || !CL_TCP_RESP(tc)->did_close)
        c->last_time = t;

    if (f & CL_TH_SYN)
        init_window(ep, peer, f, syn_window_scale(h));
    if (f & CL_TH_FIN) {
        ep->fin_seen = 1;
        ep->fin_seq = rel_seq + seg_len;
    }
    uint64_t rel_ack = 0;
    if (f & CL_TH_ACK) {
        if (peer->state == CL_TCP_INACTIVE) {
            rel_ack = 1;
            init_seqs(peer, h->ack - 1, h->ack - 1);
        } else {
            bool ack_underflow = false;
            rel_ack = relative_seq(peer, h->ack, peer->ack_seq, peer->ack_wraps, &ack_underflow);
            if (ack_underflow)
                rel_ack = 0;
            else if (!(f & CL_TH_RST)) {
                int32_t d = seq_delta(h->ack, peer->ack_seq);
                if (h->ack == 0 && d > TOO_LARGE_SEQ_DELTA)
                    ; /* more likely a broken ACK than a wrap onto 0 */
                else if (d > 0)
                    update_ack(peer, h->ack);
            }
        }
    }

    int32_t delta_last = update_last_seq(c, ep, end, f, len);
    (void)delta_last;

    sm_result r = {false, false, false};
    state_machine(e, c, ep, peer, h, len, is_orig, t, &r);

    /* ACKs are applied after the state machine so that a gap revealed by
     * a FIN or RST can tell it came at the very end. */
    if (f & CL_TH_ACK)
        ack_received(e, c, peer, rel_ack);

    tc->first_packet_seen |= is_orig ? 1 : 2;

    uint64_t rel_data_seq = (f & CL_TH_SYN) ? rel_seq + 1 : rel_seq;
    if (len > 0 && !(f & CL_TH_RST) && !underflow && caplen >= len)
        data_sent(e, c, ep, rel_data_seq, len, ctx->ip->payload + hdr_len_of(h));

    check_eof(e, c, ep);
    if (r.do_close)
        connection_closed(e, c, ep, peer, r.gen_event);
    if (r.established)
        on_established(e, c);
}

void cl_tcp_packet(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx,
                   const cl_tcp_hdr *h)
{
    const cl_ip_info *ip = ctx->ip;
    uint32_t hdr_len = h->off * 4u;
    if (hdr_len < 20)
        return; /* bad_TCP_header_len: the connection exists, nothing else */
    if (hdr_len > ip->payload_len || hdr_len > ip->payload_caplen)
        return; /* truncated_header */
    uint32_t len = ip->payload_len - hdr_len;
    uint32_t caplen = ip->payload_caplen - hdr_len;

    cl_tcp_endpoint *sender = is_orig ? CL_TCP_ORIG(cl_conn_tcp(c)) : CL_TCP_RESP(cl_conn_tcp(c));
    if (caplen >= len && cl_engine_checksums_apply(e, &ip->src)) {
        e->stats.checksum_checked++;
        if (!cl_transport_checksum_ok(ip, 6, ip->payload, ip->payload_len)) {
            e->stats.checksum_failures++;
            cl_hist_scaled(c, sender->is_orig ? 'C' : 'c', &sender->chk);
            return;
        }
    }

    process(e, c, is_orig, ctx, h, len, caplen);

    /* ConnSize sees the packet after Process(), with the direction as
     * it stands after any flip Process() made. */
    int dir = sender == CL_TCP_ORIG(cl_conn_tcp(c)) ? 0 : 1;
    c->pkts[dir]++;
    c->ip_bytes[dir] += ip->ip_bytes;
}

/* ---------------------------------------------------------------- */
/* Creation, flips, reuse, timers                                    */
/* ---------------------------------------------------------------- */

static void endpoint_init(cl_tcp_endpoint *ep, bool is_orig)
{
    memset(ep, 0, sizeof *ep);
    ep->is_orig = is_orig;
    cl_scaled_init(&ep->chk);
    cl_scaled_init(&ep->rxmt);
    cl_scaled_init(&ep->win0);
    cl_scaled_init(&ep->gap);
    cl_reasm_init(&ep->reasm);
}

int cl_tcp_attach(cl_engine *e, cl_conn *c)
{
    /* TCP connections are allocated with room for this behind them; it is
     * attached after any creation-time flip, as Zeek builds its adapter. */
    cl_tcp_conn *tc = (cl_tcp_conn *)(c + 1);
    endpoint_init(&tc->ep[0], true);
    endpoint_init(&tc->ep[1], false);
    tc->orig_ep = 0;
    tc->is_active = true;
    tc->close_deferred = tc->deferred_gen_event = tc->is_partial = false;
    tc->first_packet_seen = 0;
    c->tcp_attached = true;
    /* Zeek arms the expire check in the adapter's constructor, then the
     * idle timeout: TCP starts with the UDP value (sic). */
    cl_timers_set(&e->timers, c, CL_TIMER_TCP_EXPIRE, e->network_time + e->cfg.tcp_SYN_timeout);
    cl_conn_set_inactivity(e, c, e->cfg.udp_inactivity_timeout);
    return 0;
}

void cl_tcp_release(cl_engine *e, cl_conn *c)
{
    cl_tcp_conn *tc = cl_conn_tcp(c);
    if (!tc)
        return;
    (void)e;
    cl_reasm_free(&tc->ep[0].reasm);
    cl_reasm_free(&tc->ep[1].reasm);
    c->tcp_attached = false;
}

void cl_tcp_flip(cl_conn *c)
{
    cl_tcp_conn *tc = cl_conn_tcp(c);
    tc->orig_ep ^= 1;
    tc->ep[0].is_orig = !tc->ep[0].is_orig;
    tc->ep[1].is_orig = !tc->ep[1].is_orig;
    uint8_t s = tc->first_packet_seen;
    tc->first_packet_seen = (uint8_t)(((s & 1) ? 2 : 0) | ((s & 2) ? 1 : 0));
    tc->is_partial = false;
}

bool cl_tcp_want_flip(const cl_engine *e, const cl_tcp_hdr *h, const cl_addr *dst)
{
    uint8_t f = h->flags;
    if ((f & CL_TH_SYN) && !(f & CL_TH_ACK))
        return false; /* a plain SYN names its originator */
    static const uint8_t bcast[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (memcmp(dst->b, bcast, 16) == 0)
        return false;
    if (!likely_tcp_server(e, h->sport))
        return false;
    if (likely_tcp_server(e, h->dport))
        /* Both plausible: flip only non-SYN-ACKs towards the higher port
         * (a SYN-ACK could be a stealth scan). */
        return !(f & CL_TH_SYN) && h->sport < h->dport;
    return true;
}

bool cl_tcp_is_reuse(const cl_conn *c, const cl_tcp_hdr *h)
{
    const cl_tcp_conn *tc = cl_conn_tcp(c);
    if (h->off < 5 || !(h->flags & CL_TH_SYN))
        return false;
    const cl_tcp_endpoint *conn_orig = CL_TCP_ORIG(tc);
    if (h->flags & CL_TH_ACK) {
        if (CL_TCP_ORIG(tc)->state != CL_TCP_INACTIVE)
            return false; /* not a half connection */
        conn_orig = CL_TCP_RESP(tc);
    }
    if (CL_TCP_ORIG(tc)->did_close || CL_TCP_RESP(tc)->did_close)
        return true;
    if (h->seq == start32(conn_orig))
        return false; /* a retransmitted SYN */
    if (!(h->flags & CL_TH_ACK) && conn_orig->state == CL_TCP_SYN_ACK_SENT &&
        CL_TCP_RESP(tc)->state == CL_TCP_INACTIVE && h->seq == start32(CL_TCP_RESP(tc)))
        return false; /* SYN/SYN-ACK reversal, handled by the state machine */
    return true;
}

static bool expire_check(cl_engine *e, cl_conn *c, unsigned slot, double now)
{
    cl_tcp_conn *tc = cl_conn_tcp(c);
    if (!tc->is_active)
        return false;
    if (c->last_time + e->cfg.tcp_connection_linger < now) {
        const cl_tcp_endpoint *o = CL_TCP_ORIG(tc), *r = CL_TCP_RESP(tc);
        if (o->did_close || r->did_close) {
            if ((o->did_close && r->did_close) || o->state == CL_TCP_RESET ||
                r->state == CL_TCP_RESET || o->state == CL_TCP_INACTIVE ||
                r->state == CL_TCP_INACTIVE) {
                tc->is_active = false;
                cl_engine_remove(e, c);
                return true;
            }
        }
        if (r->state == CL_TCP_INACTIVE && o->state == CL_TCP_INACTIVE) {
            /* Nothing valid ever arrived (e.g. only bad checksums). */
            cl_engine_remove(e, c);
            return true;
        }
    }
    cl_timers_set(&e->timers, c, slot, now + e->cfg.tcp_session_timer);
    return false;
}

bool cl_tcp_timer(cl_engine *e, cl_conn *c, unsigned slot, double now)
{
    cl_tcp_conn *tc = cl_conn_tcp(c);
    switch (slot) {
    case CL_TIMER_TCP_EXPIRE:
    case CL_TIMER_TCP_EXPIRE_CLOSE:
        return expire_check(e, c, slot, now);
    case CL_TIMER_TCP_ATTEMPT:
        if (tc->is_active &&
            (CL_TCP_ORIG(tc)->state == CL_TCP_SYN_SENT || CL_TCP_ORIG(tc)->state == CL_TCP_SYN_ACK_SENT) &&
            CL_TCP_RESP(tc)->state == CL_TCP_INACTIVE) {
            tc->is_active = false;
            cl_engine_remove(e, c);
            return true;
        }
        return false;
    case CL_TIMER_CONN_DELETE:
        cl_engine_remove(e, c);
        return true;
    default:
        return false;
    }
}

/* ---------------------------------------------------------------- */
/* conn_state (scripts/base/protocols/conn/main.zeek)                */
/* ---------------------------------------------------------------- */

/* ^\^?S[^HAFGIQ]*R.*$ */
static bool rstos0_history(const char *h)
{
    if (*h == '^')
        h++;
    if (*h != 'S')
        return false;
    for (h++; *h; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h))
            return false;
    }
    return false;
}

const char *cl_tcp_conn_state(const cl_conn *c, const char *history)
{
    const cl_tcp_endpoint *o = CL_TCP_ORIG(cl_conn_tcp(c)), *r = CL_TCP_RESP(cl_conn_tcp(c));
    uint8_t os = o->state, rs = r->state;
    bool o_inactive = os == CL_TCP_INACTIVE || os == CL_TCP_PARTIAL;
    bool r_inactive = rs == CL_TCP_INACTIVE || rs == CL_TCP_PARTIAL;

    if (rs == CL_TCP_RESET) {
        if (os == CL_TCP_SYN_SENT || os == CL_TCP_SYN_ACK_SENT ||
            (os == CL_TCP_RESET && cl_tcp_size(o, r) == 0 && cl_tcp_size(r, o) == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == CL_TCP_RESET) {
        if (r_inactive)
            return rstos0_history(history ? history : "") ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (rs == CL_TCP_CLOSED && os == CL_TCP_CLOSED)
        return "SF";
    if (os == CL_TCP_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == CL_TCP_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == CL_TCP_SYN_SENT && rs == CL_TCP_INACTIVE)
        return "S0";
    if (os == CL_TCP_ESTABLISHED && rs == CL_TCP_ESTABLISHED)
        return "S1";
    return "OTH";
}

/*
 * engine.c - the packet pipeline: time and timers, link and IP decoding,
 * fragment reassembly, connection lookup/creation, and removal.
 *
 * Per packet, as Zeek's main loop does: advance network time, fire due
 * timers (at most max_timer_expires), decode, find or create the
 * connection, let the transport code update it; then fire what is left.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "analyzer/expect.h"
#include "analyzer/manager.h"
#include "site/netlist.h"

static const char *const skip_names[CL_SKIP_COUNT] = {
    [CL_SKIP_NONE] = "none",
    [CL_SKIP_LINK_TRUNCATED] = "link_truncated",
    [CL_SKIP_LINKTYPE] = "unsupported_linktype",
    [CL_SKIP_NOT_IP] = "not_ip",
    [CL_SKIP_IP_MALFORMED] = "ip_malformed",
    [CL_SKIP_IP_CHECKSUM] = "ip_bad_checksum",
    [CL_SKIP_NO_TRANSPORT] = "no_transport",
    [CL_SKIP_FRAGMENT] = "fragment",
    [CL_SKIP_TRANSPORT_TRUNCATED] = "transport_truncated",
    [CL_SKIP_TUNNEL] = "tunnel",
};

const char *cl_skip_name(cl_skip s)
{
    return (unsigned)s < CL_SKIP_COUNT ? skip_names[s] : "?";
}

/* ---------------------------------------------------------------- */
/* Connection storage                                                */
/* ---------------------------------------------------------------- */

/* Connection blocks come in four sizes: TCP connections carry their
 * endpoint state right behind the connection (one block, so a packet
 * touches neighbouring cache lines), the others do not pay for it; IPv6
 * connections keep their addresses after that (cl_conn_v6_addrs). Blocks
 * are cut from the engine's arena (mem/arena.h), by which the flow table
 * and the timer queue name them, and a freed block waits on the free list
 * of its size. The arena is not asked for huge pages: a fresh huge page
 * costs its zeroing at once, and on our benchmark machine that cost more
 * system time than the TLB misses it saved (measured, see bench/). */
static size_t conn_block_size(bool tcp, bool v6)
{
    size_t n = sizeof(cl_conn) + (tcp ? sizeof(cl_tcp_conn) : sizeof(cl_datagram)) +
               (v6 ? 2 * sizeof(cl_addr) : 0); /* cl_conn_v6_addrs */
    return (n + 7) & ~(size_t)7;
}

/* The idle and free lists link connections by arena reference (4 bytes,
 * not 8); 0 ends a list. */
static cl_conn *idle_conn(const cl_engine *e, uint32_t ref)
{
    return ref ? (cl_conn *)cl_arena_ptr(e->arena.base, ref) : NULL;
}

static uint32_t idle_ref(const cl_engine *e, const cl_conn *c)
{
    return c ? cl_arena_ref(e->arena.base, c) : 0;
}

static cl_conn *take_free(cl_engine *e, cl_conn **free_list)
{
    cl_conn *c = *free_list;
    if (c)
        *free_list = idle_conn(e, c->idle_next);
    return c;
}

static cl_conn *conn_alloc(cl_engine *e, bool tcp, bool v6)
{
    size_t need = conn_block_size(tcp, v6);
    cl_conn *c = take_free(e, &e->free_blocks[tcp][v6]);
    if (!c)
        c = cl_arena_take(&e->arena, need);
    /* Out of memory, a larger freed block serves as well (it then stays
     * with the blocks of this kind). */
    for (int k = 0; !c && k < 4; k++)
        if (conn_block_size(k >> 1, k & 1) > need)
            c = take_free(e, &e->free_blocks[k >> 1][k & 1]);
    return c;
}

/* Address space for this many connections: each may have been of any
 * kind (the free lists do not share blocks). */
static size_t arena_reserve(uint64_t max_conns)
{
    size_t per = 0;
    for (int k = 0; k < 4; k++)
        per += conn_block_size(k >> 1, k & 1);
    if (max_conns == 0 || max_conns > CL_ARENA_MAX / per)
        return CL_ARENA_MAX;
    return (size_t)max_conns * per + ((size_t)1 << 20);
}

static void conn_release(cl_engine *e, cl_conn *c)
{
    bool tcp = c->proto == CL_PROTO_TCP, v6 = c->key.v6; /* the block's kind */
    cl_hist_free(c);
    cl_conn_ext_free(c);
    cl_an_release(e, c);
    cl_tcp_release(e, c);
    cl_conn **free_list = &e->free_blocks[tcp][v6];
    c->idle_next = idle_ref(e, *free_list);
    *free_list = c;
}

static void idle_unlink(cl_engine *e, cl_conn *c)
{
    cl_conn *prev = idle_conn(e, c->idle_prev), *next = idle_conn(e, c->idle_next);
    if (prev)
        prev->idle_next = c->idle_next;
    else
        e->idle_head = next;
    if (next)
        next->idle_prev = c->idle_prev;
    else
        e->idle_tail = prev;
    c->idle_prev = c->idle_next = 0;
}

static void idle_append(cl_engine *e, cl_conn *c)
{
    c->idle_next = 0;
    c->idle_prev = idle_ref(e, e->idle_tail);
    if (e->idle_tail)
        e->idle_tail->idle_next = idle_ref(e, c);
    else
        e->idle_head = c;
    e->idle_tail = c;
}

/* Moving a connection to the tail on every packet would touch two other
 * connections' memory per packet; moving it at most once per second of
 * trace time keeps the eviction order right to the second. */
static void idle_touch(cl_engine *e, cl_conn *c, double t)
{
    uint32_t sec = (uint32_t)(int64_t)t;
    if (e->idle_tail == c || c->idle_second == sec)
        return;
    c->idle_second = sec;
    idle_unlink(e, c);
    idle_append(e, c);
}

void cl_engine_remove(cl_engine *e, cl_conn *c)
{
    cl_timers_cancel_all(&e->timers, c);
    if (!e->draining)
        cl_table_remove(&e->table, c);
    idle_unlink(e, c);
    e->stats.conns_live--;
    /* Events its analyzers raised in this packet count for the record. */
    cl_an_release(e, c);
    cl_conn_emit(e, c);
    conn_release(e, c);
}

/* The index of an inactivity timeout among the engine's values. There are
 * at most six (see engine.h): a seventh source of timeouts is a
 * programming error, not something input can cause. */
static uint8_t inactivity_index(cl_engine *e, double timeout)
{
    for (uint8_t i = 0; i < e->n_inactivity_values; i++)
        if (e->inactivity_values[i] == timeout || (isnan(timeout) && isnan(e->inactivity_values[i])))
            return i;
    if (e->n_inactivity_values == CL_INACTIVITY_VALUES)
        abort(); /* raise CL_INACTIVITY_VALUES */
    e->inactivity_values[e->n_inactivity_values] = timeout;
    return e->n_inactivity_values++;
}

double cl_conn_inactivity(const cl_engine *e, const cl_conn *c)
{
    return e->inactivity_values[c->inactivity];
}

void cl_conn_set_inactivity(cl_engine *e, cl_conn *c, double timeout)
{
    uint8_t i = inactivity_index(e, timeout);
    if (i == c->inactivity)
        return;
    cl_timers_cancel(&e->timers, c, CL_TIMER_INACTIVITY);
    if (timeout > 0)
        cl_timers_set(&e->timers, c, CL_TIMER_INACTIVITY, c->last_time + timeout);
    c->inactivity = i;
}

void cl_conn_flip(cl_engine *e, cl_conn *c)
{
    (void)e;
    c->orig_is_a2 = !c->orig_is_a2;
    cl_conn_ext *x = c->ext;
    if (x && x->has_l2_context) {
        x->has_l2 = (uint8_t)((x->has_l2 & 1) << 1 | (x->has_l2 >> 1 & 1));
        uint8_t tm[6];
        memcpy(tm, x->l2[0], 6);
        memcpy(x->l2[0], x->l2[1], 6);
        memcpy(x->l2[1], tm, 6);
    }
    uint64_t t64 = c->pkts[0];
    c->pkts[0] = c->pkts[1];
    c->pkts[1] = t64;
    t64 = c->ip_bytes[0];
    c->ip_bytes[0] = c->ip_bytes[1];
    c->ip_bytes[1] = t64;
    if (cl_conn_tcp(c))
        cl_tcp_flip(c);
    if (c->uid)
        c->flipped_after_creation = true;
    cl_hist_add(c, '^');
}

bool cl_engine_checksums_apply(const cl_engine *e, const cl_addr *src)
{
    if (e->cfg.ignore_checksums)
        return false;
    return e->cfg.ignore_checksums_nets.n == 0 ||
           !cl_netmatch_contains(&e->ignore_checksums_match, src);
}

/* ---------------------------------------------------------------- */
/* Keys                                                              */
/* ---------------------------------------------------------------- */

typedef struct flow {
    cl_addr src, dst;
    uint16_t sport, dport;  /* host order */
    uint8_t ip_proto;
    cl_proto proto;
    bool one_way;           /* ICMP without counterpart: no canonical order */
} flow;

/* The flow of a TCP or UDP packet (the ports lead its header; the caller
 * checked that they are there). The handlers and cl_engine_prefetch build
 * it the same way, so an announced key is the key the handler would make. */
static flow port_flow(const cl_ip_info *ip)
{
    const uint8_t *p = ip->payload;
    return (flow){ip->src, ip->dst, cl_rd16(p), cl_rd16(p + 2), ip->proto,
                  ip->proto == 6 ? CL_PROTO_TCP : CL_PROTO_UDP, false};
}

/* Ports compare as their network-order bytes read as a host integer. */
static uint16_t port_canon_value(uint16_t port)
{
    return (uint16_t)((port >> 8) | (port << 8));
}

/* memcmp's order of two addresses, from two big-endian word compares
 * (the compiler makes each a load and a byte swap). */
static int addr_order(const uint8_t *a, const uint8_t *b)
{
    for (int i = 0; i < 16; i += 8) {
        uint64_t u = cl_rd64(a + i), v = cl_rd64(b + i);
        if (u != v)
            return u < v ? -1 : 1;
    }
    return 0;
}

static void make_key(const cl_engine *e, const flow *f, const cl_l2_info *l2, cl_key *k)
{
    memset(k, 0, sizeof *k);
    const cl_addr *a1 = &f->src, *a2 = &f->dst;
    uint16_t p1 = f->sport, p2 = f->dport;
    if (!f->one_way) {
        int cmp = addr_order(a1->b, a2->b);
        bool lt = cmp < 0 || (cmp == 0 && port_canon_value(p1) < port_canon_value(p2));
        if (!lt) {
            a1 = &f->dst;
            a2 = &f->src;
            p1 = f->dport;
            p2 = f->sport;
        }
    }
    memcpy(k->a1, a1->b, 16);
    memcpy(k->a2, a2->b, 16);
    k->p1[0] = (uint8_t)(p1 >> 8);
    k->p1[1] = (uint8_t)p1;
    k->p2[0] = (uint8_t)(p2 >> 8);
    k->p2[1] = (uint8_t)p2;
    k->proto[0] = f->ip_proto;
    if (e->cfg.conn_key_vlan && l2) {
        uint16_t v = l2->vlan >= 0 ? (uint16_t)(l2->vlan + 1) : 0;
        uint16_t iv = l2->inner_vlan >= 0 ? (uint16_t)(l2->inner_vlan + 1) : 0;
        k->vlan[0] = (uint8_t)(v >> 8);
        k->vlan[1] = (uint8_t)v;
        k->inner_vlan[0] = (uint8_t)(iv >> 8);
        k->inner_vlan[1] = (uint8_t)iv;
    }
}

/* ---------------------------------------------------------------- */
/* Creation and lookup                                               */
/* ---------------------------------------------------------------- */

static void evict_one(cl_engine *e)
{
    cl_conn *victim = e->idle_head;
    if (!victim)
        return;
    e->stats.conns_evicted++;
    if (cl_conn_tcp(victim))
        cl_conn_tcp(victim)->is_active = false;
    cl_engine_remove(e, victim);
}

/* The first packet's link-layer context, for the columns that show it. */
static void keep_l2_context(cl_conn *c, const cl_l2_info *l2)
{
    cl_conn_ext *x = cl_conn_ext_get(c);
    if (!x)
        return;
    x->has_l2_context = true;
    x->vlan = x->inner_vlan = x->pppoe_session = CL_UNSET_INT;
    if (l2) {
        x->has_l2 = (uint8_t)((l2->has_src_mac ? 1 : 0) | (l2->has_dst_mac ? 2 : 0));
        memcpy(x->l2[0], l2->src_mac, 6);
        memcpy(x->l2[1], l2->dst_mac, 6);
        x->vlan = l2->vlan;
        x->inner_vlan = l2->inner_vlan;
        x->pppoe_session = l2->pppoe_session;
    }
}

static cl_conn *conn_new(cl_engine *e, const flow *f, const cl_pkt_ctx *ctx, const cl_key *k,
                         uint32_t hash)
{
    if (e->cfg.max_conns && e->stats.conns_live >= e->cfg.max_conns)
        evict_one(e);
    bool tcp = f->proto == CL_PROTO_TCP, v6 = !cl_key_is_v4(k);
    cl_conn *c;
    /* Out of memory (or of arena): finish the oldest idle connections
     * early, as a full table does, until a block of this kind is free. */
    while (!(c = conn_alloc(e, tcp, v6)) && e->idle_head)
        evict_one(e);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->hash = hash;
    /* The packet's sender is the originator: which side of the key? */
    c->orig_is_a2 = !cl_addr16_equal(k->a1, f->src.b) || cl_key_port(k->p1) != f->sport;
    c->proto = (uint8_t)f->proto;
    cl_conn_store_key(c, k);
    c->ip_proto = f->ip_proto;
    c->icmp_one_way = f->one_way;
    c->start_time = c->last_time = ctx->t;
    for (int i = 0; i < CL_TIMER_SLOTS; i++)
        c->timer_due[i] = INFINITY;
    cl_hist_reset(c);
    if (!tcp) {
        cl_datagram *dg = cl_conn_dg(c);
        dg->dlen[0] = dg->dlen[1] = -1;
        cl_scaled_init(&dg->udp_chk[0]);
        cl_scaled_init(&dg->udp_chk[1]);
    }
    if (e->keep_l2_context)
        keep_l2_context(c, ctx->l2);
    if (cl_table_insert(&e->table, c) != 0) {
        conn_release(e, c);
        return NULL;
    }
    idle_append(e, c);
    c->idle_second = (uint32_t)(int64_t)ctx->t;
    e->stats.conns_created++;
    e->stats.conns_live++;
    if (e->stats.conns_live > e->stats.conns_peak)
        e->stats.conns_peak = e->stats.conns_live;
    return c;
}

/* Zeek raises new_connection (and allocates the uid) once the analyzer
 * tree is built, after any creation-time flip. */
static void conn_announce(cl_engine *e, cl_conn *c, const cl_pkt_ctx *ctx)
{
    c->uid = cl_uid_take(&e->uids);
    cl_tunnel_note_encap(e, c, ctx->encap, true);
}

/* A packet of an existing connection: has its encapsulation changed? */
static void conn_seen(cl_engine *e, cl_conn *c, const cl_pkt_ctx *ctx)
{
    if ((c->tunnel_flags & CL_TF_ENCAP) || ctx->encap)
        cl_tunnel_note_encap(e, c, ctx->encap, false);
}

/* The flow's key, its hash and its connection (NULL when there is none). */
typedef struct lookup {
    cl_key k;
    uint32_t hash;
    cl_conn *c;
} lookup;

static void find(cl_engine *e, const flow *f, const cl_pkt_ctx *ctx, lookup *l)
{
    const cl_prefetch *pre = ctx->pre;
    if (pre && pre->has_key) {
        /* f was read from the very headers the key was made from. */
        l->k = pre->key;
        l->hash = pre->hash;
    } else {
        make_key(e, f, ctx->l2, &l->k);
        l->hash = cl_table_hash(&e->table, &l->k);
    }
    l->c = cl_table_find(&e->table, &l->k, l->hash);
}

/* ---------------------------------------------------------------- */
/* Prefetching                                                       */
/* ---------------------------------------------------------------- */

/* Connections are loaded for groups of this many announcements at once,
 * this many announcements back: by then their table slots have arrived. */
#define PREFETCH_GROUP 4
#define PREFETCH_CONN_LAG 8

static unsigned ip_decode_flags(const cl_engine *e)
{
    return e->cfg.ignore_checksums ? CL_IP_ZERO_LEN_OK : CL_IP_VERIFY_CHECKSUM;
}

/* Decode the packet's link and IP headers as the real pass will, and
 * the flow key of a plain (unfragmented) TCP or UDP packet. False when
 * the link layer does not decode. */
static bool predecode(const cl_engine *e, const cl_packet *pkt, cl_prefetch *pf)
{
    if (cl_decode_link(pkt->linktype, pkt->data, pkt->caplen, pkt->wirelen, &pf->l2) != CL_DEC_OK)
        return false;
    const cl_l2_info *l2 = &pf->l2;
    const cl_ip_info *ip = &pf->ip;
    pf->ip_status = cl_decode_ip(l2->l3, l2->l3_caplen, l2->l3_wirelen, ip_decode_flags(e), &pf->ip);
    pf->has_key = pf->ip_status == CL_DEC_OK && !ip->is_fragment &&
                  (ip->proto == 6 || ip->proto == 17) && ip->payload_caplen >= 4;
    if (pf->has_key) {
        flow f = port_flow(ip);
        make_key(e, &f, l2, &pf->key);
    }
    return true;
}

/* The connection an announcement finds in the table (its probe run seldom
 * leaves the slot's cache line, loaded when it was announced), or NULL. */
static const cl_conn *announced_conn(const cl_engine *e, const cl_prefetch *pf)
{
    if (!pf->has_key)
        return NULL;
    const cl_table *t = &e->table;
    size_t i = pf->hash & t->mask;
    for (int probes = 0; probes < 8; probes++, i = (i + 1) & t->mask) {
        const cl_table_slot *s = &t->slots[i];
        if (!s->ref)
            return NULL;
        if (s->hash == pf->hash)
            return cl_table_conn(t, s);
    }
    return NULL;
}

/* Load the connections of a group of announcements: all of each block,
 * as a TCP packet touches most of it.
 *
 * Why real loads: with prefetch instructions alone the lookup still
 * waited on each connection's first line (measured on our benchmark VM,
 * where a miss also costs a nested page walk); real loads of the first
 * and last line of a whole group, issued together, let the CPU overlap
 * those misses. The lines between only get prefetch hints: loading them
 * too measured no better. */
static void load_conns(cl_engine *e, unsigned first)
{
    const cl_conn *c[PREFETCH_GROUP];
    size_t bytes[PREFETCH_GROUP];
    unsigned n = 0, sink = 0;
    for (unsigned k = 0; k < PREFETCH_GROUP; k++) {
        const cl_prefetch *pf = &e->pf[(first + k) % CL_PREFETCH_RING];
        if (!(c[n] = announced_conn(e, pf)))
            continue;
        bytes[n] = conn_block_size(pf->key.proto[0] == 6, !cl_key_is_v4(&pf->key));
        sink += *(const volatile uint8_t *)c[n] + *((const volatile uint8_t *)c[n] + bytes[n] - 1);
        n++;
    }
    for (unsigned k = 0; k < n; k++)
        for (size_t off = 64; off + 64 < bytes[k]; off += 64)
            __builtin_prefetch((const char *)c[k] + off, 1);
    e->pf_sink += sink;
}

/* Below this many connections the table and the connections stay in the
 * CPU caches, and announcing packets would cost more than it saves. */
#define PREFETCH_MIN_CONNS 16384

void cl_engine_prefetch(cl_engine *e, const cl_packet *pkt)
{
    if (e->stats.conns_live < e->pf_min_conns)
        return;
    cl_prefetch *pf = &e->pf[e->pf_head % CL_PREFETCH_RING];
    if (!predecode(e, pkt, pf))
        return;
    pf->pkt = *pkt;
    if (pf->has_key) {
        pf->hash = cl_table_hash(&e->table, &pf->key);
        __builtin_prefetch(&e->table.slots[pf->hash & e->table.mask], 0);
    }
    e->pf_head++;
    if (e->pf_head - e->pf_tail > CL_PREFETCH_RING)
        e->pf_tail = e->pf_head - CL_PREFETCH_RING;
    if (e->pf_head % PREFETCH_GROUP == 0 &&
        e->pf_head - e->pf_tail >= PREFETCH_CONN_LAG + PREFETCH_GROUP)
        load_conns(e, e->pf_head - PREFETCH_CONN_LAG - PREFETCH_GROUP);
}

void cl_engine_set_prefetch_min(cl_engine *e, uint64_t conns)
{
    e->pf_min_conns = conns;
}

void cl_engine_limit_memory(cl_engine *e, size_t conn_bytes)
{
    cl_arena_set_limit(&e->arena, conn_bytes);
}

/* The announcement of this packet, if any; older ones are dropped. */
static const cl_prefetch *take_hint(cl_engine *e, const cl_packet *pkt)
{
    for (unsigned i = e->pf_tail; i != e->pf_head; i++) {
        const cl_prefetch *pf = &e->pf[i % CL_PREFETCH_RING];
        const cl_packet *q = &pf->pkt;
        if (q->data == pkt->data && q->caplen == pkt->caplen && q->wirelen == pkt->wirelen &&
            q->ts_sec == pkt->ts_sec && q->ts_usec == pkt->ts_usec && q->linktype == pkt->linktype) {
            e->pf_tail = i + 1;
            return pf;
        }
    }
    return NULL;
}

/* ICMP and other IP protocols: no flips, no analyzers, one idle timeout. */
static cl_conn *find_or_create(cl_engine *e, const flow *f, const cl_pkt_ctx *ctx,
                               double timeout)
{
    lookup l;
    find(e, f, ctx, &l);
    if (l.c) {
        conn_seen(e, l.c, ctx);
        return l.c;
    }
    cl_conn *c = conn_new(e, f, ctx, &l.k, l.hash);
    if (c) {
        cl_conn_set_inactivity(e, c, timeout);
        conn_announce(e, c, ctx);
    }
    return c;
}

static bool packet_is_orig(const cl_conn *c, const flow *f)
{
    cl_addr oh = cl_conn_orig_h(c);
    return cl_addr16_equal(oh.b, f->src.b) && cl_conn_orig_p(c) == f->sport;
}

/* ---------------------------------------------------------------- */
/* Transports                                                        */
/* ---------------------------------------------------------------- */

/* Zeek's CheckHeaderTrunc: drop before any connection exists. */
static bool transport_truncated(const cl_ip_info *ip, uint32_t min)
{
    if (ip->payload_len != 0 && ip->payload_len < min)
        return true;
    return ip->payload_caplen < min;
}

static cl_skip handle_tcp(cl_engine *e, const cl_pkt_ctx *ctx)
{
    const cl_ip_info *ip = ctx->ip;
    if (transport_truncated(ip, 20))
        return CL_SKIP_TRANSPORT_TRUNCATED;
    const uint8_t *p = ip->payload;
    cl_tcp_hdr h = {
        .sport = (uint16_t)(p[0] << 8 | p[1]),
        .dport = (uint16_t)(p[2] << 8 | p[3]),
        .seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7],
        .ack = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11],
        .off = p[12] >> 4,
        .flags = p[13],
        .win = (uint16_t)(p[14] << 8 | p[15]),
        .raw = p,
    };
    flow f = port_flow(ip);
    lookup l;
    find(e, &f, ctx, &l);
    cl_conn *c = l.c;
    if (c && cl_tcp_is_reuse(c, &h)) {
        cl_engine_remove(e, c);
        c = NULL;
    }
    if (!c) {
        bool flip = cl_tcp_want_flip(e, &h, &ip->dst);
        if (!(c = conn_new(e, &f, ctx, &l.k, l.hash)))
            return CL_SKIP_NONE;
        if (flip)
            cl_conn_flip(e, c);
        if (cl_tcp_attach(e, c) != 0) {
            cl_engine_remove(e, c);
            return CL_SKIP_NONE;
        }
        cl_an_attach(e, c);
        conn_announce(e, c, ctx);
    } else {
        conn_seen(e, c, ctx);
    }
    cl_tcp_packet(e, c, packet_is_orig(c, &f), ctx, &h);
    idle_touch(e, c, ctx->t);
    return CL_SKIP_NONE;
}

static cl_skip handle_udp(cl_engine *e, const cl_pkt_ctx *ctx)
{
    const cl_ip_info *ip = ctx->ip;
    if (transport_truncated(ip, 8))
        return CL_SKIP_TRANSPORT_TRUNCATED;
    flow f = port_flow(ip);
    lookup l;
    find(e, &f, ctx, &l);
    cl_conn *c = l.c;
    if (!c) {
        bool flip = cl_udp_want_flip(e, f.sport, f.dport, &ip->dst);
        if (!(c = conn_new(e, &f, ctx, &l.k, l.hash)))
            return CL_SKIP_NONE;
        if (flip)
            cl_conn_flip(e, c);
        cl_conn_set_inactivity(e, c, e->cfg.udp_inactivity_timeout);
        cl_an_attach(e, c);
        conn_announce(e, c, ctx);
    } else {
        conn_seen(e, c, ctx);
    }
    bool is_orig = packet_is_orig(c, &f);
    idle_touch(e, c, ctx->t);
    if (cl_udp_packet(e, c, is_orig, ctx))
        cl_tunnel_udp(e, c, is_orig, ctx); /* may process inner packets */
    return CL_SKIP_NONE;
}

static cl_skip handle_icmp(cl_engine *e, const cl_pkt_ctx *ctx)
{
    const cl_ip_info *ip = ctx->ip;
    if (transport_truncated(ip, 8))
        return CL_SKIP_TRANSPORT_TRUNCATED;
    const uint8_t *p = ip->payload;
    bool v6 = ip->proto == 58;
    flow f = {ip->src, ip->dst, 0, 0, ip->proto, CL_PROTO_ICMP, false};
    f.one_way = !cl_icmp_ports(p[0], p[1], v6, &f.sport, &f.dport);
    cl_conn *c = find_or_create(e, &f, ctx, e->cfg.icmp_inactivity_timeout);
    if (!c)
        return CL_SKIP_NONE;
    cl_icmp_packet(e, c, packet_is_orig(c, &f), ctx);
    idle_touch(e, c, ctx->t);
    return CL_SKIP_NONE;
}

static cl_skip handle_unknown(cl_engine *e, const cl_pkt_ctx *ctx)
{
    const cl_ip_info *ip = ctx->ip;
    flow f = {ip->src, ip->dst, 0, 0, ip->proto, CL_PROTO_UNKNOWN, false};
    cl_conn *c = find_or_create(e, &f, ctx, e->cfg.unknown_ip_inactivity_timeout);
    if (!c)
        return CL_SKIP_NONE;
    int dir = packet_is_orig(c, &f) ? 0 : 1;
    c->pkts[dir]++;
    c->ip_bytes[dir] += ip->ip_bytes;
    c->last_time = ctx->t;
    idle_touch(e, c, ctx->t);
    return CL_SKIP_NONE;
}

static cl_skip dispatch_transport(cl_engine *e, const cl_pkt_ctx *ctx)
{
    switch (ctx->ip->proto) {
    case 6:
        return handle_tcp(e, ctx);
    case 17:
        return handle_udp(e, ctx);
    case 1:
    case 58:
        return handle_icmp(e, ctx);
    case 2:
        return CL_SKIP_NO_TRANSPORT; /* IGMP: a packet analyzer, no connection */
    case 4:
    case 41:
    case 47:
        return cl_tunnel_ip(e, ctx); /* IP-in-IP and GRE */
    default:
        return handle_unknown(e, ctx);
    }
}

/* ---------------------------------------------------------------- */
/* IP and link layers                                                */
/* ---------------------------------------------------------------- */

static cl_skip ip_status_skip(cl_decode_status st)
{
    switch (st) {
    case CL_DEC_BAD_CHECKSUM:
        return CL_SKIP_IP_CHECKSUM;
    case CL_DEC_NO_TRANSPORT:
        return CL_SKIP_NO_TRANSPORT;
    case CL_DEC_NOT_IP:
        return CL_SKIP_NOT_IP;
    default:
        return CL_SKIP_IP_MALFORMED;
    }
}

/* `pre`: the headers as cl_engine_prefetch decoded them, or NULL. */
static cl_skip process_ip(cl_engine *e, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
                          const cl_l2_info *l2, double t, const cl_encap *encap,
                          const cl_prefetch *pre)
{
    unsigned flags = ip_decode_flags(e);
    cl_ip_info ip;
    cl_decode_status st;
    if (pre) {
        ip = pre->ip;
        st = pre->ip_status;
    } else {
        st = cl_decode_ip(p, caplen, wirelen, flags, &ip);
    }
    if (st == CL_DEC_BAD_CHECKSUM && !cl_engine_checksums_apply(e, &ip.src))
        st = cl_decode_ip(p, caplen, wirelen, flags & ~CL_IP_VERIFY_CHECKSUM, &ip);
    if (st != CL_DEC_OK)
        return ip_status_skip(st);

    cl_ip_info whole;
    const cl_ip_info *use = &ip;
    if (ip.is_fragment) {
        cl_frag_result fr = cl_frag_add(e->frag, &ip, caplen, e->network_time, &whole);
        if (fr != CL_FRAG_COMPLETE)
            return CL_SKIP_FRAGMENT;
        use = &whole;
    }
    cl_pkt_ctx ctx = {t, l2, use, encap, use == &ip ? pre : NULL};
    return dispatch_transport(e, &ctx);
}

cl_skip cl_engine_process_ip(cl_engine *e, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
                             const cl_l2_info *l2, double t, const cl_encap *encap)
{
    return process_ip(e, p, caplen, wirelen, l2, t, encap, NULL);
}

static cl_skip process_l2(cl_engine *e, cl_l2_info *l2, double t, const cl_encap *encap,
                          const cl_prefetch *pre)
{
    cl_skip s = process_ip(e, l2->l3, l2->l3_caplen, l2->l3_wirelen, l2, t, encap, pre);
    /* Each further A-MSDU subframe is a packet of its own, as in Zeek. */
    while (l2->amsdu_rest && cl_decode_amsdu_next(l2) == CL_DEC_OK)
        cl_engine_process_ip(e, l2->l3, l2->l3_caplen, l2->l3_wirelen, l2, t, encap);
    return s;
}

cl_skip cl_engine_process_l2(cl_engine *e, cl_l2_info *l2, double t, const cl_encap *encap)
{
    return process_l2(e, l2, t, encap, NULL);
}

static cl_skip process_frame(cl_engine *e, const cl_packet *pkt, double t)
{
    cl_l2_info l2;
    const cl_prefetch *pre = e->hint;
    cl_decode_status st = CL_DEC_OK;
    if (pre)
        l2 = pre->l2;
    else
        st = cl_decode_link(pkt->linktype, pkt->data, pkt->caplen, pkt->wirelen, &l2);
    switch (st) {
    case CL_DEC_OK:
        break;
    case CL_DEC_NOT_IP:
        return CL_SKIP_NOT_IP;
    case CL_DEC_UNSUPPORTED:
        return CL_SKIP_LINKTYPE;
    case CL_DEC_TRUNCATED:
        return CL_SKIP_LINK_TRUNCATED;
    default:
        return CL_SKIP_IP_MALFORMED;
    }
    return process_l2(e, &l2, t, NULL, pre);
}

/* ---------------------------------------------------------------- */
/* Timers                                                            */
/* ---------------------------------------------------------------- */

/* Returns true when the connection was removed. */
static bool fire(cl_engine *e, cl_conn *c, unsigned slot, double now)
{
    if (slot == CL_TIMER_AN_EXPIRE && c->proto != CL_PROTO_TCP)
        return cl_an_timer(e, c, now, false);
    if (slot != CL_TIMER_INACTIVITY)
        return cl_tcp_timer(e, c, slot, now);
    double deadline = c->last_time + cl_conn_inactivity(e, c);
    if (deadline <= now) {
        cl_engine_remove(e, c);
        return true;
    }
    cl_timers_set(&e->timers, c, CL_TIMER_INACTIVITY, deadline);
    return false;
}

static void dispatch_timers(cl_engine *e, unsigned max)
{
    unsigned n = 0, slot;
    cl_conn *c;
    while ((max == 0 || n < max) && (c = cl_timers_next_due(&e->timers, e->network_time, &slot))) {
        n++;
        if (!fire(e, c, slot, e->network_time))
            cl_timers_rearm(&e->timers, c);
    }
}

/* ---------------------------------------------------------------- */
/* Public API                                                        */
/* ---------------------------------------------------------------- */

cl_engine *cl_engine_new(const cl_config *cfg, cl_record_fn on_record, void *user, char *err,
                         size_t errlen)
{
    cl_engine *e = calloc(1, sizeof *e);
    if (!e) {
        if (err && errlen)
            strncpy(err, "out of memory", errlen - 1);
        return NULL;
    }
    e->cfg = *cfg;
    e->keep_l2_context = cfg->l2_context || cfg->conn_key_vlan;
    e->inactivity_values[0] = 0; /* a new connection's: none */
    e->n_inactivity_values = 1;
    e->pf_min_conns = PREFETCH_MIN_CONNS;
    e->on_record = on_record;
    e->user = user;
    e->local_nets = cfg->local_nets;
    if (cfg->private_address_space_is_local)
        cl_netlist_add_private(&e->local_nets);
    cl_netmatch_build(&e->local_match, &e->local_nets);
    cl_netmatch_build(&e->ignore_checksums_match, &cfg->ignore_checksums_nets);

    if (cl_an_engine_init(e, err, errlen) != 0) {
        cl_an_engine_free(e);
        free(e);
        return NULL;
    }
    if (cfg->seed_file) {
        if (cl_uid_init_seed_file(&e->uids, cfg->seed_file, err, errlen) != 0) {
            cl_an_engine_free(e);
            free(e);
            return NULL;
        }
    } else if (cfg->has_seed) {
        cl_uid_init_seed(&e->uids, cfg->seed);
    } else {
        cl_uid_init_random(&e->uids);
    }
    e->uids.instance += (uint64_t)cfg->uid_stream << 32;

    e->frag = cl_frag_new(64u << 20, cfg->frag_timeout);
    if (!e->frag || cl_arena_init(&e->arena, arena_reserve(cfg->max_conns)) != 0 ||
        cl_table_init(&e->table, 4096, e->arena.base) != 0 ||
        cl_timers_init(&e->timers, e->arena.base) != 0) {
        if (err && errlen)
            strncpy(err, "out of memory", errlen - 1);
        cl_engine_free(e);
        return NULL;
    }
    return e;
}

cl_skip cl_engine_packet(cl_engine *e, const cl_packet *pkt)
{
    e->stats.packets++;
    e->stats.bytes += pkt->wirelen;
    double t = (double)pkt->ts_sec + (double)pkt->ts_usec / 1e6;
    if (t > e->network_time)
        e->network_time = t;

    dispatch_timers(e, e->cfg.max_timer_expires);
    cl_frag_expire(e->frag, e->network_time);

    e->hint = e->pf_head != e->pf_tail ? take_hint(e, pkt) : NULL;
    if (e->hint)
        e->stats.prefetched++;
    cl_skip s = process_frame(e, pkt, t);
    e->hint = NULL;
    /* Zeek handles the packet's events (analyzer confirmations and
     * violations among them) before anything else happens. */
    if (e->an.dirty)
        cl_an_drain(e);
    if (s != CL_SKIP_NONE)
        e->stats.skipped[s]++;

    dispatch_timers(e, 0);
    return s;
}

void cl_engine_advance(cl_engine *e, double now)
{
    if (now > e->network_time)
        e->network_time = now;
    dispatch_timers(e, 0);
    cl_frag_expire(e->frag, e->network_time);
}

/* Full keys in memcmp order. Two IPv4 keys compare as their stored
 * forms do (the mapped prefix is the same, the rest is in key order). */
static int key_cmp(const void *a, const void *b)
{
    const cl_conn *ca = *(cl_conn *const *)a, *cb = *(cl_conn *const *)b;
    if (!ca->key.v6 && !cb->key.v6)
        return memcmp(&ca->key, &cb->key, offsetof(cl_ckey, v6));
    cl_key ka, kb;
    cl_conn_full_key(ca, &ka);
    cl_conn_full_key(cb, &kb);
    return memcmp(&ka, &kb, sizeof ka);
}

/* A timer that Zeek runs at termination, with its deadline. */
typedef struct end_timer {
    double t;
    uint64_t order;
    cl_conn *conn;
    unsigned slot;
} end_timer;

static int end_timer_cmp(const void *a, const void *b)
{
    const end_timer *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Zeek pops every pending timer at termination but runs only those
 * flagged for it: TCP attempt timers and the DNS session timeout. */
static void run_end_timers(cl_engine *e, cl_conn **all, size_t n)
{
    end_timer *due = malloc((n ? n : 1) * sizeof *due);
    size_t k = 0;
    for (size_t i = 0; due && i < n; i++) {
        cl_conn *c = all[i];
        unsigned slot = c->proto == CL_PROTO_TCP ? CL_TIMER_TCP_ATTEMPT : CL_TIMER_AN_EXPIRE;
        if (!isinf(c->timer_due[slot]))
            due[k++] = (end_timer){c->timer_due[slot], c->uid, c, slot};
    }
    if (k)
        qsort(due, k, sizeof *due, end_timer_cmp);
    for (size_t i = 0; i < k; i++) {
        cl_conn *c = due[i].conn;
        c->timer_due[due[i].slot] = INFINITY;
        c->removed_at_end = true;
        if (due[i].slot == CL_TIMER_TCP_ATTEMPT) {
            if (!cl_tcp_timer(e, c, due[i].slot, e->network_time))
                c->removed_at_end = false;
        } else if (!cl_an_timer(e, c, e->network_time, true)) {
            c->removed_at_end = false;
        }
    }
    free(due);
}

void cl_engine_flush(cl_engine *e)
{
    size_t n = e->table.n, i = 0;
    if (n == 0)
        return;
    cl_conn **all = malloc(n * sizeof *all);
    if (!all) {
        while (e->idle_head)
            cl_engine_remove(e, e->idle_head);
        return;
    }
    for (cl_conn *c = e->idle_head; c && i < n; c = idle_conn(e, c->idle_next)) {
        c->removed_at_end = false;
        all[i++] = c;
    }
    /* Removing a connection from the table costs a random memory access
     * (and a shift of its probe run): with every connection going, the
     * table is cleared once instead. */
    e->draining = true;
    run_end_timers(e, all, i);
    /* The rest in key order, as Zeek's seeded Drain() does. */
    size_t m = 0;
    for (size_t j = 0; j < i; j++)
        if (!all[j]->removed_at_end)
            all[m++] = all[j];
    qsort(all, m, sizeof *all, key_cmp);
    for (size_t j = 0; j < m; j++)
        cl_engine_remove(e, all[j]);
    free(all);
    cl_table_clear(&e->table);
    e->draining = false;
}

void cl_engine_stats(const cl_engine *e, cl_stats *out)
{
    *out = e->stats;
    out->memory_bytes = sizeof *e + e->arena.used + cl_table_memory(&e->table) +
                        cl_timers_memory(&e->timers) + cl_frag_memory(e->frag);
}

void cl_engine_free(cl_engine *e)
{
    if (!e)
        return;
    while (e->idle_head) {
        cl_conn *c = e->idle_head;
        idle_unlink(e, c);
        conn_release(e, c);
    }
    cl_arena_free(&e->arena);
    cl_table_free(&e->table);
    cl_timers_free(&e->timers);
    free(e->tunnel_ids);
    cl_expect_free(e);
    cl_an_engine_free(e);
    if (e->frag)
        cl_frag_free(e->frag);
    free(e);
}

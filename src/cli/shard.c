/*
 * shard.c - one engine per thread, fed through single-producer
 * single-consumer byte rings.
 *
 * A ring holds variable-length records (a header, then the packet bytes)
 * in a power-of-two buffer; head and tail count bytes forever and are
 * published with release/acquire, in batches, so the reader and a worker
 * touch each other's cache line rarely. A record never wraps: the space
 * left at the end of the buffer is skipped (with a marker when one fits).
 */
#include "cli/shard.h"

#include <pthread.h>
#include <stdio.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode/decode.h"
#include "decode/tunnel.h"
#include "record/uid.h"

#define RING_SIZE ((size_t)8 << 20)
#define RING_MASK (RING_SIZE - 1)
#define PUBLISH_EVERY 32
#define ADVANCE_EVERY 256           /* packets between clock broadcasts */
#define ADVANCE_GAP 0.5             /* ...or seconds of trace time */

enum { REC_PACKET = 1, REC_ADVANCE, REC_WRAP, REC_END };

typedef struct rec_hdr {
    uint32_t len;                   /* whole record, multiple of 8 */
    uint32_t kind;
    int64_t ts_sec;
    uint32_t ts_usec;
    int32_t linktype;
    uint32_t caplen, wirelen;
    double now;                     /* REC_ADVANCE */
} rec_hdr;

typedef struct ring {
    uint8_t *buf;
    _Alignas(64) _Atomic size_t head;
    _Alignas(64) _Atomic size_t tail;
    _Alignas(64) size_t prod_head;  /* producer's own, published in batches */
    unsigned unpublished;
} ring;

/* An engine's formatted records waiting to be written. */
#define BATCH_SIZE ((size_t)64 << 10)

typedef struct batch {
    struct cli_shards *s;
    char *buf;                      /* NULL: records go one by one */
    size_t len;
    uint64_t n;
} batch;

static void flush_batch(batch *b);

typedef struct worker {
    struct cli_shards *s;
    cl_engine *e;
    batch b;
    ring r;
    pthread_t thread;
    bool started;
} worker;

/* Fragmented UDP-tunnel packets seen (their first fragment): the later
 * fragments carry no UDP header, and must follow the first to shard 0. */
#define TUNNEL_FRAGS 64
typedef struct tunnel_frag {
    cl_addr src, dst;
    uint32_t id;
} tunnel_frag;

/* The shard of each packet announced ahead (cli_shards_prefetch), so
 * that cli_shards_packet need not work it out again. */
#define SHARD_MEMO 64               /* at least run.c's LOOKAHEAD_MAX */
typedef struct shard_memo {
    const uint8_t *data;
    uint32_t caplen;
    unsigned shard;
} shard_memo;

struct cli_shards {
    unsigned n;
    shard_memo memo[SHARD_MEMO];
    unsigned memo_head, memo_tail;
    tunnel_frag frags[TUNNEL_FRAGS];
    unsigned next_frag;
    uint64_t share0;                /* hashes below this go to shard 0 (of 2^32) */
    cl_engine *e0;                  /* shard 0, run by the reading thread */
    batch b0;
    worker *w;                      /* shards 1..n-1 */
    cli_output out;
    pthread_mutex_t lock;
    unsigned since_advance;
    double last_ts, advanced_ts;
};

/* ---------------------------------------------------------------- */
/* Waiting                                                           */
/* ---------------------------------------------------------------- */

/* One step of a spin: tell the CPU we are waiting (x86's pause). */
static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The other side usually catches up within microseconds: spin on the
 * CPU first (a yield is a system call and, measured with 2 threads, the
 * scheduler's work made up several percent of the run), then yield, then
 * sleep (an idle live capture). */
static void backoff(unsigned *spins)
{
    ++*spins;
    if (*spins < 2048) {
        cpu_relax();
        return;
    }
    if (*spins < 2048 + 64) {
        sched_yield();
        return;
    }
    struct timespec ts = {0, 100000}; /* 0.1 ms: idle live capture */
    nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------- */
/* Producer                                                          */
/* ---------------------------------------------------------------- */

static void publish(ring *r)
{
    atomic_store_explicit(&r->head, r->prod_head, memory_order_release);
    r->unpublished = 0;
}

/* Room for `need` contiguous bytes: returns where to write them. */
static uint8_t *reserve(ring *r, size_t need)
{
    unsigned spins = 0;
    for (;;) {
        size_t head = r->prod_head, pos = head & RING_MASK, to_end = RING_SIZE - pos;
        size_t want = to_end < need ? to_end + need : need;
        size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (RING_SIZE - (head - tail) >= want) {
            if (to_end < need) {
                if (to_end >= sizeof(rec_hdr)) {
                    rec_hdr wrap = {.len = (uint32_t)to_end, .kind = REC_WRAP};
                    memcpy(r->buf + pos, &wrap, sizeof wrap);
                }
                r->prod_head += to_end;
                pos = 0;
            }
            return r->buf + pos;
        }
        publish(r);
        backoff(&spins);
    }
}

static void put(ring *r, const rec_hdr *h, const uint8_t *data, bool flush)
{
    uint8_t *p = reserve(r, h->len);
    memcpy(p, h, sizeof *h);
    if (h->caplen)
        memcpy(p + sizeof *h, data, h->caplen);
    r->prod_head += h->len;
    if (flush || ++r->unpublished >= PUBLISH_EVERY)
        publish(r);
}

static size_t record_len(uint32_t caplen)
{
    return (sizeof(rec_hdr) + caplen + 7) & ~(size_t)7;
}

/* ---------------------------------------------------------------- */
/* Consumer                                                          */
/* ---------------------------------------------------------------- */

static cl_packet packet_of(const rec_hdr *h)
{
    return (cl_packet){h->ts_sec, h->ts_usec, h->linktype, (const uint8_t *)(h + 1), h->caplen,
                       h->wirelen};
}

/* Handle one record; returns false at the end record. */
static bool consume(worker *w, const rec_hdr *h)
{
    if (h->kind == REC_PACKET) {
        cl_packet pkt = packet_of(h);
        cl_engine_packet(w->e, &pkt);
    } else if (h->kind == REC_ADVANCE) {
        cl_engine_advance(w->e, h->now);
    }
    return h->kind != REC_END;
}

/* The record at ring position *at (skipping the unmarked gap before the
 * end of the buffer), or NULL when *at has reached head. */
static const rec_hdr *record_at(const ring *r, size_t *at, size_t head)
{
    for (;;) {
        if (*at == head)
            return NULL;
        size_t pos = *at & RING_MASK;
        if (RING_SIZE - pos < sizeof(rec_hdr)) {
            *at += RING_SIZE - pos;
            continue;
        }
        return (const rec_hdr *)(r->buf + pos);
    }
}

/* Packets this many records ahead of the one processed are announced to
 * the engine (cl_engine_prefetch); records between tail and head stay in
 * place until tail passes them. */
#define WORKER_LOOKAHEAD 16

static void *worker_main(void *arg)
{
    worker *w = arg;
    ring *r = &w->r;
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t ahead = tail;            /* next record to announce */
    unsigned spins = 0, done = 0, n_ahead = 0;
    bool running = true;
    while (running) {
        size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
        if (tail == head) {
            if (spins == 0)
                flush_batch(&w->b); /* idle: let its records out */
            backoff(&spins);
            continue;
        }
        spins = 0;
        while (tail != head && running) {
            const rec_hdr *a;
            while (n_ahead < WORKER_LOOKAHEAD && (a = record_at(r, &ahead, head))) {
                rec_hdr ah;
                memcpy(&ah, a, sizeof ah);
                if (ah.kind == REC_PACKET) {
                    cl_packet pkt = packet_of(a);
                    cl_engine_prefetch(w->e, &pkt);
                }
                ahead += ah.len;
                n_ahead++;
            }
            const rec_hdr *t = record_at(r, &tail, head);
            if (!t)
                break;
            rec_hdr h;
            memcpy(&h, t, sizeof h);
            if (h.kind != REC_WRAP)
                running = consume(w, t);
            tail += h.len;
            n_ahead--;
            if (++done % PUBLISH_EVERY == 0)
                atomic_store_explicit(&r->tail, tail, memory_order_release);
        }
        atomic_store_explicit(&r->tail, tail, memory_order_release);
    }
    cl_engine_flush(w->e);
    flush_batch(&w->b);
    return NULL;
}

/* ---------------------------------------------------------------- */
/* Records from several threads                                      */
/* ---------------------------------------------------------------- */

/* Writing a record holds the lock for about half a microsecond, and the
 * engines write often: a waiter spins rather than sleeping at once (a
 * futex sleep and wake-up cost several microseconds, and with 2 threads
 * they made up about 6% of a run). */
static void lock_records(cli_shards *s)
{
    for (unsigned spins = 0; spins < 4096; spins++) {
        if (pthread_mutex_trylock(&s->lock) == 0)
            return;
        cpu_relax();
    }
    pthread_mutex_lock(&s->lock);
}

static void on_record_locked(const cl_conn_record *rec, void *user)
{
    cli_shards *s = ((batch *)user)->s;
    lock_records(s);
    s->out.record(rec, s->out.user);
    pthread_mutex_unlock(&s->lock);
}

static void flush_batch(batch *b)
{
    if (!b->buf || b->len == 0)
        return;
    cli_shards *s = b->s;
    lock_records(s);
    s->out.lines(b->buf, b->len, b->n, s->out.user);
    pthread_mutex_unlock(&s->lock);
    b->len = 0;
    b->n = 0;
}

/* Formatting a record costs more than writing it: each engine's thread
 * does it into its own batch, and the lock is taken once per batch. */
static void on_record_batched(const cl_conn_record *rec, void *user)
{
    batch *b = user;
    cli_shards *s = b->s;
    size_t n = s->out.format(rec, b->buf + b->len, BATCH_SIZE - b->len, s->out.user);
    if (n == 0 && b->len) {
        flush_batch(b);
        n = s->out.format(rec, b->buf, BATCH_SIZE, s->out.user);
    }
    if (n == 0) {
        on_record_locked(rec, user); /* longer than a batch */
        return;
    }
    b->len += n;
    b->n++;
}

/* ---------------------------------------------------------------- */
/* Sharding                                                          */
/* ---------------------------------------------------------------- */

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static bool is_tunnel_port(uint16_t port)
{
    switch (port) {
    case 2123: case 2152: case 3544: case 4754: case 4789: case 5072: case 6081:
        return true;
    default:
        return false;
    }
}

/* UDP that a tunnel analyzer would unwrap (by port, or Teredo/AYIYA by
 * payload). Its inner flows may arrive through several outer flows (e.g.
 * Teredo relays), which must meet in one engine together with the outer
 * connections: all of it goes to shard 0. */
static bool udp_tunnel(const cl_ip_info *ip)
{
    if (ip->proto != 17 || ip->payload_caplen < 8)
        return false;
    const uint8_t *u = ip->payload;
    uint16_t sport = (uint16_t)(u[0] << 8 | u[1]), dport = (uint16_t)(u[2] << 8 | u[3]);
    if (is_tunnel_port(sport) || is_tunnel_port(dport))
        return true;
    return cl_teredo_detect(u + 8, ip->payload_caplen - 8) ||
           cl_ayiya_detect(u + 8, ip->payload_caplen - 8);
}

/* The IP header whose address pair decides the shard: the innermost one
 * of IP-in-IP and GRE tunnels (they have no outer connection, and a flow
 * may come through several of them or none). Returns false for packets
 * that go to shard 0 (not IP, UDP tunnels and their fragments). */
static bool same_datagram(const tunnel_frag *f, const cl_ip_info *ip)
{
    return f->id == ip->frag_id && memcmp(&f->src, &ip->src, sizeof f->src) == 0 &&
           memcmp(&f->dst, &ip->dst, sizeof f->dst) == 0;
}

/* Does this fragment belong to a UDP tunnel (shard 0)? Its first
 * fragment shows the UDP header and is remembered; later ones are
 * recognised by addresses and IP id (a later fragment that overtakes the
 * first goes by its addresses instead). */
static bool tunnel_fragment(cli_shards *s, const cl_ip_info *ip)
{
    if (ip->frag_offset == 0) {
        if (!udp_tunnel(ip))
            return false;
        tunnel_frag *f = &s->frags[s->next_frag++ % TUNNEL_FRAGS];
        f->src = ip->src;
        f->dst = ip->dst;
        f->id = ip->frag_id;
        return true;
    }
    if (ip->proto != 17)
        return false;
    for (unsigned i = 0; i < TUNNEL_FRAGS; i++)
        if (same_datagram(&s->frags[i], ip))
            return true;
    return false;
}

static bool shard_ip(cli_shards *s, const cl_packet *pkt, const uint8_t **ip, uint32_t *len)
{
    cl_l2_info l2;
    if (cl_decode_link(pkt->linktype, pkt->data, pkt->caplen, pkt->wirelen, &l2) != CL_DEC_OK)
        return false;
    const uint8_t *p = l2.l3;
    uint32_t cap = l2.l3_caplen, wire = l2.l3_wirelen;
    for (int depth = 0; depth < 4; depth++) {
        *ip = p;
        *len = cap;
        cl_ip_info info;
        if (cl_decode_ip(p, cap, wire, CL_IP_ZERO_LEN_OK, &info) != CL_DEC_OK)
            return true;
        if (info.is_fragment)
            return !tunnel_fragment(s, &info);
        if (udp_tunnel(&info))
            return false;
        cl_inner in = {CL_INNER_IP, 0};
        if (info.proto == 47) {
            if (!cl_gre_parse(info.payload, info.payload_caplen, &in))
                return true;
        } else if (info.proto != 4 && info.proto != 41) {
            return true;
        }
        if (in.offset >= info.payload_caplen)
            return true;
        p = info.payload + in.offset;
        cap = info.payload_caplen - in.offset;
        wire = info.payload_len > in.offset ? info.payload_len - in.offset : cap;
        if (in.kind != CL_INNER_IP) {
            int dlt = in.kind == CL_INNER_ETHERNET ? CL_DLT_EN10MB : CL_DLT_IEEE802_11;
            if (cl_decode_link(dlt, p, cap, wire, &l2) != CL_DEC_OK)
                return true;
            p = l2.l3;
            cap = l2.l3_caplen;
            wire = l2.l3_wirelen;
        }
    }
    return true;
}

/* Symmetric in the two addresses (XOR), then mixed (splitmix64's
 * finaliser) so that address structure does not skew the shards. */
static unsigned shard_of(cli_shards *s, const cl_packet *pkt)
{
    const uint8_t *p;
    uint32_t len;
    if (!shard_ip(s, pkt, &p, &len))
        return 0;
    uint64_t h;
    if (len >= 20 && (p[0] >> 4) == 4)
        h = load32(p + 12) ^ load32(p + 16);
    else if (len >= 40 && (p[0] >> 4) == 6)
        h = load64(p + 8) ^ load64(p + 16) ^ load64(p + 24) ^ load64(p + 32);
    else
        return 0;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebu;
    h ^= h >> 31;
    uint64_t h32 = h & 0xffffffffu;
    if (h32 < s->share0)
        return 0;
    return 1 + (unsigned)(((h32 - s->share0) * (s->n - 1)) / ((1ull << 32) - s->share0));
}

/* The reading thread also reads the input and copies the workers' packets
 * to their rings, which costs about a quarter of what analysing a packet
 * does: it takes a smaller share of the flows so that it does not hold
 * the workers up (with 2 threads, 3/8 instead of 1/2). */
#define READ_COST 0.25

static uint64_t first_share(unsigned n)
{
    if (n < 2)
        return 1ull << 32;
    double f = (1.0 - READ_COST * (n - 1)) / n;
    if (f < 0.0)
        f = 0.0;
    return (uint64_t)(f * 4294967296.0);
}

/* A shard's part of the --max-conns bound: its share of the hash space
 * (of `space`), rounded up, at least 1. */
static uint64_t shard_bound(uint64_t max_all, uint64_t share, uint64_t space)
{
    /* space is 2^32 and share at most that: no product overflows */
    uint64_t b = max_all / space * share + (max_all % space * share + space - 1) / space;
    return b ? b : 1;
}

static const uint8_t no_data[1];

static void broadcast_advance(cli_shards *s, double now)
{
    rec_hdr h = {.len = (uint32_t)record_len(0), .kind = REC_ADVANCE, .now = now};
    for (unsigned i = 0; i + 1 < s->n; i++)
        put(&s->w[i].r, &h, no_data, true);
    cl_engine_advance(s->e0, now);
    s->advanced_ts = now;
    s->since_advance = 0;
}

/* An engine wants its packets announced about 16 of its own packets ahead
 * (cl_engine_prefetch loads connections 12 announcements after): the
 * reader holds back that many of the first engine's share of the flows. */
#define ENGINE_LOOKAHEAD 16

unsigned cli_shards_lookahead(const cli_shards *s)
{
    if (s->n == 1 || s->share0 == 0)
        return ENGINE_LOOKAHEAD;
    return (unsigned)((ENGINE_LOOKAHEAD * (1ull << 32) + s->share0 - 1) / s->share0);
}

/* The reading thread's own engine gets its packets announced like a
 * single engine does (the workers announce theirs from their rings). */
void cli_shards_prefetch(cli_shards *s, const cl_packet *pkt)
{
    if (s->n == 1) {
        cl_engine_prefetch(s->e0, pkt);
        return;
    }
    unsigned k = shard_of(s, pkt);
    if (s->memo_head - s->memo_tail == SHARD_MEMO)
        s->memo_tail++;
    s->memo[s->memo_head++ % SHARD_MEMO] = (shard_memo){pkt->data, pkt->caplen, k};
    if (k == 0)
        cl_engine_prefetch(s->e0, pkt);
}

/* The shard of pkt: from its announcement when it was the next one
 * announced, else worked out now (and the announcements forgotten, as
 * packets no longer come in their order). */
static unsigned shard_of_next(cli_shards *s, const cl_packet *pkt)
{
    if (s->memo_tail != s->memo_head) {
        const shard_memo *m = &s->memo[s->memo_tail % SHARD_MEMO];
        if (m->data == pkt->data && m->caplen == pkt->caplen) {
            s->memo_tail++;
            return m->shard;
        }
        s->memo_tail = s->memo_head;
    }
    return shard_of(s, pkt);
}

void cli_shards_packet(cli_shards *s, const cl_packet *pkt)
{
    if (s->n == 1) {
        cl_engine_packet(s->e0, pkt);
        return;
    }
    double t = (double)pkt->ts_sec + (double)pkt->ts_usec / 1e6;
    if (t > s->last_ts)
        s->last_ts = t;
    unsigned k = shard_of_next(s, pkt);
    if (k == 0) {
        cl_engine_packet(s->e0, pkt);
    } else {
        rec_hdr h = {.len = (uint32_t)record_len(pkt->caplen), .kind = REC_PACKET,
                     .ts_sec = pkt->ts_sec, .ts_usec = pkt->ts_usec, .linktype = pkt->linktype,
                     .caplen = pkt->caplen, .wirelen = pkt->wirelen};
        put(&s->w[k - 1].r, &h, pkt->data, false);
    }
    /* Everyone's clock follows the trace, so timers fire in every shard. */
    if (++s->since_advance >= ADVANCE_EVERY || s->last_ts - s->advanced_ts >= ADVANCE_GAP)
        broadcast_advance(s, s->last_ts);
}

void cli_shards_advance(cli_shards *s, double now)
{
    if (now > s->last_ts)
        s->last_ts = now;
    if (s->n == 1) {
        cl_engine_advance(s->e0, now);
    } else {
        broadcast_advance(s, s->last_ts);
        flush_batch(&s->b0); /* idle: let the first engine's records out */
    }
}

/* ---------------------------------------------------------------- */
/* Life cycle                                                        */
/* ---------------------------------------------------------------- */

cli_shards *cli_shards_start(const cl_config *cfg, unsigned n, const cli_output *out, char *err,
                             size_t errlen)
{
    if (n < 1)
        n = 1;
    if (n > CLI_MAX_THREADS)
        n = CLI_MAX_THREADS;
    cli_shards *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    s->share0 = first_share(n);
    s->out = *out;
    pthread_mutex_init(&s->lock, NULL);
    bool batched = n > 1 && out->format && out->lines;
    cl_record_fn cb = n == 1 ? out->record : batched ? on_record_batched : on_record_locked;
    s->b0.s = s;
    if (batched && !(s->b0.buf = malloc(BATCH_SIZE))) {
        snprintf(err, errlen, "out of memory");
        cli_shards_free(s);
        return NULL;
    }

    cl_config c = *cfg;
    if (n > 1 && !c.seed_file && !c.has_seed) {
        /* One uid key for all engines (they differ by stream): tunnel
         * identities, named from their addresses, then agree. */
        cl_random_bytes(&c.seed, sizeof c.seed);
        c.has_seed = true;
    }
    /* The bound is for all shards, each taking its share of the flows. */
    uint64_t max_all = c.max_conns;
    if (n > 1 && max_all)
        c.max_conns = shard_bound(max_all, s->share0, 1ull << 32);
    s->e0 = cl_engine_new(&c, cb, n == 1 ? out->user : (void *)&s->b0, err, errlen);
    if (!s->e0 || n == 1)
        goto out;
    s->w = calloc(n - 1, sizeof *s->w);
    if (!s->w)
        goto fail;
    for (unsigned i = 0; i + 1 < n; i++) {
        worker *w = &s->w[i];
        w->s = s;
        w->b.s = s;
        if (batched && !(w->b.buf = malloc(BATCH_SIZE)))
            goto fail;
        c.uid_stream = i + 1; /* engines must not hand out the same uids */
        if (max_all)
            c.max_conns = shard_bound(max_all, ((1ull << 32) - s->share0) / (n - 1), 1ull << 32);
        w->e = cl_engine_new(&c, cb, &w->b, err, errlen);
        w->r.buf = malloc(RING_SIZE);
        if (!w->e || !w->r.buf)
            goto fail;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
            goto fail;
        w->started = true;
    }
out:
    if (!s->e0) {
        cli_shards_free(s);
        return NULL;
    }
    return s;
fail:
    cli_shards_finish(s);
    cli_shards_free(s);
    return NULL;
}

void cli_shards_finish(cli_shards *s)
{
    rec_hdr end = {.len = (uint32_t)record_len(0), .kind = REC_END};
    for (unsigned i = 0; s->w && i + 1 < s->n; i++) {
        worker *w = &s->w[i];
        if (!w->started)
            continue;
        put(&w->r, &end, no_data, true);
    }
    if (s->e0)
        cl_engine_flush(s->e0);
    flush_batch(&s->b0);
    for (unsigned i = 0; s->w && i + 1 < s->n; i++) {
        worker *w = &s->w[i];
        if (w->started)
            pthread_join(w->thread, NULL);
        w->started = false;
    }
}

static void add_stats(cl_stats *sum, const cl_stats *st)
{
    sum->packets += st->packets;
    sum->bytes += st->bytes;
    for (int i = 0; i < CL_SKIP_COUNT; i++)
        sum->skipped[i] += st->skipped[i];
    sum->conns_created += st->conns_created;
    sum->conns_logged += st->conns_logged;
    sum->conns_evicted += st->conns_evicted;
    sum->conns_live += st->conns_live;
    sum->conns_peak += st->conns_peak; /* an upper bound: peaks need not coincide */
    sum->checksum_failures += st->checksum_failures;
    sum->checksum_checked += st->checksum_checked;
    sum->memory_bytes += st->memory_bytes;
    sum->prefetched += st->prefetched;
}

void cli_shards_stats(const cli_shards *s, cl_stats *sum)
{
    memset(sum, 0, sizeof *sum);
    cl_stats st;
    if (s->e0) {
        cl_engine_stats(s->e0, &st);
        add_stats(sum, &st);
    }
    for (unsigned i = 0; s->w && i + 1 < s->n; i++) {
        if (s->w[i].e) {
            cl_engine_stats(s->w[i].e, &st);
            add_stats(sum, &st);
        }
    }
}

void cli_shards_free(cli_shards *s)
{
    if (!s)
        return;
    for (unsigned i = 0; s->w && i + 1 < s->n; i++) {
        cl_engine_free(s->w[i].e);
        free(s->w[i].r.buf);
        free(s->w[i].b.buf);
    }
    free(s->w);
    cl_engine_free(s->e0);
    free(s->b0.buf);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/*
 * tracegen.c - deterministic synthetic pcap traces for the connlog benchmark.
 *
 *   tracegen [--seed N] [--conversations N] [--concurrent N] [-o FILE]
 *   tracegen [--seed N] --flood N [--flood-rate PPS] [-o FILE]
 *
 * Realistic mix (default): about N conversations are open at any moment and
 * their packets interleave in time order. Each conversation is planned as a
 * short script of packets (relative time, direction, TCP flags, payload
 * length) when it starts; a binary heap keyed by the next packet time merges
 * all live scripts into one time-ordered stream. When a conversation ends a
 * new one starts, so the number of live conversations stays at --concurrent
 * until the supply runs out.
 *
 *   TCP  68%  3-way handshake, 1-5 request/response exchanges (small, MSS
 *             sized and multi-segment), FIN teardown from either side
 *        5%   rejected: SYN, RST-ACK
 *        5%   reset mid-stream
 *        4%   unanswered SYN with 1-3 retransmissions (1 s, 2 s, 4 s backoff)
 *   UDP  13%  DNS query/response (real DNS messages, some unanswered or
 *             retransmitted, some A+AAAA pairs), 1% NTP
 *   ICMP 4%   echo request/reply pairs (some unanswered)
 *   about 10% of the conversations are IPv6.
 *
 * Flood mode: N TCP SYNs, each from a unique IPv4 source, to one server.
 *
 * Every frame is Ethernet II with correct IPv4 header, TCP, UDP, ICMP and
 * ICMPv6 checksums; timestamps have microsecond resolution and advance
 * monotonically. Output is classic little-endian pcap (no libpcap needed),
 * written through a large buffer. The same seed and options always give the
 * same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64 seeds xoshiro256**                                 */
/* ------------------------------------------------------------------ */

static uint64_t rs[4];

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rnd_seed(uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rs[i] = splitmix64(&x);
}

static inline uint64_t rotl64(uint64_t v, int k)
{
    return (v << k) | (v >> (64 - k));
}

static inline uint64_t rnd(void)
{
    uint64_t r = rotl64(rs[1] * 5, 7) * 9;
    uint64_t t = rs[1] << 17;
    rs[2] ^= rs[0];
    rs[3] ^= rs[1];
    rs[1] ^= rs[2];
    rs[0] ^= rs[3];
    rs[2] ^= t;
    rs[3] = rotl64(rs[3], 45);
    return r;
}

/* Uniform in [0, n). */
static inline uint32_t rnd_below(uint32_t n)
{
    return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
    return lo + rnd_below(hi - lo + 1);
}

/* Uniform in [0, 1). */
static inline double rnd_unit(void)
{
    return (double)(rnd() >> 11) * 0x1.0p-53;
}

static inline bool rnd_pct(double pct)
{
    return rnd_unit() * 100.0 < pct;
}

/* Exponential with the given mean. */
static inline double rnd_exp(double mean)
{
    return -mean * log1p(-rnd_unit());
}

/* Log-uniform in [lo, hi]. */
static inline double rnd_logu(double lo, double hi)
{
    return lo * exp(rnd_unit() * log(hi / lo));
}

/* ------------------------------------------------------------------ */
/* Output: classic pcap through one large buffer                       */
/* ------------------------------------------------------------------ */

#define OBUF_SIZE (8u << 20)
#define MAX_FRAME 1600u

static FILE *ofp;
static const char *opath;
static uint8_t *obuf;
static size_t olen;
static uint64_t n_packets, n_bytes; /* bytes = frame bytes, without pcap headers */
static uint64_t last_ts;            /* microseconds since trace start */

static void die(const char *msg)
{
    fprintf(stderr, "tracegen: %s\n", msg);
    exit(1);
}

static void out_flush(void)
{
    if (olen && fwrite(obuf, 1, olen, ofp) != olen) {
        fprintf(stderr, "tracegen: %s: write failed: %s\n", opath, strerror(errno));
        exit(1);
    }
    olen = 0;
}

static inline void put16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void out_header(void)
{
    uint8_t h[24];
    put32le(h, 0xa1b2c3d4u);     /* microsecond pcap */
    h[4] = 2, h[5] = 0;          /* version 2.4 */
    h[6] = 4, h[7] = 0;
    put32le(h + 8, 0);           /* thiszone */
    put32le(h + 12, 0);          /* sigfigs */
    put32le(h + 16, 65535);      /* snaplen */
    put32le(h + 20, 1);          /* LINKTYPE_ETHERNET */
    memcpy(obuf, h, sizeof h);
    olen = sizeof h;
}

/* Room for one record header and frame; returns the frame start. */
static inline uint8_t *frame_begin(void)
{
    if (olen + 16 + MAX_FRAME > OBUF_SIZE)
        out_flush();
    return obuf + olen + 16;
}

static uint64_t base_us; /* trace start, microseconds since the epoch */

static inline void frame_end(uint64_t ts_us, uint32_t len)
{
    uint8_t *r = obuf + olen;
    uint64_t t = base_us + ts_us;
    put32le(r, (uint32_t)(t / 1000000u));
    put32le(r + 4, (uint32_t)(t % 1000000u));
    put32le(r + 8, len);
    put32le(r + 12, len);
    olen += 16 + len;
    n_packets++;
    n_bytes += len;
    last_ts = ts_us;
}

/* ------------------------------------------------------------------ */
/* Internet checksum (RFC 1071), summed in host order                  */
/* ------------------------------------------------------------------ */

static inline uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        sum += w;
        p += 4, n -= 4;
    }
    if (n >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        sum += w;
        p += 2, n -= 2;
    }
    if (n) {
        uint8_t last[2] = {p[0], 0};
        uint16_t w;
        memcpy(&w, last, 2);
        sum += w;
    }
    return sum;
}

/* Fold and complement; store the result where it goes (host order in,
 * host order out: the one's complement sum is byte-order independent). */
static inline void csum_store(uint8_t *where, uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    memcpy(where, &c, 2);
}

/* ------------------------------------------------------------------ */
/* Conversations                                                       */
/* ------------------------------------------------------------------ */

enum { TH_FIN = 1, TH_SYN = 2, TH_RST = 4, TH_PSH = 8, TH_ACK = 16 };

enum kind {
    K_TCP,        /* normal */
    K_TCP_REJ,    /* SYN, RST-ACK */
    K_TCP_RST,    /* reset mid-stream */
    K_TCP_NOANS,  /* unanswered SYN */
    K_DNS,
    K_NTP,
    K_ICMP,
    K_COUNT
};

static const char *const kind_name[K_COUNT] = {
    "tcp", "tcp-rejected", "tcp-reset", "tcp-unanswered", "dns", "ntp", "icmp-echo"};

/* Percent of conversations of each kind (sums to 100). */
static const double kind_pct[K_COUNT] = {68, 5, 5, 4, 12, 1, 5};

#define MAXEV 64
#define MSS 1460

typedef struct ev {
    uint32_t dt;    /* microseconds since the conversation started */
    uint16_t len;   /* payload bytes (TCP/UDP generic) */
    uint8_t dir;    /* 0 client->server, 1 server->client */
    uint8_t flags;  /* TCP flags; DNS: 1 = AAAA question; ICMP: sequence */
} ev;

typedef struct conv {
    uint64_t start;          /* microseconds since trace start */
    uint8_t kind, v6, nev, iev;
    uint8_t http;            /* port 80: HTTP text payloads */
    uint8_t last_data_dir;   /* 2 = none yet */
    uint8_t ttl[2];
    uint32_t client;         /* host index */
    uint8_t caddr[16], saddr[16];
    uint16_t cport, sport;
    uint32_t seq[2];         /* next sequence number per direction */
    uint8_t syn_seen[2];
    uint16_t win[2];
    uint16_t ipid[2];
    uint16_t xid;            /* DNS id / ICMP id */
    uint32_t name;           /* DNS name number */
    uint32_t flow;           /* IPv6 flow label */
    ev ev[MAXEV];
} conv;

static uint8_t filler[1 << 16];

/* Hosts: clients on the local side (10/8, fd00::/8), servers outside. */
static uint32_t n_clients;
static uint16_t *client_port;  /* next ephemeral port per client */
#define N_SERVERS 4096u
#define N_RESOLVERS 8u
#define N_NTP 4u

static const uint8_t router_mac[6] = {0x02, 0xff, 0x00, 0x00, 0x00, 0x01};

static void client_mac(uint32_t h, uint8_t mac[6])
{
    mac[0] = 0x02, mac[1] = 0x00;
    put32be(mac + 2, h + 1);
}

static void set_v4(uint8_t a[16], uint32_t ip)
{
    memset(a, 0, 16);
    put32be(a, ip);
}

static void set_v6(uint8_t a[16], uint32_t net_hi, uint32_t net_lo, uint32_t host)
{
    put32be(a, net_hi);
    put32be(a + 4, net_lo);
    put32be(a + 8, 0x02000000u);
    put32be(a + 12, host);
}

/* Server index skewed toward popular servers. */
static uint32_t pick_server(void)
{
    double u = rnd_unit();
    return (uint32_t)(u * u * u * N_SERVERS);
}

static void addr_client(conv *c)
{
    uint32_t h = c->client + 1;
    if (c->v6)
        set_v6(c->caddr, 0xfd00cafeu, 0x00010000u | (h >> 24), h);
    else
        set_v4(c->caddr, 0x0a000000u | (h & 0xffffffu));
}

static void addr_server(conv *c, uint32_t s, uint32_t net4)
{
    if (c->v6)
        set_v6(c->saddr, 0x20010db8u, net4 >> 8, s + 1);
    else
        set_v4(c->saddr, net4 + s + 1);
}

static uint16_t next_port(uint32_t client)
{
    uint16_t p = client_port[client];
    client_port[client] = (uint16_t)(p >= 60999 ? 32768 : p + 1);
    return p;
}

/* Script building. */
static void add_ev(conv *c, uint64_t t, int dir, int flags, uint32_t len)
{
    if (c->nev >= MAXEV)
        die("internal: conversation script overflow");
    if (c->nev && t <= c->ev[c->nev - 1].dt)
        t = c->ev[c->nev - 1].dt + 1;
    if (t > UINT32_MAX)
        t = UINT32_MAX;
    ev *e = &c->ev[c->nev++];
    e->dt = (uint32_t)t;
    e->len = (uint16_t)len;
    e->dir = (uint8_t)dir;
    e->flags = (uint8_t)flags;
}

static uint32_t request_size(const conv *c)
{
    if (c->http)
        return rnd_range(180, 700);
    if (rnd_pct(80))
        return rnd_range(30, 300);
    return rnd_range(300, 1000);
}

static uint32_t response_size(void)
{
    double u = rnd_unit();
    if (u < 0.85)
        return rnd_range(40, 500);
    if (u < 0.98)
        return rnd_range(MSS + 40, 3 * MSS);
    return rnd_range(4 * MSS, 8 * MSS);
}

/* Server sends `total` bytes in MSS segments starting at t; the client
 * acknowledges every second segment and the last. Returns the new time. */
static uint64_t plan_response(conv *c, uint64_t t, uint32_t total, uint32_t ack_delay)
{
    uint32_t nseg = 0;
    while (total) {
        uint32_t seg = total > MSS ? MSS : total;
        total -= seg;
        nseg++;
        add_ev(c, t, 1, total ? TH_ACK : TH_ACK | TH_PSH, seg);
        t += rnd_range(2, 60);
        if ((nseg % 2 == 0 || total == 0) && c->nev < MAXEV - 8) {
            add_ev(c, t + (total ? rnd_range(5, 80) : ack_delay), 0, TH_ACK, 0);
        }
        if (c->nev >= MAXEV - 8)
            break; /* keep room for the teardown */
    }
    return t;
}

static void plan_tcp(conv *c)
{
    uint64_t t = 0;
    uint32_t rtt = (uint32_t)rnd_logu(200, 150000);
    double think = rnd_logu(20000, 3000000);
    add_ev(c, t, 0, TH_SYN, 0);
    t += rtt;
    add_ev(c, t, 1, TH_SYN | TH_ACK, 0);
    t += rnd_range(10, 200);
    add_ev(c, t, 0, TH_ACK, 0);

    uint32_t exchanges = 1;
    while (exchanges < 5 && rnd_pct(30))
        exchanges++;
    if (c->kind == K_TCP_RST)
        exchanges = 1 + rnd_below(2);
    for (uint32_t i = 0; i < exchanges && c->nev < MAXEV - 12; i++) {
        t += i == 0 ? rnd_range(5, 400) : (uint64_t)rnd_exp(think);
        uint32_t req = request_size(c);
        while (req > MSS && c->nev < MAXEV - 12) {
            add_ev(c, t, 0, TH_ACK, MSS);
            req -= MSS;
            t += rnd_range(2, 60);
        }
        add_ev(c, t, 0, TH_ACK | TH_PSH, req);
        t += rtt + (uint64_t)rnd_exp(2000);
        t = plan_response(c, t, response_size(),
                          rnd_pct(50) ? rnd_range(20, 200) : rnd_range(1000, 40000));
    }

    if (c->kind == K_TCP_RST) {
        t += (uint64_t)rnd_exp(think);
        int dir = rnd_pct(50);
        add_ev(c, t, dir, rnd_pct(50) ? TH_RST : TH_RST | TH_ACK, 0);
        return;
    }
    t += (uint64_t)rnd_exp(think);
    if (rnd_pct(75)) { /* client closes */
        add_ev(c, t, 0, TH_FIN | TH_ACK, 0);
        t += rtt;
        add_ev(c, t, 1, TH_FIN | TH_ACK, 0);
        t += rnd_range(10, 200);
        add_ev(c, t, 0, TH_ACK, 0);
    } else {             /* server closes */
        add_ev(c, t, 1, TH_FIN | TH_ACK, 0);
        t += rnd_range(20, 3000);
        add_ev(c, t, 0, TH_FIN | TH_ACK, 0);
        t += rtt;
        add_ev(c, t, 1, TH_ACK, 0);
    }
}

static void plan(conv *c)
{
    c->nev = c->iev = 0;
    c->last_data_dir = 2;
    c->http = 0;
    c->v6 = rnd_pct(10);
    c->ttl[0] = 64;
    c->ttl[1] = (uint8_t)rnd_range(40, 120);
    c->ipid[0] = (uint16_t)rnd();
    c->ipid[1] = (uint16_t)rnd();
    c->flow = (uint32_t)rnd() & 0xfffffu;
    c->client = rnd_below(n_clients);
    addr_client(c);
    c->cport = next_port(c->client);
    c->syn_seen[0] = c->syn_seen[1] = 0;
    c->seq[0] = (uint32_t)rnd();
    c->seq[1] = (uint32_t)rnd();
    c->win[0] = (uint16_t)rnd_range(1024, 65535);
    c->win[1] = (uint16_t)rnd_range(1024, 65535);

    double u = rnd_unit() * 100.0;
    int k = 0;
    for (; k < K_COUNT - 1; k++) {
        if (u < kind_pct[k])
            break;
        u -= kind_pct[k];
    }
    c->kind = (uint8_t)k;

    switch (c->kind) {
    case K_TCP:
    case K_TCP_RST: {
        addr_server(c, pick_server(), 0xc6120000u); /* 198.18.0.0/15 */
        uint32_t p = rnd_below(100);
        c->sport = p < 60 ? 443 : p < 85 ? 80 : p < 88 ? 22 : p < 91 ? 25 : p < 95 ? 8080
                                                                            : (uint16_t)rnd_range(1024, 30000);
        c->http = c->sport == 80 || c->sport == 8080;
        plan_tcp(c);
        break;
    }
    case K_TCP_REJ: {
        addr_server(c, pick_server(), 0xc6120000u);
        c->sport = (uint16_t)rnd_range(1, 10000);
        uint32_t rtt = (uint32_t)rnd_logu(200, 150000);
        add_ev(c, 0, 0, TH_SYN, 0);
        add_ev(c, rtt, 1, TH_RST | TH_ACK, 0);
        break;
    }
    case K_TCP_NOANS: {
        addr_server(c, pick_server(), 0xc6130000u);
        c->sport = rnd_pct(50) ? 443 : (uint16_t)rnd_range(1, 10000);
        uint32_t retx = 1 + rnd_below(3);
        uint64_t t = 0, rto = 1000000;
        add_ev(c, 0, 0, TH_SYN, 0);
        for (uint32_t i = 0; i < retx; i++) {
            t += rto + rnd_below(2000);
            rto *= 2;
            add_ev(c, t, 0, TH_SYN, 0);
        }
        break;
    }
    case K_DNS: {
        addr_server(c, rnd_below(N_RESOLVERS), 0xc6120000u);
        c->sport = 53;
        c->xid = (uint16_t)rnd();
        c->name = rnd_below(200000);
        uint32_t rtt = (uint32_t)rnd_logu(300, 60000);
        uint64_t t = 0;
        int pair = rnd_pct(30);
        if (rnd_pct(3)) { /* unanswered, retried once */
            add_ev(c, t, 0, 0, 0);
            add_ev(c, t + 1000000 + rnd_below(5000), 0, 0, 0);
            break;
        }
        if (rnd_pct(4)) { /* lost once, retried, answered */
            add_ev(c, t, 0, 0, 0);
            t += 1000000 + rnd_below(5000);
        }
        add_ev(c, t, 0, 0, 0);
        if (pair)
            add_ev(c, t + rnd_range(5, 100), 0, 1, 0);
        t += rtt;
        add_ev(c, t, 1, 0, 0);
        if (pair)
            add_ev(c, t + rnd_range(5, 300), 1, 1, 0);
        break;
    }
    case K_NTP: {
        addr_server(c, rnd_below(N_NTP), 0xc6130100u);
        c->sport = 123;
        add_ev(c, 0, 0, 0, 48);
        add_ev(c, (uint32_t)rnd_logu(1000, 100000), 1, 0, 48);
        break;
    }
    case K_ICMP: {
        addr_server(c, pick_server(), 0xc6120000u);
        c->sport = 0;
        c->xid = (uint16_t)rnd();
        uint32_t rtt = (uint32_t)rnd_logu(300, 150000);
        uint32_t n = 1 + rnd_below(4);
        bool answered = !rnd_pct(5);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t t = (uint64_t)i * 1000000 + rnd_below(3000);
            add_ev(c, t, 0, (int)i + 1, 56);
            if (answered)
                add_ev(c, t + rtt, 1, (int)i + 1, 56);
        }
        break;
    }
    }
}

/* ------------------------------------------------------------------ */
/* Packet emission                                                     */
/* ------------------------------------------------------------------ */

/* Ethernet + IP header for conversation c in direction dir carrying l4len
 * transport bytes of protocol proto. Returns the transport start and the
 * checksum seed (pseudo header sum). */
static uint8_t *emit_ip(conv *c, uint8_t *f, int dir, uint8_t proto, uint32_t l4len,
                        uint64_t *pseudo, uint32_t *framelen)
{
    const uint8_t *src = dir ? c->saddr : c->caddr;
    const uint8_t *dst = dir ? c->caddr : c->saddr;
    uint8_t cmac[6];
    client_mac(c->client, cmac);
    memcpy(f, dir ? cmac : router_mac, 6);
    memcpy(f + 6, dir ? router_mac : cmac, 6);
    uint8_t *ip = f + 14;
    if (!c->v6) {
        put16be(f + 12, 0x0800);
        ip[0] = 0x45;
        ip[1] = 0;
        put16be(ip + 2, (uint16_t)(20 + l4len));
        put16be(ip + 4, c->ipid[dir]++);
        put16be(ip + 6, 0x4000);
        ip[8] = c->ttl[dir];
        ip[9] = proto;
        ip[10] = ip[11] = 0;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        csum_store(ip + 10, csum_add(0, ip, 20));
        uint8_t ph[4] = {0, proto, (uint8_t)(l4len >> 8), (uint8_t)l4len};
        *pseudo = proto == 1 ? 0 : csum_add(csum_add(0, ip + 12, 8), ph, 4);
        *framelen = 14 + 20 + l4len;
        return ip + 20;
    }
    put16be(f + 12, 0x86dd);
    put32be(ip, 0x60000000u | c->flow);
    put16be(ip + 4, (uint16_t)l4len);
    ip[6] = proto;
    ip[7] = c->ttl[dir];
    memcpy(ip + 8, src, 16);
    memcpy(ip + 24, dst, 16);
    uint8_t ph[8] = {0, 0, (uint8_t)(l4len >> 8), (uint8_t)l4len, 0, 0, 0, proto};
    *pseudo = csum_add(csum_add(0, ip + 8, 32), ph, 8);
    *framelen = 14 + 40 + l4len;
    return ip + 40;
}

static const char http_req_head[] = "GET /static/%08x.bin HTTP/1.1\r\nHost: www%u.example.com\r\n"
                                    "User-Agent: tracegen/1.0\r\nAccept: */*\r\nX-Pad: ";
static const char http_resp_head[] = "HTTP/1.1 200 OK\r\nServer: tracegen\r\nContent-Type: "
                                     "application/octet-stream\r\nContent-Length: %u\r\n\r\n";

/* Fill payload bytes: HTTP text at the start of a request or response on
 * an HTTP conversation, otherwise filler. */
static void fill_payload(conv *c, uint8_t *p, uint32_t len, int dir, bool first_of_msg, uint32_t msg_len)
{
    uint32_t off = 0;
    if (c->http && first_of_msg) {
        char h[256];
        int n;
        if (dir == 0) {
            n = snprintf(h, sizeof h, http_req_head, (unsigned)rnd(), c->saddr[3] + 0u);
            /* The request is exactly len bytes: the X-Pad value absorbs the rest. */
            if ((uint32_t)n + 4 + 1 <= len) {
                memcpy(p, h, (size_t)n);
                memset(p + n, 'a', len - (uint32_t)n - 4);
                memcpy(p + len - 4, "\r\n\r\n", 4);
                return;
            }
        } else {
            /* Content-Length is the body: the message minus this header,
             * whose own length depends on the digits; settle it twice. */
            uint32_t body = msg_len;
            for (int k = 0; k < 3; k++) {
                n = snprintf(h, sizeof h, http_resp_head, body);
                body = msg_len > (uint32_t)n ? msg_len - (uint32_t)n : 0;
            }
            n = snprintf(h, sizeof h, http_resp_head, body);
            if ((uint32_t)n <= len && (uint32_t)n + body == msg_len) {
                memcpy(p, h, (size_t)n);
                off = (uint32_t)n;
            }
        }
    }
    if (off < len)
        memcpy(p + off, filler + (rnd() & 0x7fff), len - off);
}

static void emit_tcp(conv *c, const ev *e, uint64_t now)
{
    int dir = e->dir;
    uint8_t flags = e->flags;
    uint32_t optlen = (flags & TH_SYN) ? 12 : 0;
    uint32_t hl = 20 + optlen;
    uint32_t len = e->len;
    uint8_t *f = frame_begin();
    uint64_t sum;
    uint32_t framelen;
    uint8_t *th = emit_ip(c, f, dir, 6, hl + len, &sum, &framelen);

    uint32_t seq = c->seq[dir];
    uint32_t ack = c->seq[!dir];
    if (flags & TH_SYN) {
        if (!c->syn_seen[dir]) {
            c->syn_seen[dir] = 1;
            c->seq[dir] = seq + 1;
        } else {
            seq -= 1; /* retransmission of the same SYN */
        }
    }
    if ((flags & TH_RST) && !c->syn_seen[dir])
        seq = 0; /* RST-ACK answering a SYN */
    if (!(flags & TH_ACK))
        ack = 0;

    put16be(th, dir ? c->sport : c->cport);
    put16be(th + 2, dir ? c->cport : c->sport);
    put32be(th + 4, seq);
    put32be(th + 8, ack);
    th[12] = (uint8_t)((hl / 4) << 4);
    th[13] = flags;
    put16be(th + 14, (flags & TH_RST) ? 0 : c->win[dir]);
    th[16] = th[17] = 0;
    th[18] = th[19] = 0;
    if (optlen) {
        uint8_t *o = th + 20;
        o[0] = 2, o[1] = 4;
        put16be(o + 2, MSS);
        o[4] = 1, o[5] = 1, o[6] = 4, o[7] = 2; /* NOP NOP SACK-permitted */
        o[8] = 1, o[9] = 3, o[10] = 3, o[11] = 7; /* NOP window scale 7 */
    }
    if (len) {
        bool first = c->last_data_dir != dir;
        uint32_t msg = len;
        if (first && dir == 1 && c->http) {
            /* Whole response: this and the following server data segments. */
            for (unsigned i = c->iev + 1u; i < c->nev; i++) {
                if (c->ev[i].dir == 0 && c->ev[i].len)
                    break;
                if (c->ev[i].dir == 1)
                    msg += c->ev[i].len;
            }
        }
        fill_payload(c, th + hl, len, dir, first, msg);
        c->last_data_dir = (uint8_t)dir;
        c->seq[dir] += len;
    }
    if (flags & TH_FIN)
        c->seq[dir] += 1;
    csum_store(th + 16, csum_add(sum, th, hl + len));
    frame_end(now, framelen);
}

/* DNS name "w<n>.example<k>.com" in wire format; returns its length. */
static uint32_t dns_name(uint8_t *p, uint32_t name)
{
    char lab[16];
    int n = snprintf(lab, sizeof lab, "w%u", name);
    uint32_t o = 0;
    p[o++] = (uint8_t)n;
    memcpy(p + o, lab, (size_t)n);
    o += (uint32_t)n;
    n = snprintf(lab, sizeof lab, "example%u", name % 97);
    p[o++] = (uint8_t)n;
    memcpy(p + o, lab, (size_t)n);
    o += (uint32_t)n;
    p[o++] = 3;
    memcpy(p + o, "com", 3);
    o += 3;
    p[o++] = 0;
    return o;
}

static void emit_udp(conv *c, const ev *e, uint64_t now)
{
    int dir = e->dir;
    uint8_t *f = frame_begin();
    uint8_t pl[512];
    uint32_t len = 0;
    if (c->kind == K_DNS) {
        bool aaaa = e->flags & 1;
        uint16_t qtype = aaaa ? 28 : 1;
        put16be(pl, (uint16_t)(c->xid + (aaaa ? 1 : 0)));
        put16be(pl + 2, dir ? 0x8180 : 0x0100);
        put16be(pl + 4, 1);
        put16be(pl + 6, dir ? 1 : 0);
        put16be(pl + 8, 0);
        put16be(pl + 10, 0);
        len = 12;
        len += dns_name(pl + len, c->name);
        put16be(pl + len, qtype);
        put16be(pl + len + 2, 1);
        len += 4;
        if (dir) {
            put16be(pl + len, 0xc00c);
            put16be(pl + len + 2, qtype);
            put16be(pl + len + 4, 1);
            put32be(pl + len + 6, 300);
            uint16_t rdl = aaaa ? 16 : 4;
            put16be(pl + len + 10, rdl);
            len += 12;
            for (uint16_t i = 0; i < rdl; i++)
                pl[len + i] = (uint8_t)(c->name >> (8 * (i & 3)));
            len += rdl;
        }
    } else {
        len = e->len;
        memset(pl, 0, len);
        pl[0] = dir ? 0x24 : 0x23; /* NTP v4 client / server */
    }
    uint64_t sum;
    uint32_t framelen;
    uint8_t *uh = emit_ip(c, f, dir, 17, 8 + len, &sum, &framelen);
    put16be(uh, dir ? c->sport : c->cport);
    put16be(uh + 2, dir ? c->cport : c->sport);
    put16be(uh + 4, (uint16_t)(8 + len));
    uh[6] = uh[7] = 0;
    memcpy(uh + 8, pl, len);
    uint64_t s = csum_add(sum, uh, 8 + len);
    csum_store(uh + 6, s);
    if (uh[6] == 0 && uh[7] == 0)
        uh[6] = uh[7] = 0xff; /* a computed 0 is sent as 0xffff */
    frame_end(now, framelen);
}

static void emit_icmp(conv *c, const ev *e, uint64_t now)
{
    int dir = e->dir;
    uint32_t len = 8 + e->len;
    uint8_t *f = frame_begin();
    uint64_t sum;
    uint32_t framelen;
    uint8_t proto = c->v6 ? 58 : 1;
    uint8_t *ih = emit_ip(c, f, dir, proto, len, &sum, &framelen);
    if (c->v6)
        ih[0] = dir ? 129 : 128;
    else
        ih[0] = dir ? 0 : 8;
    ih[1] = 0;
    ih[2] = ih[3] = 0;
    put16be(ih + 4, c->xid);
    put16be(ih + 6, e->flags); /* sequence number */
    for (uint32_t i = 0; i < e->len; i++)
        ih[8 + i] = (uint8_t)(0x10 + i);
    csum_store(ih + 2, csum_add(sum, ih, len));
    frame_end(now, framelen);
}

static void emit(conv *c, uint64_t now)
{
    const ev *e = &c->ev[c->iev];
    switch (c->kind) {
    case K_DNS:
    case K_NTP:
        emit_udp(c, e, now);
        break;
    case K_ICMP:
        emit_icmp(c, e, now);
        break;
    default:
        emit_tcp(c, e, now);
        break;
    }
}

/* ------------------------------------------------------------------ */
/* The scheduler: a binary min-heap of live conversations              */
/* ------------------------------------------------------------------ */

typedef struct hent {
    uint64_t t;
    uint32_t slot;
} hent;

static hent *heap;
static uint32_t heap_n;

static inline bool hless(const hent *a, const hent *b)
{
    return a->t < b->t || (a->t == b->t && a->slot < b->slot);
}

static void heap_push(hent h)
{
    uint32_t i = heap_n++;
    while (i) {
        uint32_t p = (i - 1) / 2;
        if (!hless(&h, &heap[p]))
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = h;
}

/* Replace the top with h (or remove it when h is NULL) and restore order. */
static void heap_replace_top(const hent *h)
{
    hent x;
    if (h) {
        x = *h;
    } else {
        x = heap[--heap_n];
        if (!heap_n)
            return;
    }
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1;
        if (l >= heap_n)
            break;
        uint32_t m = l;
        if (l + 1 < heap_n && hless(&heap[l + 1], &heap[l]))
            m = l + 1;
        if (!hless(&heap[m], &x))
            break;
        heap[i] = heap[m];
        i = m;
    }
    heap[i] = x;
}

static uint64_t kind_count[K_COUNT];
static uint64_t n_v6;

static void run_mix(uint64_t conversations, uint64_t concurrent)
{
    if (concurrent > conversations)
        concurrent = conversations;
    if (concurrent == 0)
        return;
    conv *convs = calloc(concurrent, sizeof *convs);
    heap = calloc(concurrent, sizeof *heap);
    n_clients = (uint32_t)(conversations / 16 + 1000);
    if (n_clients > (1u << 24) - 2)
        n_clients = (1u << 24) - 2;
    client_port = malloc(n_clients * sizeof *client_port);
    if (!convs || !heap || !client_port)
        die("out of memory");
    for (uint32_t i = 0; i < n_clients; i++)
        client_port[i] = (uint16_t)rnd_range(32768, 60999);

    uint64_t started = 0;
    /* Initial population: starts spread over the first second. */
    for (uint32_t s = 0; s < concurrent; s++) {
        conv *c = &convs[s];
        plan(c);
        c->start = rnd_below(1000000);
        kind_count[c->kind]++;
        n_v6 += c->v6;
        started++;
        heap_push((hent){c->start + c->ev[0].dt, s});
    }
    double live_sum = 0;
    uint64_t live_samples = 0;
    while (heap_n) {
        uint32_t s = heap[0].slot;
        uint64_t now = heap[0].t;
        conv *c = &convs[s];
        emit(c, now);
        if ((n_packets & 63) == 0) {
            live_sum += heap_n;
            live_samples++;
        }
        if (++c->iev < c->nev) {
            hent h = {c->start + c->ev[c->iev].dt, s};
            heap_replace_top(&h);
        } else if (started < conversations) {
            plan(c);
            c->start = now + rnd_below(1000);
            kind_count[c->kind]++;
            n_v6 += c->v6;
            started++;
            hent h = {c->start + c->ev[0].dt, s};
            heap_replace_top(&h);
        } else {
            heap_replace_top(NULL);
        }
    }
    fprintf(stderr, "tracegen: %" PRIu64 " conversations, mean live %.0f\n", started,
            live_samples ? live_sum / (double)live_samples : 0.0);
    for (int k = 0; k < K_COUNT; k++)
        fprintf(stderr, "tracegen:   %-15s %10" PRIu64 "\n", kind_name[k], kind_count[k]);
    fprintf(stderr, "tracegen:   %-15s %10" PRIu64 "\n", "(ipv6)", n_v6);
    free(convs);
    free(heap);
    free(client_port);
}

/* ------------------------------------------------------------------ */
/* SYN flood                                                           */
/* ------------------------------------------------------------------ */

/* A bijection on 24-bit values. */
static uint32_t perm24(uint32_t x)
{
    x &= 0xffffffu;
    x = (x * 0x9e3779u + 0x5bd1e9u) & 0xffffffu; /* odd multiplier: bijective */
    x ^= x >> 12;
    x = (x * 0x2c1b3du) & 0xffffffu;
    x ^= x >> 11;
    return x;
}

static void run_flood(uint64_t n, double rate)
{
    conv c;
    memset(&c, 0, sizeof c);
    c.kind = K_TCP_NOANS;
    set_v4(c.saddr, 0xc6120050u); /* 198.18.0.80 */
    c.sport = 80;
    ev e = {0, 0, 0, TH_SYN};
    uint8_t mac[6];
    for (uint64_t i = 0; i < n; i++) {
        uint32_t hi = (uint32_t)(i >> 24);
        if (hi > 60)
            die("--flood: too many sources");
        set_v4(c.caddr, ((20u + hi) << 24) | perm24((uint32_t)i));
        c.client = (uint32_t)rnd();
        client_mac(c.client, mac);
        c.cport = (uint16_t)rnd_range(1024, 65535);
        c.seq[0] = (uint32_t)rnd();
        c.syn_seen[0] = 0;
        c.ttl[0] = (uint8_t)rnd_range(40, 250);
        c.ipid[0] = (uint16_t)rnd();
        c.win[0] = (uint16_t)rnd_range(512, 65535);
        uint64_t now = (uint64_t)((double)i * 1e6 / rate);
        emit_tcp(&c, &e, now);
    }
}

/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tracegen [--seed N] [--conversations N] [--concurrent N] [-o FILE]\n"
            "       tracegen [--seed N] --flood N [--flood-rate PPS] [-o FILE]\n"
            "Writes a deterministic Ethernet pcap (default: stdout).\n"
            "  --seed N           PRNG seed (default 1)\n"
            "  --conversations N  conversations in the realistic mix (default 100000)\n"
            "  --concurrent N     conversations live at once (default 10000)\n"
            "  --flood N          instead: N SYNs from unique sources to one server\n"
            "  --flood-rate PPS   flood packets per second of trace time (default 1000000)\n"
            "  --start SECONDS    timestamp of the first packet (default 1700000000)\n"
            "  -o FILE            output file ('-' = stdout)\n"
            "  --meta FILE        also write a JSON summary (packets, bytes, ...) there\n");
}

static uint64_t parse_u64(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || v < 0 || v > 1e15) {
        fprintf(stderr, "tracegen: bad value for %s: %s\n", opt, s);
        exit(2);
    }
    return (uint64_t)v;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, conversations = 100000, concurrent = 10000, flood = 0, start = 1700000000;
    double rate = 1e6;
    const char *out = "-";
    const char *meta = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--seed"))
            seed = parse_u64(a, v);
        else if (!strcmp(a, "--conversations"))
            conversations = parse_u64(a, v);
        else if (!strcmp(a, "--concurrent"))
            concurrent = parse_u64(a, v);
        else if (!strcmp(a, "--flood"))
            flood = parse_u64(a, v);
        else if (!strcmp(a, "--flood-rate"))
            rate = (double)parse_u64(a, v);
        else if (!strcmp(a, "--start"))
            start = parse_u64(a, v);
        else if (!strcmp(a, "-o"))
            out = v;
        else if (!strcmp(a, "--meta"))
            meta = v;
        else {
            usage(stderr);
            return 2;
        }
    }
    if (rate <= 0)
        die("--flood-rate must be positive");
    if (concurrent == 0)
        concurrent = 1;

    rnd_seed(seed);
    for (size_t i = 0; i < sizeof filler; i++)
        filler[i] = (uint8_t)(rnd() >> 56);
    base_us = start * 1000000u;

    opath = strcmp(out, "-") ? out : "(stdout)";
    ofp = strcmp(out, "-") ? fopen(out, "wb") : stdout;
    if (!ofp) {
        fprintf(stderr, "tracegen: %s: %s\n", out, strerror(errno));
        return 1;
    }
    obuf = malloc(OBUF_SIZE);
    if (!obuf)
        die("out of memory");
    out_header();

    if (flood) {
        run_flood(flood, rate);
    } else {
        run_mix(conversations, concurrent);
    }
    out_flush();
    if (ofp != stdout ? fclose(ofp) != 0 : fflush(ofp) != 0) {
        fprintf(stderr, "tracegen: %s: %s\n", opath, strerror(errno));
        return 1;
    }
    fprintf(stderr,
            "tracegen: %" PRIu64 " packets, %" PRIu64 " frame bytes (mean %.1f), file %" PRIu64
            " bytes, %.3f s of trace time\n",
            n_packets, n_bytes, n_packets ? (double)n_bytes / (double)n_packets : 0.0,
            24 + n_bytes + 16 * n_packets, (double)last_ts / 1e6);
    if (meta) {
        FILE *m = fopen(meta, "w");
        if (!m) {
            fprintf(stderr, "tracegen: %s: %s\n", meta, strerror(errno));
            return 1;
        }
        fprintf(m,
                "{\"generator\": \"tracegen\", \"seed\": %" PRIu64 ", \"mode\": \"%s\", "
                "\"conversations\": %" PRIu64 ", \"concurrent\": %" PRIu64 ", \"flood\": %" PRIu64
                ", \"packets\": %" PRIu64 ", \"frame_bytes\": %" PRIu64 ", \"file_bytes\": %" PRIu64
                ", \"trace_seconds\": %.6f}\n",
                seed, flood ? "flood" : "mix", flood ? 0 : conversations, flood ? 0 : concurrent, flood,
                n_packets, n_bytes, 24 + n_bytes + 16 * n_packets, (double)last_ts / 1e6);
        if (fclose(m) != 0) {
            fprintf(stderr, "tracegen: %s: %s\n", meta, strerror(errno));
            return 1;
        }
    }
    free(obuf);
    return 0;
}

/*
 * conn.h - a tracked connection (Zeek's Connection + session adapters).
 *
 * One block per connection, cut from the engine's arena (engine.c): the
 * cl_conn, then a TCP connection's two endpoints with their reassembly
 * bookkeeping (cl_tcp_conn) or another connection's cl_datagram, then an
 * IPv6 connection's two addresses. Rarely needed fields live in a cold
 * part (cl_conn_ext) allocated on demand.
 */
#ifndef CL_CONN_H
#define CL_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "connlog.h"
#include "conn/reassembly.h"
#include "decode/decode.h"
#include "record/uid.h"

/* TCP endpoint states, numbered as Zeek's script layer sees them. */
enum cl_tcp_state {
    CL_TCP_INACTIVE = 0,
    CL_TCP_SYN_SENT = 1,
    CL_TCP_SYN_ACK_SENT = 2,
    CL_TCP_PARTIAL = 3,
    CL_TCP_ESTABLISHED = 4,
    CL_TCP_CLOSED = 5,
    CL_TCP_RESET = 6
};

/* A logarithmic history letter: recorded at the 1st, 10th, 100th... event.
 * Zeek keeps a 32-bit counter and a threshold that is multiplied by 10
 * after each recording; the threshold follows from the counter (the next
 * power of ten, and 10^10 wrapped to 32 bits after 10^9), except once the
 * multiplication has overflowed: then the counter restarts and the
 * threshold stays. One bit says that, so a letter costs 4 bytes, not 8
 * (history.c). */
typedef uint32_t cl_scaled;

typedef struct cl_tcp_endpoint {
    uint8_t state, prev_state;
    bool is_orig;
    bool did_close;
    int8_t window_scale;
    uint8_t fin_seen;               /* Zeek's FIN_cnt > 0 */
    uint32_t start_seq;             /* always a 32-bit sequence number */
    uint32_t last_seq, ack_seq;
    uint32_t seq_wraps, ack_wraps;
    uint64_t fin_seq;
    uint64_t hist_last_syn, hist_last_fin, hist_last_rst;
    cl_scaled chk, rxmt, win0, gap;
    cl_reasm reasm;
} cl_tcp_endpoint;

typedef struct cl_tcp_conn {
    cl_tcp_endpoint ep[2];
    uint8_t orig_ep;                /* which of ep[] is the originator (flips swap) */
    bool is_active;
    bool close_deferred;
    bool deferred_gen_event;
    bool is_partial;
    uint8_t first_packet_seen;      /* 1 = orig, 2 = resp */
} cl_tcp_conn;

/* The originator's and the responder's endpoint of a cl_tcp_conn. */
#define CL_TCP_ORIG(tc) (&(tc)->ep[(tc)->orig_ep])
#define CL_TCP_RESP(tc) (&(tc)->ep[(tc)->orig_ep ^ 1])

/* The connection key: the bytes Zeek sorts by at end of input
 * (addresses in canonical order, ports in network byte order, protocol
 * as a little-endian 16-bit value) followed by the VLAN context. */
typedef struct cl_key {
    uint8_t a1[16], a2[16];
    uint8_t p1[2], p2[2];
    uint8_t proto[2];
    uint8_t vlan[2], inner_vlan[2];  /* zero unless VLANs are part of the key */
    uint8_t pad[2];
} cl_key;

/* Equal 16-byte addresses. Word-wise, inline: the flow table compares
 * keys on nearly every packet, and a call to memcmp cost more. */
static inline bool cl_addr16_equal(const uint8_t *a, const uint8_t *b)
{
    uint64_t x[2], y[2];
    memcpy(x, a, 16);
    memcpy(y, b, 16);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* A key as a connection stores it: 20 bytes, not 44. Nine flows in ten
 * are IPv4, whose addresses are the last 4 bytes of the IPv4-mapped
 * ones; an IPv6 flow (not both addresses IPv4-mapped) keeps its two
 * addresses in full behind its block (cl_conn_v6_addrs). The fields after
 * the addresses are the key's own. */
typedef struct cl_ckey {
    uint8_t a1[4], a2[4];           /* IPv4; zero for IPv6 */
    uint8_t p1[2], p2[2];
    uint8_t proto[2];
    uint8_t vlan[2], inner_vlan[2];
    uint8_t v6;
    uint8_t pad;
} cl_ckey;

static inline bool cl_key_is_v4(const cl_key *k)
{
    return cl_addr_is_v4((const cl_addr *)k->a1) && cl_addr_is_v4((const cl_addr *)k->a2);
}

/* The stored form of a key (for IPv6 the addresses go elsewhere). */
static inline void cl_ckey_from(cl_ckey *ck, const cl_key *k)
{
    memset(ck, 0, sizeof *ck);
    ck->v6 = !cl_key_is_v4(k);
    if (!ck->v6) {
        memcpy(ck->a1, k->a1 + 12, 4);
        memcpy(ck->a2, k->a2 + 12, 4);
    }
    memcpy(ck->p1, k->p1, 10); /* p1, p2, proto, vlan, inner_vlan */
}

/* Equal stored keys (the IPv6 addresses are compared apart), as words. */
static inline bool cl_ckey_equal(const cl_ckey *a, const cl_ckey *b)
{
    uint64_t x[2], y[2];
    uint32_t xt, yt;
    _Static_assert(sizeof(cl_ckey) == 20, "cl_ckey_equal reads 2 words and a tail");
    memcpy(x, a, 16);
    memcpy(y, b, 16);
    memcpy(&xt, (const uint8_t *)a + 16, 4);
    memcpy(&yt, (const uint8_t *)b + 16, 4);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (xt ^ yt)) == 0;
}

enum cl_timer_slot {
    CL_TIMER_INACTIVITY = 0,
    CL_TIMER_TCP_EXPIRE,        /* the periodic expire check from creation */
    CL_TIMER_TCP_EXPIRE_CLOSE,  /* the extra check scheduled by a half close */
    CL_TIMER_TCP_ATTEMPT,
    CL_TIMER_CONN_DELETE,       /* TCP's delay between close and removal */
    CL_TIMER_SLOTS,
    /* A UDP analyzer's session expiry (DNS's, cl_an_expire_idle). A UDP
     * connection has no TCP timers, so it takes a TCP slot: fire() tells
     * them apart by the connection's protocol. */
    CL_TIMER_AN_EXPIRE = CL_TIMER_TCP_EXPIRE_CLOSE
};

#define CL_HIST_INLINE 16
#define CL_HIST_MAX 4096   /* Zeek truncates log strings at 4096 bytes */
#define CL_MAX_TUNNEL_PARENTS 8
#define CL_SERVICES 4       /* confirmed services a connection lists (Zeek's logs: 3 at most) */
#define CL_SERVICE_MAX 48   /* the service string, NUL included */

/* What few connections need: tunnel bookkeeping, failed services and the
 * link-layer context. Kept out of cl_conn so that the common connection
 * stays small. */
typedef struct cl_conn_ext {
    struct cl_encap *encap;         /* stack the last packet came in; NULL = none */
    /* tunnel_parents: CL_MAX_TUNNEL_PARENTS uids, allocated with the first
     * (a third of all connections have a service, few have a tunnel) */
    char (*parents)[CL_UID_MAX];
    uint8_t n_parents;
    uint8_t tunnel_changes;
    /* Analyzers removed after a violation of a confirmed service, in
     * removal order (the failed-service-logging policy's column). */
    uint8_t n_failed;
    char failed[4][8];
    /* Link-layer context from the first packet, kept only when the
     * configuration asks (cl_config.l2_context, or VLANs in the key). */
    bool has_l2_context;
    uint8_t has_l2;                 /* bit 0: l2[0] was seen, bit 1: l2[1] */
    uint8_t l2[2][6];               /* [0] orig, [1] resp; swapped on flips */
    int32_t vlan, inner_vlan, pppoe_session;
} cl_conn_ext;

typedef struct cl_conn {
    cl_ckey key;
    uint32_t hash;

    uint8_t orig_is_a2;             /* the originator is the key's second endpoint */
    uint8_t proto;                  /* cl_proto */
    uint8_t ip_proto;
    bool flipped_after_creation;
    bool icmp_one_way;
    bool removed_at_end;            /* scratch for the end-of-input drain */
    bool tcp_attached;              /* the cl_tcp_conn behind it is live */
    uint8_t inactivity;             /* inactivity timeout: index into the engine's values */

    double start_time, last_time;
    double timer_due[CL_TIMER_SLOTS]; /* INFINITY = not armed */
    double timer_next;              /* time of the live heap entry */
    uint32_t timer_seq;             /* the live heap entry, 0 = none */

    /* history: NUL-terminated, read it with cl_hist() */
    uint32_t hist_seen;
    uint16_t hist_len, hist_cap;
    /* idle list position (below), kept in order to the second: the trace
     * second (wrapping) when c last moved */
    uint32_t idle_second;
    union {
        char inl[CL_HIST_INLINE];   /* while hist_cap is CL_HIST_INLINE */
        char *heap;                 /* once it grew */
    } hist_buf;

    /* ConnSize: per direction, swapped on flips */
    uint64_t pkts[2], ip_bytes[2];

    uint64_t missed_bytes;

    uint64_t uid;                   /* token for cl_uid_at; 0 until announced */

    uint8_t tunnel_flags;           /* CL_TF_*: state of a UDP tunnel's outer flow */
    uint8_t an_flags;               /* CL_ANF_*: is the payload analysed (analyzer/manager.h) */
    /* the service column: numbers of confirmed names, in confirmation
     * order, 0 after the last (service.c) */
    uint8_t services[CL_SERVICES];
    struct cl_analysis *an;          /* application analysis, while it lasts */
    struct cl_conn_ext *ext;        /* rarely needed fields, NULL until needed */

    /* idle list for eviction when the table is full (most recent last),
     * linked by arena reference (engine.c); 0 = none */
    uint32_t idle_prev, idle_next;
} cl_conn;

/* The history letters (hist_len of them, NUL-terminated). */
static inline char *cl_hist(cl_conn *c)
{
    return c->hist_cap > CL_HIST_INLINE ? c->hist_buf.heap : c->hist_buf.inl;
}

static inline const char *cl_hist_const(const cl_conn *c)
{
    return c->hist_cap > CL_HIST_INLINE ? c->hist_buf.heap : c->hist_buf.inl;
}

enum {
    CL_TF_VIOLATION = 0x1,      /* malformed tunnel header: stop decapsulating */
    CL_TF_TEREDO_ORIG = 0x2,    /* valid Teredo seen from the originator */
    CL_TF_TEREDO_RESP = 0x4,
    /* The connection's cold part holds an encapsulation stack: a packet
     * without one need not look at it (cl_tunnel_note_encap). */
    CL_TF_ENCAP = 0x8
};

/* What UDP, ICMP and other non-TCP connections keep beyond cl_conn: it
 * sits right behind the connection (where a TCP connection has its
 * cl_tcp_conn), so that TCP connections do not carry it. */
typedef struct cl_datagram {
    /* payload sizes by slot (not swapped on flips); -1 = inactive */
    int64_t dlen[2];
    cl_scaled udp_chk[2];
} cl_datagram;

static inline cl_datagram *cl_conn_dg(cl_conn *c)
{
    return (cl_datagram *)(c + 1);
}

static inline const cl_datagram *cl_conn_dg_const(const cl_conn *c)
{
    return (const cl_datagram *)(c + 1);
}

/* A TCP connection's state sits right behind it in its block (engine.c);
 * NULL before it is attached and after it is released. */
static inline cl_tcp_conn *cl_conn_tcp(const cl_conn *c)
{
    return c->tcp_attached ? (cl_tcp_conn *)(uintptr_t)(c + 1) : NULL;
}

/* An IPv6 connection's two addresses (key order), right after its TCP or
 * datagram part (its block has room for them: engine.c). */
static inline uint8_t *cl_conn_v6_addrs(const cl_conn *c)
{
    size_t part = c->proto == CL_PROTO_TCP ? sizeof(cl_tcp_conn) : sizeof(cl_datagram);
    return (uint8_t *)(uintptr_t)(c + 1) + part;
}

/* Store the lookup key k in c: its compact form, and an IPv6 flow's
 * addresses behind the block (c->proto must be set: it places them). */
static inline void cl_conn_store_key(cl_conn *c, const cl_key *k)
{
    cl_ckey_from(&c->key, k);
    if (c->key.v6) {
        memcpy(cl_conn_v6_addrs(c), k->a1, 16);
        memcpy(cl_conn_v6_addrs(c) + 16, k->a2, 16);
    }
}

/* The key's first (second = false) or second address. */
static inline cl_addr cl_conn_key_addr(const cl_conn *c, bool second)
{
    cl_addr a;
    if (c->key.v6)
        memcpy(a.b, cl_conn_v6_addrs(c) + (second ? 16 : 0), 16);
    else
        cl_addr_set_v4(&a, second ? c->key.a2 : c->key.a1);
    return a;
}

/* The full key (for the end-of-input order). */
static inline void cl_conn_full_key(const cl_conn *c, cl_key *k)
{
    memset(k, 0, sizeof *k);
    cl_addr a1 = cl_conn_key_addr(c, false), a2 = cl_conn_key_addr(c, true);
    memcpy(k->a1, a1.b, 16);
    memcpy(k->a2, a2.b, 16);
    memcpy(k->p1, c->key.p1, 10);
}

/* The endpoints, read from the key (flips only toggle orig_is_a2). */
static inline cl_addr cl_conn_orig_h(const cl_conn *c)
{
    return cl_conn_key_addr(c, c->orig_is_a2);
}

static inline cl_addr cl_conn_resp_h(const cl_conn *c)
{
    return cl_conn_key_addr(c, !c->orig_is_a2);
}

static inline uint16_t cl_key_port(const uint8_t p[2])
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint16_t cl_conn_orig_p(const cl_conn *c)
{
    return cl_key_port(c->orig_is_a2 ? c->key.p2 : c->key.p1);
}

static inline uint16_t cl_conn_resp_p(const cl_conn *c)
{
    return cl_key_port(c->orig_is_a2 ? c->key.p1 : c->key.p2);
}

/* The service list (service.c). Add a name once (insertion order is
 * kept); "-name" is the form DPD's tracking of removed services writes. */
void cl_conn_add_service(cl_conn *c, const char *name);
void cl_conn_remove_service(cl_conn *c, const char *name);
/* Is the name in the service list? */
bool cl_conn_has_service(const cl_conn *c, const char *name);
/* Record a failed (removed) analyzer once. */
void cl_conn_add_failed_service(cl_conn *c, const char *name);
/* The service column's string ("" when none); returns its length. */
size_t cl_conn_service_string(const cl_conn *c, char out[CL_SERVICE_MAX]);
/* The connection's cold part, allocated on first use (NULL if out of memory). */
cl_conn_ext *cl_conn_ext_get(cl_conn *c);
void cl_conn_ext_free(cl_conn *c);

/* History helpers (history.c). The once-only letters' masks: */
#define CL_HIST_LIMIT 0x400         /* X: an analyzer reached a limit */

void cl_hist_add(cl_conn *c, char code);
/* Once-only letter: returns true when the mask was already seen (Zeek's
 * CheckHistory), otherwise records the letter and returns false. */
bool cl_hist_check(cl_conn *c, uint32_t mask, char code);
/* Logarithmic letter: returns true when the letter was recorded. */
bool cl_hist_scaled(cl_conn *c, char code, cl_scaled *s);
void cl_hist_reset(cl_conn *c);
void cl_hist_free(cl_conn *c);
void cl_scaled_init(cl_scaled *s);

#endif /* CL_CONN_H */

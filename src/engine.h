/*
 * engine.h - the engine object and what the per-protocol code may ask of
 * it. Everything the library keeps lives in one cl_engine.
 */
#ifndef CL_ENGINE_H
#define CL_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "connlog.h"
#include "analyzer/manager.h"
#include "conn/conn.h"
#include "conn/table.h"
#include "conn/timers.h"
#include "decode/decode.h"
#include "ip/frag.h"
#include "mem/arena.h"
#include "site/netlist.h"
#include "record/uid.h"


/* Encapsulations, outermost first (Zeek's EncapsulationStack). */
enum cl_tunnel_type {
    CL_TUN_IP = 1,      /* IP-in-IP */
    CL_TUN_GRE,
    CL_TUN_VXLAN,
    CL_TUN_GENEVE,
    CL_TUN_TEREDO,
    CL_TUN_AYIYA,
    CL_TUN_GTPV1
};

#define CL_MAX_ENCAP 8

typedef struct cl_encap_entry {
    uint8_t type;
    cl_addr src, dst;
    uint16_t sport, dport;
    char uid[CL_UID_MAX];
} cl_encap_entry;

typedef struct cl_encap {
    unsigned depth;
    cl_encap_entry e[CL_MAX_ENCAP];
} cl_encap;

/* A tunnel identity for IP-in-IP and GRE: one uid per outer address pair.
 * Zeek draws it from the uid counter; we derive it from the pair, so that
 * engines on several threads name a tunnel alike. */
typedef struct cl_tunnel_id {
    cl_addr a, b;           /* a < b */
    uint32_t generation;    /* how often the identity was forgotten */
    double last_seen;
    char uid[CL_UID_MAX];
} cl_tunnel_id;

#define CL_MAX_TUNNEL_IDS 4096

/* One expected connection (Analyzer::schedule_analyzer). */
typedef struct cl_expectation {
    cl_addr orig, resp;
    uint16_t resp_p;
    bool any_orig;
    double expires;
    char service[16];
} cl_expectation;

/* A packet announced by cl_engine_prefetch, kept until it comes: its
 * decoded headers (so that they are decoded once) and its flow. */
#define CL_PREFETCH_RING 32
#define CL_INACTIVITY_VALUES 8
typedef struct cl_prefetch {
    cl_packet pkt;                  /* which packet it is */
    cl_l2_info l2;
    cl_ip_info ip;
    cl_decode_status ip_status;     /* of cl_decode_ip with the engine's flags */
    bool has_key;                   /* a TCP or UDP flow: key and hash are set */
    uint32_t hash;
    cl_key key;
} cl_prefetch;

struct cl_engine {
    cl_config cfg;
    cl_record_fn on_record;
    void *user;

    double network_time;

    cl_table table;
    cl_timers timers;
    /* freed blocks by kind: [TCP?][IPv6?] (conn_block_size) */
    cl_conn *free_blocks[2][2];
    cl_arena arena;                 /* where connection blocks come from */

    cl_uid_gen uids;
    cl_netlist local_nets;          /* configured nets plus private space */
    cl_netmatch local_match;        /* the same, ready for lookups */
    cl_netmatch ignore_checksums_match; /* cfg.ignore_checksums_nets, likewise */
    cl_frag_table *frag;

    cl_stats stats;

    bool keep_l2_context;           /* cl_config.l2_context, or VLANs in the key */
    /* cl_engine_flush is removing every connection: the table is cleared
     * once at the end instead of slot by slot (no lookups happen then). */
    bool draining;
    /* The distinct inactivity timeouts connections use (cl_conn keeps an
     * index): 0 (none), the configured ones per protocol, and the script
     * layer's hour for some ports and analyzers. */
    double inactivity_values[CL_INACTIVITY_VALUES];
    uint8_t n_inactivity_values;
    /* The application analyzers: which run, where, their signatures. */
    cl_analyzers an;

    /* Expected connections (src/analyzer/expect.c), a ring of at most 256. */
    struct cl_expectation *expected;
    size_t n_expected, expect_next;

    cl_tunnel_id *tunnel_ids;
    size_t n_tunnel_ids;

    /* Packets announced ahead (oldest at pf_tail), and the announcement
     * of the packet in hand, whose headers need not be decoded again. */
    cl_prefetch pf[CL_PREFETCH_RING];
    unsigned pf_head, pf_tail;
    unsigned pf_sink;               /* where load_conns' loads go */
    uint64_t pf_min_conns;          /* announcements are used from this many live conns */
    const cl_prefetch *hint;

    /* least recently active first: eviction order when max_conns is hit */
    cl_conn *idle_head, *idle_tail;
};

/* What the transport code knows about the packet in hand. */
typedef struct cl_pkt_ctx {
    double t;                       /* packet time */
    const cl_l2_info *l2;
    const cl_ip_info *ip;
    const cl_encap *encap;          /* NULL when not tunnelled */
    /* The announcement this very IP packet was decoded from (its flow key
     * and hash are ready), or NULL. */
    const struct cl_prefetch *pre;
} cl_pkt_ctx;

/* Parsed TCP header fields (engine.c checks the 20-byte minimum). */
typedef struct cl_tcp_hdr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint8_t off;                    /* data offset in 32-bit words */
    uint16_t win;
    const uint8_t *raw;             /* the TCP header */
} cl_tcp_hdr;

#define CL_TH_FIN 0x01
#define CL_TH_SYN 0x02
#define CL_TH_RST 0x04
#define CL_TH_PUSH 0x08
#define CL_TH_ACK 0x10
#define CL_TH_URG 0x20

/* Use packet announcements from this many live connections on (the
 * default leaves small tables alone; tests and the fuzzer use 0). */
void cl_engine_set_prefetch_min(cl_engine *e, uint64_t conns);

/* Let connections take no more than this many bytes of the arena, as if
 * memory ran out there (for tests). */
void cl_engine_limit_memory(cl_engine *e, size_t conn_bytes);

/* Connection life cycle (engine.c). */
void cl_engine_remove(cl_engine *e, cl_conn *c);
void cl_conn_flip(cl_engine *e, cl_conn *c);
void cl_conn_set_inactivity(cl_engine *e, cl_conn *c, double timeout);
/* The connection's inactivity timeout (0: none). */
double cl_conn_inactivity(const cl_engine *e, const cl_conn *c);
bool cl_engine_checksums_apply(const cl_engine *e, const cl_addr *src);

/* TCP (conn/tcp.c). */
int cl_tcp_attach(cl_engine *e, cl_conn *c);
void cl_tcp_release(cl_engine *e, cl_conn *c);
bool cl_tcp_want_flip(const cl_engine *e, const cl_tcp_hdr *h, const cl_addr *dst);
bool cl_tcp_is_reuse(const cl_conn *c, const cl_tcp_hdr *h);
void cl_tcp_packet(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx,
                   const cl_tcp_hdr *h);
void cl_tcp_flip(cl_conn *c);
/* A TCP timer fired; returns true when the connection was removed. */
bool cl_tcp_timer(cl_engine *e, cl_conn *c, unsigned slot, double now);
const char *cl_tcp_conn_state(const cl_conn *c, const char *history);
uint64_t cl_tcp_size(const cl_tcp_endpoint *ep, const cl_tcp_endpoint *peer);

/* UDP, ICMP, other IP protocols (conn/udp.c, conn/icmp.c). */
bool cl_udp_want_flip(const cl_engine *e, uint16_t sport, uint16_t dport, const cl_addr *dst);
/* Returns true when the datagram was valid (checksum) and counted. */
bool cl_udp_packet(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx);
/* ICMP "ports": returns true when the type has a counterpart. */
bool cl_icmp_ports(uint8_t type, uint8_t code, bool v6, uint16_t *sport, uint16_t *dport);
void cl_icmp_packet(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx);

/* Tunnels (tunnel/tunnels.c). */
void cl_tunnel_note_encap(cl_engine *e, cl_conn *c, const cl_encap *encap, bool created);
cl_skip cl_tunnel_ip(cl_engine *e, const cl_pkt_ctx *ctx);
void cl_tunnel_udp(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx);
/* A frame decoded to its link layer: its IP packet(s) (engine.c). */
cl_skip cl_engine_process_l2(cl_engine *e, cl_l2_info *l2, double t, const cl_encap *encap);
/* Decode and process an IP packet (engine.c); used for inner packets. */
cl_skip cl_engine_process_ip(cl_engine *e, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
                             const cl_l2_info *l2, double t, const cl_encap *encap);

/* Building and emitting the record (conn/record.c). */
void cl_conn_emit(cl_engine *e, cl_conn *c);

#endif /* CL_ENGINE_H */

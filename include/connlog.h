/*
 * connlog.h - turn packets into Zeek-compatible conn.log records.
 *
 * The whole public surface of the library. A program configures an engine,
 * feeds it packets in capture order, and receives one cl_conn_record per
 * connection through a callback at the moment the connection is removed
 * (Zeek's Conn::log_conn event). Writers for Zeek's TSV and JSON formats are
 * ordinary consumers of that callback.
 *
 *     cl_config cfg;
 *     cl_config_init(&cfg);                       // defaults are Zeek's
 *     cl_engine *e = cl_engine_new(&cfg, on_record, user, err, sizeof err);
 *     while (next_packet(&pkt)) cl_engine_packet(e, &pkt);
 *     cl_engine_flush(e);                         // end of input
 *     cl_engine_free(e);
 *
 * An engine is single-threaded and owns all of its state: several engines
 * may run at once, one per thread. Nothing in the library is global.
 */
#ifndef CONNLOG_H
#define CONNLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CONNLOG_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Addresses and networks                                              */
/* ------------------------------------------------------------------ */

/* An IP address as 16 bytes: IPv6, or IPv4 as ::ffff:a.b.c.d. */
typedef struct cl_addr {
    uint8_t b[16];
} cl_addr;

bool cl_addr_is_v4(const cl_addr *a);

/* A CIDR prefix; `addr` is masked to `bits` (bits counted on the 128-bit
 * form, so an IPv4 /8 is stored as 96 + 8). */
typedef struct cl_cidr {
    cl_addr addr;
    uint8_t bits;
} cl_cidr;

/* Parse "10.0.0.0/8", "2001:db8::/32" or a bare address (a host prefix).
 * Returns 0 on success, -1 on a malformed prefix. */
int cl_cidr_parse(const char *text, cl_cidr *out);

#define CL_MAX_NETS 256

typedef struct cl_netlist {
    cl_cidr nets[CL_MAX_NETS];
    size_t n;
} cl_netlist;

/* Add a comma-separated list of prefixes. Returns 0, or -1 (nothing added
 * past the bad element) when one is malformed or the list is full. */
int cl_netlist_add(cl_netlist *l, const char *comma_list);
bool cl_netlist_contains(const cl_netlist *l, const cl_addr *a);

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

/* Which ports count as "likely server ports" for Zeek's originator-flip
 * heuristics. CL_PORTS_DEFAULT is Zeek with its default scripts loaded;
 * CL_PORTS_TUNNELS is `zeek -b` (bare mode: only tunnel ports). */
typedef enum cl_port_preset {
    CL_PORTS_DEFAULT = 0,
    CL_PORTS_TUNNELS = 1,
    CL_PORTS_NONE = 2
} cl_port_preset;

typedef struct cl_config {
    /* Timers, seconds (Zeek's names without the type suffix). */
    double tcp_SYN_timeout;            /* 5 */
    double tcp_session_timer;          /* 6 */
    double tcp_connection_linger;      /* 5 */
    double tcp_attempt_delay;          /* 5 */
    double tcp_close_delay;            /* 5 */
    double tcp_inactivity_timeout;     /* 300 */
    double udp_inactivity_timeout;     /* 60 */
    double icmp_inactivity_timeout;    /* 60 */
    double unknown_ip_inactivity_timeout; /* 60 */
    double frag_timeout;               /* 300 */
    unsigned max_timer_expires;        /* 300 per packet; 0 = unlimited */

    /* TCP reassembly limits that decide when gaps stop being counted. */
    uint64_t tcp_max_above_hole_without_any_acks;   /* 16384 */
    uint64_t tcp_excessive_data_without_further_acks; /* 10 MiB; 0 = off */
    bool report_gaps_for_partial;      /* false */

    /* Checksums (Zeek -C, ignore_checksums_nets). */
    bool ignore_checksums;
    cl_netlist ignore_checksums_nets;

    /* Sites: local_orig / local_resp. */
    cl_netlist local_nets;
    bool private_address_space_is_local; /* true, as Zeek */

    /* Likely server ports, one bit per port (see cl_config_set_ports). */
    uint8_t likely_server_tcp[65536 / 8];
    uint8_t likely_server_udp[65536 / 8];

    /* Connection key includes the VLAN ids (Zeek's vlan_fivetuple). */
    bool conn_key_vlan;

    /* Tunnels. */
    unsigned tunnel_max_depth;         /* 4 */
    unsigned tunnel_max_changes;       /* 5 */
    bool tunnel_delay_teredo;          /* T: confirm Teredo once both sides spoke */

    /* UIDs: seeded runs are reproducible. seed_file (Zeek's random.seed
     * format: 21 decimal numbers) wins over seed when both are given. */
    bool has_seed;
    uint64_t seed;
    const char *seed_file;
    /* Engines running side by side (one per thread) must not hand out the
     * same uids: give each a different stream (0 keeps Zeek's uids). */
    uint32_t uid_stream;

    /* Memory bound: at most this many live connections; when full the one
     * idle longest is finished and logged early. 0 = unbounded. */
    uint64_t max_conns;

    /* Which protocol analyzers (service detectors) run, as set by
     * cl_config_set_analyzers: "all" (Zeek's default scripts, the default),
     * "" (bare mode: none) or a comma list of lower-case analyzer names
     * ("http,dns,ssl"). Service detection reads this. */
    char analyzers[256];
    /* Analyzer::requested_analyzers: analyzers enabled even after
     * Analyzer::disable_all (comma list, as `analyzers`). */
    char requested_analyzers[128];

    /* Analyzer::register_for_port: analyzers attached to more TCP ports,
     * whatever `analyzers` says (cl_config_register_port). */
    struct {
        char analyzer[16];
        uint16_t port;
    } analyzer_ports[32];
    unsigned n_analyzer_ports;

    /* DNS: more questions than this in a message is a protocol violation
     * (and an X in the history); 0 = no limit. Zeek's dns_max_queries. */
    unsigned dns_max_queries;          /* 25 */

    /* SSH::max_packet_length and SSH::max_string_length (0 = no limit):
     * past them Zeek's SSH analyzer marks X and stops. */
    uint32_t ssh_max_packet_length;
    uint32_t ssh_max_string_length;

    /* DPD::track_removed_services_in_connection: a service removed after a
     * violation stays in `service`, followed by "-name". */
    bool dpd_track_removed_services;

    /* Keep each connection's link-layer context from its first packet
     * (cl_conn_record's orig_l2/resp_l2, vlan, inner_vlan and
     * pppoe_session_id: the mac-logging, vlan-logging and pppoe policies'
     * columns). Off by default: it costs about 40 bytes per connection.
     * Without it those fields are unset (conn_key_vlan keeps the VLAN ids). */
    bool l2_context;

    /* Fill cl_conn_record.community_id (Zeek's community-id-logging
     * policy) with this seed; off by default, it costs a SHA-1 per record. */
    bool community_id;
    uint16_t community_id_seed;

    /* Zeek's ConnSize analyzer (orig_pkts .. resp_ip_bytes). Only
     * Analyzer::disable_all turns it off. */
    bool conn_size;
} cl_config;

void cl_config_init(cl_config *cfg);

/* Replace the likely-server-port sets with a preset. */
void cl_config_set_ports(cl_config *cfg, cl_port_preset preset);
/* Add one port: proto is 6 (TCP) or 17 (UDP). */
void cl_config_add_port(cl_config *cfg, int proto, uint16_t port);

/* Set a value by Zeek's script name, e.g. "tcp_inactivity_timeout" = "30",
 * "Tunnel::max_depth" = "2", "report_gaps_for_partial" = "T".
 * Returns 0, or -1 for an unknown name or a bad value. */
int cl_config_set(cl_config *cfg, const char *name, const char *value);

/* Choose the analyzers as Zeek's script loading would:
 *   "all"  - Zeek's default mode (all base scripts): likely server ports =
 *            CL_PORTS_DEFAULT, analyzers = "all".
 *   "none" - bare mode (`zeek -b`) with no protocol scripts: likely server
 *            ports = CL_PORTS_TUNNELS, analyzers = "".
 *   a comma list, e.g. "http,dns" - bare mode with those protocol scripts
 *            loaded: likely server ports = CL_PORTS_TUNNELS plus the server
 *            ports those analyzers register (spec 7.2; DHCP 68/udp and QUIC
 *            853,784/udp are not server ports). Names are case-insensitive,
 *            '-' and '_' are the same; unknown names are kept in the list
 *            but add no ports.
 * Replaces the likely-server-port sets (add ports afterwards). Returns 0, or
 * -1 (config unchanged) for NULL, an empty string or a list too long. */
int cl_config_set_analyzers(cl_config *cfg, const char *list);

/* Attach an analyzer to a TCP port, as Zeek's Analyzer::register_for_port:
 * "http", "ssl", "ssh", "ftp", "telnet" or "rsh" (case-insensitive; Zeek's
 * "ANALYZER_TELNET" spelling works too). It does not make the port a likely
 * server port. Returns 0, or -1 for an unknown analyzer or a full table. */
int cl_config_register_port(cl_config *cfg, const char *analyzer, uint16_t port);

/* ------------------------------------------------------------------ */
/* The record (Zeek's Conn::Info)                                      */
/* ------------------------------------------------------------------ */

typedef enum cl_proto {
    CL_PROTO_UNKNOWN = 0, /* "unknown_transport" */
    CL_PROTO_TCP,
    CL_PROTO_UDP,
    CL_PROTO_ICMP
} cl_proto;

const char *cl_proto_name(cl_proto p);

#define CL_UNSET_INT (-1)

typedef struct cl_conn_record {
    double ts;
    const char *uid;
    cl_addr orig_h, resp_h;
    uint16_t orig_p, resp_p;
    cl_proto proto;
    uint8_t ip_proto;
    const char *service;            /* NULL = unset */
    bool has_duration;              /* duration/orig_bytes/resp_bytes set */
    double duration;
    uint64_t orig_bytes, resp_bytes;
    const char *conn_state;
    int8_t local_orig, local_resp;  /* 1 T, 0 F, CL_UNSET_INT unset */
    uint64_t missed_bytes;
    const char *history;            /* NULL = unset (empty history) */
    uint64_t orig_pkts, orig_ip_bytes, resp_pkts, resp_ip_bytes;
    bool pkts_unset;                /* the four counters above are unset
                                       (Zeek's ConnSize analyzer disabled) */
    size_t n_tunnel_parents;
    const char *const *tunnel_parents;
    /* Optional columns. */
    bool has_orig_l2, has_resp_l2;
    uint8_t orig_l2[6], resp_l2[6];
    int32_t vlan, inner_vlan;       /* CL_UNSET_INT unset */
    int32_t ctx_vlan, ctx_inner_vlan; /* key VLANs, CL_UNSET_INT unset */
    int32_t pppoe_session_id;       /* CL_UNSET_INT unset */
    const char *speculative_service; /* NULL = unset */
    const char *community_id;       /* NULL = unset */
    size_t n_failed_service;        /* failed_service: analyzers removed */
    const char *const *failed_service; /* after violations, in that order */
} cl_conn_record;

/* Called once per connection, at removal, in Zeek's removal order. The
 * record and its strings are valid only during the call. */
typedef void (*cl_record_fn)(const cl_conn_record *rec, void *user);

/* ------------------------------------------------------------------ */
/* The engine                                                          */
/* ------------------------------------------------------------------ */

typedef struct cl_engine cl_engine;

typedef struct cl_packet {
    int64_t ts_sec;
    uint32_t ts_usec;
    int linktype;           /* pcap DLT_* value */
    const uint8_t *data;
    uint32_t caplen;        /* bytes in data */
    uint32_t wirelen;       /* length on the wire */
} cl_packet;

/* Why a packet did not reach a connection (counted in cl_stats). */
typedef enum cl_skip {
    CL_SKIP_NONE = 0,       /* reached a connection */
    CL_SKIP_LINK_TRUNCATED, /* link header cut short */
    CL_SKIP_LINKTYPE,       /* link type not supported */
    CL_SKIP_NOT_IP,         /* ARP, LLC, other non-IP frames */
    CL_SKIP_IP_MALFORMED,   /* bad version, lengths, truncated IP */
    CL_SKIP_IP_CHECKSUM,    /* bad IPv4 header checksum */
    CL_SKIP_NO_TRANSPORT,   /* IPv6 ESP/mobility/no-next-header, IGMP */
    CL_SKIP_FRAGMENT,       /* fragment held for reassembly or dropped */
    CL_SKIP_TRANSPORT_TRUNCATED, /* TCP/UDP/ICMP header incomplete */
    CL_SKIP_TUNNEL,         /* tunnel outer packet with nothing inside */
    CL_SKIP_COUNT
} cl_skip;

const char *cl_skip_name(cl_skip s);

typedef struct cl_stats {
    uint64_t packets;           /* handed to cl_engine_packet */
    uint64_t bytes;             /* sum of wirelen */
    uint64_t skipped[CL_SKIP_COUNT];
    uint64_t conns_created;
    uint64_t conns_logged;
    uint64_t conns_evicted;     /* finished early because max_conns */
    uint64_t conns_live;
    uint64_t conns_peak;
    uint64_t checksum_failures; /* transport packets with bad checksums */
    uint64_t checksum_checked;  /* transport packets whose checksum was verified */
    size_t memory_bytes;        /* memory held by the engine now */
    uint64_t prefetched;        /* packets whose headers cl_engine_prefetch decoded */
} cl_stats;

/* Create an engine. On failure returns NULL and writes a message to err. */
cl_engine *cl_engine_new(const cl_config *cfg, cl_record_fn on_record,
                         void *user, char *err, size_t errlen);

/* Process one packet, in capture order. Returns CL_SKIP_NONE or why the
 * packet was skipped (also counted in the stats). Never fails otherwise. */
cl_skip cl_engine_packet(cl_engine *e, const cl_packet *pkt);

/* Optional speed hint: pkt will be given to cl_engine_packet a few packets
 * from now, and its data stays valid until then. The engine starts loading
 * that packet's connection from memory, so that the cache misses of a large
 * flow table overlap with the packets in between. Calling it for some,
 * all or none of the packets never changes the results. */
void cl_engine_prefetch(cl_engine *e, const cl_packet *pkt);

/* Move network time forward without a packet (live capture when idle),
 * so connections time out as they would in Zeek. */
void cl_engine_advance(cl_engine *e, double now);

/* End of input: finish and report every remaining connection as Zeek does
 * (unanswered SYNs first, then the rest in key order). The engine stays
 * usable; it is empty afterwards. */
void cl_engine_flush(cl_engine *e);

void cl_engine_stats(const cl_engine *e, cl_stats *out);
void cl_engine_free(cl_engine *e);

/* ------------------------------------------------------------------ */
/* Writers: consumers of the record callback                           */
/* ------------------------------------------------------------------ */

typedef enum cl_column {
    CL_COL_IP_PROTO = 1,
    CL_COL_ORIG_L2_ADDR,
    CL_COL_RESP_L2_ADDR,
    CL_COL_VLAN,
    CL_COL_INNER_VLAN,
    CL_COL_PPPOE_SESSION_ID,
    CL_COL_SPECULATIVE_SERVICE,
    CL_COL_COMMUNITY_ID,
    CL_COL_CTX_VLAN,        /* id.ctx.vlan, written after id.resp_p */
    CL_COL_CTX_INNER_VLAN,  /* id.ctx.inner_vlan */
    CL_COL_FAILED_SERVICE   /* failed_service (failed-service-logging) */
} cl_column;

/* Parse a column name as Zeek logs it ("ip_proto", "orig_l2_addr",
 * "id.ctx.vlan", ...). Returns 0 when unknown. */
cl_column cl_column_parse(const char *name);

#define CL_MAX_EXTRA_COLUMNS 16

typedef enum cl_format { CL_FORMAT_TSV = 0, CL_FORMAT_JSON } cl_format;

typedef struct cl_writer_options {
    cl_format format;
    /* A file path, or "-" for stdout. The file is created when the first
     * record arrives (as Zeek does: no records, no file). */
    const char *path;
    /* Optional columns after the default ones, in this order. */
    cl_column extra[CL_MAX_EXTRA_COLUMNS];
    size_t n_extra;
    /* JSON: write unset fields as null instead of omitting them. */
    bool json_include_unset;
} cl_writer_options;

typedef struct cl_writer cl_writer;

cl_writer *cl_writer_new(const cl_writer_options *opt, char *err, size_t errlen);
/* Returns 0, or -1 on an I/O error (then cl_writer_error says which). */
int cl_writer_write(cl_writer *w, const cl_conn_record *rec);
/* A cl_record_fn: pass the writer as `user` to cl_engine_new. */
void cl_writer_record_fn(const cl_conn_record *rec, void *writer);
/* For engines on several threads: format a record's line (newline
 * included) into out without touching the writer's state, so threads can
 * do it at once; returns its length, or 0 (nothing written) when cap may
 * be too small. Then hand the lines of several records to
 * cl_writer_write_lines, one thread at a time (0, or -1 on an I/O error). */
size_t cl_writer_format(const cl_writer *w, const cl_conn_record *rec, char *out, size_t cap);
int cl_writer_write_lines(cl_writer *w, const char *lines, size_t len);
/* Flush, write the #close footer (TSV) and close. Returns 0 or -1. */
int cl_writer_close(cl_writer *w);
const char *cl_writer_error(const cl_writer *w);
void cl_writer_free(cl_writer *w);

#ifdef __cplusplus
}
#endif
#endif /* CONNLOG_H */

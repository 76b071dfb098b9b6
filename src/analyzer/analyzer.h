/*
 * analyzer.h - the interface every application analyzer implements.
 *
 * An analyzer is one file under src/analyzer/protocol/ (a folder when it
 * needs more) that fills one cl_analyzer descriptor: its Zeek name, the
 * script that loads it, its transport, the ports Zeek registers it on, its
 * DPD signatures, the size of its per-connection state and its entry
 * points. table.c lists the descriptors. Everything around the entry
 * points is done once, in manager.c and pia.c, as Zeek's analyzer manager,
 * PIA and scripts/base/frameworks/analyzer/dpd.zeek do it:
 *
 *  - attaching: by the responder port (after the creation-time flip), by
 *    --analyzer-port, by an expected connection, or by a DPD signature
 *    match, which replays the connection's first bytes to the new analyzer
 *    (Zeek's PIA buffer); children are started by their parent analyzer;
 *  - cl_an_confirm(): the analyzer's name joins `service` (once);
 *  - cl_an_violation(): within the first DPD::ignore_violations_after
 *    bytes the analyzer is removed, and a service it had confirmed is
 *    taken out again (failed_service); later violations are ignored;
 *  - cl_an_stop(): the analyzer has nothing left to decide; its state is
 *    freed and it sees no more data.
 *
 * An analyzer parses only as much as it needs to confirm or reject exactly
 * when Zeek's does. Its state is allocated only on the connections it is
 * attached to (state_size bytes, zeroed) and must stay bounded: buffers
 * that could grow with the traffic are capped.
 *
 * Entry points are called with in-order stream data (TCP, after
 * reassembly, `off` being the offset of p[0] in that direction's stream)
 * or with one datagram's payload (UDP, `off` = 0). An analyzer may call
 * any of the cl_an_* functions below from them; it must not touch another
 * analyzer's state.
 */
#ifndef CL_ANALYZER_H
#define CL_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connlog.h"

struct cl_engine;
struct cl_conn;
typedef struct cl_an cl_an;
typedef struct cl_analyzer cl_analyzer;

/* Transports, also as a mask (an analyzer such as DNS runs over both;
 * cl_an_conn(a)->proto tells which a connection uses). */
enum { CL_AN_TCP = 1, CL_AN_UDP = 2 };

/* A port registration (Analyzer::register_for_ports in the protocol's
 * main.zeek). Every registered port attaches the analyzer; most are also
 * likely server ports (which decide the originator, spec 1.4) unless
 * `not_server` says otherwise (DHCP's 68/udp, for instance). */
typedef struct cl_an_port {
    uint16_t port;
    uint8_t transport;          /* CL_AN_TCP or CL_AN_UDP */
    bool not_server;
} cl_an_port;

/* Which direction a signature looks at: `tcp-state originator` or
 * `tcp-state responder`, or either. */
enum { CL_SIG_EITHER = 0, CL_SIG_ORIG, CL_SIG_RESP };

/* A DPD signature, as written in the protocol's dpd.sig. The payload
 * pattern uses Zeek's regular expression syntax and is anchored at the
 * start of the stream (TCP) or of each datagram (UDP), as Zeek's are. */
typedef struct cl_an_sig {
    const char *name;           /* the signature's name */
    uint8_t transport;          /* ip-proto: CL_AN_TCP, CL_AN_UDP, 0 = any */
    uint8_t side;               /* CL_SIG_* */
    const char *payload;        /* the payload pattern, without slashes */
    /* requires-reverse-signature: a signature of the same analyzer (by
     * name) that must have matched the other direction, or NULL. */
    const char *requires_reverse;
    /* payload-size bounds on the datagram or first chunk (0: none). */
    uint16_t size_min, size_max;
    bool enable;                /* a match enables the analyzer */
} cl_an_sig;

/* Descriptor flags. */
enum {
    /* DPD::ignore_violations: violations never remove the analyzer. */
    CL_AN_F_IGNORE_VIOLATIONS = 0x1,
    /* Attached only by a port registration (--analyzer-port), never by
     * default ports or signatures (Telnet, RSH). */
    CL_AN_F_REGISTER_ONLY = 0x2,
    /* Only ever started as a child of another analyzer (GSSAPI, NTLM):
     * no ports, no signatures. */
    CL_AN_F_CHILD_ONLY = 0x4
};

struct cl_analyzer {
    const char *name;           /* Zeek's analyzer name, lower case: the service it confirms */
    const char *script;         /* the protocol script that loads it (--analyzers); NULL = name */
    uint8_t transport;          /* CL_AN_TCP, CL_AN_UDP or both (children: unused) */
    uint8_t flags;              /* CL_AN_F_* */
    const cl_an_port *ports;    /* ending with a zero port; NULL = none */
    const cl_an_sig *sigs;      /* ending with a NULL name; NULL = none */
    uint32_t state_size;        /* bytes of per-connection state, zeroed at attach */

    /* After the state is zeroed; may fail (return false) when out of
     * memory, and the analyzer is then not attached. Optional. */
    bool (*init)(cl_an *a);
    /* Data for the analyzer: see the top of this file. Required. */
    void (*deliver)(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len);
    /* `len` bytes of the stream will never arrive (a content gap). NULL:
     * the analyzer stops, as most of Zeek's do after a gap. */
    void (*gap)(cl_an *a, bool is_orig, uint64_t len);
    /* The direction's stream ended (FIN or RST, all data delivered). Optional. */
    void (*eof)(cl_an *a, bool is_orig);
    /* Release what init and deliver allocated beyond the state. Optional. */
    void (*done)(cl_an *a);
};

/* An attached analyzer. */
struct cl_an {
    const cl_analyzer *kind;
    struct cl_analysis *ac;      /* the connection's analysis (manager.c) */
    cl_an *next;                /* the next analyzer of the same parent */
    cl_an *parent;              /* NULL for the connection's own analyzers */
    cl_an *children;
    uint8_t flags;              /* manager.c's */
    _Alignas(16) unsigned char state[]; /* kind->state_size bytes */
};

/* The analyzer's state (kind->state_size bytes). */
static inline void *cl_an_state(cl_an *a) { return a->state; }

/* ---- What an analyzer may ask of the manager --------------------------- */

/* AnalyzerConfirmation: the analyzer's name joins the service column,
 * once per attached analyzer. */
void cl_an_confirm(cl_an *a);
/* AnalyzerViolation: protocol error. Within the first 10 KiB of the
 * connection (DPD::ignore_violations_after) the analyzer and its children
 * are removed, and its service, if confirmed, is taken out. The analyzer
 * sees no more data once removed; cl_an_removed() tells. */
void cl_an_violation(cl_an *a);
/* The analyzer has decided all it can: it is removed without a verdict. */
void cl_an_stop(cl_an *a);
bool cl_an_confirmed(const cl_an *a);
bool cl_an_removed(const cl_an *a);

/* Children (Zeek's child analyzers): SSL after STARTTLS, GSSAPI inside SMB,
 * NTLM inside GSSAPI, and so on. The parent feeds the child with
 * cl_an_forward() (and cl_an_forward_gap/eof) as it sees fit; a child
 * confirms and violates under its own name. Returns NULL when out of
 * memory or when the child's analyzer is not loaded. */
cl_an *cl_an_add_child(cl_an *parent, const cl_analyzer *kind);
/* A child that runs the DPD signatures over what the parent forwards to
 * it, as a fresh stream, and attaches the analyzers they enable below
 * itself, replaying its buffer to them (Zeek's PIA as a child: the stream
 * inside HTTP CONNECT, WebSocket payload). */
cl_an *cl_an_add_dpd_child(cl_an *parent);
/* The parent's first live child of this kind, or NULL. */
cl_an *cl_an_child(const cl_an *parent, const cl_analyzer *kind);
void cl_an_forward(cl_an *child, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len);
void cl_an_forward_gap(cl_an *child, bool is_orig, uint64_t len);
/* A hand-off in mid-stream (STARTTLS and the like): forward what of
 * [off, off + len) lies at or above the direction's stream offset `base`,
 * with offsets counted from `base`, so the child sees a stream of its own
 * that starts at 0. */
void cl_an_forward_from(cl_an *child, bool is_orig, uint64_t base, uint64_t off,
                        const uint8_t *p, uint32_t len);
void cl_an_forward_eof(cl_an *child, bool is_orig);

/* The connection and the engine the analyzer runs in. */
struct cl_conn *cl_an_conn(const cl_an *a);
struct cl_engine *cl_an_engine(const cl_an *a);
const cl_config *cl_an_config(const cl_an *a);
/* A UDP analyzer's session expiry (Zeek's DNS analyzer): the connection
 * is removed once idle for `interval` less a second, checked every
 * `interval` from now. UDP only. */
void cl_an_expire_idle(cl_an *a, double interval);

/* Zeek's TCP()->IsPartial(): the TCP connection was picked up without its
 * handshake (many analyzers ignore such connections). False for UDP. */
bool cl_an_tcp_partial(const cl_an *a);
/* The sum of both endpoints' sizes, as DPD compares it with
 * ignore_violations_after. */
uint64_t cl_an_conn_size(const cl_an *a);

/* Effects on the record beyond `service`. */
/* A protocol limit was reached (Zeek's analyzer "limit reached" weirds):
 * history gets `X`, once. */
void cl_an_limit_reached(cl_an *a);
/* Swap originator and responder (DNS, NTP). */
void cl_an_flip(cl_an *a);
/* Set the connection's inactivity timeout, seconds (0: none). */
void cl_an_set_inactivity(cl_an *a, double seconds);
/* Add a name to `service` that is not an analyzer's (scripts' names such
 * as "gridftp"). */
void cl_an_add_service(cl_an *a, const char *name);

/* Analyzer::schedule_analyzer: a TCP connection from `orig` (NULL: any
 * address) to resp:resp_p created within `timeout` seconds gets `service`
 * (ftp-data, irc-dcc-data, gridftp-data) and no port analyzers. */
void cl_an_expect(cl_an *a, const cl_addr *orig, const cl_addr *resp, uint16_t resp_p,
                  double timeout, const char *service);

/* Parsers read multi-byte fields with decode.h's cl_rd16/32/64 (network
 * order) and cl_rd16le/32le/64le. */

/* Analyzers by name, for children and tests: NULL if unknown. */
const cl_analyzer *cl_analyzer_find(const char *name);

#endif /* CL_ANALYZER_H */

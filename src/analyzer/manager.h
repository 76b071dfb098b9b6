/*
 * manager.h - what the engine and the transport code ask of the
 * application analyzers (Zeek's analyzer manager, PIA and DPD script).
 *
 * A connection's analysis is allocated only when there is something to
 * analyse (its first payload, or at creation for UDP analyzers attached by
 * port) and freed as soon as no analyzer and no signature can still
 * change the record. Confirmations and violations take effect at the end
 * of the packet that raised them, as Zeek's events do: cl_an_drain().
 */
#ifndef CL_AN_MANAGER_H
#define CL_AN_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/analyzer.h"

struct cl_engine;
struct cl_conn;
struct cl_sigset;

#define CL_AN_KINDS_MAX 96      /* analyzers in the table */

/* The engine's part: which analyzers run, where, and their signatures. */
typedef struct cl_analyzers {
    bool loaded[CL_AN_KINDS_MAX];   /* by cl_analyzer_table index */
    bool children_ok;               /* children start (not Analyzer::disable_all) */
    uint8_t port_any[2][8192];      /* [UDP?] bitmap: some analyzer uses the port */
    struct cl_sigset *sigs;
    struct cl_analysis *dirty;       /* connections with events to drain */
} cl_analyzers;

/* cl_conn.an_flags */
enum {
    CL_ANF_ON = 0x1,            /* the connection's payload goes to analysis */
    CL_ANF_SCHEDULED = 0x2,     /* an expected connection: no port analyzers */
    CL_ANF_PORT = 0x4           /* analyzers are registered for its port */
};

int cl_an_engine_init(struct cl_engine *e, char *err, size_t errlen);
void cl_an_engine_free(struct cl_engine *e);

/* A new TCP or UDP connection, after its creation-time flip: decide
 * whether it is analysed (and, for UDP port analyzers, attach them). */
void cl_an_attach(struct cl_engine *e, struct cl_conn *c);

/* TCP: in-order stream data, a content gap, the end of a direction. */
void cl_an_tcp_data(struct cl_engine *e, struct cl_conn *c, bool is_orig, uint64_t off,
                    const uint8_t *p, uint32_t len);
void cl_an_tcp_gap(struct cl_engine *e, struct cl_conn *c, bool is_orig, uint64_t len);
void cl_an_tcp_eof(struct cl_engine *e, struct cl_conn *c, bool is_orig);

/* UDP: a datagram's payload. Analyzers attached by port see it before
 * the packet is counted (port_phase), the DPD machinery after, as their
 * places among Zeek's children around ConnSize. */
void cl_an_udp_packet(struct cl_engine *e, struct cl_conn *c, bool is_orig, const uint8_t *p,
                      uint32_t len, bool port_phase);

/* Apply the confirmations and violations raised while the packet was
 * processed (the engine calls it after every packet). */
void cl_an_drain(struct cl_engine *e);

/* The connection goes: its pending events are applied, then everything
 * is freed. */
void cl_an_release(struct cl_engine *e, struct cl_conn *c);

/* The analyzers' own timer fired (cl_an_expire_idle); true when the
 * connection was removed. */
bool cl_an_timer(struct cl_engine *e, struct cl_conn *c, double now, bool terminating);

/* Is the named analyzer (or the script that loads it) selected by the
 * configuration? */
bool cl_analyzer_loaded(const char *analyzers, const char *name);

#endif /* CL_AN_MANAGER_H */

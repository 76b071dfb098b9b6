/*
 * detect.h - application analyzers: what confirms a service, and the
 * analyzer behaviours that change conn.log beyond `service` (role flips,
 * "limit reached" X letters, session timeouts).
 *
 * Analyzers attach to a connection as Zeek's do, by the responder port
 * after any creation-time flip, when they are loaded (cl_config's
 * analyzers list) or by a port registration. DNS, NTP and DHCP over UDP;
 * HTTP, SSL, SSH, FTP (with its data channels), SMTP, and the Telnet and
 * RSH line limits over TCP.
 */
#ifndef CL_DETECT_H
#define CL_DETECT_H

#include <stdbool.h>
#include <stdint.h>

struct cl_engine;
struct cl_conn;

enum {
    CL_AN_DNS = 0x1,
    CL_AN_NTP = 0x2,
    CL_AN_HTTP = 0x4,
    CL_AN_SSH = 0x8,
    CL_AN_SSL = 0x10,
    CL_AN_FTP = 0x20,
    CL_AN_TELNET = 0x40,
    CL_AN_RSH = 0x80,
    CL_AN_DHCP = 0x100,
    CL_AN_SMTP = 0x200,
    CL_AN_PGSQL = 0x400,
    CL_AN_LDAP = 0x800,
    CL_AN_MYSQL = 0x1000
};

/* cl_conn.an_state: the connection's TCP payload goes to the stream
 * analyzers (set at creation when any is loaded, cleared when they are
 * all done). */
#define CL_AS_STREAM 0x80
/* The TCP connection's first packet carried SYN (set by the TCP code). */
#define CL_AS_SYN_FIRST 0x40

/* Which UDP analyzers attach to a new connection with this responder port. */
uint16_t cl_detect_udp_attach(const struct cl_engine *e, uint16_t resp_port);

/* A valid UDP datagram's payload (`len` bytes present) for the attached
 * analyzers; they may confirm a service or flip the connection. */
void cl_detect_udp(struct cl_engine *e, struct cl_conn *c, bool is_orig, const uint8_t *payload,
                   uint32_t len);

/* A new TCP connection: attach the port-based analyzers, and follow its
 * stream when any stream analyzer (or its signature) could apply. */
void cl_detect_tcp_attach(const struct cl_engine *e, struct cl_conn *c);
/* In-order payload: `off` is its offset in the delivered stream. */
void cl_detect_tcp_data(struct cl_engine *e, struct cl_conn *c, bool is_orig, uint64_t off,
                        const uint8_t *data, uint32_t len);
/* Bytes the stream analyzers will never see (a content gap, or data
 * delivered from buffers we do not keep). */
void cl_detect_tcp_gap(struct cl_engine *e, struct cl_conn *c, bool is_orig);
void cl_detect_release(struct cl_conn *c);

/* Is the named analyzer loaded ("all", or in the configured list)? */
bool cl_analyzer_loaded(const char *analyzers, const char *name);
/* The CL_AN_* bit of a TCP analyzer that can be registered for a port
 * (cl_config_register_port's names), or 0. */
uint8_t cl_analyzer_bit(const char *name);

#endif /* CL_DETECT_H */

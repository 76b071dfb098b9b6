/*
 * detect.h - application analyzers: what confirms a service, and the
 * analyzer behaviours that change conn.log beyond `service` (role flips,
 * "limit reached" X letters, session timeouts).
 *
 * Analyzers attach to a connection as Zeek's do, by the responder port
 * after any creation-time flip, when they are loaded (cl_config's
 * analyzers list). So far: DNS and NTP over UDP.
 */
#ifndef CL_DETECT_H
#define CL_DETECT_H

#include <stdbool.h>
#include <stdint.h>

struct cl_engine;
struct cl_conn;

enum {
    CL_AN_DNS = 0x1,
    CL_AN_NTP = 0x2
};

/* Which UDP analyzers attach to a new connection with this responder port. */
uint8_t cl_detect_udp_attach(const struct cl_engine *e, uint16_t resp_port);

/* A valid UDP datagram's payload (`len` bytes present) for the attached
 * analyzers; they may confirm a service or flip the connection. */
void cl_detect_udp(struct cl_engine *e, struct cl_conn *c, bool is_orig, const uint8_t *payload,
                   uint32_t len);

/* Is the named analyzer loaded ("all", or in the configured list)? */
bool cl_analyzer_loaded(const char *analyzers, const char *name);

#endif /* CL_DETECT_H */

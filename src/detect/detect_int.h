/*
 * detect_int.h - shared by the analyzers in src/detect/.
 */
#ifndef CL_DETECT_INT_H
#define CL_DETECT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "connlog.h"

struct cl_engine;
struct cl_conn;
typedef struct cl_stream_state cl_stream_state;

/* Per-connection analyzer memory (cl_conn.an_state). */
enum {
    CL_AS_DNS_SEEN = 0x1,      /* the DNS analyzer parsed its first message */
    CL_AS_NTP_FLIPPED = 0x2    /* the NTP analyzer flipped the connection */
};

void cl_dns_message(struct cl_engine *e, struct cl_conn *c, bool is_orig, const uint8_t *msg,
                    uint32_t len);
void cl_dhcp_message(struct cl_engine *e, struct cl_conn *c, const uint8_t *msg, uint32_t len);
void cl_ntp_message(struct cl_engine *e, struct cl_conn *c, bool is_orig, const uint8_t *msg,
                    uint32_t len);

/* Zeek's DPD reaction to a protocol violation: the analyzer is removed;
 * a service it had confirmed is removed too unless the connection has
 * already carried more than DPD::ignore_violations_after bytes. */
void cl_analyzer_violation(struct cl_engine *e, struct cl_conn *c, uint16_t analyzer,
                           const char *service);

/* Expected connections (expect.c), Zeek's Analyzer::schedule_analyzer:
 * a TCP connection from `orig` (NULL: any address) to resp:resp_p created
 * within `timeout` seconds gets `service`. */
void cl_expect_add(struct cl_engine *e, const cl_addr *orig, const cl_addr *resp,
                   uint16_t resp_p, double timeout, const char *service);
/* A new TCP connection: add the services it was expected with. */
void cl_expect_apply(struct cl_engine *e, struct cl_conn *c);
void cl_expect_free(struct cl_engine *e);

/* IPv4 224.x.x.x or IPv6 ff00::/8, as Zeek's IPAddr::IsMulticast. */
bool cl_addr_multicast(const cl_addr *a);

#endif /* CL_DETECT_INT_H */

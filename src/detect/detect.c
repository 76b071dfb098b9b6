/*
 * detect.c - attaching application analyzers and Zeek's DPD bookkeeping
 * around them (scripts/base/frameworks/analyzer/dpd.zeek).
 */
#include "detect/detect.h"

#include <string.h>

#include "detect/detect_int.h"
#include "engine.h"

#define DPD_IGNORE_VIOLATIONS_AFTER 10240

bool cl_analyzer_loaded(const char *analyzers, const char *name)
{
    if (strcmp(analyzers, "all") == 0)
        return true;
    size_t n = strlen(name);
    for (const char *s = analyzers; *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == n && strncmp(s, name, n) == 0)
            return true;
        s += len + (comma ? 1 : 0);
    }
    return false;
}

uint8_t cl_analyzer_bit(const char *name)
{
    static const struct {
        const char *name;
        uint8_t bit;
    } bits[] = {{"http", CL_AN_HTTP}, {"ssl", CL_AN_SSL},       {"ssh", CL_AN_SSH},
                {"ftp", CL_AN_FTP},   {"telnet", CL_AN_TELNET}, {"rsh", CL_AN_RSH}};
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (strcmp(name, bits[i].name) == 0)
            return bits[i].bit;
    return 0;
}

uint16_t cl_detect_udp_attach(const cl_engine *e, uint16_t resp_port)
{
    uint16_t a = 0;
    /* Ports from Zeek's scripts/base/protocols/{dns,ntp,dhcp}/main.zeek. */
    if (e->dns_analyzer &&
        (resp_port == 53 || resp_port == 137 || resp_port == 5353 || resp_port == 5355))
        a |= CL_AN_DNS;
    if (e->ntp_analyzer && resp_port == 123)
        a |= CL_AN_NTP;
    if (e->dhcp_analyzer && (resp_port == 67 || resp_port == 68 || resp_port == 4011))
        a |= CL_AN_DHCP;
    return a;
}

void cl_detect_udp(cl_engine *e, cl_conn *c, bool is_orig, const uint8_t *payload, uint32_t len)
{
    if (c->analyzers & CL_AN_DNS)
        cl_dns_message(e, c, is_orig, payload, len);
    if (c->analyzers & CL_AN_NTP)
        cl_ntp_message(e, c, is_orig, payload, len);
    if (c->analyzers & CL_AN_DHCP)
        cl_dhcp_message(e, c, payload, len);
}

static uint64_t conn_size(const cl_conn *c)
{
    if (c->proto == CL_PROTO_TCP)
        return cl_conn_tcp(c) ? cl_tcp_size(CL_TCP_ORIG(cl_conn_tcp(c)), CL_TCP_RESP(cl_conn_tcp(c))) +
                            cl_tcp_size(CL_TCP_RESP(cl_conn_tcp(c)), CL_TCP_ORIG(cl_conn_tcp(c)))
                      : 0;
    const cl_datagram *dg = cl_conn_dg_const(c);
    uint64_t n = 0;
    for (int i = 0; i < 2; i++)
        if (dg->dlen[i] > 0)
            n += (uint64_t)dg->dlen[i];
    return n;
}

/* dpd.zeek's analyzer_violation_info and analyzer_failed: within the first
 * 10 KiB a violation of a confirmed service takes it back out of `service`
 * (or, with DPD::track_removed_services_in_connection, adds "-name" beside
 * it) and lists it in failed_service. */
void cl_analyzer_violation(cl_engine *e, cl_conn *c, uint16_t analyzer, const char *service)
{
    c->analyzers &= (uint16_t)~analyzer;
    if (conn_size(c) > DPD_IGNORE_VIOLATIONS_AFTER || !cl_conn_has_service(c, service))
        return;
    cl_conn_add_failed_service(c, service);
    if (!e->cfg.dpd_track_removed_services) {
        cl_conn_remove_service(c, service);
        return;
    }
    char removed[16];
    if (strlen(service) + 2 <= sizeof removed) {
        removed[0] = '-';
        strcpy(removed + 1, service);
        cl_conn_add_service(c, removed);
    }
}

bool cl_addr_multicast(const cl_addr *a)
{
    if (cl_addr_is_v4(a))
        return a->b[12] == 224;
    return a->b[0] == 0xff;
}

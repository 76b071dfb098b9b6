/*
 * service.c - a connection's `service` column: the confirmed analyzers,
 * in confirmation order.
 *
 * A third of all connections have a service, and a comma-separated string
 * kept for each of them cost a 48-byte buffer in the connection's cold
 * part (with its allocation). The names come from a short fixed list, so
 * a connection keeps up to CL_SERVICES small numbers instead (4 bytes
 * inside cl_conn) and the string is built when the record is written.
 * A name that DPD::track_removed_services_in_connection writes as "-name"
 * is the name's number with REMOVED set.
 */
#include <assert.h>
#include <string.h>

#include "conn/conn.h"

/* Every name the analyzers confirm (add new ones here: an unknown name
 * is refused, and debug builds stop on it). Index 0 means "none". */
static const char *const names[] = {
    NULL,       "http",  "ftp",    "ftp-data", "ssl",    "ssh",   "smtp",
    "postgresql", "ldap_tcp", "mysql", "dns",   "ntp",   "dhcp",  "vxlan",
    "geneve",   "ayiya", "gtpv1",  "teredo",
};

#define N_NAMES (sizeof names / sizeof names[0])
#define REMOVED 0x80

_Static_assert(N_NAMES < REMOVED, "service numbers must leave the REMOVED bit free");

/* The number of `name` ("-name" included), or 0 if it is not known. */
static uint8_t service_id(const char *name)
{
    uint8_t removed = 0;
    if (name[0] == '-') {
        removed = REMOVED;
        name++;
    }
    for (uint8_t i = 1; i < N_NAMES; i++)
        if (strcmp(names[i], name) == 0)
            return (uint8_t)(i | removed);
    return 0;
}

static size_t name_len(uint8_t id)
{
    return strlen(names[id & ~REMOVED]) + ((id & REMOVED) ? 1 : 0);
}

static unsigned count(const cl_conn *c)
{
    unsigned n = 0;
    while (n < CL_SERVICES && c->services[n])
        n++;
    return n;
}

static int find(const cl_conn *c, uint8_t id)
{
    for (unsigned i = 0; i < CL_SERVICES && c->services[i]; i++)
        if (c->services[i] == id)
            return (int)i;
    return -1;
}

void cl_conn_add_service(cl_conn *c, const char *name)
{
    uint8_t id = service_id(name);
    assert(id != 0 && "a service name missing from service.c's list");
    if (id == 0 || find(c, id) >= 0)
        return;
    unsigned n = count(c);
    /* The string holds at most CL_SERVICE_MAX - 1 characters: a name that
     * would not fit is not added. */
    size_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += name_len(c->services[i]) + 1;
    if (n == CL_SERVICES || len + name_len(id) + 1 > CL_SERVICE_MAX)
        return;
    c->services[n] = id;
}

bool cl_conn_has_service(const cl_conn *c, const char *name)
{
    uint8_t id = service_id(name);
    return id != 0 && find(c, id) >= 0;
}

void cl_conn_remove_service(cl_conn *c, const char *name)
{
    int at = find(c, service_id(name));
    if (at < 0)
        return;
    memmove(&c->services[at], &c->services[at + 1], CL_SERVICES - 1 - (size_t)at);
    c->services[CL_SERVICES - 1] = 0;
}

size_t cl_conn_service_string(const cl_conn *c, char out[CL_SERVICE_MAX])
{
    size_t len = 0;
    for (unsigned i = 0; i < CL_SERVICES && c->services[i]; i++) {
        uint8_t id = c->services[i];
        if (len)
            out[len++] = ',';
        if (id & REMOVED)
            out[len++] = '-';
        const char *s = names[id & ~REMOVED];
        size_t l = strlen(s);
        memcpy(out + len, s, l);
        len += l;
    }
    out[len] = '\0';
    return len;
}

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

#include "analyzer/analyzer.h"
#include "conn/conn.h"

extern const cl_analyzer *const cl_analyzer_table[];

/* Names in `service` that are no analyzer's: those scripts add, and the
 * UDP tunnels' packet analyzers. Analyzers' names come from the table;
 * an unknown name is refused, and debug builds stop on it. */
static const char *const extra_names[] = {
    "ftp-data", "irc-dcc-data", "gridftp", "gridftp-data",
    "vxlan", "geneve", "ayiya", "gtpv1", "teredo", NULL,
};

#define REMOVED 0x80

/* Number 0 means "none"; 1.. are the table's analyzers, then the extras. */
static const char *name_of(uint8_t id)
{
    unsigned i = (unsigned)(id & ~REMOVED) - 1, n = 0;
    while (cl_analyzer_table[n])
        n++;
    return i < n ? cl_analyzer_table[i]->name : extra_names[i - n];
}

/* The number of `name` ("-name" included), or 0 if it is not known. */
static uint8_t service_id(const char *name)
{
    uint8_t removed = 0;
    if (name[0] == '-') {
        removed = REMOVED;
        name++;
    }
    unsigned id = 1;
    for (unsigned i = 0; cl_analyzer_table[i]; i++, id++)
        if (strcmp(cl_analyzer_table[i]->name, name) == 0)
            return (uint8_t)(id | removed);
    for (unsigned i = 0; extra_names[i]; i++, id++)
        if (strcmp(extra_names[i], name) == 0)
            return id < REMOVED ? (uint8_t)(id | removed) : 0;
    return 0;
}

static size_t name_len(uint8_t id)
{
    return strlen(name_of(id)) + ((id & REMOVED) ? 1 : 0);
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
        const char *s = name_of(id);
        size_t l = strlen(s);
        memcpy(out + len, s, l);
        len += l;
    }
    out[len] = '\0';
    return len;
}

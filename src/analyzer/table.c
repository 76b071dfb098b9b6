/*
 * table.c - every application analyzer connlog has, registered once.
 *
 * The order is the order in which analyzers attached by the same port are
 * fed (and so, when two confirm on the same bytes, the order of their
 * names in `service`). Add an analyzer: its file under protocol/, one
 * extern line and one table line here, and its tests.
 */
#include "analyzer/analyzer.h"

#include <string.h>

extern const cl_analyzer cl_analyzer_dhcp;
extern const cl_analyzer cl_analyzer_dns;
extern const cl_analyzer cl_analyzer_ftp;
extern const cl_analyzer cl_analyzer_http;
extern const cl_analyzer cl_analyzer_ldap_tcp;
extern const cl_analyzer cl_analyzer_mysql;
extern const cl_analyzer cl_analyzer_ntp;
extern const cl_analyzer cl_analyzer_postgresql;
extern const cl_analyzer cl_analyzer_rsh;
extern const cl_analyzer cl_analyzer_smtp;
extern const cl_analyzer cl_analyzer_ssh;
extern const cl_analyzer cl_analyzer_ssl;
extern const cl_analyzer cl_analyzer_telnet;

const cl_analyzer *const cl_analyzer_table[] = {
    &cl_analyzer_dhcp,
    &cl_analyzer_dns,
    &cl_analyzer_ftp,
    &cl_analyzer_http,
    &cl_analyzer_ldap_tcp,
    &cl_analyzer_mysql,
    &cl_analyzer_ntp,
    &cl_analyzer_postgresql,
    &cl_analyzer_rsh,
    &cl_analyzer_smtp,
    &cl_analyzer_ssh,
    &cl_analyzer_ssl,
    &cl_analyzer_telnet,
    NULL,
};

const cl_analyzer *cl_analyzer_find(const char *name)
{
    for (const cl_analyzer *const *a = cl_analyzer_table; *a; a++)
        if (strcmp((*a)->name, name) == 0)
            return *a;
    return NULL;
}

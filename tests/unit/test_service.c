/*
 * test_service.c - a connection's service list (src/conn/service.c): the
 * string Zeek's `service` column shows, built from the names' numbers.
 */
#include <string.h>

#include "conn/conn.h"
#include "test.h"

static const char *svc(const cl_conn *c)
{
    static char out[CL_SERVICE_MAX];
    cl_conn_service_string(c, out);
    return out;
}

/* Confirmation order is kept, a name is listed once. */
static void test_order_and_once(void)
{
    cl_conn c;
    memset(&c, 0, sizeof c);
    CHECK_STR(svc(&c), "");
    CHECK(!cl_conn_has_service(&c, "ssl"));
    cl_conn_add_service(&c, "ssl");
    cl_conn_add_service(&c, "http");
    cl_conn_add_service(&c, "ssl");
    CHECK_STR(svc(&c), "ssl,http");
    CHECK(cl_conn_has_service(&c, "ssl"));
    CHECK(cl_conn_has_service(&c, "http"));
    CHECK(!cl_conn_has_service(&c, "ftp"));
    CHECK_EQ_U64(cl_conn_service_string(&c, (char[CL_SERVICE_MAX]){0}), 8);
}

/* Removing a name closes the gap; "-name" (DPD's tracking of removed
 * services) is a name of its own. */
static void test_remove_and_removed_form(void)
{
    cl_conn c;
    memset(&c, 0, sizeof c);
    cl_conn_add_service(&c, "ftp");
    cl_conn_add_service(&c, "ssl");
    cl_conn_add_service(&c, "ftp-data");
    cl_conn_remove_service(&c, "ssl");
    CHECK_STR(svc(&c), "ftp,ftp-data");
    cl_conn_remove_service(&c, "ssl"); /* not there: nothing happens */
    CHECK_STR(svc(&c), "ftp,ftp-data");
    cl_conn_add_service(&c, "-ftp");
    CHECK_STR(svc(&c), "ftp,ftp-data,-ftp");
    CHECK(cl_conn_has_service(&c, "-ftp"));
    cl_conn_remove_service(&c, "ftp");
    CHECK_STR(svc(&c), "ftp-data,-ftp");
    CHECK(!cl_conn_has_service(&c, "ftp"));
    cl_conn_remove_service(&c, "ftp-data");
    cl_conn_remove_service(&c, "-ftp");
    CHECK_STR(svc(&c), "");
}

/* At most CL_SERVICES names; the longest lists fit the column's buffer. */
static void test_limits(void)
{
    cl_conn c;
    memset(&c, 0, sizeof c);
    cl_conn_add_service(&c, "dns");
    cl_conn_add_service(&c, "ntp");
    cl_conn_add_service(&c, "dhcp");
    cl_conn_add_service(&c, "vxlan");
    cl_conn_add_service(&c, "http");
    CHECK_STR(svc(&c), "dns,ntp,dhcp,vxlan");

    memset(&c, 0, sizeof c);
    cl_conn_add_service(&c, "-postgresql");
    cl_conn_add_service(&c, "postgresql");
    cl_conn_add_service(&c, "-ldap_tcp");
    cl_conn_add_service(&c, "ldap_tcp");
    CHECK_STR(svc(&c), "-postgresql,postgresql,-ldap_tcp,ldap_tcp");
    CHECK(strlen(svc(&c)) < CL_SERVICE_MAX);
}

TEST_MAIN(test_order_and_once, test_remove_and_removed_form, test_limits)

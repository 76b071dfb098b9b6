/*
 * dhcp.c - the DHCP analyzer's verdict (Zeek's src/analyzer/protocol/dhcp):
 * one well-formed BOOTP message with the DHCP magic cookie confirms the
 * service; a short message, another cookie or broken options are a
 * protocol violation.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"

#include "conn/conn.h"

#define DHCP_FIXED 236          /* op .. file: the BOOTP header */
#define DHCP_COOKIE 0x63825363u
#define DHCP_OPT_PAD 0
#define DHCP_OPT_END 255

/* The options after the cookie: code, length, value ..., up to the end
 * option, all inside the message. */
static bool options_ok(const uint8_t *p, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t code = p[i++];
        if (code == DHCP_OPT_END)
            return true;
        if (code == DHCP_OPT_PAD)
            continue;
        if (i >= n || p[i] > n - i - 1)
            return false;
        i += 1u + p[i];
    }
    return false; /* no end option: the parser runs out of data */
}

void cl_dhcp_message(cl_engine *e, cl_conn *c, const uint8_t *msg, uint32_t len)
{
    if (len < DHCP_FIXED + 4) {
        cl_analyzer_violation(e, c, CL_AN_DHCP, "dhcp");
        return;
    }
    const uint8_t *k = msg + DHCP_FIXED;
    if (cl_rd32(k) != DHCP_COOKIE || !options_ok(k + 4, len - DHCP_FIXED - 4)) {
        cl_analyzer_violation(e, c, CL_AN_DHCP, "dhcp");
        return;
    }
    cl_conn_add_service(c, "dhcp");
}

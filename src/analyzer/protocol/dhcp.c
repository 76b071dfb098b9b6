/*
 * dhcp.c - the DHCP analyzer's verdict (Zeek's src/analyzer/protocol/dhcp):
 * one well-formed BOOTP message with the DHCP magic cookie confirms the
 * service; a short message, another cookie or broken options are a
 * protocol violation.
 */
#include "analyzer/analyzer.h"
#include "decode/decode.h"

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

static void dhcp_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *msg, uint32_t len)
{
    (void)is_orig;
    (void)off;
    if (len < DHCP_FIXED + 4) {
        cl_an_violation(a);
        return;
    }
    const uint8_t *k = msg + DHCP_FIXED;
    if (cl_rd32(k) != DHCP_COOKIE || !options_ok(k + 4, len - DHCP_FIXED - 4)) {
        cl_an_violation(a);
        return;
    }
    cl_an_confirm(a);
}

/* 68/udp is registered, but Zeek does not count it as a likely server
 * port. */
static const cl_an_port dhcp_ports[] = {
    {67, CL_AN_UDP, false}, {68, CL_AN_UDP, true}, {4011, CL_AN_UDP, false}, {0, 0, false},
};

static const cl_an_sig dhcp_sigs[] = {
    {.name = "dhcp_cookie", .transport = CL_AN_UDP, .payload = "^.{236}\\x63\\x82\\x53\\x63",
     .enable = true},
    {0},
};

const cl_analyzer cl_analyzer_dhcp = {
    .name = "dhcp",
    .transport = CL_AN_UDP,
    .ports = dhcp_ports,
    .sigs = dhcp_sigs,
    .deliver = dhcp_deliver,
};

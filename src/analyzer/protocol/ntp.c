/*
 * ntp.c - what Zeek's NTP analyzer does to conn.log: a message that
 * parses confirms "ntp"; a server-mode message from the originator or a
 * client-mode message from the responder flips the connection, once; a
 * message too short for its mode is a violation.
 */
#include "analyzer/analyzer.h"

/* Minimum message length by mode: 48 bytes for the standard modes 1-5,
 * a 12-byte header (plus its data) for control mode 6, 8 for mode 7. */
static bool ntp_parses(const uint8_t *p, uint32_t len)
{
    if (len < 1)
        return false;
    unsigned mode = p[0] & 7;
    if (mode >= 1 && mode <= 5)
        return len >= 48;
    if (mode == 6) {
        if (len < 12)
            return false;
        uint32_t count = (uint32_t)(p[10] << 8 | p[11]);
        return len - 12 >= count;
    }
    if (mode == 7)
        return len >= 8;
    return true; /* mode 0: the rest is opaque */
}

typedef struct ntp_state {
    bool flipped;
} ntp_state;

static void ntp_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *msg, uint32_t len)
{
    (void)off;
    ntp_state *st = cl_an_state(a);
    if (!ntp_parses(msg, len)) {
        cl_an_violation(a);
        return;
    }
    unsigned mode = msg[0] & 7;
    if (!st->flipped && ((mode == 4 && is_orig) || (mode == 3 && !is_orig))) {
        st->flipped = true;
        cl_an_flip(a);
    }
    cl_an_confirm(a);
}

static const cl_an_port ntp_ports[] = {{123, CL_AN_UDP, false}, {0, 0, false}};

const cl_analyzer cl_analyzer_ntp = {
    .name = "ntp",
    .transport = CL_AN_UDP,
    .ports = ntp_ports,
    .state_size = sizeof(ntp_state),
    .deliver = ntp_deliver,
};

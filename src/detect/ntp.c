/*
 * ntp.c - what Zeek's NTP analyzer does to conn.log: a message that
 * parses confirms "ntp"; a server-mode message from the originator or a
 * client-mode message from the responder flips the connection, once; a
 * message too short for its mode is a violation.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "engine.h"

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

void cl_ntp_message(cl_engine *e, cl_conn *c, bool is_orig, const uint8_t *msg, uint32_t len)
{
    if (!ntp_parses(msg, len)) {
        cl_analyzer_violation(e, c, CL_AN_NTP, "ntp");
        return;
    }
    unsigned mode = msg[0] & 7;
    if (!(c->an_state & CL_AS_NTP_FLIPPED) &&
        ((mode == 4 && is_orig) || (mode == 3 && !is_orig))) {
        c->an_state |= CL_AS_NTP_FLIPPED;
        cl_conn_flip(e, c);
    }
    cl_conn_add_service(c, "ntp");
}

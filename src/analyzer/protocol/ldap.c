/*
 * ldap.c - the LDAP analyzer's verdict (Zeek's Spicy analyzer in
 * src/analyzer/protocol/ldap), as far as conn.log sees it.
 *
 * Zeek confirms "ldap_tcp" when a whole LDAPMessage has parsed, in either
 * direction: a BER SEQUENCE holding an INTEGER message id and an
 * APPLICATION-tagged operation that fits inside it. We check those
 * headers on each direction's first message; once confirmed there is
 * nothing more to learn here (SASL wrapping and StartTLS come later and
 * need the full grammar). A first message whose headers are wrong is the
 * parse error that makes Zeek drop the analyzer.
 */
#include "analyzer/analyzer.h"

enum { LDAP_MORE = 0, LDAP_CONFIRM, LDAP_VIOLATION };

#define LDAP_HEAD 16            /* enough for the three headers */

typedef struct ldap_dir {
    uint8_t head[LDAP_HEAD];
    uint8_t nhead;
    uint64_t need;              /* the first message's length, headers included */
    uint64_t got;               /* its bytes seen so far */
    bool sized;                 /* the message length is known */
} ldap_dir;

typedef struct cl_ldap {
    ldap_dir d[2];
    bool started[2];            /* the direction was seen from its start */
} cl_ldap;

/* A BER identifier and definite length at p[*i]: the tag byte, and the
 * content length. -1 when more bytes are needed, -2 when malformed. */
static int ber_header(const uint8_t *p, uint32_t n, uint32_t *i, uint8_t *tag, uint64_t *len)
{
    if (*i + 2 > n)
        return -1;
    *tag = p[*i];
    if ((*tag & 0x1f) == 0x1f)
        return -2; /* multi-byte tag numbers do not occur here */
    uint8_t l0 = p[*i + 1];
    *i += 2;
    if (l0 < 0x80) {
        *len = l0;
        return 0;
    }
    unsigned k = l0 & 0x7f;
    if (k == 0 || k > 4)
        return -2; /* indefinite or absurd lengths */
    if (*i + k > n)
        return -1;
    uint64_t v = 0;
    for (unsigned j = 0; j < k; j++)
        v = v << 8 | p[*i + j];
    *i += k;
    *len = v;
    return 0;
}

/* SEQUENCE { INTEGER id, [APPLICATION n] op ... } as far as the head goes. */
static int check_head(ldap_dir *d)
{
    uint32_t i = 0;
    uint8_t tag;
    uint64_t msg_len, id_len, op_len;
    int r = ber_header(d->head, d->nhead, &i, &tag, &msg_len);
    if (r)
        return r;
    if (tag != 0x30)
        return -2;
    uint32_t seq_hdr = i;
    if ((r = ber_header(d->head, d->nhead, &i, &tag, &id_len)) != 0)
        return r;
    if (tag != 0x02 || id_len == 0 || id_len > 8)
        return -2;
    i += (uint32_t)id_len;
    if ((r = ber_header(d->head, d->nhead, &i, &tag, &op_len)) != 0)
        return r;
    if ((tag & 0xc0) != 0x40)
        return -2;
    if (i - seq_hdr + op_len > msg_len)
        return -2; /* the operation does not fit in the message */
    d->need = seq_hdr + msg_len;
    d->sized = true;
    return 0;
}

static int ldap_feed(cl_ldap *l, bool is_orig, const uint8_t *p, uint32_t n)
{
    ldap_dir *d = &l->d[is_orig ? 0 : 1];
    uint32_t i = 0;
    while (!d->sized && i < n) {
        if (d->nhead == LDAP_HEAD)
            return LDAP_VIOLATION; /* headers longer than any real message's */
        d->head[d->nhead++] = p[i++];
        d->got++;
        if (check_head(d) == -2)
            return LDAP_VIOLATION;
    }
    if (!d->sized)
        return LDAP_MORE;
    d->got += n - i;
    return d->got >= d->need ? LDAP_CONFIRM : LDAP_MORE;
}

static void ldap_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t n)
{
    cl_ldap *l = cl_an_state(a);
    int dir = is_orig ? 0 : 1;
    /* A direction whose start we missed cannot be parsed. */
    int v = off == 0 || l->started[dir] ? ldap_feed(l, is_orig, p, n) : LDAP_VIOLATION;
    l->started[dir] = true;
    if (v == LDAP_CONFIRM)
        cl_an_confirm(a);
    else if (v == LDAP_VIOLATION)
        cl_an_violation(a);
    if (v != LDAP_MORE)
        cl_an_stop(a);
}

static const cl_an_port ldap_ports[] = {{389, CL_AN_TCP, false}, {3268, CL_AN_TCP, false}, {0, 0, false}};

static const cl_an_sig ldap_sigs[] = {
    {.name = "dpd_ldap_client_tcp", .transport = CL_AN_TCP, .payload = "^\\x30.\\x02\\x01.\\x60"},
    {.name = "dpd_ldap_server_tcp", .transport = CL_AN_TCP, .payload = "^\\x30",
     .requires_reverse = "dpd_ldap_client_tcp", .enable = true},
    {0},
};

const cl_analyzer cl_analyzer_ldap_tcp = {
    .name = "ldap_tcp",
    .script = "ldap",
    .transport = CL_AN_TCP,
    .ports = ldap_ports,
    .sigs = ldap_sigs,
    .state_size = sizeof(cl_ldap),
    .deliver = ldap_deliver,
};

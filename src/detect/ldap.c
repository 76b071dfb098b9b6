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
#include "detect/ldap.h"

#include <stdlib.h>

#define LDAP_HEAD 16            /* enough for the three headers */

typedef struct ldap_dir {
    uint8_t head[LDAP_HEAD];
    uint8_t nhead;
    uint64_t need;              /* the first message's length, headers included */
    uint64_t got;               /* its bytes seen so far */
    bool sized;                 /* the message length is known */
} ldap_dir;

struct cl_ldap {
    ldap_dir d[2];
};

cl_ldap *cl_ldap_new(void)
{
    return calloc(1, sizeof(cl_ldap));
}

void cl_ldap_free(cl_ldap *l)
{
    free(l);
}

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

int cl_ldap_feed(cl_ldap *l, bool is_orig, const uint8_t *p, uint32_t n)
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

/*
 * netlist.c - CIDR prefixes and lists of them (Site::local_nets and
 * friends). Addresses are 16 bytes; IPv4 lives in ::ffff:0:0/96.
 */
#include "site/netlist.h"

#include <arpa/inet.h>
#include <string.h>

#include "decode/decode.h"

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool cl_addr_is_v4(const cl_addr *a)
{
    return memcmp(a->b, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0;
}

int cl_addr_parse(const char *text, cl_addr *out)
{
    uint8_t v4[4];
    if (inet_pton(AF_INET, text, v4) == 1) {
        cl_addr_set_v4(out, v4);
        return 0;
    }
    return inet_pton(AF_INET6, text, out->b) == 1 ? 0 : -1;
}

static void mask_addr(cl_addr *a, unsigned bits)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned keep = bits > 8 * i ? bits - 8 * i : 0;
        if (keep < 8)
            a->b[i] &= (uint8_t)(0xff00u >> keep);
    }
}

/* Parse the decimal prefix length after '/'; -1 if malformed or > max. */
static int parse_bits(const char *s, int max)
{
    int v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > max)
            return -1;
    }
    return v;
}

int cl_cidr_parse(const char *text, cl_cidr *out)
{
    char buf[64];
    const char *slash = strchr(text, '/');
    size_t alen = slash ? (size_t)(slash - text) : strlen(text);
    if (alen == 0 || alen >= sizeof buf)
        return -1;
    memcpy(buf, text, alen);
    buf[alen] = '\0';
    cl_addr a;
    if (cl_addr_parse(buf, &a) != 0)
        return -1;
    int v4 = strchr(buf, ':') == NULL;
    int bits = v4 ? 32 : 128;
    if (slash && (bits = parse_bits(slash + 1, v4 ? 32 : 128)) < 0)
        return -1;
    if (v4)
        bits += 96;
    mask_addr(&a, (unsigned)bits);
    out->addr = a;
    out->bits = (uint8_t)bits;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cl_netlist_add(cl_netlist *l, const char *comma_list)
{
    const char *p = comma_list;
    while (*p) {
        while (is_space(*p) || *p == ',')
            p++;
        if (!*p)
            break;
        const char *end = p;
        while (*end && *end != ',' && !is_space(*end))
            end++;
        char item[64];
        size_t n = (size_t)(end - p);
        cl_cidr c;
        if (n >= sizeof item || l->n >= CL_MAX_NETS)
            return -1;
        memcpy(item, p, n);
        item[n] = '\0';
        if (cl_cidr_parse(item, &c) != 0)
            return -1;
        l->nets[l->n++] = c;
        p = end;
    }
    return 0;
}

/* Compare whole 64-bit halves where the prefix covers them, then the
 * partial half under a mask: two or three operations per prefix. */
static uint64_t mask64(unsigned bits)
{
    if (bits == 0)
        return 0;
    return bits >= 64 ? UINT64_MAX : ~(UINT64_MAX >> bits);
}

static bool cidr_contains(const cl_cidr *c, uint64_t hi, uint64_t lo)
{
    unsigned bits = c->bits;
    uint64_t mhi = mask64(bits), mlo = mask64(bits > 64 ? bits - 64 : 0);
    return (hi & mhi) == cl_rd64(c->addr.b) && (lo & mlo) == cl_rd64(c->addr.b + 8);
}

static cl_net6 net6_of(const cl_cidr *c)
{
    unsigned bits = c->bits;
    cl_net6 n = {cl_rd64(c->addr.b), cl_rd64(c->addr.b + 8), mask64(bits),
                 mask64(bits > 64 ? bits - 64 : 0)};
    return n;
}

static bool net6_contains(const cl_net6 *n, uint64_t hi, uint64_t lo)
{
    return (hi & n->mhi) == n->hi && (lo & n->mlo) == n->lo;
}

void cl_netmatch_build(cl_netmatch *m, const cl_netlist *l)
{
    static const uint64_t mapped_hi = 0, mapped_lo = 0x0000ffff00000000ull;
    m->n4 = m->n6 = m->n6_covering_v4 = 0;
    /* IPv6 prefixes that cover IPv4-mapped space first, then the rest. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < l->n; i++) {
            const cl_cidr *c = &l->nets[i];
            bool in_mapped = c->bits >= 96 && cl_addr_is_v4(&c->addr);
            if (in_mapped) {
                if (pass == 0) {
                    unsigned b = c->bits - 96u;
                    m->v4_mask[m->n4] = b ? ~(uint32_t)0 << (32 - b) : 0;
                    m->v4_net[m->n4++] = cl_rd32(c->addr.b + 12);
                }
                continue;
            }
            cl_net6 n = net6_of(c);
            /* A shorter prefix may hold all of ::ffff:0:0/96: does it
             * contain the first IPv4-mapped address under its mask? */
            bool covers = c->bits <= 96 && net6_contains(&n, mapped_hi, mapped_lo);
            if (covers == (pass == 0))
                m->v6[m->n6++] = n;
            if (covers && pass == 0)
                m->n6_covering_v4++;
        }
}

bool cl_netmatch_contains(const cl_netmatch *m, const cl_addr *a)
{
    uint64_t hi = cl_rd64(a->b), lo = cl_rd64(a->b + 8);
    if (cl_addr_is_v4(a)) {
        uint32_t v = cl_rd32(a->b + 12);
        for (size_t i = 0; i < m->n4; i++)
            if ((v & m->v4_mask[i]) == m->v4_net[i])
                return true;
        for (size_t i = 0; i < m->n6_covering_v4; i++)
            if (net6_contains(&m->v6[i], hi, lo))
                return true;
        return false;
    }
    for (size_t i = 0; i < m->n6; i++)
        if (net6_contains(&m->v6[i], hi, lo))
            return true;
    return false;
}

bool cl_netlist_contains(const cl_netlist *l, const cl_addr *a)
{
    uint64_t hi = cl_rd64(a->b), lo = cl_rd64(a->b + 8);
    for (size_t i = 0; i < l->n; i++)
        if (cidr_contains(&l->nets[i], hi, lo))
            return true;
    return false;
}

/* Site::private_address_space as of Zeek 9 (scripts/base/utils/site.zeek). */
static const char *const private_space[] = {
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/24",
    "239.0.0.0/8", "240.0.0.0/4", "255.255.255.255/32",
    "2002::/24", "2002:a00::/24", "2002:6440::/26", "2002:7f00::/24",
    "2002:a9fe::/32", "2002:ac10::/28", "2002:c000::/40", "2002:c000:200::/40",
    "2002:c0a8::/32", "2002:c612::/31", "2002:c633:6400::/40",
    "2002:cb00:7100::/40", "2002:e000::/40", "2002:ef00::/24", "2002:f000::/20",
    "2002:ffff:ffff::/48",
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:2::/48",
    "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10",
};

void cl_netlist_add_private(cl_netlist *l)
{
    for (size_t i = 0; i < sizeof private_space / sizeof private_space[0]; i++) {
        cl_cidr c;
        if (l->n < CL_MAX_NETS && cl_cidr_parse(private_space[i], &c) == 0)
            l->nets[l->n++] = c;
    }
}

/*
 * siphash.c - SipHash-2-4 (uid generation, as Zeek) and SipHash-1-3
 * (hash tables), after the reference description by Aumasson and Bernstein.
 */
#include "record/uid.h"

#include <string.h>

static uint64_t rotl64(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

/* Little-endian load independent of host byte order and alignment. */
static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

typedef struct sip_state {
    uint64_t v0, v1, v2, v3;
} sip_state;

static void sip_round(sip_state *s)
{
    s->v0 += s->v1;
    s->v1 = rotl64(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotl64(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl64(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rotl64(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rotl64(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotl64(s->v2, 32);
}

static void sip_absorb(sip_state *s, uint64_t m, int crounds)
{
    s->v3 ^= m;
    for (int i = 0; i < crounds; i++)
        sip_round(s);
    s->v0 ^= m;
}

static uint64_t siphash(const uint8_t key[16], const void *data, size_t len,
                        int crounds, int drounds)
{
    const uint8_t *p = data;
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    sip_state s = {
        k0 ^ UINT64_C(0x736f6d6570736575), k1 ^ UINT64_C(0x646f72616e646f6d),
        k0 ^ UINT64_C(0x6c7967656e657261), k1 ^ UINT64_C(0x7465646279746573)};
    size_t whole = len & ~(size_t)7;
    for (size_t i = 0; i < whole; i += 8)
        sip_absorb(&s, load_le64(p + i), crounds);

    /* Last block: the remaining bytes, and the length's low byte on top. */
    uint8_t tail[8] = {0};
    if (len > whole)
        memcpy(tail, p + whole, len - whole);
    tail[7] = (uint8_t)len;
    sip_absorb(&s, load_le64(tail), crounds);

    s.v2 ^= 0xff;
    for (int i = 0; i < drounds; i++)
        sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t cl_siphash24(const uint8_t key[16], const void *data, size_t len)
{
    return siphash(key, data, len, 2, 4);
}

uint64_t cl_siphash13(const uint8_t key[16], const void *data, size_t len)
{
    return siphash(key, data, len, 1, 3);
}

/*
 * uid.c - Zeek-compatible connection uids.
 *
 * Zeek (src/util.cc) hashes the struct {uint64 instance; uint64 counter}
 * with SipHash-2-4 under a 16-byte key; a connection uid takes 96 bits of
 * two such hashes and prints each 64-bit word in base 62, least significant
 * digit first. In seeded mode the key is the last four of Zeek's 20 hash
 * seed words and the instance is the pool number, 1.
 */
#include "record/uid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* Zeek's seed file: one srandom() seed followed by 20 hash-seed words. */
enum { SEED_FILE_WORDS = 21, KEY_FIRST_WORD = 1 + 16 };

static void store_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void store_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void set_err(char *err, size_t errlen, const char *msg, const char *path)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, msg);
}

/* Read up to `max` unsigned 32-bit decimal numbers separated by white
 * space. Returns how many were read, or -1 on anything else in the file. */
static int read_words(FILE *f, uint32_t *words, int max)
{
    int n = 0, c;
    for (;;) {
        while ((c = getc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
            ;
        if (c == EOF)
            return n;
        if (c < '0' || c > '9' || n == max)
            return -1;
        uint64_t v = 0;
        for (; c >= '0' && c <= '9'; c = getc(f)) {
            v = v * 10 + (uint64_t)(c - '0');
            if (v > UINT32_MAX)
                return -1;
        }
        words[n++] = (uint32_t)v;
        if (c == EOF)
            return n;
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return -1;
    }
}

int cl_uid_init_seed_file(cl_uid_gen *g, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        set_err(err, errlen, strerror(errno), path);
        return -1;
    }
    uint32_t words[SEED_FILE_WORDS];
    int n = read_words(f, words, SEED_FILE_WORDS);
    fclose(f);
    if (n != SEED_FILE_WORDS) {
        set_err(err, errlen, "expected 21 unsigned decimal numbers", path);
        return -1;
    }
    for (int i = 0; i < 4; i++)
        store_le32(g->key + 4 * i, words[KEY_FIRST_WORD + i]);
    g->instance = 1;
    g->counter = 0;
    return 0;
}

/* SplitMix64: a fixed, well-mixing map from a small seed to key words. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A numeric seed: the key is the first two SplitMix64 outputs of the seed
 * (little-endian), the instance is 1 as in Zeek's seeded mode. The same
 * seed always gives the same uids; they are not Zeek's. */
void cl_uid_init_seed(cl_uid_gen *g, uint64_t seed)
{
    uint64_t state = seed;
    store_le64(g->key, splitmix64(&state));
    store_le64(g->key + 8, splitmix64(&state));
    g->instance = 1;
    g->counter = 0;
}

void cl_uid_init_random(cl_uid_gen *g)
{
    uint64_t inst;
    cl_random_bytes(g->key, sizeof g->key);
    cl_random_bytes(&inst, sizeof inst);
    g->instance = inst + 1;
    g->counter = 0;
}

static uint64_t uid_hash(cl_uid_gen *g)
{
    uint8_t msg[16];
    g->counter++;
    store_le64(msg, g->instance);
    store_le64(msg + 8, g->counter);
    return cl_siphash24(g->key, msg, sizeof msg);
}

/* Base 62, least significant digit first, as Zeek's uitoa_n. */
static char *base62(uint64_t v, char *p)
{
    static const char digits[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    do {
        *p++ = digits[v % 62];
        v /= 62;
    } while (v);
    return p;
}

uint64_t cl_uid_take(cl_uid_gen *g)
{
    uint64_t at = g->counter;
    g->counter += 2; /* a uid consumes two hashes */
    return at;
}

void cl_uid_at(const cl_uid_gen *g, uint64_t counter, char out[CL_UID_MAX])
{
    cl_uid_gen at = *g;
    at.counter = counter;
    cl_uid_next(&at, out);
}

void cl_uid_of(const cl_uid_gen *g, const void *data, size_t len, char out[CL_UID_MAX])
{
    uint8_t msg[64];
    size_t n = len < sizeof msg - 8 ? len : sizeof msg - 8;
    store_le64(msg, (g->instance & 0xffffffffu) ^ 0x7475006e656c6964u); /* apart from counter uids */
    memcpy(msg + 8, data, n);
    uint64_t w0 = cl_siphash24(g->key, msg, n + 8) >> 32;
    msg[0] ^= 1;
    uint64_t w1 = cl_siphash24(g->key, msg, n + 8);
    char *p = out;
    *p++ = 'C';
    p = base62(w0, p);
    p = base62(w1, p);
    *p = '\0';
}

void cl_uid_next(cl_uid_gen *g, char out[CL_UID_MAX])
{
    uint64_t w0 = uid_hash(g) >> 32; /* 96 bits: the top 32 of the first */
    uint64_t w1 = uid_hash(g);
    char *p = out;
    *p++ = 'C';
    p = base62(w0, p);
    p = base62(w1, p);
    *p = '\0';
}

/* Fallback when getrandom() is unavailable: mix what differs per run. */
static void weak_random(uint8_t *p, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t state = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    state ^= (uint64_t)getpid() << 32;
    state ^= (uint64_t)(uintptr_t)p;
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 0)
            state ^= splitmix64(&state);
        p[i] = (uint8_t)(state >> (8 * (i % 8)));
    }
}

void cl_random_bytes(void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = getrandom(p + got, len - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            weak_random(p + got, len - got);
            return;
        }
        got += (size_t)r;
    }
}

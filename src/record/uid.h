/*
 * uid.h - Zeek-style connection uids ("C" + base62 of two 64-bit words).
 *
 * A uid is derived from SipHash-2-4 of a counter, as Zeek does
 * (src/UID.cc, src/util.cc calculate_unique_id). With Zeek's seed file the
 * very same uids come out; with a numeric seed the run is reproducible;
 * without either the key comes from getrandom() and uids are unpredictable.
 */
#ifndef CL_UID_H
#define CL_UID_H

#include <stddef.h>
#include <stdint.h>

#define CL_UID_MAX 32

typedef struct cl_uid_gen {
    uint8_t key[16];
    uint64_t instance;
    uint64_t counter;
} cl_uid_gen;

/* Zeek's seed file: 21 unsigned decimal numbers (see the Zeek source,
 * testing/btest/random.seed). Returns 0, or -1 with a message in err. */
int cl_uid_init_seed_file(cl_uid_gen *g, const char *path, char *err, size_t errlen);
void cl_uid_init_seed(cl_uid_gen *g, uint64_t seed);
void cl_uid_init_random(cl_uid_gen *g);

/* Write the next uid, NUL-terminated, into out (CL_UID_MAX bytes). */
void cl_uid_next(cl_uid_gen *g, char out[CL_UID_MAX]);

/* Reserve the next uid without formatting it: returns a token for
 * cl_uid_at, which formats it later (a connection stores 8 bytes, not the
 * string). cl_uid_take then cl_uid_at gives what cl_uid_next would. */
uint64_t cl_uid_take(cl_uid_gen *g);
void cl_uid_at(const cl_uid_gen *g, uint64_t token, char out[CL_UID_MAX]);

/* A uid named by bytes rather than by order: the same bytes give the same
 * uid in every engine with the same key, whatever its stream. */
void cl_uid_of(const cl_uid_gen *g, const void *data, size_t len, char out[CL_UID_MAX]);

/* SipHash-2-4 and SipHash-1-3 (the latter for hash tables). */
uint64_t cl_siphash24(const uint8_t key[16], const void *data, size_t len);
uint64_t cl_siphash13(const uint8_t key[16], const void *data, size_t len);

/* Fill buf with unpredictable bytes (getrandom, falling back to time/pid). */
void cl_random_bytes(void *buf, size_t len);

#endif /* CL_UID_H */

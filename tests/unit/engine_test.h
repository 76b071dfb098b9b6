/*
 * engine_test.h - what the engine tests share: one engine context C fed
 * with crafted packets (packet_builder.h), and fetching the single record
 * a test expects.
 */
#ifndef CL_ENGINE_TEST_H
#define CL_ENGINE_TEST_H

#include "packet_builder.h"
#include "test.h"

static pb_ctx C;

static inline void start(void)
{
    CHECK(pb_init(&C, NULL) == 0);
}

/* Flush and fetch the only record (NULL when not exactly one). */
static inline const cl_conn_record *only(void)
{
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 1);
    return C.n == 1 ? &C.recs[0].r : NULL;
}

#define GET_ONLY(r)                                                          \
    const cl_conn_record *r = only();                                        \
    if (!r) {                                                                \
        pb_free(&C);                                                         \
        return;                                                              \
    }

#endif /* CL_ENGINE_TEST_H */

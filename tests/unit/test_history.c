/*
 * test_history.c - history strings and their logarithmic letters
 * (src/conn/history.c): a scaled letter is recorded at the 1st, 10th,
 * 100th... event, and past 10^9 follows Zeek's 32-bit threshold.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "test.h"

static cl_conn *new_conn(void)
{
    cl_conn *c = calloc(1, sizeof *c);
    if (c)
        cl_hist_reset(c);
    return c;
}

/* Events 1..n: at which ones was the letter recorded? */
static void test_scaled_powers_of_ten(void)
{
    cl_conn *c = new_conn();
    CHECK(c != NULL);
    if (!c)
        return;
    cl_scaled s;
    cl_scaled_init(&s);
    unsigned hits[16], n = 0;
    for (unsigned i = 1; i <= 200000; i++)
        if (cl_hist_scaled(c, 't', &s) && n < 16)
            hits[n++] = i;
    static const unsigned want[] = {1, 10, 100, 1000, 10000, 100000};
    CHECK_EQ_INT(n, 6);
    for (unsigned i = 0; i < 6 && i < n; i++)
        CHECK_EQ_INT(hits[i], want[i]);
    CHECK_EQ_INT(c->hist_len, 6);
    CHECK(memcmp(cl_hist(c), "tttttt", 6) == 0);
    cl_hist_free(c);
    free(c);
}

/* Zeek's threshold is a uint32 multiplied by 10: after 10^9 comes
 * 10^10 mod 2^32 = 1410065408, and after that the multiplication
 * overflows, so the count restarts and the threshold stays. */
static void test_scaled_past_a_billion(void)
{
    cl_conn *c = new_conn();
    CHECK(c != NULL);
    if (!c)
        return;
    cl_scaled s = 1000000000u - 1; /* the state after 999 999 999 events */
    CHECK(cl_hist_scaled(c, 'g', &s));          /* 10^9 */
    CHECK(!cl_hist_scaled(c, 'g', &s));
    s = 1410065408u - 1;
    CHECK(cl_hist_scaled(c, 'g', &s));          /* 1410065408 */
    /* The count restarts: 1, 10, 100 do not record any more ... */
    CHECK(!cl_hist_scaled(c, 'g', &s));
    for (int i = 0; i < 200; i++)
        CHECK(!cl_hist_scaled(c, 'g', &s));
    /* ... only reaching the stuck threshold again does. */
    s = (s & 0x80000000u) | (1410065408u - 1);
    CHECK(cl_hist_scaled(c, 'g', &s));
    CHECK(!cl_hist_scaled(c, 'g', &s));
    cl_hist_free(c);
    free(c);
}

/* Histories longer than the inline buffer move to the heap intact. */
static void test_long_history(void)
{
    cl_conn *c = new_conn();
    CHECK(c != NULL);
    if (!c)
        return;
    const char *letters = "ShADadFfRrTtWwGgCcIiQq";
    for (const char *p = letters; *p; p++)
        cl_hist_add(c, *p);
    CHECK_EQ_INT(c->hist_len, (int)strlen(letters));
    CHECK(memcmp(cl_hist(c), letters, strlen(letters)) == 0);
    cl_hist_free(c);
    free(c);
}

TEST_MAIN(test_scaled_powers_of_ten, test_scaled_past_a_billion, test_long_history)

/*
 * test.h - the smallest test harness that does the job.
 *
 * A test file defines functions `static void test_xxx(void)` and lists them
 * in TEST_MAIN(test_a, test_b, ...). CHECK* macros record a failure (with
 * file and line) and let the test go on; the program ends with the plain
 * summary line "N passed, M failed" and exits non-zero on any failure.
 */
#ifndef CL_TEST_H
#define CL_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tst_failures_in_test;
static const char *tst_current;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__,       \
                    __LINE__, tst_current, #cond);                           \
            tst_failures_in_test++;                                          \
        }                                                                    \
    } while (0)

#define CHECK_EQ_U64(got, want)                                              \
    do {                                                                     \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                \
        if (g_ != w_) {                                                      \
            fprintf(stderr, "%s:%d: %s: %s == %" PRIu64 ", want %" PRIu64    \
                    "\n", __FILE__, __LINE__, tst_current, #got, g_, w_);    \
            tst_failures_in_test++;                                          \
        }                                                                    \
    } while (0)

#define CHECK_EQ_INT(got, want)                                              \
    do {                                                                     \
        long long g_ = (long long)(got), w_ = (long long)(want);             \
        if (g_ != w_) {                                                      \
            fprintf(stderr, "%s:%d: %s: %s == %lld, want %lld\n", __FILE__,  \
                    __LINE__, tst_current, #got, g_, w_);                    \
            tst_failures_in_test++;                                          \
        }                                                                    \
    } while (0)

#define CHECK_STR(got, want)                                                 \
    do {                                                                     \
        const char *g_ = (got), *w_ = (want);                                \
        if ((g_ == NULL) != (w_ == NULL) ||                                  \
            (g_ != NULL && strcmp(g_, w_) != 0)) {                           \
            fprintf(stderr, "%s:%d: %s: %s == \"%s\", want \"%s\"\n",        \
                    __FILE__, __LINE__, tst_current, #got,                   \
                    g_ ? g_ : "(null)", w_ ? w_ : "(null)");                 \
            tst_failures_in_test++;                                          \
        }                                                                    \
    } while (0)

typedef void (*tst_fn)(void);

static int tst_run(const char *const *names, const tst_fn *fns, int n)
{
    int passed = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        tst_current = names[i];
        tst_failures_in_test = 0;
        fns[i]();
        if (tst_failures_in_test == 0) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", names[i]);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#define TST_STR_(...) #__VA_ARGS__
#define TEST_MAIN(...)                                                       \
    int main(void)                                                           \
    {                                                                        \
        static const tst_fn fns[] = {__VA_ARGS__};                           \
        static char list[] = TST_STR_(__VA_ARGS__);                          \
        const char *names[sizeof fns / sizeof fns[0]];                       \
        int n = 0;                                                           \
        for (char *s = strtok(list, ", "); s && n < (int)(sizeof fns /       \
                                                 sizeof fns[0]);             \
             s = strtok(NULL, ", "))                                         \
            names[n++] = s;                                                  \
        return tst_run(names, fns, n);                                       \
    }

#endif /* CL_TEST_H */

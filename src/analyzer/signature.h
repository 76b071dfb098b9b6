/*
 * signature.h - Zeek's DPD signatures: the payload patterns of the loaded
 * analyzers compiled once per engine, and matched incrementally over a
 * connection's first bytes (pia.c decides which bytes).
 *
 * Patterns use Zeek's regular expression syntax (literal bytes, escapes,
 * `.` for any byte, classes with ranges, negation and [:space:]-style
 * names, groups, empty alternatives, * + ? {n} {n,} {n,m}) and are
 * anchored at the start of the stream (TCP) or of each datagram (UDP),
 * with prefix semantics: a signature's pattern has matched as soon as some
 * prefix of the data matches it. The patterns of one transport and one
 * direction are combined into one automaton, run as a lazily built DFA:
 * one table lookup per byte for all signatures together.
 */
#ifndef CL_SIGNATURE_H
#define CL_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/analyzer.h"

#define CL_SIG_MAX 128          /* signatures of all loaded analyzers */
#define CL_SIG_WORDS (CL_SIG_MAX / 64)

typedef struct cl_sigset cl_sigset;

/* Matching state of one stream pair (a connection, or a DPD child). */
typedef struct cl_sigmatch {
    uint16_t dfa[2];            /* DFA state per direction (0: nothing can match) */
    bool started[2];            /* the direction's first chunk was seen */
    uint32_t first_size[2];     /* its size (payload-size conditions) */
    uint64_t pattern[2][CL_SIG_WORDS]; /* patterns matched, per direction */
    uint64_t fired[2][CL_SIG_WORDS];   /* signatures whose conditions held */
} cl_sigmatch;

/* Compile the signatures of the analyzers for which loaded[i] is set
 * (i indexes cl_analyzer_table). NULL with a message in err on a pattern
 * error or too many signatures. */
cl_sigset *cl_sigset_new(const bool *loaded, char *err, size_t errlen);
void cl_sigset_free(cl_sigset *s);
/* Are there signatures for this transport (CL_AN_TCP or CL_AN_UDP)? */
bool cl_sigset_any(const cl_sigset *s, uint8_t transport);

void cl_sigmatch_init(const cl_sigset *s, cl_sigmatch *m, uint8_t transport);

/* A signature enables `kind`: called once per firing signature. */
typedef void (*cl_sig_enable_fn)(void *ctx, const cl_analyzer *kind);

/* Match the next chunk of one direction: a stream continues where the
 * last chunk ended; a datagram (UDP) starts afresh. Signatures whose
 * conditions now hold fire, in table order; enabling ones call fn. */
void cl_sigmatch_feed(cl_sigset *s, cl_sigmatch *m, uint8_t transport, bool is_orig,
                      const uint8_t *p, uint32_t len, cl_sig_enable_fn fn, void *ctx);

/* Can no signature fire any more on this stream (TCP: both directions'
 * automata are dead and nothing waits for the other direction)? */
bool cl_sigmatch_dead(const cl_sigset *s, const cl_sigmatch *m, uint8_t transport);

/* Compile one pattern on its own and match it against a whole buffer
 * (prefix semantics): 1 match, 0 no match, -1 bad pattern. For tests. */
int cl_sig_pattern_test(const char *pattern, const uint8_t *p, size_t len);

#endif /* CL_SIGNATURE_H */

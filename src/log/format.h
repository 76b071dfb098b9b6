/*
 * format.h - hand-written value formatting for the log writers.
 *
 * Every function writes at p and returns the end of what it wrote; the
 * caller guarantees room (see the CL_FMT_*_MAX bounds). Nothing here
 * allocates or calls printf on the normal path.
 */
#ifndef CL_LOG_FORMAT_H
#define CL_LOG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connlog.h"

#define CL_FMT_U64_MAX 20
#define CL_FMT_TIME_MAX 340       /* "%.6f" of the largest double */
#define CL_FMT_ADDR_MAX 46        /* INET6_ADDRSTRLEN */
#define CL_FMT_MAC_MAX 17
/* A string of n bytes: \xNN (4) per byte in TSV, \\xNN (5) or \u00NN (6)
 * per byte in JSON, plus quotes. */
#define CL_FMT_STR_MAX(n) (6 * (size_t)(n) + 8)

char *cl_fmt_u64(char *p, uint64_t v);
char *cl_fmt_i64(char *p, int64_t v);

/* Zeek time/interval in ASCII: fixed notation, exactly 6 decimals,
 * correctly rounded (ties to even) like "%.6f". */
char *cl_fmt_time(char *p, double v);

/* Zeek's address text: dotted IPv4 for v4-mapped, else zeek_inet_ntop. */
char *cl_fmt_addr(char *p, const cl_addr *a);
char *cl_fmt_mac(char *p, const uint8_t mac[6]);

/* TSV string value: "(empty)" for "", first character escaped for values
 * equal to "-" or "(empty)", separator/backslash/controls escaped, and
 * non-ASCII escaped when the value is not clean UTF-8. in_set also
 * escapes the set separator ','. */
char *cl_fmt_tsv_string(char *p, const char *s, size_t len, bool in_set);

/* JSON string value with quotes, as Zeek's escape_utf8 + rapidjson. */
char *cl_fmt_json_string(char *p, const char *s, size_t len);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there
 * are not valid UTF-8. `wanted` is cleared for code points Zeek escapes
 * (C1 controls, private use, U+FFF0..U+FFFF). */
size_t cl_utf8_seq(const unsigned char *s, size_t len, bool *wanted);

#endif /* CL_LOG_FORMAT_H */

/*
 * format.c - numbers, times, addresses and strings as Zeek writes them.
 */
#include "log/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

char *cl_fmt_u64(char *p, uint64_t v)
{
    char tmp[CL_FMT_U64_MAX];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

char *cl_fmt_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return cl_fmt_u64(p, 0 - (uint64_t)v);
    }
    return cl_fmt_u64(p, (uint64_t)v);
}

/* Values of at most this magnitude take the exact integer path below:
 * v * 10^6 then fits in 64 bits. */
#define TIME_FAST_LIMIT 1.8e13

/* round(|v| * 10^6) computed exactly from the binary value, ties to even
 * (what glibc's printf does in the default rounding mode). */
static uint64_t scaled_micro(double v)
{
    int e;
    double m = frexp(v, &e); /* v = m * 2^e, 0.5 <= m < 1 */
    uint64_t f = (uint64_t)ldexp(m, 53);
    int shift = 53 - e; /* v = f / 2^shift */
    unsigned __int128 num = (unsigned __int128)f * 1000000u;
    if (shift <= 0)
        return (uint64_t)(num << -shift);
    if (shift >= 100)
        return 0; /* num < 2^73: far below one half */
    unsigned __int128 q = num >> shift;
    unsigned __int128 rem = num - (q << shift);
    unsigned __int128 half = (unsigned __int128)1 << (shift - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    return (uint64_t)q;
}

char *cl_fmt_time(char *p, double v)
{
    if (!isfinite(v) || fabs(v) > TIME_FAST_LIMIT) {
        /* Rare (never for real timestamps): let libc do the big numbers. */
        int n = snprintf(p, CL_FMT_TIME_MAX, "%.6f", v);
        return p + (n > 0 ? n : 0);
    }
    if (signbit(v)) {
        *p++ = '-';
        v = -v;
    }
    uint64_t us = v == 0 ? 0 : scaled_micro(v);
    p = cl_fmt_u64(p, us / 1000000u);
    *p++ = '.';
    uint32_t frac = (uint32_t)(us % 1000000u);
    for (int i = 5; i >= 0; i--) {
        p[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    return p + 6;
}

static char *fmt_v4(char *p, const uint8_t *b)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p = cl_fmt_u64(p, b[i]);
    }
    return p;
}

static char *fmt_hex16(char *p, unsigned w)
{
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (w >> shift) & 0xf;
        if (d || started || shift == 0) {
            *p++ = hex_digits[d];
            started = true;
        }
    }
    return p;
}

/* The longest run of >= 2 zero words (the first of equal runs). */
static void longest_zero_run(const unsigned w[8], int *base, int *len)
{
    *base = -1;
    *len = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > *len) {
            *base = i;
            *len = j - i;
        }
        i = j;
    }
    if (*len < 2)
        *base = -1;
}

/* zeek_inet_ntop writes the last 32 bits as dotted IPv4 after a leading
 * zero run for ::a.b.c.d (not ::1), ::ffff:a.b.c.d and ::ffff:0:a.b.c.d. */
static bool embeds_v4(const unsigned w[8], int base, int len)
{
    if (base != 0)
        return false;
    return len == 6 || (len == 7 && w[7] != 1) || (len == 5 && w[5] == 0xffff) ||
           (len == 4 && w[4] == 0xffff && w[5] == 0);
}

char *cl_fmt_addr(char *p, const cl_addr *a)
{
    if (cl_addr_is_v4(a))
        return fmt_v4(p, a->b + 12);
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
    int base, len;
    longest_zero_run(w, &base, &len);
    for (int i = 0; i < 8; i++) {
        if (base >= 0 && i >= base && i < base + len) {
            if (i == base)
                *p++ = ':';
            continue;
        }
        if (i)
            *p++ = ':';
        if (i == 6 && embeds_v4(w, base, len))
            return fmt_v4(p, a->b + 12);
        p = fmt_hex16(p, w[i]);
    }
    if (base >= 0 && base + len == 8)
        *p++ = ':';
    return p;
}

char *cl_fmt_mac(char *p, const uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        if (i)
            *p++ = ':';
        *p++ = hex_digits[mac[i] >> 4];
        *p++ = hex_digits[mac[i] & 0xf];
    }
    return p;
}

static char *hex_escape(char *p, unsigned char c)
{
    p[0] = '\\';
    p[1] = 'x';
    p[2] = hex_digits[c >> 4];
    p[3] = hex_digits[c & 0xf];
    return p + 4;
}

size_t cl_utf8_seq(const unsigned char *s, size_t len, bool *wanted)
{
    *wanted = true;
    unsigned c = s[0];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xfff0)
        *wanted = cp > 0xffff; /* only the BMP ranges are unwanted */
    return n;
}

/* Whether every multi-byte sequence of the value is valid and wanted. */
static bool clean_utf8(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        bool wanted;
        size_t n = cl_utf8_seq(s + i, len - i, &wanted);
        if (n == 0 || !wanted)
            return false;
        i += n;
    }
    return true;
}

static bool is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static char *reserved_tsv(char *p, const char *s, size_t len)
{
    p = hex_escape(p, (unsigned char)s[0]);
    memcpy(p, s + 1, len - 1);
    return p + len - 1;
}

char *cl_fmt_tsv_string(char *p, const char *s, size_t len, bool in_set)
{
    if (len == 0) {
        memcpy(p, "(empty)", 7);
        return p + 7;
    }
    if ((len == 1 && s[0] == '-') || (len == 7 && memcmp(s, "(empty)", 7) == 0))
        return reserved_tsv(p, s, len);
    const unsigned char *u = (const unsigned char *)s;
    /* Nearly every string (uid, state, history, service) is printable
     * ASCII with nothing to escape: copy it whole. */
    size_t plain = 0;
    while (plain < len && u[plain] >= 0x20 && u[plain] < 0x7f && u[plain] != '\\' &&
           !(in_set && u[plain] == ','))
        plain++;
    if (plain == len) {
        memcpy(p, s, len);
        return p + len;
    }
    bool raw_utf8 = clean_utf8(u, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = u[i];
        if (c == '\\') {
            *p++ = '\\';
            *p++ = '\\';
        } else if (c == '\t' || is_control(c) || (in_set && c == ',') ||
                   (c >= 0x80 && !raw_utf8)) {
            p = hex_escape(p, c);
        } else {
            *p++ = (char)c;
        }
    }
    return p;
}

/* One byte inside a JSON string after Zeek's escape_utf8. */
static char *json_byte(char *p, unsigned char c)
{
    static const char short_esc[] = "btn\0fr"; /* for 0x08..0x0d */
    if (c == '"' || c == '\\') {
        *p++ = '\\';
        *p++ = (char)c;
    } else if (c >= 0x08 && c <= 0x0d && c != 0x0b) {
        *p++ = '\\';
        *p++ = short_esc[c - 0x08];
    } else if (is_control(c)) {
        /* escape_utf8 made it the text \xNN; JSON escapes its backslash. */
        *p++ = '\\';
        p = hex_escape(p, c);
    } else {
        *p++ = (char)c;
    }
    return p;
}

char *cl_fmt_json_string(char *p, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    *p++ = '"';
    for (size_t i = 0; i < len;) {
        bool wanted;
        size_t n = u[i] < 0x80 ? 1 : cl_utf8_seq(u + i, len - i, &wanted);
        if (n == 0) {
            *p++ = '\\';
            p = hex_escape(p, u[i]);
            i++;
        } else if (n == 1) {
            p = json_byte(p, u[i++]);
        } else {
            memcpy(p, u + i, n);
            p += n;
            i += n;
        }
    }
    *p++ = '"';
    return p;
}

/* test_format.c - numbers, times, addresses, MACs and string escaping. */
#include "log/format.h"
#include "site/netlist.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

static char buf[4096];

#define FMT(call) (*(call) = '\0', buf)

static const char *addr_text(const char *in)
{
    cl_addr a;
    if (cl_addr_parse(in, &a) != 0)
        return "(parse error)";
    return FMT(cl_fmt_addr(buf, &a));
}

static const char *time_text(double v)
{
    return FMT(cl_fmt_time(buf, v));
}

static const char *tsv(const char *s, bool in_set)
{
    return FMT(cl_fmt_tsv_string(buf, s, strlen(s), in_set));
}

static const char *json(const char *s, size_t len)
{
    return FMT(cl_fmt_json_string(buf, s, len));
}

static void test_unsigned(void)
{
    CHECK_STR(FMT(cl_fmt_u64(buf, 0)), "0");
    CHECK_STR(FMT(cl_fmt_u64(buf, 7)), "7");
    CHECK_STR(FMT(cl_fmt_u64(buf, 65535)), "65535");
    CHECK_STR(FMT(cl_fmt_u64(buf, 5416666670u)), "5416666670");
    CHECK_STR(FMT(cl_fmt_u64(buf, UINT64_MAX)), "18446744073709551615");
    CHECK_STR(FMT(cl_fmt_i64(buf, -1)), "-1");
    CHECK_STR(FMT(cl_fmt_i64(buf, 4094)), "4094");
    CHECK_STR(FMT(cl_fmt_i64(buf, INT64_MIN)), "-9223372036854775808");
}

static void test_time_basic(void)
{
    CHECK_STR(time_text(1300475167.096535), "1300475167.096535");
    CHECK_STR(time_text(0.000010), "0.000010");
    CHECK_STR(time_text(0.0), "0.000000");
    CHECK_STR(time_text(1.0), "1.000000");
    CHECK_STR(time_text(0.000920), "0.000920");
    CHECK_STR(time_text(1437831776.764391), "1437831776.764391");
    CHECK_STR(time_text(86400.5), "86400.500000");
    CHECK_STR(time_text(-0.0), "-0.000000");
    CHECK_STR(time_text(-2.5), "-2.500000");
}

/* Exactly like glibc "%.6f": the binary value decides, exact ties go to
 * the even neighbour. Compared against snprintf for many values too. */
static void test_time_rounding(void)
{
    CHECK_STR(time_text(0.0000005), "0.000000");  /* just below a half */
    CHECK_STR(time_text(0.0000015), "0.000002");  /* just above */
    CHECK_STR(time_text(0.0078125), "0.007812");  /* exact tie, even */
    CHECK_STR(time_text(0.0234375), "0.023438");  /* exact tie, odd up */
    CHECK_STR(time_text(0.9999995), "1.000000");  /* binary slightly above */
    CHECK_STR(time_text(0.0000025), "0.000003");  /* binary slightly above */
    CHECK_STR(time_text(0.99999951), "1.000000"); /* carries */
    CHECK_STR(time_text(9999999.9999996), "10000000.000000");
    CHECK_STR(time_text(1e-300), "0.000000");
    CHECK_STR(time_text(5e-324), "0.000000");
    CHECK_STR(time_text(1.5e13), "15000000000000.000000");
    CHECK_STR(time_text(1e20), "100000000000000000000.000000");
    CHECK_STR(time_text(NAN), "nan");
    CHECK_STR(time_text(INFINITY), "inf");
    char want[400];
    uint64_t s = 88172645463325252u;
    for (int i = 0; i < 200000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double v;
        switch (i % 4) {
        case 0: v = (double)(s % 2000000000000000u) / 1e6; break;
        case 1: v = (double)(s >> 11) / 9007199254740992.0 * 1e4; break;
        case 2: v = (double)(s % 100000000u) / 1e8 + (double)(s >> 40); break;
        default: v = ldexp((double)(s >> 11), -(int)(s % 80)); break;
        }
        snprintf(want, sizeof want, "%.6f", v);
        if (strcmp(time_text(v), want) != 0) {
            fprintf(stderr, "  %.17g: %s vs %s\n", v, buf, want);
            CHECK(0);
            break;
        }
    }
}

static void test_ipv4(void)
{
    CHECK_STR(addr_text("0.0.0.0"), "0.0.0.0");
    CHECK_STR(addr_text("10.0.88.85"), "10.0.88.85");
    CHECK_STR(addr_text("255.255.255.255"), "255.255.255.255");
    CHECK_STR(addr_text("::ffff:192.168.0.27"), "192.168.0.27"); /* v4-mapped */
}

static void test_ipv6_forms(void)
{
    CHECK_STR(addr_text("::"), "::");
    CHECK_STR(addr_text("::1"), "::1");
    CHECK_STR(addr_text("::2"), "::2"); /* word 6 is in the run: no v4 */
    CHECK_STR(addr_text("::1.2.3.4"), "::1.2.3.4");
    CHECK_STR(addr_text("::ffff:0:1.2.3.4"), "::ffff:0:1.2.3.4");
    CHECK_STR(addr_text("::ffff:0:0"), "0.0.0.0"); /* v4-mapped */
    CHECK_STR(addr_text("::1:0:0:0"), "::1:0:0:0");
    CHECK_STR(addr_text("::ffff:1:1.2.3.4"), "::ffff:1:102:304");
    CHECK_STR(addr_text("0:0:1::1.2.3.4"), "0:0:1::102:304");
    CHECK_STR(addr_text("fe80::1"), "fe80::1");
    CHECK_STR(addr_text("FE80:0:0:0:0202:B3FF:FE1E:8329"), "fe80::202:b3ff:fe1e:8329");
    CHECK_STR(addr_text("2001:db8::"), "2001:db8::");
    CHECK_STR(addr_text("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
    CHECK_STR(addr_text("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1"); /* first wins */
    CHECK_STR(addr_text("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");       /* longest */
    CHECK_STR(addr_text("2001:db8:1:0:1:1:1:1"), "2001:db8:1:0:1:1:1:1"); /* single 0 */
    CHECK_STR(addr_text("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
    CHECK_STR(addr_text("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
              "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    CHECK_STR(addr_text("1::"), "1::");
    CHECK_STR(addr_text("0:0:0:0:0:0:0:1:"), "(parse error)");
    CHECK_STR(addr_text("ff02::1:ff00:1"), "ff02::1:ff00:1");
    CHECK_STR(addr_text("2002:c0a8:101::c0a8:101"), "2002:c0a8:101::c0a8:101");
    CHECK_STR(addr_text("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
}

static void test_mac(void)
{
    const uint8_t m[6] = {0x00, 0x1b, 0x21, 0xAB, 0xcd, 0xff};
    CHECK_STR(FMT(cl_fmt_mac(buf, m)), "00:1b:21:ab:cd:ff");
}

static void test_tsv_strings(void)
{
    CHECK_STR(tsv("ShADadFf", false), "ShADadFf");
    CHECK_STR(tsv("", false), "(empty)");
    CHECK_STR(tsv("-", false), "\\x2d");
    CHECK_STR(tsv("(empty)", false), "\\x28empty)");
    CHECK_STR(tsv("--", false), "--");
    CHECK_STR(tsv("a\tb", false), "a\\x09b");
    CHECK_STR(tsv("a\\b", false), "a\\\\b");
    CHECK_STR(tsv("a\nb\x7f", false), "a\\x0ab\\x7f");
    CHECK_STR(tsv("a,b", false), "a,b");
    CHECK_STR(tsv("a,b", true), "a\\x2cb");
    CHECK_STR(tsv("#x", false), "#x");
    CHECK_STR(tsv("caf\xc3\xa9", false), "caf\xc3\xa9");          /* valid UTF-8 */
    CHECK_STR(tsv("caf\xc3\xa9\xff", false), "caf\\xc3\\xa9\\xff"); /* invalid: all */
    CHECK_STR(tsv("\xc2\x85x", false), "\\xc2\\x85x");           /* C1 control */
    CHECK_STR(tsv("\xee\x80\x80", false), "\\xee\\x80\\x80");    /* private use */
    CHECK_STR(tsv("\xef\xbf\xbd", false), "\\xef\\xbf\\xbd");    /* U+FFFD unwanted */
    CHECK_STR(tsv("\xf0\x9f\x98\x80", false), "\xf0\x9f\x98\x80"); /* emoji ok */
    CHECK_STR(tsv("\xc0\x80", false), "\\xc0\\x80");             /* overlong */
    CHECK_STR(tsv("\xed\xa0\x80", false), "\\xed\\xa0\\x80");    /* surrogate */
    CHECK_STR(tsv("\xe2\x82", false), "\\xe2\\x82");             /* truncated */
}

static void test_json_strings(void)
{
    CHECK_STR(json("tcp", 3), "\"tcp\"");
    CHECK_STR(json("", 0), "\"\"");
    CHECK_STR(json("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    CHECK_STR(json("\b\f\n\r\t", 5), "\"\\b\\f\\n\\r\\t\"");
    CHECK_STR(json("\x01z", 2), "\"\\\\x01z\"");
    CHECK_STR(json("\x7f", 1), "\"\\\\x7f\"");
    CHECK_STR(json("x\0y", 3), "\"x\\\\x00y\"");
    CHECK_STR(json("caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
    CHECK_STR(json("\xff", 1), "\"\\\\xff\"");
    CHECK_STR(json("/-(empty)", 9), "\"/-(empty)\"");
}

static void test_bounds(void)
{
    char big[CL_FMT_STR_MAX(256)];
    char in[256];
    for (int i = 0; i < 256; i++)
        in[i] = (char)1;
    char *e = cl_fmt_json_string(big, in, sizeof in);
    CHECK((size_t)(e - big) <= sizeof big);
    CHECK_EQ_INT(e - big, 256 * 5 + 2);
    char t[CL_FMT_TIME_MAX];
    e = cl_fmt_time(t, -1.7976931348623157e308);
    CHECK((size_t)(e - t) < sizeof t);
    char a[CL_FMT_ADDR_MAX];
    cl_addr x;
    CHECK_EQ_INT(cl_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &x), 0);
    e = cl_fmt_addr(a, &x);
    CHECK_EQ_INT(e - a, 39);
}

TEST_MAIN(test_unsigned, test_time_basic, test_time_rounding, test_ipv4, test_ipv6_forms,
          test_mac, test_tsv_strings, test_json_strings, test_bounds)

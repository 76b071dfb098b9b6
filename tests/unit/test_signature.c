/*
 * test_signature.c - the DPD pattern compiler and matcher
 * (src/analyzer/signature.c): Zeek's regex syntax as dpd.sig files use it,
 * anchored prefix matching, and bad patterns refused.
 */
#include <string.h>

#include "analyzer/signature.h"
#include "test.h"

static int m(const char *pattern, const char *text)
{
    return cl_sig_pattern_test(pattern, (const uint8_t *)text, strlen(text));
}

static int mb(const char *pattern, const void *p, size_t n)
{
    return cl_sig_pattern_test(pattern, p, n);
}

static void test_literals_and_anchoring(void)
{
    CHECK_EQ_INT(m("RFB", "RFB 003.008\n"), 1);
    CHECK_EQ_INT(m("^RFB", "RFB"), 1);
    CHECK_EQ_INT(m("RFB", "xRFB"), 0);      /* anchored at the start */
    CHECK_EQ_INT(m("RFB", "RF"), 0);        /* not all of it yet */
    CHECK_EQ_INT(m("^\\+OK", "+OK ready"), 1);
    CHECK_EQ_INT(m("mstshash\\=", "mstshash="), 1);
    CHECK_EQ_INT(m("HTTP\\/[0-9]", "HTTP/1.1"), 1);
}

static void test_hex_escapes_and_any(void)
{
    static const uint8_t smb2[] = {0, 0, 0, 0x40, 0xfe, 'S', 'M', 'B', 0x40};
    static const uint8_t smb1[] = {0, 0, 0, 0x40, 0xff, 'S', 'M', 'B', 0x72};
    static const uint8_t other[] = {0, 0, 0, 0x40, 0xfd, 'S', 'M', 'B'};
    CHECK_EQ_INT(mb("^....[\\xfe\\xff]SMB", smb2, sizeof smb2), 1);
    CHECK_EQ_INT(mb("^....[\\xfe\\xff]SMB", smb1, sizeof smb1), 1);
    CHECK_EQ_INT(mb("^....[\\xfe\\xff]SMB", other, sizeof other), 0);
    /* `.` matches any byte, newlines included, in signatures. */
    CHECK_EQ_INT(m("a.b", "a\nb"), 1);
    static const uint8_t rpc[] = {0x05, 0x00, 0x0b, 0x03};
    static const uint8_t rpc_bad[] = {0x05, 0x00, 0x14};
    CHECK_EQ_INT(mb("\\x05[\\x00\\x01][\\x00-\\x13]", rpc, sizeof rpc), 1);
    CHECK_EQ_INT(mb("\\x05[\\x00\\x01][\\x00-\\x13]", rpc_bad, sizeof rpc_bad), 0);
}

static void test_classes(void)
{
    CHECK_EQ_INT(m("[[:space:]]*220[[:space:]-]", "  220 mail"), 1);
    CHECK_EQ_INT(m("[[:space:]]*220[[:space:]-]", "220-mail"), 1);
    CHECK_EQ_INT(m("[[:space:]]*220[[:space:]-]", "2200"), 0);
    CHECK_EQ_INT(m("[^0-9]x", "ax"), 1);
    CHECK_EQ_INT(m("[^0-9]x", "5x"), 0);
    CHECK_EQ_INT(m("[]a]", "]"), 1);       /* ] first is a literal */
    CHECK_EQ_INT(m("[a-]", "-"), 1);       /* - last is a literal */
    CHECK_EQ_INT(m("[SN]", "N"), 1);
}

static void test_groups_alternation_repetition(void)
{
    const char *ftp = "(|.*[\\n\\r]) *[uU][sS][eE][rR] ";
    CHECK_EQ_INT(m(ftp, "USER anonymous\r\n"), 1);
    CHECK_EQ_INT(m(ftp, "SYST\r\nFEAT\r\n  user x"), 1);
    CHECK_EQ_INT(m(ftp, "SYST\r\nUSERx"), 0);
    CHECK_EQ_INT(m("(OPTIONS|GET|HEAD)[[:space:]]*", "HEAD /"), 1);
    CHECK_EQ_INT(m("(OPTIONS|GET|HEAD)[[:space:]]*", "PUT /"), 0);
    static const uint8_t mqtt[] = {0x10, 0x1e, 0x00, 0x04, 'M', 'Q', 'T', 'T'};
    CHECK_EQ_INT(mb(".{4,7}MQ", mqtt, sizeof mqtt), 1);
    CHECK_EQ_INT(m(".{4,7}MQ", "123MQ"), 0);
    CHECK_EQ_INT(m(".{4,7}MQ", "12345678MQ"), 0);
    CHECK_EQ_INT(m("a{3}", "aab"), 0);
    CHECK_EQ_INT(m("a{3}", "aaa"), 1);
    CHECK_EQ_INT(m("a{2,}b", "aaaab"), 1);
    CHECK_EQ_INT(m("a{2,}b", "ab"), 0);
    CHECK_EQ_INT(m("x(ab)+y", "xababy"), 1);
    CHECK_EQ_INT(m("x(ab)?y", "xy"), 1);
    /* The TLS server hello: an optional alert record before it. */
    static const uint8_t sh[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0, 0, 0x3c, 0x03, 0x03};
    const char *tls = "(\\x15\\x03[\\x00\\x01\\x02\\x03]....)?\\x16\\x03[\\x00\\x01\\x02\\x03].."
                      "\\x02...((\\x03[\\x00\\x01\\x02\\x03\\x04])|(\\x7F[\\x00-\\x50])).*";
    CHECK_EQ_INT(mb(tls, sh, sizeof sh), 1);
    CHECK_EQ_INT(mb(tls, sh, sizeof sh - 1), 0);
}

static void test_postgresql_startup(void)
{
    static const uint8_t startup[] = {0, 0, 0, 0x29, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'x'};
    CHECK_EQ_INT(mb("^....\\x00\\x03\\x00.{0,256}user\\x00", startup, sizeof startup), 1);
    CHECK_EQ_INT(mb("^....\\x00\\x03\\x00.{0,256}user\\x00", startup, 10), 0);
}

static void test_bad_patterns(void)
{
    CHECK_EQ_INT(m("(abc", "abc"), -1);
    CHECK_EQ_INT(m("abc)", "abc"), -1);
    CHECK_EQ_INT(m("[abc", "a"), -1);
    CHECK_EQ_INT(m("a{3,1}", "aaa"), -1);
    CHECK_EQ_INT(m("a\\", "a"), -1);
    CHECK_EQ_INT(m("[[:nosuch:]]", "a"), -1);
}

TEST_MAIN(test_literals_and_anchoring, test_hex_escapes_and_any, test_classes,
          test_groups_alternation_repetition, test_postgresql_startup, test_bad_patterns)

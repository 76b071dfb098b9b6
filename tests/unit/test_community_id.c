/*
 * test_community_id.c - SHA-1 and Community ID v1 against values computed
 * independently (Python's hashlib and base64 on the spec's byte layout).
 */
#include <stdio.h>
#include <string.h>

#include "record/community_id.h"
#include "site/netlist.h"
#include "test.h"

static void hex(const uint8_t d[20], char out[41])
{
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha1_vectors(void)
{
    uint8_t d[20];
    char h[41];
    cl_sha1("abc", 3, d);
    hex(d, h);
    CHECK_STR(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
    char a1000[1000];
    memset(a1000, 'a', sizeof a1000); /* several blocks, padding in a second block */
    cl_sha1(a1000, sizeof a1000, d);
    hex(d, h);
    CHECK_STR(h, "291e9a6c66994949b57ba5e650361e98fc36b1ba");
}

static const char *cid(uint16_t seed, const char *o, uint16_t op, const char *r, uint16_t rp,
                       uint8_t proto, bool one_way)
{
    static char out[CL_COMMUNITY_ID_MAX];
    cl_cidr a, b;
    if (cl_cidr_parse(o, &a) != 0 || cl_cidr_parse(r, &b) != 0)
        return "bad address";
    cl_community_id(seed, &a.addr, op, &b.addr, rp, proto, one_way, out);
    return out;
}

static void test_zeek_baseline(void)
{
    /* community-id-logging-flipped: Zeek's own conn.log value. */
    CHECK_STR(cid(0, "141.142.228.5", 59856, "192.150.187.43", 80, 6, false),
              "1:yvyB8h+3dnggTZW0UEITWCst97w=");
    /* The other orientation gives the same id. */
    CHECK_STR(cid(0, "192.150.187.43", 80, "141.142.228.5", 59856, 6, false),
              "1:yvyB8h+3dnggTZW0UEITWCst97w=");
}

static void test_forms(void)
{
    CHECK_STR(cid(0, "fe80::217:f2ff:fed7:cf65", 5353, "ff02::fb", 5353, 17, false),
              "1:x3pq7frK9StTrthbkS6YyCZvdGk=");
    CHECK_STR(cid(0, "10.0.0.2", 0, "10.0.0.1", 8, 1, false), "1:YcMyyWJfhc95EW1GfXt6jlZ3DiQ=");
    /* one-way ICMP keeps its order */
    CHECK_STR(cid(0, "10.0.0.2", 3, "10.0.0.1", 1, 1, true), "1:JHjlyD5IJJjl3wHWOMj46lLWZag=");
    /* SCTP keeps ports, other protocols drop them */
    CHECK_STR(cid(0, "10.0.0.2", 0, "10.0.0.1", 0, 132, false), "1:ydIp/gSpX5VybPHyzU2EaP0gBMY=");
    CHECK_STR(cid(0, "10.0.0.2", 0, "10.0.0.1", 0, 50, false), "1:dX+1pd7Z9Y9hJE/IuQlfvK7bxuA=");
    CHECK_STR(cid(7, "10.0.0.1", 1234, "10.0.0.2", 80, 6, false), "1:P8dwSaE1KHzYEFYXklVLclfYbCE=");
}

TEST_MAIN(test_sha1_vectors, test_zeek_baseline, test_forms)

/* test_writer.c - whole TSV and JSON lines, byte for byte. */
#include "connlog.h"
#include "site/netlist.h"
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/cl_test_writer_XXXXXX";
static char text[1 << 20];

static const char *tmp_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static const char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* The n-th line (0-based) of text, without its newline, in out. */
static const char *line(const char *t, int n, char *out, size_t cap)
{
    for (; n > 0 && t; n--) {
        t = strchr(t, '\n');
        if (t)
            t++;
    }
    if (!t || !*t)
        return NULL;
    size_t len = strcspn(t, "\n");
    if (len >= cap)
        len = cap - 1;
    memcpy(out, t, len);
    out[len] = '\0';
    return out;
}

static cl_addr a(const char *s)
{
    cl_addr x;
    CHECK_EQ_INT(cl_addr_parse(s, &x), 0);
    return x;
}

/* A TCP record as in Zeek's core.tcp.rxmit-history baseline. */
static cl_conn_record tcp_record(void)
{
    cl_conn_record r;
    memset(&r, 0, sizeof r);
    r.ts = 1300475167.096535;
    r.uid = "CHhAvVGS1DHFjwGM9";
    r.orig_h = a("10.0.88.85");
    r.orig_p = 50368;
    r.resp_h = a("192.168.0.27");
    r.resp_p = 80;
    r.proto = CL_PROTO_TCP;
    r.ip_proto = 6;
    r.service = "http";
    r.has_duration = true;
    r.duration = 0.0002989768981933594;
    r.orig_bytes = 0;
    r.resp_bytes = 5416666670u;
    r.conn_state = "SF";
    r.local_orig = 1;
    r.local_resp = 0;
    r.missed_bytes = 0;
    r.history = "ShADadFf";
    r.orig_pkts = 6;
    r.orig_ip_bytes = 320;
    r.resp_pkts = 4;
    r.resp_ip_bytes = 216;
    r.vlan = r.inner_vlan = r.ctx_vlan = r.ctx_inner_vlan = CL_UNSET_INT;
    r.pppoe_session_id = CL_UNSET_INT;
    return r;
}

/* An ICMPv6 record with everything optional unset. */
static cl_conn_record icmp_record(void)
{
    cl_conn_record r;
    memset(&r, 0, sizeof r);
    r.ts = 1.5;
    r.uid = "ClEkJM2Vm5giqnMf4h";
    r.orig_h = a("fe80::1");
    r.orig_p = 135;
    r.resp_h = a("ff02::1:ff00:2");
    r.resp_p = 136;
    r.proto = CL_PROTO_ICMP;
    r.ip_proto = 58;
    r.conn_state = "OTH";
    r.local_orig = CL_UNSET_INT;
    r.local_resp = CL_UNSET_INT;
    r.orig_pkts = 1;
    r.orig_ip_bytes = 72;
    r.vlan = r.inner_vlan = r.ctx_vlan = r.ctx_inner_vlan = CL_UNSET_INT;
    r.pppoe_session_id = CL_UNSET_INT;
    return r;
}

static cl_writer *open_writer(cl_format f, const char *name, const cl_column *extra, size_t n)
{
    cl_writer_options o;
    memset(&o, 0, sizeof o);
    o.format = f;
    o.path = tmp_path(name);
    for (size_t i = 0; i < n; i++)
        o.extra[i] = extra[i];
    o.n_extra = n;
    char err[128] = "";
    cl_writer *w = cl_writer_new(&o, err, sizeof err);
    CHECK(w != NULL);
    return w;
}

static const char fields_default[] =
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\t"
    "duration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\t"
    "missed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\t"
    "tunnel_parents";
static const char types_default[] =
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\t"
    "count\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\t"
    "set[string]";

static bool is_wall_time(const char *s)
{
    /* YYYY-MM-DD-HH-MM-SS */
    if (strlen(s) != 19)
        return false;
    for (int i = 0; i < 19; i++) {
        bool dash = i == 4 || i == 7 || i == 10 || i == 13 || i == 16;
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    }
    return true;
}

static void test_tsv_default(void)
{
    cl_writer *w = open_writer(CL_FORMAT_TSV, "tsv_default.log", NULL, 0);
    cl_conn_record r1 = tcp_record(), r2 = icmp_record();
    CHECK_EQ_INT(cl_writer_write(w, &r1), 0);
    cl_writer_record_fn(&r2, w);
    CHECK_EQ_INT(cl_writer_close(w), 0);
    CHECK(cl_writer_error(w) == NULL);
    cl_writer_free(w);
    const char *t = slurp(tmp_path("tsv_default.log"));
    CHECK(t != NULL);
    if (!t)
        return;
    char l[2048];
    CHECK_STR(line(t, 0, l, sizeof l), "#separator \\x09");
    CHECK_STR(line(t, 1, l, sizeof l), "#set_separator\t,");
    CHECK_STR(line(t, 2, l, sizeof l), "#empty_field\t(empty)");
    CHECK_STR(line(t, 3, l, sizeof l), "#unset_field\t-");
    CHECK_STR(line(t, 4, l, sizeof l), "#path\tconn");
    line(t, 5, l, sizeof l);
    CHECK(strncmp(l, "#open\t", 6) == 0 && is_wall_time(l + 6));
    CHECK_STR(line(t, 6, l, sizeof l), fields_default);
    CHECK_STR(line(t, 7, l, sizeof l), types_default);
    CHECK_STR(line(t, 8, l, sizeof l),
              "1300475167.096535\tCHhAvVGS1DHFjwGM9\t10.0.88.85\t50368\t192.168.0.27\t80\t"
              "tcp\thttp\t0.000299\t0\t5416666670\tSF\tT\tF\t0\tShADadFf\t6\t320\t4\t216\t-");
    CHECK_STR(line(t, 9, l, sizeof l),
              "1.500000\tClEkJM2Vm5giqnMf4h\tfe80::1\t135\tff02::1:ff00:2\t136\ticmp\t-\t"
              "-\t-\t-\tOTH\t-\t-\t0\t-\t1\t72\t0\t0\t-");
    line(t, 10, l, sizeof l);
    CHECK(strncmp(l, "#close\t", 7) == 0 && is_wall_time(l + 7));
    CHECK(line(t, 11, l, sizeof l) == NULL);
    CHECK(t[strlen(t) - 1] == '\n');
}

static void test_tsv_extra_columns(void)
{
    const cl_column extra[] = {CL_COL_IP_PROTO, CL_COL_ORIG_L2_ADDR, CL_COL_RESP_L2_ADDR,
                               CL_COL_CTX_VLAN, CL_COL_VLAN, CL_COL_INNER_VLAN,
                               CL_COL_PPPOE_SESSION_ID, CL_COL_SPECULATIVE_SERVICE,
                               CL_COL_COMMUNITY_ID, CL_COL_CTX_INNER_VLAN};
    cl_writer *w = open_writer(CL_FORMAT_TSV, "tsv_extra.log", extra, 10);
    cl_conn_record r = tcp_record();
    static const char *const parents[] = {"CUM0KZ3MLUfNB0cl11", "CtPZjS20MLrsMUOJi2"};
    r.n_tunnel_parents = 2;
    r.tunnel_parents = parents;
    r.has_orig_l2 = true;
    memcpy(r.orig_l2, "\x00\x1b\x21\xab\xcd\xef", 6);
    r.vlan = 10;
    r.inner_vlan = 20;
    r.ctx_vlan = 10;
    r.pppoe_session_id = 4660;
    r.speculative_service = "";
    r.community_id = "1:LQU9qZlK+B5F3KDmev6m5PMibrg=";
    r.service = "";
    r.history = "";
    r.local_orig = CL_UNSET_INT;
    CHECK_EQ_INT(cl_writer_write(w, &r), 0);
    CHECK_EQ_INT(cl_writer_close(w), 0);
    cl_writer_free(w);
    const char *t = slurp(tmp_path("tsv_extra.log"));
    char l[2048];
    CHECK_STR(line(t, 6, l, sizeof l),
              "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tid.ctx.vlan\t"
              "id.ctx.inner_vlan\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\t"
              "local_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\t"
              "resp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto\torig_l2_addr\t"
              "resp_l2_addr\tvlan\tinner_vlan\tpppoe_session_id\tspeculative_service\t"
              "community_id");
    CHECK_STR(line(t, 7, l, sizeof l),
              "#types\ttime\tstring\taddr\tport\taddr\tport\tint\tint\tenum\tstring\tinterval\t"
              "count\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\t"
              "set[string]\tcount\tstring\tstring\tint\tint\tcount\tstring\tstring");
    CHECK_STR(line(t, 8, l, sizeof l),
              "1300475167.096535\tCHhAvVGS1DHFjwGM9\t10.0.88.85\t50368\t192.168.0.27\t80\t10\t-\t"
              "tcp\t-\t0.000299\t0\t5416666670\tSF\t-\tF\t0\t-\t6\t320\t4\t216\t"
              "CUM0KZ3MLUfNB0cl11,CtPZjS20MLrsMUOJi2\t6\t00:1b:21:ab:cd:ef\t-\t10\t20\t4660\t-\t"
              "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
}

static void test_tsv_escaping(void)
{
    cl_writer *w = open_writer(CL_FORMAT_TSV, "tsv_escape.log", NULL, 0);
    cl_conn_record r = icmp_record();
    static const char *const parents[] = {"a,b", "-", ""};
    r.n_tunnel_parents = 3;
    r.tunnel_parents = parents;
    r.service = "-";
    r.history = "(empty)";
    r.conn_state = "x\ty";
    CHECK_EQ_INT(cl_writer_write(w, &r), 0);
    cl_writer_free(w); /* closes */
    const char *t = slurp(tmp_path("tsv_escape.log"));
    char l[2048];
    CHECK_STR(line(t, 8, l, sizeof l),
              "1.500000\tClEkJM2Vm5giqnMf4h\tfe80::1\t135\tff02::1:ff00:2\t136\ticmp\t\\x2d\t"
              "-\t-\t-\tx\\x09y\t-\t-\t0\t\\x28empty)\t1\t72\t0\t0\ta\\x2cb,\\x2d,(empty)");
    line(t, 9, l, sizeof l);
    CHECK(strncmp(l, "#close\t", 7) == 0);
}

static void test_json(void)
{
    const cl_column extra[] = {CL_COL_IP_PROTO, CL_COL_ORIG_L2_ADDR, CL_COL_VLAN};
    cl_writer *w = open_writer(CL_FORMAT_JSON, "conn.json", extra, 3);
    cl_conn_record r1 = tcp_record(), r2 = icmp_record();
    static const char *const parents[] = {"CUM0KZ3MLUfNB0cl11"};
    r1.n_tunnel_parents = 1;
    r1.tunnel_parents = parents;
    r1.ts = 1437831776.764391;
    r2.has_orig_l2 = true;
    memcpy(r2.orig_l2, "\x00\x00\x5e\x00\x53\x01", 6);
    r2.vlan = 4094;
    r2.history = "a\"b";
    CHECK_EQ_INT(cl_writer_write(w, &r1), 0);
    CHECK_EQ_INT(cl_writer_write(w, &r2), 0);
    CHECK_EQ_INT(cl_writer_close(w), 0);
    cl_writer_free(w);
    const char *t = slurp(tmp_path("conn.json"));
    char l[2048];
    CHECK_STR(line(t, 0, l, sizeof l),
              "{\"ts\":1437831776.764391,\"uid\":\"CHhAvVGS1DHFjwGM9\",\"id.orig_h\":\"10.0.88.85\","
              "\"id.orig_p\":50368,\"id.resp_h\":\"192.168.0.27\",\"id.resp_p\":80,"
              "\"proto\":\"tcp\",\"service\":\"http\",\"duration\":0.0002989768981933594,"
              "\"orig_bytes\":0,\"resp_bytes\":5416666670,\"conn_state\":\"SF\","
              "\"local_orig\":true,\"local_resp\":false,\"missed_bytes\":0,"
              "\"history\":\"ShADadFf\",\"orig_pkts\":6,\"orig_ip_bytes\":320,\"resp_pkts\":4,"
              "\"resp_ip_bytes\":216,\"tunnel_parents\":[\"CUM0KZ3MLUfNB0cl11\"],\"ip_proto\":6}");
    CHECK_STR(line(t, 1, l, sizeof l),
              "{\"ts\":1.5,\"uid\":\"ClEkJM2Vm5giqnMf4h\",\"id.orig_h\":\"fe80::1\","
              "\"id.orig_p\":135,\"id.resp_h\":\"ff02::1:ff00:2\",\"id.resp_p\":136,"
              "\"proto\":\"icmp\",\"conn_state\":\"OTH\",\"missed_bytes\":0,"
              "\"history\":\"a\\\"b\",\"orig_pkts\":1,\"orig_ip_bytes\":72,\"resp_pkts\":0,"
              "\"resp_ip_bytes\":0,\"ip_proto\":58,\"orig_l2_addr\":\"00:00:5e:00:53:01\","
              "\"vlan\":4094}");
    CHECK(line(t, 2, l, sizeof l) == NULL);
}

static void test_json_include_unset(void)
{
    cl_writer_options o;
    memset(&o, 0, sizeof o);
    o.format = CL_FORMAT_JSON;
    o.path = tmp_path("unset.json");
    o.extra[0] = CL_COL_SPECULATIVE_SERVICE;
    o.n_extra = 1;
    o.json_include_unset = true;
    cl_writer *w = cl_writer_new(&o, NULL, 0);
    cl_conn_record r = icmp_record();
    r.ts = 100.0;
    CHECK_EQ_INT(cl_writer_write(w, &r), 0);
    cl_writer_free(w);
    const char *t = slurp(tmp_path("unset.json"));
    CHECK_STR(t,
              "{\"ts\":100.0,\"uid\":\"ClEkJM2Vm5giqnMf4h\",\"id.orig_h\":\"fe80::1\","
              "\"id.orig_p\":135,\"id.resp_h\":\"ff02::1:ff00:2\",\"id.resp_p\":136,"
              "\"proto\":\"icmp\",\"service\":null,\"duration\":null,\"orig_bytes\":null,"
              "\"resp_bytes\":null,\"conn_state\":\"OTH\",\"local_orig\":null,"
              "\"local_resp\":null,\"missed_bytes\":0,\"history\":null,\"orig_pkts\":1,"
              "\"orig_ip_bytes\":72,\"resp_pkts\":0,\"resp_ip_bytes\":0,"
              "\"tunnel_parents\":null,\"speculative_service\":null}\n");
}

static void test_no_record_no_file(void)
{
    cl_writer *w = open_writer(CL_FORMAT_TSV, "never.log", NULL, 0);
    struct stat st;
    CHECK(stat(tmp_path("never.log"), &st) != 0);
    CHECK_EQ_INT(cl_writer_close(w), 0);
    CHECK(stat(tmp_path("never.log"), &st) != 0);
    cl_writer_free(w);
    w = open_writer(CL_FORMAT_JSON, "never.json", NULL, 0);
    cl_writer_free(w);
    CHECK(stat(tmp_path("never.json"), &st) != 0);
}

static void test_truncates_existing(void)
{
    FILE *f = fopen(tmp_path("old.json"), "w");
    fputs("old content that is longer than one record line, surely........"
          "...............................................................\n"
          "...............................................................\n"
          "...............................................................\n"
          "...............................................................\n",
          f);
    fclose(f);
    cl_writer *w = open_writer(CL_FORMAT_JSON, "old.json", NULL, 0);
    cl_conn_record r = icmp_record();
    CHECK_EQ_INT(cl_writer_write(w, &r), 0);
    cl_writer_free(w);
    const char *t = slurp(tmp_path("old.json"));
    CHECK(strncmp(t, "{\"ts\":1.5,", 10) == 0);
    CHECK(strstr(t, "old content") == NULL);
}

static void test_many_records_buffered(void)
{
    cl_writer *w = open_writer(CL_FORMAT_TSV, "many.log", NULL, 0);
    cl_conn_record r = tcp_record();
    for (int i = 0; i < 20000; i++) {
        r.orig_pkts = (uint64_t)i;
        CHECK_EQ_INT(cl_writer_write(w, &r), 0);
    }
    CHECK_EQ_INT(cl_writer_close(w), 0);
    cl_writer_free(w);
    FILE *f = fopen(tmp_path("many.log"), "r");
    char l[1024];
    int n = 0, last = -1;
    while (fgets(l, sizeof l, f))
        if (l[0] != '#') {
            n++;
            last = atoi(strstr(l, "ShADadFf\t") + 9);
        }
    fclose(f);
    CHECK_EQ_INT(n, 20000);
    CHECK_EQ_INT(last, 19999);
}

/* Lines formatted apart (as threads do) and written in a batch give the
 * same file as records written one by one; too little room formats
 * nothing. TSV and JSON. */
static void test_format_then_write_lines(void)
{
    static const char *const names[2][2] = {{"one.log", "lines.log"}, {"one.json", "lines.json"}};
    for (int json = 0; json < 2; json++) {
        cl_format f = json ? CL_FORMAT_JSON : CL_FORMAT_TSV;
        cl_writer *one = open_writer(f, names[json][0], NULL, 0);
        cl_writer *lines = open_writer(f, names[json][1], NULL, 0);
        cl_conn_record recs[2] = {tcp_record(), icmp_record()};
        static char buf[1 << 16]; /* the room asked for is a bound, not the length */
        size_t len = 0;
        for (int i = 0; i < 2; i++) {
            CHECK_EQ_INT(cl_writer_write(one, &recs[i]), 0);
            CHECK_EQ_U64(cl_writer_format(lines, &recs[i], buf + len, 10), 0);
            size_t n = cl_writer_format(lines, &recs[i], buf + len, sizeof buf - len);
            CHECK(n > 10 && buf[len + n - 1] == '\n');
            len += n;
        }
        CHECK_EQ_INT(cl_writer_write_lines(lines, buf, len), 0);
        CHECK_EQ_INT(cl_writer_close(one), 0);
        CHECK_EQ_INT(cl_writer_close(lines), 0);
        cl_writer_free(one);
        cl_writer_free(lines);
        static char a_text[1 << 16];
        snprintf(a_text, sizeof a_text, "%s", slurp(tmp_path(names[json][0])));
        const char *b_text = slurp(tmp_path(names[json][1]));
        /* the same but for the #open/#close times, which may differ by a second */
        char la[2048], lb[2048];
        for (int k = 0; k < 12; k++) {
            const char *x = line(a_text, k, la, sizeof la), *y = line(b_text, k, lb, sizeof lb);
            CHECK((x == NULL) == (y == NULL));
            if (x && y && strncmp(x, "#open", 5) != 0 && strncmp(x, "#close", 6) != 0)
                CHECK_STR(y, x);
        }
    }
}

static void test_long_strings(void)
{
    /* A string larger than the whole output buffer still fits. */
    size_t n = 300 * 1024;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    big[0] = '\x01';
    cl_writer *w = open_writer(CL_FORMAT_JSON, "big.json", NULL, 0);
    cl_conn_record r = icmp_record();
    r.history = big;
    CHECK_EQ_INT(cl_writer_write(w, &r), 0);
    CHECK_EQ_INT(cl_writer_close(w), 0);
    cl_writer_free(w);
    struct stat st;
    CHECK_EQ_INT(stat(tmp_path("big.json"), &st), 0);
    CHECK((size_t)st.st_size > n);
    free(big);
}

static void test_io_errors(void)
{
    cl_writer_options o;
    memset(&o, 0, sizeof o);
    o.format = CL_FORMAT_TSV;
    o.path = "/nonexistent-dir/conn.log";
    cl_writer *w = cl_writer_new(&o, NULL, 0);
    CHECK(w != NULL);
    cl_conn_record r = icmp_record();
    CHECK_EQ_INT(cl_writer_write(w, &r), -1);
    CHECK(cl_writer_error(w) != NULL);
    if (cl_writer_error(w))
        CHECK(strstr(cl_writer_error(w), "/nonexistent-dir/conn.log") != NULL);
    CHECK_EQ_INT(cl_writer_write(w, &r), -1);
    CHECK_EQ_INT(cl_writer_close(w), -1);
    cl_writer_free(w);

    /* /dev/full accepts open() but every write() fails. */
    o.path = "/dev/full";
    w = cl_writer_new(&o, NULL, 0);
    CHECK_EQ_INT(cl_writer_write(w, &r), 0); /* buffered */
    CHECK_EQ_INT(cl_writer_close(w), -1);
    CHECK(cl_writer_error(w) != NULL);
    cl_writer_free(w);
}

static void test_bad_options(void)
{
    char err[128] = "";
    cl_writer_options o;
    memset(&o, 0, sizeof o);
    CHECK(cl_writer_new(&o, err, sizeof err) == NULL);
    CHECK(strstr(err, "path") != NULL);
    o.path = tmp_path("x.log");
    o.n_extra = 1;
    o.extra[0] = (cl_column)99;
    CHECK(cl_writer_new(&o, err, sizeof err) == NULL);
    o.n_extra = 2;
    o.extra[0] = CL_COL_VLAN;
    o.extra[1] = CL_COL_VLAN;
    CHECK(cl_writer_new(&o, err, sizeof err) == NULL);
    o.n_extra = CL_MAX_EXTRA_COLUMNS + 1;
    CHECK(cl_writer_new(&o, err, sizeof err) == NULL);
    o.n_extra = 0;
    o.format = (cl_format)7;
    CHECK(cl_writer_new(&o, err, sizeof err) == NULL);
}

static void test_column_names(void)
{
    CHECK_EQ_INT(cl_column_parse("ip_proto"), CL_COL_IP_PROTO);
    CHECK_EQ_INT(cl_column_parse("orig_l2_addr"), CL_COL_ORIG_L2_ADDR);
    CHECK_EQ_INT(cl_column_parse("resp_l2_addr"), CL_COL_RESP_L2_ADDR);
    CHECK_EQ_INT(cl_column_parse("vlan"), CL_COL_VLAN);
    CHECK_EQ_INT(cl_column_parse("inner_vlan"), CL_COL_INNER_VLAN);
    CHECK_EQ_INT(cl_column_parse("pppoe_session_id"), CL_COL_PPPOE_SESSION_ID);
    CHECK_EQ_INT(cl_column_parse("speculative_service"), CL_COL_SPECULATIVE_SERVICE);
    CHECK_EQ_INT(cl_column_parse("community_id"), CL_COL_COMMUNITY_ID);
    CHECK_EQ_INT(cl_column_parse("id.ctx.vlan"), CL_COL_CTX_VLAN);
    CHECK_EQ_INT(cl_column_parse("id.ctx.inner_vlan"), CL_COL_CTX_INNER_VLAN);
    CHECK_EQ_INT(cl_column_parse("ts"), 0);
    CHECK_EQ_INT(cl_column_parse("bogus"), 0);
    CHECK_STR(cl_proto_name(CL_PROTO_TCP), "tcp");
    CHECK_STR(cl_proto_name(CL_PROTO_UDP), "udp");
    CHECK_STR(cl_proto_name(CL_PROTO_ICMP), "icmp");
    CHECK_STR(cl_proto_name(CL_PROTO_UNKNOWN), "unknown_transport");
}

static void setup(void)
{
    CHECK(mkdtemp(dir) != NULL);
}

static void cleanup(void)
{
    static const char *const names[] = {
        "tsv_default.log", "tsv_extra.log", "tsv_escape.log", "conn.json", "unset.json",
        "old.json", "many.log", "big.json", "x.log", "one.log", "lines.log", "one.json",
        "lines.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unlink(tmp_path(names[i]));
    CHECK_EQ_INT(rmdir(dir), 0);
}

TEST_MAIN(setup, test_tsv_default, test_tsv_extra_columns, test_tsv_escaping, test_json,
          test_json_include_unset, test_no_record_no_file, test_truncates_existing,
          test_many_records_buffered, test_format_then_write_lines, test_long_strings, test_io_errors, test_bad_options,
          test_column_names, cleanup)

/*
 * test_detect_tcp.c - the TCP stream analyzers (src/detect/stream.c):
 * HTTP and SSH confirm by port or by their two-sided DPD signatures, not
 * on partial or half-duplex connections, and SSH's length limits mark X;
 * FTP confirms on a client command and fails on a server line without a code;
 * port registrations attach analyzers; Telnet/RSH/FTP lines have Zeek's limit.
 */
#include "packet_builder.h"
#include "test.h"

#define A "10.0.0.1"
#define B "10.0.0.2"

static pb_ctx C;
static uint32_t seq_a, seq_b;
static double now;

static void start_cfg(const cl_config *cfg)
{
    CHECK(pb_init(&C, cfg) == 0);
    seq_a = 1000;
    seq_b = 5000;
    now = 1;
}

static void start(void) { start_cfg(NULL); }

static void handshake(uint16_t port)
{
    pb_tcp(&C, now, A, 40000, B, port, PB_SYN, seq_a++, 0, 0);
    pb_tcp(&C, now += 0.01, B, port, A, 40000, PB_SYN | PB_ACK, seq_b++, seq_a, 0);
    pb_tcp(&C, now += 0.01, A, 40000, B, port, PB_ACK, seq_a, seq_b, 0);
}

static void send_data(bool from_a, uint16_t port, const void *p, uint32_t len)
{
    if (from_a) {
        pb_send(&C, (pb_opts){.t = now += 0.01, .src = A, .dst = B, .sport = 40000, .dport = port,
                              .flags = PB_ACK | PB_PSH, .seq = seq_a, .ack = seq_b, .len = len,
                              .payload = p});
        seq_a += len;
    } else {
        pb_send(&C, (pb_opts){.t = now += 0.01, .src = B, .dst = A, .sport = port, .dport = 40000,
                              .flags = PB_ACK | PB_PSH, .seq = seq_b, .ack = seq_a, .len = len,
                              .payload = p});
        seq_b += len;
    }
}

static const char *service_of(uint16_t port)
{
    pb_flush(&C);
    for (size_t i = 0; i < C.n; i++)
        if (C.recs[i].r.resp_p == port)
            return C.recs[i].r.service ? C.recs[i].r.service : "-";
    return "(no record)";
}

static const char req[] = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

static void test_http_by_port(void)
{
    start();
    handshake(80);
    send_data(true, 80, req, sizeof req - 1);
    CHECK_STR(service_of(80), "http");
    pb_free(&C);
}

static void test_http_unknown_method_on_port(void)
{
    static const char junk[] = "HELLO there\r\n";
    start();
    handshake(8080);
    send_data(true, 8080, junk, sizeof junk - 1);
    CHECK_STR(service_of(8080), "-");
    pb_free(&C);
}

static void test_http_by_signatures(void)
{
    start();
    handshake(8181);
    send_data(true, 8181, req, sizeof req - 1);
    send_data(false, 8181, resp, sizeof resp - 1);
    CHECK_STR(service_of(8181), "http");
    pb_free(&C);
}

static void test_http_one_signature_is_not_enough(void)
{
    start();
    handshake(8181);
    send_data(true, 8181, req, sizeof req - 1);
    send_data(false, 8181, "OK\r\n", 4);
    CHECK_STR(service_of(8181), "-");
    pb_free(&C);
}

static void test_http_partial_connection(void)
{
    start();
    /* Picked up mid-stream (no SYN at all): no HTTP, as in Zeek's corpus. */
    send_data(true, 80, req, sizeof req - 1);
    CHECK_STR(service_of(80), "-");
    pb_free(&C);
}

/* TLS records: a ClientHello (handshake type 1) and a ServerHello (2),
 * record version 3.1, hello version 3.3. */
static const uint8_t client_hello[] = {0x16, 0x03, 0x01, 0x00, 0x2a, 0x01, 0x00, 0x00, 0x26,
                                       0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                       15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
                                       30, 31, 32, 0, 0, 2, 0x13, 0x01, 1, 0};
static const uint8_t server_hello[] = {0x16, 0x03, 0x03, 0x00, 0x26, 0x02, 0x00, 0x00, 0x22,
                                       0x03, 0x03, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                       9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0};

static void test_ssl_by_port(void)
{
    start();
    handshake(443);
    send_data(true, 443, client_hello, sizeof client_hello);
    CHECK_STR(service_of(443), "ssl");
    pb_free(&C);
}

static void test_ssl_by_signatures(void)
{
    /* dpd_tls_client enables SSL on its own (no requires-reverse). */
    start();
    handshake(8443);
    send_data(true, 8443, client_hello, sizeof client_hello);
    CHECK_STR(service_of(8443), "ssl");
    pb_free(&C);

    /* ... and a server that answers with no TLS record takes it back. */
    start();
    handshake(8443);
    send_data(true, 8443, client_hello, sizeof client_hello);
    send_data(false, 8443, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
    CHECK_STR(service_of(8443), "-");
    pb_free(&C);

    start();
    handshake(8443);
    send_data(true, 8443, client_hello, sizeof client_hello);
    send_data(false, 8443, server_hello, sizeof server_hello);
    CHECK_STR(service_of(8443), "ssl");
    pb_free(&C);
}

static void test_ssl_not_tls_on_443(void)
{
    uint8_t bad[sizeof client_hello];
    memcpy(bad, client_hello, sizeof bad);
    bad[9] = 0x02; /* hello version 2.3: not one Zeek accepts */
    start();
    handshake(443);
    send_data(true, 443, bad, sizeof bad);
    CHECK_STR(service_of(443), "-");
    pb_free(&C);

    /* HTTP on 443: SSL fails, and dpd_http_client enables HTTP. */
    start();
    handshake(443);
    send_data(true, 443, req, sizeof req - 1);
    CHECK_STR(service_of(443), "http");
    pb_free(&C);
}

static void test_sslv2_client_hello(void)
{
    static const uint8_t v2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10};
    start();
    handshake(443);
    send_data(true, 443, v2, sizeof v2);
    CHECK_STR(service_of(443), "ssl");
    pb_free(&C);
}

/* SSH: banners, a KEXINIT each way, NEWKEYS. */
static uint32_t ssh_packet(uint8_t *out, uint8_t type, uint32_t body, uint32_t list_len)
{
    uint32_t payload = 1 + body, pad = 8 - (5 + payload) % 8;
    if (pad < 4)
        pad += 8;
    uint32_t plen = 1 + payload + pad;
    memset(out, 0, 4 + plen);
    out[0] = (uint8_t)(plen >> 24), out[1] = (uint8_t)(plen >> 16);
    out[2] = (uint8_t)(plen >> 8), out[3] = (uint8_t)plen;
    out[4] = (uint8_t)pad;
    out[5] = type;
    if (type == 20) { /* KEXINIT: cookie, then the first name-list's length */
        out[6 + 16 + 2] = (uint8_t)(list_len >> 8);
        out[6 + 16 + 3] = (uint8_t)list_len;
    }
    return 4 + plen;
}

static void ssh_session(uint16_t port, bool both_sides, uint32_t kex_body, uint32_t list_len)
{
    static const char cb[] = "SSH-2.0-OpenSSH_9.0\r\n", sb[] = "SSH-2.0-OpenSSH_8.9\r\n";
    uint8_t pkt[2048];
    handshake(port);
    send_data(true, port, cb, sizeof cb - 1);
    if (both_sides)
        send_data(false, port, sb, sizeof sb - 1);
    uint32_t n = ssh_packet(pkt, 20, kex_body, list_len);
    send_data(true, port, pkt, n);
    if (both_sides)
        send_data(false, port, pkt, n);
    n = ssh_packet(pkt, 21, 0, 0);
    send_data(true, port, pkt, n);
}

static void test_ssh_by_port(void)
{
    start();
    ssh_session(22, true, 200, 40);
    CHECK_STR(service_of(22), "ssh");
    pb_free(&C);
}

static void test_ssh_by_signatures(void)
{
    start();
    ssh_session(2222, true, 200, 40);
    CHECK_STR(service_of(2222), "ssh");
    pb_free(&C);
}

static void test_ssh_half_duplex(void)
{
    start();
    ssh_session(22, false, 200, 40);
    CHECK_STR(service_of(22), "-");
    pb_free(&C);
}

static void test_ssh_limits(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_config_set(&cfg, "SSH::max_string_length", "20") == 0);
    start_cfg(&cfg);
    ssh_session(22, true, 200, 40); /* a 40-byte name-list */
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 1);
    if (C.n == 1) {
        CHECK_STR(C.recs[0].r.service, NULL);
        CHECK(C.recs[0].r.history && strchr(C.recs[0].r.history, 'X'));
    }
    pb_free(&C);

    cl_config_init(&cfg);
    CHECK(cl_config_set(&cfg, "SSH::max_packet_length", "100") == 0);
    start_cfg(&cfg);
    ssh_session(22, true, 200, 40); /* KEXINIT of ~216 bytes */
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 1);
    if (C.n == 1)
        CHECK(C.recs[0].r.history && strchr(C.recs[0].r.history, 'X'));
    pb_free(&C);
}

/* The DPD signatures match only at the start of a direction's stream: a
 * server line before its banner keeps SSH off port 22, not on it. */
static void ssh_prebanner_session(uint16_t port)
{
    static const char cb[] = "SSH-2.0-OpenSSH_9.0\r\n", hello[] = "Welcome to the host\r\n",
                      sb[] = "SSH-2.0-OpenSSH_8.9\r\n";
    uint8_t pkt[64];
    start();
    handshake(port);
    send_data(true, port, cb, sizeof cb - 1);
    send_data(false, port, hello, sizeof hello - 1);
    send_data(false, port, sb, sizeof sb - 1);
    uint32_t n = ssh_packet(pkt, 21, 0, 0);
    send_data(true, port, pkt, n);
}

static void test_ssh_signature_only_at_stream_start(void)
{
    ssh_prebanner_session(2222);
    CHECK_STR(service_of(2222), "-");
    pb_free(&C);

    ssh_prebanner_session(22);
    CHECK_STR(service_of(22), "ssh");
    pb_free(&C);
}

/* SSH-1 (a 1.x banner against 1.x or 1.99): packets are a length, 1-8
 * bytes of padding and a type; the client's session key (type 3)
 * confirms. */
static uint32_t ssh1_packet(uint8_t *out, uint8_t type, uint32_t body)
{
    uint32_t len = 1 + body + 4, pad = 8 - len % 8;
    out[0] = (uint8_t)(len >> 24);
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    memset(out + 4, 0, pad + len);
    out[4 + pad] = type;
    return 4 + pad + len;
}

static void ssh1_session(const char *cb, const char *sb, uint8_t client_type)
{
    uint8_t pkt[512];
    start();
    handshake(22);
    send_data(false, 22, sb, (uint32_t)strlen(sb));
    send_data(true, 22, cb, (uint32_t)strlen(cb));
    uint32_t n = ssh1_packet(pkt, 2, 200); /* the server's public key */
    send_data(false, 22, pkt, n);
    n = ssh1_packet(pkt, client_type, 130);
    send_data(true, 22, pkt, n);
}

static void test_ssh1_session_key_confirms(void)
{
    ssh1_session("SSH-1.5-OpenSSH_6.2\n", "SSH-1.99-OpenSSH_6.6\r\n", 3);
    CHECK_STR(service_of(22), "ssh");
    pb_free(&C);

    ssh1_session("SSH-1.5-OpenSSH_6.2\n", "SSH-1.5-OpenSSH_6.6\r\n", 3);
    CHECK_STR(service_of(22), "ssh");
    pb_free(&C);

    /* another first message from the client: no confirmation */
    ssh1_session("SSH-1.5-OpenSSH_6.2\n", "SSH-1.99-OpenSSH_6.6\r\n", 9);
    CHECK_STR(service_of(22), "-");
    pb_free(&C);

    /* 2.0 against 1.99 is SSH-2: the same bytes are no SSH-2 NEWKEYS */
    ssh1_session("SSH-2.0-OpenSSH_6.2\n", "SSH-1.99-OpenSSH_6.6\r\n", 3);
    CHECK_STR(service_of(22), "-");
    pb_free(&C);
}

/* A confirmed SSH connection idles up to 3600 s (Conn::analyzer_
 * inactivity_timeouts), not the TCP 300 s: a packet 400 s later joins it. */
static void test_ssh_long_timeout(void)
{
    start();
    ssh_session(2222, true, 200, 40);
    now += 400;
    send_data(true, 2222, "x", 1);
    pb_flush(&C);
    CHECK_EQ_INT(C.n, 1);
    pb_free(&C);
}

/* FTP (port 21): a client command word confirms; a server line without a
 * reply code is a violation that takes the service back; a command word
 * longer than FTP::max_command_length (100) is ignored, not a command. */
static void ftp_session(const char *client, const char *server)
{
    static const char greeting[] = "220 ready\r\n";
    start();
    handshake(21);
    send_data(false, 21, greeting, sizeof greeting - 1);
    if (client)
        send_data(true, 21, client, (uint32_t)strlen(client));
    if (server)
        send_data(false, 21, server, (uint32_t)strlen(server));
}

static void test_ftp_command_confirms(void)
{
    ftp_session("USER anonymous\r\n", "331 password please\r\n");
    CHECK_STR(service_of(21), "ftp");
    pb_free(&C);
}

static void test_ftp_multiline_reply_is_fine(void)
{
    ftp_session("  FEAT\r\n", "211-Features:\r\n MDTM\r\n211-SIZE\r\n211 End\r\n");
    CHECK_STR(service_of(21), "ftp");
    pb_free(&C);

    /* the multi-line reply ended: a codeless line now is a violation */
    ftp_session("  FEAT\r\n", "211-Features:\r\n211 End\r\nMDTM\r\n");
    CHECK_STR(service_of(21), "-");
    pb_free(&C);
}

static void test_ftp_reply_without_code_is_violation(void)
{
    ftp_session("USER anonymous\r\n", "hello there\r\n");
    CHECK_STR(service_of(21), "-");
    CHECK_EQ_INT(C.n, 1);
    if (C.n == 1) { /* the failed-service-logging column */
        CHECK_EQ_INT(C.recs[0].n_failed, 1);
        if (C.recs[0].n_failed == 1)
            CHECK_STR(C.recs[0].failed[0], "ftp");
    }
    pb_free(&C);

    ftp_session("USER anonymous\r\n", "099 too small\r\n");
    CHECK_STR(service_of(21), "-");
    pb_free(&C);

    ftp_session("USER anonymous\r\n", "331x no space\r\n");
    CHECK_STR(service_of(21), "-");
    pb_free(&C);

    /* a bare code, and a code above 599, are fine */
    ftp_session("USER anonymous\r\n", "331\r\n631 protected\r\n");
    CHECK_STR(service_of(21), "ftp");
    pb_free(&C);
}

static void test_ftp_overlong_command_ignored(void)
{
    char line[160];
    memset(line, 'A', 101);
    strcpy(line + 101, " x\r\n");
    ftp_session(line, NULL);
    CHECK_STR(service_of(21), "-");
    CHECK(!strchr(C.recs[0].r.history, 'X'));
    pb_free(&C);

    /* after a real command, the same line is a limit reached: X */
    ftp_session("USER anonymous\r\n", NULL);
    send_data(true, 21, line, (uint32_t)strlen(line));
    CHECK_STR(service_of(21), "ftp");
    CHECK(strchr(C.recs[0].r.history, 'X') != NULL);
    pb_free(&C);

    memset(line, 'A', 100); /* exactly the limit still counts */
    strcpy(line + 100, "\r\n");
    ftp_session(line, NULL);
    CHECK_STR(service_of(21), "ftp");
    pb_free(&C);
}

static void test_ftp_short_or_binary_word_ignored(void)
{
    ftp_session("ab cd\r\n\x01\x02\x03\x04\r\n", NULL);
    CHECK_STR(service_of(21), "-");
    pb_free(&C);
}

/* Zeek's NVT line splitter holds at most 16 MiB - 100 bytes: the byte after
 * a full buffer is a limit reached (X), even when it would end the line. */
static void ftp_long_line(uint32_t line_len)
{
    static char chunk[1400];
    memset(chunk, 'A', sizeof chunk);
    ftp_session(NULL, NULL);
    for (uint32_t sent = 0; sent < line_len;) {
        uint32_t k = line_len - sent < sizeof chunk ? line_len - sent : (uint32_t)sizeof chunk;
        send_data(true, 21, chunk, k);
        sent += k;
    }
    send_data(true, 21, "\n", 1);
    pb_flush(&C);
}

static void test_ftp_nvt_line_limit(void)
{
    const uint32_t max = 16u * 1024 * 1024 - 100;
    ftp_long_line(max - 1);
    CHECK_EQ_INT(C.n, 1);
    if (C.n == 1)
        CHECK(strchr(C.recs[0].r.history, 'X') == NULL);
    pb_free(&C);

    ftp_long_line(max);
    CHECK_EQ_INT(C.n, 1);
    if (C.n == 1) {
        CHECK(strchr(C.recs[0].r.history, 'X') != NULL);
        CHECK_STR(C.recs[0].r.service, NULL); /* the word was too long to count */
    }
    pb_free(&C);
}

/* DPD::track_removed_services_in_connection: the failed service stays,
 * followed by "-name"; a violation before any confirmation lists nothing. */
static void test_dpd_track_removed_services(void)
{
    static const char greeting[] = "220 ready\r\n", user[] = "USER anonymous\r\n",
                      junk[] = "hello there\r\n";
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_config_set(&cfg, "DPD::track_removed_services_in_connection", "T") == 0);
    start_cfg(&cfg);
    handshake(21);
    send_data(false, 21, greeting, sizeof greeting - 1);
    send_data(true, 21, user, sizeof user - 1);
    send_data(false, 21, junk, sizeof junk - 1);
    CHECK_STR(service_of(21), "ftp,-ftp");
    pb_free(&C);

    start_cfg(&cfg);
    handshake(21);
    send_data(false, 21, junk, sizeof junk - 1);
    CHECK_STR(service_of(21), "-");
    CHECK(C.n == 1 && C.recs[0].n_failed == 0);
    pb_free(&C);
    CHECK(cl_column_parse("failed_service") == CL_COL_FAILED_SERVICE);
}

/* Analyzer::disable_all, then Analyzer::requested_analyzers: only the
 * requested analyzers run (and no ConnSize: the packet counts are unset). */
static void test_requested_analyzers(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_config_set(&cfg, "Analyzer::disable_all", "T") == 0);
    CHECK(cl_config_set(&cfg, "Analyzer::requested_analyzers", "http") == 0);
    CHECK(cl_config_set(&cfg, "Analyzer::requested_analyzers", "HTTP") == -1);
    start_cfg(&cfg);
    handshake(80);
    send_data(true, 80, req, sizeof req - 1);
    CHECK_STR(service_of(80), "http");
    CHECK(C.n == 1 && C.recs[0].r.pkts_unset);
    pb_free(&C);

    cl_config_init(&cfg);
    CHECK(cl_config_set(&cfg, "Analyzer::disable_all", "T") == 0);
    start_cfg(&cfg);
    handshake(80);
    send_data(true, 80, req, sizeof req - 1);
    CHECK_STR(service_of(80), "-");
    pb_free(&C);
}

/* FTP data channels (scripts/base/protocols/ftp): PASV/EPSV replies and
 * PORT/EPRT commands make the announced connection "ftp-data" for 5 min. */
static void data_conn(const char *from, uint16_t sport, const char *to, uint16_t dport)
{
    pb_tcp(&C, now += 0.01, from, sport, to, dport, PB_SYN, 7000, 0, 0);
    pb_tcp(&C, now += 0.01, to, dport, from, sport, PB_SYN | PB_ACK, 9000, 7001, 0);
}

static void test_ftp_data_channels(void)
{
    /* passive: the client connects to the port the 227 reply names */
    ftp_session("PASV\r\n", "227 Entering Passive Mode (10,0,0,2,200,10).\r\n");
    data_conn(A, 40001, B, 51210);
    data_conn(A, 40002, B, 51211); /* not announced */
    CHECK_STR(service_of(51210), "ftp-data");
    CHECK_STR(service_of(51211), "-");
    pb_free(&C);

    /* a 227 that answers no PASV announces nothing */
    ftp_session("NOOP\r\n", "227 Entering Passive Mode (10,0,0,2,200,10).\r\n");
    data_conn(A, 40001, B, 51210);
    CHECK_STR(service_of(51210), "-");
    pb_free(&C);

    /* extended passive: the control connection's server, this port */
    ftp_session("EPSV\r\n", "229 Entering Extended Passive Mode (|||6446|)\r\n");
    data_conn(A, 40001, B, 6446);
    CHECK_STR(service_of(6446), "ftp-data");
    pb_free(&C);

    /* active: the server connects to the client's announced port ... */
    ftp_session("PORT 10,0,0,1,156,64\r\n", NULL);
    data_conn(B, 20, A, 40000);
    CHECK_STR(service_of(40000), "ftp-data");
    pb_free(&C);

    ftp_session("EPRT |1|10.0.0.1|6275|\r\n", NULL);
    data_conn(B, 20, A, 6275);
    CHECK_STR(service_of(6275), "ftp-data");
    pb_free(&C);

    /* ... but only within 5 minutes, and only from the server */
    ftp_session("PORT 10,0,0,1,156,64\r\n", NULL);
    data_conn("10.0.0.9", 20, A, 40000);
    CHECK_STR(service_of(40000), "-");
    pb_free(&C);

    ftp_session("PORT 10,0,0,1,156,64\r\n", NULL);
    now += 301;
    data_conn(B, 20, A, 40000);
    CHECK_STR(service_of(40000), "-");
    pb_free(&C);
}

/* "234" to "AUTH TLS": the control channel turns into TLS, and the SSL
 * analyzer sees the client hello that follows. */
static void test_ftp_auth_tls(void)
{
    ftp_session("AUTH TLS\r\n", "234 Proceed with negotiation.\r\n");
    send_data(true, 21, client_hello, sizeof client_hello);
    CHECK_STR(service_of(21), "ftp,ssl");
    pb_free(&C);

    ftp_session("AUTH SSL\r\n", "234 Proceed with negotiation.\r\n");
    send_data(true, 21, client_hello, sizeof client_hello);
    CHECK_STR(service_of(21), "ftp"); /* no TLS hand-off: client junk is ignored */
    pb_free(&C);
}

/* SMTP (25, 587): a known client command confirms; a server line without
 * a reply code of 100-599 is a violation; after 220 to STARTTLS nothing
 * is read as SMTP. */
static void smtp_session(const char *const *lines, size_t n)
{
    start();
    handshake(25);
    for (size_t i = 0; i < n; i++) {
        bool client = lines[i][0] == '>';
        send_data(client, 25, lines[i] + 1, (uint32_t)strlen(lines[i] + 1));
    }
}

static void test_smtp(void)
{
    static const char *const ok[] = {"<220 mx ESMTP\r\n", ">EHLO client\r\n",
                                     "<250-mx\r\n", "<250 PIPELINING\r\n",
                                     ">DATA\r\n", "<354 go on\r\n",
                                     ">hello, this is no command\r\n", ">.\r\n",
                                     "<250 queued\r\n"};
    smtp_session(ok, sizeof ok / sizeof ok[0]);
    CHECK_STR(service_of(25), "smtp");
    pb_free(&C);

    static const char *const greeting_only[] = {"<220 mx ESMTP\r\n"};
    smtp_session(greeting_only, 1);
    CHECK_STR(service_of(25), "-");
    pb_free(&C);

    static const char *const bad_reply[] = {"<220 mx ESMTP\r\n", ">HELO client\r\n",
                                            "<hello?\r\n"};
    smtp_session(bad_reply, 3);
    CHECK_STR(service_of(25), "-");
    pb_free(&C);

    static const char *const tls[] = {"<220 mx ESMTP\r\n", ">STARTTLS\r\n",
                                      "<220 ready\r\n", "<\x16\x03\x03 not smtp\r\n"};
    smtp_session(tls, 4);
    CHECK_STR(service_of(25), "smtp");
    pb_free(&C);

    /* the TLS that follows STARTTLS is SSL's to confirm */
    smtp_session(tls, 3);
    send_data(true, 25, client_hello, sizeof client_hello);
    CHECK_STR(service_of(25), "smtp,ssl");
    pb_free(&C);
}

/* PostgreSQL: a StartupMessage (protocol 3, name/value parameters)
 * confirms; an SSLRequest answered 'S' hands over to TLS; off 5432 both
 * DPD signatures must match; a broken backend message is a violation. */
static const uint8_t pg_startup[] = {0, 0, 0, 19, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0,
                                     'z', 'e', 'e', 'k', 0, 0};
static const uint8_t pg_auth_ok[] = {'R', 0, 0, 0, 8, 0, 0, 0, 0,
                                     'Z', 0, 0, 0, 5, 'I'};

static void pg_session(uint16_t port, const void *client, uint32_t clen, const void *server,
                       uint32_t slen)
{
    start();
    handshake(port);
    send_data(true, port, client, clen);
    if (server)
        send_data(false, port, server, slen);
}

static void test_postgresql(void)
{
    pg_session(5432, pg_startup, sizeof pg_startup, pg_auth_ok, sizeof pg_auth_ok);
    CHECK_STR(service_of(5432), "postgresql");
    pb_free(&C);

    /* off the port: the two signatures (startup with "user", then a typed reply) */
    pg_session(15432, pg_startup, sizeof pg_startup, pg_auth_ok, sizeof pg_auth_ok);
    CHECK_STR(service_of(15432), "postgresql");
    pb_free(&C);
    pg_session(15432, pg_startup, sizeof pg_startup, "\x01\x02\x03\x04\x05\x06", 6);
    CHECK_STR(service_of(15432), "-");
    pb_free(&C);

    /* ReadyForQuery with a length of 1: a violation takes the service back */
    static const uint8_t bad_z[] = {'Z', 0, 0, 0, 1, 0, 0};
    pg_session(5432, pg_startup, sizeof pg_startup, bad_z, sizeof bad_z);
    CHECK_STR(service_of(5432), "-");
    pb_free(&C);

    /* protocol 2, or HTTP, on 5432: no confirmation */
    uint8_t v2[sizeof pg_startup];
    memcpy(v2, pg_startup, sizeof v2);
    v2[5] = 2;
    pg_session(5432, v2, sizeof v2, pg_auth_ok, sizeof pg_auth_ok);
    CHECK_STR(service_of(5432), "-");
    pb_free(&C);
    static const char junk[] = "HELLO there\r\n";
    pg_session(5432, junk, sizeof junk - 1, NULL, 0);
    CHECK_STR(service_of(5432), "-");
    pb_free(&C);

    /* SSLRequest, 'S', then a TLS client hello */
    static const uint8_t ssl_request[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
    pg_session(5432, ssl_request, sizeof ssl_request, "S", 1);
    send_data(true, 5432, client_hello, sizeof client_hello);
    CHECK_STR(service_of(5432), "postgresql,ssl");
    pb_free(&C);

    /* ... or 'N', then the plain startup */
    pg_session(5432, ssl_request, sizeof ssl_request, "N", 1);
    send_data(true, 5432, pg_startup, sizeof pg_startup);
    CHECK_STR(service_of(5432), "postgresql");
    pb_free(&C);
}

/* LDAP (389, 3268): one whole LDAPMessage (SEQUENCE, INTEGER id,
 * APPLICATION-tagged operation) confirms "ldap_tcp", also when it comes in
 * pieces; anything else first is no LDAP. */
static void test_ldap(void)
{
    static const uint8_t bind[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02,
                                   0x01, 0x03, 0x04, 0x00, 0x80, 0x00};
    start();
    handshake(389);
    send_data(true, 389, bind, sizeof bind);
    CHECK_STR(service_of(389), "ldap_tcp");
    pb_free(&C);

    start();
    handshake(3268);
    send_data(true, 3268, bind, 4);
    send_data(true, 3268, bind + 4, sizeof bind - 5); /* one byte short */
    CHECK_STR(service_of(3268), "-");
    pb_free(&C);

    start();
    handshake(3268);
    send_data(true, 3268, bind, 4);
    send_data(true, 3268, bind + 4, sizeof bind - 4);
    CHECK_STR(service_of(3268), "ldap_tcp");
    pb_free(&C);

    /* a universal tag where the operation should be */
    uint8_t bad[sizeof bind];
    memcpy(bad, bind, sizeof bad);
    bad[5] = 0x04;
    start();
    handshake(389);
    send_data(true, 389, bad, sizeof bad);
    CHECK_STR(service_of(389), "-");
    pb_free(&C);

    static const char junk[] = "HELLO there\r\n";
    start();
    handshake(389);
    send_data(true, 389, junk, sizeof junk - 1);
    CHECK_STR(service_of(389), "-");
    pb_free(&C);
}

/* MySQL (1434, 3306): the client's answer to the server's greeting
 * confirms; with CLIENT_SSL in it, TLS follows. */
static void test_mysql(void)
{
    static const uint8_t greeting[] = {9, 0, 0, 0, 10, '8', '.', '0', 0, 1, 0, 0, 0};
    static const uint8_t ssl_request[] = {32, 0, 0, 1, 0x0d, 0x0a, 0x08, 0x00,
                                          0, 0, 0, 1, 33, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    uint8_t plain[sizeof ssl_request];
    memcpy(plain, ssl_request, sizeof plain);
    plain[5] = 0x02; /* no CLIENT_SSL */

    start();
    handshake(3306);
    send_data(false, 3306, greeting, sizeof greeting);
    send_data(true, 3306, ssl_request, sizeof ssl_request);
    send_data(true, 3306, client_hello, sizeof client_hello);
    CHECK_STR(service_of(3306), "mysql,ssl");
    pb_free(&C);

    start();
    handshake(3306);
    send_data(false, 3306, greeting, sizeof greeting);
    send_data(true, 3306, plain, sizeof plain);
    CHECK_STR(service_of(3306), "mysql");
    pb_free(&C);

    /* no greeting of protocol 9 or 10 first: no MySQL */
    uint8_t bad[sizeof greeting];
    memcpy(bad, greeting, sizeof bad);
    bad[4] = 7;
    start();
    handshake(3306);
    send_data(false, 3306, bad, sizeof bad);
    send_data(true, 3306, plain, sizeof plain);
    CHECK_STR(service_of(3306), "-");
    pb_free(&C);
}

static void test_ftp_not_on_other_ports(void)
{
    static const char user[] = "USER anonymous\r\n";
    start();
    handshake(2121);
    send_data(true, 2121, user, sizeof user - 1);
    CHECK_STR(service_of(2121), "-");
    pb_free(&C);
}

/* Analyzer::register_for_port: an analyzer attaches to the port even when
 * its scripts are not loaded (here: bare mode), and only there. */
static void test_registered_analyzer_port(void)
{
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_config_set_analyzers(&cfg, "none") == 0);
    CHECK(cl_config_register_port(&cfg, "ANALYZER_HTTP", 8081) == 0);
    CHECK(cl_config_register_port(&cfg, "gnutella", 6346) == -1);
    start_cfg(&cfg);
    handshake(8081);
    send_data(true, 8081, req, sizeof req - 1);
    CHECK_STR(service_of(8081), "http");
    pb_free(&C);

    start_cfg(&cfg);
    handshake(8082);
    send_data(true, 8082, req, sizeof req - 1);
    CHECK_STR(service_of(8082), "-");
    pb_free(&C);
}

/* Telnet and RSH buffer lines like Zeek's NVT: past 16 MiB - 100 bytes
 * without a line end the analyzer reports a limit reached (X). */
static void long_line_session(const cl_config *cfg, uint16_t port, const char *prefix,
                              uint32_t prefix_len, uint32_t line_len, uint32_t every_eol)
{
    static char chunk[1000];
    start_cfg(cfg);
    handshake(port);
    if (prefix_len)
        send_data(true, port, prefix, prefix_len);
    for (uint32_t sent = 0; sent < line_len;) {
        uint32_t k = line_len - sent < sizeof chunk ? line_len - sent : (uint32_t)sizeof chunk;
        memset(chunk, 'A', k);
        if (every_eol && k == sizeof chunk)
            chunk[k - 1] = '\n';
        send_data(true, port, chunk, k);
        sent += k;
    }
    pb_flush(&C);
}

static bool history_has_x(void)
{
    return C.n == 1 && C.recs[0].r.history && strchr(C.recs[0].r.history, 'X');
}

static void test_telnet_line_limit(void)
{
    const uint32_t max = 16u * 1024 * 1024 - 100;
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_config_register_port(&cfg, "telnet", 23) == 0);
    long_line_session(&cfg, 23, NULL, 0, max + 1, 0);
    CHECK(history_has_x());
    CHECK_STR(C.recs[0].r.service, NULL);
    pb_free(&C);

    long_line_session(&cfg, 23, NULL, 0, max + 1, 1); /* lines end every 1000 bytes */
    CHECK(!history_has_x());
    pb_free(&C);

    cl_config_init(&cfg); /* not registered: no Telnet analyzer */
    long_line_session(&cfg, 23, NULL, 0, max + 1, 0);
    CHECK(!history_has_x());
    pb_free(&C);
}

static void test_rsh_line_limit(void)
{
    const uint32_t max = 16u * 1024 * 1024 - 100;
    cl_config cfg;
    cl_config_init(&cfg);
    CHECK(cl_config_register_port(&cfg, "rsh", 514) == 0);
    /* a stderr port, NUL, then a client user name that never ends */
    long_line_session(&cfg, 514, "1023\0", 5, max + 1, 0);
    CHECK(history_has_x());
    pb_free(&C);

    long_line_session(&cfg, 514, "1023\0", 5, max, 0); /* one byte short */
    CHECK(!history_has_x());
    pb_free(&C);
}

TEST_MAIN(test_ssl_by_port, test_ssl_by_signatures, test_ssl_not_tls_on_443,
          test_sslv2_client_hello, test_ssh_long_timeout, test_http_by_port, test_http_unknown_method_on_port, test_http_by_signatures,
          test_http_one_signature_is_not_enough, test_http_partial_connection, test_ssh_by_port,
          test_ssh_by_signatures, test_ssh_half_duplex, test_ssh_limits, test_ssh1_session_key_confirms,
          test_ssh_signature_only_at_stream_start, test_ftp_command_confirms,
          test_ftp_multiline_reply_is_fine, test_ftp_reply_without_code_is_violation,
          test_ftp_overlong_command_ignored, test_ftp_short_or_binary_word_ignored,
          test_ftp_not_on_other_ports, test_ftp_nvt_line_limit,
          test_registered_analyzer_port, test_telnet_line_limit, test_rsh_line_limit,
          test_dpd_track_removed_services, test_requested_analyzers, test_ftp_data_channels,
          test_ftp_auth_tls, test_smtp, test_postgresql, test_ldap, test_mysql)

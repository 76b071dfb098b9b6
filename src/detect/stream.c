/*
 * stream.c - TCP stream analysis: the dispatcher that feeds every analyzer
 * a connection's in-order payload, and the analyzers that live here (HTTP,
 * SSL/TLS, SSH, FTP, Telnet/RSH line limits, PostgreSQL's enabling). SMTP,
 * PostgreSQL, LDAP and MySQL parse in their own files.
 *
 * An analyzer is attached by the responder port (Zeek's port
 * registrations, also --analyzer-port) or enabled by its DPD signatures
 * (both directions must match, Zeek's requires-reverse-signature), and
 * confirms its service the way Zeek's does: HTTP on a request line with a
 * known method, SSH on the first NEWKEYS message, and so on. Analyzers
 * that hand a session to TLS (AUTH TLS, STARTTLS, SSLRequest) restart the
 * SSL checks where TLS begins. We see only in-order payload; a gap ends
 * the analysis, as it mostly does in Zeek.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/ldap.h"
#include "detect/mysql.h"
#include "detect/postgresql.h"
#include "detect/smtp.h"
#include "engine.h"

#define HEAD_MAX 48             /* stream bytes kept for the signatures */
#define SSH_LINE_MAX 1024       /* a banner or pre-banner line longer than this is not SSH */
#define SSH_PACKET_MAX (256u * 1024)
#define SSH_MSG_NEWKEYS 21
#define SSH_INACTIVITY 3600.0   /* Conn::analyzer_inactivity_timeouts */

enum {
    SIG_HTTP_ORIG = 1,
    SIG_HTTP_RESP = 2,
    SIG_SSH_ORIG = 4,
    SIG_SSH_RESP = 8,
    SIG_SSL_ORIG = 16,
    SIG_SSL_RESP = 32,
    SIG_PG_ORIG = 64,
    SIG_PG_RESP = 128
};
enum {
    SSH_BANNER = 0,
    SSH_HEADER,
    SSH_SKIP,
    SSH_KEX_COOKIE,
    SSH_KEX_LEN,
    SSH_KEX_LIST,
    SSH1_PAD,
    SSH1_TYPE,
    SSH_OFF
};

/* A banner's protocol version: "SSH-2.x", "SSH-1.99" (either) or "SSH-1.x". */
enum { SSH_V_UNKNOWN = 0, SSH_V1, SSH_V199, SSH_V2 };
#define SSH1_CMSG_SESSION_KEY 3

#define SSH_MSG_KEXINIT 20
#define SSH_KEX_LISTS 10        /* name-lists in a KEXINIT message */

typedef struct ssh_dir {
    uint8_t phase;
    uint8_t nhdr;
    uint8_t hdr[6];
    uint16_t line_len;
    bool line_ssh;              /* the current line starts "SSH-" */
    bool started;               /* we saw the direction's first byte */
    bool banner_done;           /* the SSH- version line is complete */
    uint32_t skip;              /* SSH_SKIP, SSH_KEX_*: bytes to pass over */
    uint32_t remain;            /* KEXINIT: bytes left in the packet */
    uint8_t lists_left, nlen;
    uint8_t lenbuf[4];
    uint8_t ver;                /* SSH_V_*, from the banner */
    uint8_t vstart[8];          /* the banner line's first bytes */
    bool limit_pending;         /* a KEXINIT string over the limit: X at its end */
    bool first_line_seen;       /* the direction's first line has begun */
} ssh_dir;

/* An FTP direction: the current control line (enough of it for the reply
 * code, PORT, EPRT and the 227/229 replies that announce a data channel)
 * and what the line splitter and the reply parser carry across lines. */
#define FTP_TEXT_MAX 128
typedef struct ftp_dir {
    char line[FTP_TEXT_MAX];    /* the line's first bytes, NUL-terminated at its end */
    uint8_t len;
    uint32_t nvt_len;           /* bytes in Zeek's NVT line buffer */
    char pending[3];            /* code of a multi-line reply in progress */
    bool in_multi;
    /* The command word of a client line: its length so far (saturating),
     * whether it has ended, and whether it held a non-printable byte. */
    uint16_t word_len;
    bool word_ended, word_bad;
} ftp_dir;

/* FTP's state, allocated only on FTP connections. */
typedef struct ftp_state {
    ftp_dir dir[2];
    char cmd[8];                /* the client's last command word, upper case */
    bool confirmed;
    bool auth_tls;              /* the last AUTH asked for TLS */
    uint64_t seen[2];           /* stream bytes seen in each direction */
    uint64_t line_end;          /* stream offset after the server's current line */
} ftp_state;

/* Telnet and RSH: only the length of the line being buffered matters. */
enum { RSH_PROLOG = 0, RSH_CLIENT_USER, RSH_SERVER_USER, RSH_LINES };

typedef struct login_dir {
    uint32_t len;               /* bytes in Zeek's line buffer */
    uint8_t rsh_state;          /* RSH_*: what the originator sends next */
    bool last_cr;
} login_dir;

struct cl_stream_state {
    uint8_t head[2][HEAD_MAX];
    uint8_t head_len[2];
    uint8_t sigs;
    bool http_done, ssh_done, ssl_done, ftp_done;
    ftp_state *ftp;             /* NULL unless FTP is attached */
    ssh_dir ssh[2];
    bool login_done;
    login_dir login[2];
    bool smtp_done;
    cl_smtp *smtp;              /* NULL unless SMTP is attached */
    bool pg_done, pg_confirmed;
    uint8_t pg_sig;             /* PG_SIG_*: the client's DPD signature */
    cl_pgsql *pg;               /* NULL until the client looks like PostgreSQL */
    bool ldap_done, ldap_started[2];
    cl_ldap *ldap;              /* NULL unless LDAP is attached */
    bool mysql_done;
    cl_mysql *mysql;            /* NULL unless MySQL is attached */
    /* After a hand-off to TLS (FTP's AUTH TLS, PostgreSQL's SSLRequest):
     * where the TLS streams start, so that the SSL checks see their
     * hellos as the head. NULL before any. */
    uint64_t *tls_base;
};

/* ---------------------------------------------------------------- */
/* HTTP                                                              */
/* ---------------------------------------------------------------- */

/* HTTP::http_methods, Zeek's list of request methods it accepts. */
static const char *const http_methods[] = {
    "GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "CONNECT", "PATCH",
    "QUERY", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "POLL",
    "REPORT", "SUBSCRIBE", "BMOVE", "SEARCH", NULL};

enum { NEED_MORE, CONFIRM, VIOLATION };

static bool is_space(uint8_t ch) { return ch == ' ' || ch == '\t'; }

/* Where the first line starts (Zeek's line splitting drops empty lines). */
static uint32_t skip_blank(const uint8_t *p, uint32_t n)
{
    uint32_t i = 0;
    while (i < n && (p[i] == '\r' || p[i] == '\n' || is_space(p[i])))
        i++;
    return i;
}

static int http_request_verdict(const uint8_t *p, uint32_t n, bool full)
{
    uint32_t i = skip_blank(p, n), m = i;
    while (m < n && !is_space(p[m]) && p[m] != '\r' && p[m] != '\n')
        m++;
    if (m == n)
        return full ? VIOLATION : NEED_MORE;
    bool known = false;
    for (const char *const *k = http_methods; *k && !known; k++)
        known = strlen(*k) == m - i && strncasecmp(*k, (const char *)p + i, m - i) == 0;
    if (!known || !is_space(p[m]))
        return VIOLATION;
    while (m < n && is_space(p[m]))
        m++;
    if (m == n)
        return full ? VIOLATION : NEED_MORE;
    return p[m] == '\r' || p[m] == '\n' ? VIOLATION : CONFIRM;
}

/* dpd_http_client: a method at the start of the originator's stream. */
static int http_client_sig(const uint8_t *p, uint32_t n, bool full)
{
    uint32_t i = skip_blank(p, n);
    for (const char *const *k = http_methods; *k; k++) {
        size_t l = strlen(*k);
        if (n - i >= l && memcmp(p + i, *k, l) == 0)
            return CONFIRM;
        if (n - i < l && memcmp(p + i, *k, n - i) == 0 && !full)
            return NEED_MORE;
    }
    return VIOLATION;
}

/* dpd_http_server: "HTTP/" and a digit. */
static int http_server_sig(const uint8_t *p, uint32_t n)
{
    static const char want[] = "HTTP/";
    uint32_t k = n < 5 ? n : 5;
    if (memcmp(p, want, k) != 0)
        return VIOLATION;
    if (n < 6)
        return NEED_MORE;
    return p[5] >= '0' && p[5] <= '9' ? CONFIRM : VIOLATION;
}

static void http_step(cl_engine *e, cl_conn *c, cl_stream_state *s)
{
    bool full_o = s->head_len[0] == HEAD_MAX;
    if (c->analyzers & CL_AN_HTTP) {
        int v = http_request_verdict(s->head[0], s->head_len[0], full_o);
        if (v == CONFIRM)
            cl_conn_add_service(c, "http");
        else if (v == VIOLATION)
            cl_analyzer_violation(e, c, CL_AN_HTTP, "http");
        s->http_done = v != NEED_MORE;
        return;
    }
    if (s->head_len[0] && !(s->sigs & SIG_HTTP_ORIG)) {
        int v = http_client_sig(s->head[0], s->head_len[0], full_o);
        if (v == VIOLATION) {
            s->http_done = true;
            return;
        }
        if (v == CONFIRM)
            s->sigs |= SIG_HTTP_ORIG;
    }
    if (s->head_len[1] && !(s->sigs & SIG_HTTP_RESP)) {
        int v = http_server_sig(s->head[1], s->head_len[1]);
        if (v == VIOLATION) {
            s->http_done = true;
            return;
        }
        if (v == CONFIRM)
            s->sigs |= SIG_HTTP_RESP;
    }
    if ((s->sigs & (SIG_HTTP_ORIG | SIG_HTTP_RESP)) == (SIG_HTTP_ORIG | SIG_HTTP_RESP)) {
        /* Enabled by DPD: the analyzer replays the buffered request. */
        c->analyzers |= CL_AN_HTTP;
        http_step(e, c, s);
    }
}

/* ---------------------------------------------------------------- */
/* FTP                                                               */
/* ---------------------------------------------------------------- */

static bool is_digit(uint8_t ch) { return ch >= '0' && ch <= '9'; }

/* Zeek's FTP::max_command_length: a longer command word is ignored. */
#define FTP_MAX_COMMAND_LENGTH 100

/* A client command line: its first word (after blanks) must be at least 3
 * printable characters and at most FTP_MAX_COMMAND_LENGTH long. The first
 * such line confirms the analyzer; other lines are ignored, not violations,
 * though an over-long word after confirmation is a limit reached (X). */
static void ftp_command(cl_conn *c, ftp_state *f, const ftp_dir *d)
{
    if (d->word_len < 3 || d->word_bad)
        return;
    if (d->word_len > FTP_MAX_COMMAND_LENGTH) {
        if (f->confirmed)
            cl_hist_check(c, 0x400, 'X');
        return;
    }
    f->confirmed = true;
    cl_conn_add_service(c, "ftp");
}

/* Follows the command word of a client line one byte at a time: leading
 * blanks are skipped, any other white space ends the word. */
static void ftp_command_byte(ftp_dir *d, uint8_t ch)
{
    bool space = ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
    if (d->word_ended)
        return;
    if (space) {
        if (d->word_len)
            d->word_ended = true;
        return;
    }
    if (ch < 0x21 || ch > 0x7e)
        d->word_bad = true;
    if (d->word_len < UINT16_MAX)
        d->word_len++;
}

/* A server reply line: a 3-digit code of at least 100, then the line's end,
 * a space, or '-' to open a multi-line reply that "123 " closes; or any line
 * inside such a reply. Anything else is a violation (Zeek: non-numeric or
 * invalid reply code, invalid reply line). */
static bool ftp_reply_ok(ftp_dir *d)
{
    const uint8_t *p = (const uint8_t *)d->line;
    unsigned n = d->len;
    bool ends = n == 3;
    bool coded = n >= 3 && is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]);
    if (d->in_multi) {
        if (coded && memcmp(p, d->pending, 3) == 0 && n > 3 && p[3] == ' ')
            d->in_multi = false;
        return true;
    }
    if (!coded || p[0] == '0' || !(ends || p[3] == ' ' || p[3] == '-'))
        return false;
    if (n > 3 && p[3] == '-') {
        memcpy(d->pending, p, 3);
        d->in_multi = true;
    }
    return true;
}

/* The longest line Zeek's NVT line splitter holds (ContentLine's default
 * maximum, 16 MiB - 100): one byte more and it hands the line on as it is,
 * drops that byte and reports a limit reached (X). */
#define NVT_MAX_LINE (16u * 1024 * 1024 - 100)

/* "h1,h2,h3,h4,p1,p2" (Zeek's parse_ftp_port): an IPv4 address and port. */
static bool ftp_parse_port(const char *p, cl_addr *a, uint16_t *port)
{
    unsigned v[6];
    for (int i = 0; i < 6; i++) {
        while (*p == ' ')
            p++;
        if (!is_digit((uint8_t)*p))
            return false;
        unsigned x = 0;
        while (is_digit((uint8_t)*p) && x <= 255)
            x = x * 10 + (unsigned)(*p++ - '0');
        if (x > 255 || (i < 5 && *p++ != ','))
            return false;
        v[i] = x;
    }
    uint8_t v4[4] = {(uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2], (uint8_t)v[3]};
    cl_addr_set_v4(a, v4);
    *port = (uint16_t)(v[4] << 8 | v[5]);
    return true;
}

/* A 227 reply's address: after '(', else the digits before the first ','
 * (Zeek's parse_ftp_pasv). */
static bool ftp_parse_pasv(const char *msg, cl_addr *a, uint16_t *port)
{
    const char *p = strchr(msg, '(');
    if (p)
        p++;
    else if ((p = strchr(msg, ',')) != NULL) {
        while (p > msg && is_digit((uint8_t)p[-1]))
            p--;
    } else
        return false;
    return ftp_parse_port(p, a, port);
}

/* "|1|132.235.1.2|6275|" or "|2|::1|6275|" (RFC 2428; EPRT's argument, and
 * inside the parentheses of a 229 reply with an empty address). `has_addr`
 * tells whether an address was given. */
static bool ftp_parse_eprt(const char *p, cl_addr *a, bool *has_addr, uint16_t *port)
{
    char delim = *p, field[3][64];
    if (delim < 33 || delim > 126)
        return false;
    p++;
    for (int i = 0; i < 3; i++) {
        const char *end = strchr(p, delim);
        if (!end || (size_t)(end - p) >= sizeof field[i])
            return false;
        memcpy(field[i], p, (size_t)(end - p));
        field[i][end - p] = '\0';
        p = end + 1;
    }
    char *stop;
    unsigned long v = strtoul(field[2], &stop, 10);
    if (!field[2][0] || *stop || v > 65535)
        return false;
    *port = (uint16_t)v;
    *has_addr = field[1][0] != '\0';
    memset(a, 0, sizeof *a);
    if (!*has_addr)
        return true;
    if (strcmp(field[0], "1") == 0) {
        uint8_t v4[4];
        if (inet_pton(AF_INET, field[1], v4) != 1)
            return false;
        cl_addr_set_v4(a, v4);
        return true;
    }
    return strcmp(field[0], "2") == 0 && inet_pton(AF_INET6, field[1], a->b) == 1;
}

/* scripts/base/protocols/ftp: PORT and EPRT (active) and the replies to
 * PASV and EPSV (passive) announce a data channel, expected for 5 minutes
 * and logged as "ftp-data". */
#define FTP_DATA_EXPECT 300.0

static void ftp_data_channel(cl_engine *e, cl_conn *c, ftp_state *t, int dir)
{
    const char *line = t->dir[dir].line;
    cl_addr a;
    uint16_t port;
    bool has_addr = true;
    if (dir == 0) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = 0;
        while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\r')
            n++;
        t->cmd[0] = '\0';
        if (n < sizeof t->cmd) {
            for (size_t i = 0; i < n; i++)
                t->cmd[i] = (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]);
            t->cmd[n] = '\0';
        }
        const char *arg = p + n;
        while (*arg == ' ')
            arg++;
        if (strcmp(t->cmd, "AUTH") == 0)
            t->auth_tls = strcmp(arg, "TLS") == 0;
        bool ok = (strcmp(t->cmd, "PORT") == 0 && ftp_parse_port(arg, &a, &port)) ||
                  (strcmp(t->cmd, "EPRT") == 0 && ftp_parse_eprt(arg, &a, &has_addr, &port) &&
                   has_addr);
        cl_addr resp = cl_conn_resp_h(c);
        if (ok)
            cl_expect_add(e, &resp, &a, port, FTP_DATA_EXPECT, "ftp-data");
        return;
    }
    bool ok = false;
    if (strncmp(line, "227", 3) == 0 && strcmp(t->cmd, "PASV") == 0) {
        ok = ftp_parse_pasv(line + 3, &a, &port);
    } else if (strncmp(line, "229", 3) == 0 && strcmp(t->cmd, "EPSV") == 0) {
        const char *open = strchr(line, '(');
        ok = open && ftp_parse_eprt(open + 1, &a, &has_addr, &port);
        if (ok && !has_addr)
            a = cl_conn_resp_h(c);
    }
    cl_addr orig = cl_conn_orig_h(c);
    if (ok)
        cl_expect_add(e, &orig, &a, port, FTP_DATA_EXPECT, "ftp-data");
}

/* An analyzer hands the rest of both streams to SSL, which starts at
 * these offsets: the SSL checks look at what follows as the streams'
 * heads. */
static void start_tls(cl_conn *c, cl_stream_state *s, uint64_t orig_at, uint64_t resp_at)
{
    if (!s->tls_base && !(s->tls_base = calloc(2, sizeof *s->tls_base)))
        return;
    s->tls_base[0] = orig_at;
    s->tls_base[1] = resp_at;
    s->head_len[0] = s->head_len[1] = 0;
    s->sigs &= (uint8_t)~(SIG_SSL_ORIG | SIG_SSL_RESP);
    c->analyzers |= CL_AN_SSL;
    s->ssl_done = false;
}

/* "234" to "AUTH TLS": Zeek's FTP analyzer hands the rest of both streams
 * to an SSL analyzer. Its TLS hellos start where the 234 line ended and at
 * the client's next byte. */
static void ftp_start_tls(cl_conn *c, cl_stream_state *s)
{
    start_tls(c, s, s->ftp->seen[0], s->ftp->line_end);
    s->ftp_done = true;
}

static void ftp_line(cl_engine *e, cl_conn *c, cl_stream_state *s, int dir)
{
    ftp_state *f = s->ftp;
    ftp_dir *d = &f->dir[dir];
    /* Zeek's line splitter drops the CR before the LF; a line longer than
     * we keep has its end, and any CR there, out of sight. */
    if (d->len && d->len == d->nvt_len && d->line[d->len - 1] == '\r')
        d->len--;
    d->line[d->len] = '\0';
    bool fresh_reply = dir == 1 && !d->in_multi;
    if (dir == 0)
        ftp_command(c, f, d);
    else if (!ftp_reply_ok(d)) {
        cl_analyzer_violation(e, c, CL_AN_FTP, "ftp");
        s->ftp_done = true;
    }
    if (!s->ftp_done && (dir == 0 || fresh_reply)) {
        ftp_data_channel(e, c, f, dir);
        if (dir == 1 && f->auth_tls && strncmp(d->line, "234", 3) == 0)
            ftp_start_tls(c, s);
    }
    d->len = 0;
    d->nvt_len = 0;
    d->word_len = 0;
    d->word_ended = d->word_bad = false;
}

static void ftp_feed(cl_engine *e, cl_conn *c, cl_stream_state *s, int dir, uint64_t off,
                     const uint8_t *p, uint32_t n)
{
    ftp_state *f = s->ftp;
    ftp_dir *d = &f->dir[dir];
    f->seen[dir] = off + n;
    for (uint32_t i = 0; i < n && !s->ftp_done; i++) {
        f->line_end = off + i + 1;
        if (d->nvt_len >= NVT_MAX_LINE) {
            cl_hist_check(c, 0x400, 'X');
            ftp_line(e, c, s, dir);
            continue;
        }
        if (p[i] == '\n') {
            ftp_line(e, c, s, dir);
            continue;
        }
        if (d->len < FTP_TEXT_MAX - 1)
            d->line[d->len++] = (char)p[i];
        d->nvt_len++;
        if (dir == 0)
            ftp_command_byte(d, p[i]);
    }
}

/* ---------------------------------------------------------------- */
/* Telnet and RSH (attached only by a port registration)             */
/* ---------------------------------------------------------------- */

/* Zeek's Telnet analyzer splits both directions into NVT lines (CR, LF or
 * CRLF end one); a line that outgrows the buffer is a limit reached (X).
 * Neither it nor RSH confirms a service here. */
static void telnet_byte(login_dir *d, uint8_t ch)
{
    if (ch == '\r' || (ch == '\n' && !d->last_cr))
        d->len = 0;
    else if (ch != '\n' && ch != '\0')
        d->len++;
    d->last_cr = ch == '\r';
}

/* RSH (RFC 1282): the client sends an optional stderr port, NUL, its user
 * name, NUL, the server user name, NUL, then command lines; the server
 * sends lines. Zeek buffers each name and line. */
static void rsh_byte(login_dir *d, uint8_t ch)
{
    switch (d->rsh_state) {
    case RSH_PROLOG:
        if (ch == '\0')
            d->rsh_state = RSH_CLIENT_USER;
        else if (ch < '0' || ch > '9')
            d->rsh_state = RSH_LINES; /* a bad prolog */
        return;
    case RSH_CLIENT_USER:
    case RSH_SERVER_USER:
        d->len++;
        if (ch == '\0') {
            if (d->rsh_state == RSH_CLIENT_USER)
                d->rsh_state = RSH_SERVER_USER;
            else if (d->len > 1)
                d->rsh_state = RSH_LINES;
            d->len = 0;
        }
        return;
    default:
        /* CR, LF or NUL end a line; Zeek keeps the LF of a CRLF. */
        if (ch == '\0' || ch == '\r' || (ch == '\n' && !d->last_cr))
            d->len = 0;
        else
            d->len++;
        d->last_cr = ch == '\r';
        return;
    }
}

static void login_feed(cl_conn *c, cl_stream_state *s, int dir, const uint8_t *p, uint32_t n)
{
    login_dir *d = &s->login[dir];
    bool rsh = (c->analyzers & CL_AN_RSH) != 0;
    for (uint32_t i = 0; i < n; i++) {
        if (d->len >= NVT_MAX_LINE) {
            /* X can be marked once: nothing more to learn here. */
            cl_hist_check(c, 0x400, 'X');
            s->login_done = true;
            return;
        }
        if (rsh)
            rsh_byte(d, p[i]);
        else
            telnet_byte(d, p[i]);
    }
}

/* ---------------------------------------------------------------- */
/* SSL/TLS                                                           */
/* ---------------------------------------------------------------- */

/* A TLS handshake record of `type` (1 ClientHello, 2 ServerHello) with a
 * 3.0 - 3.3 record and hello version: Zeek's dpd_ssl_client/server, and
 * the versions its SSL analyzer accepts. SSLv2-framed hellos count too. */
static int tls_hello(const uint8_t *p, uint32_t n, uint8_t type)
{
    static const uint8_t want[] = {0x16, 0x03};
    if (n >= 1 && (p[0] & 0x80) && type == 1) {
        /* SSLv2 record: 2-byte length, message type 1, version 0x0002/0x03xx */
        if (n < 5)
            return NEED_MORE;
        bool ok = p[2] == 1 && ((p[3] == 0 && p[4] == 2) || (p[3] == 3 && p[4] <= 3));
        return ok ? CONFIRM : VIOLATION;
    }
    uint32_t k = n < 2 ? n : 2;
    if (memcmp(p, want, k) != 0)
        return VIOLATION;
    if (n < 11)
        return NEED_MORE;
    if (p[2] > 3 || p[5] != type || p[9] != 3 || p[10] > 3)
        return VIOLATION;
    return CONFIRM;
}

static void ssl_step(cl_engine *e, cl_conn *c, cl_stream_state *s)
{
    if (c->analyzers & CL_AN_SSL) {
        if (!s->head_len[0])
            return;
        int v = tls_hello(s->head[0], s->head_len[0], 1);
        if (v == CONFIRM)
            cl_conn_add_service(c, "ssl");
        else if (v == VIOLATION)
            cl_analyzer_violation(e, c, CL_AN_SSL, "ssl");
        s->ssl_done = v != NEED_MORE;
        return;
    }
    for (int dir = 0; dir < 2; dir++) {
        uint8_t bit = dir == 0 ? SIG_SSL_ORIG : SIG_SSL_RESP;
        if (!s->head_len[dir] || (s->sigs & bit))
            continue;
        int v = tls_hello(s->head[dir], s->head_len[dir], dir == 0 ? 1 : 2);
        if (v == VIOLATION) {
            s->ssl_done = true;
            return;
        }
        if (v == CONFIRM)
            s->sigs |= bit;
    }
    if ((s->sigs & (SIG_SSL_ORIG | SIG_SSL_RESP)) == (SIG_SSL_ORIG | SIG_SSL_RESP)) {
        c->analyzers |= CL_AN_SSL; /* enabled by DPD, replays the client hello */
        ssl_step(e, c, s);
    }
}

/* ---------------------------------------------------------------- */
/* SSH                                                               */
/* ---------------------------------------------------------------- */

static bool ssh_enabled(const cl_conn *c, const cl_stream_state *s)
{
    return (c->analyzers & CL_AN_SSH) ||
           (s->sigs & (SIG_SSH_ORIG | SIG_SSH_RESP)) == (SIG_SSH_ORIG | SIG_SSH_RESP);
}

/* SSH::max_packet_length / max_string_length exceeded: Zeek's analyzer
 * reports a limit (X) and stops before it could confirm. */
static void ssh_limit(cl_conn *c, cl_stream_state *s)
{
    if (ssh_enabled(c, s))
        cl_hist_check(c, 0x400, 'X');
    s->ssh_done = true;
}

static void ssh_confirm(cl_engine *e, cl_conn *c, cl_stream_state *s)
{
    /* Key exchange happens after both versions: one direction alone (a
     * half-duplex capture) never gets Zeek's analyzer that far. */
    if (!s->ssh[0].banner_done || !s->ssh[1].banner_done)
        return;
    if (ssh_enabled(c, s)) {
        cl_conn_add_service(c, "ssh");
        cl_conn_set_inactivity(e, c, SSH_INACTIVITY);
    }
    s->ssh_done = true;
}

static void ssh_banner_start(cl_stream_state *s, int dir, const uint8_t *p, uint32_t n)
{
    ssh_dir *d = &s->ssh[dir];
    /* Only the line start matters: "SSH-", and for the signature
     * "SSH-1." or "SSH-2." (any case of "ssh"). */
    if (d->line_len == 0 && n >= 4)
        d->line_ssh = strncasecmp((const char *)p, "ssh-", 4) == 0;
    if (d->line_len == 0 && n >= 6 && d->line_ssh && (p[4] == '1' || p[4] == '2') && p[5] == '.')
        s->sigs |= dir == 0 ? SIG_SSH_ORIG : SIG_SSH_RESP;
}

/* The version of a banner line ("SSH-1.99-..." is compatible with both). */
static uint8_t ssh_banner_version(const uint8_t *v, uint32_t len)
{
    if (len < 5)
        return SSH_V_UNKNOWN;
    if (v[4] == '2')
        return SSH_V2;
    if (v[4] != '1')
        return SSH_V_UNKNOWN;
    return len >= 8 && v[6] == '9' && v[7] == '9' ? SSH_V199 : SSH_V1;
}

/* The protocol both banners agree on, as Zeek decides it: SSH-1 when one
 * side says 1.x and the other 1.x or 1.99; SSH-2 packets otherwise. */
static uint8_t ssh_protocol(const cl_stream_state *s)
{
    uint8_t cv = s->ssh[0].ver, sv = s->ssh[1].ver;
    if ((cv == SSH_V1 && (sv == SSH_V1 || sv == SSH_V199)) || (cv == SSH_V199 && sv == SSH_V1))
        return SSH_V1;
    return SSH_V2;
}

/* Gathers a packet header's first `want` bytes (SSH-1: the length; SSH-2:
 * also the padding length and the message type) across segments; true, with
 * the packet length, once they are all in. */
static bool ssh_header(ssh_dir *d, const uint8_t **p, uint32_t *n, uint8_t want, uint32_t *plen)
{
    while (*n && d->nhdr < want) {
        d->hdr[d->nhdr++] = *(*p)++;
        (*n)--;
    }
    if (d->nhdr < want)
        return false;
    *plen = cl_rd32(d->hdr);
    d->nhdr = 0;
    return true;
}

/* Feed one direction's bytes through banner, packet headers and skips. */
static void ssh_feed(cl_engine *e, cl_conn *c, cl_stream_state *s, int dir, const uint8_t *p,
                     uint32_t n)
{
    ssh_dir *d = &s->ssh[dir];
    while (n && d->phase != SSH_OFF && !s->ssh_done) {
        if (d->phase == SSH_BANNER) {
            ssh_banner_start(s, dir, p, n);
            /* Not attached by port, SSH needs both DPD signatures, and they
             * match only at the start of each direction's stream: a first
             * line that is no banner rules SSH out, and its state can go. */
            if (!(c->analyzers & CL_AN_SSH) && d->line_len == 0 && !d->first_line_seen &&
                n >= 6) {
                d->first_line_seen = true;
                if (!(s->sigs & (dir == 0 ? SIG_SSH_ORIG : SIG_SSH_RESP))) {
                    s->ssh_done = true;
                    break;
                }
            }
            const uint8_t *nl = memchr(p, '\n', n);
            uint32_t used = nl ? (uint32_t)(nl - p) + 1 : n;
            if (d->line_len + used > SSH_LINE_MAX) {
                d->phase = SSH_OFF;
                break;
            }
            for (uint32_t i = 0; i < used && d->line_len + i < sizeof d->vstart; i++)
                d->vstart[d->line_len + i] = p[i];
            d->line_len = (uint16_t)(d->line_len + used);
            if (nl) {
                /* Lines before the banner are allowed; after it, packets. */
                d->phase = d->line_ssh ? SSH_HEADER : SSH_BANNER;
                d->banner_done = d->line_ssh;
                if (d->line_ssh)
                    d->ver = ssh_banner_version(d->vstart, d->line_len - 1);
                d->line_len = 0;
            }
            p += used;
            n -= used;
        } else if (d->phase == SSH_HEADER && ssh_protocol(s) == SSH_V1) {
            uint32_t plen;
            if (!ssh_header(d, &p, &n, 4, &plen))
                break;
            if (plen < 5 || plen > SSH_PACKET_MAX) {
                d->phase = SSH_OFF;
                break;
            }
            if (e->cfg.ssh_max_packet_length && plen > e->cfg.ssh_max_packet_length) {
                ssh_limit(c, s);
                break;
            }
            d->skip = 8 - plen % 8; /* SSH-1 padding: 1 to 8 bytes */
            d->phase = SSH1_PAD;
        } else if (d->phase == SSH1_PAD) {
            uint32_t k = n < d->skip ? n : d->skip;
            d->skip -= k;
            p += k;
            n -= k;
            if (d->skip == 0)
                d->phase = SSH1_TYPE;
        } else if (d->phase == SSH1_TYPE) {
            /* The client's session key confirms; after its first message
             * each side is encrypted. */
            if (*p == SSH1_CMSG_SESSION_KEY)
                ssh_confirm(e, c, s);
            d->phase = SSH_OFF;
            break;
        } else if (d->phase == SSH_HEADER) {
            uint32_t plen;
            if (!ssh_header(d, &p, &n, 6, &plen)) /* length, padding length, type */
                break;
            if (plen < 2 || plen > SSH_PACKET_MAX) {
                d->phase = SSH_OFF; /* not (unencrypted) SSH-2 packets */
                break;
            }
            if (e->cfg.ssh_max_packet_length && plen > e->cfg.ssh_max_packet_length) {
                ssh_limit(c, s);
                break;
            }
            if (d->hdr[5] == SSH_MSG_NEWKEYS) {
                ssh_confirm(e, c, s);
                d->phase = SSH_OFF; /* encrypted from here on */
                break;
            }
            if (d->hdr[5] == SSH_MSG_KEXINIT && e->cfg.ssh_max_string_length) {
                d->remain = plen - 2;
                d->skip = d->remain < 16 ? d->remain : 16; /* the cookie */
                d->lists_left = SSH_KEX_LISTS;
                d->phase = SSH_KEX_COOKIE;
                continue;
            }
            d->skip = plen - 2;
            d->phase = d->skip ? SSH_SKIP : SSH_HEADER;
        } else if (d->phase == SSH_KEX_LEN) {
            while (n && d->nlen < 4 && d->remain) {
                d->lenbuf[d->nlen++] = *p++;
                n--;
                d->remain--;
            }
            if (d->nlen < 4) {
                if (!d->remain) {
                    d->nlen = 0; /* the packet ended inside a length */
                    d->phase = SSH_HEADER;
                }
                continue;
            }
            d->nlen = 0;
            uint32_t l = cl_rd32(d->lenbuf);
            if (l > e->cfg.ssh_max_string_length) {
                /* Zeek parses a KEXINIT once all of it is there: the limit
                 * shows when its last byte arrives. */
                if (!d->remain) {
                    ssh_limit(c, s);
                    break;
                }
                d->limit_pending = true;
                d->skip = d->remain;
                d->phase = SSH_SKIP;
                continue;
            }
            d->skip = l < d->remain ? l : d->remain;
            d->phase = SSH_KEX_LIST;
        } else if (d->phase == SSH_KEX_COOKIE || d->phase == SSH_KEX_LIST) {
            uint32_t k = n < d->skip ? n : d->skip;
            d->skip -= k;
            d->remain -= k;
            p += k;
            n -= k;
            if (d->skip)
                continue;
            if (d->phase == SSH_KEX_LIST)
                d->lists_left--;
            if (d->lists_left && d->remain) {
                d->phase = SSH_KEX_LEN;
            } else {
                d->skip = d->remain; /* the rest of the packet */
                d->phase = d->skip ? SSH_SKIP : SSH_HEADER;
            }
        } else {
            uint32_t k = n < d->skip ? n : d->skip;
            d->skip -= k;
            p += k;
            n -= k;
            if (d->skip == 0 && d->limit_pending) {
                ssh_limit(c, s);
                break;
            }
            if (d->skip == 0)
                d->phase = SSH_HEADER;
        }
    }
    if (s->ssh[0].phase == SSH_OFF && s->ssh[1].phase == SSH_OFF)
        s->ssh_done = true;
}

/* ---------------------------------------------------------------- */
/* PostgreSQL                                                        */
/* ---------------------------------------------------------------- */

/* Does the analyzer run: attached by port, or both DPD signatures seen? */
static bool pg_enabled(const cl_conn *c, cl_stream_state *s)
{
    if (c->analyzers & CL_AN_PGSQL)
        return true;
    if (!(s->sigs & SIG_PG_RESP) && s->head_len[1] &&
        cl_pgsql_server_signature(s->pg_sig, s->head[1], s->head_len[1]))
        s->sigs |= SIG_PG_RESP;
    return (s->sigs & (SIG_PG_ORIG | SIG_PG_RESP)) == (SIG_PG_ORIG | SIG_PG_RESP);
}

static void pg_step(cl_engine *e, cl_conn *c, cl_stream_state *s, int dir, uint64_t off,
                    const uint8_t *data, uint32_t len)
{
    bool by_port = (c->analyzers & CL_AN_PGSQL) != 0;
    if (!s->pg) {
        /* The parser starts with the client's first byte; off the port it
         * starts only when the client's signature matched. */
        if (dir == 1 && !by_port)
            return;
        if ((dir == 0 && off != 0) ||
            (!by_port && !(s->pg_sig = (uint8_t)cl_pgsql_client_signature(s->head[0],
                                                                          s->head_len[0])))) {
            s->pg_done = true;
            return;
        }
        if (!by_port)
            s->sigs |= SIG_PG_ORIG;
        if (!(s->pg = cl_pgsql_new())) {
            s->pg_done = true;
            return;
        }
    }
    cl_pgsql_feed(s->pg, dir == 0, off, data, len);
    int v = cl_pgsql_verdict(s->pg);
    if (!pg_enabled(c, s)) {
        /* A server that does not answer as the signature wants never
         * enables the analyzer. */
        if ((v & PG_VIOLATION) || (s->head_len[1] >= 5 && !by_port))
            s->pg_done = true;
        return;
    }
    if ((v & PG_CONFIRM) && !s->pg_confirmed) {
        s->pg_confirmed = true;
        cl_conn_add_service(c, "postgresql");
    }
    if (v & PG_VIOLATION) {
        cl_analyzer_violation(e, c, CL_AN_PGSQL, "postgresql");
        s->pg_done = true;
    } else if (v & PG_TLS) {
        uint64_t o, r;
        cl_pgsql_tls_offsets(s->pg, &o, &r);
        start_tls(c, s, o, r);
        s->pg_done = true;
    }
}

/* ---------------------------------------------------------------- */
/* Dispatch                                                          */
/* ---------------------------------------------------------------- */

void cl_detect_tcp_attach(const cl_engine *e, cl_conn *c)
{
    uint16_t port = cl_conn_resp_p(c);
    /* Ports from scripts/base/protocols/{http,ssh}/main.zeek. */
    if (e->http_analyzer && (port == 80 || port == 81 || port == 631 || port == 1080 ||
                             port == 3128 || port == 8000 || port == 8080 || port == 8888))
        c->analyzers |= CL_AN_HTTP;
    if (e->ssh_analyzer && port == 22)
        c->analyzers |= CL_AN_SSH;
    if (e->ssl_analyzer &&
        (port == 443 || port == 465 || port == 563 || port == 585 || port == 614 ||
         port == 636 || port == 989 || port == 990 || port == 992 || port == 993 ||
         port == 995 || port == 5223))
        c->analyzers |= CL_AN_SSL;
    if (e->ftp_analyzer && (port == 21 || port == 2811))
        c->analyzers |= CL_AN_FTP;
    if (e->smtp_analyzer && (port == 25 || port == 587))
        c->analyzers |= CL_AN_SMTP;
    if (e->pgsql_analyzer && port == 5432)
        c->analyzers |= CL_AN_PGSQL;
    if (e->ldap_analyzer && (port == 389 || port == 3268))
        c->analyzers |= CL_AN_LDAP;
    if (e->mysql_analyzer && (port == 1434 || port == 3306))
        c->analyzers |= CL_AN_MYSQL;
    if (e->reg_any) {
        for (unsigned i = 0; i < e->cfg.n_analyzer_ports && i < sizeof e->reg_bits; i++)
            if (e->cfg.analyzer_ports[i].port == port)
                c->analyzers |= e->reg_bits[i];
    }
    if (e->http_analyzer || e->ssh_analyzer || e->ssl_analyzer || e->pgsql_analyzer ||
        (c->analyzers &
         (CL_AN_HTTP | CL_AN_SSH | CL_AN_SSL | CL_AN_FTP | CL_AN_TELNET | CL_AN_RSH | CL_AN_SMTP |
          CL_AN_LDAP | CL_AN_MYSQL)))
        c->an_state |= CL_AS_STREAM;
}

void cl_detect_release(cl_conn *c)
{
    if (c->stream) {
        free(c->stream->ftp);
        cl_smtp_free(c->stream->smtp);
        cl_pgsql_free(c->stream->pg);
        cl_ldap_free(c->stream->ldap);
        cl_mysql_free(c->stream->mysql);
        free(c->stream->tls_base);
    }
    free(c->stream);
    c->stream = NULL;
}

static void finish_if_done(cl_conn *c)
{
    cl_stream_state *s = c->stream;
    if (s && s->http_done && s->ssh_done && s->ssl_done && s->ftp_done && s->login_done &&
        s->smtp_done && s->pg_done && s->ldap_done && s->mysql_done) {
        c->an_state &= (uint8_t)~CL_AS_STREAM;
        cl_detect_release(c);
    }
}

static cl_stream_state *state_of(cl_engine *e, cl_conn *c)
{
    if (c->stream)
        return c->stream;
    cl_stream_state *s = calloc(1, sizeof *s);
    if (!s) {
        c->an_state &= (uint8_t)~CL_AS_STREAM;
        return NULL;
    }
    s->http_done = !e->http_analyzer && !(c->analyzers & CL_AN_HTTP);
    s->ssh_done = !e->ssh_analyzer && !(c->analyzers & CL_AN_SSH);
    s->ssl_done = !e->ssl_analyzer && !(c->analyzers & CL_AN_SSL);
    s->ftp_done = !(c->analyzers & CL_AN_FTP) || !(s->ftp = calloc(1, sizeof *s->ftp));
    s->login_done = !(c->analyzers & (CL_AN_TELNET | CL_AN_RSH));
    s->smtp_done = !(c->analyzers & CL_AN_SMTP) || !(s->smtp = cl_smtp_new());
    s->pg_done = !e->pgsql_analyzer && !(c->analyzers & CL_AN_PGSQL);
    s->ldap_done = !(c->analyzers & CL_AN_LDAP) || !(s->ldap = cl_ldap_new());
    s->mysql_done = !(c->analyzers & CL_AN_MYSQL) || !(s->mysql = cl_mysql_new());
    /* A connection picked up mid-stream has no RSH prolog to wait for. */
    if (!(c->an_state & CL_AS_SYN_FIRST))
        s->login[0].rsh_state = RSH_LINES;
    s->login[1].rsh_state = RSH_LINES;
    c->stream = s;
    return s;
}

void cl_detect_tcp_data(cl_engine *e, cl_conn *c, bool is_orig, uint64_t off,
                        const uint8_t *data, uint32_t len)
{
    cl_stream_state *s = state_of(e, c);
    if (!s)
        return;
    int dir = is_orig ? 0 : 1;
    /* The head: a direction's first bytes (after FTP's AUTH TLS, the
     * first bytes of its TLS stream). */
    uint64_t base = s->tls_base ? s->tls_base[dir] : 0;
    if (off >= base && off - base == s->head_len[dir] && s->head_len[dir] < HEAD_MAX) {
        uint32_t k = HEAD_MAX - s->head_len[dir];
        if (k > len)
            k = len;
        memcpy(s->head[dir] + s->head_len[dir], data, k);
        s->head_len[dir] = (uint8_t)(s->head_len[dir] + k);
    }
    /* Connections picked up mid-stream (first packet without SYN) get no
     * HTTP in Zeek's corpus (core.mpls-in-vlan), while SYN-ACK-first ones
     * do (core.local-flip): the first packet decides. */
    if (!s->http_done && !(c->an_state & CL_AS_SYN_FIRST))
        s->http_done = true;
    if (!s->http_done)
        http_step(e, c, s);
    if (!s->ssl_done)
        ssl_step(e, c, s);
    if (!s->ftp_done)
        ftp_feed(e, c, s, dir, off, data, len);
    if (!s->login_done)
        login_feed(c, s, dir, data, len);
    if (!s->smtp_done) {
        cl_smtp_feed(e, c, s->smtp, is_orig, off, data, len);
        s->smtp_done = cl_smtp_done(s->smtp);
        uint64_t o, r;
        if (s->smtp_done && cl_smtp_tls(s->smtp, &o, &r))
            start_tls(c, s, o, r);
    }
    if (!s->pg_done)
        pg_step(e, c, s, dir, off, data, len);
    if (!s->ldap_done) {
        int v = off == 0 || s->ldap_started[dir] ? cl_ldap_feed(s->ldap, is_orig, data, len)
                                                  : LDAP_VIOLATION; /* missed its start */
        s->ldap_started[dir] = true;
        if (v == LDAP_CONFIRM)
            cl_conn_add_service(c, "ldap_tcp");
        if (v != LDAP_MORE)
            s->ldap_done = true;
    }
    if (!s->mysql_done) {
        int v = cl_mysql_feed(s->mysql, is_orig, off, data, len);
        if (v == MYSQL_CONFIRM || v == MYSQL_TLS)
            cl_conn_add_service(c, "mysql");
        if (v == MYSQL_TLS) {
            uint64_t o, r;
            cl_mysql_tls_offsets(s->mysql, &o, &r);
            start_tls(c, s, o, r);
        }
        if (v != MYSQL_MORE)
            s->mysql_done = true;
    }
    if (!s->ssh_done) {
        ssh_dir *d = &s->ssh[dir];
        if (!d->started && off != 0)
            d->phase = SSH_OFF; /* we missed the start */
        d->started = true;
        ssh_feed(e, c, s, dir, data, len);
    }
    finish_if_done(c);
}

void cl_detect_tcp_gap(cl_engine *e, cl_conn *c, bool is_orig)
{
    cl_stream_state *s = c->stream;
    if (!s)
        return;
    int dir = is_orig ? 0 : 1;
    s->ssh[dir].phase = SSH_OFF;
    s->ftp_done = true; /* lines after a gap cannot be told apart */
    s->login_done = true;
    s->smtp_done = true;
    s->pg_done = true;
    s->ldap_done = true;
    s->mysql_done = true;
    if (s->ssh[0].phase == SSH_OFF && s->ssh[1].phase == SSH_OFF)
        s->ssh_done = true;
    if (s->head_len[dir] < HEAD_MAX)
        s->head_len[dir] = HEAD_MAX; /* nothing more will fill the head */
    if (!s->http_done)
        http_step(e, c, s);
    if (!s->ssl_done)
        ssl_step(e, c, s);
    finish_if_done(c);
}

/*
 * ftp.c - the FTP analyzer (Zeek's src/analyzer/protocol/ftp and
 * scripts/base/protocols/ftp), as far as conn.log sees it.
 *
 * The first client command of at least three printable characters
 * confirms "ftp"; a server line that is no reply is a violation; a
 * command word longer than FTP::max_command_length after confirmation is
 * a limit reached (X), as is a line longer than the NVT line buffer.
 * PORT, EPRT and the replies to PASV and EPSV announce data connections
 * (logged "ftp-data"), and "234" to "AUTH TLS" hands the rest of both
 * streams to an SSL child.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "conn/conn.h"
#include "decode/decode.h"

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

typedef struct ftp_state {
    ftp_dir dir[2];
    char cmd[8];                /* the client's last command word, upper case */
    bool confirmed;
    bool auth_tls;              /* the last AUTH asked for TLS */
    cl_an *tls;                 /* after AUTH TLS: the SSL child */
    uint64_t tls_at[2];         /* where its streams begin */
    uint64_t seen[2];           /* stream bytes seen in each direction */
    uint64_t line_end;          /* stream offset after the server's current line */
} ftp_state;

static bool is_digit(uint8_t ch) { return ch >= '0' && ch <= '9'; }

/* Zeek's FTP::max_command_length: a longer command word is ignored. */
#define FTP_MAX_COMMAND_LENGTH 100

/* A client command line: its first word (after blanks) must be at least 3
 * printable characters and at most FTP_MAX_COMMAND_LENGTH long. The first
 * such line confirms the analyzer; other lines are ignored, not violations,
 * though an over-long word after confirmation is a limit reached (X). */
static void ftp_command(cl_an *a, ftp_state *f, const ftp_dir *d)
{
    if (d->word_len < 3 || d->word_bad)
        return;
    if (d->word_len > FTP_MAX_COMMAND_LENGTH) {
        if (f->confirmed)
            cl_an_limit_reached(a);
        return;
    }
    f->confirmed = true;
    cl_an_confirm(a);
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

static void ftp_data_channel(cl_an *a, ftp_state *t, int dir)
{
    const cl_conn *c = cl_an_conn(a);
    const char *line = t->dir[dir].line;
    cl_addr addr;
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
        bool ok = (strcmp(t->cmd, "PORT") == 0 && ftp_parse_port(arg, &addr, &port)) ||
                  (strcmp(t->cmd, "EPRT") == 0 && ftp_parse_eprt(arg, &addr, &has_addr, &port) &&
                   has_addr);
        cl_addr resp = cl_conn_resp_h(c);
        if (ok)
            cl_an_expect(a, &resp, &addr, port, FTP_DATA_EXPECT, "ftp-data");
        return;
    }
    bool ok = false;
    if (strncmp(line, "227", 3) == 0 && strcmp(t->cmd, "PASV") == 0) {
        ok = ftp_parse_pasv(line + 3, &addr, &port);
    } else if (strncmp(line, "229", 3) == 0 && strcmp(t->cmd, "EPSV") == 0) {
        const char *open = strchr(line, '(');
        ok = open && ftp_parse_eprt(open + 1, &addr, &has_addr, &port);
        if (ok && !has_addr)
            addr = cl_conn_resp_h(c);
    }
    cl_addr orig = cl_conn_orig_h(c);
    if (ok)
        cl_an_expect(a, &orig, &addr, port, FTP_DATA_EXPECT, "ftp-data");
}

/* "234" to "AUTH TLS": Zeek's FTP analyzer hands the rest of both streams
 * to an SSL child. Its TLS hellos start where the 234 line ended and at
 * the client's next byte. */
static void ftp_start_tls(cl_an *a, ftp_state *f)
{
    f->tls = cl_an_add_child(a, cl_analyzer_find("ssl"));
    f->tls_at[0] = f->seen[0];
    f->tls_at[1] = f->line_end;
}

static void ftp_line(cl_an *a, ftp_state *f, int dir)
{
    ftp_dir *d = &f->dir[dir];
    /* Zeek's line splitter drops the CR before the LF; a line longer than
     * we keep has its end, and any CR there, out of sight. */
    if (d->len && d->len == d->nvt_len && d->line[d->len - 1] == '\r')
        d->len--;
    d->line[d->len] = '\0';
    bool fresh_reply = dir == 1 && !d->in_multi;
    if (dir == 0)
        ftp_command(a, f, d);
    else if (!ftp_reply_ok(d)) {
        cl_an_violation(a);
        cl_an_stop(a);
    }
    if (!cl_an_removed(a) && (dir == 0 || fresh_reply)) {
        ftp_data_channel(a, f, dir);
        if (dir == 1 && f->auth_tls && strncmp(d->line, "234", 3) == 0)
            ftp_start_tls(a, f);
    }
    d->len = 0;
    d->nvt_len = 0;
    d->word_len = 0;
    d->word_ended = d->word_bad = false;
}

static void ftp_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t n)
{
    ftp_state *f = cl_an_state(a);
    int dir = is_orig ? 0 : 1;
    if (f->tls) {
        cl_an_forward_from(f->tls, is_orig, f->tls_at[dir], off, p, n);
        return;
    }
    ftp_dir *d = &f->dir[dir];
    f->seen[dir] = off + n;
    for (uint32_t i = 0; i < n && !cl_an_removed(a) && !f->tls; i++) {
        f->line_end = off + i + 1;
        if (d->nvt_len >= NVT_MAX_LINE) {
            cl_an_limit_reached(a);
            ftp_line(a, f, dir);
            continue;
        }
        if (p[i] == '\n') {
            ftp_line(a, f, dir);
            continue;
        }
        if (d->len < FTP_TEXT_MAX - 1)
            d->line[d->len++] = (char)p[i];
        d->nvt_len++;
        if (dir == 0)
            ftp_command_byte(d, p[i]);
    }
    /* What followed the 234 line in the same segment is TLS already. */
    if (f->tls)
        cl_an_forward_from(f->tls, is_orig, f->tls_at[dir], off, p, n);
}

static const cl_an_port ftp_ports[] = {{21, CL_AN_TCP, false}, {2811, CL_AN_TCP, false}, {0, 0, false}};

static const cl_an_sig ftp_sigs[] = {
    {.name = "dpd_ftp_client", .transport = CL_AN_TCP, .side = CL_SIG_ORIG,
     .payload = "(|.*[\\n\\r]) *[uU][sS][eE][rR] "},
    {.name = "dpd_ftp_server", .transport = CL_AN_TCP, .side = CL_SIG_RESP,
     .payload = "[\\n\\r ]*(120|220)[^0-9].*[\\n\\r] *(230|331)[^0-9]",
     .requires_reverse = "dpd_ftp_client", .enable = true},
    {0},
};

const cl_analyzer cl_analyzer_ftp = {
    .name = "ftp",
    .transport = CL_AN_TCP,
    .ports = ftp_ports,
    .sigs = ftp_sigs,
    .state_size = sizeof(ftp_state),
    .deliver = ftp_deliver,
};

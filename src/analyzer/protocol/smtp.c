/*
 * smtp.c - the SMTP analyzer's verdict (Zeek's src/analyzer/protocol/smtp),
 * attached on ports 25 and 587 or by its DPD signatures.
 *
 * Zeek confirms SMTP on the first client line that is a known command
 * (its smtp_request event), and reports a violation for a server line
 * without a reply code from 100 to 599. Lines after DATA are mail, not
 * commands, until the lone "."; after "220" to STARTTLS the session is
 * TLS, handed to an SSL child, and neither side is read as SMTP any more.
 */
#include <string.h>
#include <strings.h>

#include "analyzer/analyzer.h"

#define SMTP_START 16           /* bytes kept of each line */

typedef struct cl_smtp {
    char start[2][SMTP_START];  /* the current line's first bytes */
    uint8_t start_len[2];
    uint32_t len[2];            /* the current line's length (saturating) */
    bool in_data;               /* the client sends mail, not commands */
    bool data_reply_due;        /* the reply to DATA decides in_data */
    bool starttls_due;          /* a 220 now starts TLS */
    bool in_multi;              /* inside a multi-line reply */
    bool done;
    uint64_t seen[2];           /* stream bytes seen in each direction */
    uint64_t line_end;          /* stream offset after the current line */
    cl_an *tls;                 /* after STARTTLS: the SSL child */
    uint64_t tls_at[2];         /* where its streams begin */
} cl_smtp;

/* SMTP_CMD_WORD: the commands Zeek's analyzer knows. */
static const char *const smtp_commands[] = {
    "EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "SEND", "SOML", "SAML",
    "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "TURN", "STARTTLS", "ETRN", "AUTH",
    "X-ANONYMOUSTLS", NULL};

/* The line's first word, if it is a command Zeek knows (case-insensitive). */
static const char *command_of(const char *p, uint32_t n)
{
    uint32_t w = 0;
    while (w < n && p[w] != ' ' && p[w] != '\t')
        w++;
    for (const char *const *k = smtp_commands; *k; k++)
        if (strlen(*k) == w && strncasecmp(*k, p, w) == 0)
            return *k;
    return NULL;
}

static void client_line(cl_an *a, cl_smtp *s)
{
    const char *p = s->start[0];
    uint32_t n = s->start_len[0];
    if (s->in_data) {
        if (s->len[0] == 1 && p[0] == '.')
            s->in_data = false;
        return;
    }
    const char *cmd = command_of(p, n);
    if (!cmd)
        return; /* an unknown command: no violation, no confirmation */
    cl_an_confirm(a);
    if (strcmp(cmd, "DATA") == 0)
        s->in_data = s->data_reply_due = true; /* Zeek assumes it succeeds */
    s->starttls_due = strcmp(cmd, "STARTTLS") == 0 || strcmp(cmd, "X-ANONYMOUSTLS") == 0;
}

static void server_line(cl_an *a, cl_smtp *s)
{
    const char *p = s->start[1];
    uint32_t n = s->start_len[1];
    bool digits = n >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
                  p[2] >= '0' && p[2] <= '9';
    int code = digits ? (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0') : -1;
    if (code < 100 || code > 599) {
        cl_an_violation(a);
        s->done = true;
        return;
    }
    bool continued = n > 3 && p[3] == '-';
    if (s->in_multi || continued) {
        s->in_multi = continued;
        if (continued)
            return;
    }
    if (s->data_reply_due) {
        s->data_reply_due = false;
        if (code != 354)
            s->in_data = false;
    }
    if (s->starttls_due && code == 220) {
        /* TLS from here on: Zeek hands both streams to an SSL child. */
        s->done = true;
        s->tls = cl_an_add_child(a, cl_analyzer_find("ssl"));
        s->tls_at[0] = s->seen[0];
        s->tls_at[1] = s->line_end;
    }
    s->starttls_due = false;
}

static void smtp_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t n)
{
    cl_smtp *s = cl_an_state(a);
    int dir = is_orig ? 0 : 1;
    if (s->done) {
        if (s->tls)
            cl_an_forward_from(s->tls, is_orig, s->tls_at[dir], off, p, n);
        else
            cl_an_stop(a);
        return;
    }
    s->seen[dir] = off + n;
    for (uint32_t i = 0; i < n && !s->done; i++) {
        s->line_end = off + i + 1;
        if (p[i] != '\n') {
            if (s->start_len[dir] < SMTP_START && p[i] != '\r')
                s->start[dir][s->start_len[dir]++] = (char)p[i];
            if (p[i] != '\r' && s->len[dir] < UINT32_MAX)
                s->len[dir]++;
            continue;
        }
        if (dir == 0)
            client_line(a, s);
        else
            server_line(a, s);
        s->start_len[dir] = 0;
        s->len[dir] = 0;
    }
    if (s->tls)
        cl_an_forward_from(s->tls, is_orig, s->tls_at[dir], off, p, n);
    else if (s->done)
        cl_an_stop(a);
}

static const cl_an_port smtp_ports[] = {{25, CL_AN_TCP, false}, {587, CL_AN_TCP, false}, {0, 0, false}};

static const cl_an_sig smtp_sigs[] = {
    {.name = "dpd_smtp_client", .transport = CL_AN_TCP, .side = CL_SIG_ORIG,
     .payload = "(|.*[\\n\\r])[[:space:]]*([hH][eE][lL][oO]|[eE][hH][lL][oO])",
     .requires_reverse = "dpd_smtp_server", .enable = true},
    {.name = "dpd_smtp_server", .transport = CL_AN_TCP, .side = CL_SIG_RESP,
     .payload = "^[[:space:]]*220[[:space:]-]"},
    {0},
};

const cl_analyzer cl_analyzer_smtp = {
    .name = "smtp",
    .transport = CL_AN_TCP,
    .ports = smtp_ports,
    .sigs = smtp_sigs,
    .state_size = sizeof(cl_smtp),
    .deliver = smtp_deliver,
};

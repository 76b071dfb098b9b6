/*
 * smtp.c - the SMTP analyzer's verdict (Zeek's src/analyzer/protocol/smtp),
 * attached on ports 25 and 587.
 *
 * Zeek confirms SMTP on the first client line that is a known command
 * (its smtp_request event), and reports a violation for a server line
 * without a reply code from 100 to 599. Lines after DATA are mail, not
 * commands, until the lone "."; after "220" to STARTTLS the session is
 * TLS and neither side is read as SMTP any more.
 */
#include "detect/smtp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn/conn.h"
#include "detect/detect.h"
#include "detect/detect_int.h"

#define SMTP_START 16           /* bytes kept of each line */

struct cl_smtp {
    char start[2][SMTP_START];  /* the current line's first bytes */
    uint8_t start_len[2];
    uint32_t len[2];            /* the current line's length (saturating) */
    bool in_data;               /* the client sends mail, not commands */
    bool data_reply_due;        /* the reply to DATA decides in_data */
    bool starttls_due;          /* a 220 now starts TLS */
    bool in_multi;              /* inside a multi-line reply */
    bool done;
    bool tls;                   /* done because the session turned to TLS */
    uint64_t seen[2];           /* stream bytes seen in each direction */
    uint64_t line_end;          /* stream offset after the current line */
};

/* SMTP_CMD_WORD: the commands Zeek's analyzer knows. */
static const char *const smtp_commands[] = {
    "EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "SEND", "SOML", "SAML",
    "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "TURN", "STARTTLS", "ETRN", "AUTH",
    "X-ANONYMOUSTLS", NULL};

cl_smtp *cl_smtp_new(void)
{
    return calloc(1, sizeof(cl_smtp));
}

void cl_smtp_free(cl_smtp *s)
{
    free(s);
}

bool cl_smtp_done(const cl_smtp *s)
{
    return s->done;
}

bool cl_smtp_tls(const cl_smtp *s, uint64_t *orig, uint64_t *resp)
{
    *orig = s->seen[0];
    *resp = s->line_end;
    return s->tls;
}

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

static void client_line(cl_conn *c, cl_smtp *s)
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
    cl_conn_add_service(c, "smtp");
    if (strcmp(cmd, "DATA") == 0)
        s->in_data = s->data_reply_due = true; /* Zeek assumes it succeeds */
    s->starttls_due = strcmp(cmd, "STARTTLS") == 0 || strcmp(cmd, "X-ANONYMOUSTLS") == 0;
}

static void server_line(cl_engine *e, cl_conn *c, cl_smtp *s)
{
    const char *p = s->start[1];
    uint32_t n = s->start_len[1];
    bool digits = n >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
                  p[2] >= '0' && p[2] <= '9';
    int code = digits ? (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0') : -1;
    if (code < 100 || code > 599) {
        cl_analyzer_violation(e, c, CL_AN_SMTP, "smtp");
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
    if (s->starttls_due && code == 220)
        s->done = s->tls = true; /* TLS from here on: Zeek starts SSL */
    s->starttls_due = false;
}

void cl_smtp_feed(cl_engine *e, cl_conn *c, cl_smtp *s, bool is_orig, uint64_t off,
                  const uint8_t *p, uint32_t n)
{
    int dir = is_orig ? 0 : 1;
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
            client_line(c, s);
        else
            server_line(e, c, s);
        s->start_len[dir] = 0;
        s->len[dir] = 0;
    }
}

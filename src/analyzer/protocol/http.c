/*
 * http.c - the HTTP analyzer's verdict (Zeek's src/analyzer/protocol/http):
 * the client's first request line confirms "http" when it carries a
 * method Zeek knows and a URI; any other first line is a violation, and
 * so is a first reply line that does not start with "HTTP/". Connections
 * picked up without their handshake are not analysed (TCP()->IsPartial()).
 */
#include <string.h>
#include <strings.h>

#include "analyzer/analyzer.h"

#define HTTP_HEAD 48            /* bytes of the request kept for the verdict */

#define REPLY_HEAD 8

typedef struct http_state {
    uint8_t head[HTTP_HEAD];
    uint8_t head_len;
    uint8_t reply[REPLY_HEAD];  /* the server's first bytes */
    uint8_t reply_len;
    bool request_done, reply_done;
} http_state;

enum { NEED_MORE, CONFIRM, VIOLATION };

/* HTTP::http_methods, Zeek's list of request methods it accepts. */
static const char *const http_methods[] = {
    "GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "CONNECT", "PATCH",
    "QUERY", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "POLL",
    "REPORT", "SUBSCRIBE", "BMOVE", "SEARCH", NULL};

static bool is_space(uint8_t ch) { return ch == ' ' || ch == '\t'; }

/* Where the first line starts (Zeek's line splitting drops empty lines). */
static uint32_t skip_blank(const uint8_t *p, uint32_t n)
{
    uint32_t i = 0;
    while (i < n && (p[i] == '\r' || p[i] == '\n' || is_space(p[i])))
        i++;
    return i;
}

static int request_verdict(const uint8_t *p, uint32_t n, bool full)
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

/* Does the request line carry a version? A line longer than the head is
 * taken to. */
static bool has_version(const uint8_t *p, uint32_t n)
{
    uint32_t i = skip_blank(p, n), end = i;
    while (end < n && p[end] != '\r' && p[end] != '\n')
        end++;
    if (end == n)
        return true;
    for (uint32_t k = i; k + 5 <= end; k++)
        if (strncasecmp((const char *)p + k, "HTTP/", 5) == 0)
            return true;
    return false;
}

/* "HTTP/" after any blank lines opens a reply; a server that says
 * anything else is no HTTP server. */
static int reply_verdict(const uint8_t *p, uint32_t n, bool full)
{
    uint32_t i = skip_blank(p, n), k = n - i < 5 ? n - i : 5;
    if (strncasecmp((const char *)p + i, "HTTP/", k) != 0)
        return VIOLATION;
    return k == 5 ? CONFIRM : (full ? VIOLATION : NEED_MORE);
}

static void verdict(cl_an *a, http_state *s, bool is_orig, bool full)
{
    if (is_orig && !s->request_done) {
        int v = request_verdict(s->head, s->head_len, full || s->head_len == HTTP_HEAD);
        if (v == NEED_MORE)
            return;
        s->request_done = true;
        if (v == CONFIRM) {
            cl_an_confirm(a);
            /* An HTTP/0.9 request (no version) gets raw data back. */
            if (!has_version(s->head, s->head_len))
                s->reply_done = true;
        } else {
            cl_an_violation(a);
            cl_an_stop(a);
        }
    } else if (!is_orig && !s->reply_done && s->reply_len) {
        int v = reply_verdict(s->reply, s->reply_len, full || s->reply_len == REPLY_HEAD);
        if (v == NEED_MORE)
            return;
        s->reply_done = true;
        if (v == VIOLATION)
            cl_an_violation(a);
    }
    if (s->request_done && s->reply_done)
        cl_an_stop(a);
}

/* Keep a direction's first bytes. */
static void keep(uint8_t *buf, uint8_t *have, uint8_t max, uint64_t off, const uint8_t *p,
                 uint32_t len)
{
    if (off != *have || *have == max)
        return;
    uint32_t k = max - *have;
    if (k > len)
        k = len;
    memcpy(buf + *have, p, k);
    *have = (uint8_t)(*have + k);
}

static void http_deliver(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len)
{
    http_state *s = cl_an_state(a);
    if (cl_an_tcp_partial(a)) {
        cl_an_stop(a);
        return;
    }
    if (is_orig)
        keep(s->head, &s->head_len, HTTP_HEAD, off, p, len);
    else
        keep(s->reply, &s->reply_len, REPLY_HEAD, off, p, len);
    verdict(a, s, is_orig, false);
}

static void http_gap(cl_an *a, bool is_orig, uint64_t len)
{
    (void)len;
    http_state *s = cl_an_state(a);
    if (is_orig)
        verdict(a, s, true, true);
    else if (!s->reply_len)
        s->reply_done = true;
    else
        verdict(a, s, false, true);
}

static const cl_an_port http_ports[] = {
    {80, CL_AN_TCP, false},   {81, CL_AN_TCP, false},   {631, CL_AN_TCP, false},
    {1080, CL_AN_TCP, false}, {3128, CL_AN_TCP, false}, {8000, CL_AN_TCP, false},
    {8080, CL_AN_TCP, false}, {8888, CL_AN_TCP, false}, {0, 0, false},
};

static const cl_an_sig http_sigs[] = {
    {.name = "dpd_http_client", .transport = CL_AN_TCP, .side = CL_SIG_ORIG,
     .payload = "^[[:space:]]*(OPTIONS|GET|HEAD|POST|PUT|DELETE|QUERY|ACL|BASELINE-CONTROL|BIND|"
                "CHECKIN|CHECKOUT|CONNECT|COPY|LABEL|LINK|LOCK|MERGE|MKACTIVITY|MKCALENDAR|MKCOL|"
                "MKREDIRECTREF|MOVE|ORDERPATCH|PATCH|PROPFIND|PROPPATCH|REBIND|REPORT|SEARCH|"
                "TRACE|UNBIND|UNCHECKOUT|UNLINK|UNLOCK|UPDATE|VERSION-CONTROL|BCOPY|BDELETE|"
                "BMOVE|BPROPFIND|BPROPPATCH|NOTIFY|POLL|SUBSCRIBE|UNSUBSCRIBE|X-MS-ENUMATTS|"
                "MKWORKSPACE|RPC_IN_DATA|RPC_OUT_DATA)[[:space:]]*",
     .enable = true},
    {.name = "dpd_http_server", .transport = CL_AN_TCP, .side = CL_SIG_RESP,
     .payload = "^[hH][tT][tT][pP]\\/[0-9]", .enable = true},
    {0},
};

const cl_analyzer cl_analyzer_http = {
    .name = "http",
    .transport = CL_AN_TCP,
    .ports = http_ports,
    .sigs = http_sigs,
    .state_size = sizeof(http_state),
    .deliver = http_deliver,
    .gap = http_gap,
};

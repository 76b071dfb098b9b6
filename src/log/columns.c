/*
 * columns.c - the conn.log column table and record-to-value mapping.
 */
#include "log/columns.h"

#include <string.h>

#include "log/dtoa.h"
#include "log/format.h"

static const struct {
    const char *name, *type;
} columns[COL_N_ALL] = {
    [COL_TS] = {"ts", "time"},
    [COL_UID] = {"uid", "string"},
    [COL_ORIG_H] = {"id.orig_h", "addr"},
    [COL_ORIG_P] = {"id.orig_p", "port"},
    [COL_RESP_H] = {"id.resp_h", "addr"},
    [COL_RESP_P] = {"id.resp_p", "port"},
    [COL_PROTO] = {"proto", "enum"},
    [COL_SERVICE] = {"service", "string"},
    [COL_DURATION] = {"duration", "interval"},
    [COL_ORIG_BYTES] = {"orig_bytes", "count"},
    [COL_RESP_BYTES] = {"resp_bytes", "count"},
    [COL_CONN_STATE] = {"conn_state", "string"},
    [COL_LOCAL_ORIG] = {"local_orig", "bool"},
    [COL_LOCAL_RESP] = {"local_resp", "bool"},
    [COL_MISSED_BYTES] = {"missed_bytes", "count"},
    [COL_HISTORY] = {"history", "string"},
    [COL_ORIG_PKTS] = {"orig_pkts", "count"},
    [COL_ORIG_IP_BYTES] = {"orig_ip_bytes", "count"},
    [COL_RESP_PKTS] = {"resp_pkts", "count"},
    [COL_RESP_IP_BYTES] = {"resp_ip_bytes", "count"},
    [COL_TUNNEL_PARENTS] = {"tunnel_parents", "set[string]"},
    [COL_IP_PROTO] = {"ip_proto", "count"},
    [COL_ORIG_L2] = {"orig_l2_addr", "string"},
    [COL_RESP_L2] = {"resp_l2_addr", "string"},
    [COL_VLAN] = {"vlan", "int"},
    [COL_INNER_VLAN] = {"inner_vlan", "int"},
    [COL_PPPOE] = {"pppoe_session_id", "count"},
    [COL_SPECULATIVE] = {"speculative_service", "string"},
    [COL_COMMUNITY_ID] = {"community_id", "string"},
    [COL_CTX_VLAN] = {"id.ctx.vlan", "int"},
    [COL_CTX_INNER_VLAN] = {"id.ctx.inner_vlan", "int"},
    [COL_FAILED_SERVICE] = {"failed_service", "set[string]"},
};

const char *col_name(col_id c)
{
    return columns[c].name;
}

const char *col_type(col_id c)
{
    return columns[c].type;
}

cl_column cl_column_parse(const char *name)
{
    for (int c = COL_N_DEFAULT; c < COL_N_ALL; c++)
        if (strcmp(columns[c].name, name) == 0)
            return (cl_column)(c - COL_N_DEFAULT + 1);
    return (cl_column)0;
}

static col_id extra_col(cl_column c)
{
    return (col_id)(COL_N_DEFAULT - 1 + (int)c);
}

static bool is_ctx(cl_column c)
{
    return c == CL_COL_CTX_VLAN || c == CL_COL_CTX_INNER_VLAN;
}

/* The conn_id context columns belong to id (vlan_fivetuple.zeek): they
 * follow id.resp_p; all other optional columns go at the end. */
size_t col_layout(const cl_column *extra, size_t n_extra, col_id out[CL_MAX_COLUMNS])
{
    size_t n = 0;
    for (int c = COL_TS; c <= COL_RESP_P; c++)
        out[n++] = (col_id)c;
    for (size_t i = 0; i < n_extra; i++)
        if (is_ctx(extra[i]))
            out[n++] = extra_col(extra[i]);
    for (int c = COL_PROTO; c < COL_N_DEFAULT; c++)
        out[n++] = (col_id)c;
    for (size_t i = 0; i < n_extra; i++)
        if (!is_ctx(extra[i]))
            out[n++] = extra_col(extra[i]);
    return n;
}

static void set_count(col_value *v, uint64_t u)
{
    v->kind = VAL_COUNT;
    v->u = u;
}

static void set_int(col_value *v, int64_t i)
{
    if (i == CL_UNSET_INT)
        return;
    v->kind = VAL_INT;
    v->i = i;
}

/* NULL and "" are both unset: Zeek leaves an empty service set or an
 * empty history unset rather than logging "(empty)". */
static void set_string(col_value *v, const char *s, bool empty_is_unset)
{
    if (!s || (empty_is_unset && !*s))
        return;
    v->kind = VAL_STRING;
    v->s = s;
    v->len = strlen(s);
}

/* A set of strings; an empty one is unset. */
static void set_strings(col_value *v, const char *const *set, size_t n)
{
    if (n && set) {
        v->kind = VAL_SET;
        v->set = set;
        v->len = n;
    }
}

static void set_bool(col_value *v, int8_t b)
{
    if (b == CL_UNSET_INT)
        return;
    v->kind = VAL_BOOL;
    v->b = b != 0;
}

static void get_default(col_id c, const cl_conn_record *r, col_value *v)
{
    switch (c) {
    case COL_TS: v->kind = VAL_TIME; v->d = r->ts; break;
    case COL_UID: set_string(v, r->uid ? r->uid : "", false); break;
    case COL_ORIG_H: v->kind = VAL_ADDR; v->addr = &r->orig_h; break;
    case COL_ORIG_P: set_count(v, r->orig_p); break;
    case COL_RESP_H: v->kind = VAL_ADDR; v->addr = &r->resp_h; break;
    case COL_RESP_P: set_count(v, r->resp_p); break;
    case COL_PROTO:
        v->kind = VAL_ENUM;
        v->s = cl_proto_name(r->proto);
        v->len = strlen(v->s);
        break;
    case COL_SERVICE: set_string(v, r->service, true); break;
    case COL_DURATION:
        if (r->has_duration) {
            v->kind = VAL_TIME;
            v->d = r->duration;
        }
        break;
    case COL_ORIG_BYTES: if (r->has_duration) set_count(v, r->orig_bytes); break;
    case COL_RESP_BYTES: if (r->has_duration) set_count(v, r->resp_bytes); break;
    case COL_CONN_STATE: set_string(v, r->conn_state ? r->conn_state : "", false); break;
    case COL_LOCAL_ORIG: set_bool(v, r->local_orig); break;
    case COL_LOCAL_RESP: set_bool(v, r->local_resp); break;
    case COL_MISSED_BYTES: set_count(v, r->missed_bytes); break;
    case COL_HISTORY: set_string(v, r->history, true); break;
    case COL_ORIG_PKTS: if (!r->pkts_unset) set_count(v, r->orig_pkts); break;
    case COL_ORIG_IP_BYTES: if (!r->pkts_unset) set_count(v, r->orig_ip_bytes); break;
    case COL_RESP_PKTS: if (!r->pkts_unset) set_count(v, r->resp_pkts); break;
    case COL_RESP_IP_BYTES: if (!r->pkts_unset) set_count(v, r->resp_ip_bytes); break;
    case COL_TUNNEL_PARENTS: set_strings(v, r->tunnel_parents, r->n_tunnel_parents); break;
    default: break;
    }
}

static void get_optional(col_id c, const cl_conn_record *r, col_value *v)
{
    switch (c) {
    case COL_IP_PROTO: set_count(v, r->ip_proto); break;
    case COL_ORIG_L2:
        if (r->has_orig_l2) {
            v->kind = VAL_MAC;
            v->mac = r->orig_l2;
        }
        break;
    case COL_RESP_L2:
        if (r->has_resp_l2) {
            v->kind = VAL_MAC;
            v->mac = r->resp_l2;
        }
        break;
    case COL_VLAN: set_int(v, r->vlan); break;
    case COL_INNER_VLAN: set_int(v, r->inner_vlan); break;
    case COL_PPPOE:
        if (r->pppoe_session_id != CL_UNSET_INT)
            set_count(v, (uint64_t)(uint32_t)r->pppoe_session_id);
        break;
    case COL_SPECULATIVE: set_string(v, r->speculative_service, true); break;
    case COL_COMMUNITY_ID: set_string(v, r->community_id, true); break;
    case COL_CTX_VLAN: set_int(v, r->ctx_vlan); break;
    case COL_CTX_INNER_VLAN: set_int(v, r->ctx_inner_vlan); break;
    case COL_FAILED_SERVICE: set_strings(v, r->failed_service, r->n_failed_service); break;
    default: break;
    }
}

void col_get(col_id c, const cl_conn_record *rec, col_value *v)
{
    memset(v, 0, sizeof *v);
    v->kind = VAL_UNSET;
    if (c < COL_N_DEFAULT)
        get_default(c, rec, v);
    else
        get_optional(c, rec, v);
}

/* Name and punctuation (JSON: "name": and a comma) plus the value. */
size_t col_bound(const col_value *v)
{
    size_t b = 48 + CL_FMT_TIME_MAX;
    if (v->kind == VAL_STRING || v->kind == VAL_ENUM)
        b += CL_FMT_STR_MAX(v->len);
    if (v->kind == VAL_SET)
        for (size_t i = 0; i < v->len; i++)
            b += CL_FMT_STR_MAX(v->set[i] ? strlen(v->set[i]) : 0) + 1;
    return b;
}

const char *cl_proto_name(cl_proto p)
{
    switch (p) {
    case CL_PROTO_TCP: return "tcp";
    case CL_PROTO_UDP: return "udp";
    case CL_PROTO_ICMP: return "icmp";
    default: return "unknown_transport";
    }
}

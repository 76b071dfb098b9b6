/*
 * record.c - fill Zeek's Conn::Info from a connection at removal time
 * (scripts/base/protocols/conn/main.zeek, set_conn and conn_state) and
 * hand it to the engine's callback.
 */
#include <string.h>

#include "engine.h"
#include "record/community_id.h"

static const char *datagram_state(const cl_conn *c)
{
    const cl_datagram *dg = cl_conn_dg_const(c);
    bool o = dg->dlen[0] >= 0, r = dg->dlen[1] >= 0;
    if (o)
        return r ? "SF" : "S0";
    return r ? "SHR" : "OTH";
}

static uint64_t slot_size(int64_t v) { return v < 0 ? 0 : (uint64_t)v; }

static bool mac_is_zero(const uint8_t m[6])
{
    static const uint8_t zero[6];
    return memcmp(m, zero, 6) == 0;
}

static void fill_sizes(const cl_conn *c, cl_conn_record *r)
{
    double d = c->last_time - c->start_time;
    /* Zeek sets duration and both sizes together, only when d > 0. */
    if (!(d > 0))
        return;
    r->has_duration = true;
    r->duration = d;
    if (c->proto == CL_PROTO_TCP) {
        r->orig_bytes = cl_tcp_size(CL_TCP_ORIG(cl_conn_tcp(c)), CL_TCP_RESP(cl_conn_tcp(c)));
        r->resp_bytes = cl_tcp_size(CL_TCP_RESP(cl_conn_tcp(c)), CL_TCP_ORIG(cl_conn_tcp(c)));
    } else if (c->proto != CL_PROTO_UNKNOWN) {
        r->orig_bytes = slot_size(cl_conn_dg_const(c)->dlen[0]);
        r->resp_bytes = slot_size(cl_conn_dg_const(c)->dlen[1]);
    }
}

static void fill_locality(const cl_engine *e, const cl_conn *c, cl_conn_record *r)
{
    if (e->local_nets.n > 0) {
        r->local_orig = cl_netmatch_contains(&e->local_match, &r->orig_h);
        r->local_resp = cl_netmatch_contains(&e->local_match, &r->resp_h);
    } else if (c->flipped_after_creation) {
        /* Zeek's connection_flipped handler sets them unconditionally. */
        r->local_orig = r->local_resp = 0;
    } else {
        r->local_orig = r->local_resp = CL_UNSET_INT;
    }
}

void cl_conn_emit(cl_engine *e, cl_conn *c)
{
    cl_conn_record r;
    memset(&r, 0, sizeof r);
    const char *parents[CL_MAX_TUNNEL_PARENTS];
    const char *failed[sizeof c->ext->failed / sizeof c->ext->failed[0]];
    char uid[CL_UID_MAX];
    const cl_conn_ext *x = c->ext;
    char cid[CL_COMMUNITY_ID_MAX];
    char service[CL_SERVICE_MAX];

    r.ts = c->start_time;
    cl_uid_at(&e->uids, c->uid, uid);
    r.uid = uid;
    r.orig_h = cl_conn_orig_h(c);
    r.resp_h = cl_conn_resp_h(c);
    r.orig_p = cl_conn_orig_p(c);
    r.resp_p = cl_conn_resp_p(c);
    r.proto = (cl_proto)c->proto;
    r.ip_proto = c->ip_proto;
    r.service = cl_conn_service_string(c, service) ? service : NULL;
    fill_sizes(c, &r);

    const char *hist = c->hist_len ? cl_hist_const(c) : NULL;
    if (c->proto == CL_PROTO_TCP)
        r.conn_state = cl_tcp_conn_state(c, hist);
    else if (c->proto == CL_PROTO_UDP)
        r.conn_state = datagram_state(c);
    else
        r.conn_state = "OTH";

    fill_locality(e, c, &r);
    r.missed_bytes = c->missed_bytes;
    r.history = hist;
    r.orig_pkts = c->pkts[0];
    r.orig_ip_bytes = c->ip_bytes[0];
    r.resp_pkts = c->pkts[1];
    r.resp_ip_bytes = c->ip_bytes[1];
    r.pkts_unset = !e->cfg.conn_size;

    unsigned np = x ? x->n_parents : 0;
    for (unsigned i = 0; i < np; i++)
        parents[i] = x->parents[i];
    r.n_tunnel_parents = np;
    r.tunnel_parents = parents;

    unsigned nf = x ? x->n_failed : 0;
    for (unsigned i = 0; i < nf; i++)
        failed[i] = x->failed[i];
    r.n_failed_service = nf;
    r.failed_service = failed;

    r.vlan = r.inner_vlan = r.pppoe_session_id = CL_UNSET_INT;
    r.ctx_vlan = r.ctx_inner_vlan = CL_UNSET_INT;
    if (x && x->has_l2_context) {
        r.has_orig_l2 = (x->has_l2 & 1) && !mac_is_zero(x->l2[0]);
        r.has_resp_l2 = (x->has_l2 & 2) && !mac_is_zero(x->l2[1]);
        memcpy(r.orig_l2, x->l2[0], 6);
        memcpy(r.resp_l2, x->l2[1], 6);
        r.vlan = x->vlan;
        r.inner_vlan = x->inner_vlan;
        if (e->cfg.conn_key_vlan) {
            r.ctx_vlan = x->vlan;
            r.ctx_inner_vlan = x->inner_vlan;
        }
        r.pppoe_session_id = x->pppoe_session;
    }
    if (e->cfg.community_id) {
        cl_community_id(e->cfg.community_id_seed, &r.orig_h, r.orig_p, &r.resp_h, r.resp_p,
                        c->ip_proto, c->icmp_one_way, cid);
        r.community_id = cid;
    }

    e->stats.conns_logged++;
    if (e->on_record)
        e->on_record(&r, e->user);
}

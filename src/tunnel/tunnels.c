/*
 * tunnels.c - decapsulation and the tunnel columns (Zeek's IPTunnel, GRE
 * and UDP tunnel packet analyzers, Connection::CheckEncapsulation and the
 * tunnel_parents bookkeeping of scripts/base/protocols/conn).
 *
 * An inner packet is processed like any other, with the stack of
 * encapsulations it came through. IP-in-IP and GRE tunnels are named by a
 * per-address-pair identity (whose uid never shows up as a conn.log
 * record); UDP tunnels are named by their outer UDP connection.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/tunnel.h"
#include "engine.h"

#define TUNNEL_ID_LIFETIME 86400.0 /* Tunnel::ip_tunnel_timeout */

/* ---------------------------------------------------------------- */
/* tunnel_parents and encapsulation changes                          */
/* ---------------------------------------------------------------- */

static void add_parent(cl_conn_ext *x, const char *uid)
{
    for (unsigned i = 0; i < x->n_parents; i++)
        if (strcmp(x->parents[i], uid) == 0)
            return;
    if (!x->parents && !(x->parents = malloc(CL_MAX_TUNNEL_PARENTS * sizeof *x->parents)))
        return;
    if (x->n_parents < CL_MAX_TUNNEL_PARENTS)
        memcpy(x->parents[x->n_parents++], uid, CL_UID_MAX);
}

static bool same_pair(const cl_encap_entry *a, const cl_encap_entry *b)
{
    bool fwd = memcmp(&a->src, &b->src, sizeof a->src) == 0 &&
               memcmp(&a->dst, &b->dst, sizeof a->dst) == 0;
    bool rev = memcmp(&a->src, &b->dst, sizeof a->src) == 0 &&
               memcmp(&a->dst, &b->src, sizeof a->dst) == 0;
    return fwd || rev;
}

/* Replies travel the same tunnel the other way round: direction does not
 * make a different encapsulation. VXLAN replies may come from another
 * source port, so only the destination port must agree. */
static bool entry_eq(const cl_encap_entry *a, const cl_encap_entry *b)
{
    if (a->type != b->type || strcmp(a->uid, b->uid) != 0 || !same_pair(a, b))
        return false;
    if (a->type == CL_TUN_VXLAN)
        return a->dport == b->dport;
    return true;
}

static bool stack_eq(const cl_encap *a, const cl_encap *b)
{
    if (a->depth != b->depth)
        return false;
    for (unsigned i = 0; i < a->depth; i++)
        if (!entry_eq(&a->e[i], &b->e[i]))
            return false;
    return true;
}

static void store_stack(cl_conn *c, cl_conn_ext *x, const cl_encap *encap)
{
    if (!x->encap && !(x->encap = malloc(sizeof *x->encap)))
        return;
    *x->encap = *encap;
    c->tunnel_flags |= CL_TF_ENCAP;
}

static void forget_stack(cl_conn *c, cl_conn_ext *x)
{
    free(x->encap);
    x->encap = NULL;
    c->tunnel_flags &= (uint8_t)~CL_TF_ENCAP;
}

void cl_tunnel_note_encap(cl_engine *e, cl_conn *c, const cl_encap *encap, bool created)
{
    bool has = encap && encap->depth > 0;
    if (!has && !(c->tunnel_flags & CL_TF_ENCAP))
        return; /* the common case, without touching the cold part */
    cl_conn_ext *x = c->ext;
    if (!x && !(x = cl_conn_ext_get(c)))
        return;
    if (created) {
        add_parent(x, encap->e[encap->depth - 1].uid);
        store_stack(c, x, encap);
        return;
    }
    if (x->encap && has && stack_eq(x->encap, encap))
        return;
    /* A change (also to or from no tunnel at all): Zeek raises
     * tunnel_changed up to the limit, then only marks the history. */
    unsigned max = e->cfg.tunnel_max_changes;
    if (max == 0 || x->tunnel_changes < max) {
        x->tunnel_changes++;
        if (has)
            add_parent(x, encap->e[encap->depth - 1].uid);
    } else {
        cl_hist_check(c, 0x400, 'X'); /* limit reached */
    }
    if (has)
        store_stack(c, x, encap);
    else
        forget_stack(c, x);
}

/* ---------------------------------------------------------------- */
/* Tunnel identities for IP-in-IP and GRE                            */
/* ---------------------------------------------------------------- */

static void name_identity(cl_engine *e, cl_tunnel_id *t)
{
    uint8_t bytes[36];
    memcpy(bytes, t->a.b, 16);
    memcpy(bytes + 16, t->b.b, 16);
    memcpy(bytes + 32, &t->generation, 4);
    cl_uid_of(&e->uids, bytes, sizeof bytes, t->uid);
}

static const char *tunnel_identity(cl_engine *e, const cl_addr *s, const cl_addr *d, double now)
{
    const cl_addr *a = s, *b = d;
    if (memcmp(a, b, sizeof *a) > 0) {
        a = d;
        b = s;
    }
    size_t oldest = 0;
    for (size_t i = 0; i < e->n_tunnel_ids; i++) {
        cl_tunnel_id *t = &e->tunnel_ids[i];
        if (memcmp(&t->a, a, sizeof *a) == 0 && memcmp(&t->b, b, sizeof *b) == 0) {
            if (now - t->last_seen >= TUNNEL_ID_LIFETIME) {
                t->generation++; /* forgotten: a new identity */
                name_identity(e, t);
            }
            t->last_seen = now;
            return t->uid;
        }
        if (t->last_seen < e->tunnel_ids[oldest].last_seen)
            oldest = i;
    }
    if (!e->tunnel_ids && !(e->tunnel_ids = calloc(CL_MAX_TUNNEL_IDS, sizeof *e->tunnel_ids)))
        return "";
    size_t slot = e->n_tunnel_ids < CL_MAX_TUNNEL_IDS ? e->n_tunnel_ids++ : oldest;
    cl_tunnel_id *t = &e->tunnel_ids[slot];
    t->a = *a;
    t->b = *b;
    t->last_seen = now;
    t->generation = 0;
    name_identity(e, t);
    return t->uid;
}

/* ---------------------------------------------------------------- */
/* Decapsulation                                                     */
/* ---------------------------------------------------------------- */

static cl_skip process_inner(cl_engine *e, const cl_pkt_ctx *ctx, const uint8_t *p, uint32_t caplen,
                             uint32_t wirelen, cl_inner_kind kind, const cl_encap *encap)
{
    if (kind == CL_INNER_IP)
        return cl_engine_process_ip(e, p, caplen, wirelen, NULL, ctx->t, encap);
    cl_l2_info l2;
    cl_decode_status st = kind == CL_INNER_ETHERNET
                              ? cl_decode_ethernet(p, caplen, wirelen, &l2)
                              : cl_decode_link(CL_DLT_IEEE802_11, p, caplen, wirelen, &l2);
    if (st == CL_DEC_NOT_IP)
        return CL_SKIP_NOT_IP;
    if (st != CL_DEC_OK)
        return CL_SKIP_TUNNEL;
    return cl_engine_process_l2(e, &l2, ctx->t, encap);
}

static unsigned depth_of(const cl_pkt_ctx *ctx)
{
    return ctx->encap ? ctx->encap->depth : 0;
}

static void push(cl_encap *out, const cl_pkt_ctx *ctx, uint8_t type, uint16_t sport,
                 uint16_t dport, const char *uid)
{
    if (ctx->encap)
        *out = *ctx->encap;
    else
        out->depth = 0;
    cl_encap_entry *en = &out->e[out->depth++];
    memset(en, 0, sizeof *en);
    en->type = type;
    en->src = ctx->ip->src;
    en->dst = ctx->ip->dst;
    en->sport = sport;
    en->dport = dport;
    memcpy(en->uid, uid, strnlen(uid, CL_UID_MAX - 1));
}

cl_skip cl_tunnel_ip(cl_engine *e, const cl_pkt_ctx *ctx)
{
    const cl_ip_info *ip = ctx->ip;
    unsigned depth = depth_of(ctx);
    if (depth >= e->cfg.tunnel_max_depth || depth >= CL_MAX_ENCAP)
        return CL_SKIP_TUNNEL; /* exceeded_tunnel_max_depth */
    cl_inner in = {CL_INNER_IP, 0};
    uint8_t type = CL_TUN_IP;
    if (ip->proto == 47) {
        type = CL_TUN_GRE;
        if (!cl_gre_parse(ip->payload, ip->payload_caplen, &in))
            return CL_SKIP_TUNNEL;
    }
    if (in.offset >= ip->payload_caplen)
        return CL_SKIP_TUNNEL;
    cl_encap encap;
    push(&encap, ctx, type, 0, 0, tunnel_identity(e, &ip->src, &ip->dst, ctx->t));
    uint32_t wire = ip->payload_len > in.offset ? ip->payload_len - in.offset : 0;
    return process_inner(e, ctx, ip->payload + in.offset, ip->payload_caplen - in.offset, wire,
                         in.kind, &encap);
}

/* The packet analyzer for a UDP connection: chosen by the responder
 * port, or by payload detection for Teredo and AYIYA on any port. */
static uint8_t udp_tunnel_type(const cl_conn *c, const uint8_t *p, uint32_t len, bool *detected)
{
    *detected = false;
    switch (cl_conn_resp_p(c)) {
    case 4789: return CL_TUN_VXLAN;
    case 6081: return CL_TUN_GENEVE;
    case 3544: return CL_TUN_TEREDO;
    case 5072: return CL_TUN_AYIYA;
    case 2152:
    case 2123: return CL_TUN_GTPV1;
    case 4754: return CL_TUN_GRE;
    default: break;
    }
    *detected = true;
    if (cl_teredo_detect(p, len))
        return CL_TUN_TEREDO;
    if (cl_ayiya_detect(p, len))
        return CL_TUN_AYIYA;
    return 0;
}

static bool udp_tunnel_parse(uint8_t type, const uint8_t *p, uint32_t len, cl_inner *in)
{
    switch (type) {
    case CL_TUN_VXLAN: return cl_vxlan_parse(p, len, in);
    case CL_TUN_GENEVE: return cl_geneve_parse(p, len, in);
    case CL_TUN_TEREDO: return cl_teredo_parse(p, len, in);
    case CL_TUN_AYIYA: return cl_ayiya_parse(p, len, in);
    case CL_TUN_GTPV1: return cl_gtpv1_parse(p, len, in);
    case CL_TUN_GRE: return cl_gre_parse(p, len, in);
    default: return false;
    }
}

static void confirm(cl_engine *e, cl_conn *c, uint8_t type, bool is_orig)
{
    switch (type) {
    case CL_TUN_VXLAN: cl_conn_add_service(c, "vxlan"); break;
    case CL_TUN_GENEVE: cl_conn_add_service(c, "geneve"); break;
    case CL_TUN_AYIYA: cl_conn_add_service(c, "ayiya"); break;
    case CL_TUN_GTPV1: cl_conn_add_service(c, "gtpv1"); break;
    case CL_TUN_TEREDO:
        /* Tunnel::delay_teredo_confirmation: wait for both directions. */
        c->tunnel_flags |= is_orig ? CL_TF_TEREDO_ORIG : CL_TF_TEREDO_RESP;
        if (!e->cfg.tunnel_delay_teredo ||
            (c->tunnel_flags & (CL_TF_TEREDO_ORIG | CL_TF_TEREDO_RESP)) ==
                (CL_TF_TEREDO_ORIG | CL_TF_TEREDO_RESP))
            cl_conn_add_service(c, "teredo");
        break;
    default: break; /* GRE over UDP confirms nothing */
    }
}

void cl_tunnel_udp(cl_engine *e, cl_conn *c, bool is_orig, const cl_pkt_ctx *ctx)
{
    const cl_ip_info *ip = ctx->ip;
    if ((c->tunnel_flags & CL_TF_VIOLATION) || ip->payload_caplen <= 8)
        return;
    const uint8_t *p = ip->payload + 8;
    uint32_t len = ip->payload_caplen - 8;
    bool detected;
    uint8_t type = udp_tunnel_type(c, p, len, &detected);
    if (!type)
        return;
    unsigned depth = depth_of(ctx);
    if (depth >= e->cfg.tunnel_max_depth || depth >= CL_MAX_ENCAP) {
        cl_hist_check(c, 0x400, 'X');
        return;
    }
    cl_inner in;
    if (!udp_tunnel_parse(type, p, len, &in)) {
        /* AYIYA messages other than "forward" (heartbeats) carry nothing
         * but are no protocol violation. */
        bool ayiya_other = type == CL_TUN_AYIYA && len >= 8 && (p[2] & 0x0f) != 1;
        if (!detected && !ayiya_other)
            c->tunnel_flags |= CL_TF_VIOLATION;
        return;
    }
    confirm(e, c, type, is_orig);

    uint16_t sport = (uint16_t)(ip->payload[0] << 8 | ip->payload[1]);
    uint16_t dport = (uint16_t)(ip->payload[2] << 8 | ip->payload[3]);
    cl_encap encap;
    if (type == CL_TUN_GRE)
        /* GRE over UDP is named by the outer IP pair, like plain GRE. */
        push(&encap, ctx, CL_TUN_GRE, 0, 0, tunnel_identity(e, &ip->src, &ip->dst, ctx->t));
    else {
        char uid[CL_UID_MAX];
        cl_uid_at(&e->uids, c->uid, uid);
        push(&encap, ctx, type, sport, dport, uid);
    }
    uint32_t wire = ip->payload_len > 8 + in.offset ? ip->payload_len - 8 - in.offset : 0;
    process_inner(e, ctx, p + in.offset, len - in.offset, wire, in.kind, &encap);
}

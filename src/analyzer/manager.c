/*
 * manager.c - attaching application analyzers to connections and Zeek's
 * DPD bookkeeping around them (src/analyzer/Manager.cc, Analyzer.cc and
 * scripts/base/frameworks/analyzer/dpd.zeek).
 *
 * A connection's analyzers form a list (attach order: port analyzers,
 * then the PIA, then what signatures enable), each with children of its
 * own. Confirmations and violations are queued as Zeek queues their
 * events and applied at the end of the packet (cl_an_drain): an analyzer
 * that raises a violation keeps receiving the rest of that packet's data,
 * as in Zeek, and removals happen only then. Removed instances are freed
 * at that point too, so no pointer to one dangles while a delivery is in
 * progress.
 */
#include "analyzer/manager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "analyzer/expect.h"
#include "analyzer/signature.h"
#include "engine.h"

extern const cl_analyzer *const cl_analyzer_table[];

#define DPD_IGNORE_VIOLATIONS_AFTER 10240

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

bool cl_analyzer_loaded(const char *analyzers, const char *name)
{
    if (strcmp(analyzers, "all") == 0)
        return true;
    size_t n = strlen(name);
    for (const char *s = analyzers; *s;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == n && strncmp(s, name, n) == 0)
            return true;
        s += len + (comma ? 1 : 0);
    }
    return false;
}

/* Loaded with its scripts, or requested after Analyzer::disable_all: by
 * the script's name or the analyzer's own. */
static bool kind_on(const cl_config *cfg, const cl_analyzer *k)
{
    const char *names[2] = {k->script ? k->script : k->name, k->name};
    for (int i = 0; i < 2; i++)
        if (cl_analyzer_loaded(cfg->analyzers, names[i]) ||
            (cfg->requested_analyzers[0] && cl_analyzer_loaded(cfg->requested_analyzers, names[i])))
            return true;
    return false;
}

static int kind_index(const cl_analyzer *k)
{
    for (int i = 0; cl_analyzer_table[i]; i++)
        if (cl_analyzer_table[i] == k)
            return i;
    return -1;
}

static void port_mark(cl_analyzers *ae, uint8_t transport, uint16_t port)
{
    ae->port_any[transport == CL_AN_UDP][port >> 3] |= (uint8_t)(1u << (port & 7));
}

static bool port_marked(const cl_analyzers *ae, uint8_t transport, uint16_t port)
{
    return (ae->port_any[transport == CL_AN_UDP][port >> 3] >> (port & 7)) & 1;
}

int cl_an_engine_init(cl_engine *e, char *err, size_t errlen)
{
    cl_analyzers *ae = &e->an;
    memset(ae, 0, sizeof *ae);
    ae->children_ok = e->cfg.conn_size; /* false after Analyzer::disable_all */
    for (int i = 0; cl_analyzer_table[i]; i++) {
        if (i >= CL_AN_KINDS_MAX) {
            snprintf(err, errlen, "too many analyzers");
            return -1;
        }
        const cl_analyzer *k = cl_analyzer_table[i];
        ae->loaded[i] = kind_on(&e->cfg, k);
        if (!ae->loaded[i] || !k->ports || (k->flags & (CL_AN_F_REGISTER_ONLY | CL_AN_F_CHILD_ONLY)))
            continue;
        for (const cl_an_port *p = k->ports; p->port; p++)
            if (p->transport & k->transport)
                port_mark(ae, p->transport, p->port);
    }
    for (unsigned i = 0; i < e->cfg.n_analyzer_ports; i++) {
        const cl_analyzer *k = cl_analyzer_find(e->cfg.analyzer_ports[i].analyzer);
        if (k && (k->transport & CL_AN_TCP))
            port_mark(ae, CL_AN_TCP, e->cfg.analyzer_ports[i].port);
    }
    ae->sigs = cl_sigset_new(ae->loaded, err, errlen);
    return ae->sigs ? 0 : -1;
}

void cl_an_engine_free(cl_engine *e)
{
    cl_sigset_free(e->an.sigs);
    e->an.sigs = NULL;
}

/* ------------------------------------------------------------------ */
/* Instances                                                            */
/* ------------------------------------------------------------------ */

static void mark_dirty(cl_analysis *ac)
{
    if (ac->on_dirty)
        return;
    ac->on_dirty = true;
    ac->dirty_next = ac->e->an.dirty;
    ac->e->an.dirty = ac;
}

static void append(cl_an **list, cl_an *a)
{
    while (*list)
        list = &(*list)->next;
    *list = a;
}

cl_an *cl_an_new(cl_analysis *ac, cl_an *parent, const cl_analyzer *kind, uint8_t flags)
{
    cl_an *a = calloc(1, sizeof *a + kind->state_size);
    if (!a)
        return NULL;
    a->kind = kind;
    a->ac = ac;
    a->parent = parent;
    a->flags = flags;
    if (kind->init && !kind->init(a)) {
        free(a);
        return NULL;
    }
    append(parent ? &parent->children : &ac->list, a);
    return a;
}

/* Release what the analyzer holds beyond its block, once. */
static void finish(cl_an *a)
{
    if (a->flags & CL_ANI_FINISHED)
        return;
    a->flags |= CL_ANI_FINISHED;
    if (a->ac->idle_owner == a) {
        a->ac->idle_owner = NULL;
        cl_timers_cancel(&a->ac->e->timers, a->ac->c, CL_TIMER_AN_EXPIRE);
    }
    if (a->kind->done)
        a->kind->done(a);
}

static void an_free(cl_an *a)
{
    while (a->children) {
        cl_an *ch = a->children;
        a->children = ch->next;
        an_free(ch);
    }
    finish(a);
    free(a);
}

static void remove_subtree(cl_an *a)
{
    a->flags |= CL_ANI_REMOVED;
    for (cl_an *ch = a->children; ch; ch = ch->next)
        remove_subtree(ch);
}

/* Free the removed analyzers of the connection's list. A removed child
 * only finishes (its done() runs): its block stays until its parent goes,
 * so that a parent may keep pointers to its children and ask
 * cl_an_removed() of them. */
static void sweep(cl_an **list, bool children)
{
    while (*list) {
        cl_an *a = *list;
        if ((a->flags & CL_ANI_REMOVED) && !children) {
            *list = a->next;
            an_free(a);
            continue;
        }
        if (a->flags & CL_ANI_REMOVED)
            finish(a);
        a->flags &= (uint8_t)~CL_ANI_NEW;
        sweep(&a->children, true);
        list = &a->next;
    }
}

static bool live(const cl_an *a) { return a && !(a->flags & CL_ANI_REMOVED); }

/* The live instance of `kind` in a list, if any. */
static cl_an *find_live(cl_an *list, const cl_analyzer *kind)
{
    for (cl_an *a = list; a; a = a->next)
        if (a->kind == kind && live(a))
            return a;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* A connection's analysis                                               */
/* ------------------------------------------------------------------ */

static uint8_t transport_of(const cl_conn *c)
{
    return c->proto == CL_PROTO_TCP ? CL_AN_TCP : CL_AN_UDP;
}

static bool has_port(const cl_analyzer *k, uint8_t transport, uint16_t port)
{
    if (!k->ports)
        return false;
    for (const cl_an_port *p = k->ports; p->port; p++)
        if (p->port == port && p->transport == transport)
            return true;
    return false;
}

/* Zeek's port-based attachment: every loaded analyzer registered for the
 * responder port, then the --analyzer-port registrations. */
static void attach_by_port(cl_analysis *ac, uint8_t t, uint16_t port)
{
    const cl_engine *e = ac->e;
    for (int i = 0; cl_analyzer_table[i]; i++) {
        const cl_analyzer *k = cl_analyzer_table[i];
        if (e->an.loaded[i] && (k->transport & t) &&
            !(k->flags & (CL_AN_F_REGISTER_ONLY | CL_AN_F_CHILD_ONLY)) && has_port(k, t, port))
            cl_an_new(ac, NULL, k, CL_ANI_BY_PORT);
    }
    for (unsigned i = 0; i < e->cfg.n_analyzer_ports; i++) {
        if (e->cfg.analyzer_ports[i].port != port)
            continue;
        const cl_analyzer *k = cl_analyzer_find(e->cfg.analyzer_ports[i].analyzer);
        if (k && (k->transport & t) && !find_live(ac->list, k))
            cl_an_new(ac, NULL, k, CL_ANI_BY_PORT);
    }
}

static void ac_free(cl_analysis *ac)
{
    while (ac->list) {
        cl_an *a = ac->list;
        ac->list = a->next;
        an_free(a);
    }
    free(ac->ev);
    ac->c->an = NULL;
    free(ac);
}

/* The connection's analysis, allocated on first use. NULL when there is
 * nothing to run (the connection then stops asking). */
static cl_analysis *analysis_of(cl_engine *e, cl_conn *c)
{
    if (c->an)
        return c->an;
    cl_analysis *ac = calloc(1, sizeof *ac);
    if (!ac) {
        c->an_flags &= (uint8_t)~CL_ANF_ON;
        return NULL;
    }
    ac->e = e;
    ac->c = c;
    c->an = ac;
    uint8_t t = transport_of(c);
    if ((c->an_flags & CL_ANF_PORT) && !(c->an_flags & CL_ANF_SCHEDULED))
        attach_by_port(ac, t, cl_conn_resp_p(c));
    if (cl_sigset_any(e->an.sigs, t))
        cl_an_new(ac, NULL, &cl_analyzer_pia, CL_ANI_PIA);
    if (!ac->list) {
        ac_free(ac);
        c->an_flags &= (uint8_t)~CL_ANF_ON;
        return NULL;
    }
    return ac;
}

void cl_an_attach(cl_engine *e, cl_conn *c)
{
    uint8_t t = transport_of(c);
    c->an_flags = 0;
    c->an = NULL;
    if (t == CL_AN_TCP && e->n_expected && cl_expect_apply(e, c))
        c->an_flags |= CL_ANF_SCHEDULED;
    if (port_marked(&e->an, t, cl_conn_resp_p(c)))
        c->an_flags |= CL_ANF_PORT;
    bool port = (c->an_flags & CL_ANF_PORT) && !(c->an_flags & CL_ANF_SCHEDULED);
    if (port || cl_sigset_any(e->an.sigs, t))
        c->an_flags |= CL_ANF_ON;
    /* UDP analyzers attached by port exist from the start: the DNS
     * analyzer's session expiry runs from creation. */
    if (t == CL_AN_UDP && port)
        analysis_of(e, c);
}

/* After a delivery: analyzers a signature enabled during it take part
 * in the next one. Anything to apply or free waits for the drain. */
static void settle(cl_analysis *ac)
{
    if (--ac->busy == 0)
        for (cl_an *a = ac->list; a; a = a->next)
            a->flags &= (uint8_t)~CL_ANI_NEW;
}

static void deliver_list(cl_analysis *ac, bool is_orig, uint64_t off, const uint8_t *p,
                         uint32_t len, int phase)
{
    for (cl_an *a = ac->list; a; a = a->next) {
        if (a->flags & (CL_ANI_REMOVED | CL_ANI_NEW))
            continue;
        if (phase >= 0 && ((a->flags & CL_ANI_BY_PORT) != 0) != (phase == 1))
            continue;
        a->kind->deliver(a, is_orig, off, p, len);
    }
}

void cl_an_tcp_data(cl_engine *e, cl_conn *c, bool is_orig, uint64_t off, const uint8_t *p,
                    uint32_t len)
{
    cl_analysis *ac = analysis_of(e, c);
    if (!ac)
        return;
    ac->busy++;
    deliver_list(ac, is_orig, off, p, len, -1);
    settle(ac);
}

void cl_an_gap_one(cl_an *a, bool is_orig, uint64_t len)
{
    if (!live(a))
        return;
    if (a->kind->gap)
        a->kind->gap(a, is_orig, len);
    else
        cl_an_stop(a); /* most of Zeek's analyzers stop parsing after a gap */
}

void cl_an_tcp_gap(cl_engine *e, cl_conn *c, bool is_orig, uint64_t len)
{
    cl_analysis *ac = analysis_of(e, c);
    if (!ac)
        return;
    ac->busy++;
    for (cl_an *a = ac->list; a; a = a->next)
        if (!(a->flags & CL_ANI_NEW))
            cl_an_gap_one(a, is_orig, len);
    settle(ac);
}

void cl_an_tcp_eof(cl_engine *e, cl_conn *c, bool is_orig)
{
    (void)e;
    cl_analysis *ac = c->an;
    if (!ac)
        return;
    ac->busy++;
    for (cl_an *a = ac->list; a; a = a->next)
        if (live(a) && !(a->flags & CL_ANI_NEW) && a->kind->eof)
            a->kind->eof(a, is_orig);
    settle(ac);
}

void cl_an_udp_packet(cl_engine *e, cl_conn *c, bool is_orig, const uint8_t *p, uint32_t len,
                      bool port_phase)
{
    cl_analysis *ac = port_phase ? c->an : analysis_of(e, c);
    if (!ac)
        return;
    ac->busy++;
    deliver_list(ac, is_orig, 0, p, len, port_phase ? 1 : 0);
    settle(ac);
}

/* ------------------------------------------------------------------ */
/* Events: confirmation, violation, failure (dpd.zeek)                  */
/* ------------------------------------------------------------------ */

static void queue(cl_analysis *ac, uint8_t type, cl_an *a, const char *name)
{
    if (ac->n_ev == ac->cap_ev) {
        uint16_t cap = ac->cap_ev ? (uint16_t)(ac->cap_ev * 2) : 4;
        cl_an_event *ev = cap > ac->cap_ev ? realloc(ac->ev, cap * sizeof *ev) : NULL;
        if (!ev)
            return; /* out of memory: the event is lost, the analysis goes on */
        ac->ev = ev;
        ac->cap_ev = cap;
    }
    ac->ev[ac->n_ev++] = (cl_an_event){type, a, name};
    mark_dirty(ac);
}

void cl_an_confirm(cl_an *a)
{
    if (a->flags & (CL_ANI_CONFIRMED | CL_ANI_REMOVED))
        return;
    a->flags |= CL_ANI_CONFIRMED | CL_ANI_CONFIRM_QUEUED;
    queue(a->ac, CL_EV_CONFIRM, a, a->kind->name);
}

void cl_an_violation(cl_an *a)
{
    /* DPD::ignore_violations: no event reaches dpd.zeek's handler. A
     * second violation before the drain changes nothing. */
    if ((a->kind->flags & CL_AN_F_IGNORE_VIOLATIONS) || (a->flags & CL_ANI_VIOLATION_QUEUED) ||
        (a->flags & CL_ANI_REMOVED))
        return;
    a->flags |= CL_ANI_VIOLATION_QUEUED;
    queue(a->ac, CL_EV_VIOLATION, a, a->kind->name);
}

void cl_an_stop(cl_an *a)
{
    remove_subtree(a);
    mark_dirty(a->ac);
}

bool cl_an_confirmed(const cl_an *a) { return (a->flags & CL_ANI_CONFIRMED) != 0; }

bool cl_an_removed(const cl_an *a) { return (a->flags & CL_ANI_REMOVED) != 0; }

static uint64_t conn_size(const cl_conn *c)
{
    if (c->proto == CL_PROTO_TCP) {
        const cl_tcp_conn *tc = cl_conn_tcp(c);
        return tc ? cl_tcp_size(CL_TCP_ORIG(tc), CL_TCP_RESP(tc)) +
                        cl_tcp_size(CL_TCP_RESP(tc), CL_TCP_ORIG(tc))
                  : 0;
    }
    const cl_datagram *dg = cl_conn_dg_const(c);
    uint64_t n = 0;
    for (int i = 0; i < 2; i++)
        if (dg->dlen[i] > 0)
            n += (uint64_t)dg->dlen[i];
    return n;
}

uint64_t cl_an_conn_size(const cl_an *a) { return conn_size(a->ac->c); }

/* dpd.zeek's analyzer_failed: a confirmed service is taken back out (or,
 * with DPD::track_removed_services_in_connection, "-name" is added) and
 * listed in failed_service. */
static void analyzer_failed(cl_analysis *ac, const char *name)
{
    cl_conn *c = ac->c;
    if (!cl_conn_has_service(c, name))
        return;
    cl_conn_add_failed_service(c, name);
    if (!ac->e->cfg.dpd_track_removed_services) {
        cl_conn_remove_service(c, name);
        return;
    }
    char removed[32];
    if (strlen(name) + 2 <= sizeof removed) {
        removed[0] = '-';
        strcpy(removed + 1, name);
        cl_conn_add_service(c, removed);
    }
}

/* dpd.zeek's analyzer_violation_info: within the first
 * ignore_violations_after bytes the analyzer is disabled (and
 * analyzer_failed follows); after that the violation is ignored. */
static void violation_event(cl_analysis *ac, cl_an *a)
{
    a->flags &= (uint8_t)~CL_ANI_VIOLATION_QUEUED;
    if (conn_size(ac->c) > DPD_IGNORE_VIOLATIONS_AFTER)
        return;
    remove_subtree(a);
    queue(ac, CL_EV_FAILED, NULL, a->kind->name);
}

static void apply_events(cl_analysis *ac)
{
    /* FAILED events are appended while this runs, and handled in turn. */
    for (uint16_t i = 0; i < ac->n_ev; i++) {
        cl_an_event ev = ac->ev[i];
        switch (ev.type) {
        case CL_EV_CONFIRM:
            ev.a->flags &= (uint8_t)~CL_ANI_CONFIRM_QUEUED;
            cl_conn_add_service(ac->c, ev.name);
            break;
        case CL_EV_VIOLATION:
            violation_event(ac, ev.a);
            break;
        default:
            analyzer_failed(ac, ev.name);
            break;
        }
    }
    ac->n_ev = 0;
}

/* Apply the events of one connection and free what was removed; the
 * analysis goes when nothing is left. Events queued meanwhile (failures)
 * are applied here too: the connection stays marked as on the list. */
static void settle_conn(cl_analysis *ac)
{
    apply_events(ac);
    sweep(&ac->list, false);
    if (!ac->list) {
        cl_conn *c = ac->c;
        ac_free(ac);
        c->an_flags &= (uint8_t)~CL_ANF_ON;
        return;
    }
    ac->on_dirty = false;
}

void cl_an_drain(cl_engine *e)
{
    while (e->an.dirty) {
        cl_analysis *ac = e->an.dirty;
        e->an.dirty = ac->dirty_next;
        ac->dirty_next = NULL;
        settle_conn(ac);
    }
}

void cl_an_release(cl_engine *e, cl_conn *c)
{
    cl_analysis *ac = c->an;
    if (!ac)
        return;
    if (ac->on_dirty) {
        for (cl_analysis **p = &e->an.dirty; *p; p = &(*p)->dirty_next)
            if (*p == ac) {
                *p = ac->dirty_next;
                break;
            }
    }
    ac->on_dirty = true; /* failures queued by what follows stay here */
    apply_events(ac);
    ac_free(ac);
    c->an_flags = 0;
}

/* ------------------------------------------------------------------ */
/* Children                                                              */
/* ------------------------------------------------------------------ */

static bool child_allowed(const cl_engine *e, const cl_analyzer *kind)
{
    int i = kind_index(kind);
    return e->an.children_ok || (i >= 0 && e->an.loaded[i]);
}

cl_an *cl_an_add_child(cl_an *parent, const cl_analyzer *kind)
{
    if (!kind || !live(parent) || !child_allowed(parent->ac->e, kind))
        return NULL;
    return cl_an_new(parent->ac, parent, kind, 0);
}

cl_an *cl_an_add_dpd_child(cl_an *parent)
{
    if (!live(parent))
        return NULL;
    return cl_an_new(parent->ac, parent, &cl_analyzer_pia, CL_ANI_PIA);
}

cl_an *cl_an_child(const cl_an *parent, const cl_analyzer *kind)
{
    return find_live(parent->children, kind);
}

void cl_an_deliver_one(cl_an *a, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len)
{
    if (live(a))
        a->kind->deliver(a, is_orig, off, p, len);
}

void cl_an_forward(cl_an *child, bool is_orig, uint64_t off, const uint8_t *p, uint32_t len)
{
    cl_an_deliver_one(child, is_orig, off, p, len);
}

void cl_an_forward_from(cl_an *child, bool is_orig, uint64_t base, uint64_t off,
                        const uint8_t *p, uint32_t len)
{
    if (off + len <= base)
        return;
    uint32_t skip = off < base ? (uint32_t)(base - off) : 0;
    cl_an_deliver_one(child, is_orig, off + skip - base, p + skip, len - skip);
}

void cl_an_forward_gap(cl_an *child, bool is_orig, uint64_t len)
{
    cl_an_gap_one(child, is_orig, len);
}

void cl_an_forward_eof(cl_an *child, bool is_orig)
{
    if (live(child) && child->kind->eof)
        child->kind->eof(child, is_orig);
}

/* A signature of `pia` enabled `kind`: attach it beside the PIA (or, for
 * a DPD child, below it) unless a live one is there, and replay. */
cl_an *cl_an_enable(cl_an *pia, const cl_analyzer *kind)
{
    cl_analysis *ac = pia->ac;
    cl_an *under = pia->parent ? pia : NULL;
    uint8_t t = transport_of(ac->c);
    if (!(kind->transport & t) || find_live(under ? under->children : ac->list, kind))
        return NULL;
    if (under && !child_allowed(ac->e, kind))
        return NULL;
    cl_an *a = cl_an_new(ac, under, kind, CL_ANI_NEW);
    if (a)
        cl_pia_replay(pia, a);
    return a;
}

/* ------------------------------------------------------------------ */
/* What analyzers may ask                                               */
/* ------------------------------------------------------------------ */

cl_conn *cl_an_conn(const cl_an *a) { return a->ac->c; }

cl_engine *cl_an_engine(const cl_an *a) { return a->ac->e; }

const cl_config *cl_an_config(const cl_an *a) { return &a->ac->e->cfg; }

bool cl_an_tcp_partial(const cl_an *a)
{
    const cl_tcp_conn *tc = cl_conn_tcp(a->ac->c);
    return tc && tc->is_partial;
}

void cl_an_limit_reached(cl_an *a) { cl_hist_check(a->ac->c, CL_HIST_LIMIT, 'X'); }

void cl_an_flip(cl_an *a) { cl_conn_flip(a->ac->e, a->ac->c); }

void cl_an_set_inactivity(cl_an *a, double seconds)
{
    cl_conn_set_inactivity(a->ac->e, a->ac->c, seconds);
}

void cl_an_add_service(cl_an *a, const char *name) { cl_conn_add_service(a->ac->c, name); }

void cl_an_expect(cl_an *a, const cl_addr *orig, const cl_addr *resp, uint16_t resp_p,
                  double timeout, const char *service)
{
    cl_expect_add(a->ac->e, orig, resp, resp_p, timeout, service);
}

void cl_an_expire_idle(cl_an *a, double interval)
{
    cl_analysis *ac = a->ac;
    if (ac->c->proto == CL_PROTO_TCP)
        return; /* the timer slot is one TCP uses */
    ac->idle_owner = a;
    ac->idle_interval = interval;
    cl_timers_set(&ac->e->timers, ac->c, CL_TIMER_AN_EXPIRE, ac->e->network_time + interval);
}

bool cl_an_timer(cl_engine *e, cl_conn *c, double now, bool terminating)
{
    cl_analysis *ac = c->an;
    if (!ac || !ac->idle_owner)
        return false;
    /* Zeek's DNS session expiry allows a second for one request and its
     * reply, so as not to set the timer twice in that common case. */
    if (terminating || now - c->last_time >= ac->idle_interval - 1.0) {
        cl_engine_remove(e, c);
        return true;
    }
    cl_timers_set(&e->timers, c, CL_TIMER_AN_EXPIRE, now + ac->idle_interval);
    return false;
}

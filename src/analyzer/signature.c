/*
 * signature.c - DPD signature patterns: a small regular expression
 * compiler (Thompson's construction) and a lazily built DFA per group of
 * patterns (one transport, one direction), as Zeek matches its rule sets.
 *
 * Why a DFA built on demand: a connection's first bytes are matched
 * against every loaded signature, so the cost per byte must not grow with
 * the number of signatures. The DFA states that real traffic reaches are
 * few (most patterns die on the first bytes); they are built the first
 * time a byte leads into them and kept for the engine's life, up to a
 * bound (a stream that would need more states stops matching).
 */
#include "analyzer/signature.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const cl_analyzer *const cl_analyzer_table[];

#define NONE (-1)
#define DFA_UNKNOWN 0xffffu
#define DFA_DEAD 0
#define DFA_MAX_STATES 4096     /* per group; 512 bytes of transitions each */
#define MAX_NODES 65536
#define MAX_REPEAT 1024

typedef struct byteset {
    uint8_t b[32];
} byteset;

static void bs_add(byteset *s, unsigned c) { s->b[c >> 3] |= (uint8_t)(1u << (c & 7)); }
static bool bs_has(const byteset *s, unsigned c) { return (s->b[c >> 3] >> (c & 7)) & 1; }

/* An NFA node: a byte class leading to out1, or an epsilon node with up
 * to two successors; an accepting node ends a signature's pattern. */
typedef struct nnode {
    int32_t out1, out2;
    int32_t ccl;                /* index into ccls, NONE for epsilon */
    int16_t accept;             /* the group's signature index, NONE */
} nnode;

typedef struct dstate {
    uint32_t set_off, set_len;  /* NFA nodes (sorted) in the group's pool */
    uint64_t accept;            /* group signature indexes accepted here */
    uint32_t hash;
} dstate;

typedef struct group {
    nnode *nodes;
    uint32_t n_nodes, cap_nodes;
    byteset *ccls;
    uint32_t n_ccls, cap_ccls;
    int32_t start;              /* NFA start node, NONE if no patterns */
    uint16_t n_sigs;
    uint16_t global[64];        /* group index -> signature index */

    dstate *states;
    uint32_t n_states, cap_states;
    uint16_t *next;             /* 256 per state */
    int32_t *pool;
    size_t n_pool, cap_pool;
    uint32_t *htab;             /* state index + 1; 0 = empty slot */
    uint32_t hcap;
    uint16_t start_state;
} group;

typedef struct sig {
    const cl_analyzer *kind;
    const cl_an_sig *def;
    int16_t reverse;            /* signature index, NONE */
} sig;

struct cl_sigset {
    group g[2][2];              /* [UDP?][responder?] */
    sig sigs[CL_SIG_MAX];
    unsigned n;
    /* scratch for closures */
    uint32_t *mark;
    uint32_t gen;
    int32_t *stack, *set;
    uint32_t scratch_cap;
};

/* ------------------------------------------------------------------ */
/* Building the NFA                                                    */
/* ------------------------------------------------------------------ */

typedef struct frag {
    int32_t start, end;         /* end: an epsilon node with no successor yet */
} frag;

typedef struct parser {
    group *g;
    const char *p, *end;
    const char *err;
} parser;

static int32_t node_new(parser *P, int32_t ccl)
{
    group *g = P->g;
    if (g->n_nodes == g->cap_nodes) {
        uint32_t cap = g->cap_nodes ? g->cap_nodes * 2 : 256;
        nnode *n = cap <= MAX_NODES ? realloc(g->nodes, cap * sizeof *n) : NULL;
        if (!n) {
            P->err = "pattern too large";
            return NONE;
        }
        g->nodes = n;
        g->cap_nodes = cap;
    }
    g->nodes[g->n_nodes] = (nnode){NONE, NONE, ccl, NONE};
    return (int32_t)g->n_nodes++;
}

static int32_t ccl_new(parser *P, const byteset *s)
{
    group *g = P->g;
    if (g->n_ccls == g->cap_ccls) {
        uint32_t cap = g->cap_ccls ? g->cap_ccls * 2 : 64;
        byteset *n = realloc(g->ccls, cap * sizeof *n);
        if (!n) {
            P->err = "out of memory";
            return NONE;
        }
        g->ccls = n;
        g->cap_ccls = cap;
    }
    g->ccls[g->n_ccls] = *s;
    return (int32_t)g->n_ccls++;
}

static frag frag_none(void) { return (frag){NONE, NONE}; }

static frag frag_set(parser *P, const byteset *s)
{
    int32_t c = ccl_new(P, s);
    int32_t a = c == NONE ? NONE : node_new(P, c);
    int32_t e = a == NONE ? NONE : node_new(P, NONE);
    if (e == NONE)
        return frag_none();
    P->g->nodes[a].out1 = e;
    return (frag){a, e};
}

static frag frag_empty(parser *P)
{
    int32_t e = node_new(P, NONE);
    return (frag){e, e};
}

static frag frag_cat(parser *P, frag a, frag b)
{
    if (a.start == NONE || b.start == NONE)
        return frag_none();
    P->g->nodes[a.end].out1 = b.start;
    return (frag){a.start, b.end};
}

static frag frag_alt(parser *P, frag a, frag b)
{
    if (a.start == NONE || b.start == NONE)
        return frag_none();
    int32_t s = node_new(P, NONE), e = s == NONE ? NONE : node_new(P, NONE);
    if (e == NONE)
        return frag_none();
    nnode *n = P->g->nodes;
    n[s].out1 = a.start;
    n[s].out2 = b.start;
    n[a.end].out1 = e;
    n[b.end].out1 = e;
    return (frag){s, e};
}

/* a*, a+ (plus) or a? (opt). */
static frag frag_loop(parser *P, frag a, char op)
{
    if (a.start == NONE)
        return frag_none();
    int32_t s = node_new(P, NONE), e = s == NONE ? NONE : node_new(P, NONE);
    if (e == NONE)
        return frag_none();
    nnode *n = P->g->nodes;
    n[s].out1 = a.start;
    n[s].out2 = op == '+' ? NONE : e;
    n[a.end].out1 = e;
    if (op != '?')
        n[a.end].out2 = a.start;
    return (frag){op == '+' ? a.start : s, e};
}

static frag parse_re(parser *P);

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* After a backslash: \xHH (one or two digits), octal (1-3 digits), a C
 * escape, or the character itself. */
static int parse_escape(parser *P)
{
    if (P->p >= P->end) {
        P->err = "trailing backslash";
        return -1;
    }
    char c = *P->p++;
    if (c == 'x' && P->p < P->end && hexval(*P->p) >= 0) {
        int v = hexval(*P->p++);
        if (P->p < P->end && hexval(*P->p) >= 0)
            v = v * 16 + hexval(*P->p++);
        return v;
    }
    if (c >= '0' && c <= '7') {
        int v = c - '0';
        for (int i = 0; i < 2 && P->p < P->end && *P->p >= '0' && *P->p <= '7'; i++)
            v = v * 8 + (*P->p++ - '0');
        return v & 0xff;
    }
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    case 'a': return '\a';
    default: return (unsigned char)c;
    }
}

static bool class_name(parser *P, byteset *s)
{
    static const char *const names[] = {"alnum", "alpha", "blank", "cntrl", "digit", "graph",
                                        "print", "punct", "space", "xdigit", "lower", "upper"};
    for (unsigned k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t n = strlen(names[k]);
        if ((size_t)(P->end - P->p) < n + 4 || strncmp(P->p + 2, names[k], n) != 0 ||
            strncmp(P->p + 2 + n, ":]", 2) != 0)
            continue;
        P->p += n + 4;
        for (unsigned c = 0; c < 256; c++) {
            bool in;
            bool up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z', dg = c >= '0' && c <= '9';
            bool pr = c >= 0x20 && c < 0x7f;
            switch (k) {
            case 0: in = up || lo || dg; break;
            case 1: in = up || lo; break;
            case 2: in = c == ' ' || c == '\t'; break;
            case 3: in = c < 0x20 || c == 0x7f; break;
            case 4: in = dg; break;
            case 5: in = pr && c != ' '; break;
            case 6: in = pr; break;
            case 7: in = pr && c != ' ' && !up && !lo && !dg; break;
            case 8: in = c == ' ' || (c >= '\t' && c <= '\r'); break;
            case 9: in = dg || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); break;
            case 10: in = lo; break;
            default: in = up; break;
            }
            if (in)
                bs_add(s, c);
        }
        return true;
    }
    return false;
}

/* [...] after the '[': a leading ^ negates; a ] right after [ or [^ is a
 * literal; a-b is a range unless the - comes last. */
static frag parse_class(parser *P)
{
    byteset s;
    memset(&s, 0, sizeof s);
    bool negate = false, first = true;
    if (P->p < P->end && *P->p == '^') {
        negate = true;
        P->p++;
    }
    for (;;) {
        if (P->p >= P->end) {
            P->err = "unterminated character class";
            return frag_none();
        }
        if (*P->p == ']' && !first) {
            P->p++;
            break;
        }
        first = false;
        if (*P->p == '[' && P->p + 1 < P->end && P->p[1] == ':') {
            if (!class_name(P, &s)) {
                P->err = "bad character class name";
                return frag_none();
            }
            continue;
        }
        int lo = *P->p == '\\' ? (P->p++, parse_escape(P)) : (unsigned char)*P->p++;
        int hi = lo;
        if (lo >= 0 && P->p + 1 < P->end && *P->p == '-' && P->p[1] != ']') {
            P->p++;
            hi = *P->p == '\\' ? (P->p++, parse_escape(P)) : (unsigned char)*P->p++;
        }
        if (lo < 0 || hi < 0)
            return frag_none();
        if (hi < lo) {
            P->err = "bad range in character class";
            return frag_none();
        }
        for (int c = lo; c <= hi; c++)
            bs_add(&s, (unsigned)c);
    }
    if (negate)
        for (unsigned i = 0; i < 32; i++)
            s.b[i] = (uint8_t)~s.b[i];
    return frag_set(P, &s);
}

static frag parse_atom(parser *P)
{
    byteset s;
    memset(&s, 0, sizeof s);
    char c = *P->p++;
    if (c == '(') {
        frag f = parse_re(P);
        if (P->p >= P->end || *P->p != ')') {
            if (!P->err)
                P->err = "missing )";
            return frag_none();
        }
        P->p++;
        return f;
    }
    if (c == '[')
        return parse_class(P);
    if (c == '.') {
        memset(&s, 0xff, sizeof s); /* signatures match across lines */
        return frag_set(P, &s);
    }
    int v = c == '\\' ? parse_escape(P) : (unsigned char)c;
    if (v < 0)
        return frag_none();
    bs_add(&s, (unsigned)v);
    return frag_set(P, &s);
}

static bool parse_number(parser *P, int *v)
{
    if (P->p >= P->end || *P->p < '0' || *P->p > '9')
        return false;
    *v = 0;
    while (P->p < P->end && *P->p >= '0' && *P->p <= '9' && *v <= MAX_REPEAT)
        *v = *v * 10 + (*P->p++ - '0');
    return *v <= MAX_REPEAT;
}

/* The singleton in [from, to) compiled once more (for {n,m}). */
static frag reparse(parser *P, const char *from, const char *to)
{
    parser Q = {P->g, from, to, NULL};
    frag f = parse_atom(&Q);
    while (!Q.err && Q.p < to && f.start != NONE) {
        char op = *Q.p++;
        if (op == '{') { /* an earlier repetition: rebuild the same way */
            Q.p--;
            break;
        }
        f = frag_loop(&Q, f, op);
    }
    if (Q.err)
        P->err = Q.err;
    return f;
}

/* x{n}, x{n,}, x{n,m}: n copies of x, then x* or m-n optional copies. */
static frag parse_repeat(parser *P, frag f, const char *from, const char *to)
{
    int lo, hi;
    P->p++; /* '{' */
    if (!parse_number(P, &lo)) {
        P->err = "bad repetition";
        return frag_none();
    }
    hi = lo;
    bool open = false;
    if (P->p < P->end && *P->p == ',') {
        P->p++;
        if (P->p < P->end && *P->p == '}')
            open = true;
        else if (!parse_number(P, &hi) || hi < lo) {
            P->err = "bad repetition";
            return frag_none();
        }
    }
    if (P->p >= P->end || *P->p != '}') {
        P->err = "bad repetition";
        return frag_none();
    }
    P->p++;
    frag out = frag_empty(P);
    for (int i = 0; i < lo && out.start != NONE; i++)
        out = frag_cat(P, out, i == 0 ? f : reparse(P, from, to));
    if (open)
        return frag_cat(P, out, frag_loop(P, lo == 0 ? f : reparse(P, from, to), '*'));
    for (int i = lo; i < hi && out.start != NONE; i++)
        out = frag_cat(P, out, frag_loop(P, i == 0 ? f : reparse(P, from, to), '?'));
    return out;
}

static frag parse_singleton(parser *P)
{
    const char *from = P->p;
    bool repeated = false;
    frag f = parse_atom(P);
    while (!P->err && f.start != NONE && P->p < P->end) {
        char op = *P->p;
        if (op == '*' || op == '+' || op == '?') {
            P->p++;
            f = frag_loop(P, f, op);
        } else if (op == '{' && !repeated) {
            f = parse_repeat(P, f, from, P->p);
            repeated = true;
        } else if (op == '{') {
            P->err = "nested repetition";
        } else {
            break;
        }
    }
    return f;
}

static frag parse_series(parser *P)
{
    frag f = frag_empty(P);
    while (!P->err && f.start != NONE && P->p < P->end && *P->p != '|' && *P->p != ')')
        f = frag_cat(P, f, parse_singleton(P));
    return f;
}

static frag parse_re(parser *P)
{
    frag f = parse_series(P);
    while (!P->err && f.start != NONE && P->p < P->end && *P->p == '|') {
        P->p++;
        f = frag_alt(P, f, parse_series(P));
    }
    return f;
}

/* Add one pattern to a group as its signature `local`. */
static const char *group_add(group *g, const char *pattern, unsigned local)
{
    parser P = {g, pattern, pattern + strlen(pattern), NULL};
    if (P.p < P.end && *P.p == '^')
        P.p++; /* patterns are anchored anyway */
    frag f = parse_re(&P);
    if (!P.err && P.p != P.end)
        P.err = "unbalanced )";
    if (!P.err && f.start == NONE)
        P.err = "out of memory";
    if (P.err)
        return P.err;
    g->nodes[f.end].accept = (int16_t)local;
    /* The group's start is a chain of epsilon nodes, one per pattern. */
    int32_t alt = node_new(&P, NONE);
    if (alt == NONE)
        return P.err;
    g->nodes[alt].out1 = f.start;
    g->nodes[alt].out2 = g->start;
    g->start = alt;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The lazy DFA                                                         */
/* ------------------------------------------------------------------ */

static bool scratch_fit(cl_sigset *s, uint32_t n)
{
    if (n <= s->scratch_cap)
        return true;
    uint32_t *m = realloc(s->mark, n * sizeof *m);
    if (m)
        s->mark = m;
    int32_t *st = realloc(s->stack, n * sizeof *st);
    if (st)
        s->stack = st;
    int32_t *se = realloc(s->set, n * sizeof *se);
    if (se)
        s->set = se;
    if (!m || !st || !se)
        return false;
    memset(s->mark + s->scratch_cap, 0, (n - s->scratch_cap) * sizeof *m);
    s->scratch_cap = n;
    return true;
}

/* Adds the epsilon closure of `node` to s->set (byte-class and accepting
 * nodes only), using s->mark with the current generation. */
static void closure(cl_sigset *s, const group *g, int32_t node, uint32_t *n_set)
{
    uint32_t sp = 0;
    if (node == NONE || s->mark[node] == s->gen)
        return;
    s->mark[node] = s->gen;
    s->stack[sp++] = node;
    while (sp) {
        const nnode *n = &g->nodes[s->stack[--sp]];
        int32_t id = (int32_t)(n - g->nodes);
        if (n->ccl != NONE || n->accept != NONE)
            s->set[(*n_set)++] = id;
        if (n->ccl != NONE)
            continue;
        int32_t outs[2] = {n->out2, n->out1};
        for (int k = 0; k < 2; k++)
            if (outs[k] != NONE && s->mark[outs[k]] != s->gen) {
                s->mark[outs[k]] = s->gen;
                s->stack[sp++] = outs[k];
            }
    }
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static uint32_t set_hash(const int32_t *v, uint32_t n)
{
    uint32_t h = 2166136261u ^ n;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (uint32_t)v[i]) * 16777619u;
    return h;
}

static bool grow_states(group *g)
{
    uint32_t cap = g->cap_states ? g->cap_states * 2 : 16;
    dstate *st = realloc(g->states, cap * sizeof *st);
    if (st)
        g->states = st;
    uint16_t *nx = realloc(g->next, (size_t)cap * 256 * sizeof *nx);
    if (nx)
        g->next = nx;
    if (!st || !nx)
        return false;
    g->cap_states = cap;
    /* The hash table stays at least twice the states' capacity. */
    uint32_t hcap = cap * 2;
    uint32_t *ht = calloc(hcap, sizeof *ht);
    if (!ht)
        return false;
    for (uint32_t i = 0; i < g->n_states; i++) {
        uint32_t k = g->states[i].hash & (hcap - 1);
        while (ht[k])
            k = (k + 1) & (hcap - 1);
        ht[k] = i + 1;
    }
    free(g->htab);
    g->htab = ht;
    g->hcap = hcap;
    return true;
}

/* The DFA state for the sorted node set s->set[0..n): found or added.
 * DFA_DEAD when the set is empty or the state bound is reached. */
static uint16_t state_for(cl_sigset *s, group *g, uint32_t n)
{
    if (n == 0 && g->n_states > 0)
        return DFA_DEAD;
    qsort(s->set, n, sizeof *s->set, cmp_i32);
    uint32_t h = set_hash(s->set, n);
    if (g->hcap) {
        for (uint32_t k = h & (g->hcap - 1); g->htab[k]; k = (k + 1) & (g->hcap - 1)) {
            const dstate *d = &g->states[g->htab[k] - 1];
            if (d->hash == h && d->set_len == n &&
                memcmp(g->pool + d->set_off, s->set, n * sizeof *s->set) == 0)
                return (uint16_t)(g->htab[k] - 1);
        }
    }
    if (g->n_states >= DFA_MAX_STATES)
        return DFA_DEAD;
    if (g->n_states == g->cap_states && !grow_states(g))
        return DFA_DEAD;
    if (g->n_pool + n > g->cap_pool) {
        size_t cap = (g->cap_pool + n) * 2;
        int32_t *pl = realloc(g->pool, cap * sizeof *pl);
        if (!pl)
            return DFA_DEAD;
        g->pool = pl;
        g->cap_pool = cap;
    }
    uint32_t id = g->n_states++;
    dstate *d = &g->states[id];
    d->set_off = (uint32_t)g->n_pool;
    d->set_len = n;
    d->hash = h;
    d->accept = 0;
    if (n)
        memcpy(g->pool + g->n_pool, s->set, n * sizeof *s->set);
    g->n_pool += n;
    for (uint32_t i = 0; i < n; i++)
        if (g->nodes[s->set[i]].accept != NONE)
            d->accept |= 1ull << g->nodes[s->set[i]].accept;
    for (unsigned b = 0; b < 256; b++)
        g->next[(size_t)id * 256 + b] = DFA_UNKNOWN;
    uint32_t k = h & (g->hcap - 1);
    while (g->htab[k])
        k = (k + 1) & (g->hcap - 1);
    g->htab[k] = id + 1;
    return (uint16_t)id;
}

static uint16_t dfa_step(cl_sigset *s, group *g, uint16_t from, uint8_t byte)
{
    uint16_t to = g->next[(size_t)from * 256 + byte];
    if (to != DFA_UNKNOWN)
        return to;
    const dstate *d = &g->states[from];
    uint32_t n = 0;
    s->gen++;
    for (uint32_t i = 0; i < d->set_len; i++) {
        const nnode *nd = &g->nodes[g->pool[d->set_off + i]];
        if (nd->ccl != NONE && bs_has(&g->ccls[nd->ccl], byte))
            closure(s, g, nd->out1, &n);
    }
    to = state_for(s, g, n);
    /* state_for may have moved g->next; index afresh. A dead end caused
     * by the state bound is remembered like any other. */
    g->next[(size_t)from * 256 + byte] = to;
    return to;
}

/* Build the dead state (0) and the start state of a group. */
static bool group_finish(cl_sigset *s, group *g)
{
    if (!scratch_fit(s, g->n_nodes + 1))
        return false;
    s->gen++;
    if (state_for(s, g, 0) != 0) /* the empty set: the dead state */
        return false;
    if (g->start == NONE) {
        g->start_state = DFA_DEAD;
        return true;
    }
    uint32_t n = 0;
    s->gen++;
    closure(s, g, g->start, &n);
    g->start_state = state_for(s, g, n);
    return g->start_state != DFA_DEAD;
}

static void group_free(group *g)
{
    free(g->nodes);
    free(g->ccls);
    free(g->states);
    free(g->next);
    free(g->pool);
    free(g->htab);
}

/* ------------------------------------------------------------------ */
/* Signature sets                                                       */
/* ------------------------------------------------------------------ */

static void set_bit(uint64_t *w, unsigned i) { w[i / 64] |= 1ull << (i % 64); }
static bool has_bit(const uint64_t *w, unsigned i) { return (w[i / 64] >> (i % 64)) & 1; }

static const char *add_to_group(group *g, const char *pattern, unsigned global)
{
    if (g->n_sigs == 64)
        return "more than 64 signatures for one transport and direction";
    g->global[g->n_sigs] = (uint16_t)global;
    return group_add(g, pattern, g->n_sigs++);
}

cl_sigset *cl_sigset_new(const bool *loaded, char *err, size_t errlen)
{
    cl_sigset *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int t = 0; t < 2; t++)
        for (int d = 0; d < 2; d++)
            s->g[t][d].start = NONE;
    const char *why = NULL;
    const char *where = "";
    for (unsigned i = 0; cl_analyzer_table[i] && !why; i++) {
        const cl_analyzer *k = cl_analyzer_table[i];
        if (!loaded[i] || !k->sigs || (k->flags & (CL_AN_F_REGISTER_ONLY | CL_AN_F_CHILD_ONLY)))
            continue;
        for (const cl_an_sig *d = k->sigs; d->name && !why; d++) {
            where = d->name;
            if (s->n == CL_SIG_MAX) {
                why = "too many signatures";
                break;
            }
            unsigned id = s->n++;
            s->sigs[id] = (sig){k, d, NONE};
            /* A signature without ip-proto applies where its analyzer runs. */
            uint8_t transports = d->transport ? d->transport : k->transport;
            for (int t = 0; t < 2 && !why; t++) {
                uint8_t tr = t ? CL_AN_UDP : CL_AN_TCP;
                if (!(transports & tr))
                    continue;
                for (int dir = 0; dir < 2 && !why; dir++) {
                    /* tcp-state only applies to TCP; for UDP it never holds. */
                    if (d->side == (dir ? CL_SIG_ORIG : CL_SIG_RESP))
                        continue;
                    if (d->side != CL_SIG_EITHER && tr == CL_AN_UDP)
                        continue;
                    why = add_to_group(&s->g[t][dir], d->payload, id);
                }
            }
        }
    }
    /* requires-reverse-signature names a signature of the same analyzer. */
    for (unsigned i = 0; i < s->n && !why; i++) {
        const char *r = s->sigs[i].def->requires_reverse;
        if (!r)
            continue;
        for (unsigned j = 0; j < s->n; j++)
            if (s->sigs[j].kind == s->sigs[i].kind && strcmp(s->sigs[j].def->name, r) == 0)
                s->sigs[i].reverse = (int16_t)j;
        if (s->sigs[i].reverse == NONE) {
            where = s->sigs[i].def->name;
            why = "requires an unknown signature";
        }
    }
    for (int t = 0; t < 2 && !why; t++)
        for (int d = 0; d < 2 && !why; d++)
            if (!group_finish(s, &s->g[t][d]))
                why = "out of memory";
    if (why) {
        snprintf(err, errlen, "signature %s: %s", where, why);
        cl_sigset_free(s);
        return NULL;
    }
    return s;
}

void cl_sigset_free(cl_sigset *s)
{
    if (!s)
        return;
    for (int t = 0; t < 2; t++)
        for (int d = 0; d < 2; d++)
            group_free(&s->g[t][d]);
    free(s->mark);
    free(s->stack);
    free(s->set);
    free(s);
}

bool cl_sigset_any(const cl_sigset *s, uint8_t transport)
{
    int t = transport == CL_AN_UDP;
    return s && (s->g[t][0].start != NONE || s->g[t][1].start != NONE);
}

void cl_sigmatch_init(const cl_sigset *s, cl_sigmatch *m, uint8_t transport)
{
    int t = transport == CL_AN_UDP;
    memset(m, 0, sizeof *m);
    m->dfa[0] = s->g[t][0].start_state;
    m->dfa[1] = s->g[t][1].start_state;
}

/* Fire the signatures of direction `dir` whose pattern matched and whose
 * conditions hold; true if any fired. */
static bool fire(cl_sigset *s, cl_sigmatch *m, int dir, cl_sig_enable_fn fn, void *ctx)
{
    bool any = false;
    for (unsigned i = 0; i < s->n; i++) {
        if (!has_bit(m->pattern[dir], i) || has_bit(m->fired[dir], i))
            continue;
        const sig *g = &s->sigs[i];
        uint32_t size = m->first_size[dir];
        if ((g->def->size_min && size < g->def->size_min) ||
            (g->def->size_max && size > g->def->size_max))
            continue;
        if (g->reverse != NONE && !has_bit(m->fired[!dir], (unsigned)g->reverse))
            continue;
        set_bit(m->fired[dir], i);
        any = true;
        /* A signature acts once per connection (Zeek's ExecRuleActions). */
        if (g->def->enable && !has_bit(m->fired[!dir], i))
            fn(ctx, g->kind);
    }
    return any;
}

void cl_sigmatch_feed(cl_sigset *s, cl_sigmatch *m, uint8_t transport, bool is_orig,
                      const uint8_t *p, uint32_t len, cl_sig_enable_fn fn, void *ctx)
{
    int t = transport == CL_AN_UDP, dir = is_orig ? 0 : 1;
    group *g = &s->g[t][dir];
    uint16_t st = m->dfa[dir];
    uint64_t acc = 0;
    if (!m->started[dir] || t) {
        /* A stream's first chunk, or any datagram: from the start. */
        st = g->start_state;
        m->started[dir] = true;
        m->first_size[dir] = len;
        acc |= g->states[st].accept;
    }
    for (uint32_t i = 0; i < len && st != DFA_DEAD; i++) {
        st = dfa_step(s, g, st, p[i]);
        acc |= g->states[st].accept;
    }
    if (!t)
        m->dfa[dir] = st;
    if (!acc)
        return;
    for (unsigned k = 0; k < g->n_sigs; k++)
        if ((acc >> k) & 1)
            set_bit(m->pattern[dir], g->global[k]);
    /* A firing can complete a signature of the other direction that
     * waited for it (requires-reverse-signature), and so on. */
    bool more = fire(s, m, dir, fn, ctx);
    while (more)
        more = fire(s, m, !dir, fn, ctx) | fire(s, m, dir, fn, ctx);
}

bool cl_sigmatch_dead(const cl_sigset *s, const cl_sigmatch *m, uint8_t transport)
{
    if (transport == CL_AN_UDP)
        return !cl_sigset_any(s, CL_AN_UDP);
    return m->dfa[0] == DFA_DEAD && m->dfa[1] == DFA_DEAD;
}

int cl_sig_pattern_test(const char *pattern, const uint8_t *p, size_t len)
{
    cl_sigset *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    group *g = &s->g[0][0];
    g->start = NONE;
    int r = -1;
    if (!add_to_group(g, pattern, 0) && group_finish(s, g)) {
        uint16_t st = g->start_state;
        r = (g->states[st].accept & 1) != 0;
        for (size_t i = 0; i < len && !r && st != DFA_DEAD; i++) {
            st = dfa_step(s, g, st, p[i]);
            r = (g->states[st].accept & 1) != 0;
        }
    }
    group_free(g);
    free(s->mark);
    free(s->stack);
    free(s->set);
    free(s);
    return r;
}

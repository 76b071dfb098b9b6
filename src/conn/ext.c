/*
 * ext.c - a connection's rarely needed part, and its service list.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "engine.h"

cl_conn_ext *cl_conn_ext_get(cl_conn *c)
{
    if (!c->ext)
        c->ext = calloc(1, sizeof *c->ext);
    return c->ext;
}

void cl_conn_ext_free(cl_conn *c)
{
    if (!c->ext)
        return;
    free(c->ext->encap);
    free(c->ext->parents);
    free(c->ext);
    c->ext = NULL;
}

/* Where `name` stands in the comma-separated list, or NULL. */
static char *find_service(char *svc, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (char *s = svc; *s;) {
        char *comma = strchr(s, ',');
        size_t l = comma ? (size_t)(comma - s) : strlen(s);
        if (l == n && memcmp(s, name, n) == 0) {
            *len = l;
            return s;
        }
        s += l + (comma ? 1 : 0);
    }
    return NULL;
}

void cl_conn_add_service(cl_conn *c, const char *name)
{
    cl_conn_ext *x = cl_conn_ext_get(c);
    if (!x)
        return;
    size_t have = strlen(x->service), n = strlen(name), l;
    if (find_service(x->service, name, &l))
        return;
    if (have + (have ? 1 : 0) + n + 1 > sizeof x->service)
        return;
    if (have)
        x->service[have++] = ',';
    memcpy(x->service + have, name, n + 1);
}

bool cl_conn_has_service(const cl_conn *c, const char *name)
{
    size_t l;
    return c->ext && find_service(c->ext->service, name, &l) != NULL;
}

void cl_conn_add_failed_service(cl_conn *c, const char *name)
{
    cl_conn_ext *x = cl_conn_ext_get(c);
    if (!x || strlen(name) >= sizeof x->failed[0])
        return;
    for (unsigned i = 0; i < x->n_failed; i++)
        if (strcmp(x->failed[i], name) == 0)
            return;
    if (x->n_failed < sizeof x->failed / sizeof x->failed[0])
        strcpy(x->failed[x->n_failed++], name);
}

void cl_conn_remove_service(cl_conn *c, const char *name)
{
    size_t l;
    char *at = c->ext ? find_service(c->ext->service, name, &l) : NULL;
    if (!at)
        return;
    char *rest = at + l;
    if (*rest == ',')
        rest++;
    else if (at > c->ext->service)
        at--; /* the last one: drop the comma before it */
    memmove(at, rest, strlen(rest) + 1);
}

/*
 * ext.c - a connection's rarely needed part.
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

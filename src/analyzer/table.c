/*
 * table.c - every application analyzer connlog has, registered once.
 *
 * The order is the order in which analyzers attached by the same port are
 * fed (and so, when two confirm on the same bytes, the order of their
 * names in `service`). Add an analyzer: its file under protocol/, one
 * extern line and one table line here, and its tests.
 */
#include "analyzer/analyzer.h"

#include <string.h>

extern const cl_analyzer cl_analyzer_dns;

const cl_analyzer *const cl_analyzer_table[] = {
    &cl_analyzer_dns,
    NULL,
};

const cl_analyzer *cl_analyzer_find(const char *name)
{
    for (const cl_analyzer *const *a = cl_analyzer_table; *a; a++)
        if (strcmp((*a)->name, name) == 0)
            return *a;
    return NULL;
}

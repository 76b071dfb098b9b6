/*
 * tsv_writer.c - Zeek's ASCII log format (logging/writers/ascii/Ascii.cc):
 * meta header, tab-separated records, #close footer.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log/format.h"
#include "log/writer_int.h"

/* Wall-clock local time as Zeek writes #open and #close. */
static void wall_time(char *out, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) || strftime(out, n, "%Y-%m-%d-%H-%M-%S", &tm) == 0)
        snprintf(out, n, "0000-00-00-00-00-00");
}

static int append_str(cl_writer *w, const char *s)
{
    return cl_writer_append(w, s, strlen(s));
}

static int header_columns(cl_writer *w, const char *tag, bool types)
{
    if (append_str(w, tag) != 0)
        return -1;
    for (size_t i = 0; i < w->n_cols; i++) {
        const char *s = types ? col_type(w->cols[i]) : col_name(w->cols[i]);
        if (append_str(w, "\t") != 0 || append_str(w, s) != 0)
            return -1;
    }
    return append_str(w, "\n");
}

int cl_tsv_header(cl_writer *w)
{
    char when[64], line[256];
    wall_time(when, sizeof when);
    snprintf(line, sizeof line,
             "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
             "#unset_field\t-\n#path\tconn\n#open\t%s\n",
             when);
    if (append_str(w, line) != 0)
        return -1;
    if (header_columns(w, "#fields", false) != 0)
        return -1;
    return header_columns(w, "#types", true);
}

int cl_tsv_footer(cl_writer *w)
{
    char when[64], line[96];
    wall_time(when, sizeof when);
    snprintf(line, sizeof line, "#close\t%s\n", when);
    return append_str(w, line);
}

static char *tsv_set(char *p, const col_value *v)
{
    for (size_t i = 0; i < v->len; i++) {
        const char *s = v->set[i] ? v->set[i] : "";
        if (i)
            *p++ = ',';
        p = cl_fmt_tsv_string(p, s, strlen(s), true);
    }
    return p;
}

static char *tsv_value(char *p, const col_value *v)
{
    switch (v->kind) {
    case VAL_COUNT: return cl_fmt_u64(p, v->u);
    case VAL_INT: return cl_fmt_i64(p, v->i);
    case VAL_TIME: return cl_fmt_time(p, v->d);
    case VAL_BOOL: *p++ = v->b ? 'T' : 'F'; return p;
    case VAL_STRING:
    case VAL_ENUM: return cl_fmt_tsv_string(p, v->s, v->len, false);
    case VAL_ADDR: return cl_fmt_addr(p, v->addr);
    case VAL_MAC: return cl_fmt_mac(p, v->mac);
    case VAL_SET: return tsv_set(p, v);
    default: *p++ = '-'; return p;
    }
}

char *cl_tsv_line(const cl_writer *w, const col_value *vals, char *p)
{
    for (size_t i = 0; i < w->n_cols; i++) {
        if (i)
            *p++ = '\t';
        p = tsv_value(p, &vals[i]);
    }
    *p++ = '\n';
    return p;
}

/*
 * json_writer.c - Zeek's JSON lines (LogAscii::use_json): one compact
 * object per record, keys in column order, no header.
 */
#include <string.h>

#include "log/dtoa.h"
#include "log/format.h"
#include "log/writer_int.h"

static char *json_set(char *p, const col_value *v)
{
    *p++ = '[';
    for (size_t i = 0; i < v->len; i++) {
        const char *s = v->set[i] ? v->set[i] : "";
        if (i)
            *p++ = ',';
        p = cl_fmt_json_string(p, s, strlen(s));
    }
    *p++ = ']';
    return p;
}

static char *json_text(char *p, const char *s, size_t n)
{
    *p++ = '"';
    memcpy(p, s, n);
    p += n;
    *p++ = '"';
    return p;
}

static char *json_value(char *p, const col_value *v)
{
    char text[CL_FMT_ADDR_MAX];
    switch (v->kind) {
    case VAL_COUNT: return cl_fmt_u64(p, v->u);
    case VAL_INT: return cl_fmt_i64(p, v->i);
    case VAL_TIME: return cl_dtoa(p, v->d);
    case VAL_BOOL:
        memcpy(p, v->b ? "true" : "false", v->b ? 4 : 5);
        return p + (v->b ? 4 : 5);
    case VAL_STRING:
    case VAL_ENUM: return cl_fmt_json_string(p, v->s, v->len);
    case VAL_ADDR: return json_text(p, text, (size_t)(cl_fmt_addr(text, v->addr) - text));
    case VAL_MAC: return json_text(p, text, (size_t)(cl_fmt_mac(text, v->mac) - text));
    case VAL_SET: return json_set(p, v);
    default: memcpy(p, "null", 4); return p + 4;
    }
}

char *cl_json_line(const cl_writer *w, const col_value *vals, char *p)
{
    bool first = true;
    *p++ = '{';
    for (size_t i = 0; i < w->n_cols; i++) {
        if (vals[i].kind == VAL_UNSET && !w->json_include_unset)
            continue;
        if (!first)
            *p++ = ',';
        first = false;
        const char *name = col_name(w->cols[i]);
        p = json_text(p, name, strlen(name));
        *p++ = ':';
        p = json_value(p, &vals[i]);
    }
    *p++ = '}';
    *p++ = '\n';
    return p;
}

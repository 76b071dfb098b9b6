/*
 * writer_int.h - the writer object shared by writer.c (output, buffering,
 * errors) and the two formats (tsv_writer.c, json_writer.c).
 */
#ifndef CL_LOG_WRITER_INT_H
#define CL_LOG_WRITER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "connlog.h"
#include "log/columns.h"

#define CL_WRITER_BUF (256 * 1024)

struct cl_writer {
    cl_format format;
    bool json_include_unset;
    char *path;
    int fd;
    bool opened, closed, failed;
    col_id cols[CL_MAX_COLUMNS];
    size_t n_cols;
    char *buf;
    size_t len, cap;
    char err[256];
};

/* Make room for n more bytes (flushing or growing). 0, or -1 on error. */
int cl_writer_reserve(cl_writer *w, size_t n);
/* Append text that the caller bounds itself (header, footer). */
int cl_writer_append(cl_writer *w, const char *s, size_t n);

/* TSV: header lines, one record line (written at p, room checked by the
 * caller with col_bound; returns its end), the #close footer. */
int cl_tsv_header(cl_writer *w);
char *cl_tsv_line(const cl_writer *w, const col_value *vals, char *p);
int cl_tsv_footer(cl_writer *w);

/* JSON: one object per line (as cl_tsv_line). */
char *cl_json_line(const cl_writer *w, const col_value *vals, char *p);

#endif /* CL_LOG_WRITER_INT_H */

/*
 * writer.c - the public writer API: options, lazy file creation, a large
 * output buffer drained with big write() calls, sticky I/O errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/writer_int.h"

static void fail(cl_writer *w, const char *what)
{
    if (!w->failed)
        snprintf(w->err, sizeof w->err, "%s: %s: %s", w->path, what, strerror(errno));
    w->failed = true;
}

static int write_all(cl_writer *w, const char *p, size_t n)
{
    while (n) {
        ssize_t r = write(w->fd, p, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fail(w, "write");
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int flush(cl_writer *w)
{
    if (w->failed)
        return -1;
    int rc = write_all(w, w->buf, w->len);
    w->len = 0;
    return rc;
}

int cl_writer_reserve(cl_writer *w, size_t n)
{
    if (w->failed)
        return -1;
    if (w->len + n <= w->cap)
        return 0;
    if (flush(w) != 0)
        return -1;
    if (n <= w->cap)
        return 0;
    char *nb = realloc(w->buf, n);
    if (!nb) {
        errno = ENOMEM;
        fail(w, "buffer");
        return -1;
    }
    w->buf = nb;
    w->cap = n;
    return 0;
}

int cl_writer_append(cl_writer *w, const char *s, size_t n)
{
    if (cl_writer_reserve(w, n) != 0)
        return -1;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    return 0;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

static int check_options(const cl_writer_options *opt, char *err, size_t errlen)
{
    if (!opt || !opt->path || !*opt->path) {
        set_err(err, errlen, "writer: no output path");
        return -1;
    }
    if (opt->format != CL_FORMAT_TSV && opt->format != CL_FORMAT_JSON) {
        set_err(err, errlen, "writer: unknown format");
        return -1;
    }
    if (opt->n_extra > CL_MAX_EXTRA_COLUMNS) {
        set_err(err, errlen, "writer: too many extra columns");
        return -1;
    }
    for (size_t i = 0; i < opt->n_extra; i++) {
        if (opt->extra[i] < CL_COL_IP_PROTO || opt->extra[i] > CL_COL_FAILED_SERVICE) {
            set_err(err, errlen, "writer: unknown extra column");
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (opt->extra[j] == opt->extra[i]) {
                set_err(err, errlen, "writer: extra column given twice");
                return -1;
            }
    }
    return 0;
}

cl_writer *cl_writer_new(const cl_writer_options *opt, char *err, size_t errlen)
{
    if (check_options(opt, err, errlen) != 0)
        return NULL;
    cl_writer *w = calloc(1, sizeof *w);
    if (w) {
        w->path = strdup(opt->path);
        w->buf = malloc(CL_WRITER_BUF);
    }
    if (!w || !w->path || !w->buf) {
        set_err(err, errlen, "writer: out of memory");
        cl_writer_free(w);
        return NULL;
    }
    w->format = opt->format;
    w->json_include_unset = opt->json_include_unset;
    w->cap = CL_WRITER_BUF;
    w->fd = -1;
    w->n_cols = col_layout(opt->extra, opt->n_extra, w->cols);
    return w;
}

/* As Zeek: the file appears with the first record, truncating any old one. */
static int open_output(cl_writer *w)
{
    if (strcmp(w->path, "-") == 0) {
        w->fd = STDOUT_FILENO;
    } else {
        w->fd = open(w->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (w->fd < 0) {
            fail(w, "open");
            return -1;
        }
    }
    w->opened = true;
    return w->format == CL_FORMAT_TSV ? cl_tsv_header(w) : 0;
}

/* The record's column values, and a bound on the length of its line. */
static size_t line_values(const cl_writer *w, const cl_conn_record *rec, col_value *vals)
{
    size_t bound = 4;
    for (size_t i = 0; i < w->n_cols; i++) {
        col_get(w->cols[i], rec, &vals[i]);
        bound += col_bound(&vals[i]);
    }
    return bound;
}

static char *line(const cl_writer *w, const col_value *vals, char *p)
{
    return w->format == CL_FORMAT_TSV ? cl_tsv_line(w, vals, p) : cl_json_line(w, vals, p);
}

int cl_writer_write(cl_writer *w, const cl_conn_record *rec)
{
    if (w->failed || w->closed)
        return -1;
    if (!w->opened && open_output(w) != 0)
        return -1;
    col_value vals[CL_MAX_COLUMNS];
    size_t bound = line_values(w, rec, vals);
    if (cl_writer_reserve(w, bound) != 0)
        return -1;
    w->len = (size_t)(line(w, vals, w->buf + w->len) - w->buf);
    return 0;
}

size_t cl_writer_format(const cl_writer *w, const cl_conn_record *rec, char *out, size_t cap)
{
    col_value vals[CL_MAX_COLUMNS];
    if (line_values(w, rec, vals) > cap)
        return 0;
    return (size_t)(line(w, vals, out) - out);
}

int cl_writer_write_lines(cl_writer *w, const char *lines, size_t len)
{
    if (w->failed || w->closed)
        return -1;
    if (!w->opened && open_output(w) != 0)
        return -1;
    return len ? cl_writer_append(w, lines, len) : 0;
}

void cl_writer_record_fn(const cl_conn_record *rec, void *writer)
{
    (void)cl_writer_write(writer, rec); /* errors stay in cl_writer_error */
}

int cl_writer_close(cl_writer *w)
{
    if (w->closed)
        return w->failed ? -1 : 0;
    w->closed = true;
    if (!w->opened)
        return w->failed ? -1 : 0;
    if (w->format == CL_FORMAT_TSV && !w->failed)
        (void)cl_tsv_footer(w);
    (void)flush(w);
    if (w->fd != STDOUT_FILENO && close(w->fd) != 0)
        fail(w, "close");
    w->fd = -1;
    return w->failed ? -1 : 0;
}

const char *cl_writer_error(const cl_writer *w)
{
    return w->failed ? w->err : NULL;
}

void cl_writer_free(cl_writer *w)
{
    if (!w)
        return;
    if (w->buf && w->path && !w->closed)
        (void)cl_writer_close(w);
    free(w->buf);
    free(w->path);
    free(w);
}

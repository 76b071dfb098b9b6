/*
 * mysql.h - the MySQL analyzer (mysql.c), fed by the stream dispatcher on
 * ports 1434 and 3306.
 */
#ifndef CL_DETECT_MYSQL_H
#define CL_DETECT_MYSQL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cl_mysql cl_mysql;

/* cl_mysql_feed results */
enum { MYSQL_MORE = 0, MYSQL_CONFIRM, MYSQL_TLS, MYSQL_DONE };

cl_mysql *cl_mysql_new(void);
void cl_mysql_free(cl_mysql *m);
/* In-order payload of one direction (`off`: its stream offset).
 * MYSQL_CONFIRM: the client answered the server's greeting; MYSQL_TLS: and
 * asked for TLS, which starts at the offsets cl_mysql_tls_offsets gives;
 * MYSQL_DONE: nothing more to learn. */
int cl_mysql_feed(cl_mysql *m, bool is_orig, uint64_t off, const uint8_t *p, uint32_t n);
void cl_mysql_tls_offsets(const cl_mysql *m, uint64_t *orig, uint64_t *resp);

#endif /* CL_DETECT_MYSQL_H */

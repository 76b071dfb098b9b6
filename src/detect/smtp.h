/*
 * smtp.h - the SMTP analyzer (smtp.c), fed by the stream dispatcher.
 */
#ifndef CL_DETECT_SMTP_H
#define CL_DETECT_SMTP_H

#include <stdbool.h>
#include <stdint.h>

struct cl_engine;
struct cl_conn;
typedef struct cl_smtp cl_smtp;

cl_smtp *cl_smtp_new(void);
void cl_smtp_free(cl_smtp *s);
/* In-order payload of one direction. */
void cl_smtp_feed(struct cl_engine *e, struct cl_conn *c, cl_smtp *s, bool is_orig,
                  uint64_t off, const uint8_t *p, uint32_t n);
/* Nothing more to learn: a violation, or the session turned to TLS. */
bool cl_smtp_done(const cl_smtp *s);
/* After "220" to STARTTLS: true, with where TLS starts in the client's and
 * the server's stream. */
bool cl_smtp_tls(const cl_smtp *s, uint64_t *orig, uint64_t *resp);

#endif /* CL_DETECT_SMTP_H */

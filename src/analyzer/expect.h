/*
 * expect.h - expected connections (Zeek's Analyzer::schedule_analyzer),
 * as analyzers announce them: FTP and GridFTP data channels, IRC DCC.
 */
#ifndef CL_AN_EXPECT_H
#define CL_AN_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "connlog.h"

struct cl_engine;
struct cl_conn;

/* A TCP connection from `orig` (NULL: any address) to resp:resp_p
 * created within `timeout` seconds gets `service`. */
void cl_expect_add(struct cl_engine *e, const cl_addr *orig, const cl_addr *resp,
                   uint16_t resp_p, double timeout, const char *service);
/* A new TCP connection: add the services it was expected with; true when
 * it was expected (Zeek then attaches no port analyzers). */
bool cl_expect_apply(struct cl_engine *e, struct cl_conn *c);
void cl_expect_free(struct cl_engine *e);

#endif /* CL_AN_EXPECT_H */

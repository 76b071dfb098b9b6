/*
 * postgresql.h - the PostgreSQL analyzer (postgresql.c), fed by the
 * stream dispatcher, which decides whether its verdicts count (attached
 * by port, or both DPD signatures matched).
 */
#ifndef CL_DETECT_POSTGRESQL_H
#define CL_DETECT_POSTGRESQL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cl_pgsql cl_pgsql;

/* cl_pgsql_verdict flags. */
enum { PG_CONFIRM = 1, PG_VIOLATION = 2, PG_TLS = 4 };
/* Which client signature matched. */
enum { PG_SIG_NONE = 0, PG_SIG_SSL, PG_SIG_STARTUP };

cl_pgsql *cl_pgsql_new(void);
void cl_pgsql_free(cl_pgsql *p);
/* In-order payload; `off` is its offset in the direction's stream. */
void cl_pgsql_feed(cl_pgsql *p, bool is_orig, uint64_t off, const uint8_t *d, uint32_t n);
int cl_pgsql_verdict(const cl_pgsql *p);
/* With PG_TLS: where TLS begins in the client's and the server's stream. */
void cl_pgsql_tls_offsets(const cl_pgsql *p, uint64_t *orig, uint64_t *resp);

int cl_pgsql_client_signature(const uint8_t *head, uint32_t n);
bool cl_pgsql_server_signature(int client_sig, const uint8_t *head, uint32_t n);

#endif /* CL_DETECT_POSTGRESQL_H */

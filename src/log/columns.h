/*
 * columns.h - conn.log columns: names, Zeek types, and the value of each
 * column for a record, shared by the TSV and JSON writers.
 */
#ifndef CL_LOG_COLUMNS_H
#define CL_LOG_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connlog.h"

typedef enum col_id {
    COL_TS, COL_UID, COL_ORIG_H, COL_ORIG_P, COL_RESP_H, COL_RESP_P, COL_PROTO,
    COL_SERVICE, COL_DURATION, COL_ORIG_BYTES, COL_RESP_BYTES, COL_CONN_STATE,
    COL_LOCAL_ORIG, COL_LOCAL_RESP, COL_MISSED_BYTES, COL_HISTORY, COL_ORIG_PKTS,
    COL_ORIG_IP_BYTES, COL_RESP_PKTS, COL_RESP_IP_BYTES, COL_TUNNEL_PARENTS,
    COL_N_DEFAULT,
    /* Optional columns: COL_N_DEFAULT - 1 + their cl_column number. */
    COL_IP_PROTO = COL_N_DEFAULT, COL_ORIG_L2, COL_RESP_L2, COL_VLAN, COL_INNER_VLAN,
    COL_PPPOE, COL_SPECULATIVE, COL_COMMUNITY_ID, COL_CTX_VLAN, COL_CTX_INNER_VLAN,
    COL_FAILED_SERVICE,
    COL_N_ALL
} col_id;

#define CL_MAX_COLUMNS (COL_N_DEFAULT + CL_MAX_EXTRA_COLUMNS)

typedef enum val_kind {
    VAL_UNSET, VAL_COUNT, VAL_INT, VAL_TIME, VAL_BOOL, VAL_STRING, VAL_ENUM,
    VAL_ADDR, VAL_MAC, VAL_SET
} val_kind;

typedef struct col_value {
    val_kind kind;
    uint64_t u;          /* count, port */
    int64_t i;           /* int */
    double d;            /* time, interval */
    bool b;
    const char *s;       /* string, enum */
    size_t len;          /* string length, or set size */
    const cl_addr *addr;
    const uint8_t *mac;
    const char *const *set;
} col_value;

const char *col_name(col_id c);
const char *col_type(col_id c); /* Zeek's type name for #types */

/* Columns in output order for these options; returns how many. */
size_t col_layout(const cl_column *extra, size_t n_extra, col_id out[CL_MAX_COLUMNS]);

/* The value of column c for rec. */
void col_get(col_id c, const cl_conn_record *rec, col_value *v);

/* Upper bound of the formatted size of v (either format, with name). */
size_t col_bound(const col_value *v);

#endif /* CL_LOG_COLUMNS_H */

/*
 * shard.h - spreading packets over several engines, one per thread.
 *
 * The reading thread hashes each packet's outermost IP address pair
 * (symmetric, so both directions, every fragment and everything inside a
 * tunnel land together) and either processes it itself (shard 0) or copies
 * it into the ring of the worker that owns the shard. Workers also receive
 * the reader's clock, so their timers fire even when they see no packets.
 * With one shard this is just one engine, no threads.
 */
#ifndef CL_CLI_SHARD_H
#define CL_CLI_SHARD_H

#include <stddef.h>

#include "connlog.h"

#define CLI_MAX_THREADS 64

typedef struct cli_shards cli_shards;

/* Where records go. With several engines, and format and lines set, each
 * engine formats its own records into a batch of lines (format: 0 when
 * the room is too small) and full batches go to lines, one call at a
 * time; otherwise (and for a record longer than a batch) to record, one
 * call at a time. */
typedef struct cli_output {
    cl_record_fn record;
    size_t (*format)(const cl_conn_record *rec, char *out, size_t cap, void *user);
    void (*lines)(const char *data, size_t len, uint64_t n_records, void *user);
    void *user;
} cli_output;

/* n engines (n-1 worker threads). Returns NULL with a message in err on
 * failure. */
cli_shards *cli_shards_start(const cl_config *cfg, unsigned n, const cli_output *out, char *err,
                             size_t errlen);
void cli_shards_packet(cli_shards *s, const cl_packet *pkt);
/* pkt comes to cli_shards_packet soon, with its data in place until then
 * (cl_engine_prefetch). */
void cli_shards_prefetch(cli_shards *s, const cl_packet *pkt);
/* How many packets the reader should hold back after announcing them. */
unsigned cli_shards_lookahead(const cli_shards *s);
/* Network time moves on without a packet (live capture, idle). */
void cli_shards_advance(cli_shards *s, double now);
/* End of input: every engine finishes its connections; workers stop. */
void cli_shards_finish(cli_shards *s);
/* Sum of the engines' counters (after cli_shards_finish). */
void cli_shards_stats(const cli_shards *s, cl_stats *sum);
void cli_shards_free(cli_shards *s);

#endif /* CL_CLI_SHARD_H */

/*
 * run.c - the connlog main loop.
 *
 * Packets go from the sources, one file after another (or a live
 * interface), into one engine; records go from the engine's callback into
 * the writer. SIGINT/SIGTERM only set a flag: the loop stops reading, the
 * engine is flushed and the writer closed, so every tracked connection is
 * written.
 */
#include "cli/run.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/pcap_source.h"
#include "cli/shard.h"

/* The one piece of mutable global state: set by the signal handler. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking read of stdin returns EINTR so the loop
     * notices the flag. */
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

typedef struct out_ctx {
    cl_writer *w;
    const char *path;
    int failed;          /* 0, or the exit code of the first write error */
    uint64_t written;
} out_ctx;

/* The first write error: the file is created with the first record, so
 * failing then means it could not be created. */
static void write_failed(out_ctx *o)
{
    o->failed = o->written == 0 ? CLI_EXIT_CANTCREAT : CLI_EXIT_IOERR;
    fprintf(stderr, "connlog: %s: %s\n", o->path, cl_writer_error(o->w));
}

static void on_record(const cl_conn_record *rec, void *user)
{
    out_ctx *o = user;
    if (o->failed)
        return;
    if (cl_writer_write(o->w, rec) != 0) {
        write_failed(o);
        return;
    }
    o->written++;
}

/* With --threads: each engine formats its records itself (on_format), and
 * the lines of many come here at once. */
static size_t on_format(const cl_conn_record *rec, char *buf, size_t cap, void *user)
{
    const out_ctx *o = user;
    return cl_writer_format(o->w, rec, buf, cap);
}

static void on_lines(const char *data, size_t len, uint64_t n, void *user)
{
    out_ctx *o = user;
    if (o->failed)
        return;
    if (cl_writer_write_lines(o->w, data, len) != 0) {
        write_failed(o);
        return;
    }
    o->written += n;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fail early, before any packet is read, on inputs that cannot be opened. */
static int precheck_inputs(const cli_options *opt)
{
    for (size_t i = 0; i < opt->n_inputs; i++) {
        const char *path = opt->inputs[i];
        if (strcmp(path, "-") == 0)
            continue;
        FILE *f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "connlog: %s: cannot open: %s\n", path, strerror(errno));
            return CLI_EXIT_NOINPUT;
        }
        fclose(f);
    }
    return 0;
}

/* Make sure DIR exists and is writable; build DIR/conn.log. */
static int prepare_output(const char *dir, char *path, size_t len)
{
    if (strcmp(dir, "-") == 0) {
        snprintf(path, len, "-");
        return 0;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "connlog: %s: cannot create directory: %s\n", dir, strerror(errno));
        return CLI_EXIT_CANTCREAT;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "connlog: %s: not a directory\n", dir);
        return CLI_EXIT_CANTCREAT;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "connlog: %s: cannot write here: %s\n", dir, strerror(errno));
        return CLI_EXIT_CANTCREAT;
    }
    size_t n = strlen(dir);
    const char *sep = (n > 0 && dir[n - 1] == '/') ? "" : "/";
    if ((size_t)snprintf(path, len, "%s%sconn.log", dir, sep) >= len) {
        fprintf(stderr, "connlog: %s: path too long\n", dir);
        return CLI_EXIT_CANTCREAT;
    }
    return 0;
}

static void print_stats(const cl_stats *st)
{
    fprintf(stderr, "connlog: stats: packets %" PRIu64 "\n", st->packets);
    fprintf(stderr, "connlog: stats: bytes %" PRIu64 "\n", st->bytes);
    for (int i = 1; i < CL_SKIP_COUNT; i++)
        fprintf(stderr, "connlog: stats: skipped %s %" PRIu64 "\n",
                cl_skip_name((cl_skip)i), st->skipped[i]);
    fprintf(stderr, "connlog: stats: conns_created %" PRIu64 "\n", st->conns_created);
    fprintf(stderr, "connlog: stats: conns_logged %" PRIu64 "\n", st->conns_logged);
    fprintf(stderr, "connlog: stats: conns_evicted %" PRIu64 "\n", st->conns_evicted);
    fprintf(stderr, "connlog: stats: conns_peak %" PRIu64 "\n", st->conns_peak);
    fprintf(stderr, "connlog: stats: checksum_checked %" PRIu64 "\n", st->checksum_checked);
    fprintf(stderr, "connlog: stats: checksum_failures %" PRIu64 "\n", st->checksum_failures);
    fprintf(stderr, "connlog: stats: memory_bytes %zu\n", st->memory_bytes);
    fprintf(stderr, "connlog: stats: prefetched %" PRIu64 "\n", st->prefetched);
}

/* Zeek's base/misc/find-checksum-offloading.zeek warns when bad IP, TCP or
 * UDP checksums exceed 5% of the packets received. We count IP header
 * failures and transport failures (TCP, UDP, ICMP together). */
static void checksum_warning(const cli_options *opt, const cl_stats *st)
{
    if (opt->cfg.ignore_checksums || opt->quiet || st->packets == 0)
        return;
    double n = (double)st->packets;
    double ip = (double)st->skipped[CL_SKIP_IP_CHECKSUM] / n;
    double tr = (double)st->checksum_failures / n;
    if (ip <= 0.05 && tr <= 0.05)
        return;
    char what[64] = "";
    if (ip > 0.0)
        strcat(what, "IP");
    if (tr > 0.0)
        strcat(what, what[0] ? " and TCP/UDP/ICMP" : "TCP/UDP/ICMP");
    fprintf(stderr,
            "connlog: warning: your %s invalid %s checksums, most likely from NIC "
            "checksum offloading (%" PRIu64 " IP and %" PRIu64 " transport failures in %"
            PRIu64 " packets); packets with invalid checksums were ignored: use -C "
            "(--ignore-checksums) to analyze them\n",
            opt->iface ? "interface is likely receiving" : "trace file likely has", what,
            st->skipped[CL_SKIP_IP_CHECKSUM], st->checksum_failures, st->packets);
}

/* Packets read ahead of the one processed, when the source keeps them in
 * place: the engine starts loading their connections meanwhile. How many
 * the shards say (cli_shards_lookahead), at most this many. */
#define LOOKAHEAD_MAX 64

typedef struct lookahead {
    cl_packet pkt[LOOKAHEAD_MAX];
    unsigned depth;             /* packets held back */
    unsigned n, next;           /* held packets; the oldest is at next */
} lookahead;

/* Hand pkt on, la->depth packets late. */
static void feed_ahead(lookahead *la, cli_shards *e, const cl_packet *pkt)
{
    cli_shards_prefetch(e, pkt);
    if (la->n == la->depth)
        cli_shards_packet(e, &la->pkt[la->next]);
    else
        la->n++;
    la->pkt[la->next] = *pkt;
    la->next = (la->next + 1) % la->depth;
}

static void drain_ahead(lookahead *la, cli_shards *e)
{
    unsigned first = (la->next + la->depth - la->n) % la->depth;
    for (unsigned i = 0; i < la->n; i++)
        cli_shards_packet(e, &la->pkt[(first + i) % la->depth]);
    la->n = 0;
}

static int pump_packets(cli_source *src, cli_shards *e, const out_ctx *out, lookahead *la)
{
    char err[PCAP_ERRBUF_SIZE + 512];
    cl_packet pkt;
    double last_activity = mono_now();
    while (!stop_requested && !out->failed) {
        cli_next r = cli_source_next(src, &pkt, err, sizeof err);
        if (r == CLI_NEXT_PACKET) {
            if (la)
                feed_ahead(la, e, &pkt);
            else
                cli_shards_packet(e, &pkt);
            if (src->live)
                last_activity = mono_now();
            continue;
        }
        if (r == CLI_NEXT_IDLE) {
            /* Live and idle for 0.1 s: move network time to the wall
             * clock so that timers fire (Zeek's
             * packet_source_inactivity_timeout). */
            double now = mono_now();
            if (now - last_activity >= 0.1) {
                cli_shards_advance(e, wall_now());
                last_activity = now;
            }
            continue;
        }
        if (r == CLI_NEXT_EOF)
            return 0;
        /* An error: when we were asked to stop, it is the interrupted read. */
        if (stop_requested)
            return 0;
        fprintf(stderr,
                "connlog: %s; input cut short after %llu packets, records up to "
                "there are written\n",
                err, src->packets);
        return CLI_EXIT_INPUT_CUT;
    }
    return 0;
}

/* Read one source to its end (or a stop request). Returns 0, 1 when the
 * input was cut short, or a fatal exit code. Every packet read is
 * processed, also those read ahead. */
static int pump(cli_source *src, cli_shards *e, const out_ctx *out)
{
    lookahead la = {.n = 0, .depth = cli_shards_lookahead(e)};
    if (la.depth > LOOKAHEAD_MAX)
        la.depth = LOOKAHEAD_MAX;
    bool ahead = cli_source_data_stays(src);
    int rc = pump_packets(src, e, out, ahead ? &la : NULL);
    drain_ahead(&la, e);
    return rc;
}

int cli_run(const cli_options *opt)
{
    int rc = precheck_inputs(opt);
    if (rc != 0)
        return rc;

    char path[4096];
    rc = prepare_output(opt->outdir, path, sizeof path);
    if (rc != 0)
        return rc;

    char err[1024] = "";
    cl_writer_options wopt = opt->wopt;
    wopt.path = path;
    cl_writer *w = cl_writer_new(&wopt, err, sizeof err);
    if (!w) {
        fprintf(stderr, "connlog: %s: %s\n", path, err);
        return CLI_EXIT_CANTCREAT;
    }
    out_ctx out = {.w = w, .path = strcmp(path, "-") == 0 ? "stdout" : path};

    if (opt->cfg.seed_file) {
        FILE *f = fopen(opt->cfg.seed_file, "r");
        if (!f) {
            fprintf(stderr, "connlog: %s: cannot open: %s\n", opt->cfg.seed_file, strerror(errno));
            cl_writer_free(w);
            return CLI_EXIT_NOINPUT;
        }
        fclose(f);
    }
    cli_output sink = {on_record, on_format, on_lines, &out};
    cli_shards *e = cli_shards_start(&opt->cfg, opt->threads, &sink, err, sizeof err);
    if (!e) {
        fprintf(stderr, "connlog: cannot start: %s\n", err);
        cl_writer_free(w);
        return CLI_EXIT_SOFTWARE;
    }

    install_signals();

    int status = 0;       /* first fatal code, else 1 for a cut input */
    bool cut = false;
    int first_linktype = -1;
    const char *first_name = NULL;
    size_t n_src = opt->iface ? 1 : opt->n_inputs;
    for (size_t i = 0; i < n_src && !stop_requested && !out.failed; i++) {
        cli_source src;
        if (opt->iface)
            rc = cli_source_open_live(&src, opt->iface, opt->filter, err, sizeof err);
        else
            rc = cli_source_open_file(&src, opt->inputs[i], opt->filter, err, sizeof err);
        if (rc != 0) {
            fprintf(stderr, "connlog: %s\n", err);
            status = rc;
            break;
        }
        if (first_linktype < 0) {
            first_linktype = src.linktype;
            first_name = opt->iface ? opt->iface : opt->inputs[i];
        } else if (src.linktype != first_linktype) {
            char a[160], b[160];
            cli_linktype_name(src.linktype, a, sizeof a);
            cli_linktype_name(first_linktype, b, sizeof b);
            fprintf(stderr, "connlog: %s: link type %s differs from %s of %s\n",
                    strcmp(opt->inputs[i], "-") == 0 ? "stdin" : opt->inputs[i], a, b,
                    strcmp(first_name, "-") == 0 ? "stdin" : first_name);
            cli_source_close(&src);
            status = CLI_EXIT_DATAERR;
            break;
        }
        rc = pump(&src, e, &out);
        cli_source_close(&src);
        if (rc == CLI_EXIT_INPUT_CUT)
            cut = true;
        else if (rc != 0) {
            status = rc;
            break;
        }
    }

    /* End of input (or a stop request): every tracked connection is
     * finished and written. */
    cli_shards_finish(e);
    cl_stats st;
    cli_shards_stats(e, &st);
    if (opt->stats)
        print_stats(&st);
    checksum_warning(opt, &st);
    cli_shards_free(e);

    if (cl_writer_close(w) != 0 && !out.failed) {
        fprintf(stderr, "connlog: %s: %s\n", out.path, cl_writer_error(w));
        out.failed = out.written == 0 ? CLI_EXIT_CANTCREAT : CLI_EXIT_IOERR;
    }
    cl_writer_free(w);

    if (out.failed)
        return out.failed;
    if (status != 0)
        return status;
    return cut ? CLI_EXIT_INPUT_CUT : CLI_EXIT_OK;
}

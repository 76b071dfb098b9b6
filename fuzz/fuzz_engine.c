/*
 * fuzz_engine.c - libFuzzer entry for the whole engine: tracking, tunnels,
 * the application analyzers and the TSV and JSON writers.
 *
 * Input: byte 0 picks the link type, byte 1 options (checksums ignored or
 * not, JSON or TSV, a tiny --max-conns); the rest is a sequence of frames,
 * each a 2-byte big-endian length and that many bytes, fed with
 * increasing timestamps (byte 2 of the length prefix area sets the step) so
 * that timers fire; then the engine is flushed and every record written.
 * Option bit 32 announces each packet (cl_engine_prefetch) 1-8 packets
 * ahead, some twice, with announcements used from the first connection;
 * bits 64 and 128 set how far, and bit 64 also keeps the link-layer
 * context. Bit 128 of byte 0 limits the connections to 16 KiB of memory,
 * so that running out of it evicts.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "connlog.h"
#include "decode/decode.h"
#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int DLTS[] = {CL_DLT_EN10MB, CL_DLT_RAW, CL_DLT_LINUX_SLL, CL_DLT_IEEE802_11_RADIO,
                           CL_DLT_NULL, CL_DLT_LINUX_SLL2};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int dlt = DLTS[(data[0] & 0x7f) % (sizeof DLTS / sizeof DLTS[0])];
    bool small_memory = data[0] & 0x80;
    uint8_t opt = data[1];
    data += 2;
    size -= 2;

    cl_config cfg;
    cl_config_init(&cfg);
    cfg.ignore_checksums = opt & 1;
    cfg.has_seed = true;
    cfg.seed = 1;
    if (opt & 4)
        cfg.max_conns = 3;
    cfg.community_id = opt & 8;
    cfg.l2_context = opt & 64;
    if (opt & 16) {
        /* the analyzers only a registration attaches, and DPD's tracking */
        cl_config_register_port(&cfg, "telnet", 23);
        cl_config_register_port(&cfg, "rsh", 514);
        cl_config_register_port(&cfg, "ftp", 80);
        cfg.dpd_track_removed_services = true;
    }
    cl_writer_options wo = {.format = (opt & 2) ? CL_FORMAT_JSON : CL_FORMAT_TSV,
                            .path = "/dev/null"};
    wo.extra[wo.n_extra++] = CL_COL_IP_PROTO;
    wo.extra[wo.n_extra++] = CL_COL_COMMUNITY_ID;
    wo.extra[wo.n_extra++] = CL_COL_ORIG_L2_ADDR;
    wo.extra[wo.n_extra++] = CL_COL_FAILED_SERVICE;
    char err[256];
    cl_writer *w = cl_writer_new(&wo, err, sizeof err);
    if (!w)
        return 0;
    cl_engine *e = cl_engine_new(&cfg, cl_writer_record_fn, w, err, sizeof err);
    if (!e) {
        cl_writer_free(w);
        return 0;
    }
    if (small_memory)
        cl_engine_limit_memory(e, 16384);
    enum { MAX_PKTS = 4096 };
    static cl_packet pkts[MAX_PKTS];
    size_t n = 0;
    int64_t sec = 1000000000;
    uint32_t usec = 0;
    while (size >= 2 && n < MAX_PKTS) {
        uint32_t len = (uint32_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (len > size)
            len = (uint32_t)size;
        /* Time moves by an amount the frame's first byte picks, so that
         * every timer (5 s, 60 s, 300 s, 3600 s) gets to fire. */
        uint8_t step = len ? data[0] : 0;
        sec += step < 200 ? step % 8 : (step - 199) * 100;
        usec = (usec + 137) % 1000000;
        pkts[n++] = (cl_packet){sec, usec, dlt, data, len, len + (step & 3)};
        data += len;
        size -= len;
    }
    bool ahead = opt & 32;
    size_t k = 1 + (opt >> 6) * 2; /* 1, 3, 5 or 7 packets ahead */
    if (ahead)
        cl_engine_set_prefetch_min(e, 0);
    for (size_t i = 0; i < n; i++) {
        if (ahead && i + k < n) {
            cl_engine_prefetch(e, &pkts[i + k]);
            if (pkts[i + k].caplen & 1)
                cl_engine_prefetch(e, &pkts[i + k]);
        }
        cl_engine_packet(e, &pkts[i]);
    }
    cl_engine_flush(e);
    cl_stats st;
    cl_engine_stats(e, &st);
    if (st.conns_created != st.conns_logged)
        __builtin_trap(); /* a tracked connection without its record */
    cl_engine_free(e);
    cl_writer_close(w);
    cl_writer_free(w);
    return 0;
}

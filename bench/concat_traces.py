#!/usr/bin/env python3
"""Concatenate the conformance traces into one Ethernet pcap for the benchmark.

    concat_traces.py [--meta FILE] OUT.pcap TRACE_DIR

Reads every pcap and pcapng file under TRACE_DIR (gzip-compressed ones too),
in sorted path order, keeps the packets whose link type is Ethernet, and
writes them to one classic microsecond pcap. Each trace is shifted in time
so that it starts one hour after the previous one ended (every connection of
the previous trace has timed out by then, as if it were a separate run), and
timestamps never go backwards: a packet older than its predecessor (a few
corpus traces have such) is written with its predecessor's time. The
packet bytes are not changed.
"""
import gzip
import json
import os
import struct
import sys

GAP_US = 3600 * 1000000
LINKTYPE_ETHERNET = 1


def open_trace(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb").read()
    with open(path, "rb") as f:
        return f.read()


def pcap_packets(d):
    """Yield (linktype, ts_us, caplen, wirelen, bytes) from classic pcap."""
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("not pcap")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", d[20:24])[0] & 0x0FFFFFFF
    o = 24
    while o + 16 <= len(d):
        sec, frac, cap, wire = struct.unpack(e + "IIII", d[o:o + 16])
        o += 16
        if o + cap > len(d):
            break  # cut short: keep what is whole
        us = sec * 1000000 + (frac // 1000 if nano else frac)
        yield linktype, us, d[o:o + cap], wire
        o += cap


def pcapng_packets(d):
    """Yield (linktype, ts_us, bytes, wirelen) from pcapng (EPB, SPB, PB)."""
    o = 0
    e = "<"
    ifaces = []  # (linktype, units per second)
    last_us = 0
    while o + 12 <= len(d):
        btype = struct.unpack(e + "I", d[o:o + 4])[0]
        if btype == 0x0A0D0D0A:  # section header: byte order may change
            bom = d[o + 8:o + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", d[o + 4:o + 8])[0]
        if blen < 12 or o + blen > len(d):
            break
        body = d[o + 8:o + blen - 4]
        if btype == 1:  # interface description
            lt = struct.unpack(e + "H", body[0:2])[0]
            res = 1000000
            p = 8
            while p + 4 <= len(body):
                code, ln = struct.unpack(e + "HH", body[p:p + 4])
                if code == 0:
                    break
                if code == 9 and ln >= 1:  # if_tsresol
                    v = body[p + 4]
                    res = 2 ** (v & 0x7F) if v & 0x80 else 10 ** v
                p += 4 + ((ln + 3) & ~3)
            ifaces.append((lt, res))
        elif btype in (6, 2):  # enhanced packet, obsolete packet
            if btype == 6:
                iface, hi, lo, cap, wire = struct.unpack(e + "IIIII", body[0:20])
            else:
                iface, _drops, hi, lo, cap, wire = struct.unpack(e + "HHIIII", body[0:20])
            if iface < len(ifaces):
                lt, res = ifaces[iface]
                ts = (hi << 32) | lo
                last_us = ts * 1000000 // res
                yield lt, last_us, body[20:20 + cap], wire
        elif btype == 3 and ifaces:  # simple packet: no timestamp
            wire = struct.unpack(e + "I", body[0:4])[0]
            lt, _ = ifaces[0]
            yield lt, last_us, body[4:4 + min(wire, len(body) - 4)], wire
        o += blen


def packets(d):
    if d[:4] == b"\x0a\x0d\x0d\x0a":
        return pcapng_packets(d)
    return pcap_packets(d)


def main():
    args = sys.argv[1:]
    meta = None
    if len(args) >= 2 and args[0] == "--meta":
        meta = args[1]
        args = args[2:]
    if len(args) != 2:
        sys.exit(__doc__)
    out_path, trace_dir = args
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(trace_dir) for f in fs)
    n_pkts = n_bytes = 0
    used = skipped = 0
    skipped_pkts = 0
    cursor = 0  # microseconds, output time of the next trace's first packet
    last = 0
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        for path in files:
            try:
                d = open_trace(path)
                pk = list(packets(d))
            except (OSError, ValueError, struct.error, EOFError):
                skipped += 1
                continue
            eth = [p for p in pk if p[0] == LINKTYPE_ETHERNET]
            skipped_pkts += len(pk) - len(eth)
            if not eth:
                skipped += 1
                continue
            used += 1
            first = eth[0][1]
            for _lt, us, data, wire in eth:
                t = cursor + max(0, us - first)
                if t < last:
                    t = last
                last = t
                out.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(data), max(wire, len(data))))
                out.write(data)
                n_pkts += 1
                n_bytes += max(wire, len(data))
            cursor = last + GAP_US
    os.replace(tmp, out_path)
    summary = {
        "generator": "concat_traces", "traces_used": used, "traces_skipped": skipped,
        "packets_not_ethernet": skipped_pkts, "packets": n_pkts, "frame_bytes": n_bytes,
        "file_bytes": os.path.getsize(out_path),
    }
    if meta:
        with open(meta, "w") as m:
            json.dump(summary, m)
            m.write("\n")
    print("concat_traces: %d traces, %d Ethernet packets (%d packets of other link types and %d traces left out)"
          % (used, n_pkts, skipped_pkts, skipped), file=sys.stderr)


if __name__ == "__main__":
    main()

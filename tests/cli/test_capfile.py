"""Capture-file formats read by connlog's own reader (src/cli/capfile.c):
pcap in both byte orders and both resolutions, pcapng with several
interfaces (differing snap lengths and timestamp resolutions), blocks that
must be skipped, and pcapng cut short or corrupt."""

import os
import struct

from clitest import (connlog, expect, one_line_message, pcap_header, records,  # noqa: E402
                     run, test, udp_frame, write)


def block(btype, body):
    pad = b"\0" * ((4 - len(body) % 4) % 4)
    total = 12 + len(body) + len(pad)
    return struct.pack("<II", btype, total) + body + pad + struct.pack("<I", total)


def shb():
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(linktype=1, snaplen=65535, tsresol=None):
    body = struct.pack("<HHI", linktype, 0, snaplen)
    if tsresol is not None:
        body += struct.pack("<HHB3x", 9, 1, tsresol) + struct.pack("<HH", 0, 0)
    return block(1, body)


def epb(iface, ts_units, frame):
    return block(6, struct.pack("<IIIII", iface, ts_units >> 32, ts_units & 0xffffffff,
                                len(frame), len(frame)) + frame)


def ts_column(out):
    return [r.split("\t")[0] for r in records(out)]


@test
def pcapng_interfaces_differ_in_snaplen_and_resolution(tmp):
    # libpcap 1.10 refuses this; Zeek's libpcap reads it (ldap/gap-data-missing).
    data = (shb() + idb(snaplen=65535) + idb(snaplen=8192, tsresol=9) +
            epb(0, 1700000000123456, udp_frame(1)) +
            epb(1, 1700000001987654321, udp_frame(2)) +
            block(4, b"\0" * 8) +                      # name resolution: skipped
            epb(1, 1700000002000000999, udp_frame(3)))
    path = write(os.path.join(tmp, "multi.pcapng"), data)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 0, "rc %d %r" % (rc, err))
    ts = sorted(ts_column(out))
    expect(ts == ["1700000000.123456", "1700000001.987654", "1700000002.000000"],
           "timestamps (ns truncated to us) %r" % ts)


@test
def pcap_nanosecond_and_big_endian(tmp):
    frame = udp_frame(4)
    ns = struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1) + \
        struct.pack("<IIII", 1700000005, 999999999, len(frame), len(frame)) + frame
    be = struct.pack(">IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + \
        struct.pack(">IIII", 1700000006, 250000, len(frame), len(frame)) + frame
    for name, data, want in (("ns.pcap", ns, "1700000005.999999"),
                             ("be.pcap", be, "1700000006.250000")):
        path = write(os.path.join(tmp, name), data)
        rc, out, err = connlog("-r", path, "-w", "-")
        expect(rc == 0, "%s: rc %d %r" % (name, rc, err))
        expect(ts_column(out) == [want], "%s: %r" % (name, ts_column(out)))


@test
def pcapng_cut_short_keeps_records(tmp):
    data = shb() + idb() + epb(0, 1700000000000000, udp_frame(1)) + \
        epb(0, 1700000001000000, udp_frame(2))
    path = write(os.path.join(tmp, "cut.pcapng"), data[:-10])
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 1, "rc %d %r" % (rc, err))
    one_line_message(err, path, "truncated")
    expect(len(records(out)) == 1, "the record before the cut: %r" % records(out))


@test
def pcapng_corrupt_block_length(tmp):
    data = shb() + idb() + struct.pack("<II", 6, 7) + b"\0" * 32
    path = write(os.path.join(tmp, "bad.pcapng"), data)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 1, "rc %d %r" % (rc, err))
    one_line_message(err, path, "corrupt block length")


@test
def pcapng_without_interfaces(tmp):
    path = write(os.path.join(tmp, "noif.pcapng"), shb())
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 65, "rc %d %r" % (rc, err))
    one_line_message(err, path, "no interface description block")


@test
def bpf_filter_on_pcapng(tmp):
    data = shb() + idb() + epb(0, 1700000000000000, udp_frame(1)) + \
        epb(0, 1700000001000000, udp_frame(2))
    path = write(os.path.join(tmp, "f.pcapng"), data)
    rc, out, err = connlog("-r", path, "-w", "-", "-f", "udp port 5002")
    expect(rc == 0, "rc %d %r" % (rc, err))
    expect(len(records(out)) == 1, "records %r" % records(out))


@test
def snaplen_cuts_long_records(tmp):
    frame = udp_frame(5, payload=b"x" * 200)
    data = pcap_header(snaplen=60) + struct.pack("<IIII", 1700000000, 0, len(frame),
                                                 len(frame)) + frame
    path = write(os.path.join(tmp, "snap.pcap"), data)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 0, "rc %d %r" % (rc, err))
    expect(len(records(out)) == 1, "records %r" % records(out))


run()

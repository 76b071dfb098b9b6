#!/usr/bin/env python3
"""Bad input: missing/unreadable files, garbage, unsupported link types,
truncated traces, absurd record lengths, empty captures."""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import (connlog, expect, one_line_message, pcap_header, pcap_record,  # noqa: E402
                     records, simple_pcap, test, run, udp_frame, write)


@test
def missing_file(tmp):
    path = os.path.join(tmp, "nope.pcap")
    rc, out, err = connlog("-r", path, "-w", tmp)
    expect(rc == 66, "rc %d" % rc)
    one_line_message(err, path)
    expect(not os.path.exists(os.path.join(tmp, "conn.log")), "no conn.log expected")


@test
def unreadable_file(tmp):
    path = write(os.path.join(tmp, "locked.pcap"), simple_pcap())
    os.chmod(path, 0)
    try:
        if os.access(path, os.R_OK):
            return  # running as root: permissions do not stop us
        rc, out, err = connlog("-r", path, "-w", tmp)
        expect(rc == 66, "rc %d" % rc)
        one_line_message(err, path)
    finally:
        os.chmod(path, 0o600)


@test
def directory_as_input(tmp):
    rc, out, err = connlog("-r", tmp, "-w", tmp)
    expect(rc == 66, "rc %d" % rc)
    one_line_message(err, tmp)


@test
def garbage_header(tmp):
    path = write(os.path.join(tmp, "garbage.pcap"), b"this is not a capture file at all\n" * 10)
    rc, out, err = connlog("-r", path, "-w", tmp)
    expect(rc == 65, "rc %d" % rc)
    one_line_message(err, path, "not a pcap")


@test
def zero_byte_file(tmp):
    path = write(os.path.join(tmp, "zero.pcap"), b"")
    rc, out, err = connlog("-r", path, "-w", tmp)
    expect(rc == 65, "rc %d" % rc)
    one_line_message(err, path)


@test
def unsupported_linktype(tmp):
    data = pcap_header(linktype=147) + pcap_record(1700000000.0, b"\x01" * 60)
    path = write(os.path.join(tmp, "dlt147.pcap"), data)
    rc, out, err = connlog("-r", path, "-w", tmp)
    expect(rc == 65, "rc %d" % rc)
    one_line_message(err, path, "link type", "147")


@test
def truncated_mid_packet(tmp):
    data = simple_pcap(3)
    cut = data[:-20]  # the third packet loses its last 20 bytes
    path = write(os.path.join(tmp, "cut.pcap"), cut)
    rc, out, err = connlog("-r", path, "-w", "-", "--seed", "1")
    expect(rc == 1, "rc %d, stderr %r" % (rc, err))
    one_line_message(err, path, "cut short")
    recs = records(out)
    expect(len(recs) == 2, "want the 2 records before the cut, got %r" % recs)


@test
def truncated_mid_record_header(tmp):
    data = simple_pcap(2) + b"\x00\x01\x02\x03\x04\x05"  # half a record header
    path = write(os.path.join(tmp, "cuthdr.pcap"), data)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 1, "rc %d" % rc)
    one_line_message(err, path)
    expect(len(records(out)) == 2, "records %r" % records(out))


@test
def absurd_caplen(tmp):
    frame = udp_frame(9)
    data = simple_pcap(2) + struct.pack("<IIII", 1700000005, 0, 0xfffffff0, 0xfffffff0) + frame
    path = write(os.path.join(tmp, "absurd.pcap"), data)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 1, "rc %d (must not crash)" % rc)
    one_line_message(err, path)
    expect(len(records(out)) == 2, "records %r" % records(out))


@test
def caplen_above_snaplen(tmp):
    # snaplen 64 but a record claiming (and holding) 100 bytes: libpcap
    # trims it to the snaplen; connlog must cope.
    frame = udp_frame(1, b"x" * 58)  # 14 + 20 + 8 + 58 = 100 bytes
    data = pcap_header(snaplen=64) + pcap_record(1700000000.0, frame)
    data += pcap_record(1700000001.0, udp_frame(2)[:64], wirelen=len(udp_frame(2)))
    path = write(os.path.join(tmp, "oversnap.pcap"), data)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc in (0, 1), "rc %d (must not crash)" % rc)
    if rc == 1:
        one_line_message(err, path)


@test
def caplen_above_wirelen(tmp):
    frame = udp_frame(1)
    data = pcap_header() + pcap_record(1700000000.0, frame, wirelen=10)
    path = write(os.path.join(tmp, "capwire.pcap"), data)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc in (0, 1), "rc %d (must not crash)" % rc)


@test
def empty_pcap(tmp):
    path = write(os.path.join(tmp, "empty.pcap"), pcap_header())
    outdir = os.path.join(tmp, "out")
    rc, out, err = connlog("-r", path, "-w", outdir)
    expect(rc == 0, "rc %d %r" % (rc, err))
    expect(not os.path.exists(os.path.join(outdir, "conn.log")), "no records, no conn.log")


@test
def second_file_missing_keeps_first_records(tmp):
    good = write(os.path.join(tmp, "good.pcap"), simple_pcap(2))
    rc, out, err = connlog("-r", good, "-r", os.path.join(tmp, "missing.pcap"), "-w", "-")
    expect(rc == 66, "rc %d" % rc)


@test
def linktype_mismatch(tmp):
    a = write(os.path.join(tmp, "a.pcap"), simple_pcap(2))
    b = write(os.path.join(tmp, "b.pcap"), pcap_header(linktype=101) + pcap_record(
        1700000010.0, udp_frame(5)[14:]))
    rc, out, err = connlog("-r", a, "-r", b, "-w", "-")
    expect(rc == 65, "rc %d" % rc)
    one_line_message(err, b, "link type")
    expect(len(records(out)) == 2, "records of the first file are written: %r" % records(out))


@test
def output_not_creatable(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(1))
    blocker = write(os.path.join(tmp, "file"), b"x")
    rc, out, err = connlog("-r", path, "-w", os.path.join(blocker, "sub"))
    expect(rc == 73, "rc %d" % rc)
    one_line_message(err)


@test
def write_error(tmp):
    if not os.path.exists("/dev/full"):
        return
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(3))
    with open("/dev/full", "wb") as full:
        import subprocess
        from clitest import CONNLOG
        p = subprocess.run([CONNLOG, "-r", path, "-w", "-"], stdout=full, stderr=subprocess.PIPE, timeout=60)
    expect(p.returncode in (73, 74), "rc %d" % p.returncode)


@test
def bad_checksums_warning(tmp):
    data = pcap_header()
    for i in range(4):
        frame = bytearray(udp_frame(i))
        frame[14 + 20 + 6] ^= 0x55  # spoil the UDP checksum
        data += pcap_record(1700000000.0 + i, bytes(frame))
    path = write(os.path.join(tmp, "badsum.pcap"), data)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 0, "rc %d" % rc)
    line = one_line_message(err, "checksum", "-C")
    rc, out, err = connlog("-r", path, "-w", "-", "-C")
    expect(rc == 0 and err.strip() == "", "no warning with -C: %r" % err)
    rc, out, err = connlog("-r", path, "-w", "-", "-q")
    expect(rc == 0 and err.strip() == "", "no warning with -q: %r" % err)


if __name__ == "__main__":
    run()

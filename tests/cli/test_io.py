#!/usr/bin/env python3
"""Input and output paths: stdin, stdout, directories, JSON, several files,
and a stop by SIGTERM that still writes every tracked record."""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import (CONNLOG, connlog, expect, pcap_header, pcap_record, records,  # noqa: E402
                     simple_pcap, test, run, udp_frame, write)


@test
def stdin_to_stdout(tmp):
    rc, out, err = connlog("-r", "-", "-w", "-", "--seed", "1", stdin=simple_pcap(3))
    expect(rc == 0, "rc %d %r" % (rc, err))
    text = out.decode()
    expect("#fields\t" in text, "TSV header expected")
    expect(len(records(out)) == 3, "records %r" % records(out))


@test
def write_dir(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(2))
    outdir = os.path.join(tmp, "logs")
    rc, out, err = connlog("-r", path, "-w", outdir)
    expect(rc == 0, "rc %d %r" % (rc, err))
    expect(out == b"", "nothing on stdout")
    with open(os.path.join(outdir, "conn.log")) as f:
        text = f.read()
    expect(len(records(text)) == 2, "records %r" % text)


@test
def default_dir_is_cwd(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(1))
    p = subprocess.run([CONNLOG, "-r", path], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    expect(p.returncode == 0, "rc %d" % p.returncode)
    expect(os.path.exists(os.path.join(tmp, "conn.log")), "conn.log in the current directory")


@test
def json_lines(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(3))
    rc, out, err = connlog("-r", path, "--json", "-w", "-", "--seed", "1")
    expect(rc == 0, "rc %d %r" % (rc, err))
    lines = [l for l in out.decode().splitlines() if l.strip()]
    expect(len(lines) == 3, "lines %r" % lines)
    for l in lines:
        obj = json.loads(l)
        expect("ts" in obj and "uid" in obj, "fields in %r" % obj)


@test
def several_files_one_stream(tmp):
    a = write(os.path.join(tmp, "a.pcap"), simple_pcap(2))
    b = write(os.path.join(tmp, "b.pcap"), pcap_header() + pcap_record(1700000010.0, udp_frame(7)))
    rc, out, err = connlog("-r", a, "-r", b, "-w", "-")
    expect(rc == 0, "rc %d %r" % (rc, err))
    expect(len(records(out)) == 3, "records %r" % records(out))


@test
def pcapng_input(tmp):
    import struct
    shb_body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    shb = struct.pack("<II", 0x0A0D0D0A, 12 + len(shb_body)) + shb_body + struct.pack("<I", 12 + len(shb_body))
    idb_body = struct.pack("<HHI", 1, 0, 65535)
    idb = struct.pack("<II", 1, 12 + len(idb_body)) + idb_body + struct.pack("<I", 12 + len(idb_body))
    blocks = shb + idb
    for i in range(2):
        frame = udp_frame(i)
        pad = b"\0" * ((4 - len(frame) % 4) % 4)
        ts = (1700000000 + i) * 1000000
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(frame), len(frame)) + frame + pad
        blocks += struct.pack("<II", 6, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    path = write(os.path.join(tmp, "in.pcapng"), blocks)
    rc, out, err = connlog("-r", path, "-w", "-")
    expect(rc == 0, "rc %d %r" % (rc, err))
    expect(len(records(out)) == 2, "records %r" % records(out))


@test
def bpf_filter(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(3))
    rc, out, err = connlog("-r", path, "-w", "-", "-f", "udp port 5001")
    expect(rc == 0, "rc %d %r" % (rc, err))
    expect(len(records(out)) == 1, "records %r" % records(out))


@test
def sigterm_writes_tracked_records(tmp):
    # A slow producer: two packets, then silence on an open pipe.
    p = subprocess.Popen([CONNLOG, "-r", "-", "-w", tmp], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(simple_pcap(2))
    p.stdin.flush()
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("connlog did not stop on SIGTERM")
    p.stdin.close() if not p.stdin.closed else None
    expect(p.returncode == 0, "rc %d %r" % (p.returncode, err))
    with open(os.path.join(tmp, "conn.log")) as f:
        text = f.read()
    expect(len(records(text)) == 2, "records %r" % text)


@test
def sigint_writes_tracked_records(tmp):
    p = subprocess.Popen([CONNLOG, "-r", "-", "-w", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(simple_pcap(3))
    p.stdin.flush()
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("connlog did not stop on SIGINT")
    expect(p.returncode == 0, "rc %d %r" % (p.returncode, err))
    expect(len(records(out)) == 3, "records %r" % records(out))


if __name__ == "__main__":
    run()

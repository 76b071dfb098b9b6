"""clitest.py - helpers shared by the tests/cli/test_*.py scripts (stdlib).

Each test script is run by ctest as `python3 test_x.py CONNLOG_BINARY`,
registers its checks with @test, and ends with run(), which prints
'N passed, M failed' and exits non-zero on any failure.
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import traceback

CONNLOG = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
_TESTS = []


def test(fn):
    _TESTS.append(fn)
    return fn


def run():
    if not CONNLOG or not os.path.exists(CONNLOG):
        sys.stderr.write("usage: %s CONNLOG_BINARY\n" % sys.argv[0])
        sys.exit(2)
    passed = failed = 0
    for fn in _TESTS:
        tmp = tempfile.mkdtemp(prefix="connlog-cli-")
        try:
            fn(tmp)
            passed += 1
        except Exception:
            failed += 1
            sys.stderr.write("FAIL %s\n%s\n" % (fn.__name__, traceback.format_exc()))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 else 1)


def connlog(*args, stdin=None, timeout=60):
    """Run connlog; returns (rc, stdout bytes, stderr text)."""
    p = subprocess.run([CONNLOG] + list(args), input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def one_line_message(err, *needles):
    """stderr holds exactly one line, starting 'connlog: ', with every needle."""
    lines = [l for l in err.splitlines() if l.strip()]
    expect(len(lines) == 1, "want one line on stderr, got %r" % err)
    expect(lines[0].startswith("connlog: "), "message should start 'connlog: ': %r" % lines[0])
    for n in needles:
        expect(n in lines[0], "%r not in %r" % (n, lines[0]))
    return lines[0]


# ------------------------------------------------------------- packets

def pcap_header(linktype=1, snaplen=65535, magic=0xa1b2c3d4):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(ts, data, caplen=None, wirelen=None):
    sec = int(ts)
    usec = int(round((ts - sec) * 1e6))
    caplen = len(data) if caplen is None else caplen
    wirelen = len(data) if wirelen is None else wirelen
    return struct.pack("<IIII", sec, usec, caplen, wirelen) + data


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def _ip4(a):
    return bytes(int(x) for x in a.split("."))


def ipv4_udp(src, dst, sport, dport, payload=b"hello"):
    udp_len = 8 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 1, 0, 64, 17, 0, _ip4(src), _ip4(dst))
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    pseudo = _ip4(src) + _ip4(dst) + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    c = _csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    return ip + udp


def ether(payload, ethertype=0x0800):
    return b"\x00\x11\x22\x33\x44\x55" + b"\x66\x77\x88\x99\xaa\xbb" + struct.pack("!H", ethertype) + payload


def udp_frame(i, payload=b"hello"):
    """An Ethernet/IPv4/UDP frame of flow number i (distinct 5-tuples)."""
    return ether(ipv4_udp("10.0.0.1", "10.0.0.2", 40000 + i, 5000 + i, payload))


def simple_pcap(n_flows=3, t0=1700000000.0, linktype=1):
    """A pcap with n_flows UDP flows, one packet each, 1 s apart."""
    out = pcap_header(linktype=linktype)
    for i in range(n_flows):
        out += pcap_record(t0 + i, udp_frame(i))
    return out


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def records(text):
    """Data lines of a TSV conn.log (or JSON lines)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return [l for l in text.splitlines() if l and not l.startswith("#")]

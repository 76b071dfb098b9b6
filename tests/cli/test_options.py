#!/usr/bin/env python3
"""Command-line options: help, version, usage errors (64), settings."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import (connlog, ether, expect, ipv4_udp, one_line_message, pcap_header,  # noqa: E402
                     pcap_record, records, simple_pcap, test, run, write)


@test
def help_lists_exit_codes_and_max_conns(tmp):
    rc, out, err = connlog("--help")
    expect(rc == 0, "rc %d" % rc)
    text = out.decode()
    for code in ("0 ", "1 ", "64", "65", "66", "73", "74"):
        expect(re.search(r"^\s+%s" % code, text, re.M), "exit code %s in --help" % code)
    expect(re.search(r"--max-conns N[\s\S]*default here: \d+", text), "--max-conns default in --help")
    for opt in ("-r", "-i", "-f", "-w", "--json", "-C", "--ignore-checksums-nets", "--local-nets",
                "--no-private-local", "--analyzers", "--bare", "--server-port", "--analyzer-port",
                "--columns",
                "--vlan-key", "--set", "--seed", "--seed-file", "--max-conns", "--stats", "-q",
                "--version"):
        expect(opt in text, "%s in --help" % opt)
    rc2, out2, _ = connlog("-h")
    expect(rc2 == 0 and out2 == out, "-h is --help")


@test
def version(tmp):
    rc, out, err = connlog("--version")
    expect(rc == 0 and out.decode().startswith("connlog "), "version %r" % out)


def usage_error(*args):
    rc, out, err = connlog(*args)
    expect(rc == 64, "%r: rc %d" % (args, rc))
    one_line_message(err)


@test
def usage_errors(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(1))
    usage_error()
    usage_error("--no-such-option")
    usage_error("-r")
    usage_error("-r", path, "extra-argument")
    usage_error("-r", path, "-i", "lo")
    usage_error("-r", "-", "-r", "-")
    usage_error("-r", path, "--server-port", "80")
    usage_error("-r", path, "--server-port", "70000/tcp")
    usage_error("-r", path, "--server-port", "80/sctp")
    usage_error("-r", path, "--analyzer-port", "telnet")
    usage_error("-r", path, "--analyzer-port", "telnet:23/udp")
    usage_error("-r", path, "--analyzer-port", "gnutella:6346/tcp")
    usage_error("-r", path, "--analyzer-port", ":23/tcp")
    usage_error("-r", path, "--set", "no_such_setting=1")
    usage_error("-r", path, "--set", "tcp_inactivity_timeout=soon")
    usage_error("-r", path, "--set", "novalue")
    usage_error("-r", path, "--columns", "ip_proto,bogus")
    usage_error("-r", path, "--local-nets", "10.0.0.0/33")
    usage_error("-r", path, "--ignore-checksums-nets", "not-a-net")
    usage_error("-r", path, "--seed", "abc")
    usage_error("-r", path, "--max-conns", "-5")
    usage_error("-r", path, "--analyzers", "")
    usage_error("-r", path, "-f", "port and and")


@test
def accepted_options(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(2))
    rc, out, err = connlog(
        "-r", path, "-w", "-", "-C", "--ignore-checksums-nets", "10.0.0.0/8,192.168.0.0/16",
        "--local-nets", "10.0.0.0/8", "--no-private-local", "--analyzers", "http,dns",
        "--server-port", "8443/tcp", "--server-port", "9999/udp", "--columns", "ip_proto,vlan",
        "--analyzer-port", "ANALYZER_TELNET:23/tcp", "--analyzer-port", "http:8081/tcp",
        "--vlan-key", "--set", "tcp_inactivity_timeout=30 secs", "--set", "Tunnel::max_depth=2",
        "--set", "report_gaps_for_partial=T", "--seed", "7", "--max-conns", "1000", "-q")
    expect(rc == 0, "rc %d %r" % (rc, err))
    expect(len(records(out)) == 2, "records %r" % records(out))
    rc, out, err = connlog("-r", path, "-w", "-", "--bare")
    expect(rc == 0, "rc %d %r" % (rc, err))


@test
def stats_on_stderr(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(2))
    rc, out, err = connlog("-r", path, "-w", "-", "--stats")
    expect(rc == 0, "rc %d" % rc)
    expect(re.search(r"packets 2\b", err), "packet count in %r" % err)


@test
def seed_makes_runs_repeatable(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(3))
    outs = []
    for _ in range(2):
        rc, out, err = connlog("-r", path, "-w", "-", "--seed", "42")
        expect(rc == 0, "rc %d" % rc)
        outs.append([l for l in out.decode().splitlines() if not l.startswith(("#open", "#close"))])
    expect(outs[0] == outs[1], "same seed, same log")


@test
def missing_seed_file(tmp):
    path = write(os.path.join(tmp, "in.pcap"), simple_pcap(1))
    rc, out, err = connlog("-r", path, "-w", "-", "--seed-file", os.path.join(tmp, "nope"))
    expect(rc == 66, "rc %d" % rc)
    one_line_message(err, "nope")



@test
def max_conns_split_by_shard_share(tmp):
    """--max-conns bounds all shards together: each gets the part of the
    bound that matches its share of the flows, so 500 flows open at once
    under --max-conns 400 evict exactly 100 with 2 threads, as with 1."""
    out = pcap_header()
    for i in range(500):
        src = "10.%d.%d.1" % (i >> 8, i & 255)   # the shards split flows by address
        out += pcap_record(1700000000.0 + i * 0.001, ether(ipv4_udp(src, "10.0.0.2", 40000, 5000)))
    path = write(os.path.join(tmp, "in.pcap"), out)
    for threads in ("1", "2"):
        rc, out, err = connlog("-r", path, "-w", "-", "--max-conns", "400", "--threads", threads,
                               "--stats")
        expect(rc == 0, "rc %d" % rc)
        expect(re.search(r"conns_evicted 100\b", err), "%s threads: 100 evicted in %r" % (threads, err))
        expect(len(records(out)) == 500, "%s threads: every flow logged" % threads)


if __name__ == "__main__":
    run()

#!/usr/bin/env python3
"""Time connlog and a read-only tcpdump pass on benchmark traces; print one table.

    measure.py --connlog BIN [--threads 1,2] [--repeat N] [--results DIR]
               [--baseline TINY.pcap] NAME=TRACE.pcap ...

Each TRACE.pcap has a TRACE.pcap.meta JSON file beside it (packets and frame
bytes, written by tracegen or concat_traces.py). Called by bench/run, which
builds everything and makes the traces first.

For every trace: read it once to warm the page cache; run
`tcpdump -r TRACE -w /dev/null 'ether host 00:00:00:00:00:01'` (a filter
matching no packet: the cost of reading the file) and
`connlog -r TRACE -w RESULTS/NAME --stats` (default options, checksums
verified) REPEAT times each, alternating; keep the fastest wall time of each.
Peak RSS comes from wait4() on that very child process. Bytes per live
connection is (peak RSS - peak RSS on a tiny trace) / conns_peak, where
conns_peak is connlog's own --stats counter.
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

NO_MATCH_FILTER = "ether host 00:00:00:00:00:01"


def rss_anon(pid):
    """Resident anonymous memory of pid in bytes (heap, stacks: not mapped files), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, sample=False):
    """Run cmd; return (wall seconds, exit status, maxrss bytes, cpu seconds, stderr text,
    peak anonymous RSS bytes sampled every 20 ms, or None when not sampled).

    ru_maxrss also counts the pages of a file the program maps (a trace read
    through mmap), so with sample=True /proc/PID/status is polled for RssAnon:
    the memory the program itself allocated."""
    errf = None
    if stderr == subprocess.PIPE:
        errf = tempfile.TemporaryFile()  # read after the exit: no pipe to drain while polling
        stderr = errf
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=stderr)
    anon = None
    samples = 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG if sample else 0)
        if pid:
            break
        a = rss_anon(p.pid)
        if a is not None:
            anon = a if anon is None else max(anon, a)
            samples += 1
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    if samples < 5:
        anon = None  # too short a run to have sampled its peak
    p.returncode = os.waitstatus_to_exitcode(status)
    err = b""
    if errf:
        errf.seek(0)
        err = errf.read()
        errf.close()
    return (wall, p.returncode, ru.ru_maxrss * 1024, ru.ru_utime + ru.ru_stime,
            err.decode(errors="replace"), anon)


def parse_stats(text):
    """`connlog: stats: NAME [SUBNAME] VALUE` lines -> {"name[_subname]": int}."""
    st = {}
    for line in text.splitlines():
        m = re.match(r"connlog: stats: (.+?)\s+(\d+)\s*$", line)
        if m:
            st[re.sub(r"\W+", "_", m.group(1).strip())] = int(m.group(2))
    return st


def cpu_model():
    """Model name plus family/model/stepping, clock and cache from /proc/cpuinfo."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break  # the first CPU is enough
                k, _, v = line.partition(":")
                info[k.strip()] = v.strip()
    except OSError:
        return platform.processor() or "unknown"
    desc = info.get("model name", "unknown")
    extra = []
    if "cpu family" in info:
        extra.append("family %s model %s stepping %s" % (info["cpu family"], info.get("model", "?"),
                                                         info.get("stepping", "?")))
    if "cpu MHz" in info:
        extra.append("%.0f MHz" % float(info["cpu MHz"]))
    if "cache size" in info:
        extra.append("cache %s" % info["cache size"])
    if "hypervisor" in info.get("flags", "").split():
        extra.append("virtual machine")
    return desc + (" (" + ", ".join(extra) + ")" if extra else "")


def warm(path):
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 24):
            pass


def fmt_bytes(n):
    return "%.1f MiB" % (n / 1048576.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connlog", required=True)
    ap.add_argument("--threads", default="1")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--results", default="bench/results")
    ap.add_argument("--baseline")
    ap.add_argument("traces", nargs="+")
    a = ap.parse_args()

    connlog = a.connlog
    help_text = subprocess.run([connlog, "--help"], capture_output=True, text=True).stdout
    has_threads = "--threads" in help_text
    m = re.search(r"default here: (\d+)", help_text)
    default_max_conns = int(m.group(1)) if m else None
    # The memory per connection the default assumes, as --help words it
    # ("... at 1 KiB per connection", "... at 512 bytes per connection").
    flat_help = " ".join(help_text.split())
    m = re.search(r"at (\d+) ?(KiB|bytes|B) per connection", flat_help)
    bytes_per_conn_promised = (int(m.group(1)) * (1024 if m.group(2) == "KiB" else 1)) if m else None
    threads = [int(t) for t in a.threads.split(",") if t]
    if not has_threads and any(t != 1 for t in threads):
        print("note: this connlog has no --threads option; multi-thread runs skipped")
        threads = [1]
    tcpdump = shutil.which("tcpdump")
    if not tcpdump:
        print("note: tcpdump not found (scripts/install-deps installs it); no read-only baseline")

    ncpu = os.cpu_count()
    print("CPU: %s (%d logical CPUs), %s %s" % (cpu_model(), ncpu, platform.system(), platform.release()))
    ver = subprocess.run([connlog, "--version"], capture_output=True, text=True).stdout.strip()
    print("connlog: %s (%s)" % (connlog, ver or "unknown version"))
    if default_max_conns is not None:
        print("connlog --max-conns default: %d%s" % (default_max_conns, " (at %d bytes per connection)"
                                                      % bytes_per_conn_promised if bytes_per_conn_promised else ""))

    os.makedirs(a.results, exist_ok=True)
    base_rss = 0
    if a.baseline:
        d = os.path.join(a.results, "baseline")
        os.makedirs(d, exist_ok=True)
        _, rc, base_rss, _, err, _ = run([connlog, "-r", a.baseline, "-w", d])
        if rc != 0:
            print("baseline run failed (exit %d): %s" % (rc, err.strip()))
            base_rss = 0
        else:
            print("connlog peak RSS on a tiny trace (baseline): %s" % fmt_bytes(base_rss))
    print()

    rows = []
    notes = []
    for spec in a.traces:
        name, path = spec.split("=", 1)
        with open(path + ".meta") as f:
            meta = json.load(f)
        pkts, nbytes = meta["packets"], meta["frame_bytes"]
        print("== %s: %s (%d packets, %s)" % (name, path, pkts, fmt_bytes(os.path.getsize(path))), flush=True)
        warm(path)
        outdir = os.path.join(a.results, name)
        os.makedirs(outdir, exist_ok=True)

        td = None
        single = None  # the 1-thread row of this trace
        for nt in threads:
            best = None
            rss = 0
            anon = None
            cpu = None
            stats = {}
            failed = None
            for _ in range(max(1, a.repeat)):
                if tcpdump and nt == threads[0]:
                    w, rc, _, _, err, _ = run([tcpdump, "-r", path, "-w", "/dev/null", NO_MATCH_FILTER])
                    if rc == 0:
                        td = w if td is None else min(td, w)
                    else:
                        notes.append("%s: tcpdump failed (exit %d): %s" % (name, rc, err.strip()[-200:]))
                log = os.path.join(outdir, "conn.log")
                if os.path.exists(log):
                    os.unlink(log)
                cmd = [connlog, "-r", path, "-w", outdir, "--stats"]
                if nt != 1:
                    cmd += ["--threads", str(nt)]
                w, rc, r, c, err, _ = run(cmd)
                if rc != 0:
                    failed = "exit %d: %s" % (rc, err.strip().splitlines()[-1] if err.strip() else "")
                    break
                if best is None or w < best:
                    best, cpu = w, c
                rss = max(rss, r)
                stats = parse_stats(err)
            if not failed:
                # One more run, untimed, polling /proc for the anonymous RSS
                # (polling takes the process's memory lock: keep it out of the timed runs).
                _, rc, r, _, _, anon = run(cmd, sample=True)
                rss = max(rss, r)
            label = name if nt == 1 else "%s (%d threads)" % (name, nt)
            if failed:
                print("   %s: connlog failed, %s" % (label, failed), flush=True)
                rows.append({"trace": label, "failed": failed})
                continue
            peak = stats.get("conns_peak")
            if stats.get("packets") not in (None, pkts):
                notes.append("%s: connlog counted %d packets, the trace has %d" % (label, stats["packets"], pkts))
            row = {
                "trace": label, "packets": pkts, "bytes": nbytes, "wall": best, "cpu": cpu, "rss": rss,
                "rss_anon": anon, "conns_peak": peak, "tcpdump": td, "stats": stats,
                "bytes_per_conn": (anon if anon is not None else rss - base_rss) / peak if peak else None,
            }
            rows.append(row)
            if nt == 1:
                single = row
            elif single:
                l1, ln = single["stats"].get("conns_logged"), stats.get("conns_logged")
                notes.append("%s: speed-up %.2fx over 1 thread; conns_logged %s vs %s with 1 thread%s"
                             % (label, single["wall"] / best, ln, l1,
                                "" if l1 == ln else " (DIFFERENT)"))
            print("   %s: %.3f s (cpu %.3f s), tcpdump %s, peak RSS %s (anonymous %s), conns_peak %s, evicted %s, "
                  "checksum failures %s" % (label, best, cpu, "%.3f s" % td if td else "-", fmt_bytes(rss),
                                            fmt_bytes(anon) if anon is not None else "-", peak,
                                            stats.get("conns_evicted"), stats.get("checksum_failures")),
                  flush=True)
            if name.startswith("flood") and default_max_conns and bytes_per_conn_promised:
                bound = default_max_conns * bytes_per_conn_promised
                notes.append("%s: peak RSS %s against the --max-conns default %d x %d B = %s (%s)"
                             % (label, fmt_bytes(rss), default_max_conns, bytes_per_conn_promised,
                                fmt_bytes(bound), "within" if rss <= bound else "OVER"))

    # The table.
    head = ["trace", "packets", "Mpkt/s", "Gbit/s", "ns/pkt", "peak RSS", "anon RSS", "conns peak", "B/live conn",
            "connlog s", "cpu s", "tcpdump s", "x tcpdump"]
    lines = []
    for r in rows:
        if "failed" in r:
            lines.append([r["trace"], "failed: " + r["failed"]] + [""] * (len(head) - 2))
            continue
        w = r["wall"]
        lines.append([
            r["trace"], "%d" % r["packets"], "%.2f" % (r["packets"] / w / 1e6), "%.2f" % (r["bytes"] * 8 / w / 1e9),
            "%.0f" % (w * 1e9 / r["packets"]), fmt_bytes(r["rss"]),
            fmt_bytes(r["rss_anon"]) if r["rss_anon"] is not None else "-",
            "%d" % r["conns_peak"] if r["conns_peak"] is not None else "-",
            "%.0f" % r["bytes_per_conn"] if r["bytes_per_conn"] is not None and r["conns_peak"] >= 10000 else "-",
            "%.3f" % w, "%.3f" % r["cpu"], "%.3f" % r["tcpdump"] if r["tcpdump"] else "-",
            "%.2f" % (w / r["tcpdump"]) if r["tcpdump"] else "-",
        ])
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(head)]
    md = ["| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(head)) + " |",
          "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for l in lines:
        md.append("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(l)) + " |")
    print()
    print("\n".join(md))
    for n in notes:
        print("note: " + n)
    print("(best of %d runs by wall time; cpu s = user + system time of that run; Gbit/s counts Ethernet frame "
          "bytes; anon RSS = peak RssAnon sampled every 20 ms in an extra untimed run (no mapped trace pages); B/live conn = anon RSS / "
          "conns peak (or (peak RSS - %s baseline) / conns peak without /proc), shown from 10000 conns up)"
          % (a.repeat, fmt_bytes(base_rss)))
    with open(os.path.join(a.results, "table.md"), "w") as f:
        f.write("CPU: %s\n\n" % cpu_model() + "\n".join(md) + "\n" + "".join("\nnote: " + n for n in notes) + "\n")
    with open(os.path.join(a.results, "results.json"), "w") as f:
        json.dump({"cpu": cpu_model(), "rows": rows, "notes": notes}, f, indent=1)
    return 1 if any("failed" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""check_corpus.py - run connlog on every case of the in-repo corpus and
compare with Zeek's baselines, against a committed baseline of our own
results.

Usage: check_corpus.py --connlog BINARY [--corpus DIR] [--baseline FILE]
                       [--case SUBSTR ...] [--jobs N] [--update-baseline]
                       [--verbose]

For each case the traces are decompressed into a temporary folder,
tests/conformance/run-case runs connlog with the case's options (CONNLOG
points it at BINARY), and zeekcmp.py compares OUTDIR/conn.log with the
expected log. A case passes when it is not worse than its entry in
baseline.json: no more missing or extra records, and no column with fewer
agreeing records. Per-column totals are printed, and the last line is
'N passed, M failed'. --update-baseline rewrites baseline.json with this
run's figures (for the cases run).
"""

import argparse
import concurrent.futures
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import zeekcmp  # noqa: E402

RUN_CASE = os.path.join(HERE, "run-case")


def run_one(case_dir, corpus, binary, timeout, extra_args=""):
    with open(os.path.join(case_dir, "case.json")) as f:
        case = json.load(f)
    work = tempfile.mkdtemp(prefix="connlog-corpus-")
    try:
        pcaps = []
        for i, t in enumerate(case["traces"]):
            src = os.path.join(corpus, t["path"])
            if t.get("compression") == "gzip" or src.endswith(".gz"):
                name = os.path.basename(src)
                dst = os.path.join(work, "trace%d-%s" % (i, name[:-3] if name.endswith(".gz") else name))
                with gzip.open(src, "rb") as fi, open(dst, "wb") as fo:
                    shutil.copyfileobj(fi, fo)
                pcaps.append(dst)
            else:
                pcaps.append(os.path.abspath(src))
        outdir = os.path.join(work, "out")
        env = dict(os.environ, CONNLOG=binary, CONNLOG_EXTRA_ARGS=extra_args)
        t0 = time.time()
        try:
            p = subprocess.run([sys.executable, RUN_CASE, os.path.join(case_dir, "case.json"), outdir] + pcaps,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
            rc, output = p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            rc, output = -1, "timed out after %ds" % timeout
        elapsed = time.time() - t0
        exp = zeekcmp.read_log(os.path.join(corpus, case["expected"]), case.get("expected_fields_hint"))
        cols = case.get("compared_columns")
        actual = None
        for n in ("conn.log", "conn.json"):
            if os.path.exists(os.path.join(outdir, n)):
                actual = os.path.join(outdir, n)
        if actual:
            res = zeekcmp.compare(exp, zeekcmp.read_log(actual), cols)
        else:
            # No output: every expected record is missing.
            empty = zeekcmp.Log()
            empty.columns = list(exp.columns)
            res = zeekcmp.compare(exp, empty, cols)
        return case, res, rc, output, elapsed
    finally:
        shutil.rmtree(work, ignore_errors=True)


def summary(res):
    return {"records_missing": res["missing"], "records_extra": res["extra"],
            "columns": dict((c, list(v)) for c, v in sorted(res["columns"].items()))}


def regressions(now, base):
    """Ways in which `now` is worse than `base` (both summary dicts)."""
    out = []
    if base is None:
        return out
    if now["records_missing"] > base["records_missing"]:
        out.append("missing %d > %d" % (now["records_missing"], base["records_missing"]))
    if now["records_extra"] > base["records_extra"]:
        out.append("extra %d > %d" % (now["records_extra"], base["records_extra"]))
    for c, (agree, _total) in base["columns"].items():
        got = now["columns"].get(c, [0, 0])[0]
        if got < agree:
            out.append("%s agrees on %d < %d" % (c, got, agree))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connlog", required=True, help="the connlog binary to test")
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--baseline", default=os.path.join(HERE, "baseline.json"))
    ap.add_argument("--case", action="append", help="only cases whose id contains this")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--update-baseline", action="store_true")
    ap.add_argument("--extra-args", default="",
                    help="more connlog options for every case, e.g. '--threads 2' (the "
                         "results must not get worse than the baseline with them either)")
    ap.add_argument("--verbose", action="store_true", help="details of cases that differ from Zeek")
    ap.add_argument("--show", type=int, default=10, help="with --verbose: differing values shown per case")
    a = ap.parse_args(argv)

    binary = os.path.abspath(a.connlog)
    cdir = os.path.join(a.corpus, "cases")
    ids = sorted(d for d in os.listdir(cdir) if os.path.exists(os.path.join(cdir, d, "case.json")))
    if a.case:
        ids = [i for i in ids if any(s in i for s in a.case)]
    baseline = {}
    if os.path.exists(a.baseline):
        with open(a.baseline) as f:
            baseline = json.load(f)

    results = {}
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futs = dict((pool.submit(run_one, os.path.join(cdir, i), a.corpus, binary, a.timeout,
                                   a.extra_args), i) for i in ids)
        for fut in concurrent.futures.as_completed(futs):
            cid = futs[fut]
            try:
                results[cid] = fut.result()
            except Exception as e:  # a parse error of our own output, etc.
                results[cid] = (None, None, -1, "check_corpus: %s: %r" % (cid, e), 0.0)

    npass = nfail = 0
    totals_all, totals_nt = {}, {}
    exact = 0
    new_base = dict(baseline)
    for cid in ids:
        case, res, rc, output, elapsed = results[cid]
        if res is None:
            print("FAIL %s: %s" % (cid, output.strip()))
            nfail += 1
            continue
        now = summary(res)
        new_base[cid] = now
        tunnels = "tunnels" in (case.get("categories") or [])
        for c, (ag, tot) in res["columns"].items():
            for tab in (totals_all,) + (() if tunnels else (totals_nt,)):
                t = tab.setdefault(c, [0, 0])
                t[0] += ag
                t[1] += tot
        for tab in (totals_all,) + (() if tunnels else (totals_nt,)):
            for k, v in (("(records missing)", res["missing"]), ("(records extra)", res["extra"]),
                         ("(records expected)", res["expected"])):
                tab.setdefault(k, [0, 0])[0] += v
        same_as_zeek = res["missing"] == 0 and res["extra"] == 0 and \
            all(ag == tot for ag, tot in res["columns"].values())
        exact += same_as_zeek
        bad = regressions(now, baseline.get(cid))
        differing = sorted(c for c, (ag, tot) in res["columns"].items() if ag != tot)
        status = "FAIL" if bad else "ok  "
        line = "%s %s: exp %d act %d missing %d extra %d%s%s%s (%.1fs)" % (
            status, cid, res["expected"], res["actual"], res["missing"], res["extra"],
            " zeek-identical" if same_as_zeek else "",
            (" differing: " + ",".join(differing)) if differing else "",
            (" rc=%d" % rc) if rc not in (0, 1) else "", elapsed)
        if bad:
            line += "\n    regression: " + "; ".join(bad)
        if cid not in baseline:
            line += " [no baseline]"
        print(line)
        if (bad or (a.verbose and not same_as_zeek)) and output.strip():
            print("\n".join("    | " + l for l in output.strip().splitlines()[-5:]))
        if a.verbose and not same_as_zeek:
            for row, c, ev, av in res["mismatches"][:a.show]:
                print("    record %d %s: expected %r, actual %r" % (row, c, ev, av))
        if bad:
            nfail += 1
        else:
            npass += 1

    for title, tab in (("all cases", totals_all), ("cases without the tunnels tag", totals_nt)):
        print("\nper-column agreement over matched records, %s:" % title)
        for c in sorted(k for k in tab if not k.startswith("(")):
            ag, tot = tab[c]
            print("  %-22s %6d/%-6d %6.2f%%" % (c, ag, tot, 100.0 * ag / tot if tot else 100.0))
        print("  records: expected %d, missing %d, extra %d" % (
            tab.get("(records expected)", [0])[0], tab.get("(records missing)", [0])[0],
            tab.get("(records extra)", [0])[0]))
    print("\n%d of %d cases identical to Zeek on every compared column; %.0fs" % (
        exact, len(ids), time.time() - t0))

    if a.update_baseline:
        with open(a.baseline, "w") as f:
            json.dump(new_base, f, indent=1, sort_keys=True)
            f.write("\n")
        print("baseline written: %s" % a.baseline)
    print("%d passed, %d failed" % (npass, nfail))
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""service_report.py - per-protocol agreement of the service column.

Usage: service_report.py --connlog BINARY [--corpus DIR] [--case SUBSTR ...]
                         [--jobs N] [--pairs N] [--cases N]

Runs connlog on every case of a corpus (as check_corpus.py does) and, over
the matched records of the cases that compare `service`, prints for each
service name Zeek logs (or connlog logs where Zeek logs none) how many
records carry it and on how many connlog's whole service value agrees. Then
the most frequent (expected, actual) disagreements, each with a few of the
cases it occurs in. The last line is the overall figure.
"""

import argparse
import collections
import concurrent.futures
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_corpus  # noqa: E402


def names(v):
    """A normalised service value (a set of names, or unset) as a sorted list."""
    return sorted(v) if isinstance(v, frozenset) else []


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connlog", required=True)
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--case", action="append")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pairs", type=int, default=40, help="disagreements listed")
    ap.add_argument("--cases", type=int, default=3, help="cases named per disagreement")
    a = ap.parse_args(argv)

    binary = os.path.abspath(a.connlog)
    cdir = os.path.join(a.corpus, "cases")
    ids = sorted(d for d in os.listdir(cdir) if os.path.exists(os.path.join(cdir, d, "case.json")))
    if a.case:
        ids = [i for i in ids if any(s in i for s in a.case)]

    per_name = collections.defaultdict(lambda: [0, 0])
    confusions = collections.Counter()
    where = collections.defaultdict(list)
    total = agree = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futs = dict((pool.submit(check_corpus.run_one, os.path.join(cdir, i), a.corpus, binary, 600), i)
                    for i in ids)
        for fut in concurrent.futures.as_completed(futs):
            cid = futs[fut]
            case, res, _rc, _out, _t = fut.result()
            cols = case.get("compared_columns")
            if cols is not None and "service" not in cols:
                continue
            for e, r in res["pairs"]:
                ev, av = names(e.get("service")), names(r.get("service"))
                ok = ev == av
                total += 1
                agree += ok
                for n in (ev or av or ["-"]):
                    per_name[n][0] += 1
                    per_name[n][1] += ok
                if not ok:
                    k = (",".join(ev) or "-", ",".join(av) or "-")
                    confusions[k] += 1
                    if len(where[k]) < a.cases and cid not in where[k]:
                        where[k].append(cid)

    print("%-22s %8s %8s %8s" % ("service", "records", "agree", "%"))
    for n, (cnt, ok) in sorted(per_name.items(), key=lambda kv: -kv[1][0]):
        print("%-22s %8d %8d %7.1f%%" % (n, cnt, ok, 100.0 * ok / cnt))
    print("\nexpected -> actual (count): cases")
    for (ev, av), cnt in confusions.most_common(a.pairs):
        print("  %s -> %s (%d): %s" % (ev, av, cnt, " ".join(where[(ev, av)])))
    print("\nservice agrees on %d of %d matched records (%.2f%%)" % (
        agree, total, 100.0 * agree / total if total else 100.0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

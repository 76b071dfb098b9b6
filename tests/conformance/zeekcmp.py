#!/usr/bin/env python3
"""zeekcmp.py - compare a connlog conn.log with a Zeek baseline (stdlib only).

Our own implementation of the matching rules the corpus documents (the
corpus README and ../shared/tools/conncmp.py), so that the test suite needs
nothing outside the repository:

* logs may be Zeek TSV (header blocks with #separator, #set_separator,
  #empty_field, #unset_field, #fields, #types), zeek-cut -m output (first
  line = bare column names), headerless zeek-cut output (names given by the
  case's expected_fields_hint) or Zeek JSON lines; '###' lines are ignored;
  a column with an empty name (zeek-cut asked for a missing column) is
  ignored;
* on the expected side 'XXXXXXXXXX.XXXXXX' (masked time) agrees with any
  set value and 'XXXXXXXXXXX' (masked uid) disables uid mapping;
* records are keyed on proto and the four id fields (those present in both
  logs), plus ts to the microsecond when no expected ts is masked; records
  sharing a key pair first by full agreement, then greedily by the number
  of agreeing columns;
* times and intervals compare to the microsecond, service (and
  speculative_service) as an unordered set, set columns as sets;
* tunnel_parents compares through the uid mapping of matched records; a
  parent uid naming no record of its own log (a GRE/IP tunnel, logged only
  in tunnel.log) must pair one-to-one with an equally unknown actual uid;
* a compared column missing from the actual log disagrees on every record.

Usage: zeekcmp.py EXPECTED ACTUAL [--columns a,b] [--expected-fields a,b]
"""

import json
import re
import sys

MASK_TS = "XXXXXXXXXX.XXXXXX"
MASK_UID = "XXXXXXXXXXX"


class Masked(object):
    __slots__ = ()

    def __repr__(self):
        return "<masked>"


MASKED = Masked()
UNSET = None
KEYS = ("proto", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p")

TYPES = {
    "ts": "time", "duration": "interval", "id.orig_p": "port", "id.resp_p": "port",
    "orig_bytes": "count", "resp_bytes": "count", "missed_bytes": "count",
    "orig_pkts": "count", "orig_ip_bytes": "count", "resp_pkts": "count",
    "resp_ip_bytes": "count", "ip_proto": "count", "pppoe_session_id": "count",
    "vlan": "int", "inner_vlan": "int", "id.ctx.vlan": "int", "id.ctx.inner_vlan": "int",
    "local_orig": "bool", "local_resp": "bool", "tunnel_parents": "set[string]",
    "failed_service": "set[string]",
}
KNOWN_COLUMNS = set(TYPES) | set([
    "uid", "id.orig_h", "id.resp_h", "proto", "service", "conn_state", "history",
    "orig_l2_addr", "resp_l2_addr", "speculative_service", "community_id"])
COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")


class LogError(Exception):
    pass


class Log(object):
    def __init__(self):
        self.columns = []
        self.types = {}
        self.rows = []
        self.kind = None


def _hex_unescape(s):
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s)


def _value_unescape(s):
    if "\\" not in s:
        return s
    return re.sub(r"\\x([0-9a-fA-F]{2})|\\\\", lambda m: chr(int(m.group(1), 16)) if m.group(1) else "\\", s)


def read_log(path, names=None):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    data = [l for l in lines if l.strip() and not l.startswith("#")]
    if data and data[0].lstrip().startswith("{"):
        return _read_json(lines)
    return _read_tsv(lines, names)


def _read_json(lines):
    log = Log()
    log.kind = "json"
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        s = re.sub(r'(?<=[:\[,])\s*XXXXXXXXXX\.XXXXXX', '"%s"' % MASK_TS, s)
        try:
            obj = json.loads(s)
        except ValueError as e:
            raise LogError("line %d: bad JSON: %s" % (n, e))
        row = {}
        stack = [("", obj)]
        while stack:
            prefix, o = stack.pop()
            for k, v in o.items():
                if isinstance(v, dict):
                    stack.append((prefix + k + ".", v))
                    continue
                name = prefix + k
                if name not in log.columns:
                    log.columns.append(name)
                if v in (MASK_TS, MASK_UID):
                    row[name] = MASKED
                elif isinstance(v, list):
                    row[name] = frozenset(("T" if x else "F") if isinstance(x, bool) else str(x) for x in v)
                else:
                    row[name] = v
        log.rows.append(row)
    return log


def _read_tsv(lines, names):
    log = Log()
    log.kind = "headerless" if names else "tsv"
    sep, setsep, empty, unset = "\t", ",", "(empty)", "-"
    fields = list(names) if names else None
    types = {}
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line or line.startswith("###"):
            continue
        if line.startswith("#"):
            if line.startswith("#separator"):
                sep = _hex_unescape(line[len("#separator"):].strip(" ")) or "\t"
                continue
            parts = line.split(sep)
            tag, rest = parts[0], parts[1:]
            if tag == "#set_separator" and rest:
                setsep = _hex_unescape(rest[0])
            elif tag == "#empty_field" and rest:
                empty = rest[0]
            elif tag == "#unset_field" and rest:
                unset = rest[0]
            elif tag == "#fields":
                fields, types = rest, {}
                log.kind = "tsv"
            elif tag == "#types" and fields:
                types = dict(zip(fields, rest))
            continue
        vals = line.split(sep)
        if fields is None:
            if all(v == "" or COLUMN_NAME.match(v) for v in vals) and \
                    any(v in KNOWN_COLUMNS for v in vals) and \
                    not any(v in ("tcp", "udp", "icmp") for v in vals):
                fields = vals
                log.kind = "zeek-cut-minimal"
                continue
            raise LogError("line %d: no #fields header and no column names" % n)
        if len(vals) != len(fields):
            raise LogError("line %d: %d values for %d fields" % (n, len(vals), len(fields)))
        row = {}
        for name, raw in zip(fields, vals):
            if not name:
                continue
            if name not in log.columns:
                log.columns.append(name)
            typ = types.get(name) or TYPES.get(name, "string")
            log.types.setdefault(name, typ)
            if raw in (MASK_TS, MASK_UID):
                row[name] = MASKED
            elif raw == unset:
                row[name] = UNSET
            elif typ.startswith(("set[", "vector[", "table[")):
                row[name] = frozenset() if raw == empty else \
                    frozenset(_value_unescape(x) for x in raw.split(setsep))
            elif raw == empty and typ == "string":
                row[name] = ""
            else:
                row[name] = _value_unescape(raw)
        log.rows.append(row)
    if fields and not log.columns:
        log.columns = [f for f in fields if f]
    return log


def _epoch(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    s = str(v)
    try:
        return float(s)
    except ValueError:
        pass
    import datetime
    m = re.match(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$", s)
    if not m:
        raise ValueError(s)
    t = datetime.datetime.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S")
    tz = m.group(4) or "Z"
    off = 0 if tz == "Z" else (1 if tz[0] == "+" else -1) * (int(tz[1:3]) * 60 + int(tz[-2:]))
    t = t.replace(tzinfo=datetime.timezone(datetime.timedelta(minutes=off)))
    return t.timestamp() + (float(m.group(3)) if m.group(3) else 0.0)


def normalise(col, v, typ):
    if v is UNSET or v is MASKED:
        return v
    try:
        if typ in ("time", "interval", "double"):
            return int(round((_epoch(v) if typ == "time" else float(v)) * 1e6))
        if typ in ("count", "int"):
            return int(v)
        if typ == "port":
            return int(str(v).split("/")[0])
        if typ == "bool":
            return v if isinstance(v, bool) else str(v) in ("T", "true", "1")
    except (TypeError, ValueError):
        return ("unparsed", str(v))
    if isinstance(v, frozenset):
        return v
    if col in ("service", "speculative_service") and isinstance(v, str):
        return frozenset(x for x in v.split(",")) if v else frozenset()
    return v if isinstance(v, bool) else str(v)


def compare(exp, act, columns=None):
    """Returns dict(matched, missing, extra, expected, actual,
    columns={col: [agree, matched]}, mismatches=[...])."""
    cols = [c for c in dict.fromkeys(columns or exp.columns) if c in exp.columns and c != "uid"]
    absent = set(c for c in cols if c not in act.columns)

    def typ(c):
        return exp.types.get(c) or act.types.get(c) or TYPES.get(c, "string")

    E = [dict((c, normalise(c, r.get(c, UNSET), typ(c))) for c in r) for r in exp.rows]
    A = [dict((c, normalise(c, r.get(c, UNSET), typ(c))) for c in r) for r in act.rows]

    keycols = [c for c in KEYS if c in exp.columns and c in act.columns]
    if "ts" in exp.columns and "ts" in act.columns and E and all(r.get("ts") is not MASKED for r in E):
        keycols.insert(0, "ts")

    scored = [c for c in cols if c != "tunnel_parents" and c not in absent]

    def same(ev, av):
        return av is not UNSET if ev is MASKED else ev == av

    def score(e, a):
        return sum(1 for c in scored if same(e.get(c), a.get(c)))

    by_key = {}
    for i, r in enumerate(A):
        by_key.setdefault(tuple(r.get(c) for c in keycols), []).append(i)
    pairs = {}
    groups = {}
    for i, r in enumerate(E):
        groups.setdefault(tuple(r.get(c) for c in keycols), []).append(i)
    for k, eis in groups.items():
        free = list(by_key.get(k, []))
        left = []
        for ei in eis:
            hit = next((ai for ai in free if score(E[ei], A[ai]) == len(scored)), None)
            if hit is None:
                left.append(ei)
            else:
                pairs[ei] = hit
                free.remove(hit)
        for ei in left:
            if not free:
                break
            best = max(free, key=lambda ai: score(E[ei], A[ai]))
            pairs[ei] = best
            free.remove(best)

    uids_ok = "uid" in exp.columns and "uid" in act.columns
    umap = {}
    for ei, ai in pairs.items():
        eu = exp.rows[ei].get("uid")
        if eu is MASKED or eu is UNSET:
            uids_ok = False
        elif uids_ok:
            umap[eu] = act.rows[ai].get("uid")
    exp_uids = set(r.get("uid") for r in exp.rows if isinstance(r.get("uid"), str))
    act_uids = set(r.get("uid") for r in act.rows if isinstance(r.get("uid"), str))
    ext_fwd, ext_back = {}, {}

    def parents_agree(ev, av):
        if not isinstance(av, frozenset):
            return False
        if not uids_ok:
            return len(ev) == len(av)
        e_in = frozenset(umap.get(u, "?" + u) for u in ev if u in exp_uids)
        a_in = frozenset(u for u in av if u in act_uids)
        e_out = sorted(u for u in ev if u not in exp_uids)
        a_out = sorted(u for u in av if u not in act_uids)
        if e_in != a_in or len(e_out) != len(a_out):
            return False
        if len(e_out) == 1:
            e, a = e_out[0], a_out[0]
            if ext_fwd.get(e, a) != a or ext_back.get(a, e) != e:
                return False
            ext_fwd[e], ext_back[a] = a, e
        return True

    agree = dict((c, 0) for c in cols)
    mismatches = []
    for ei in sorted(pairs):
        e, a = E[ei], A[pairs[ei]]
        for c in cols:
            ev, av = e.get(c, UNSET), a.get(c, UNSET)
            if c in absent:
                ok = False
            elif c == "tunnel_parents" and isinstance(ev, frozenset):
                ok = parents_agree(ev, av)
            else:
                ok = same(ev, av)
            if ok:
                agree[c] += 1
            elif len(mismatches) < 20:
                mismatches.append((ei + 1, c, ev, "<absent>" if c in absent else av))
    matched = len(pairs)
    return dict(
        expected=len(E), actual=len(A), matched=matched,
        missing=len(E) - matched, extra=len(A) - matched,
        columns=dict((c, [agree[c], matched]) for c in cols),
        mismatches=mismatches,
        missing_rows=[i + 1 for i in range(len(E)) if i not in pairs][:10],
        pairs=[(E[ei], A[ai]) for ei, ai in sorted(pairs.items())],
    )


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="compare two conn logs")
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--columns")
    ap.add_argument("--expected-fields")
    a = ap.parse_args(argv)
    try:
        exp = read_log(a.expected, a.expected_fields.split(",") if a.expected_fields else None)
        act = read_log(a.actual)
    except (LogError, OSError) as e:
        sys.stderr.write("zeekcmp: %s\n" % e)
        return 2
    r = compare(exp, act, a.columns.split(",") if a.columns else None)
    print("records: expected %d, actual %d, matched %d, missing %d, extra %d" % (
        r["expected"], r["actual"], r["matched"], r["missing"], r["extra"]))
    for c, (ag, tot) in r["columns"].items():
        print("  %-22s %5d/%-5d%s" % (c, ag, tot, "" if ag == tot else "  <-- differs"))
    for row, c, ev, av in r["mismatches"]:
        print("  record %d %s: expected %r, actual %r" % (row, c, ev, av))
    ok = r["missing"] == 0 and r["extra"] == 0 and all(ag == t for ag, t in r["columns"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""The client of benches/soak.sh (see there).

  soak.py load URL_A URL_B TOKENS_FILE OUT_JSON   mixed reads at CONCURRENCY and writes at the
        write limit, for WARMUP + DURATION seconds; writes `OUT_JSON.warm` when the warm-up
        ends; every write attempt and every answer's status are written to OUT_JSON.
  soak.py check URL_A URL_B OUT_JSON PSQL...   the checks (exit 1 when one fails).
"""
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse

STATES = ["WI", "CA", "TX", "FL", "NY", "OH", "MI", "PA", "IL", "GA", "AZ", "WA", "CO", "MN"]
HTML = {"Accept": "text/html"}
# The 5xx the API documents (README, limits): anything else is a failure.
DOCUMENTED_503 = {"database_unavailable", "request_timeout", "too_many_exports"}


class Conn:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.c = u.hostname, u.port, None

    def request(self, method, path, body=None, headers=None, timeout=40):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            if self.c is None:
                self.c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
            self.c.request(method, path, body=data, headers=headers)
            r = self.c.getresponse()
            payload = r.read()
            return r.status, r, payload
        except (http.client.HTTPException, OSError) as e:
            if self.c is not None:
                self.c.close()
            self.c = None
            return None, None, str(e).encode()


# The error pages (text/html) say their problem in the title.
PAGE_TITLES = {b"Database unavailable": "database_unavailable", b"Request timed out": "request_timeout",
               b"Too many exports": "too_many_exports"}


def problem_code(payload):
    try:
        return json.loads(payload).get("code")
    except (ValueError, AttributeError):
        title = payload.split(b"<title>", 1)[-1].split(b"</title>", 1)[0]
        return next((c for t, c in PAGE_TITLES.items() if t in title), None)


def load(url_a, url_b, tokens_file, out):
    concurrency = int(os.environ.get("CONCURRENCY", "64"))
    warmup = float(os.environ.get("WARMUP", "10"))
    duration = float(os.environ.get("DURATION", "60"))
    # Each writer asks as fast as this (default: no pause) and waits Retry-After on a 429:
    # it writes at the rate limit, whatever cost weighting makes of it.
    writes_per_minute = float(os.environ.get("WRITES_PER_MINUTE", "0"))
    run = os.environ.get("RUN", str(int(time.time())))
    tokens = [t for t in open(tokens_file).read().split() if t]
    urls = [url_a, url_b]

    boot = Conn(url_a)
    agencies = [a["id"] for a in json.loads(boot.request("GET", "/agencies?limit=1000&sort=name")[2])["data"]]
    partnerships = [p["id"] for p in json.loads(boot.request("GET", "/partnerships?limit=1000")[2])["data"]]
    source = json.loads(boot.request("GET", "/sources?limit=1")[2])["data"][0]["id"]
    started = time.monotonic()
    end = started + warmup + duration
    lock = threading.Lock()
    results = []  # (t, kind, status, code, latency)
    writes = []   # attempts

    def read_path(rnd):
        r = rnd.random() * 100
        s = rnd.choice(STATES)
        if r < 20:
            return f"/partnerships?state={s}&limit=100", None
        if r < 30:
            return f"/agencies?state={s}&sort=-name&limit=100&count=true", None
        if r < 50:
            return (f"/agencies?near={30 + rnd.random() * 18.5:.4f},{-123 + rnd.random() * 53:.4f}"
                    f"&radius=50km&limit=50"), None
        if r < 62:
            return f"/agencies/{urllib.parse.quote(rnd.choice(agencies))}", None
        if r < 70:
            return f"/partnerships/{rnd.choice(partnerships)}", None
        if r < 74:
            return f"/partnerships.csv?state={s}", None
        if r < 80:
            return f"/stats?state={s}", None
        if r < 84:
            return "/", HTML
        if r < 90:
            return f"/agencies/{urllib.parse.quote(rnd.choice(agencies))}", HTML
        if r < 94:
            return f"/embed/map?state={s}", None
        if r < 97:
            return f"/embed/count?state={s}", None
        return f"/changes?since={rnd.randrange(1, 5000)}&limit=100", None

    def reader(k):
        rnd = random.Random(k)
        conns = [Conn(u) for u in urls]
        while time.monotonic() < end:
            which = rnd.randrange(2)
            path, headers = read_path(rnd)
            t0 = time.monotonic()
            status, r, payload = conns[which].request("GET", path, headers=headers)
            lat = time.monotonic() - t0
            code = problem_code(payload) if status and status >= 400 else None
            if status and status >= 500 and code not in DOCUMENTED_503:
                code = f"{code} {path} {payload[:200]!r}"
            if status is None:
                code = "connection: " + payload.decode(errors="replace")[:60]
                time.sleep(0.05)
            with lock:
                results.append((t0 - started, "GET", status, code, lat, which))

    def writer(k, token):
        rnd = random.Random(1000 + k)
        conns = [Conn(u) for u in urls]
        # Each writer has its own records, so writers never race each other's ETags.
        mine = [("partnerships", str(p)) for p in partnerships[k::len(tokens)][:50]] + \
               [("agencies", a) for a in agencies[k::len(tokens)][:50]]
        etags = {}
        n = 0
        interval = 60.0 / writes_per_minute if writes_per_minute > 0 else 0.0
        next_at = time.monotonic()
        while time.monotonic() < end:
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
                continue
            next_at += interval
            which = rnd.randrange(2)
            kind, rid = rnd.choice(mine)
            path = f"/{kind}/{urllib.parse.quote(rid)}"
            if (kind, rid) not in etags:
                s, r, payload = conns[which].request("GET", path)
                if s != 200:
                    continue
                etags[(kind, rid)] = r.getheader("ETag")
            marker = f"soak-{run}-{k}-{n}"
            n += 1
            t0 = time.monotonic()
            s, r, payload = conns[which].request(
                "PATCH", path,
                {"record": {"notes": marker},
                 "change": {"kind": "correction", "note": marker, "sources": [source]}},
                {"Authorization": f"Bearer {token}", "If-Match": etags[(kind, rid)]})
            lat = time.monotonic() - t0
            entry = {"marker": marker, "kind": kind, "id": rid, "status": s, "process": which,
                     "t": t0 - started}
            if s is not None and s >= 500:
                entry["body"] = payload[:300].decode(errors="replace")
            if s == 429:
                # At the write limit: as fast as the limiter lets this token write.
                time.sleep(float(r.getheader("Retry-After") or 1))
                next_at = time.monotonic()
            if s is not None and 200 <= s < 300:
                body = json.loads(payload)
                entry["seq"] = body.get("seq")
                entry["version"] = body["record"]["version"]
                etags[(kind, rid)] = r.getheader("ETag")
            else:
                entry["code"] = problem_code(payload) if s else payload.decode(errors="replace")[:80]
                etags.pop((kind, rid), None)  # read it again: the write may have been refused as stale
                if s is None:
                    time.sleep(0.2)
            with lock:
                writes.append(entry)
                results.append((t0 - started, "PATCH", s, entry.get("code") if s and s >= 400 else
                                (entry.get("code") if s is None else None), lat, which))

    threads = [threading.Thread(target=reader, args=(k,), daemon=True) for k in range(concurrency)]
    threads += [threading.Thread(target=writer, args=(k, t), daemon=True) for k, t in enumerate(tokens)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    open(out + ".warm", "w").write(str(time.monotonic() - started))
    for t in threads:
        t.join(timeout=max(0, end - time.monotonic()) + 60)
    with lock:
        json.dump({"warmup": warmup, "duration": duration, "results": results, "writes": writes,
                   "run": run}, open(out, "w"))


def check(url_a, url_b, out, psql):
    data = json.load(open(out))
    results = [r for r in data["results"] if r[0] >= data["warmup"]]
    warm_results = [r for r in data["results"] if r[0] < data["warmup"]]
    failures = []

    by_status = {}
    for _, _, status, code, _, _ in results:
        key = str(status) if status else "no answer"
        if status and status >= 500:
            key += f" {code}"
        if status is None:
            key = "connection error"
        by_status[key] = by_status.get(key, 0) + 1
    lat = sorted(r[4] for r in results if r[2] is not None)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")
    print(f"requests (after {data['warmup']:.0f} s warm-up, {data['duration']:.0f} s): {len(results)}"
          f" ({len(results) / data['duration']:.0f}/s); warm-up: {len(warm_results)}")
    print(f"latency of answered requests: p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms")
    print("answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items())))
    bad5xx = [(s, c) for _, _, s, c, _, _ in data["results"] if s and s >= 500
              and not (s == 503 and c in DOCUMENTED_503)]
    if bad5xx:
        failures.append(f"{len(bad5xx)} undocumented 5xx, e.g. {bad5xx[:5]}")

    def sql(query):
        return subprocess.run(psql + ["-At", "-F", "\t", "-c", query], check=True,
                              capture_output=True, text=True).stdout.strip()

    writes = data["writes"]
    acked = [w for w in writes if w["status"] and 200 <= w["status"] < 300]
    refused = [w for w in writes if w["status"] and not 200 <= w["status"] < 300]
    unknown = [w for w in writes if not w["status"]]
    in_db = {}
    for line in sql(f"select note, seq, entity_kind, entity_id, version from revisions "
                    f"where note like 'soak-{data['run']}-%'").splitlines():
        note, seq, kind, eid, version = line.split("\t")
        in_db[note] = (int(seq), kind, eid, int(version))
    missing = [w["marker"] for w in acked if w["marker"] not in in_db]
    wrong_seq = [w["marker"] for w in acked if w["marker"] in in_db and w.get("seq") is not None
                 and in_db[w["marker"]][0] != w["seq"]]
    refused_found = [(w["marker"], w["status"], w.get("code")) for w in refused if w["marker"] in in_db]
    unknown_found = sum(1 for w in unknown if w["marker"] in in_db)
    refused_codes = {}
    for w in refused:
        k = f"{w['status']} {w.get('code')}"
        refused_codes[k] = refused_codes.get(k, 0) + 1
    print(f"writes: {len(writes)} attempted, {len(acked)} acknowledged, {len(acked) - len(missing)} "
          f"of them found in the revisions table; refused {len(refused)} "
          f"({', '.join(f'{k}: {v}' for k, v in sorted(refused_codes.items()))}), "
          f"{len(refused_found)} of them found; no answer {len(unknown)} ({unknown_found} committed)")
    if missing:
        failures.append(f"{len(missing)} acknowledged writes missing from the database: {missing[:5]}")
    if wrong_seq:
        failures.append(f"{len(wrong_seq)} acknowledged writes at another seq than answered: {wrong_seq[:5]}")
    if refused_found:
        failures.append(f"{len(refused_found)} refused writes are in the database: {refused_found[:5]}")
    if not acked:
        failures.append("no write was acknowledged")

    count, lo, hi = map(int, sql("select count(*), min(seq), max(seq) from revisions").split("\t"))
    gapless = count == hi - lo + 1 and lo == 1
    print(f"revisions: {count}, seq {lo}..{hi}: {'gap-free' if gapless else 'GAPS'}")
    if not gapless:
        failures.append(f"revision seq has gaps: {count} rows over {lo}..{hi}")

    # Both processes: the feed reaches the database's head, and every written record reads
    # as its newest revision says.
    latest = {}
    for note, (seq, kind, eid, version) in in_db.items():
        if (kind, eid) not in latest or latest[(kind, eid)][0] < seq:
            latest[(kind, eid)] = (seq, version, note)
    plural = {"partnership": "partnerships", "agency": "agencies"}
    for name, url in [("A", url_a), ("B", url_b)]:
        c = Conn(url)
        deadline = time.monotonic() + 30
        head = -1
        while time.monotonic() < deadline:
            s, _, payload = c.request("GET", "/changes?since=0&limit=1")
            if s == 200:
                head = json.loads(payload)["head"]
                if head >= hi:
                    break
            time.sleep(0.5)
        stale = []
        feed_notes = set()
        since = min((v[0] for v in in_db.values()), default=hi) - 1
        while since < hi:
            s, _, payload = c.request("GET", f"/changes?since={since}&limit=1000")
            page = json.loads(payload)
            feed_notes.update(ch.get("note") for ch in page["data"])
            if not page["data"]:
                break
            since = page["next"]
        for (kind, eid), (seq, version, note) in latest.items():
            s, _, payload = c.request("GET", f"/{plural[kind]}/{urllib.parse.quote(eid)}")
            body = json.loads(payload) if s == 200 else {}
            if body.get("version") != version or body.get("notes") != note:
                stale.append((kind, eid, version, body.get("version"), s))
        unseen = [w["marker"] for w in acked if w["marker"] not in feed_notes]
        print(f"process {name}: head {head} (database {hi}); acknowledged writes in its feed "
              f"{len(acked) - len(unseen)}/{len(acked)}; records as their newest revision "
              f"{len(latest) - len(stale)}/{len(latest)}")
        if head < hi:
            failures.append(f"process {name} is behind: head {head} < {hi}")
        if unseen:
            failures.append(f"process {name}'s feed lacks {len(unseen)} acknowledged writes: {unseen[:5]}")
        if stale:
            failures.append(f"process {name} answers {len(stale)} records stale: {stale[:5]}")
    return failures


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(*sys.argv[2:6])
    else:
        failures = check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        rss = os.environ.get("RSS_WARM"), os.environ.get("RSS_END")
        if all(rss):
            warm, end = int(rss[0]), int(rss[1])
            growth = (end - warm) / warm
            print(f"resident memory of the process not killed (B), median of 5 s: {warm // 1024} MiB after "
                  f"warm-up, {end // 1024} MiB at the end ({growth:+.1%}, limit ±20%)")
            if abs(growth) > 0.20:
                failures.append(f"memory grew {growth:+.1%}")
        for f in failures:
            print("FAIL: " + f)
        print("PASS" if not failures else "FAIL")
        sys.exit(1 if failures else 0)

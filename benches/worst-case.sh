#!/usr/bin/env bash
# Worst case per operation (issue 18): for every operation of the served spec (and the pages,
# embeds and downloads beside it), the costliest request an anonymous client can make within
# the documented limits: a 10,000-vertex polygon, the widest `bbox` with `limit=1000`, the
# deepest cursor, `as_of` alternating over more past times than any cache holds, sorted exports
# of everything, `/stats` with every filter, `q` up to the URI limit, OGC pages of 10,000.
#
# Release build, SQLite: the full Atlas of Surveillance import, AGENCIES synthetic agencies
# (default 100,000) and EDITS edits through the API (default 4,000, all to one partnership, so
# `as_of` between them is a checkpoint plus a replay, and that record has the longest history).
#
# Two servers on the one database:
# - rate limits off: each request's server CPU (utime + stime of the process from
#   /proc/PID/stat, before and after CPU_SECONDS of sequential requests, divided by their number);
# - the default limits: one client address (a fresh 127.0.x.y per operation) first empties its
#   bucket with cheap requests, then asks as fast as it may for SECONDS_PER_OP seconds (a 429
#   makes it wait 50 ms); the server's CPU over that time is the share of one core an address
#   can take with that request. Target: at most 10%.
# The last rows are clients ignoring their 429s, on one connection and on 64 at once from one
# address. CONNECTIONS=8 makes every hammer use that many connections at once.
#
# Usage: benches/worst-case.sh [ATLAS_CSV]
#   AGENCIES=100000 EDITS=4000 SECONDS_PER_OP=10 CPU_SECONDS=3 ONLY=<regex of op names> BIN=<binary>
# Exits non-zero when an operation lets one address take more than 10% of a core.
set -euo pipefail
cd "$(dirname "$0")/.."
atlas="${1:-../shared/data/eff_atlas_of_surveillance_20201007/Atlas of Surveillance-20201007.csv}"
agencies="${AGENCIES:-100000}"
edits="${EDITS:-4000}"
work="${BENCH_DIR:-target/bench-worst}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

# BIN: a release binary built already (else this builds one).
bin="${BIN:-target/release/ring-partnerships}"
[ -n "${BIN:-}" ] || cargo build --release --quiet --bin ring-partnerships

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 600); do curl -sf "$1/health" >/dev/null && return; sleep 0.2; done; echo "server at $1 did not start" >&2; exit 1; }
# The limits a test might have set are not this benchmark's: the servers get the defaults
# unless said otherwise below.
unset RATE_LIMIT_READS RATE_LIMIT_WRITES RATE_LIMIT_COST_MS EXPORT_CONCURRENCY MAX_URI_BYTES \
    MAX_BODY_BYTES MAX_POLYGON_VERTICES REQUEST_TIMEOUT_SECS DATABASE_URL \
    MAX_IN_FLIGHT_PER_ADDRESS RATE_LIMIT_TARPIT_MS

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

db="$work/worst-$agencies-$edits.db"
# Built once; `.ready` marks a database whose import, generation and edits all finished.
if [ ! -f "$db.ready" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    "$bin" import atlas "$atlas" --database "$db"
    "$bin" generate --agencies "$agencies" --database "$db"
    token=$("$bin" token create --role editor --name worst-case --database "$db" 2>/dev/null | grep -o 'rp_[A-Za-z0-9_-]*')
    port=$(free_port)
    RUST_LOG=warn RATE_LIMIT_WRITES=0 RATE_LIMIT_READS=0 "$bin" serve --database "$db" --bind "127.0.0.1:$port" &
    pids+=($!)
    wait_up "http://127.0.0.1:$port"
    python3 - "http://127.0.0.1:$port" "$token" "$edits" "$work/state.json" <<'PY'
import http.client, json, sys, urllib.parse
base, token, edits, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(base)
c = http.client.HTTPConnection(u.hostname, u.port)
def call(method, path, body=None, headers=None):
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers or {})
    r = c.getresponse()
    return r.status, r.getheader("ETag"), r.read()
s, _, b = call("GET", "/partnerships?limit=1&sort=id")
hot = json.loads(b)["data"][0]["id"]
s, etag, b = call("GET", f"/partnerships/{hot}")
head0 = json.loads(call("GET", "/changes?limit=1")[2])["head"]
src = json.loads(call("GET", "/sources?limit=1")[2])["data"][0]["id"]
for n in range(edits):
    s, etag, b = call("PATCH", f"/partnerships/{hot}", {
        "record": {"notes": f"worst-case edit {n}"},
        "change": {"kind": "correction", "note": f"worst-case edit {n}", "sources": [src]}},
        {"Authorization": f"Bearer {token}", "If-Match": etag, "Content-Type": "application/json"})
    assert s == 200, (s, b[:300])
# Times spread over the edits (each its own revision): as many as the history allows, up to 48.
times, since = [], head0
while True:
    page = json.loads(call("GET", f"/changes?since={since}&limit=1000")[2])
    times += [ch["recorded_at"] for ch in page["data"]]
    if not page["data"] or page["next"] == since:
        break
    since = page["next"]
head = page["head"]
step = max(1, len(times) // 48)
versions = json.loads(call("GET", f"/partnerships/{hot}")[2])["version"]
json.dump({"as_of": times[step - 1::step][:48], "hot_partnership": hot, "hot_versions": versions,
           "head": head}, open(out, "w"))
print(f"{edits} edits to partnership {hot}; head {head}")
PY
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
    touch "$db.ready"
fi

free_port_=$(free_port)
limited_port=$(free_port)
RUST_LOG=warn RATE_LIMIT_READS=0 RATE_LIMIT_WRITES=0 "$bin" serve --database "$db" --bind "127.0.0.1:$free_port_" >"$work/free.log" 2>&1 &
free_pid=$!; pids+=($free_pid)
RUST_LOG=warn "$bin" serve --database "$db" --bind "127.0.0.1:$limited_port" >"$work/limited.log" 2>&1 &
limited_pid=$!; pids+=($limited_pid)
wait_up "http://127.0.0.1:$free_port_"
wait_up "http://127.0.0.1:$limited_port"

echo "== $(git rev-parse --short HEAD), $(nproc) cores, $agencies synthetic agencies + Atlas, $edits edits"
python3 benches/worst_case.py "http://127.0.0.1:$free_port_" "$free_pid" \
    "http://127.0.0.1:$limited_port" "$limited_pid" "$work"

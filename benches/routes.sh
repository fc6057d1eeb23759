#!/usr/bin/env bash
# Route sweep (issue 15): every GET operation of the served spec, lists once per filter, at
# each size of synthetic data (default 10,000, 100,000 and 1,000,000 agencies, each with one
# partnership, plus the shipped seed), with wrk (c=16, DURATION each, rate limits and the
# per-address cap off, default logging). Prints req/s and p99 per route and size, and for
# the largest size the ratio to the smallest. Exports and downloads of files, which return
# the dataset, are measured but exempt from the targets.
#
# Targets: every route's req/s at the largest size is at least half its req/s at the
# smallest; no route under 2,000 req/s at 100,000.
#
# Usage: benches/routes.sh [SIZES...]   (default: 10000 100000 1000000)
#   DURATION=3s  ONLY=<regex of route names>  BIN=<release binary, else built>
# Databases are generated once into target/bench-routes (1,000,000 takes about 12 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
work="${BENCH_DIR:-target/bench-routes}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
bin="${BIN:-target/release/ring-partnerships}"
[ -n "${BIN:-}" ] || cargo build --release --quiet --bin ring-partnerships
unset RATE_LIMIT_READS RATE_LIMIT_WRITES RATE_LIMIT_COST_MS MAX_IN_FLIGHT_PER_ADDRESS DATABASE_URL

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
api=
trap '[ -n "$api" ] && kill "$api" 2>/dev/null; true' EXIT
results="$work/results.tsv"
: >"$results"
for n in "${sizes[@]}"; do
    db="$work/synthetic-$n.db"
    if [ ! -f "$db.ready" ]; then
        rm -f "$db" "$db-wal" "$db-shm"
        "$bin" generate --agencies "$n" --database "$db"
        touch "$db.ready"
    fi
    port=$(free_port)
    started=$(date +%s.%N)
    RATE_LIMIT_READS=0 MAX_IN_FLIGHT_PER_ADDRESS=0 "$bin" serve --database "$db" --bind "127.0.0.1:$port" >"$work/api-$n.log" 2>&1 &
    api=$!
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.1; done
    up=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$api/status")
    echo "== $n agencies: first answer after ${up} s, RSS $((rss / 1024)) MiB"
    python3 benches/routes.py "http://127.0.0.1:$port" "$n" "${DURATION:-3s}" "${ONLY:-}" >>"$results"
    # Memory grows as requests write records' JSON and the per-version caches fill.
    after=$(awk '/VmRSS/ {print $2}' "/proc/$api/status")
    peak=$(awk '/VmHWM/ {print $2}' "/proc/$api/status")
    echo "== $n agencies: RSS after the sweep $((after / 1024)) MiB, peak $((peak / 1024)) MiB"
    kill "$api"; wait "$api" 2>/dev/null || true; api=
done
python3 - "$results" <<'PY'
import sys
from collections import defaultdict
rows = defaultdict(dict)
exempt = {}
for line in open(sys.argv[1]):
    n, name, rps, p99, ex, size = line.rstrip("\n").split("\t")
    rows[name][int(n)] = (float(rps), p99, int(size))
    exempt[name] = ex == "1"
sizes = sorted({n for r in rows.values() for n in r})
print()
print("| route | " + " | ".join(f"{n:,}: req/s, p99" for n in sizes) + " | largest / smallest |")
print("|---|" + "---|" * len(sizes) + "---|")
failed = []
for name, by in rows.items():
    cells = [f"{by[n][0]:,.0f}, {by[n][1]}" if n in by else "-" for n in sizes]
    ratio = by[sizes[-1]][0] / by[sizes[0]][0] if sizes[0] in by and sizes[-1] in by else None
    mark = " (exempt)" if exempt[name] else ""
    # An answer that grows with the data (a radius holding more agencies) does more work
    # because it returns more: said beside the ratio, not hidden.
    grew = by[sizes[-1]][2] / max(by[sizes[0]][2], 1) if ratio else 1
    note = f" (answer {grew:.0f}x the bytes)" if grew >= 2 else ""
    print(f"| {name}{mark} | " + " | ".join(cells) + (f" | {ratio:.0%}{note} |" if ratio else " | - |"))
    if not exempt[name]:
        if ratio is not None and ratio < 0.5:
            failed.append(f"{name}: {ratio:.0%} of its rate at {sizes[0]:,}{note}")
        if 100000 in by and by[100000][0] < 2000:
            failed.append(f"{name}: {by[100000][0]:,.0f} req/s at 100,000")
print()
print("targets missed:" if failed else "every target met")
for f in failed:
    print(" -", f)
sys.exit(1 if failed else 0)
PY

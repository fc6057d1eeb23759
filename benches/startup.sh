#!/usr/bin/env bash
# Start-up benchmark (issue 15): how long `serve` takes from its start to its first answer,
# and its resident memory then and once the agencies' JSON is written (a few seconds on),
# for synthetic data of each size (N agencies, each with one partnership: 2N records). The
# median of ROUNDS starts, each on a database already in the page cache (one start before
# them reads it in). Memory per record is the settled RSS over 2N.
#
# Targets: under 2 s at 100,000 and under 15 s at 1,000,000.
#
# Usage: benches/startup.sh [SIZES...]   (default: 100000 1000000)
#   ROUNDS=3  BIN=<release binary, else built>  SETTLE=5 (seconds before the second reading)
# Databases are shared with benches/routes.sh (target/bench-routes), generated when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
rounds="${ROUNDS:-3}"
settle="${SETTLE:-5}"
work="${BENCH_DIR:-target/bench-routes}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
bin="${BIN:-target/release/ring-partnerships}"
[ -n "${BIN:-}" ] || cargo build --release --quiet --bin ring-partnerships
unset DATABASE_URL

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
api=
trap '[ -n "$api" ] && kill "$api" 2>/dev/null; true' EXIT

# One start: seconds to the first answer, RSS (KiB) then, RSS after $settle s.
start() {
    local db=$1 port
    port=$(free_port)
    local t0
    t0=$(date +%s.%N)
    RATE_LIMIT_READS=0 "$bin" serve --database "$db" --bind "127.0.0.1:$port" >"$work/startup.log" 2>&1 &
    api=$!
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do
        kill -0 "$api" 2>/dev/null || { cat "$work/startup.log" >&2; exit 1; }
        sleep 0.02
    done
    local t1 first
    t1=$(date +%s.%N)
    first=$(rss "$api")
    sleep "$settle"
    echo "$(python3 -c "print(f'{$t1 - $t0:.2f}')") $first $(rss "$api")"
    kill "$api"; wait "$api" 2>/dev/null || true; api=
}

echo "| records (agencies + partnerships) | first answer, s (median of $rounds) | RSS then, MiB | RSS after ${settle} s, MiB | bytes per record |"
echo "|---|---|---|---|---|"
for n in "${sizes[@]}"; do
    db="$work/synthetic-$n.db"
    if [ ! -f "$db.ready" ]; then
        rm -f "$db" "$db-wal" "$db-shm"
        "$bin" generate --agencies "$n" --database "$db" >/dev/null
        touch "$db.ready"
    fi
    start "$db" >/dev/null # reads the file into the page cache
    runs=()
    for _ in $(seq 1 "$rounds"); do runs+=("$(start "$db")"); done
    python3 - "$n" "${runs[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
runs = [tuple(float(x) for x in r.split()) for r in sys.argv[2:]]
secs = statistics.median(r[0] for r in runs)
first = statistics.median(r[1] for r in runs) / 1024
settled = statistics.median(r[2] for r in runs) / 1024
print(f"| {n:,} + {n:,} | {secs:.2f} (runs: {', '.join(f'{r[0]:.2f}' for r in runs)}) | {first:,.0f} | {settled:,.0f} | {settled * 1024 * 1024 / (2 * n):,.0f} |")
PY
done

#!/usr/bin/env bash
# Soak under faults (issue 18): a release build, two `serve` processes (A and B, their own
# ports) on one PRIVATE PostgreSQL cluster (initdb in a temporary directory on a free port,
# run as the `postgres` user when root; the shared server on 5432 is never touched), and one
# test client (benches/soak.py, python threads): CONCURRENCY (64) readers of a mix of lists,
# `near`, details, CSV exports, /stats, the public pages (`/` and agency pages as text/html),
# embeds and the change feed, against either process; and one writer per token (2) making
# cited PATCHes to either process at the write rate limit (as fast as the limiter lets its
# token, waiting `Retry-After` after a 429; cost weighting makes that fewer than 60 a minute).
#
# WARMUP (30 s: long enough for what a process fills once, per-record JSON and the page and
# totals caches, to fill at this load on 2 cores, where 10 s was not), then DURATION (60 s) with two faults: at a third of it process A is
# SIGKILLed and started again 2 s later; at two thirds PostgreSQL is restarted (pg_ctl
# restart -m fast). Reads are not rate-limited nor capped in progress per address (one client
# address is all the readers: MAX_IN_FLIGHT_PER_ADDRESS=0); the
# export limit and the write limit are the defaults.
#
# Afterwards the checks: every acknowledged (2xx) write is in the revisions table at the seq it
# was answered with, and in both processes' change feeds, and both answer each written record
# as its newest revision; no refused write is in the table; the revision sequence is gap-free
# (psql on the cluster); no 5xx but the documented 503s (database_unavailable, request_timeout,
# too_many_exports); B's resident memory at the end is within 20% of after the warm-up
# (medians of 5 s of samples each).
# Prints requests, answers by status, p50/p99, writes acknowledged and found, memory; exits
# non-zero when a check fails.
#
# Usage: benches/soak.sh     (AGENCIES=20000 synthetic agencies besides the shipped dataset;
#   DURATION, WARMUP, CONCURRENCY; RP_BIN=path of a binary to use instead of building)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${DURATION:-60}"
warmup="${WARMUP:-30}"
agencies="${AGENCIES:-20000}"
export CONCURRENCY="${CONCURRENCY:-64}" WARMUP="$warmup" DURATION="$duration"

# RP_BIN: a binary already built (else the release build).
if [ -n "${RP_BIN:-}" ]; then
    bin="$(realpath "$RP_BIN")"
else
    cargo build --release --quiet --bin ring-partnerships
    bin="$PWD/target/release/ring-partnerships"
fi

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pg_bin/initdb" ] || pg_bin=$(dirname "$(command -v initdb)")
dir=$(mktemp -d /tmp/rp-soak-XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$dir"
    as_pg=(runuser -u postgres --)
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port)
pg() { "${as_pg[@]}" "$pg_bin/pg_ctl" "$1" -D "$dir/data" -l "$dir/pg.log" -w \
    -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" "${@:2}" >/dev/null; }
"${as_pg[@]}" "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
pg start
url="postgres://postgres@127.0.0.1:$pg_port/postgres"
psql=(psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres)

api_a=""; api_b=""
work="${BENCH_DIR:-target/bench-soak}"
mkdir -p "$work"
cleanup() {
    for p in $api_a $api_b; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    # The logs and the client's record stay for a look afterwards.
    cp "$dir"/api-*.log "$dir"/pg.log "$dir"/soak.json "$dir"/rss "$work/" 2>/dev/null || true
    "${as_pg[@]}" "$pg_bin/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

unset RATE_LIMIT_WRITES RATE_LIMIT_COST_MS EXPORT_CONCURRENCY REQUEST_TIMEOUT_SECS DATABASE_URL
port_a=$(free_port); port_b=$(free_port)
serve() { RUST_LOG=warn RATE_LIMIT_READS=0 MAX_IN_FLIGHT_PER_ADDRESS=0 "$bin" serve --database "$url" --bind "127.0.0.1:$1" >>"$dir/api-$2.log" 2>&1 & }
wait_up() { for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return; sleep 0.2; done; echo "API on $1 did not start" >&2; exit 1; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# A migrates and seeds the shipped dataset; then the synthetic agencies; then B.
serve "$port_a" a; api_a=$!
wait_up "$port_a"
"$bin" generate --agencies "$agencies" --database "$url" >/dev/null
tokens="$dir/tokens"
for n in 1 2; do
    "$bin" token create --role editor --name "soak-$n" --database "$url" 2>/dev/null | grep -o 'rp_[A-Za-z0-9_-]*' >>"$tokens"
done
serve "$port_b" b; api_b=$!
wait_up "$port_b"
echo "== $(git rev-parse --short HEAD), $(nproc) cores: A :$port_a, B :$port_b, PostgreSQL :$pg_port ($("$pg_bin/postgres" --version))"

out="$dir/soak.json"
python3 benches/soak.py load "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" "$tokens" "$out" &
client=$!
# B's RSS every half second: one sample swings with the large answers in flight (a landing
# page or an export is megabytes), so the check compares medians of 5 s windows.
(while kill -0 "$client" 2>/dev/null; do echo "$(date +%s.%N) $(rss "$api_b")" >>"$dir/rss"; sleep 0.5; done) &
while [ ! -f "$out.warm" ]; do sleep 0.2; done
warm_at=$(date +%s.%N)
echo "warm-up done; B's RSS $(($(rss "$api_b") / 1024)) MiB"
third=$(python3 -c "print($duration / 3)")
sleep "$third"
echo "$(date +%T) SIGKILL A (pid $api_a)"
kill -9 "$api_a"; wait "$api_a" 2>/dev/null || true
sleep 2
serve "$port_a" a; api_a=$!
wait_up "$port_a"
echo "$(date +%T) A is back (pid $api_a)"
sleep "$third"
echo "$(date +%T) restart PostgreSQL"
pg restart -m fast
echo "$(date +%T) PostgreSQL is back"
wait "$client"
# The load ends WARMUP + DURATION after it began; the client's summing up comes after.
end_at=$(python3 -c "print($warm_at + $duration)")
sleep 3
rss_idle=$(rss "$api_b")
read -r rss_warm rss_end < <(python3 - "$dir/rss" "$warm_at" "$end_at" <<'PY'
import statistics, sys
samples = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
warm, end = float(sys.argv[2]), float(sys.argv[3])
first = [r for t, r in samples if warm <= t <= warm + 5] or [samples[0][1]]
last = [r for t, r in samples if end - 5 <= t <= end] or [samples[-1][1]]
# The curve, for a look: medians of 10 s windows from the start of the warm-up.
start = samples[0][0]
windows = {}
for t, r in samples:
    if t <= end:
        windows.setdefault(int((t - start) // 10), []).append(r)
curve = " ".join(f"{int(statistics.median(v)) // 1024}" for _, v in sorted(windows.items()))
print(f"B's RSS (MiB), median of each 10 s from the start of the warm-up: {curve}", file=sys.stderr)
print(int(statistics.median(first)), int(statistics.median(last)))
PY
)
echo "B's RSS 3 s after the load: $((rss_idle / 1024)) MiB"
grep -c -i "panick" "$dir"/api-*.log | sed 's/^/panics in /' || true
RSS_WARM="$rss_warm" RSS_END="$rss_end" python3 benches/soak.py check \
    "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" "$out" "${psql[@]}"

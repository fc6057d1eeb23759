#!/usr/bin/env bash
# Geospatial benchmark: N synthetic agencies (each with a partnership); in-process `near` time
# (p50, p99); then requests per second of the four geo list shapes with random centres under
# wrk (c=16, 10 s each), each beside nginx serving one real response of that shape as a static
# file, in the same run, alternating API and nginx rounds; the median ratio per shape is the
# result. Both sides get the same requests from the same wrk script (nginx ignores the query).
#
# nginx is tuned as a fair limit (sendfile, tcp_nopush, 100,000 requests per keep-alive
# connection, no access log); the API runs with its default logging (RUST_LOG unset: info).
# Usage: benches/geo.sh [AGENCIES]   (default 100000; ROUNDS=3, DURATION=10s, BIN=)
# Needs wrk and nginx (installed with apt-get when root).
set -euo pipefail
cd "$(dirname "$0")/.."
agencies="${1:-100000}"
rounds="${ROUNDS:-3}"
duration="${DURATION:-10s}"
work="${BENCH_DIR:-target/bench-geo}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

need() {
    command -v "$1" >/dev/null && return
    [ "$(id -u)" = 0 ] || { echo "$1 is missing (apt-get install $2)" >&2; exit 1; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need wrk wrk
need nginx nginx-light

# BIN=<release binary>: measure that one over HTTP only, without building (and without the
# in-process part, which needs the example built beside it).
bin="${BIN:-target/release/ring-partnerships}"
[ -n "${BIN:-}" ] || cargo build --release --quiet --bin ring-partnerships --example bench_near
db="$work/synthetic-$agencies.db"
if [ ! -f "$db" ]; then
    "$bin" generate --agencies "$agencies" --database "$db"
fi

if [ -z "${BIN:-}" ]; then
    echo "== in-process"
    target/release/examples/bench_near "sqlite://$db"
fi

port=18090
nginx_port=18091
# Rate limits off: the benchmark is one client asking as fast as it can. Logging stays at
# the default a user runs with.
MAX_IN_FLIGHT_PER_ADDRESS=0 "$bin" serve --database "$db" --bind "127.0.0.1:$port" --rate-limit-reads 0 \
    >"$work/api.log" 2>&1 &
api=$!
trap 'kill $api 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

# name|path prefix|query after the point
shapes=(
    "partnerships-near-radius-100|/partnerships|&radius=50km&limit=100"
    "partnerships-near-50|/partnerships|&limit=50"
    "agencies-near-50|/agencies|&limit=50"
    "agencies-near-radius-100|/agencies|&radius=50km&limit=100"
)

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/static;
    location / { default_type application/json; }
  }
}
NGINX
mkdir -p "$work/static"
for shape in "${shapes[@]}"; do
    IFS='|' read -r name path query <<<"$shape"
    # One real response of the shape, at a centre inside the data, as the static file.
    curl -sf "http://127.0.0.1:$port$path?near=40,-95$query" >"$work/static/$name.json"
    # The API's requests, and nginx's: the same script writes both (nginx's ask for the
    # static file, with the same random query, which it ignores), so wrk, which shares the
    # machine, spends the same on each side.
    for side in api nginx; do
        target="$path"
        [ "$side" = nginx ] && target="/$name.json"
        cat >"$work/$name-$side.lua" <<LUA
math.randomseed(7)
request = function()
  local lat = 30 + math.random() * 18.5
  local lon = -123 + math.random() * 53
  return wrk.format("GET", string.format("$target?near=%.5f,%.5f$query", lat, lon))
end
LUA
    done
done
nginx -c "$work/nginx.conf"
sleep 0.5

results=()
for shape in "${shapes[@]}"; do
    IFS='|' read -r name path query <<<"$shape"
    size=$(wc -c <"$work/static/$name.json")
    for round in $(seq 1 "$rounds"); do
        echo "== $name round $round/$rounds: API, random centres, c=16, $duration (~$size bytes)"
        api_out=$(wrk -t2 -c16 -d"$duration" --latency -s "$work/$name-api.lua" "http://127.0.0.1:$port")
        echo "$api_out" | grep -E "Requests/sec|Latency|99%|Non-2xx|Socket errors" || true
        echo "== $name round $round/$rounds: nginx, the same bytes as a static file"
        nginx_out=$(wrk -t2 -c16 -d"$duration" --latency -s "$work/$name-nginx.lua" "http://127.0.0.1:$nginx_port")
        echo "$nginx_out" | grep -E "Requests/sec|Latency|99%|Non-2xx|Socket errors" || true
        api_rps=$(echo "$api_out" | awk '/Requests\/sec/ {print $2}')
        nginx_rps=$(echo "$nginx_out" | awk '/Requests\/sec/ {print $2}')
        if [ -z "$api_rps" ] || [ -z "$nginx_rps" ]; then
            echo "$name round $round: wrk reported no rate (see above)"; exit 1
        fi
        if echo "$api_out" | grep -q "Non-2xx"; then
            echo "$name: the API answered non-2xx responses; the figure would be wrong"; exit 1
        fi
        results+=("$name:$size:$api_rps:$nginx_rps")
    done
done
python3 - "${results[@]}" <<'PY'
import statistics, sys
from collections import defaultdict
rows = defaultdict(list)
sizes = {}
for arg in sys.argv[1:]:
    name, size, api, nginx = arg.split(":")
    rows[name].append((float(api), float(nginx)))
    sizes[name] = int(size)
print()
print("| shape | bytes | API req/s | nginx req/s | ratio (median of rounds) |")
print("|---|---|---|---|---|")
for name, pairs in rows.items():
    api = statistics.median(a for a, _ in pairs)
    nginx = statistics.median(n for _, n in pairs)
    ratio = statistics.median(a / n for a, n in pairs)
    print(f"| {name} | {sizes[name]:,} | {api:,.0f} | {nginx:,.0f} | {ratio:.0%} |")
print("target: every shape >= 30% (compass 40%)")
PY

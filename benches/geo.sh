#!/usr/bin/env bash
# Geospatial benchmark (issue 4): 100,000 synthetic agencies; in-process `near` time (p50,
# p99); then requests per second of 50-result `near` queries with random centres under wrk
# (concurrency 16, 10 s), beside nginx serving a static file of the same size in the same run.
# Usage: benches/geo.sh [AGENCIES]   Needs wrk and nginx (installed with apt-get when root).
set -euo pipefail
cd "$(dirname "$0")/.."
agencies="${1:-100000}"
work="${BENCH_DIR:-target/bench-geo}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

need() { command -v "$1" >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need nginx nginx-light

cargo build --release --quiet --bin ring-partnerships --example bench_near
bin=target/release/ring-partnerships
db="$work/synthetic-$agencies.db"
if [ ! -f "$db" ]; then
    "$bin" generate --agencies "$agencies" --database "$db"
fi

echo "== in-process"
target/release/examples/bench_near "sqlite://$db"

port=18090
# Rate limits off: the benchmark is one client asking as fast as it can.
RUST_LOG=warn "$bin" serve --database "$db" --bind "127.0.0.1:$port" --rate-limit-reads 0 &
api=$!
trap 'kill $api 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

# The static file: one real response of the benchmarked kind.
curl -sf "http://127.0.0.1:$port/agencies?near=40,-95&limit=50" > "$work/near.json"
size=$(wc -c < "$work/near.json")

cat > "$work/near.lua" <<'LUA'
math.randomseed(7)
request = function()
  local lat = 30 + math.random() * 18.5
  local lon = -123 + math.random() * 53
  return wrk.format("GET", string.format("/agencies?near=%.5f,%.5f&limit=50", lat, lon))
end
LUA

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18091;
    root $work;
    location / { default_type application/json; }
  }
}
NGINX
nginx -c "$work/nginx.conf"
sleep 0.5

# Rounds alternate API and nginx so that both meet the same machine; the median ratio is
# the result (one 10 s run on a shared 2-core machine varies by +-15%).
rounds="${ROUNDS:-3}"
ratios=()
for round in $(seq 1 "$rounds"); do
    echo "== round $round/$rounds: API, 50-result near queries, random centres, c=16, 10 s (response ~${size} bytes)"
    api_out=$(wrk -t2 -c16 -d10s --latency -s "$work/near.lua" "http://127.0.0.1:$port")
    echo "$api_out" | grep -E "Requests/sec|Latency|99%|Non-2xx|Socket errors" || true
    echo "== round $round/$rounds: nginx, the same bytes as a static file, c=16, 10 s"
    nginx_out=$(wrk -t2 -c16 -d10s --latency "http://127.0.0.1:18091/near.json")
    echo "$nginx_out" | grep -E "Requests/sec|Latency|99%|Non-2xx|Socket errors" || true
    api_rps=$(echo "$api_out" | awk '/Requests\/sec/ {print $2}')
    nginx_rps=$(echo "$nginx_out" | awk '/Requests\/sec/ {print $2}')
    if [ -z "$api_rps" ] || [ -z "$nginx_rps" ]; then
        echo "round $round: wrk reported no rate (see above)"; exit 1
    fi
    ratios+=("$api_rps:$nginx_rps")
done
python3 - "${ratios[@]}" <<'PY'
import statistics, sys
pairs = [tuple(map(float, a.split(":"))) for a in sys.argv[1:]]
for i, (api, nginx) in enumerate(pairs, 1):
    print(f"round {i}: API {api:.0f} req/s, nginx {nginx:.0f} req/s: {api / nginx:.0%}")
ratio = statistics.median(api / nginx for api, nginx in pairs)
print(f"median ratio {ratio:.0%} (target >= 40%)")
PY

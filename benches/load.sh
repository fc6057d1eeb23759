#!/usr/bin/env bash
# Load test (issue 7): a release build serving the full Atlas of Surveillance import plus
# 100,000 synthetic agencies, under wrk at concurrency 64 for 60 s with a mix of lists,
# `near` queries, details, GeoJSON and streamed CSV exports (a state's partnerships or
# agencies). Rate limits are off for the run (RATE_LIMIT_READS=0) and every connection may
# export at once (EXPORT_CONCURRENCY=connections): both guard a server against one greedy
# client, which is what wrk is; tests/api/limits.rs hits each of them. Reports non-2xx responses, socket errors, p99
# latency, and the server's RSS after a warm-up and at the end.
# Usage: benches/load.sh [ATLAS_CSV]    Needs wrk (installed with apt-get when root).
set -euo pipefail
cd "$(dirname "$0")/.."
atlas="${1:-../shared/data/eff_atlas_of_surveillance_20201007/Atlas of Surveillance-20201007.csv}"
agencies="${AGENCIES:-100000}"
duration="${DURATION:-60s}"
connections="${CONNECTIONS:-64}"
work="${BENCH_DIR:-target/bench-load}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

cargo build --release --quiet --bin ring-partnerships
bin=target/release/ring-partnerships
db="$work/load-$agencies.db"
# Built once; `.ready` marks a database whose import and generation both finished.
if [ ! -f "$db.ready" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    "$bin" import atlas "$atlas" --database "$db"
    "$bin" generate --agencies "$agencies" --database "$db"
    touch "$db.ready"
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
RATE_LIMIT_READS=0 MAX_IN_FLIGHT_PER_ADDRESS=0 EXPORT_CONCURRENCY="$connections" RUST_LOG=warn "$bin" serve --database "$db" --bind "127.0.0.1:$port" &
api=$!
trap 'kill $api 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "$base/health" >/dev/null && break; sleep 0.2; done

rss() { awk '/VmRSS/ {print $2}' "/proc/$api/status"; }

# Ids for detail requests, taken from the data being served.
python3 - "$base" "$work/ids.lua" <<'PY'
import json, sys, urllib.request
base, out = sys.argv[1], sys.argv[2]
def get(path):
    return json.load(urllib.request.urlopen(base + path))
agencies = [a["id"] for a in get("/agencies?limit=1000&sort=name")["data"]]
agencies += [a["id"] for a in get("/agencies?limit=1000&state=WI")["data"]]
partnerships = [p["id"] for p in get("/partnerships?limit=1000")["data"]]
with open(out, "w") as f:
    f.write("agency_ids = {%s}\n" % ",".join(json.dumps(a) for a in agencies))
    f.write("partnership_ids = {%s}\n" % ",".join(str(p) for p in partnerships))
PY

cat > "$work/mix.lua" <<LUA
dofile("$work/ids.lua")
local states = {"WI","CA","TX","FL","NY","OH","MI","PA","IL","GA","AZ","WA","CO","MN"}
local function pick(t) return t[math.random(#t)] end
request = function()
  local r = math.random(100)
  local path
  if r <= 25 then
    path = string.format("/partnerships?state=%s&limit=100", pick(states))
  elseif r <= 35 then
    path = string.format("/agencies?state=%s&sort=-name&limit=100&count=true", pick(states))
  elseif r <= 60 then
    path = string.format("/agencies?near=%.4f,%.4f&radius=50km&limit=50",
      30 + math.random() * 18.5, -123 + math.random() * 53)
  elseif r <= 75 then
    path = "/agencies/" .. pick(agency_ids)
  elseif r <= 82 then
    path = "/partnerships/" .. pick(partnership_ids)
  elseif r <= 95 then
    path = string.format("/partnerships.geojson?state=%s&limit=200", pick(states))
  elseif r <= 98 then
    path = string.format("/partnerships.csv?state=%s", pick(states))
  else
    path = string.format("/agencies.csv?state=%s", pick(states))
  end
  return wrk.format("GET", path)
end
LUA

echo "== warm-up: 15 s at c=$connections"
wrk -t2 -c"$connections" -d15s -s "$work/mix.lua" "$base" >/dev/null
rss_warm=$(rss)
echo "RSS after warm-up: $((rss_warm / 1024)) MiB"

echo "== load: $duration at c=$connections"
out=$(wrk -t2 -c"$connections" -d"$duration" --latency --timeout 10s -s "$work/mix.lua" "$base")
echo "$out"
rss_end=$(rss)
echo "RSS at the end: $((rss_end / 1024)) MiB"

non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
socket=$(echo "$out" | grep -c "Socket errors" || true)
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
python3 - "$rss_warm" "$rss_end" "${non2xx:-0}" "$socket" "$p99" <<'PY'
import sys
warm, end, non2xx, socket, p99 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
growth = (end - warm) / warm
print(f"non-2xx: {non2xx}; socket errors: {'yes' if socket else 'none'}; p99 {p99}; "
      f"RSS {warm // 1024} -> {end // 1024} MiB ({growth:+.1%}, limit 20%)")
ok = non2xx == 0 and socket == 0 and abs(growth) <= 0.20
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY

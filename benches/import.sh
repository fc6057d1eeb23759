#!/bin/sh
# Times a full import of the Atlas export into a fresh SQLite database in a release build.
# Usage: benches/import.sh [atlas.csv] [fbi agencies.csv]  (defaults: the shared data dir)
set -eu
cd "$(dirname "$0")/.."
exec cargo run --quiet --release --example bench_import -- "$@"

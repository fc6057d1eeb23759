#!/usr/bin/env bash
# Builds and serves the API on the embedded default (a SQLite file in this folder), with real
# data: the shipped sample on first start, or the full EFF Atlas export when it is found.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release
bin=target/release/ring-partnerships
atlas="${ATLAS_CSV:-../shared/data/eff_atlas_of_surveillance_20201007/Atlas of Surveillance-20201007.csv}"
fbi="${FBI_AGENCIES_CSV:-../shared/data/fbi_cde_agencies_2018/agencies.csv}"
if [ -f "$atlas" ] && "$bin" import --help >/dev/null 2>&1; then
    ori=()
    [ -f "$fbi" ] && ori=(--ori "$fbi")
    "$bin" import atlas "$atlas" "${ori[@]}"
fi
exec "$bin" serve "$@"

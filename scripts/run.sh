#!/usr/bin/env bash
# Builds and serves the API on the embedded default (a SQLite file in this folder), with real
# data: an empty database loads the shipped dataset (data/atlas-2020-10-07/, the 1,498 Ring
# partnerships of the EFF Atlas of Surveillance export of 2020-10-07). With ATLAS_CSV set to
# the Atlas export, it is imported first (the same partnerships, plus the Atlas's summaries
# as citation quotes).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release
bin=target/release/ring-partnerships
atlas="${ATLAS_CSV:-}"
fbi="${FBI_AGENCIES_CSV:-../shared/data/fbi_cde_agencies_2018/agencies.csv}"
if [ -n "$atlas" ]; then
    ori=()
    [ -f "$fbi" ] && ori=(--ori "$fbi")
    "$bin" import atlas "$atlas" "${ori[@]}"
fi
exec "$bin" serve "$@"

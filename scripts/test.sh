#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: starts PostgreSQL if it is installed but
# stopped, then runs every test against SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real clients the tests drive: GDAL (ogrinfo, ogr2ogr) reads the OGC API and the GeoJSON.
if ! command -v ogrinfo >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdal-bin >/dev/null
    else
        echo "note: gdal-bin is not installed; the GDAL checks will be skipped (they fail under CI)" >&2
    fi
fi

# pandas, OWSLib and feedparser (tests/requirements.txt) read the downloads, the OGC API
# and the Atom feed, from a
# virtualenv in target/venv.
if [ ! -x target/venv/bin/python ] || ! target/venv/bin/python -c 'import pandas, owslib, feedparser, geopandas, frictionless' 2>/dev/null; then
    if python3 -m venv target/venv >/dev/null 2>&1; then
        target/venv/bin/pip install -q --disable-pip-version-check -r tests/requirements.txt ||
            echo "note: could not install tests/requirements.txt; the pandas check will be skipped (it fails under CI)" >&2
    else
        echo "note: python3 -m venv failed; the pandas check will be skipped (it fails under CI)" >&2
    fi
fi

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    if [ -d /etc/postgresql ]; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
        for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
fi

cargo test --workspace --all-targets "$@"

# Spec gates: openapi-spec-validator, Spectral (spectral:oas) and Redocly (recommended).
if command -v python3 >/dev/null; then
    ./scripts/spec-lint.sh
else
    echo "note: python3 is not installed; spec gates skipped (they fail under CI)" >&2
    [ -z "${CI:-}" ] || exit 1
fi

# A Python client generated from the spec (openapi-python-client) drives the server.
if command -v python3 >/dev/null; then
    ./scripts/client-test.sh
else
    echo "note: python3 is not installed; the generated-client gate skipped (it fails under CI)" >&2
    [ -z "${CI:-}" ] || exit 1
fi

# Pages and embeds in a real browser (Debian's chromium, driven by playwright-core).
./scripts/browser-test.sh

# Contract fuzzing of the served spec (schemathesis; Python 3 needed).
if command -v python3 >/dev/null; then
    ./scripts/fuzz.sh
else
    echo "note: python3 is not installed; contract fuzzing skipped (it fails under CI)" >&2
    [ -z "${CI:-}" ] || exit 1
fi

#!/usr/bin/env bash
# Generated-client gate: openapi-python-client (PyPI, pinned) generates a Python client from
# the served OpenAPI document; generation must report nothing dropped or skipped (any
# warning fails), and tests/clients/python_smoke.py then drives the server through it: a
# `near` list, a cursor, an agency, /stats, and typed problems for a 400 and a 404.
# Called by scripts/test.sh. Under CI a missing Python fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

GENERATOR_VERSION=0.29.1
VENV=target/clientvenv

if ! "$VENV/bin/pip" show openapi-python-client 2>/dev/null | grep -q "^Version: $GENERATOR_VERSION$"; then
    python3 -m venv "$VENV"
    # ruff: the generator formats its output with it, and warns when it is missing.
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "openapi-python-client==$GENERATOR_VERSION" ruff httpx attrs python-dateutil
fi

cargo build --quiet --bin ring-partnerships
bin=target/debug/ring-partnerships
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
RATE_LIMIT_READS=0 SEED_DATA=sample RUST_LOG=warn \
    "$bin" serve --bind "127.0.0.1:$port" --database "sqlite://$work/client.db" 2>"$work/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
    curl -fsS "$base/health" >/dev/null 2>&1 && break
    sleep 0.2
done

echo "== openapi-python-client (no schema dropped, no warning)"
curl -fsS "$base/openapi.json" >"$work/openapi.json"
(cd "$work" && PATH="$OLDPWD/$VENV/bin:$PATH" "$OLDPWD/$VENV/bin/openapi-python-client" generate \
    --path "$work/openapi.json" --meta none --output-path "$work/ring_client" \
    --config "$OLDPWD/tools/python-client/config.yaml") >"$work/generate.log" 2>&1 || {
    cat "$work/generate.log" >&2
    exit 1
}
if grep -Eiq "warning|unable|error|omitted|removal"; then
    echo "openapi-python-client reported problems with the spec:" >&2
    cat "$work/generate.log" >&2
    exit 1
fi
echo "== generated client smoke test"
PYTHONPATH="$work" "$VENV/bin/python" tests/clients/python_smoke.py "$base"

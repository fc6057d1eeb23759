#!/usr/bin/env bash
# Spec gates: the committed OpenAPI document must pass openapi-spec-validator (PyPI) and,
# when the pinned npm tools are installed (tools/spec-lint, `npm ci`), Spectral's
# `spectral:oas` ruleset with no warning and Redocly's `recommended` ruleset with no error.
# Called by scripts/test.sh. Under CI a missing tool fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

SPEC=openapi/openapi.json
VALIDATOR_VERSION=0.7.1
VENV=target/specvenv

if ! "$VENV/bin/openapi-spec-validator" --help >/dev/null 2>&1 ||
    ! "$VENV/bin/pip" show openapi-spec-validator 2>/dev/null | grep -q "^Version: $VALIDATOR_VERSION$"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==$VALIDATOR_VERSION"
fi
echo "== openapi-spec-validator"
"$VENV/bin/openapi-spec-validator" "$SPEC"

tools=tools/spec-lint
if [ -f "$tools/package-lock.json" ] && command -v npm >/dev/null; then
    if [ ! -x "$tools/node_modules/.bin/spectral" ] || [ ! -x "$tools/node_modules/.bin/redocly" ]; then
        (cd "$tools" && npm ci --no-audit --no-fund --silent)
    fi
    echo "== spectral (spectral:oas, warnings fail)"
    "$tools/node_modules/.bin/spectral" lint --ruleset "$tools/.spectral.yaml" --fail-severity warn "$SPEC"
    echo "== redocly (recommended)"
    "$tools/node_modules/.bin/redocly" lint --config "$tools/redocly.yaml" "$SPEC"
else
    echo "note: npm or tools/spec-lint/package-lock.json missing; Spectral and Redocly skipped" >&2
    [ -z "${CI:-}" ] || exit 1
fi

#!/usr/bin/env bash
# Fetches Swagger UI's distribution from the npm registry (swagger-ui-dist, Apache-2.0) into
# assets/swagger-ui/, which the binary embeds for /docs (no CDN: the docs work offline).
# Run it to move to another version; `--check` verifies the committed files against the
# package instead (the SHA256SUMS file records them).
set -euo pipefail
cd "$(dirname "$0")/.."
version="${SWAGGER_UI_VERSION:-5.35.0}"
files=(swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
if [ "${1:-}" = --check ]; then
    (cd "$tmp/package" && sha256sum "${files[@]}") | diff - assets/swagger-ui/SHA256SUMS
    echo "assets/swagger-ui matches swagger-ui-dist@$version"
    exit 0
fi
for f in "${files[@]}"; do cp "$tmp/package/$f" assets/swagger-ui/; done
(cd assets/swagger-ui && sha256sum "${files[@]}" > SHA256SUMS)
echo "$version" > assets/swagger-ui/VERSION

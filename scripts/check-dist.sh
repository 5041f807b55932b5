#!/usr/bin/env bash
# Fails when the committed dist/ is not what `npm run bundle` makes from the
# current sources, lockfile and stubs: rebundles into a temporary directory
# and compares. CI runs it (.github/workflows/check-dist.yml, scripts/test.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -f "${PACK_STUBS_OUT:-build/stubs}/SHA256SUMS" ] || npm run --silent build:stubs >/dev/null
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
./node_modules/.bin/node scripts/bundle.mjs "$tmp/dist" >/dev/null
if ! diff -r -q dist "$tmp/dist" >"$tmp/diff.txt"; then
  echo "check-dist: dist/ is stale; run \`npm run bundle\` and commit dist/:" >&2
  sed 's/^/  /' "$tmp/diff.txt" >&2
  if grep -q stub-checksums "$tmp/diff.txt"; then
    echo "  (stub-checksums.json differs: the stubs in build/stubs changed since dist/ was bundled)" >&2
  fi
  exit 1
fi
echo "check-dist: dist/ is up to date"

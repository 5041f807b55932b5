#!/usr/bin/env bash
# All the tests, from a fresh clone: installs what they need (Debian packages
# when run as root, npm packages, Go modules), enables the emulators, builds
# the stubs, then runs the Go tests, the fuzz targets briefly and the jest
# suite, and ends with one line: "tests: N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
results=build/test-results
rm -rf "$results"
mkdir -p "$results"
step() { printf '\n== %s\n' "$*"; }
die() { echo "test.sh: $*" >&2; exit 1; }

# --- system packages: wine (windows-x64 packs), qemu-user + binfmt (linux-arm64 packs),
# mingw (a wine 8 shim, see setup-emulators.sh), osslsigncode + openssl (Authenticode tests)
pkgs=(wine64 qemu-user-static binfmt-support osslsigncode openssl gcc-mingw-w64-x86-64-win32 zstd)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}"
  step "apt-get install ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

step "npm ci"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || die "npm ci failed"
fi
node=$root/node_modules/.bin/node # Node 24, what the action runs on
"$node" -e 'if (+process.versions.node.split(".")[0] < 24) process.exit(1)' || die "node_modules/.bin/node is not Node 24"

step "go mod download"
(cd stub && go mod download) || die "go mod download failed"

step "emulators"
bash scripts/setup-emulators.sh || die "scripts/setup-emulators.sh failed (it needs root)"

step "build the stubs, twice: the bytes must be identical"
npm run --silent build:stubs || die "npm run build:stubs failed"
PACK_STUBS_OUT=$results/stubs-again npm run --silent build:stubs >/dev/null || die "second stub build failed"
diff build/stubs/SHA256SUMS "$results/stubs-again/SHA256SUMS" > "$results/stubs-reproducible.diff"
echo "stub-reproducible $?" > "$results/checks.txt"

step "dist/ is what npm run bundle makes from these sources and stubs"
bash scripts/check-dist.sh
echo "dist-fresh $?" >> "$results/checks.txt"

step "go vet and go test"
(cd stub && go vet ./... && GOOS=windows go vet ./... && GOOS=darwin go vet ./...) || echo "go-vet 1" >> "$results/checks.txt"
(cd stub && go test -count=1 -json ./... > "../$results/go.json")
"$node" scripts/test-summary.mjs go "$results/go.json"

step "fuzz the pack readers and the zstd decoder briefly"
for target in .:FuzzReadPack .:FuzzExtract ./internal/zstd:FuzzDecode; do
  pkg=${target%%:*} target=${target#*:}
  (cd stub && go test -run='^$' -fuzz="^$target\$" -fuzztime=10s "$pkg" > "../$results/$target.log" 2>&1)
  echo "fuzz-$target $?" >> "$results/checks.txt"
  tail -n 2 "$results/$target.log"
done

step "jest"
npm run --silent test:ts -- --json --outputFile="$results/jest.json"

step "bench harness tests (no timings)"
"$node" --test bench/test/*.test.mjs > "$results/bench-tests.log" 2>&1
echo "bench-harness-tests $?" >> "$results/checks.txt"
tail -n 8 "$results/bench-tests.log"

step "summary"
"$node" scripts/test-summary.mjs all "$results"

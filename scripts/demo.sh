#!/usr/bin/env bash
# npm run demo: from a fresh checkout, build what is missing (dependencies,
# stubs, the CLI, examples/hello for all six targets), pack examples/hello
# for all six targets into out/demo/, smoke-test the packs that can run here
# and print the table. linux-arm64 and windows-x64 packs run when
# scripts/setup-emulators.sh has been run (as root) on this machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

step() { printf '\n== %s\n' "$*" >&2; }

if [ ! -d node_modules ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi
node=$root/node_modules/.bin/node # Node 24, pinned by the node devDependency
if [ ! -f build/stubs/SHA256SUMS ]; then
  step "building the stubs"
  npm run --silent build:stubs
fi
step "building the CLI (lib/cli.js)"
npm run --silent build:cli

hello=examples/hello
declare -A goarch=([x64]=amd64 [arm64]=arm64)
for target in linux-x64 linux-arm64 darwin-x64 darwin-arm64 windows-x64 windows-arm64; do
  os=${target%-*}
  arch=${target#*-}
  exe=""
  [ "$os" = windows ] && exe=.exe
  out=$hello/build/$target
  if [ ! -f "$out/hello$exe" ] || [ "$hello/main.go" -nt "$out/hello$exe" ]; then
    step "building $hello for $target"
    mkdir -p "$out/share"
    (cd "$hello" && CGO_ENABLED=0 GOOS=$os GOARCH=${goarch[$arch]} go build -trimpath -ldflags='-s -w' -o "build/$target/hello$exe" .)
  fi
  cp "$hello/greeting.txt" "$out/share/greeting.txt"
done

step "packing $hello for all six targets and smoke-testing what runs here"
# A cache of its own, so the demo shows a first (cold) start every time.
export PACK_CACHE_DIR=${PACK_CACHE_DIR:-$root/out/demo-cache}
rm -rf "$PACK_CACHE_DIR" out/demo
"$node" bin/pack-action.js pack "$hello/build/{target}" \
  --name hello --version 1.0.0 --command 'hello{exe}' --arg demo \
  --target all --out out/demo --smoke

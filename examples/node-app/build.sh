#!/usr/bin/env bash
# Assembles examples/node-app/build/: the host's node binary plus app/, then
# packs it for the host:
#   bash examples/node-app/build.sh && ./out/node-app/node-app-<host>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
node="$root/node_modules/.bin/node"
# the real binary behind npm's shim, so the pack holds node itself
bin=$("$node" -p 'process.execPath')
rm -rf "$here/build"
mkdir -p "$here/build/bin"
cp "$bin" "$here/build/bin/node"
cp -R "$here/app" "$here/build/app"
"$node" "$root/bin/pack-action.js" pack "$here/build" \
  --name node-app --version 1.0.0 \
  --command bin/node --arg '{app}/app/main.js' --env 'APP_DATA={data}' \
  --target host --out "$root/out/node-app" "$@"

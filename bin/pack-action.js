#!/usr/bin/env node
// The `pack-action` command. The CLI itself is src/cli.ts, bundled into
// lib/cli.js by `npm run build:cli` (lib/ is not committed).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `pack-action: needs Node 24 or later for zstd (this is ${process.version}); run it through npx or npm scripts, which use the pinned node`,
  );
  process.exit(1);
}
// Frames compress on libuv's thread pool, which has 4 threads unless told
// otherwise before its first use (here): give it one per CPU, up to the 8
// frames the packer compresses at once, plus one for the tar side's reads.
if (!process.env.UV_THREADPOOL_SIZE) {
  const os = await import('node:os');
  process.env.UV_THREADPOOL_SIZE = String(Math.max(4, Math.min(os.availableParallelism(), 8) + 1));
}
let cli;
try {
  cli = await import('../lib/cli.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('cli.js')) {
    console.error('pack-action: lib/cli.js is missing; run `npm run build:cli` first');
    process.exit(1);
  }
  throw err;
}
// A reader that goes away (`pack-action inspect --list x | head`) is not an
// error to report: stop writing, as a C program killed by SIGPIPE would.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
// The first Ctrl-C stops the run cleanly (nothing left in --out); a second one kills.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.exitCode = await cli.main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  signal: controller.signal,
});

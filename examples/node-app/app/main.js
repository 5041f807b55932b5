// A small Node.js program packed together with the node binary of the host:
// the pack needs no Node installed where it runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { name, version } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
console.log(`${name} ${version} on node ${process.version} (${process.platform}-${process.arch})`);
console.log(`args: ${JSON.stringify(process.argv.slice(2))}`);
console.log(`data dir: ${process.env.APP_DATA ?? '(not packed)'}`);
process.exitCode = Number(process.env.NODE_APP_EXIT ?? 0);

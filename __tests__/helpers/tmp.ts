// Temporary directories for tests. Each is removed after its test file (set
// KEEP_TEST_TMP=1 to keep them for a look after a failure). Their names start
// with this run's prefix so the leak check (tmp-check.js) finds any left over.

import { afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = process.env.PACK_TEST_TMP_PREFIX ?? 'pack-test-';
const made: string[] = [];

export function tmp(name = 'tmp-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), PREFIX + name));
  made.push(dir);
  return dir;
}

afterAll(() => {
  if (process.env.KEEP_TEST_TMP) return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

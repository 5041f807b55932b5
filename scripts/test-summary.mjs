#!/usr/bin/env node
// Reads the results scripts/test.sh collected and prints them: `go <file>`
// reports one go test -json run; `all <dir>` ends the run with the line
// "tests: N passed, N failed" and exits non-zero on any failure.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function goResults(file) {
  const tests = new Map();
  const output = new Map();
  const packages = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const ev = JSON.parse(line);
    const key = `${ev.Package} ${ev.Test ?? ''}`;
    if (ev.Action === 'output') output.set(key, (output.get(key) ?? '') + ev.Output);
    if (!['pass', 'fail', 'skip'].includes(ev.Action)) continue;
    if (ev.Test) tests.set(key, ev.Action);
    else packages.set(ev.Package, { action: ev.Action, elapsed: ev.Elapsed });
  }
  return { tests, output, packages };
}

function printGo(file) {
  const { tests, output, packages } = goResults(file);
  for (const [key, action] of tests) {
    if (action === 'fail' && !key.slice(key.indexOf(' ') + 1).includes('/')) process.stdout.write(output.get(key) ?? '');
  }
  for (const [pkg, { action, elapsed }] of packages) {
    console.log(`${action === 'pass' ? 'ok  ' : action.toUpperCase()}\t${pkg}\t${elapsed}s`);
  }
}

function summary(dir) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  const goFile = join(dir, 'go.json');
  if (existsSync(goFile)) {
    const { tests, packages } = goResults(goFile);
    for (const [key, action] of tests) {
      if (action === 'pass') passed++;
      else if (action === 'skip') skipped++;
      else (failed++, failures.push(`go: ${key}`));
    }
    for (const [pkg, { action }] of packages) if (action === 'fail') (failed++, failures.push(`go: package ${pkg}`));
  } else (failed++, failures.push('go: no results (go test did not run)'));
  const jestFile = join(dir, 'jest.json');
  if (existsSync(jestFile)) {
    const jest = JSON.parse(readFileSync(jestFile, 'utf8'));
    passed += jest.numPassedTests;
    failed += jest.numFailedTests;
    skipped += jest.numPendingTests + jest.numTodoTests;
    for (const suite of jest.testResults) {
      for (const t of suite.assertionResults) if (t.status === 'failed') failures.push(`jest: ${t.fullName}`);
      if (suite.status === 'failed' && suite.assertionResults.length === 0) (failed++, failures.push(`jest: ${suite.name} did not run`));
    }
  } else (failed++, failures.push('jest: no results (jest did not run)'));
  const checks = join(dir, 'checks.txt');
  if (existsSync(checks)) {
    for (const line of readFileSync(checks, 'utf8').trim().split('\n')) {
      const [name, code] = line.split(' ');
      if (code === '0') passed++;
      else (failed++, failures.push(`check: ${name}`));
    }
  }
  for (const f of failures) console.log(`FAILED ${f}`);
  if (skipped > 0) console.log(`${skipped} skipped: a skipped test is a failure here`), (failed += skipped);
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

const [mode, path] = process.argv.slice(2);
if (mode === 'go') printGo(path);
else if (mode === 'all') summary(path);
else {
  console.error('usage: test-summary.mjs go <go.json> | all <dir>');
  process.exit(2);
}

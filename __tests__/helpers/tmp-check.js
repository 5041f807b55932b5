// jest testResultsProcessor, run after every test file: a directory this run
// made in os.tmpdir() that is still there is a leak. It is reported as one
// failed test (so it shows in the JSON results and the exit code) and removed.
// With KEEP_TEST_TMP=1 the directories are meant to stay: they are listed.
import { readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function checkTmp(results) {
  const prefix = process.env.PACK_TEST_TMP_PREFIX;
  if (!prefix) return results;
  const left = readdirSync(os.tmpdir()).filter((name) => name.startsWith(prefix)).map((name) => path.join(os.tmpdir(), name));
  if (left.length === 0) return results;
  if (process.env.KEEP_TEST_TMP) {
    console.log(`KEEP_TEST_TMP: kept ${left.length} test directories:\n  ${left.join('\n  ')}`);
    return results;
  }
  const message = `${left.length} temporary directories were left by the tests (use tmp() from __tests__/helpers/tmp.ts, which removes them):\n  ${left.join('\n  ')}`;
  console.error(message);
  for (const dir of left) rmSync(dir, { recursive: true, force: true });
  const now = Date.now();
  results.success = false;
  results.numFailedTests++;
  results.numTotalTests++;
  results.numFailedTestSuites++;
  results.numTotalTestSuites++;
  results.testResults.push({
    testFilePath: path.join(import.meta.dirname, 'tmp-check.js'),
    numFailingTests: 1,
    numPassingTests: 0,
    numPendingTests: 0,
    numTodoTests: 0,
    perfStats: { start: now, end: now, runtime: 0, slow: false },
    failureMessage: message,
    testResults: [{ ancestorTitles: [], title: 'no test leaves a temporary directory behind', fullName: 'no test leaves a temporary directory behind', status: 'failed', failureMessages: [message], duration: 0, numPassingAsserts: 0 }],
  });
  return results;
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { temporalCli } from './stack/binaries';
import { DATA_DIR, ROOT } from './stack/paths';

/**
 * `npm test`: makes sure the Temporal binaries are installed (the suite's global setup starts the
 * servers), runs every vitest file, and ends with the count alone on a line, `N passed, N failed`,
 * which is what CI reads. Extra arguments go to vitest (e.g. `npm test -- test/unit`).
 */
if (!process.env.TEMPORAL_ADDRESS) temporalCli();
mkdirSync(DATA_DIR, { recursive: true });
const results = path.join(DATA_DIR, 'test-results.json');
rmSync(results, { force: true });
const run = spawnSync(
  path.join(ROOT, 'node_modules', '.bin', 'vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8')) as { numPassedTests: number; numFailedTests: number; numFailedTestSuites: number };
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
} else {
  failed = 1; // vitest did not get as far as writing results (global setup failed)
}
// A run that failed outside any test (global setup, a crashed fork) must not read as green.
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);

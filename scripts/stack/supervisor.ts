import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR, LOG_DIR, ROOT } from './paths';
import { stopPostgresCluster } from './postgres';

interface Child {
  name: string;
  proc: ChildProcess;
  logFile: string;
}

/**
 * Starts the stack's processes, sends their output to .data/logs/<name>.log, and stops them all,
 * and anything else registered, on Ctrl-C, on SIGTERM, on an error, or when the script ends.
 * A lock file makes a second start say that a stack is already running instead of failing on ports.
 */
export class Supervisor {
  private children: Child[] = [];
  private cleanups: (() => void | Promise<void>)[] = [];
  private stopping = false;
  private lockFile: string;

  constructor(readonly purpose: string, lockName = 'stack') {
    mkdirSync(LOG_DIR, { recursive: true });
    this.lockFile = lockFileFor(lockName);
    this.takeLock();
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        console.log(`\n${sig}: stopping what ${purpose} started …`);
        void this.stop().then(() => process.exit(130));
      });
    }
    process.once('exit', () => this.killAllNow());
  }

  private takeLock() {
    const prior = readLock(this.lockFile);
    if (prior && isOurProcess(prior.pid)) {
      throw new Error(
        `a stack is already running (pid ${prior.pid}, started by \`${prior.purpose}\`). Use it, or stop it with Ctrl-C in ` +
          `its terminal (or \`kill ${prior.pid}\`) before starting another.`,
      );
    }
    if (prior) reapLeftovers(this.lockFile); // its owner died without cleaning up
    writeFileSync(this.lockFile, `${process.pid}\n${this.purpose}\n`);
  }

  /** Something to stop even if this process dies without its cleanup (see reapLeftovers). */
  note(kind: 'child' | 'pgdata', value: string | number) {
    appendFileSync(this.lockFile, `${kind} ${value}\n`);
  }

  onStop(fn: () => void | Promise<void>) {
    this.cleanups.push(fn);
  }

  spawn(name: string, command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const logFile = path.join(LOG_DIR, `${name}.log`);
    const out = createWriteStream(logFile, { flags: 'w' });
    // Own process group: a terminal's Ctrl-C reaches only us, and we stop the children in order.
    const proc = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    proc.stdout?.pipe(out);
    proc.stderr?.pipe(out);
    this.children.push({ name, proc, logFile });
    if (proc.pid) this.note('child', proc.pid);
    proc.once('exit', (code, signal) => {
      if (!this.stopping) {
        console.error(`${name} exited (${signal ?? `code ${code}`}); its log: ${path.relative(ROOT, logFile)}`);
      }
    });
    return proc;
  }

  /** Rejects if any child dies before `until` settles (a crash shows at once, not as a hang). */
  watch<T>(until: Promise<T>): Promise<T> {
    const deaths = this.children.map(
      (c) => new Promise<never>((_, reject) => c.proc.once('exit', (code, signal) => {
        if (!this.stopping) reject(new Error(`${c.name} stopped unexpectedly (${signal ?? `code ${code}`}); see ${path.relative(ROOT, c.logFile)}`));
      })),
    );
    return Promise.race([until, ...deaths]);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const c of [...this.children].reverse()) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) {
        c.proc.kill('SIGTERM');
        await waitExit(c.proc, 8000);
        if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      }
    }
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup failed: ${(err as Error).message}`);
      }
    }
    rmSync(this.lockFile, { force: true });
  }

  private killAllNow() {
    for (const c of this.children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    if (!this.stopping) rmSync(this.lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Alive and a node process (a pid from a stale lock may since belong to something else). */
function isOurProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  return !existsSync(cmdline) || /node/.test(readFileSync(cmdline, 'utf8'));
}

function readLock(file: string) {
  if (!existsSync(file)) return undefined;
  const [pid, purpose, ...notes] = readFileSync(file, 'utf8').split('\n');
  const values = (kind: string) => notes.filter((n) => n.startsWith(`${kind} `)).map((n) => n.slice(kind.length + 1));
  return { pid: Number(pid), purpose: purpose ?? '?', children: values('child').map(Number), pgdata: values('pgdata') };
}

/**
 * Stops what a dead supervisor left behind: its child process groups and the Postgres it started.
 * Used when a new start finds a stale lock, and by `npm test` when vitest ends without teardown.
 */
export function reapLeftovers(lockFile: string): void {
  const lock = readLock(lockFile);
  if (!lock || isOurProcess(lock.pid)) return;
  for (const pid of lock.children) {
    try {
      process.kill(-pid, 'SIGKILL'); // detached children lead their own process group
    } catch {
      // already gone
    }
  }
  for (const dir of lock.pgdata) stopPostgresCluster(dir);
  rmSync(lockFile, { force: true });
}

export const lockFileFor = (lockName: string) => path.join(DATA_DIR, `${lockName}.lock`);

function waitExit(proc: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const t = setTimeout(resolve, ms);
    proc.once('exit', () => { clearTimeout(t); resolve(); });
  });
}

export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not come up within ${Math.round(timeoutMs / 1000)}s`);
}

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from './paths';
import { stopPostgresCluster } from './postgres';

/**
 * .data/<name>.lock: the supervisor's pid and purpose, then what it started (`child <pid> <name>`,
 * `pgdata <dir>`), rewritten as that changes, so that what a killed supervisor left behind can be
 * stopped by the next start (and a test can see every process a stack runs).
 */
export class LockFile {
  private children: { pid: number; name: string }[] = [];
  private notes: string[] = [];

  private constructor(readonly file: string, private purpose: string) {}

  static take(lockName: string, purpose: string): LockFile {
    const lock = new LockFile(lockFileFor(lockName), purpose);
    const prior = readLock(lock.file);
    if (prior && isOurProcess(prior.pid)) {
      throw new Error(
        `a stack is already running (pid ${prior.pid}, started by \`${prior.purpose}\`). Use it, or stop it with Ctrl-C in ` +
          `its terminal (or \`kill ${prior.pid}\`) before starting another.`,
      );
    }
    if (prior) reapLeftovers(lock.file); // its owner died without cleaning up
    lock.write();
    return lock;
  }

  note(kind: 'pgdata', value: string) {
    this.notes.push(`${kind} ${value}`);
    this.write();
  }

  setChildren(children: { pid: number; name: string }[]) {
    this.children = children;
    this.write();
  }

  release() {
    rmSync(this.file, { force: true });
  }

  private write() {
    const lines = [String(process.pid), this.purpose, ...this.children.map((c) => `child ${c.pid} ${c.name}`), ...this.notes];
    writeFileSync(this.file, `${lines.join('\n')}\n`);
  }
}

export function isAlive(pid: number): boolean {
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

export function readLock(file: string) {
  if (!existsSync(file)) return undefined;
  const [pid, purpose, ...notes] = readFileSync(file, 'utf8').split('\n');
  const values = (kind: string) => notes.filter((n) => n.startsWith(`${kind} `)).map((n) => n.slice(kind.length + 1));
  const children = values('child').map((v) => ({ pid: parseInt(v, 10), name: v.split(' ')[1] ?? '?' }));
  return { pid: Number(pid), purpose: purpose ?? '?', children, pgdata: values('pgdata') };
}

/**
 * Stops what a dead supervisor left behind: its child process groups and the Postgres it started.
 * Used when a new start finds a stale lock, and by `npm test` when vitest ends without teardown.
 */
export function reapLeftovers(lockFile: string): void {
  const lock = readLock(lockFile);
  if (!lock || isOurProcess(lock.pid)) return;
  for (const { pid } of lock.children) {
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

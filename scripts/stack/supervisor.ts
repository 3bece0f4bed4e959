import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { LOG_DIR, ROOT, shownPath } from './paths';
import { isAlive, LockFile } from './lock';

export { lockFileFor, reapLeftovers } from './lock';

/**
 * How a crashed child is restarted once the stack is up (keepRunning): after 1 s, 2 s, 4 s … up to
 * maxDelayMs, and not after its maxRestarts-th restart within windowMs, when the supervisor gives up
 * and watch() rejects. A process that keeps crashing has a fault to fix, not bad luck to wait out.
 */
export interface RestartPolicy {
  maxRestarts: number;
  windowMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 5, windowMs: 60_000, firstDelayMs: 1000, maxDelayMs: 30_000 };

interface Child {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  restart: boolean;
  proc: ChildProcess;
  logFile: string;
  log: WriteStream;
  /** When it exited unexpectedly, within the restart window. */
  crashes: number[];
  pendingRestart?: NodeJS.Timeout;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Starts the stack's processes, sends their output to .data/logs/<name>.log, and stops them all,
 * and anything else registered, on Ctrl-C, on SIGTERM, on an error, or when the script ends.
 * Once told to keepRunning, it restarts a child that crashes, like compose's `restart: unless-stopped`.
 * A lock file makes a second start say that a stack is already running instead of failing on ports.
 */
export class Supervisor {
  private children: Child[] = [];
  private cleanups: (() => void | Promise<void>)[] = [];
  private guards: NodeJS.Timeout[] = [];
  private stopping: Promise<void> | undefined;
  private restarting: RestartPolicy | undefined;
  private lock: LockFile;
  /** Rejects, once, with why the stack cannot go on (see watch). */
  private failure: Promise<never>;
  private fail!: (err: Error) => void;

  constructor(readonly purpose: string, lockName = 'stack') {
    mkdirSync(LOG_DIR, { recursive: true });
    this.lock = LockFile.take(lockName, purpose);
    this.failure = new Promise<never>((_, reject) => (this.fail = reject));
    this.failure.catch(() => {}); // nobody need be watching
    // process.on, not once: a Ctrl-C reaches the script more than once (the terminal signals the
    // whole foreground group, npm forwards it again), and a signal with no handler left would kill
    // the script in the middle of stopping, orphaning what it has not stopped yet.
    for (const sig of STOP_SIGNALS) process.on(sig, this.onSignal);
    process.once('exit', this.killAllNow);
    // A closed terminal (SIGHUP) must not end the stop half-way with an EIO on the next line printed.
    for (const out of [process.stdout, process.stderr]) out.on('error', () => {});
  }

  private onSignal = (sig: (typeof STOP_SIGNALS)[number]) => {
    if (this.stopping) {
      console.log(`${sig}: still stopping what ${this.purpose} started …`);
      return;
    }
    console.log(`\n${sig}: stopping what ${this.purpose} started …`);
    void this.stop().then(() => process.exit(128 + constants.signals[sig]));
  };

  /** Until the stop and any cleanup registered while it ran (a start-up step that finished late) are done. */
  private async stopped(): Promise<void> {
    let current: Promise<void> | undefined;
    while (current !== this.stopping) await (current = this.stopping);
  }

  /** Something to stop even if this process dies without its cleanup (see reapLeftovers). */
  note(kind: 'pgdata', value: string) {
    this.lock.note(kind, value);
  }

  /** Runs when the supervisor stops, last registered first; at once if it is stopping already. */
  onStop(fn: () => void | Promise<void>) {
    if (this.stopping) this.stopping = this.stopping.then(() => runCleanup(fn));
    else this.cleanups.push(fn);
  }

  /**
   * Starts a child in a process group of its own: a terminal's Ctrl-C reaches only us, and we stop
   * the children in order. restart: whether keepRunning restarts it when it crashes.
   */
  spawn(name: string, command: string, args: string[], env: Record<string, string> = {}, opts: { restart?: boolean } = {}): ChildProcess {
    if (this.stopping) throw new Error(`stopping: ${name} not started`);
    const logFile = path.join(LOG_DIR, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'w' });
    const restart = opts.restart ?? false;
    const child = { name, command, args, env, restart, logFile, log, crashes: [] as number[] } as Child; // proc: start's
    this.children.push(child);
    this.start(child);
    return child.proc;
  }

  private start(c: Child) {
    const proc = spawn(c.command, c.args, { cwd: ROOT, env: { ...process.env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    // end: false: the log outlives one process when the child is restarted.
    proc.stdout?.pipe(c.log, { end: false });
    proc.stderr?.pipe(c.log, { end: false });
    let ended = false; // a failed spawn emits 'error', and 'exit' or not
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      this.onExit(c, proc, why);
    };
    proc.once('exit', (code, signal) => end(signal ?? `code ${code}`));
    proc.once('error', (err) => end(err.message));
    c.proc = proc;
    this.lock.setChildren(this.children.filter((x) => x.proc.pid).map((x) => ({ pid: x.proc.pid!, name: x.name })));
  }

  /**
   * From now on a child spawned with restart: true that exits unexpectedly is started again, after
   * a backoff; before (while the stack comes up) any exit fails watch() at once, since a process
   * that cannot start has a fault to show, not to retry.
   */
  keepRunning(policy: RestartPolicy = DEFAULT_RESTART_POLICY) {
    this.restarting = policy;
  }

  private onExit(c: Child, proc: ChildProcess, why: string) {
    if (this.stopping) return;
    killGroup(proc, 'SIGKILL'); // whatever it started dies with it, not beside its successor
    const log = shownPath(c.logFile);
    const policy = this.restarting;
    if (!policy || !c.restart) {
      console.error(`${c.name} exited (${why}); its log: ${log}`);
      this.fail(new Error(`${c.name} stopped unexpectedly (${why}); see ${log}`));
      return;
    }
    const now = Date.now();
    c.crashes = [...c.crashes.filter((t) => now - t < policy.windowMs), now];
    const n = c.crashes.length;
    const window = policy.windowMs === 60_000 ? 'the last minute' : `the last ${Math.round(policy.windowMs / 1000)} s`;
    if (n > policy.maxRestarts) {
      console.error(`${c.name} exited (${why}), ${n} exits in ${window}: giving up, stopping the stack; its log: ${log}`);
      this.fail(new Error(`${c.name} exited ${n} times in ${window} (last: ${why}); see ${log}`));
      return;
    }
    const delay = Math.min(policy.firstDelayMs * 2 ** (n - 1), policy.maxDelayMs);
    console.error(`${c.name} exited (${why}); restarting in ${delay / 1000} s (restart ${n} of ${policy.maxRestarts} in ${window}); its log: ${log}`);
    c.pendingRestart = setTimeout(() => {
      c.pendingRestart = undefined;
      if (this.stopping) return; // (stopAll clears the timer, but one may have fired just before)
      c.log.write(`\n--- ${new Date().toISOString()} restarted by the supervisor after it exited (${why}) ---\n`);
      this.start(c);
    }, delay);
  }

  /**
   * Checks every 2 s that something the stack did not spawn itself (a daemonised server) still
   * runs; when it stops, watch() rejects with `hint`.
   */
  guard(name: string, running: () => boolean, hint: string) {
    const timer = setInterval(() => {
      if (this.stopping || running()) return;
      clearInterval(timer);
      console.error(`${name} stopped; stopping the stack (${hint})`);
      this.fail(new Error(`${name} stopped unexpectedly; ${hint}`));
    }, 2000);
    timer.unref();
    this.guards.push(timer);
  }

  /** Rejects if the stack fails before `until` settles (a crash shows at once, not as a hang). */
  watch<T>(until: Promise<T>): Promise<T> {
    return Promise.race([until, this.failure]);
  }

  /** Stops every child, last started first, then the cleanups; every caller waits for the same stop. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopped();
  }

  private async stopAll(): Promise<void> {
    for (const t of this.guards) clearInterval(t);
    for (const c of this.children) clearTimeout(c.pendingRestart);
    for (const c of [...this.children].reverse()) {
      if (running(c.proc)) {
        // The leader only: a tsx CLI wrapper (bench/stack.ts) relays it once to the real process.
        c.proc.kill('SIGTERM');
        await waitExit(c.proc, 8000);
        if (running(c.proc)) killGroup(c.proc, 'SIGKILL');
        await waitExit(c.proc, 2000);
      }
      killGroup(c.proc, 'SIGKILL'); // a grandchild that outlived its parent
    }
    for (const fn of this.cleanups.reverse()) await runCleanup(fn);
    this.lock.release();
    // Stopped: a later signal is for whoever else runs in this process (vitest, after global setup).
    for (const sig of STOP_SIGNALS) process.off(sig, this.onSignal);
    process.off('exit', this.killAllNow);
  }

  private killAllNow = () => {
    for (const c of this.children) killGroup(c.proc, 'SIGKILL');
    if (!this.stopping) this.lock.release();
  };
}

async function runCleanup(fn: () => void | Promise<void>) {
  try {
    await fn();
  } catch (err) {
    console.error(`cleanup failed: ${(err as Error).message}`);
  }
}

const running = (proc: ChildProcess) => proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null;

/** Signals the child's whole process group (it leads one: spawned detached). */
function killGroup(proc: ChildProcess, signal: NodeJS.Signals) {
  if (!proc.pid) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    if (running(proc) && isAlive(proc.pid)) proc.kill(signal);
  }
}

function waitExit(proc: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (!running(proc)) return resolve();
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

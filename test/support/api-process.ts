import { spawn } from 'node:child_process';
import { ROOT } from '../../scripts/stack/paths';
import { configEnv, type Harness } from './harness';

export interface ApiProcess {
  url: string;
  /** Settles when the process is gone, with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * The API as the stack runs it, in its own process (api/main.ts), against the harness's Postgres,
 * Temporal and task queue, so a test can have it die the way a real one does. It listens on a port
 * of its own choosing; the address is read from its start-up log line.
 */
export async function startApiProcess(h: Harness, env: Record<string, string> = {}): Promise<ApiProcess> {
  // node itself (not the tsx wrapper), so a SIGKILL hits the process that does the work
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env, ...configEnv(h.config),
      API_HOST: '127.0.0.1', API_PORT: '0', LOG_LEVEL: 'info', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API process did not start listening:\n${log}`)), 60_000);
    const read = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the API process exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
  return {
    url,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

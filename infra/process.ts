import { ConfigError } from './config';

/**
 * Runs a process entry point and turns a start-up failure into one clear line and exit code 1,
 * instead of a stack trace that hides the cause (a missing variable, a server not reachable).
 */
export async function runMain(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : (err as Error)?.message ?? String(err);
    console.error(`${name}: ${msg}`);
    if (process.env.DEBUG) console.error(err);
    process.exit(1);
  }
}

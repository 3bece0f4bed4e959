import { Context } from '@temporalio/activity';

/** How often a long activity says it is alive, whatever it waits for. */
export const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Runs `work` while heartbeating every few seconds, so a worker that dies mid-way is noticed
 * within the proxy's heartbeatTimeout (not the hours its startToCloseTimeout allows) and the
 * activity retried elsewhere. Outside an activity (a script, a test), just runs it.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    ctx = undefined;
  }
  const beat = ctx && setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    if (beat) clearInterval(beat);
  }
}

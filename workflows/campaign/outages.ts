import { ActivityFailure, ApplicationFailure, condition } from '@temporalio/workflow';
import { outageBackoffMs, type OutsideSystem, type Outages } from '../../domain/campaign/outages';

/**
 * A failed activity whose system did not answer (its retries ran out, it timed out), as opposed
 * to one the system refused for good (a non-retryable failure): only the first is an outage.
 */
export function isOutage(err: unknown): err is ActivityFailure {
  if (!(err instanceof ActivityFailure)) return false;
  return !(err.cause instanceof ApplicationFailure && err.cause.nonRetryable);
}

const why = (err: ActivityFailure) => (err.cause as Error | undefined)?.message ?? err.message;

/**
 * Runs `call` until it succeeds, through an outage of any length: each failed try is noted in
 * `outages` (the details and the progress query show it), then tried again after a backoff of up
 * to 5 minutes. `stop` ends the waiting early (a cancel, a hand-over): then it answers undefined.
 * A refusal (non-retryable) is thrown as it is.
 */
export async function rideOut<T>(
  outages: Outages,
  system: OutsideSystem,
  call: () => Promise<T>,
  opts: { changed: () => void; stop?: () => boolean },
): Promise<T | undefined> {
  for (;;) {
    if (opts.stop?.()) return undefined;
    try {
      const result = await call();
      if (outages.answered(system)) opts.changed();
      return result;
    } catch (err) {
      if (!isOutage(err)) throw err;
      const outage = outages.failed(system, why(err), Date.now());
      opts.changed();
      const stop = opts.stop;
      await condition(() => stop?.() ?? false, outageBackoffMs(outage.retries));
    }
  }
}

/**
 * The same activity stubs with every call ridden out (see rideOut); used where the caller can
 * only go on with an answer, e.g. the dialing loop's claims and settlements in Postgres.
 */
export function riddenOut<A extends object>(outages: Outages, system: OutsideSystem, stubs: A, changed: () => void): A {
  return new Proxy(stubs, {
    get(target, name) {
      const stub = (target as Record<PropertyKey, unknown>)[name];
      if (typeof stub !== 'function') return stub;
      return async (...args: unknown[]) => (await rideOut(outages, system, () => stub(...args) as Promise<unknown>, { changed }))!;
    },
  });
}

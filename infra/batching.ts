import DataLoader from 'dataloader';

/**
 * Many requests' statements as one (DataLoader's batching, without its cache): what is asked while
 * `maxInFlight` batches are out waits for one of them to come back and then goes as one batch; below
 * that, a batch goes at the end of the event loop's turn. Under light load a request waits for no
 * one; under heavy load each round trip, statement and commit serves many requests, and Postgres is
 * spared as many context switches. A batch of several that failed for its data (`oneByOne` says which
 * errors are a key's, not the database's) is run again key by key, within the same limit, so one bad
 * key fails its own request only; any other failure fails the batch.
 */
export interface BatchOptions {
  maxInFlight: number;
  maxBatchSize: number;
  /** Whether an error may be one key's: the batch is then run again key by key. */
  oneByOne: (err: unknown) => boolean;
}

export function batcher<K, V>(run: (keys: readonly K[]) => Promise<readonly (V | Error)[]>, opts: BatchOptions): DataLoader<K, V> {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const once = async (keys: readonly K[]) => {
    inFlight++;
    try {
      return await run(keys);
    } finally {
      inFlight--;
      waiting.shift()?.();
    }
  };
  /** A run within the limit: it waits for a batch to come back when `maxInFlight` are out. */
  const limited = (keys: readonly K[]) => (inFlight < opts.maxInFlight ? once(keys) : new Promise<void>((r) => waiting.push(r)).then(() => once(keys)));
  return new DataLoader<K, V>(async (keys) => {
    try {
      return await once(keys);
    } catch (err) {
      if (keys.length === 1 || !opts.oneByOne(err)) throw err;
      const results: (V | Error)[] = [];
      for (const k of keys) results.push(await limited([k]).then((r) => r[0]!, (e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
      return results;
    }
  }, {
    cache: false,
    maxBatchSize: opts.maxBatchSize,
    batchScheduleFn: (dispatch) => {
      if (inFlight < opts.maxInFlight) setImmediate(dispatch);
      else waiting.push(dispatch);
    },
  });
}

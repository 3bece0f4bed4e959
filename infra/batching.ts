import DataLoader from 'dataloader';

/**
 * Many requests' statements as one (DataLoader's batching, without its cache): what is asked while
 * `maxInFlight` batches are out waits for one of them to come back and then goes as one batch; below
 * that, a batch goes at the end of the event loop's turn. Under light load a request waits for no
 * one; under heavy load each round trip, statement and commit serves many requests, and Postgres is
 * spared as many context switches. A failed batch of several is run again key by key, so one bad key
 * fails its own request only.
 */
export interface BatchOptions {
  maxInFlight: number;
  maxBatchSize: number;
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
  return new DataLoader<K, V>(async (keys) => {
    try {
      return await once(keys);
    } catch (err) {
      if (keys.length === 1) throw err;
      return Promise.all(keys.map((k) => once([k]).then((r) => r[0]!, (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
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

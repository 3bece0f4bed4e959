import { describe, expect, it } from 'vitest';
import { batcher } from '../../infra/batching';

/** infra/batching.ts: requests asked at once share one run; a failed batch fails only its bad keys. */
describe('batcher', () => {
  const recording = (fail?: (k: number) => boolean) => {
    const runs: number[][] = [];
    let release: () => void = () => {};
    let hold = false;
    const loader = batcher<number, number>(async (keys) => {
      runs.push([...keys]);
      if (hold) await new Promise<void>((r) => { release = r; });
      if (fail && keys.some(fail)) throw new Error(`bad key in ${keys.join(',')}`);
      return keys.map((k) => k * 10);
    }, { maxInFlight: 1, maxBatchSize: 3, oneByOne: (err) => /bad key/.test(String(err)) });
    return { loader, runs, holdNext: () => { hold = true; }, release: () => { hold = false; release(); } };
  };

  it('runs the keys asked in one turn of the event loop as one batch, at most maxBatchSize a batch', async () => {
    const b = recording();
    expect(await Promise.all([1, 2, 3, 4].map((k) => b.loader.load(k)))).toEqual([10, 20, 30, 40]);
    expect(b.runs).toEqual([[1, 2, 3], [4]]);
  });

  it('holds what is asked while a batch is out, and sends it as one batch when that batch is back', async () => {
    const b = recording();
    b.holdNext();
    const first = b.loader.load(1);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const later = [2, 3].map((k) => b.loader.load(k));
    await new Promise((r) => setTimeout(r, 20));
    expect(b.runs).toEqual([[1]]); // 2 and 3 wait for the batch in flight
    b.release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30]);
    expect(b.runs).toEqual([[1], [2, 3]]);
  });

  it('runs a failed batch again key by key: only the bad key fails', async () => {
    const b = recording((k) => k === 2);
    const results = await Promise.allSettled([1, 2, 3].map((k) => b.loader.load(k)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseFulfilledResult<number>).value).toBe(10);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/bad key in 2/);
    expect(b.runs).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it("fails the whole batch at once when the error is not a key's (the database's: a timeout, a lost connection)", async () => {
    const b = recording((k) => k === 2);
    const loader = batcher<number, number>(async (keys) => {
      b.runs.push([...keys]);
      throw new Error('connection terminated');
    }, { maxInFlight: 1, maxBatchSize: 3, oneByOne: (err) => /bad key/.test(String(err)) });
    const results = await Promise.allSettled([1, 2, 3].map((k) => loader.load(k)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(b.runs).toEqual([[1, 2, 3]]); // not run again one by one
  });
});

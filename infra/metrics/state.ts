import type { Db } from '../db';
import { inTransaction } from '../db';
import { heldDeliveriesByAgeSql, OPEN_ORDERS_SQL } from '../../db/metrics-sql';
import { heldDeliveries, heldDeliveryOldest, openOrders, telemetryScrapeErrors } from './definitions';

interface State {
  orders: { status: string; stage: string; n: number }[];
  held: { region: string; age: string; n: number; oldest: number }[];
}

async function readState(db: Db, timeoutMs: number): Promise<State> {
  return inTransaction(db, async (tx) => {
    // A slow count is cut short by the server too, not only abandoned by the scrape.
    await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    const orders = await tx.query<State['orders'][number]>(OPEN_ORDERS_SQL);
    const held = heldDeliveriesByAgeSql();
    const byAge = await tx.query<State['held'][number]>(held.text, held.values);
    return { orders: orders.rows, held: byAge.rows };
  });
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Postgres within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The gauges read from Postgres (open orders by status and stage, held deliveries by region and
 * age), refreshed by the returned function before each scrape renders. A read that fails or takes
 * longer than `timeoutMs` (a pool exhausted, a lock, Postgres down) leaves those gauges out of
 * that scrape and counts `telemarketing_telemetry_scrape_errors_total{source="postgres"}`: the
 * scrape still answers, with everything else, in time. Scrapes that come while a read runs share
 * it. Resolves to the error, if any, for the caller to log.
 */
export function stateGauges(db: Db, { timeoutMs = 2_000 } = {}): () => Promise<Error | undefined> {
  telemetryScrapeErrors.inc({ source: 'postgres' }, 0);
  let inFlight: Promise<Error | undefined> | undefined;
  const refresh = async (): Promise<Error | undefined> => {
    let state: State;
    try {
      state = await withDeadline(readState(db, timeoutMs), timeoutMs + 500);
    } catch (err) {
      for (const gauge of [openOrders, heldDeliveries, heldDeliveryOldest]) gauge.reset();
      telemetryScrapeErrors.inc({ source: 'postgres' });
      return err instanceof Error ? err : new Error(String(err));
    }
    openOrders.reset();
    for (const r of state.orders) openOrders.set({ status: r.status, stage: r.stage }, r.n);
    heldDeliveries.reset();
    heldDeliveryOldest.reset();
    const oldest = new Map<string, number>();
    for (const r of state.held) {
      heldDeliveries.set({ region: r.region, age: r.age }, r.n);
      oldest.set(r.region, Math.max(oldest.get(r.region) ?? 0, r.oldest));
    }
    for (const [region, seconds] of oldest) heldDeliveryOldest.set({ region }, Math.round(seconds));
    return undefined;
  };
  return () => (inFlight ??= refresh().finally(() => { inFlight = undefined; }));
}

import type pg from 'pg';
import type { Db } from '../../infra/db';
import { AGENT_DAYS_DELETE_SQL, AGENT_DAYS_INSERT_SQL, ROLLUP_DELETE_SQL, ROLLUP_INSERT_SQL } from './rollup-sql';

/** One refresh at a time: two interleaved refreshes of a slice would both insert its rows. */
const REFRESH_LOCK = 727014;

export interface RefreshResult {
  /** (campaign, run of days) slices recomputed. */
  slices: number;
  /** Marks taken (one per writing statement since the last refresh). */
  marks: number;
}

/** Marks taken per transaction: a backlog (after downtime) is worked through in bounded steps. */
const MARKS_PER_BATCH = 20_000;
/** The longest run of days one statement recomputes. */
const MAX_RUN_DAYS = 7;
/** How long a report waits for a refresh under way before it reads the rollups as they are. */
const REPORT_LOCK_WAIT = '5s';

/** Consecutive days as runs of at most MAX_RUN_DAYS: an old order's late event should not recompute the weeks between. */
export function dayRuns(days: Iterable<string>): Array<[string, string]> {
  const sorted = [...new Set(days)].sort();
  const runs: Array<[string, string, number]> = [];
  for (const day of sorted) {
    const last = runs.at(-1);
    if (last && last[2] < MAX_RUN_DAYS && Date.parse(`${day}T00:00:00Z`) - Date.parse(`${last[1]}T00:00:00Z`) === 86_400_000) {
      last[1] = day;
      last[2]++;
    } else runs.push([day, day, 1]);
  }
  return runs.map(([from, to]) => [from, to]);
}

/**
 * Brings the rollups up to date with every write committed so far: takes the marks the triggers
 * left (db/migrations/020_report_rollups.sql), recomputes those campaigns' days from the tables,
 * and deletes the marks, a batch of marks per transaction (a failure leaves its batch's marks for
 * the next refresh). A write still in flight keeps its mark, which the next refresh sees. Reports
 * call it before they read (`waitAtMost`: past that, another refresh is under way and the report
 * reads the rollups as they are), and the reports-rollup schedule calls it every minute.
 */
export async function refreshRollups(db: Db, opts: { waitAtMost?: string } = {}): Promise<RefreshResult> {
  const total: RefreshResult = { slices: 0, marks: 0 };
  for (;;) {
    const batch = await refreshBatch(db, opts.waitAtMost);
    if (!batch) break;
    total.slices += batch.slices;
    total.marks += batch.marks;
    if (batch.marks < MARKS_PER_BATCH) break;
  }
  return total;
}

/** A report's refresh: waits a while for one under way, then reads what is there. */
export const refreshForReport = (db: Db) => refreshRollups(db, { waitAtMost: REPORT_LOCK_WAIT });

async function refreshBatch(db: Db, waitAtMost: string | undefined): Promise<RefreshResult | undefined> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    if (waitAtMost) await client.query(`SET LOCAL lock_timeout = '${waitAtMost}'`);
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [REFRESH_LOCK]);
    } catch (err) {
      if ((err as { code?: string }).code === '55P03' && waitAtMost) { // lock_not_available
        await client.query('ROLLBACK');
        return undefined;
      }
      throw err;
    }
    if (waitAtMost) await client.query('SET LOCAL lock_timeout = 0');
    const { rows } = await client.query<{ campaign_key: string; day: string }>(
      `DELETE FROM report_dirty WHERE id IN (SELECT id FROM report_dirty ORDER BY id LIMIT ${MARKS_PER_BATCH})
       RETURNING campaign_key, to_char(day, 'YYYY-MM-DD') AS day`);
    const byCampaign = new Map<string, Set<string>>();
    for (const r of rows) {
      const days = byCampaign.get(r.campaign_key) ?? new Set<string>();
      days.add(r.day);
      byCampaign.set(r.campaign_key, days);
    }
    let slices = 0;
    for (const [campaign, days] of byCampaign) {
      for (const [from, to] of dayRuns(days)) {
        await recompute(client, campaign, from, to);
        slices++;
      }
    }
    await client.query('COMMIT');
    return { slices, marks: rows.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

type Client = pg.PoolClient;

async function recompute(client: Client, campaign: string | null, from: string, to: string): Promise<void> {
  const params = [campaign, from, to];
  await client.query(ROLLUP_DELETE_SQL, params);
  await client.query(ROLLUP_INSERT_SQL[campaign === null ? 'all' : campaign === '' ? 'no-campaign' : 'campaign'], params);
  await client.query(AGENT_DAYS_DELETE_SQL, params);
  await client.query(AGENT_DAYS_INSERT_SQL, params);
}

/**
 * Recomputes every campaign's rollups of the days from..to (inclusive) in one pass, as after a
 * bulk load or a change to what a figure means; marks of those days are dropped with it.
 */
export async function rebuildRollups(db: Db, from: string, to: string): Promise<void> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [REFRESH_LOCK]);
    await client.query('DELETE FROM report_dirty WHERE day BETWEEN $1::date AND $2::date', [from, to]);
    await recompute(client, null, from, to);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

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

/** Consecutive days as runs: an old order's late event should not recompute the weeks between. */
export function dayRuns(days: readonly string[]): Array<[string, string]> {
  const sorted = [...new Set(days)].sort();
  const runs: Array<[string, string]> = [];
  for (const day of sorted) {
    const last = runs.at(-1);
    if (last && Date.parse(`${day}T00:00:00Z`) - Date.parse(`${last[1]}T00:00:00Z`) === 86_400_000) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}

/**
 * Brings the rollups up to date with every write committed so far: takes the marks the triggers
 * left (db/migrations/020_report_rollups.sql), recomputes those campaigns' days from the tables,
 * and deletes the marks, in one transaction (a failure leaves the marks for the next refresh). A
 * write still in flight keeps its mark, which the next refresh sees. Reports call it before they
 * read, and the reports-rollup schedule calls it every minute so they rarely find much to do.
 */
export async function refreshRollups(db: Db): Promise<RefreshResult> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [REFRESH_LOCK]);
    const { rows } = await client.query<{ campaign_key: string; day: string }>(
      `DELETE FROM report_dirty RETURNING campaign_key, to_char(day, 'YYYY-MM-DD') AS day`);
    const byCampaign = new Map<string, string[]>();
    for (const r of rows) byCampaign.set(r.campaign_key, [...(byCampaign.get(r.campaign_key) ?? []), r.day]);
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
  await client.query(campaign === null ? ROLLUP_INSERT_SQL.all : ROLLUP_INSERT_SQL.campaign, params);
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

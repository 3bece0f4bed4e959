import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createCampaignActivities, type PullProgress } from '../../activities/campaign/campaigns';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { createPool, type Db } from '../../infra/db';
import { uniqueId } from '../support/harness';

/**
 * The list pull in the SDK's activity environment (its Context, heartbeats and heartbeat details;
 * no worker) on the suite's real Postgres: it heartbeats as it goes, and a retry resumes from the
 * last heartbeat and lists each lead once.
 */
let db: Db;
const noop = () => {};
/** The environment's logger would print every failed attempt, the deliberate ones too. */
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const activityEnv = (info: { attempt?: number; heartbeatDetails?: unknown } = {}) => new MockActivityEnvironment(info, { logger: quiet });
beforeAll(() => { db = createPool(inject('databaseUrl'), 6); });
afterAll(async () => { await db?.end(); });

const CHUNK = 100;
// An offer nobody owns, and no contact cap: what other tests do meanwhile (activate offers, place calls) changes no one's eligibility.
const input = (campaignId: string) => ({ campaignId, segment: { maxLeads: 1_200 }, offerCode: 'pull-test-offer' });
/** Small chunks, and no timed beats: the test sees one beat per chunk committed. */
const chunked = () => createCampaignActivities(db, { pullChunk: CHUNK, pullHeartbeatMs: 3_600_000 });
type Pull = ReturnType<typeof createCampaignActivities>['pullList'];
const pullIn = (env: MockActivityEnvironment, campaignId: string, pull: Pull = chunked().pullList) =>
  env.run(pull, input(campaignId)) as ReturnType<Pull>;

async function newCampaign(): Promise<string> {
  const id = uniqueId('pull');
  await db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'pull test', '{}', 'pending', $2)`, [id, campaignWorkflowId(id)]);
  return id;
}
const listedCustomers = async (campaignId: string) =>
  (await db.query<{ customer_id: string }>('SELECT customer_id FROM leads WHERE campaign_id = $1 ORDER BY customer_id', [campaignId])).rows.map((r) => r.customer_id);

/** The same pull in one go (one chunk), for what the leads should be. */
async function reference(): Promise<string[]> {
  const id = await newCampaign();
  await createCampaignActivities(db).pullList(input(id));
  return listedCustomers(id);
}

describe('list pull heartbeats', () => {
  it('heartbeats its progress after each chunk it commits', async () => {
    const id = await newCampaign();
    const env = activityEnv();
    const beats: PullProgress[] = [];
    env.on('heartbeat', (d: PullProgress) => beats.push(d));
    const { listed } = await pullIn(env, id);
    expect(listed).toBe(1_200);
    expect(beats.length).toBeGreaterThanOrEqual(1_200 / CHUNK - 1);
    for (let i = 1; i < beats.length; i++) {
      expect(beats[i]!.cursor).toBeGreaterThan(beats[i - 1]!.cursor);
      expect(beats[i]!.listed).toBeGreaterThan(beats[i - 1]!.listed);
    }
    expect(await listedCustomers(id)).toEqual(await reference());
  });

  it('beats while a statement runs, not only between chunks', async () => {
    const id = await newCampaign();
    const env = activityEnv();
    let beats = 0;
    env.on('heartbeat', () => { beats++; });
    // The pull waits for another session's hold of its campaign: only the timer can beat meanwhile.
    const holder = await db.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(727002, hashtext($1))', [id]);
      const pull = pullIn(env, id, createCampaignActivities(db, { pullHeartbeatMs: 50 }).pullList);
      const deadline = Date.now() + 10_000;
      while (beats < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(beats).toBeGreaterThanOrEqual(3);
      await holder.query('SELECT pg_advisory_unlock(727002, hashtext($1))', [id]);
      expect((await pull).listed).toBe(1_200);
    } finally {
      holder.release();
    }
  });

  it('resumes a retried pull from its last heartbeat, each lead listed once', async () => {
    const id = await newCampaign();
    // The first attempt dies after its fourth chunk is committed and heartbeated.
    const first = activityEnv();
    const beats: PullProgress[] = [];
    first.on('heartbeat', (d: PullProgress) => {
      beats.push(d);
      if (beats.length === 4) throw new Error('worker died');
    });
    await expect(pullIn(first, id)).rejects.toThrow('worker died');
    const partial = await listedCustomers(id);
    expect(partial.length).toBe(beats[3]!.listed);

    const retry = activityEnv({ attempt: 2, heartbeatDetails: beats[3] });
    const again: PullProgress[] = [];
    retry.on('heartbeat', (d: PullProgress) => again.push(d));
    const { listed } = await pullIn(retry, id);
    expect(listed).toBe(1_200);
    expect(again[0]!.cursor).toBeGreaterThan(beats[3]!.cursor); // went on from there, not from the start
    expect(again.length).toBeLessThan(beats.length + 1_200 / CHUNK - 4);
    const leads = await listedCustomers(id);
    expect(leads.slice(0, partial.length)).toEqual(partial);
    expect(leads).toEqual(await reference());
  });

  it('lists each lead once when retried without details, or run twice at once', async () => {
    const expected = await reference();
    // A retry whose worker died before any heartbeat reached the server starts from the beginning.
    const restarted = await newCampaign();
    const first = activityEnv();
    let n = 0;
    first.on('heartbeat', () => { if (++n === 3) throw new Error('worker died'); });
    await expect(pullIn(first, restarted)).rejects.toThrow('worker died');
    expect((await pullIn(activityEnv({ attempt: 2 }), restarted)).listed).toBe(1_200);
    expect(await listedCustomers(restarted)).toEqual(expected);

    // A worker presumed dead that was not: its attempt and the retry run at once.
    const twice = await newCampaign();
    const results = await Promise.all([1, 2].map((attempt) => pullIn(activityEnv({ attempt }), twice)));
    expect(results.map((r) => r.listed)).toEqual([1_200, 1_200]);
    expect(await listedCustomers(twice)).toEqual(expected);
  });
});

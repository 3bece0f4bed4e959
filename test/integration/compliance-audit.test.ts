import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashMsisdn } from '../../activities/compliance/contact-checks';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { configureSim, launch, testCampaign } from '../support/campaigns';
import { DELIVER } from '../support/orders';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

const AUDIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/compliance/audit');
const audit = (name: string) => readFileSync(path.join(AUDIT, `${name}.sql`), 'utf8');
const found = async (name: string, prefix: string) =>
  (await h.db.query<{ call_id: string }>(audit(name))).rows.map((r) => r.call_id).filter((c) => c.startsWith(prefix)).sort();

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

/** A planted contact-log row: a call that reached the dialer (or not) at the times given. */
interface Planted {
  suffix: string;
  purpose?: 'sales' | 'followup';
  leadId?: string;
  customerId: number;
  startedAt: string;
  takenAt?: string;
  checks?: object;
  offers?: boolean;
  msisdnHash?: string;
}

describe('the compliance audit queries (docs/compliance.md)', () => {
  it('find the planted violations of every kind of call, timed by when the dialer took it, and only those', async () => {
    const id = uniqueId('audit');
    const window = { start: '09:00', end: '10:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'audit', $2, 'completed', $3)`,
      [id, JSON.stringify({ window }), campaignWorkflowId(id)]);
    // Scratch customers (test/global-setup.ts, region 'mo', Macau: UTC+8): the planted do-not-call
    // entries touch no other test's calls.
    const lead = async (customerId: number, msisdn?: string) => (await h.db.query<{ id: string; msisdn: string }>(
      `INSERT INTO leads (campaign_id, customer_id, msisdn, region) SELECT $1, id, COALESCE($3, msisdn), region FROM customers WHERE id = $2
       RETURNING id, msisdn`, [id, customerId, msisdn ?? null])).rows[0]!;
    const plant = (c: Planted) => h.db.query(
      `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, customer_id, attempt_no, disposition, connected, started_at, dialer_took_at, checks, offers, msisdn_hash)
       VALUES ($1, $2, $3, $4, $5, 1, 'no-answer', false, $6, $7, $8, $9, $10)`,
      [`${id}-${c.suffix}`, c.purpose ?? 'sales', id, c.leadId ?? null, c.customerId, c.startedAt, c.takenAt ?? null,
        c.checks ? JSON.stringify(c.checks) : null, c.offers ?? false, c.msisdnHash ?? null]);
    const register = async (msisdn: string) =>
      (await h.db.query<{ added_at: Date }>(`INSERT INTO dnc_numbers (msisdn, reason) VALUES ($1, 'audit test') RETURNING added_at`, [msisdn])).rows[0]!.added_at;
    const now = new Date();
    const tomorrow = (hh: number, mm: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, hh, mm)).toISOString();

    // The window: 01:30Z is 09:30 local (inside), 03:00Z is 11:00 local (outside). A call checked
    // inside but taken by the dialer after the close is outside; so is a follow-up taken outside.
    const [inside, outside, late] = [await lead(100051), await lead(100052), await lead(100054)];
    await plant({ suffix: 'in', leadId: inside.id, customerId: 100051, startedAt: '2026-11-23T01:30:00Z' });
    await plant({ suffix: 'out', leadId: outside.id, customerId: 100052, startedAt: '2026-11-23T03:00:00Z' });
    await plant({ suffix: 'late-take', leadId: late.id, customerId: 100054, startedAt: '2026-11-23T01:59:50Z', takenAt: '2026-11-23T02:00:02Z' });
    await plant({ suffix: 'fu-out', purpose: 'followup', customerId: 100054, startedAt: '2026-11-23T01:30:00Z', takenAt: '2026-11-23T02:30:00Z', checks: { result: 'clear', window } });
    await plant({ suffix: 'fu-in', purpose: 'followup', customerId: 100054, startedAt: '2026-11-23T01:31:00Z', takenAt: '2026-11-23T01:31:01Z', checks: { result: 'clear', window } });

    // Do-not-call, on the number dialed: the lead's (not the customer's today), the customer's for a
    // follow-up, registered before the dialer took the call. All inside the window (tomorrow 01:40Z).
    const dnc = await lead(100053);
    await register(dnc.msisdn);
    await plant({ suffix: 'dnc', leadId: dnc.id, customerId: 100053, startedAt: tomorrow(1, 40) });
    const leadNumber = await lead(100055, '19900099001'); // the number the lead was listed with, since changed
    await register(leadNumber.msisdn);
    await plant({ suffix: 'lead-number', leadId: leadNumber.id, customerId: 100055, startedAt: tomorrow(1, 40), msisdnHash: hashMsisdn(leadNumber.msisdn) });
    const otherNumber = await lead(100056, '19900099002'); // the customer's own number is registered, not the one dialed
    await register((await h.db.query<{ msisdn: string }>('SELECT msisdn FROM customers WHERE id = 100056')).rows[0]!.msisdn);
    await plant({ suffix: 'other-number', leadId: otherNumber.id, customerId: 100056, startedAt: tomorrow(1, 40), msisdnHash: hashMsisdn(otherNumber.msisdn) });
    const followedUp = (await h.db.query<{ msisdn: string }>('SELECT msisdn FROM customers WHERE id = 100057')).rows[0]!.msisdn;
    await register(followedUp);
    await plant({ suffix: 'fu-dnc', purpose: 'followup', customerId: 100057, startedAt: tomorrow(1, 41), msisdnHash: hashMsisdn(followedUp), checks: { result: 'clear', window } });
    // Registered between a call's check and the dialer's taking of it: the call is on the register.
    // (Now, whatever the hour: these two were checked against a window open round the clock.)
    const raced = await lead(100058);
    const added = await register(raced.msisdn);
    const at = (ms: number) => new Date(added.getTime() + ms).toISOString();
    const always = { result: 'clear', window: { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] } };
    await plant({ suffix: 'race-before', leadId: raced.id, customerId: 100058, startedAt: at(-2_000), takenAt: at(-1_000), msisdnHash: hashMsisdn(raced.msisdn), checks: always });
    await plant({ suffix: 'race-after', leadId: raced.id, customerId: 100058, startedAt: at(-1_000), takenAt: at(1_000), msisdnHash: hashMsisdn(raced.msisdn), checks: always });

    // The cap counts marketing calls: sales calls and follow-ups that offer something. With 2 a day:
    // a survey follow-up does not count, an offering one does (the second sales call is the third
    // marketing call); with 1 a day an offering follow-up after a sales call is itself over the cap.
    const capped = (maxCalls: number) => ({ result: 'clear', window, contactCap: { maxCalls, days: 1 } });
    const minute = (m: number) => `2026-11-20T01:3${m}:00Z`;
    await plant({ suffix: 'cap-s1', customerId: 100059, startedAt: minute(0), takenAt: minute(0), checks: capped(2) });
    await plant({ suffix: 'cap-survey', purpose: 'followup', customerId: 100059, startedAt: minute(1), takenAt: minute(1), checks: capped(2) });
    await plant({ suffix: 'cap-offer', purpose: 'followup', offers: true, customerId: 100059, startedAt: minute(2), takenAt: minute(2), checks: capped(2) });
    await plant({ suffix: 'cap-s2', customerId: 100059, startedAt: minute(3), takenAt: minute(3), checks: capped(2) });
    await plant({ suffix: 'cap1-s', customerId: 100060, startedAt: minute(0), takenAt: minute(0), checks: capped(1) });
    await plant({ suffix: 'cap1-offer', purpose: 'followup', offers: true, customerId: 100060, startedAt: minute(1), takenAt: minute(1), checks: capped(1) });

    expect(await found('calls-outside-window', id)).toEqual([`${id}-fu-out`, `${id}-late-take`, `${id}-out`]);
    expect(await found('calls-to-do-not-call', id)).toEqual([`${id}-dnc`, `${id}-fu-dnc`, `${id}-lead-number`, `${id}-race-after`]);
    expect(await found('calls-over-contact-cap', id)).toEqual([`${id}-cap-s2`, `${id}-cap1-offer`]);
  });

  it('find nothing among the calls the system placed itself, sales calls and follow-ups, each timed by the dialer', async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    const id = uniqueId('placed');
    await launch(h, testCampaign(id, {
      segment: { maxLeads: 8, regions: ['gd'] }, dialing: { maxConcurrentCalls: 4, maxAttempts: 2, retryDelaySeconds: 0 },
      orders: { followUpDelaySeconds: 0, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0 },
    }));
    await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
    await waitUntil('the orders followed up', async () => {
      const { rows } = await h.db.query(`SELECT 1 FROM orders WHERE campaign_id = $1 AND stage <> 'done'`, [id]);
      return rows.length === 0;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    const { rows: placed } = await h.db.query<{ purpose: string; n: string; taken: string }>(
      `SELECT purpose, count(*) AS n, count(dialer_took_at) AS taken FROM call_attempts
        WHERE campaign_id = $1 AND disposition IS DISTINCT FROM 'blocked' AND disposition IS DISTINCT FROM 'not-placed' GROUP BY purpose`, [id]);
    expect(placed.map((r) => r.purpose).sort()).toEqual(['followup', 'sales']); // both kinds placed here
    for (const r of placed) expect(r.taken).toBe(r.n); // every call placed is timed by the dialer's taking

    const isSynthetic = (c: string) => c.startsWith('audit-');
    for (const name of ['calls-outside-window', 'calls-to-do-not-call', 'calls-over-contact-cap']) {
      const rows = (await h.db.query<{ call_id: string }>(audit(name))).rows.filter((r) => !isSynthetic(r.call_id));
      expect(rows, name).toEqual([]);
    }
  });
});

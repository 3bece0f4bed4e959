import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createTelephonyActivities } from '../../activities/campaign/telephony';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { localTime, minutesOf, type CallingWindow } from '../../domain/campaign/window-time';
import { configureSim, simGet } from '../support/campaigns';
import { startHarness, uniqueId, type Harness } from '../support/harness';

/**
 * The moment of dialing (docs/compliance.md): a call is checked at every hand-over to the dialer,
 * so what changes between a check and a retried hand-over (the dialer answered 503 first) holds.
 * Scratch customers 100035-100038 (test/global-setup.ts: region 'mo', Asia/Macau) are this file's.
 */
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const ALWAYS: CallingWindow = { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
const telephony = (dialMarginSeconds?: number) => createTelephonyActivities({
  db: h.db, dialerUrl: h.sims.dialerUrl, publicApiUrl: h.apiUrl, ...(dialMarginSeconds !== undefined ? { dialMarginSeconds } : {}),
});
type PlaceCallsInput = Parameters<ReturnType<typeof telephony>['placeCalls']>[0];

async function campaignWithLeads(customers: number[]): Promise<{ id: string; leads: { leadId: number; msisdn: string }[] }> {
  const id = uniqueId('dial-moment');
  await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'dial moment', $2, 'running', $3)`,
    [id, JSON.stringify({ window: ALWAYS }), campaignWorkflowId(id)]);
  const leads = [];
  for (const customerId of customers) {
    const { rows: [lead] } = await h.db.query<{ id: string; msisdn: string }>(
      `INSERT INTO leads (campaign_id, customer_id, msisdn, region) SELECT $1, id, msisdn, region FROM customers WHERE id = $2
       RETURNING id, msisdn`, [id, customerId]);
    leads.push({ leadId: Number(lead!.id), msisdn: lead!.msisdn });
  }
  return { id, leads };
}

/** One hand-over of the batch (the activity's first attempt: a dialer fault is thrown, to be retried). */
const handOver = (acts: ReturnType<typeof telephony>, input: PlaceCallsInput) =>
  new MockActivityEnvironment({ attempt: 1 }).run(acts.placeCalls, input).catch((e: unknown) => e);

const row = async (callId: string) => (await h.db.query<{ disposition: string | null; checks: Record<string, unknown>; dialer_took_at: Date | null; started_at: Date }>(
  'SELECT disposition, checks, dialer_took_at, started_at FROM call_attempts WHERE id = $1', [callId])).rows[0]!;

describe('checks at every hand-over to the dialer', () => {
  it('a number put on the register between the check and the retried hand-over is not dialed; the others are, timed by the dialer', async () => {
    const { id, leads: [dnc, clear] } = await campaignWithLeads([100035, 100036]);
    const calls = [{ callId: `${id}-dnc`, leadId: dnc!.leadId, attemptNo: 1 }, { callId: `${id}-clear`, leadId: clear!.leadId, attemptNo: 1 }];
    const input = { campaignId: id, window: ALWAYS, contactCap: { maxCalls: 100, days: 1 }, calls };
    const acts = telephony();

    await configureSim(h.sims.dialerUrl, { faults: { down: true } });
    try {
      expect(await handOver(acts, input)).toBeInstanceOf(Error); // 503: the activity is retried
    } finally {
      await configureSim(h.sims.dialerUrl, { faults: { down: false } });
    }
    expect(await row(`${id}-dnc`)).toMatchObject({ disposition: null, dialer_took_at: null, checks: { result: 'clear' } });

    // Registered a moment after its check (the audit saw 0.1-0.3 s), before the retry.
    await h.db.query('INSERT INTO dnc_numbers (msisdn, reason) VALUES ($1, $2)', [dnc!.msisdn, 'registered mid-dial (test)']);
    const { results } = (await handOver(acts, input)) as Awaited<ReturnType<ReturnType<typeof telephony>['placeCalls']>>;
    expect(results).toEqual(expect.arrayContaining([
      { callId: `${id}-dnc`, status: 'ended', outcome: expect.objectContaining({ disposition: 'blocked' }) },
      { callId: `${id}-clear`, status: 'placed' },
    ]));
    expect(await row(`${id}-dnc`)).toMatchObject({ disposition: 'blocked', dialer_took_at: null, checks: { result: 'blocked', blockedBy: 'do-not-call' } });
    expect((await fetch(`${h.sims.dialerUrl}/calls/${id}-dnc`)).status).toBe(404); // the dialer never saw it

    // The call it took is logged with the dialer's own time of taking it, after its (second) check.
    const placed = await row(`${id}-clear`);
    const atDialer = await simGet(`${h.sims.dialerUrl}/calls/${id}-clear`);
    expect(placed.dialer_took_at!.toISOString()).toBe(new Date(atDialer.queuedAt).toISOString());
    expect(placed.dialer_took_at!.getTime()).toBeGreaterThanOrEqual(placed.started_at.getTime() - 5); // same machine's clocks

    // A third hand-over re-attaches to the call the dialer took, unchecked (it may be ringing).
    const before = placed.checks.checkedAt;
    const again = (await handOver(acts, { ...input, calls: [calls[1]!] })) as Awaited<ReturnType<ReturnType<typeof telephony>['placeCalls']>>;
    expect(again.results[0]!.status === 'placed' || again.results[0]!.status === 'ended').toBe(true);
    expect((await row(`${id}-clear`)).checks.checkedAt).toBe(before);
  });

  it('a call the dialer took although its answer was lost is not checked again: its check is the one it was taken on', async () => {
    const { id, leads: [lead] } = await campaignWithLeads([100038]);
    const callId = `${id}-lost-answer`;
    const input = { campaignId: id, window: ALWAYS, calls: [{ callId, leadId: lead!.leadId, attemptNo: 1 }] };
    const acts = telephony();
    await configureSim(h.sims.dialerUrl, { faults: { down: true } });
    try {
      expect(await handOver(acts, input)).toBeInstanceOf(Error);
    } finally {
      await configureSim(h.sims.dialerUrl, { faults: { down: false } });
    }
    const checked = await row(callId);
    // The hand-over reached the dialer after all (its answer was lost), then the number was registered.
    const took = await fetch(`${h.sims.dialerUrl}/calls`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ callId, to: lead!.msisdn, purpose: 'sales', callbackUrl: `${h.apiUrl}/webhooks/dialer` }),
    });
    expect(took.status).toBe(202);
    const { queuedAt } = (await took.json()) as { queuedAt: string };
    await h.db.query('INSERT INTO dnc_numbers (msisdn, reason) VALUES ($1, $2)', [lead!.msisdn, 'registered after the dialer took the call (test)']);

    const { results } = (await handOver(acts, input)) as Awaited<ReturnType<ReturnType<typeof telephony>['placeCalls']>>;
    expect(results[0]!.status === 'placed' || results[0]!.status === 'ended').toBe(true); // the call it has (maybe over already)
    const logged = await row(callId);
    expect(logged.checks).toEqual(checked.checks); // the check it was taken on, clear
    expect(logged.dialer_took_at!.toISOString()).toBe(new Date(queuedAt).toISOString());
    expect(logged.disposition).not.toBe('blocked');
  });

  it('a window that closes between the check and the retried hand-over refuses the call (not placed: the lead waits)', async () => {
    // The window ends at the next whole minute in Macau; the margin is cut so that the first check is
    // just inside it and a check 5 s later is not (the real margin is 30 s: dial-window.ts).
    let toEnd = 0;
    let end = '';
    for (;;) {
      const local = localTime(new Date(), 'Asia/Macau');
      const seconds = new Date().getUTCSeconds() + new Date().getUTCMilliseconds() / 1000;
      toEnd = 60 - seconds;
      const next = local.minutes + 1;
      end = next >= 24 * 60 ? '24:00' : `${String(Math.floor(next / 60)).padStart(2, '0')}:${String(next % 60).padStart(2, '0')}`;
      if (toEnd >= 9 && minutesOf(end) > 0) break;
      await new Promise((r) => setTimeout(r, (toEnd + 0.5) * 1000));
    }
    const window: CallingWindow = { start: '00:00', end, days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
    const acts = telephony(Math.floor(toEnd) - 4);
    const { id, leads: [lead] } = await campaignWithLeads([100037]);
    const input = { campaignId: id, window, calls: [{ callId: `${id}-late`, leadId: lead!.leadId, attemptNo: 1 }] };

    await configureSim(h.sims.dialerUrl, { faults: { down: true } });
    try {
      expect(await handOver(acts, input)).toBeInstanceOf(Error);
      expect(await row(`${id}-late`)).toMatchObject({ disposition: null, checks: { result: 'clear', window } });
      await new Promise((r) => setTimeout(r, 5_000));
    } finally {
      await configureSim(h.sims.dialerUrl, { faults: { down: false } });
    }
    const { results } = (await handOver(acts, input)) as Awaited<ReturnType<ReturnType<typeof telephony>['placeCalls']>>;
    expect(results).toEqual([{ callId: `${id}-late`, status: 'ended', outcome: expect.objectContaining({ disposition: 'not-placed' }) }]);
    expect(await row(`${id}-late`)).toMatchObject({ disposition: 'not-placed', dialer_took_at: null, checks: { result: 'blocked', blockedBy: 'outside window' } });
    expect((await fetch(`${h.sims.dialerUrl}/calls/${id}-late`)).status).toBe(404);
  });
});

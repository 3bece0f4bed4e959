import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { CompleteAsyncError } from '@temporalio/activity';
import { createActivities, type Activities } from '../../activities';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { orderIdFor } from '../../domain/order/ids';
import { CampaignDefinitionSchema, OrderPolicySchema } from '../../domain/campaign/campaign';
import { CallingWindowSchema, localTime, nextOpening } from '../../domain/campaign/calling-window';
import { STRICT } from '../../domain/alerts/webhook-address';
import { configureSim, simGet, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

let h: Harness;
let acts: Activities;
beforeAll(async () => {
  h = await startHarness();
  acts = createActivities({
    db: h.db, client: h.client, taskQueue: h.taskQueue, publicApiUrl: h.apiUrl,
    dialerUrl: h.sims.dialerUrl, courierUrl: h.sims.courierUrl, bssUrl: h.sims.bssUrl, bssTimeoutMs: 1500,
    operatorTimeZone: h.config.OPERATOR_TIME_ZONE, alertWebhookSecret: undefined, alertWebhookPolicy: STRICT,
  });
});
afterAll(async () => { await h?.close(); });

async function newCampaign(): Promise<string> {
  const id = uniqueId('act');
  // calls placed here bypass the claim's window check: let the audit see an always-open window
  await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'activity test', '{"window":{"start":"00:00","end":"24:00","days":[1,2,3,4,5,6,7],"holidays":[]}}', 'pending', $2)`,
    [id, campaignWorkflowId(id)]);
  return id;
}
const offer = { code: 'vas-video', name: 'Video pack', price: 15 };

describe("the campaign's row", () => {
  it('is written once from the launch, and refused to a second campaign under the same Idempotency-Key', async () => {
    const key = uniqueId('act-key');
    const id = uniqueId('act');
    const definition = { ...CampaignDefinitionSchema.parse(testCampaign(id)), id };
    await acts.recordLaunch({ definition, idempotencyKey: key });
    await h.db.query("UPDATE campaigns SET status = 'running' WHERE id = $1", [definition.id]);
    await acts.recordLaunch({ definition, idempotencyKey: key });
    const { rows } = await h.db.query('SELECT id, status, workflow_id FROM campaigns WHERE idempotency_key = $1', [key]);
    expect(rows).toEqual([{ id: definition.id, status: 'running', workflow_id: campaignWorkflowId(definition.id) }]);

    const err = await acts.recordLaunch({ definition: { ...definition, id: uniqueId('act') }, idempotencyKey: key }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('DuplicateLaunch');
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });
});

describe('list pull', () => {
  it('writes the segment minus invalid, DNC, duplicate numbers and owners of the offer, once', async () => {
    const id = await newCampaign();
    const segment = { regions: ['gd', 'js'], inNetwork: true };
    const first = await acts.pullList({ campaignId: id, segment, offerCode: offer.code });
    const expected = await h.db.query<{ n: string }>(
      `SELECT count(DISTINCT msisdn) AS n FROM customers c
        WHERE region IN ('gd', 'js') AND in_network AND msisdn ~ '^1[3-9][0-9]{9}$' AND NOT dnc
          AND NOT ('vas-video' = ANY(services)) AND msisdn NOT IN (SELECT msisdn FROM dnc_numbers WHERE removed_at IS NULL)`);
    expect(first.listed).toBe(Number(expected.rows[0]!.n));
    expect(first.listed).toBeGreaterThan(100);

    const { rows: [bad] } = await h.db.query<Record<string, string>>(
      `SELECT count(*) FILTER (WHERE c.dnc) AS flagged,
              count(*) FILTER (WHERE d.msisdn IS NOT NULL) AS registered,
              count(*) FILTER (WHERE l.msisdn !~ '^1[3-9][0-9]{9}$') AS invalid,
              count(*) FILTER (WHERE 'vas-video' = ANY(c.services)) AS owners,
              count(*) - count(DISTINCT l.msisdn) AS duplicates
         FROM leads l JOIN customers c ON c.id = l.customer_id LEFT JOIN dnc_numbers d ON d.msisdn = l.msisdn AND d.removed_at IS NULL
        WHERE l.campaign_id = $1`, [id]);
    expect(bad).toEqual({ flagged: '0', registered: '0', invalid: '0', owners: '0', duplicates: '0' });

    const again = await acts.pullList({ campaignId: id, segment, offerCode: offer.code });
    expect(again.listed).toBe(first.listed);
  });
});

describe('the hopper', () => {
  it('claims due leads once per claim id and settles each attempt once', async () => {
    const id = await newCampaign();
    await acts.pullList({ campaignId: id, segment: { maxLeads: 10 }, offerCode: offer.code });
    const a = await acts.claimDueLeads({ campaignId: id, limit: 4, claimId: 'run-1' });
    expect(a.leads).toHaveLength(4);
    expect(a.open).toBeGreaterThan(0);
    const retried = await acts.claimDueLeads({ campaignId: id, limit: 4, claimId: 'run-1' });
    expect(retried.leads).toEqual(a.leads);
    const b = await acts.claimDueLeads({ campaignId: id, limit: 100, claimId: 'run-2' });
    expect(b.leads).toHaveLength(6);
    expect(b.leads.map((l) => l.leadId)).not.toContain(a.leads[0]!.leadId);
    expect(b.nextDueInMs).toBeNull();

    const lead = a.leads[0]!;
    const settle = { leadId: lead.leadId, attemptNo: 1, callId: 'c', disposition: 'busy' as const, step: { kind: 'retry' as const, delaySeconds: 3600 } };
    await acts.settleAttempt(settle);
    await acts.settleAttempt({ ...settle, step: { kind: 'done', result: 'refused' } }); // a repeat changes nothing
    const { rows } = await h.db.query('SELECT state, last_disposition FROM leads WHERE id = $1', [lead.leadId]);
    expect(rows[0]).toEqual({ state: 'pending', last_disposition: 'busy' });
    const c = await acts.claimDueLeads({ campaignId: id, limit: 10, claimId: 'run-3' });
    expect(c.leads).toEqual([]);
    expect(c.nextDueInMs).toBeGreaterThan(3_500_000);

    expect((await acts.releaseLeads({ campaignId: id })).released).toBe(10);
  });
});

describe('calls whose end never came', () => {
  it('asks the dialer: a call it never had is unknown, an ended one gives its outcome, recorded once', async () => {
    const id = await newCampaign();
    await acts.pullList({ campaignId: id, segment: { maxLeads: 1 }, offerCode: offer.code });
    const [lead] = (await acts.claimDueLeads({ campaignId: id, limit: 1, claimId: 'lost' })).leads;
    const callId = `${id}-l${lead!.leadId}-a1`;
    const env = new MockActivityEnvironment();
    const { results } = (await env.run(acts.placeCalls, { campaignId: id, contactCap: { maxCalls: 100, days: 1 }, calls: [{ callId, leadId: lead!.leadId, attemptNo: 1 }] })) as Awaited<ReturnType<Activities["placeCalls"]>>;
    expect(results).toEqual([{ callId, status: 'placed' }]);
    await waitUntil('the dialer to finish the call', async () => (await simGet(`${h.sims.dialerUrl}/calls/${callId}`)).status === 'completed');
    const status = await acts.dialerCallStatus({ callIds: [callId, `${id}-never-placed`] });
    expect(status.unknown).toEqual([`${id}-never-placed`]);
    expect(status.live).toEqual([]);
    expect(status.outcomes.map((o) => o.callId)).toEqual([callId]);
    const { rows } = await h.db.query<{ disposition: string }>('SELECT disposition FROM call_attempts WHERE id = $1', [callId]);
    expect(rows[0]!.disposition).toBe(status.outcomes[0]!.disposition);
  });
});

describe('pacing and callbacks in the claim', () => {
  it('claims no more than the free agents allow, and keeps a promised callback for its agent until the grace period passes', async () => {
    const team = uniqueId('pool');
    await h.db.query(`INSERT INTO teams (code, name) VALUES ($1, $1)`, [team]);
    await configureSim(h.sims.dialerUrl, { agents: { [team]: [`${team}-ann`, `${team}-bob`] } });
    const id = await newCampaign();
    await acts.pullList({ campaignId: id, segment: { maxLeads: 6 }, offerCode: offer.code });
    const pacing = { pacing: { mode: 'progressive' as const, callsPerAgent: 1.5, maxAbandonRate: 0.03, abandonWindowCalls: 100 }, team, maxConcurrentCalls: 10, inFlight: 0 };
    const first = await acts.claimDueLeads({ campaignId: id, limit: 10, claimId: 'p1', pacing, callbackGraceSeconds: 60 });
    expect(first.leads).toHaveLength(2); // two agents free, nothing ringing
    expect(first.pacing).toMatchObject({ mode: 'progressive', ratio: 1, limitedBy: 'free agents', pool: { agents: 2, available: 2, ringing: 0 } });

    // ann promised the first lead a callback, due now; bob the second, due an hour ago
    const [l1, l2] = [first.leads[0]!, first.leads[1]!];
    await h.db.query(`UPDATE leads SET state = 'pending', claim_id = NULL, agent_id = $2, next_attempt_at = now() - interval '1 second' WHERE id = $1`, [l1.leadId, `${team}-ann`]);
    await h.db.query(`UPDATE leads SET state = 'pending', claim_id = NULL, agent_id = $2, next_attempt_at = now() - interval '1 hour' WHERE id = $1`, [l2.leadId, `${team}-bob`]);
    await configureSim(h.sims.dialerUrl, { agents: { [team]: [`${team}-bob`, `${team}-cy`] } }); // ann logged out
    const second = await acts.claimDueLeads({ campaignId: id, limit: 10, claimId: 'p2', pacing, callbackGraceSeconds: 60 });
    const ids = second.leads.map((l) => l.leadId);
    expect(ids).not.toContain(l1.leadId); // ann's, within its grace: waits for ann
    expect(ids).toContain(l2.leadId); // bob's, past its grace: anyone's, put through to nobody in particular
    expect(second.leads.find((l) => l.leadId === l2.leadId)!.agentId).toBeUndefined();
    await configureSim(h.sims.dialerUrl, { agents: { [team]: [] } });
  });
});

describe('the calling window', () => {
  it("claims only leads whose local time is inside the window, and says when the next one opens", async () => {
    const id = await newCampaign();
    await acts.pullList({ campaignId: id, segment: { regions: ['gd', 'xj'], maxLeads: 200 }, offerCode: offer.code });
    // a one-hour window that is open now in Shanghai (UTC+8) and so closed in Urumqi (UTC+6)
    const shanghai = localTime(new Date(), 'Asia/Shanghai').minutes;
    const start = Math.max(0, Math.min(shanghai - 1, 23 * 60));
    const hhmm = (m: number) => (m >= 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    const window = CallingWindowSchema.parse({ start: hhmm(start), end: hhmm(Math.min(start + 60, 1440)) });
    const claim = await acts.claimDueLeads({ campaignId: id, limit: 500, claimId: 'w1', window });
    const { rows } = await h.db.query<{ region: string; state: string; n: string }>(
      'SELECT region, state, count(*) AS n FROM leads WHERE campaign_id = $1 GROUP BY 1, 2 ORDER BY 1, 2', [id]);
    const by = Object.fromEntries(rows.map((r) => [`${r.region}:${r.state}`, Number(r.n)]));
    expect(by['gd:dialing']).toBeGreaterThan(0);
    expect(by['gd:pending'] ?? 0).toBe(0);
    expect(by['xj:dialing'] ?? 0).toBe(0);
    expect(by['xj:pending']).toBeGreaterThan(0);
    expect(claim.leads).toHaveLength(by['gd:dialing']!);
    expect(claim.nextDueInMs).toBeGreaterThan(0);
    const opensAt = nextOpening(window, 'Asia/Urumqi', new Date())!;
    expect(Math.abs(Date.now() + claim.nextDueInMs! - opensAt.getTime())).toBeLessThan(5_000);
  });
});

describe('the contact cap, across campaigns', () => {
  it('blocks the call that would pass the cap and leaves capped customers off new lists', async () => {
    const cap = { maxCalls: 2, days: 30 };
    const customerId = 100041; // a scratch customer (test/global-setup.ts)
    const leadIn = async (campaignId: string) => (await h.db.query<{ id: string }>(
      `INSERT INTO leads (campaign_id, customer_id, msisdn, region) SELECT $1, id, msisdn, region FROM customers WHERE id = $2
       RETURNING id`, [campaignId, customerId])).rows[0]!.id;
    const call = (campaignId: string, leadId: string, n: number) => new MockActivityEnvironment().run(acts.placeCall, {
      callId: `${campaignId}-cap-${n}`, purpose: 'sales' as const, campaignId, leadId: Number(leadId), attemptNo: n, contactCap: cap,
    }).catch((e: unknown) => e);

    const first = await newCampaign();
    const firstLead = await leadIn(first);
    expect(await call(first, firstLead, 1)).toBeInstanceOf(CompleteAsyncError); // placed
    expect(await call(first, firstLead, 2)).toBeInstanceOf(CompleteAsyncError); // placed: 2 of 2

    const second = await newCampaign();
    const outcome = await call(second, await leadIn(second), 1);
    expect(outcome).toMatchObject({ disposition: 'blocked', connected: false });
    const { rows: [row] } = await h.db.query<{ checks: Record<string, unknown> }>('SELECT checks FROM call_attempts WHERE id = $1', [`${second}-cap-1`]);
    expect(row!.checks).toMatchObject({ result: 'blocked', blockedBy: 'contact cap', contactCap: { maxCalls: 2, days: 30, contactsInPeriod: 2 } });
    expect((await fetch(`${h.sims.dialerUrl}/calls/${second}-cap-1`)).status).toBe(404);

    const third = await newCampaign();
    await acts.pullList({ campaignId: third, segment: { regions: ['mo'] }, offerCode: offer.code, contactCap: cap });
    const { rows: listed } = await h.db.query('SELECT 1 FROM leads WHERE campaign_id = $1 AND customer_id = $2', [third, customerId]);
    expect(listed).toEqual([]);
    const { rowCount } = await h.db.query('SELECT 1 FROM leads WHERE campaign_id = $1', [third]);
    expect(rowCount).toBeGreaterThan(0);
  });
});

describe('telephony', () => {
  it('places the call, stores the task token for the webhook, and answers a known outcome itself', async () => {
    const id = await newCampaign();
    await acts.pullList({ campaignId: id, segment: { maxLeads: 1 }, offerCode: offer.code });
    const [lead] = (await acts.claimDueLeads({ campaignId: id, limit: 1, claimId: 'x' })).leads;
    const input = { callId: `${id}-call`, purpose: 'sales' as const, campaignId: id, leadId: lead!.leadId, attemptNo: 1 };
    const env = new MockActivityEnvironment();
    await expect(env.run(acts.placeCall, input)).rejects.toBeInstanceOf(CompleteAsyncError);
    const { rows } = await h.db.query('SELECT task_token IS NOT NULL AS has_token FROM call_attempts WHERE id = $1', [input.callId]);
    expect(rows[0].has_token).toBe(true);
    const call = await simGet(`${h.sims.dialerUrl}/calls/${input.callId}`);
    expect(call.purpose).toBe('sales');

    await h.db.query(`UPDATE call_attempts SET disposition = 'busy', connected = false WHERE id = $1`, [input.callId]);
    const outcome = await new MockActivityEnvironment().run(acts.placeCall, input);
    expect(outcome).toMatchObject({ callId: input.callId, disposition: 'busy', connected: false });
  });
});

describe('orders, courier and BSS', () => {
  let orderId: string;
  beforeAll(async () => {
    const id = await newCampaign();
    await acts.pullList({ campaignId: id, segment: { maxLeads: 1, regions: ['zj'] }, offerCode: offer.code });
    const [lead] = (await acts.claimDueLeads({ campaignId: id, limit: 1, claimId: 'x' })).leads;
    const policy = OrderPolicySchema.parse({ followUpDelaySeconds: 3600, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0 });
    const a = await acts.startOrder({ campaignId: id, leadId: lead!.leadId, offer, policy });
    const b = await acts.startOrder({ campaignId: id, leadId: lead!.leadId, offer, policy });
    expect(b).toEqual(a);
    orderId = a.orderId;
    expect(orderId).toBe(orderIdFor(id, lead!.leadId));
  });

  it('starts one order row and one workflow however often it is asked', async () => {
    const { rows } = await h.db.query('SELECT count(*)::int AS n FROM orders WHERE id = $1', [orderId]);
    expect(rows[0].n).toBe(1);
    const desc = await h.client.workflow.getHandle(`order-${orderId}`).describe();
    expect(desc.typedSearchAttributes.get({ name: 'Region', type: 'KEYWORD' } as never)).toBe('zj');
  });

  it('books a delivery idempotently', async () => {
    const first = await acts.bookDelivery({ orderId, attempt: 7 });
    const again = await acts.bookDelivery({ orderId, attempt: 7 });
    expect(again.deliveryId).toBe(first.deliveryId);
    const stats = await simGet(`${h.sims.courierUrl}/deliveries/${first.deliveryId}`);
    expect(stats.orderId).toBe(orderId);
  });

  it('activates once per order id, and a refusal is final', async () => {
    const a = await acts.activateService({ orderId, serviceCode: offer.code });
    const b = await acts.activateService({ orderId, serviceCode: offer.code });
    expect(b).toEqual(a);
    expect((await simGet(`${h.sims.bssUrl}/activations/${orderId}`)).count).toBe(1);

    await configureSim(h.sims.bssUrl, { refuseLastDigits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    try {
      const err = await acts.activateService({ orderId: `${orderId}`, serviceCode: 'other-code' }).catch((e: unknown) => e);
      // same key with a different body is refused by the BSS as a reused key: also final
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).nonRetryable).toBe(true);
    } finally {
      await configureSim(h.sims.bssUrl, { refuseLastDigits: [] });
    }
  });

  it('treats a BSS outage as a fault to retry, not a refusal', async () => {
    await configureSim(h.sims.bssUrl, { faults: { errorRate: 1 } });
    try {
      const err = await acts.activateService({ orderId, serviceCode: offer.code }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ApplicationFailure);
      expect(String(err)).toMatch(/503/);
    } finally {
      await configureSim(h.sims.bssUrl, { faults: { errorRate: 0 } });
    }
  });
});

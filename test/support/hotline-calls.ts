import { expect } from 'vitest';
import type { ManualClock } from '../../sim/index';
import { interactionQuery, interactionWorkflowId, type InteractionView } from '../../workflows/hotline/messages';
import { waitUntil, type Harness } from './harness';
import { signedWebhook } from './webhooks';
import { call } from './sim-http';

/**
 * Inbound calls in tests (docs/hotline.md): the dialer sim's hotline runs by a ManualClock the test
 * moves (ring 2 s, talk 60 s, wrap-up 10 s, all fixed), its webhooks reach the harness's API in real
 * time; or the test posts the dialer's webhooks itself, signed with the dialer's secret.
 */

export const fixed = (sec: number) => ({ kind: 'fixed' as const, sec });
export const RING_MS = 2_000;
export const TALK_MS = 60_000;
export const WRAP_UP_MS = 10_000;

/** One JSON request to the dialer sim. */
export const simCall = (h: Harness, method: string, path: string, body?: unknown) => call(method, `${h.sims.dialerUrl}${path}`, body);

/** The dialer's hotline and self-service channels pointed at the harness's API, with fixed times. */
export async function configureHotlineSim(h: Harness): Promise<void> {
  const res = await simCall(h, 'PUT', '/config', {
    inbound: {
      callbackUrl: `${h.apiUrl}/webhooks/dialer/inbound`, agentRing: fixed(RING_MS / 1000), wrapUp: fixed(WRAP_UP_MS / 1000), patience: fixed(300),
      reasons: { 'bill-query': { weight: 1, talk: fixed(TALK_MS / 1000) } },
    },
    selfService: { enabled: true, apiUrl: h.apiUrl },
  });
  expect(res.status).toBe(200);
}

/** The customer calls the hotline and is put through to the agent (ready in team hotline): the call rings now. */
export async function ring(h: Harness, customerId: number, agentId: string, callId: string): Promise<void> {
  const { rows: [c] } = await h.db.query<{ msisdn: string }>('SELECT msisdn FROM customers WHERE id = $1', [customerId]);
  expect((await simCall(h, 'POST', '/inbound/directory', { customers: [{ customerId, msisdn: c!.msisdn }] })).status).toBe(200);
  expect((await simCall(h, 'PUT', `/inbound/agents/${agentId}`, { team: 'hotline', state: 'ready' })).status).toBe(200);
  expect((await simCall(h, 'POST', '/inbound/calls', { callId, ani: c!.msisdn, reason: 'bill-query' })).body).toMatchObject({ status: 'ringing' });
}

export interface InteractionRecord {
  id: string;
  status: string;
  customer_id: string;
  agent_id: string | null;
  [column: string]: unknown;
}

export const interactionOfCall = async (h: Harness, callId: string): Promise<InteractionRecord | undefined> =>
  (await h.db.query<InteractionRecord>('SELECT * FROM hotline_interactions WHERE call_id = $1', [callId])).rows[0];

/** Waits for the call's interaction to reach `status`. */
export const callReaches = (h: Harness, callId: string, status: string) =>
  waitUntil(`call ${callId} ${status}`, async () => {
    const row = await interactionOfCall(h, callId);
    return row?.status === status ? row : undefined;
  }, { timeoutMs: 20_000, intervalMs: 50 });

/** A call put through and answered: its interaction. */
export async function answeredCall(h: Harness, clock: ManualClock, customerId: number, agentId: string, callId: string): Promise<InteractionRecord> {
  await ring(h, customerId, agentId, callId);
  await callReaches(h, callId, 'queued');
  clock.advance(RING_MS);
  return callReaches(h, callId, 'open');
}

export const interactionHandle = (h: Harness, interactionId: string | number) => h.client.workflow.getHandle(interactionWorkflowId(interactionId));

/** The interaction workflow's view once it satisfies `check`. */
export const interactionView = (h: Harness, interactionId: string | number, check: (v: InteractionView) => boolean = () => true) =>
  waitUntil(`interaction ${interactionId}'s workflow`, async () => {
    const v = await interactionHandle(h, interactionId).query(interactionQuery);
    return check(v) ? v : undefined;
  }, { timeoutMs: 20_000, intervalMs: 100 });

/** A webhook of the dialer's inbound side, as the dialer signs it. */
export const inboundWebhook = (h: Harness, body: unknown, secret = h.webhookSecrets.dialer[0]!) =>
  h.app.inject(signedWebhook(secret, '/webhooks/dialer/inbound', body));

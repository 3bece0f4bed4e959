import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../infra/privacy/payload-codec';
import { payloadKeys } from '../../infra/privacy/payload-keys';
import { progressQuery } from '../../workflows/campaign/messages';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { api, configureSim, launch, staffTeam, testCampaign } from '../support/campaigns';
import { DELIVER, EVERY_CALL_ACCEPTED, WRONG_ADDRESS, waitOrderView } from '../support/orders';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

const text = new TextDecoder();

/** Every payload of a history (as stored: encrypted or not) and every plain string outside them, with where it sits. */
function walk(node: unknown, path: string[], payloads: { payload: Payload; path: string }[], strings: string[]): void {
  if (typeof node === 'string') { strings.push(node); return; }
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
  const o = node as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object)) {
    payloads.push({ payload: o as Payload, path: path.join('.') });
    return;
  }
  for (const [k, v] of Object.entries(o)) walk(v, [...path, k], payloads, strings);
}

/**
 * No personal data in Temporal (issue 13): a campaign, a preview call, orders with a delivery to a
 * corrected address, activations and follow-ups run end to end; then every history of the task
 * queue is fetched and read whole. Every payload but search attributes must be encrypted, and
 * neither the decrypted payloads nor anything else in a history may hold a customer's number,
 * name or address.
 */
describe('personal data in Temporal histories', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ sims: { ...EVERY_CALL_ACCEPTED, courier: WRONG_ADDRESS } }); });
  afterAll(async () => { await h?.close(); });

  it('no history holds a number, a name or an address, and every payload is encrypted', async () => {
    const id = uniqueId('pii');
    await launch(h, testCampaign(id, { segment: { maxLeads: 3, regions: ['gd'] } }));
    const orderIds = await waitUntil('three orders', async () => {
      const { rows } = await h.db.query<{ id: string }>('SELECT id FROM orders WHERE campaign_id = $1 ORDER BY id', [id]);
      return rows.length === 3 ? rows.map((r) => r.id) : undefined;
    });
    // Every first delivery fails on the address: a scheduler gives a new one, which is then delivered.
    const corrected = `No. 88 Privacy Lane ${uniqueId('flat')}, Guangzhou`;
    for (const orderId of orderIds) await waitOrderView(h, orderId, 'held', (v) => v.status === 'held');
    await configureSim(h.sims.courierUrl, DELIVER);
    for (const orderId of orderIds) {
      expect((await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: corrected, region: 'gd' })).status).toBe(200);
    }
    for (const orderId of orderIds) await waitOrderView(h, orderId, 'done', (v) => v.stage === 'done');
    expect((await h.db.query('SELECT DISTINCT address FROM deliveries WHERE order_id = ANY($1) AND attempt = 2', [orderIds])).rows)
      .toEqual([{ address: corrected }]);

    // A preview lead too: the agent sees a masked number, which the API adds from Postgres.
    const team = uniqueId('pii-team');
    await staffTeam(h, team, [`${team}-a1`], { dialer: false });
    const preview = uniqueId('pii-prev');
    await launch(h, testCampaign(preview, { team, segment: { maxLeads: 1 }, pacing: { mode: 'preview' } }));
    await waitUntil('running', async () =>
      (await h.client.workflow.getHandle(campaignWorkflowId(preview)).query(progressQuery)).status === 'running' || undefined);
    const lead = await api(h, 'POST', `/campaigns/${preview}/next-lead`, {}, { authorization: `Bearer ${h.token('agent', `${team}-a1`)}` });
    expect(lead.status).toBe(200);
    expect(lead.body.msisdn).toMatch(/^\d{3}\*{4}\d{4}$/);

    // What must never be in a history: the numbers, names and addresses of every customer involved.
    const { rows: people } = await h.db.query<{ msisdn: string; name: string; address: string }>(
      `SELECT c.msisdn, c.name, c.address FROM customers c
        WHERE c.id IN (SELECT customer_id FROM leads WHERE campaign_id = ANY($1))`, [[id, preview]]);
    const secrets = [...new Set([...people.flatMap((p) => [p.msisdn, p.name, p.address]), corrected])];
    expect(people.length).toBe(4);

    const codec = new AesGcmPayloadCodec(payloadKeys(inject('payloadKeys')));
    const runs: { workflowId: string; runId: string }[] = [];
    for await (const wf of h.client.workflow.list({ query: `TaskQueue = "${h.taskQueue}"` })) runs.push({ workflowId: wf.workflowId, runId: wf.runId });
    expect(runs.length).toBeGreaterThanOrEqual(5); // two campaigns, three orders
    let payloadCount = 0;
    for (const run of runs) {
      const history = await h.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const payloads: { payload: Payload; path: string }[] = [];
      const strings: string[] = [];
      walk(history, [], payloads, strings);
      const readable: string[] = [...strings];
      for (const { payload, path } of payloads) {
        const encoding = text.decode(payload.metadata!.encoding!);
        // In clear by design, read and checked like the rest: search attributes (the server indexes
        // them; ids only) and patch markers (the SDK's own, a patch's name).
        if (/searchAttributes|markerRecordedEventAttributes\.details\.patch-data/.test(path)) {
          readable.push(text.decode(payload.data ?? new Uint8Array()));
          continue;
        }
        expect(encoding, `${run.workflowId}: ${path}`).toBe(ENCRYPTED_ENCODING);
        const [plain] = await codec.decode([payload]);
        readable.push(text.decode(plain!.data ?? new Uint8Array()));
        payloadCount++;
      }
      const all = readable.join('\n');
      for (const secret of secrets) expect(all.includes(secret), `${run.workflowId} holds '${secret}'`).toBe(false);
    }
    expect(payloadCount).toBeGreaterThan(50);
  });
});

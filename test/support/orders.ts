import { orderWorkflowId } from '../../domain/order/ids';
import { orderQuery, type OrderView } from '../../workflows/order/messages';
import { launch, testCampaign } from './campaigns';
import { uniqueId, waitUntil, type Harness } from './harness';

/** One accepted lead in Guangdong (warehouse wh-south, courier sf) selling this offer: its order's id. */
export async function oneCampaignOrder(h: Harness, prefix: string, offer: object = { ships: [] }, orders: object = {}): Promise<string> {
  const id = uniqueId(prefix);
  await launch(h, testCampaign(id, {
    segment: { maxLeads: 1, regions: ['gd'] },
    offer: { code: 'handset-bundle', name: 'Handset bundle', price: 128, ...offer },
    orders: { followUpDelaySeconds: 1, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0, ...orders },
  }));
  return waitUntil('the order', async () => {
    const { rows } = await h.db.query<{ id: string }>('SELECT id FROM orders WHERE campaign_id = $1', [id]);
    return rows[0]?.id;
  });
}

/** The order workflow's own view (its query). */
export const orderView = (h: Harness, orderId: string): Promise<OrderView> =>
  h.client.workflow.getHandle(orderWorkflowId(orderId)).query(orderQuery);

/** Waits until the order's view satisfies `ok`, and answers it. */
export const waitOrderView = (h: Harness, orderId: string, what: string, ok: (v: OrderView) => boolean) =>
  waitUntil(`order ${orderId}: ${what}`, async () => { const v = await orderView(h, orderId); return ok(v) ? v : undefined; }, { timeoutMs: 30_000 });

/** The reasons of the order's recorded state changes, oldest first (not the changes of what it waits for alone). */
export const orderHistory = async (h: Harness, orderId: string) =>
  (await h.db.query<{ reason: string }>(`SELECT reason FROM order_events WHERE order_id = $1 AND kind = 'move' ORDER BY id`, [orderId])).rows.map((r) => r.reason);

/** Sim settings the order tests share: every sales call accepted, every delivery made or every address wrong. */
export const EVERY_CALL_ACCEPTED = { dialer: { mix: { 'no-answer': 0, busy: 0, 'wrong-number': 0, refused: 0, 'callback-requested': 0, accepted: 1 } } };
export const DELIVER = { mix: { delivered: 1, 'customer-absent': 0, 'wrong-address': 0, refused: 0, 'courier-lost': 0 } };
export const WRONG_ADDRESS = { mix: { delivered: 0, 'customer-absent': 0, 'wrong-address': 1, refused: 0, 'courier-lost': 0 } };

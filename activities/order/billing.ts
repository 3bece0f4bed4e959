import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../infra/db';
import { describeResponse, postJson } from '../http-json';

/**
 * The BSS adapter. The order id is the idempotency key, so a retry after a timeout (when the BSS
 * may well have activated) answers the first activation instead of making a second one. A business
 * refusal (4xx) is final and not retried; faults (5xx, timeouts, network) are retried by policy.
 */
export function createBillingActivities(deps: { db: Db; bssUrl: string; timeoutMs: number }) {
  const { db } = deps;
  return {
    async activateService(input: { orderId: string; serviceCode: string }): Promise<{
      activationId: string;
      activatedAt: string;
    }> {
      const { rows } = await db.query<{ msisdn: string }>(
        'SELECT c.msisdn FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1',
        [input.orderId],
      );
      if (!rows[0]) throw ApplicationFailure.nonRetryable(`order ${input.orderId} not found`, 'UnknownOrder');
      const res = await postJson(
        `${deps.bssUrl}/activations`,
        { orderId: input.orderId, msisdn: rows[0].msisdn, serviceCode: input.serviceCode },
        { headers: { 'idempotency-key': input.orderId }, timeoutMs: deps.timeoutMs },
      );
      if (res.status >= 500 || res.status === 429) throw new Error(describeResponse('BSS', res));
      if (res.status >= 400) {
        const reason = (res.body as { error?: string })?.error ?? 'refused';
        throw ApplicationFailure.nonRetryable(describeResponse('BSS', res), 'ActivationRefused', { reason });
      }
      const body = res.body as { activationId: string; activatedAt: string };
      return { activationId: body.activationId, activatedAt: body.activatedAt };
    },

    /**
     * Compensation: ends a service the order activated. Keyed '<order>-deactivate', so a retry
     * (or a second cancel) deactivates nothing more; an activation the BSS does not know is done.
     */
    async deactivateService(input: { orderId: string; activationId: string }): Promise<{ deactivated: boolean }> {
      const res = await postJson(
        `${deps.bssUrl}/deactivations`,
        { activationId: input.activationId },
        { headers: { 'idempotency-key': `${input.orderId}-deactivate` }, timeoutMs: deps.timeoutMs },
      );
      if (res.status === 404) return { deactivated: false };
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        throw ApplicationFailure.nonRetryable(describeResponse('BSS', res), 'DeactivationRefused');
      }
      if (res.status >= 400) throw new Error(describeResponse('BSS', res));
      return { deactivated: true };
    },
  };
}

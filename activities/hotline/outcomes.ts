import { createHash } from 'node:crypto';
import type { Actor } from '../../domain/access/roles';
import { OrderPolicySchema } from '../../domain/campaign/campaign';
import { interactionRefusal, takesOver } from '../../domain/hotline/access';
import { takeOverCall } from '../../db/hotline/interactions-sql';
import { outcomeVerdict, type NewOutcome } from '../../domain/hotline/outcomes';
import type { SelfServiceChannel } from '../../domain/hotline/words';
import { inTransaction } from '../../infra/db';
import { recommendation, recordOutcome, recordedOutcomes, type OutcomeRow, type RecommendationRow } from '../../db/hotline/outcomes-sql';
import { openReferral, type ReferralRow } from '../../db/hotline/referrals-sql';
import { startWrittenOrder, writeOrder, type NewOrder, type OrderDeps, type WrittenOrder } from '../order/create';
import { apiOrderId } from '../../domain/order/ids';
import { followReferral } from './interactions';

/**
 * An outcome of a recommendation, fed back: recorded once per recommendation and outcome, counted
 * in the propensities in the same transaction. Accepted writes the order in that transaction too
 * (createOrder's parts: the row, then the workflow after the commit), channel 'hotline' on a call
 * (a self-service channel's own name otherwise),
 * the agent as its seller (orders.agent_id: the reports' and, with a staff record, sales points').
 * A referral opens, in the same transaction, the wait for the customer's order in its channel,
 * which the interaction's workflow follows (it is told once the outcome is recorded, and again
 * on a repeat while the referral is open: a crash in between loses nothing).
 */

export type OutcomeAnswer =
  | { kind: 'recorded'; created: boolean; outcome: OutcomeRow }
  | { kind: 'not-found' | 'forbidden' | 'conflict'; message: string }
  | { kind: 'rule'; path: string; message: string };

/**
 * The order a recommendation accepted makes: one per recommendation, keyed by it. The ':' is one
 * no Idempotency-Key of POST /orders may hold, so no caller can take the order's id first (an
 * order `api-hotline:r<id>` is only ever the recommendation's).
 */
export const hotlineOrderKey = (recommendationId: number): string => `hotline:r${recommendationId}`;

/** The customer is gone (erased since the recommendation): the outcome is not recorded either. */
class NoOrder extends Error {}

/** The order an accepted recommendation makes, as POST /orders would make it under the key: channel 'hotline' on a call. */
function hotlineOrder(rec: RecommendationRow, recommendationId: number, agentId: string | null): NewOrder {
  const key = hotlineOrderKey(recommendationId);
  const channel = rec.channel === 'call' ? 'hotline' : rec.channel;
  return {
    orderId: apiOrderId(key), channel, customerId: Number(rec.customer_id), offer: rec.offer, policy: OrderPolicySchema.parse({}),
    ...(rec.campaign_id ? { campaignId: rec.campaign_id } : {}), ...(agentId ? { agentId } : {}),
    idempotencyKey: key,
    requestHash: createHash('sha256').update(JSON.stringify({ recommendationId, offer: rec.offer, campaignId: rec.campaign_id })).digest('hex'),
    reason: `order taken ${channel === 'hotline' ? 'on the hotline' : `in the ${channel} channel`} (recommendation ${recommendationId} accepted)`,
  };
}

export async function reportOutcome(
  deps: OrderDeps, input: { interactionId: number; recommendationId: number; next: NewOutcome; actor: Actor },
): Promise<OutcomeAnswer> {
  const { interactionId, recommendationId, next, actor } = input;
  const rec = await recommendation(deps.db, interactionId, recommendationId);
  if (!rec) return { kind: 'not-found', message: `recommendation ${recommendationId} of interaction ${interactionId} not found` };
  const refusal = interactionRefusal(actor, { id: interactionId, channel: rec.channel, agentId: rec.agent_id });
  if (refusal) return { kind: 'forbidden', message: refusal };
  if (takesOver(actor, { channel: rec.channel, agentId: rec.agent_id })) {
    const agent = await takeOverCall(deps.db, interactionId, actor.sub);
    if (agent !== actor.sub) return { kind: 'forbidden', message: `interaction ${interactionId} is agent ${agent}'s` };
  }
  // Checked before an order is started; checked again under the lock when it is recorded.
  const verdict = outcomeVerdict(recordedOutcomes(rec), next, { completion: rec.completion, channel: rec.channel });
  if (verdict.kind === 'conflict') return { kind: 'conflict', message: verdict.message };
  if (verdict.kind === 'rule') return verdict;
  const agentId = actor.role === 'agent' ? actor.sub : rec.agent_id;
  // Accepted: the order is written with the outcome that names it, in one transaction under the
  // recommendation's lock (a decision recorded meanwhile leaves no order behind); its workflow
  // starts after the commit, and again on a repeat (the start is idempotent).
  const order: NewOrder | undefined = next.outcome === 'accepted' ? hotlineOrder(rec, recommendationId, agentId) : undefined;
  let recorded;
  try {
    recorded = await inTransaction(deps.db, async (tx) => {
      const r = await recordOutcome(tx, interactionId, recommendationId, { ...next, orderId: order?.orderId ?? null, agentId, recordedBy: `${actor.sub} (${actor.role})` });
      const decided = r && (r.verdict.kind === 'new' || r.verdict.kind === 'repeat');
      let written: WrittenOrder | undefined;
      let toStart = order;
      if (decided && order) {
        // A repeat: the order the acceptance named when it was recorded (one from before the key's ':' keeps its own id).
        const named = r.verdict.kind === 'repeat' ? (r as { outcome: OutcomeRow }).outcome.order_id : null;
        if (named && named !== order.orderId) toStart = { ...order, orderId: named, idempotencyKey: undefined, requestHash: undefined };
        written = await writeOrder(tx, deps.operatorTimeZone, toStart!);
        if (!written.row || written.row.id !== toStart!.orderId) throw new NoOrder(`customer ${rec.customer_id} not found`);
      }
      let referral: ReferralRow | undefined;
      if (decided && next.outcome === 'referred') {
        const outcome = (r as { outcome: OutcomeRow }).outcome;
        referral = await openReferral(tx, {
          recommendationId, interactionId, customerId: Number(rec.customer_id), offerCode: rec.offer_code,
          channel: next.referredChannel as SelfServiceChannel, agentId: outcome.agent_id,
        });
      }
      return r && { ...r, referral, written, toStart };
    });
  } catch (err) {
    if (err instanceof NoOrder) return { kind: 'conflict', message: `no order could be started: ${err.message}` };
    throw err;
  }
  if (!recorded) return { kind: 'not-found', message: `recommendation ${recommendationId} of interaction ${interactionId} not found` };
  if (recorded.verdict.kind === 'conflict') return { kind: 'conflict', message: recorded.verdict.message };
  if (recorded.verdict.kind === 'rule') return recorded.verdict;
  if (recorded.toStart && recorded.written) {
    const started = await startWrittenOrder(deps, recorded.toStart, recorded.written);
    if (started.kind !== 'created') return { kind: 'conflict', message: `no order could be started: ${'message' in started ? started.message : ''}` };
  }
  if (recorded.referral?.status === 'open') await followReferral(deps.client, deps.taskQueue, recorded.referral);
  return { kind: 'recorded', created: recorded.verdict.kind === 'new', outcome: (recorded as { outcome: OutcomeRow }).outcome };
}

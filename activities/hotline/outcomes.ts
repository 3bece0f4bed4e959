import type { Actor } from '../../domain/access/roles';
import { OrderPolicySchema } from '../../domain/campaign/campaign';
import { interactionRefusal } from '../../domain/hotline/access';
import { outcomeVerdict, type NewOutcome } from '../../domain/hotline/outcomes';
import type { SelfServiceChannel } from '../../domain/hotline/words';
import { inTransaction } from '../../infra/db';
import { recommendation, recordOutcome, recordedOutcomes, type OutcomeRow } from '../../db/hotline/outcomes-sql';
import { openReferral, type ReferralRow } from '../../db/hotline/referrals-sql';
import { createChannelOrder, type OrderDeps } from '../order/create';
import { followReferral } from './interactions';

/**
 * An outcome of a recommendation, fed back: recorded once per recommendation and outcome, counted
 * in the propensities in the same transaction. Accepted starts the order the way POST /orders does
 * (createChannelOrder), channel 'hotline' on a call (a self-service channel's own name otherwise),
 * the agent as its seller (orders.agent_id: the reports' and, with a staff record, sales points').
 * A referral opens, in the same transaction, the wait for the customer's order in its channel,
 * which the interaction's workflow follows (it is told once the outcome is recorded, and again
 * on a repeat while the referral is open: a crash in between loses nothing).
 */

export type OutcomeAnswer =
  | { kind: 'recorded'; created: boolean; outcome: OutcomeRow }
  | { kind: 'not-found' | 'forbidden' | 'conflict'; message: string }
  | { kind: 'rule'; path: string; message: string };

/** The order a recommendation accepted makes: one per recommendation, keyed by it. */
export const hotlineOrderKey = (recommendationId: number): string => `hotline-r${recommendationId}`;

export async function reportOutcome(
  deps: OrderDeps, input: { interactionId: number; recommendationId: number; next: NewOutcome; actor: Actor },
): Promise<OutcomeAnswer> {
  const { interactionId, recommendationId, next, actor } = input;
  const rec = await recommendation(deps.db, interactionId, recommendationId);
  if (!rec) return { kind: 'not-found', message: `recommendation ${recommendationId} of interaction ${interactionId} not found` };
  const refusal = interactionRefusal(actor, { id: interactionId, channel: rec.channel, agentId: rec.agent_id });
  if (refusal) return { kind: 'forbidden', message: refusal };
  // Checked before an order is started; checked again under the lock when it is recorded.
  const verdict = outcomeVerdict(recordedOutcomes(rec), next, { completion: rec.completion, channel: rec.channel });
  if (verdict.kind === 'conflict') return { kind: 'conflict', message: verdict.message };
  if (verdict.kind === 'rule') return verdict;
  const agentId = actor.role === 'agent' ? actor.sub : rec.agent_id;
  let orderId: string | null = null;
  if (next.outcome === 'accepted') {
    // A repeat starts nothing new: the key names the order, and createChannelOrder finds it.
    const made = await createChannelOrder(deps, {
      key: hotlineOrderKey(recommendationId), customerId: Number(rec.customer_id), offer: rec.offer, policy: OrderPolicySchema.parse({}),
      channel: rec.channel === 'call' ? 'hotline' : rec.channel, ...(rec.campaign_id ? { campaignId: rec.campaign_id } : {}),
      ...(agentId ? { agentId } : {}), request: { recommendationId, offer: rec.offer, campaignId: rec.campaign_id },
    });
    if (made.kind !== 'created') return { kind: 'conflict', message: `no order could be started: ${made.message}` };
    orderId = made.orderId;
  }
  const recorded = await inTransaction(deps.db, async (tx) => {
    const r = await recordOutcome(tx, interactionId, recommendationId, { ...next, orderId, agentId, recordedBy: `${actor.sub} (${actor.role})` });
    let referral: ReferralRow | undefined;
    if (r && (r.verdict.kind === 'new' || r.verdict.kind === 'repeat') && next.outcome === 'referred') {
      const outcome = (r as { outcome: OutcomeRow }).outcome;
      referral = await openReferral(tx, {
        recommendationId, interactionId, customerId: Number(rec.customer_id), offerCode: rec.offer_code,
        channel: next.referredChannel as SelfServiceChannel, agentId: outcome.agent_id,
      });
    }
    return r && { ...r, referral };
  });
  if (!recorded) return { kind: 'not-found', message: `recommendation ${recommendationId} of interaction ${interactionId} not found` };
  if (recorded.verdict.kind === 'conflict') return { kind: 'conflict', message: recorded.verdict.message };
  if (recorded.verdict.kind === 'rule') return recorded.verdict;
  if (recorded.referral?.status === 'open') await followReferral(deps.client, deps.taskQueue, recorded.referral);
  return { kind: 'recorded', created: recorded.verdict.kind === 'new', outcome: (recorded as { outcome: OutcomeRow }).outcome };
}

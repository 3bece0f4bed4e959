import { z } from 'zod';
import { maskMsisdn } from '../../domain/compliance/masking';
import type { RecommendationsAnswer, RecommendationView } from '../../activities/hotline/recommendations';
import type { InteractionRow } from '../../db/hotline/interactions-sql';
import type { OutcomeRow } from '../../db/hotline/outcomes-sql';

/** What the hotline's routes answer, and how rows become it. Numbers are masked, as everywhere a person reads them. */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const Customer = z.object({
  id: z.number(), msisdn: z.string().describe('masked'), region: z.string(), plan: z.string(),
  brand: z.string().nullable().describe("the plan's brand (GET /hotline/brands); none for a prospect"),
});

export const Interaction = z.object({
  id: z.number(), callId: z.string().nullable(), channel: z.string(), customer: Customer, reason: z.string().nullable(), team: z.string().nullable(),
  agentId: z.string().nullable(), status: z.string(), startedAt: z.string(), answeredAt: z.string().nullable(), endedAt: z.string().nullable(),
});

export const toInteraction = (r: InteractionRow): z.infer<typeof Interaction> => ({
  id: Number(r.id), callId: r.call_id, channel: r.channel,
  customer: { id: Number(r.customer_id), msisdn: maskMsisdn(r.msisdn), region: r.region, plan: r.plan, brand: r.brand },
  reason: r.reason, team: r.team, agentId: r.agent_id, status: r.status, startedAt: r.started_at.toISOString(),
  answeredAt: iso(r.answered_at), endedAt: iso(r.ended_at),
});

export const Outcome = z.object({
  recommendationId: z.number(), outcome: z.string(), referredChannel: z.string().nullable(),
  orderId: z.string().nullable().describe('the order an acceptance started'), agentId: z.string().nullable(), recordedBy: z.string(), at: z.string(),
});

export const toOutcome = (recommendationId: number, o: OutcomeRow): z.infer<typeof Outcome> => ({
  recommendationId, outcome: o.outcome, referredChannel: o.referred_channel, orderId: o.order_id, agentId: o.agent_id, recordedBy: o.recorded_by,
  at: o.at.toISOString(),
});

const Recommendation = z.object({
  id: z.number().describe('what an outcome names'), rank: z.number(),
  offer: z.object({ code: z.string(), name: z.string(), price: z.number() }),
  kind: z.enum(['service', 'cross-sell', 'precision', 'active']).describe('the kind of hotline marketing (seed 003)'),
  reason: z.string().describe('why this offer, in words'),
  priority: z.number().describe('propensity × value × lever'), propensity: z.number(), value: z.number(), lever: z.number(),
  campaignId: z.string().nullable().describe('the running campaign whose list brought it (precision marketing)'),
  script: z.object({ brand: z.string().nullable(), version: z.number().nullable(), body: z.string() }).nullable()
    .describe("the script for the customer's brand (or every brand's), from the library; a campaign's own when it brought an offer the library lacks"),
  completion: z.object({ onTheCall: z.boolean(), channels: z.array(z.string()) }).describe('how the customer can complete it: on the call, or the self-service channels'),
  outcomes: z.array(z.object({ outcome: z.string(), referredChannel: z.string().nullable(), orderId: z.string().nullable(), agentId: z.string().nullable(), at: z.string() })),
});

export const Recommendations = z.object({
  interaction: z.object({ id: z.number(), channel: z.string(), reason: z.string().nullable(), status: z.string() }),
  customer: Customer,
  recommendations: z.array(Recommendation).describe('up to three, best first'),
  notOffered: z.array(z.object({ offerCode: z.string(), why: z.string() })).describe('the offers left out, and why (on the answer that decided; empty on a repeat)'),
  capped: z.string().nullable().describe('set when the contact policy\'s weekly cap held offers back'),
  fresh: z.boolean().describe('decided by this request (false: the recommendations already made in the interaction)'),
});

const toRecommendation = (r: RecommendationView): z.infer<typeof Recommendation> => ({
  id: r.id, rank: r.rank, offer: { code: r.offer.code, name: r.offer.name, price: r.offer.price }, kind: r.kind, reason: r.reason,
  priority: r.priority, propensity: r.propensity, value: r.value, lever: r.lever, campaignId: r.campaignId, script: r.script,
  completion: { onTheCall: r.completion.includes('call'), channels: r.completion }, outcomes: r.outcomes,
});

export const toRecommendations = (a: RecommendationsAnswer): z.infer<typeof Recommendations> => ({
  interaction: { id: Number(a.facts.id), channel: a.facts.channel, reason: a.facts.reason, status: a.facts.status },
  customer: { id: Number(a.facts.customer_id), msisdn: maskMsisdn(a.facts.msisdn), region: a.facts.region, plan: a.facts.plan, brand: a.facts.brand },
  recommendations: a.recommendations.map(toRecommendation), notOffered: a.notOffered, capped: a.capped, fresh: a.fresh,
});

import { z } from 'zod';
import { InboundConfigSchema, SelfServiceConfigSchema } from './hotline/contract';
import { RangeMsSchema, RateSchema, SeedSchema, WebhookFaultsSchema } from './service';

// The dialer's contract (sim/README.md): its config, the requests it takes and the webhooks it sends,
// outbound here, inbound (the hotline) and the self-service channels in sim/hotline/contract.ts.

export * from './hotline/contract';

/** The dialer's faults: the shared ones, and two more that apply to all its webhooks, outbound and inbound. */
export const DialerFaultsSchema = WebhookFaultsSchema.extend({
  /** Share of webhook messages never sent (lost on the way); counted in `webhooksDropped`. */
  dropWebhookRate: RateSchema.default(0),
  /** Each message waits a time drawn from this range before its first attempt: late, possibly out of order. */
  webhookDelayMs: RangeMsSchema.default({ min: 0, max: 0 }),
});

export const DISPOSITIONS = ['no-answer', 'busy', 'wrong-number', 'refused', 'callback-requested', 'accepted', 'abandoned'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Only these mean a person actually picked up. */
export const CONNECTED: ReadonlySet<Disposition> = new Set(['refused', 'callback-requested', 'accepted']);

const weight = (fallback: number) => z.number().min(0).default(fallback);

/** Outcomes the mix can draw; 'abandoned' only happens when a team's agents are all busy. */
export const MIX_DISPOSITIONS = ['no-answer', 'busy', 'wrong-number', 'refused', 'callback-requested', 'accepted'] as const;

const SalesMixSchema = z
  .strictObject({
    'no-answer': weight(0.25),
    busy: weight(0.1),
    'wrong-number': weight(0.05),
    refused: weight(0.25),
    'callback-requested': weight(0.05),
    accepted: weight(0.3),
  })
  .refine((mix) => Object.values(mix).some((w) => w > 0), { message: 'at least one weight must be positive' });

export const DialerConfigSchema = z.strictObject({
  seed: SeedSchema.default(42),
  /** Real time between placing a call and its outcome webhook. */
  ringMs: RangeMsSchema.default({ min: 50, max: 300 }),
  /** Outcome weights for sales calls; missing keys keep their default. */
  mix: SalesMixSchema.prefault({}),
  /** Share of follow-up (survey) calls that reach the customer. */
  followupReachRate: RateSchema.default(0.8),
  /** Share of reached follow-ups where the customer files a complaint. */
  complaintRate: RateSchema.default(0.05),
  /** Share of reached follow-ups (without a complaint) where the customer buys the offer made on the call. */
  resaleRate: RateSchema.default(0),
  /** callbackAt = end of call + this, for callback-requested. */
  callbackAfterSec: z.number().min(0).default(5),
  webhookRetries: z.number().int().min(0).max(20).default(8),
  faults: DialerFaultsSchema.prefault({}),
  /**
   * Agents logged in, per team. A call placed for a team that the customer answers goes to a free
   * agent of the team, who is busy for handleMs; with none free the call is abandoned.
   */
  agents: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/), z.array(z.string().min(1).max(60)).max(2_000)).default({}),
  /** Real time an agent spends on an answered call (talk and wrap-up). */
  handleMs: RangeMsSchema.default({ min: 200, max: 1_000 }),
  /** The hotline: customers calling in, queued per team, put through to agents (sim/README.md, "Hotline"). */
  inbound: InboundConfigSchema.prefault({}),
  /** Customers ordering in the self-service channels after a referral; off by default. */
  selfService: SelfServiceConfigSchema.prefault({}),
});
export type DialerConfig = z.infer<typeof DialerConfigSchema>;
export type DialerConfigInput = z.input<typeof DialerConfigSchema>;

export const PlaceCallSchema = z.strictObject({
  callId: z.string().min(1).max(200),
  to: z.string().regex(/^\+?\d{5,20}$/, 'expected 5 to 20 digits, optionally after a +'),
  purpose: z.enum(['sales', 'followup']),
  callbackUrl: z.url({ protocol: /^https?$/ }),
  /** The team whose agents take the call when answered; without one the call needs no agent. */
  team: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).optional(),
  /** An agent who should take it if free (a callback the agent promised). */
  agentId: z.string().min(1).max(60).optional(),
});
export type PlaceCall = z.infer<typeof PlaceCallSchema>;

export const PlaceCallBatchSchema = z.strictObject({ calls: z.array(PlaceCallSchema).min(1).max(500) });

/** Body of the outcome webhook POSTed to callbackUrl. */
export const CallOutcomeSchema = z.strictObject({
  callId: z.string(),
  disposition: z.enum(DISPOSITIONS),
  connected: z.boolean(),
  /** Simulated talk time; 0 when nobody picked up. */
  durationSec: z.number().int().min(0),
  callbackAt: z.iso.datetime().optional(),
  satisfaction: z.number().int().min(1).max(5).optional(),
  complaint: z.boolean().optional(),
  /** What the complaint is about (follow-up calls with a complaint). */
  complaintReason: z.string().optional(),
  /** Follow-up calls: the customer bought the offer made on the call. */
  resale: z.boolean().optional(),
  /** The agent who took the call (team calls only). */
  agentId: z.string().optional(),
  endedAt: z.iso.datetime(),
});
export type CallOutcome = z.infer<typeof CallOutcomeSchema>;

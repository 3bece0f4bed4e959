import { z } from 'zod';
import { ID_PATTERN } from './ids';
import { RuleSchema } from './segment';

/**
 * A campaign as marketing issues it (task issue). This schema is the one source of the type: the
 * API validates requests with it and the campaign workflow validates its input with it again.
 */
export const OfferSchema = z.strictObject({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, 2-40 chars'),
  name: z.string().trim().min(1).max(200),
  /** Monthly price in yuan. */
  price: z.number().nonnegative().max(100_000),
});

export const SegmentSchema = z.strictObject({
  regions: z.array(z.string().regex(/^[a-z]{2,8}$/)).min(1).max(50).optional(),
  plans: z.array(z.string().min(1).max(40)).min(1).max(50).optional(),
  inNetwork: z.boolean().optional(),
  /** Factors combined with all/any/not (see domain/segment.ts), on top of the fields above. */
  rule: RuleSchema.optional(),
  /** Keep the list to at most this many leads (the first by customer id). */
  maxLeads: z.number().int().min(1).max(5_000_000).optional(),
});

const dialingFields = {
  maxConcurrentCalls: z.number().int().min(1).max(500),
  maxAttempts: z.number().int().min(1).max(10),
  /** Delay before an unreached lead (no answer, busy) is called again. */
  retryDelaySeconds: z.number().int().min(0).max(7 * 86_400),
};

export const DialingSchema = z.strictObject({
  maxConcurrentCalls: dialingFields.maxConcurrentCalls.default(10),
  maxAttempts: dialingFields.maxAttempts.default(3),
  retryDelaySeconds: dialingFields.retryDelaySeconds.default(600),
});

/** A change of dialing settings while the campaign runs: any of them, at least one. */
export const DialingChangeSchema = z
  .strictObject({
    maxConcurrentCalls: dialingFields.maxConcurrentCalls.optional(),
    maxAttempts: dialingFields.maxAttempts.optional(),
    retryDelaySeconds: dialingFields.retryDelaySeconds.optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'give at least one setting to change' });
export type DialingChange = z.infer<typeof DialingChangeSchema>;

export const OrderPolicySchema = z.strictObject({
  /** Days in production, seconds in the demo and tests. */
  followUpDelaySeconds: z.number().int().min(0).max(365 * 86_400).default(7 * 86_400),
  /** Wait before the automatic second delivery attempt. */
  deliveryRetryDelaySeconds: z.number().int().min(0).max(30 * 86_400).default(86_400),
  followUpMaxAttempts: z.number().int().min(1).max(10).default(3),
  followUpRetryDelaySeconds: z.number().int().min(0).max(7 * 86_400).default(3_600),
});

export const CampaignDefinitionSchema = z.strictObject({
  id: z.string().regex(ID_PATTERN, 'lower-case letters, digits and dashes, 2-63 chars').optional(),
  name: z.string().trim().min(1).max(200),
  offer: OfferSchema,
  segment: SegmentSchema.default({}),
  dialing: DialingSchema.default(DialingSchema.parse({})),
  orders: OrderPolicySchema.default(OrderPolicySchema.parse({})),
});

export type CampaignDefinitionInput = z.input<typeof CampaignDefinitionSchema>;
export type CampaignDefinition = z.output<typeof CampaignDefinitionSchema> & { id: string };
export type Offer = z.infer<typeof OfferSchema>;
export type Segment = z.infer<typeof SegmentSchema>;
export type DialingPolicy = z.output<typeof DialingSchema>;
export type OrderPolicy = z.output<typeof OrderPolicySchema>;

export const CAMPAIGN_STATUSES = ['pending', 'pulling', 'running', 'paused', 'completed', 'cancelled', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const FUNNEL_STEPS = [
  'listed', 'dialed', 'connected', 'accepted', 'ordered', 'delivered', 'activated', 'followedUp',
] as const;
export type Funnel = Record<(typeof FUNNEL_STEPS)[number], number>;

export const emptyFunnel = (): Funnel => ({
  listed: 0, dialed: 0, connected: 0, accepted: 0, ordered: 0, delivered: 0, activated: 0, followedUp: 0,
});

/** Which control a person may apply in which status; the workflow refuses the rest with the reason. */
export function controlRefusal(
  action: 'pause' | 'resume' | 'cancel',
  status: CampaignStatus,
): string | undefined {
  if (status === 'completed' || status === 'cancelled' || status === 'failed') {
    return `campaign is already ${status}`;
  }
  if (action === 'pause' && status === 'paused') return 'campaign is already paused';
  if (action === 'resume' && status !== 'paused') return `campaign is ${status}, not paused`;
  return undefined;
}

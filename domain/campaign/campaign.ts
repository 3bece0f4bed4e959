import { z } from 'zod';
import { ID_PATTERN } from './ids';
import { MAX_RULE_DEPTH, MAX_RULE_FACTORS, RuleSchema } from './segment';
import { CallingWindowSchema, DEFAULT_WINDOW } from './calling-window';
import { PacingChangeSchema, PacingSchema } from './pacing';
import { DeliveryPolicySchema, HoldSlaSchema } from '../order/schema';
import { ORDER_POLICY_DEFAULTS, defaultShips } from '../order/order';
import { IsoDateTimeSchema } from '../datetime';
import { text } from '../text';
import { rule } from '../rule';
import { MAX_HOLDOUT_SHARE } from './holdout';

/**
 * A campaign as marketing issues it (task issue). This schema is the one source of the type: the
 * API validates requests with it; the campaign workflow takes what it validated, with the defaults
 * of later fields as plain data (domain/campaign/definition.ts), never parsing it again.
 */
export const OfferSchema = z.strictObject({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, 2-40 chars'),
  name: text(1, 200),
  /** Monthly price in yuan. */
  price: z.number().nonnegative().max(100_000),
  /** What the courier brings (reserved from the region's warehouse before delivery); a SIM card unless given. */
  ships: z.array(z.strictObject({
    sku: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes'),
    qty: z.number().int().min(1).max(10),
  })).max(10).refine((items) => new Set(items.map((i) => i.sku)).size === items.length, rule('each sku once'))
    .default(defaultShips),
  /** Money the courier collects at the door: cash on delivery or a deposit; nothing unless given. */
  collect: z.strictObject({
    method: z.enum(['cash-on-delivery', 'deposit']),
    amount: z.number().positive().max(100_000),
  }).optional(),
});

export const SegmentSchema = z.strictObject({
  regions: z.array(z.string().regex(/^[a-z]{2,8}$/)).min(1).max(50).optional(),
  plans: z.array(z.string().min(1).max(40)).min(1).max(50).optional(),
  inNetwork: z.boolean().optional(),
  /** Factors combined with all/any/not (see domain/campaign/segment.ts), on top of the fields above. */
  rule: RuleSchema.optional(),
  /** Keep the list to at most this many leads (the first by customer id). */
  maxLeads: z.number().int().min(1).max(5_000_000).optional(),
});

/**
 * A campaign's list: its segment, and how many leads it holds at most (`maxLeads`), or the whole
 * segment however large (`everyone: true`, which only an admin may send: domain/campaign/list-limit.ts).
 * An empty segment once listed the whole customer base by accident. One of the two is required,
 * which the JSON schema states (`anyOf`); both at once is a rule (422), since a schema's `not`
 * leaves schemathesis unable to make a valid body for it.
 */
export const CampaignSegmentSchema = SegmentSchema.extend({
  everyone: z.literal(true).optional(),
}).meta({ anyOf: [{ required: ['maxLeads'] }, { required: ['everyone'] }] }).superRefine((s, ctx) => {
  if (s.maxLeads === undefined && !s.everyone) {
    ctx.addIssue({ code: 'custom', path: ['maxLeads'], message: 'required: how many leads the list holds at most (or everyone: true, which only an admin may send)' });
  }
  if (s.maxLeads !== undefined && s.everyone) ctx.addIssue({ code: 'custom', ...rule('either maxLeads or everyone, not both', ['everyone']) });
});

const dialingFields = {
  maxConcurrentCalls: z.number().int().min(1).max(500),
  maxAttempts: z.number().int().min(1).max(10),
  /** Delay before an unreached lead (no answer, busy) is called again. */
  retryDelaySeconds: z.number().int().min(0).max(7 * 86_400),
  /**
   * Per disposition, the delay before the next attempt (e.g. busy → 600, no-answer → 7200);
   * dispositions not named use retryDelaySeconds.
   */
  retryDelays: z.strictObject({
    'no-answer': z.number().int().min(0).max(7 * 86_400).optional(),
    busy: z.number().int().min(0).max(7 * 86_400).optional(),
    abandoned: z.number().int().min(0).max(7 * 86_400).optional(),
    'not-placed': z.number().int().min(0).max(7 * 86_400).optional(),
    'callback-requested': z.number().int().min(0).max(7 * 86_400).optional(),
  }),
  /**
   * A callback the customer asked for belongs to the agent who took the call until this long
   * after its time; then anyone of the team may make it.
   */
  callbackGraceSeconds: z.number().int().min(0).max(7 * 86_400),
};

export const DialingSchema = z.strictObject({
  maxConcurrentCalls: dialingFields.maxConcurrentCalls.default(10),
  maxAttempts: dialingFields.maxAttempts.default(3),
  retryDelaySeconds: dialingFields.retryDelaySeconds.default(600),
  retryDelays: dialingFields.retryDelays.optional(),
  callbackGraceSeconds: dialingFields.callbackGraceSeconds.default(900),
});

/** A change of dialing settings while the campaign runs: any of them, at least one. */
export const DialingChangeSchema = z
  .strictObject({
    maxConcurrentCalls: dialingFields.maxConcurrentCalls.optional(),
    maxAttempts: dialingFields.maxAttempts.optional(),
    retryDelaySeconds: dialingFields.retryDelaySeconds.optional(),
    retryDelays: dialingFields.retryDelays.optional(),
    callbackGraceSeconds: dialingFields.callbackGraceSeconds.optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'give at least one setting to change' })
  .meta({ minProperties: 1 });
export type DialingChange = z.infer<typeof DialingChangeSchema>;

const atLeastOne = (c: object) => Object.values(c).some((v) => v !== undefined);

/**
 * A change of how a running campaign calls: dialing limits and retry policy, pacing, calling
 * window. Each part is merged into the current settings (the window is replaced whole); a bad
 * value is refused with its field path and changes nothing.
 */
export const SettingsChangeSchema = z
  .strictObject({
    dialing: DialingChangeSchema.optional(),
    pacing: PacingChangeSchema.refine(atLeastOne, { message: 'give at least one setting to change' }).meta({ minProperties: 1 }).optional(),
    window: CallingWindowSchema.optional(),
  })
  .refine(atLeastOne, { message: 'give dialing, pacing or window' })
  .meta({ minProperties: 1 });
export type SettingsChange = z.infer<typeof SettingsChangeSchema>;

/**
 * The contact-frequency cap (seed 004: customers called again and again lose patience): at most
 * maxCalls marketing calls to one customer in any `days` days, counted over all campaigns.
 */
export const ContactCapSchema = z.strictObject({
  maxCalls: z.number().int().min(1).max(100),
  days: z.number().int().min(1).max(365),
});
export type ContactCap = z.infer<typeof ContactCapSchema>;

export const OrderPolicySchema = z.strictObject({
  /** Days in production, seconds in the demo and tests. */
  followUpDelaySeconds: z.number().int().min(0).max(365 * 86_400).default(ORDER_POLICY_DEFAULTS.followUpDelaySeconds),
  /** Wait before the automatic second delivery attempt. */
  deliveryRetryDelaySeconds: z.number().int().min(0).max(30 * 86_400).default(ORDER_POLICY_DEFAULTS.deliveryRetryDelaySeconds),
  followUpMaxAttempts: z.number().int().min(1).max(10).default(ORDER_POLICY_DEFAULTS.followUpMaxAttempts),
  followUpRetryDelaySeconds: z.number().int().min(0).max(7 * 86_400).default(ORDER_POLICY_DEFAULTS.followUpRetryDelaySeconds),
  /** What a failed delivery leads to, per reason (domain/order/order.ts). */
  delivery: DeliveryPolicySchema.prefault({}),
  /** How long a held order may wait for a scheduler before it is escalated, then cancelled. */
  holdSla: HoldSlaSchema.prefault({}),
  /** An offer made on the follow-up call (a value-added service, say): a yes starts a new order, linked to this one. */
  followUpOffer: OfferSchema.optional(),
  /**
   * When follow-up calls may be made, in the customer's local time: the campaign's window unless
   * given (08:00–21:00 for orders of no campaign). A follow-up due outside it waits for its opening.
   */
  followUpWindow: CallingWindowSchema.optional(),
});

/**
 * A control group: this share of the list is held out at the list pull (chosen by a stable hash of
 * campaign and customer, domain/campaign/holdout.ts), never called, and compared with the called
 * leads by GET /reports/evaluation. The split is among the leads the pull lists, after every
 * exclusion: segment.maxLeads counts both groups.
 */
export const HoldoutSchema = z.strictObject({
  share: z.number().gt(0).max(MAX_HOLDOUT_SHARE),
});

export const CampaignDefinitionSchema = z
  .strictObject({
    id: z.string().regex(ID_PATTERN, 'lower-case letters, digits and dashes, 2-63 chars').optional(),
    name: text(1, 200),
    offer: OfferSchema,
    /** What the agent says: the call script for this offer and brand. */
    script: text(1, 20_000).optional(),
    /** The team that works the campaign (shown in the Temporal UI as the Team search attribute). */
    team: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes').optional(),
    segment: CampaignSegmentSchema,
    dialing: DialingSchema.default(DialingSchema.parse({})),
    /** How fast to dial: preview, progressive (default) or predictive (domain/campaign/pacing.ts). */
    pacing: PacingSchema.default(PacingSchema.parse({})),
    /** When leads may be called, in each lead's local time; 08:00–21:00 every day unless given. */
    window: CallingWindowSchema.default(DEFAULT_WINDOW),
    /** At most this many marketing calls per customer over all campaigns; 4 in 30 days unless given. */
    contactCap: ContactCapSchema.default({ maxCalls: 4, days: 30 }),
    orders: OrderPolicySchema.default(OrderPolicySchema.parse({})),
    /** Scheduled launch: the list is pulled and calling starts at this time (now when absent). */
    startAt: IsoDateTimeSchema.optional(),
    /** The campaign stops calling at this time, whatever is left on the list. */
    endAt: IsoDateTimeSchema.optional(),
    /** The campaign stops once this many leads have accepted. */
    quota: z.number().int().min(1).max(10_000_000).optional(),
    /**
     * Its own suppression lists (POST /suppression-lists), by id: their numbers are left off the
     * list pull and refused at the moment of dialing, as the lists are then.
     */
    suppressionLists: z.array(z.string().regex(ID_PATTERN, 'a suppression list id')).min(1).max(20)
      .refine((ids) => new Set(ids).size === ids.length, rule('each list once')).optional(),
    /** Hold out this share of the list as a control group (none unless given). */
    holdout: HoldoutSchema.optional(),
  })
  .refine((d) => !d.startAt || !d.endAt || Date.parse(d.endAt) > Date.parse(d.startAt), rule('must be after startAt', ['endAt']))
  .refine((d) => d.pacing.mode === 'progressive' || d.team !== undefined,
    rule('preview and predictive pacing need the team whose agents work the campaign', ['team']));

/** The rules of a campaign definition beyond its schema (422), as the launch route documents them. */
export const CAMPAIGN_DEFINITION_RULES = [
  'endAt must be after startAt',
  'segment: maxLeads or everyone, not both',
  'preview and predictive pacing need a team',
  "each sku once in an offer's ships",
  'orders.holdSla.cancelAfterSeconds later than escalateAfterSeconds',
  'the calling window ends after it starts',
  `a segment rule at most ${MAX_RULE_DEPTH} levels deep, with at most ${MAX_RULE_FACTORS} factors`,
  'suppressionLists: each list once',
] as const;

export type CampaignDefinitionInput = z.input<typeof CampaignDefinitionSchema>;
export type CampaignDefinition = z.output<typeof CampaignDefinitionSchema> & { id: string };
export type Offer = z.infer<typeof OfferSchema>;
/** An offer as stored before its items and payment existed (their defaults apply). */
export type OfferInput = z.input<typeof OfferSchema>;
export type Segment = z.infer<typeof SegmentSchema>;
export type CampaignSegment = z.infer<typeof CampaignSegmentSchema>;
export type DialingPolicy = z.output<typeof DialingSchema>;
export type { Pacing } from './pacing';
export type OrderPolicy = z.output<typeof OrderPolicySchema>;

export const CAMPAIGN_STATUSES = ['pending', 'scheduled', 'pulling', 'running', 'paused', 'completed', 'cancelled', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

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

/** Why a campaign stopped calling. */
export type EndReason = 'list finished' | 'quota reached' | 'end date' | 'cancelled';

/**
 * Whether the campaign should stop calling now, and why; `now` is the workflow's clock.
 * Cancellation is decided by the workflow itself.
 */
export function stopReason(def: Pick<CampaignDefinition, 'quota' | 'endAt'>, accepted: number, now: number): EndReason | undefined {
  if (def.quota !== undefined && accepted >= def.quota) return 'quota reached';
  if (def.endAt !== undefined && now >= Date.parse(def.endAt)) return 'end date';
  return undefined;
}

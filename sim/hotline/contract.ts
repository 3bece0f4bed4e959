import { z } from 'zod';
import { RateSchema } from '../service';

// The dialer's inbound side (sim/README.md, "Hotline"): its config, the requests it takes and the
// webhooks it sends. Re-exported by sim/dialer-contract.ts, where the API side finds them to check
// the webhooks it receives.

/** A team's or a reason's code, as the outbound side spells team codes. */
export const CodeSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, at most 40');
/** A phone number as the dialer takes it: 5 to 20 digits, optionally after a +. */
export const PhoneSchema = z.string().regex(/^\+?\d{5,20}$/, 'expected 5 to 20 digits, optionally after a +');
export const AgentIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/, 'letters, digits, _ . and -, at most 60');
export const CallIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$/, 'letters, digits, _ . : and -, at most 120');
const Seconds = z.number().min(0).max(86_400);

/**
 * How long something lasts, drawn per call from (seed, call id): a caller's patience, a reason's talk
 * time, the wrap-up. `exponential` is the classic caller patience (Erlang-A); `lognormal` the usual
 * shape of talk times (most short, a long tail).
 */
export const DurationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), sec: Seconds }),
  z.strictObject({ kind: z.literal('uniform'), minSec: Seconds, maxSec: Seconds })
    .refine((d) => d.minSec <= d.maxSec, { message: 'minSec must not exceed maxSec', path: ['maxSec'] }),
  z.strictObject({ kind: z.literal('exponential'), meanSec: Seconds.positive() }),
  z.strictObject({ kind: z.literal('lognormal'), meanSec: Seconds.positive(), sdSec: Seconds.positive() }),
]);
export type Duration = z.infer<typeof DurationSchema>;

const ReasonSchema = z.strictObject({
  /** Relative weight among the reasons traffic draws from (a traffic request may give its own). */
  weight: z.number().min(0),
  /** Talk time: answered to hung up. */
  talk: DurationSchema,
});

const lognormal = (meanSec: number, sdSec: number) => ({ kind: 'lognormal' as const, meanSec, sdSec });
export const DEFAULT_REASONS: Record<string, z.infer<typeof ReasonSchema>> = {
  'bill-query': { weight: 0.4, talk: lognormal(240, 120) },
  'plan-question': { weight: 0.25, talk: lognormal(300, 150) },
  fault: { weight: 0.2, talk: lognormal(420, 240) },
  complaint: { weight: 0.15, talk: lognormal(540, 300) },
};

export const InboundConfigSchema = z.strictObject({
  /** Where the inbound webhooks go unless the traffic or the injected call names another address. */
  callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The team whose queue a call joins unless `routes` names one for its reason. */
  defaultTeam: CodeSchema.default('hotline'),
  /** reason → team, e.g. faults to a technical team. */
  routes: z.record(CodeSchema, CodeSchema).default({}),
  /** Why customers call; a missing key keeps its default, a weight of 0 takes a reason out of traffic. */
  reasons: z.record(CodeSchema, ReasonSchema).default({}).transform((given) => ({ ...DEFAULT_REASONS, ...given })),
  /** How long a caller waits in the queue before hanging up. */
  patience: DurationSchema.default({ kind: 'exponential', meanSec: 120 }),
  /** The queue's own limit: a call still waiting this long is ended by the dialer (cause `max-wait`). */
  maxWaitSec: Seconds.positive().default(600),
  /** Offered to an agent until answered (the agent's phone rings). */
  agentRing: DurationSchema.default({ kind: 'fixed', sec: 2 }),
  /** After-call work: the agent is busy this long after hanging up, then ready again. */
  wrapUp: DurationSchema.default({ kind: 'uniform', minSec: 10, maxSec: 30 }),
});
export type InboundConfig = z.infer<typeof InboundConfigSchema>;

/** One entry of the customer directory the dialer identifies callers by (呼入号码识别). */
export const DirectoryEntrySchema = z.strictObject({ customerId: z.number().int().positive(), msisdn: PhoneSchema });
export type DirectoryEntry = z.infer<typeof DirectoryEntrySchema>;

/** `POST /inbound/directory`: numbers added to the directory (a number given again moves to its new customer). */
export const DirectoryUpdateSchema = z.strictObject({ customers: z.array(DirectoryEntrySchema).min(1).max(20_000) });

/** `POST /inbound/traffic`: customers start calling, Poisson arrivals at a rate, until `DELETE /inbound/traffic`. */
export const StartTrafficSchema = z.strictObject({
  ratePerMinute: z.number().positive().max(6_000),
  /** reason → relative weight; without it the config's weights. Every key must be a configured reason. */
  reasons: z.record(CodeSchema, z.number().min(0))
    .refine((mix) => Object.values(mix).some((w) => w > 0), { message: 'at least one weight must be positive' }).optional(),
  /** Who calls: added to the directory, and the callers drawn from. Without it, anyone in the directory calls. */
  customers: z.array(DirectoryEntrySchema).min(1).max(20_000).optional(),
  /** Share of calls from numbers the directory does not know (prospects, other operators' customers). */
  unknownCallerShare: RateSchema.default(0),
  /** Every call to this team's queue instead of the config's routes. */
  team: CodeSchema.optional(),
  callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Names the run in its call ids (`in-<runId>-<n>`); the arrivals are a function of (seed, runId). */
  runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/).optional(),
  /** Stop after this many calls. */
  maxCalls: z.number().int().positive().max(10_000_000).optional(),
});
export type StartTraffic = z.infer<typeof StartTrafficSchema>;

/** `POST /inbound/calls`: one call, now, exactly as given (tests, demos). */
export const InjectCallSchema = z.strictObject({
  callId: CallIdSchema,
  /** The caller's number (ANI, 主叫号码): the dialer looks it up in its directory. */
  ani: PhoneSchema,
  reason: CodeSchema,
  team: CodeSchema.optional(),
  callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
});
export type InjectCall = z.infer<typeof InjectCallSchema>;

/** `PUT /inbound/agents/:agentId`: log in to a hotline team, or change ready / not ready. */
export const AgentStateSchema = z.strictObject({ team: CodeSchema, state: z.enum(['ready', 'not-ready']) });
export type AgentStateRequest = z.infer<typeof AgentStateSchema>;

export const AGENT_STATES = ['ready', 'not-ready', 'ringing', 'talking', 'wrap-up'] as const;
export type AgentState = (typeof AGENT_STATES)[number];
export const INBOUND_CALL_STATUSES = ['queued', 'ringing', 'talking', 'ended', 'abandoned'] as const;
export type InboundCallStatus = (typeof INBOUND_CALL_STATUSES)[number];

// The webhooks. Every one names the call and what the dialer knows of it; `eventId` is
// `<callId>/<event>`, the same on every copy, so a receiver keeps the first and ignores the rest
// (the webhook-id header is the same only for retries and duplicates of one message).

const Instant = z.iso.datetime();
const CallFacts = {
  eventId: z.string(),
  callId: z.string(),
  /** The caller's number: personal data, sent because the dialer and the API share it anyway (sim/README.md). */
  ani: PhoneSchema,
  /** Who the directory says is calling; absent for a number it does not know. */
  customerId: z.number().int().positive().optional(),
  reason: CodeSchema,
  team: CodeSchema,
  arrivedAt: Instant,
  /** Seconds in the queue: arrival to offered (or to abandoned). */
  queueWaitSec: z.number().min(0),
};

/** The call was put through to an agent, whose phone rings: the moment to show the agent who calls. */
export const InboundOfferedSchema = z.strictObject({
  event: z.literal('inbound.offered'), ...CallFacts, agentId: z.string(), offeredAt: Instant,
});
export const InboundAnsweredSchema = z.strictObject({
  event: z.literal('inbound.answered'), ...CallFacts, agentId: z.string(), offeredAt: Instant, answeredAt: Instant,
});
/** The caller hung up in the queue (`caller-hung-up`), or the queue's limit ended the call (`max-wait`). */
export const InboundAbandonedSchema = z.strictObject({
  event: z.literal('inbound.abandoned'), ...CallFacts, abandonedAt: Instant, cause: z.enum(['caller-hung-up', 'max-wait']),
});
/**
 * The call ended: `talkSec` answered to hung up, `wrapUpSec` the after-call work the agent starts
 * now, `handleSec` their sum (the usual handle time). `endedBy`: `agent` when `POST .../end` ended it.
 */
export const InboundEndedSchema = z.strictObject({
  event: z.literal('inbound.ended'), ...CallFacts, agentId: z.string(), offeredAt: Instant, answeredAt: Instant, endedAt: Instant,
  talkSec: z.number().min(0), wrapUpSec: z.number().min(0), handleSec: z.number().min(0), endedBy: z.enum(['caller', 'agent']),
});
export const InboundEventSchema = z.discriminatedUnion('event', [
  InboundOfferedSchema, InboundAnsweredSchema, InboundAbandonedSchema, InboundEndedSchema,
]);
export type InboundEvent = z.infer<typeof InboundEventSchema>;
export const INBOUND_EVENTS = ['inbound.offered', 'inbound.answered', 'inbound.abandoned', 'inbound.ended'] as const;

// Self-service channels (sim/README.md, "Self-service channels"): customers the hotline referred to
// the IVR, the SMS hall, the app or the web hall completing the order there, or not.

export const SELF_SERVICE_CHANNELS = ['ivr', 'sms', 'app', 'web'] as const;
export type SelfServiceChannel = (typeof SELF_SERVICE_CHANNELS)[number];

/** The offer's code as POST /orders takes it (domain/campaign/campaign.ts, OfferSchema). */
const OfferCodeSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, 2-40 chars');

export const SelfServiceConfigSchema = z.strictObject({
  /** Off unless asked for: then POST /self-service/referrals answers 409. */
  enabled: z.boolean().default(false),
  /** The API's base URL; orders go to `<apiUrl>/orders`. */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Send `channel` in the order's body. Today's POST /orders refuses a field it does not know (400),
   * so turn it off to order against an API that does not take it yet.
   */
  includeChannel: z.boolean().default(true),
  /** What an order names its offer with, per code; an unknown code is ordered as `{ name: code, price: 0 }`. */
  offers: z.record(OfferCodeSchema, z.strictObject({ name: z.string().min(1).max(200), price: z.number().min(0).max(100_000) })).default({}),
  /** Further attempts of an order answered 5xx or not at all (same Idempotency-Key), backoff as for webhooks. */
  retries: z.number().int().min(0).max(20).default(8),
}).refine((c) => !c.enabled || c.apiUrl, { message: 'self-service needs the apiUrl to order at', path: ['apiUrl'] });
export type SelfServiceConfig = z.infer<typeof SelfServiceConfigSchema>;

export const ReferralSchema = z.strictObject({
  /** Names the referral (the API's recommendation); without it customer, offer and channel do. Keys the order's Idempotency-Key. */
  referralId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/).optional(),
  customerId: z.number().int().positive(),
  offerCode: OfferCodeSchema,
  channel: z.enum(SELF_SERVICE_CHANNELS),
  /** The customer orders at a moment drawn uniformly within this many seconds, or never. */
  completeWithinSeconds: z.number().min(0).max(90 * 86_400),
  /** Chance the customer orders at all. */
  probability: RateSchema,
});
export type Referral = z.infer<typeof ReferralSchema>;

/** `POST /self-service/referrals`. */
export const ReferralBatchSchema = z.strictObject({ referrals: z.array(ReferralSchema).min(1).max(1_000) });

import { z } from 'zod';
import { OfferSchema } from '../campaign/campaign';
import { RuleSchema } from '../campaign/segment';
import { rule } from '../rule';
import { noNul, text } from '../text';
import { CALL_REASONS, CHANNELS, KINDS, OUTCOMES, SELF_SERVICE_CHANNELS } from './words';

/** What marketing and the channels send about hotline marketing; the one source of their types. */

const unique = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const OfferCodeSchema = OfferSchema.shape.code;
export const BrandSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'a brand code: lower-case letters, digits and dashes, 2-40');
/** A brand, or '*': every brand. */
export const ScriptBrandSchema = z.union([z.literal('*'), BrandSchema]);
/** A region code, or '*': every region. */
export const LeverRegionSchema = z.union([z.literal('*'), z.string().regex(/^[a-z]{2,8}$/, 'a region code')]);
const DaySchema = z.string().regex(/^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a day, YYYY-MM-DD');

/**
 * An offer as marketing puts it: what an order of it sells (name, price, ships, collect: POST
 * /orders' offer without its code, which is the path's), its value, who may get it (a segment rule
 * as campaigns use), where it can be completed, its kind and the call reasons it answers.
 */
export const OfferBodySchema = OfferSchema.omit({ code: true }).extend({
  margin: z.number().nonnegative().max(100_000).multipleOf(0.01).describe('the value of a sale in yuan a month: the "value" of priority = propensity × value × lever'),
  eligibility: RuleSchema.nullable().default(null).describe('who may get it, as a segment rule (GET /segments/preview takes the same); null: everyone'),
  channels: z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length).refine(unique, rule('each channel once'))
    .describe('where the customer may complete it: on the call, or a self-service channel'),
  kind: z.enum(KINDS).describe('its kind of hotline marketing unless the interaction makes it another (docs/hotline.md)'),
  reasons: z.array(z.enum(CALL_REASONS)).max(CALL_REASONS.length).refine(unique, rule('each reason once')).default([])
    .describe('the call reasons it answers: cross-selling (or service, for plan questions) when the customer calls about one'),
  active: z.boolean().default(true).describe('false: retired, never recommended'),
});
export type OfferBody = z.output<typeof OfferBodySchema>;

export const LeverBodySchema = z.strictObject({
  region: LeverRegionSchema.default('*'),
  lever: z.number().min(0).max(100).multipleOf(0.001).describe('multiplies the priority; 0 keeps the offer from being recommended there'),
  effectiveFrom: DaySchema.describe("the first day, in the operator's time zone"),
  effectiveTo: DaySchema.nullable().default(null).describe('the first day no longer in force; null: until another lever'),
  reason: text(1, 500).optional(),
}).refine((l) => l.effectiveTo === null || l.effectiveTo > l.effectiveFrom, rule('must be after effectiveFrom', ['effectiveTo']));
export type LeverBody = z.output<typeof LeverBodySchema>;

export const ScriptBodySchema = z.strictObject({
  brand: ScriptBrandSchema.describe("the customers' brand it is for, or '*' for every brand without its own"),
  body: text(1, 20_000),
});

export const SettingsBodySchema = z.strictObject({
  refusalQuietDays: z.number().int().min(0).max(365),
  weeklyCap: z.number().int().min(0).max(100),
  maxOffers: z.number().int().min(1).max(3),
  // As Postgres keeps them (numeric(6,5), numeric(8,2)): a smaller value would round to 0.
  priorRate: z.number().min(0.00001).max(0.99999).multipleOf(0.00001),
  priorWeight: z.number().min(0.01).max(100_000).multipleOf(0.01),
  referralWindowSeconds: z.number().int().min(1).max(90 * 86_400),
}).partial().refine((s) => Object.values(s).some((v) => v !== undefined), { message: 'give at least one setting to change' }).meta({ minProperties: 1 });

export const InteractionBodySchema = z.strictObject({
  customerId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  channel: z.enum(CHANNELS),
  reason: z.enum(CALL_REASONS).optional().describe("why the customer called ('other' for a call unless given)"),
  /** The dialer's id of the inbound call (as its webhooks carry it): the same call is the same interaction. */
  callId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$/, 'letters, digits and _ . : -, at most 120').optional()
    .describe("the dialer's call id: required for a call (the report counts calls by it)"),
  team: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes').optional(),
  agentId: noNul(1, 200).optional().describe('the agent who takes it: the caller itself for an agent; an admin may name one'),
});

export const OutcomeBodySchema = z.strictObject({
  recommendationId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  outcome: z.enum(OUTCOMES),
  referredChannel: z.enum(SELF_SERVICE_CHANNELS).optional().describe('where the customer was sent to complete it (a referral only)'),
});

import { z } from 'zod';
import { IsoDateTimeSchema } from '../datetime';
import { rule } from '../rule';
import { DELIVERY_POLICY_DEFAULTS, HOLD_SLA_DEFAULTS, slotRefusal, type FailedDelivery } from './order';

/**
 * The order's zod schemas: what the API and a campaign definition accept. Kept apart from the pure
 * rules in domain/order/order.ts so that the order workflow, which imports those, never evaluates zod
 * (see workflows/index.ts); the defaults are the plain data in domain/order/order.ts.
 */

/** What to do after a failed delivery, per reason: retry by itself, hold for a scheduler, or cancel. */
const ReasonRuleSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('retry'),
    /** Automatic retries for this reason before a scheduler decides. */
    maxRetries: z.number().int().min(1).max(5),
    /** Wait before the retry; the order policy's deliveryRetryDelaySeconds (the next day) when absent. */
    delaySeconds: z.number().int().min(0).max(30 * 86_400).optional(),
  }),
  z.strictObject({ action: z.literal('hold') }),
  z.strictObject({ action: z.literal('cancel') }),
]);
export type ReasonRule = z.infer<typeof ReasonRuleSchema>;

const reasonDefault = (reason: FailedDelivery) => ReasonRuleSchema.default(() => ({ ...DELIVERY_POLICY_DEFAULTS[reason] }));

/** The delivery policy per failure reason; DELIVERY_POLICY_DEFAULTS says what each one is unless given. */
export const DeliveryPolicySchema = z.strictObject({
  'customer-absent': reasonDefault('customer-absent'),
  'courier-lost': reasonDefault('courier-lost'),
  'wrong-address': reasonDefault('wrong-address'),
  refused: reasonDefault('refused'),
});
export type DeliveryPolicy = z.output<typeof DeliveryPolicySchema>;

/** How long a held order may wait for a scheduler (HOLD_SLA_DEFAULTS unless given). */
export const HoldSlaSchema = z.strictObject({
  escalateAfterSeconds: z.number().int().min(1).max(30 * 86_400).default(HOLD_SLA_DEFAULTS.escalateAfterSeconds),
  cancelAfterSeconds: z.number().int().min(1).max(90 * 86_400).default(HOLD_SLA_DEFAULTS.cancelAfterSeconds),
}).refine((s) => s.cancelAfterSeconds > s.escalateAfterSeconds, rule('must be later than escalateAfterSeconds', ['cancelAfterSeconds']));
export type HoldSla = z.output<typeof HoldSlaSchema>;

/**
 * A delivery slot in a request: an ISO time with its offset, from now to a year ahead (a rule
 * against the clock: 422, SLOT_RULE).
 */
export const SlotSchema = IsoDateTimeSchema.superRefine((v, ctx) => {
  const why = slotRefusal(v, Date.now());
  if (why) ctx.addIssue({ code: 'custom', ...rule(why.replace(/^slot: /, '')) });
});
export const SLOT_RULE = 'a slot from an hour ago to a year ahead';

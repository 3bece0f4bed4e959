import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { between, pick, unit } from './rand';
import {
  DUPLICATE_AFTER_MS,
  RangeMsSchema,
  SeedSchema,
  WebhookFaultsSchema,
  createSimApp,
  mountConfig,
  mountOutage,
  parseOr400,
  roundMoney,
  unavailable,
} from './service';
import type { TimerHandle } from './clock';
import { TimerSet } from './timers';
import { sendOutcome as sendWebhook, WebhookSigner, type WebhookSimOptions } from './webhook';

// Stand-in for the courier company that brings SIM cards and devices to the
// customer: books a delivery, drives for a while, reports how it went.

export const DELIVERY_OUTCOMES = ['delivered', 'customer-absent', 'wrong-address', 'refused', 'courier-lost'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

const weight = (fallback: number) => z.number().min(0).default(fallback);

const OutcomeMixSchema = z
  .strictObject({
    delivered: weight(0.8),
    'customer-absent': weight(0.1),
    'wrong-address': weight(0.05),
    refused: weight(0.05),
    /** The courier lost the parcel (or the booking); rare. */
    'courier-lost': weight(0),
  })
  .refine((mix) => Object.values(mix).some((w) => w > 0), { message: 'at least one weight must be positive' });

export const CourierConfigSchema = z.strictObject({
  seed: SeedSchema.default(42),
  /** Real time between booking and the outcome webhook. */
  travelMs: RangeMsSchema.default({ min: 50, max: 300 }),
  /** Slot offered when the booking names none. Informational: travelMs decides when the outcome comes. */
  slotLeadMs: z.number().int().min(0).default(3_600_000),
  /** Outcome weights; missing keys keep their default. */
  mix: OutcomeMixSchema.prefault({}),
  webhookRetries: z.number().int().min(0).max(20).default(8),
  faults: WebhookFaultsSchema.prefault({}),
  /** Bookings the courier turns down for good (422): it does not go there, that courier cannot take it, no such slot. */
  refuse: z.strictObject({
    /** Addresses containing one of these (case-insensitive). */
    addresses: z.array(z.string().min(1)).default([]),
    couriers: z.array(z.string().min(1)).default([]),
    /** Slots (instants) it has no room in. */
    slots: z.array(z.iso.datetime({ offset: true })).default([]),
  }).prefault({}),
  /** A finished delivery's webhook is sent this much later (a report late to arrive); 0 at once. */
  reportDelayMs: z.number().int().min(0).default(0),
});
export type CourierConfig = z.infer<typeof CourierConfigSchema>;
export type CourierConfigInput = z.input<typeof CourierConfigSchema>;

export const BookDeliverySchema = z.strictObject({
  deliveryId: z.string().min(1).max(200),
  orderId: z.string().min(1).max(200),
  region: z.string().min(1).max(100),
  address: z.string().min(1).max(500),
  slot: z.iso.datetime({ offset: true }).optional(),
  collectAmount: z.number().min(0).finite().optional(),
  /** Which of the couriers this service stands for takes the parcel (it settles what it collects). */
  courier: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).optional(),
  /** 'return': pick the goods up from the customer (always done, nothing collected). */
  kind: z.enum(['delivery', 'return']).optional(),
  callbackUrl: z.url({ protocol: /^https?$/ }),
});
export type BookDelivery = z.infer<typeof BookDeliverySchema>;

/** Body of the outcome webhook POSTed to callbackUrl. */
export const DeliveryOutcomeSchema = z.strictObject({
  deliveryId: z.string(),
  orderId: z.string(),
  outcome: z.enum(DELIVERY_OUTCOMES),
  at: z.iso.datetime(),
  amountCollected: z.number().min(0).optional(),
});
export type DeliveryReport = z.infer<typeof DeliveryOutcomeSchema>;

/** Pure: the same (seed, deliveryId) always yields the same outcome. */
export function decideDeliveryOutcome(config: CourierConfig, booking: BookDelivery, at: Date): DeliveryReport {
  const outcome = booking.kind === 'return' ? 'delivered' : pick(config.mix, unit(config.seed, booking.deliveryId));
  const report: DeliveryReport = {
    deliveryId: booking.deliveryId,
    orderId: booking.orderId,
    outcome,
    at: at.toISOString(),
  };
  if (outcome === 'delivered' && booking.collectAmount !== undefined) report.amountCollected = booking.collectAmount;
  return report;
}

interface Delivery {
  booking: BookDelivery;
  /** Everything but callbackUrl: what makes a repeat "the same booking". */
  fingerprint: string;
  slot: string;
  status: 'booked' | 'cancelled' | 'completed';
  bookedAt: string;
  report?: DeliveryReport;
  timer?: TimerHandle;
  sends: number;
}

function fingerprintOf(booking: BookDelivery): string {
  const { callbackUrl: _ignored, ...identity } = booking;
  return JSON.stringify(Object.entries(identity).sort(([a], [b]) => a.localeCompare(b)));
}

export function buildCourier(input: CourierConfigInput, options: WebhookSimOptions): FastifyInstance {
  const signer = new WebhookSigner(options.webhookSecret, 'courier');
  let config = CourierConfigSchema.parse(input);
  const app = createSimApp(options);
  mountOutage(app, () => config.faults.down);
  const timers = new TimerSet();
  const deliveries = new Map<string, Delivery>();
  const attempts = new Map<string, number>();
  const stats = {
    booked: 0,
    cancelled: 0,
    completed: 0,
    rejected: 0,
    /** Bookings turned down for good (config.refuse). */
    bookingsRefused: 0,
    byOutcome: Object.fromEntries(DELIVERY_OUTCOMES.map((o) => [o, 0])) as Record<DeliveryOutcome, number>,
    collectedByRegion: {} as Record<string, number>,
    /** What each courier took at the door: the courier's side of the daily settlement. */
    collectedByCourier: {} as Record<string, number>,
    returns: 0,
    webhooksSent: 0,
    duplicatesSent: 0,
    webhooksFailed: 0,
  };

  app.addHook('preClose', async () => timers.close());

  function sendReport(delivery: Delivery): void {
    const report = delivery.report!;
    delivery.sends += 1;
    sendWebhook({
      url: delivery.booking.callbackUrl,
      body: report,
      duplicate: unit(config.seed, report.deliveryId, 'duplicate', delivery.sends) < config.faults.duplicateWebhookRate,
      duplicateAfterMs: DUPLICATE_AFTER_MS,
      retries: config.webhookRetries,
      log: app.log,
      timers,
      stats,
      signer,
    });
  }

  function complete(delivery: Delivery): void {
    if (delivery.status !== 'booked') return;
    const report = decideDeliveryOutcome(config, delivery.booking, new Date());
    delivery.report = report;
    delivery.status = 'completed';
    delivery.timer = undefined;
    stats.completed += 1;
    stats.byOutcome[report.outcome] += 1;
    if (report.amountCollected !== undefined) {
      const region = delivery.booking.region;
      stats.collectedByRegion[region] = roundMoney((stats.collectedByRegion[region] ?? 0) + report.amountCollected);
      const courier = delivery.booking.courier ?? 'default';
      stats.collectedByCourier[courier] = roundMoney((stats.collectedByCourier[courier] ?? 0) + report.amountCollected);
    }
    if (delivery.booking.kind === 'return') stats.returns += 1;
    if (config.reportDelayMs > 0) timers.after(config.reportDelayMs, () => sendReport(delivery));
    else sendReport(delivery);
  }

  /** Why the courier turns this booking down for good, if it does. */
  function refusalOf(booking: BookDelivery): string | undefined {
    const { addresses, couriers, slots } = config.refuse;
    const address = booking.address.toLowerCase();
    if (addresses.some((a) => address.includes(a.toLowerCase()))) return `no delivery to ${booking.address}`;
    if (booking.courier && couriers.includes(booking.courier)) return `courier ${booking.courier} takes no parcels for region ${booking.region}`;
    if (booking.slot && slots.some((t) => Date.parse(t) === Date.parse(booking.slot!))) return `no room in slot ${booking.slot}`;
    return undefined;
  }

  app.post('/deliveries', async (request, reply) => {
    const body = parseOr400(BookDeliverySchema, request.body, reply);
    if (body === undefined) return reply;
    const attempt = (attempts.get(body.deliveryId) ?? 0) + 1;
    attempts.set(body.deliveryId, attempt);

    await timers.sleep(config.faults.latencyMs);
    if (unit(config.seed, body.deliveryId, 'error', attempt) < config.faults.errorRate) {
      stats.rejected += 1;
      return unavailable(reply);
    }

    const fingerprint = fingerprintOf(body);
    const existing = deliveries.get(body.deliveryId);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        return reply.code(409).send({
          error: 'delivery-id-reused',
          message: `deliveryId ${body.deliveryId} was already booked with different details`,
        });
      }
      existing.booking.callbackUrl = body.callbackUrl;
      if (existing.report) sendReport(existing);
      // A cancelled booking stays cancelled: saying "booked" would be a lie.
      const status = existing.status === 'cancelled' ? 'cancelled' : 'booked';
      return reply.code(200).send({ deliveryId: body.deliveryId, status, slot: existing.slot });
    }

    // Refused bookings are not kept: the same id with other details may be booked later.
    const refused = body.kind === 'return' ? undefined : refusalOf(body);
    if (refused) {
      stats.bookingsRefused += 1;
      return reply.code(422).send({ error: 'booking-refused', message: refused });
    }

    const slot = body.slot ?? new Date(Date.now() + config.slotLeadMs).toISOString();
    const delivery: Delivery = {
      booking: body,
      fingerprint,
      slot,
      status: 'booked',
      bookedAt: new Date().toISOString(),
      sends: 0,
    };
    deliveries.set(body.deliveryId, delivery);
    stats.booked += 1;
    const travelMs = between(config.travelMs.min, config.travelMs.max, unit(config.seed, body.deliveryId, 'travel'));
    delivery.timer = timers.after(travelMs, () => complete(delivery));
    request.log.debug({ deliveryId: body.deliveryId, region: body.region, travelMs }, 'delivery booked');
    return reply.code(202).send({ deliveryId: body.deliveryId, status: 'booked', slot });
  });

  app.post('/deliveries/:deliveryId/cancel', async (request, reply) => {
    const { deliveryId } = request.params as { deliveryId: string };
    const delivery = deliveries.get(deliveryId);
    if (!delivery) return reply.code(404).send({ error: 'not-found', message: `no delivery ${deliveryId}` });
    if (delivery.status === 'completed') {
      return reply.code(409).send({ error: 'already-completed', outcome: delivery.report!.outcome });
    }
    if (delivery.status === 'booked') {
      timers.cancel(delivery.timer);
      delivery.timer = undefined;
      delivery.status = 'cancelled';
      stats.cancelled += 1;
    }
    return { deliveryId, status: 'cancelled' };
  });

  app.get('/deliveries/:deliveryId', async (request, reply) => {
    const { deliveryId } = request.params as { deliveryId: string };
    const delivery = deliveries.get(deliveryId);
    if (!delivery) return reply.code(404).send({ error: 'not-found', message: `no delivery ${deliveryId}` });
    const { callbackUrl: _callbackUrl, ...booking } = delivery.booking;
    return {
      ...booking,
      slot: delivery.slot,
      status: delivery.status,
      bookedAt: delivery.bookedAt,
      report: delivery.report ?? null,
    };
  });

  app.get('/stats', async () => stats);

  mountConfig(app, CourierConfigSchema, {
    get: () => config,
    set: (next) => {
      config = next;
    },
  });

  return app;
}

import { Counter, Gauge, Histogram } from 'prom-client';
import { DISPOSITIONS, type AttemptDisposition } from '../../domain/campaign/dialing';
import { registry } from './registry';

/**
 * Every metric of the application, in one place: names `telemarketing_*`, each with its meaning in
 * its HELP text. docs/operations.md says which an on-call person watches and what to do when one
 * is off. A label takes values from a fixed set only (a route's pattern, a region, a disposition),
 * never an id. Counters whose labels are known in advance start at 0, so a rate is there from
 * the first scrape and an alert on "more than 0" sees the first increment.
 */
const registers = [registry];

// ---- the API ---------------------------------------------------------------------------------

export const httpRequestDuration = new Histogram({
  name: 'telemarketing_http_request_duration_seconds',
  help: 'API requests by route (its pattern, e.g. /orders/:id; "unmatched" for none), method and status, and how long each took to answer',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const webhookVerificationFailures = new Counter({
  name: 'telemarketing_webhook_verification_failures_total',
  help: 'Webhooks refused (401) because their sender (dialer, courier) did not sign them: reason missing-header, bad-timestamp, too-old, too-new (a clock off by more than 5 minutes) or no-match (a wrong secret or a changed body)',
  labelNames: ['sender', 'reason'] as const,
  registers,
});

/** Read from Postgres at each scrape of the API (api/metrics.ts), not counted by the process. */
export const openOrders = new Gauge({
  name: 'telemarketing_orders',
  help: 'Orders not closed yet (stage other than done), by status (acknowledged, inProgress, held, completed awaiting its follow-up) and stage (delivery, activation, followUp), read from Postgres at the scrape',
  labelNames: ['status', 'stage'] as const,
  registers,
});

export const heldDeliveries = new Gauge({
  name: 'telemarketing_held_deliveries',
  help: 'Orders held for a scheduler after a failed delivery (the dispatchers\' work queue, GET /deliveries), by region and time since the failure (lt1h, 1h-4h, 4h-1d, 1d-3d, gt3d), read from Postgres at the scrape',
  labelNames: ['region', 'age'] as const,
  registers,
});

export const heldDeliveryOldest = new Gauge({
  name: 'telemarketing_held_delivery_oldest_seconds',
  help: 'Seconds since the oldest failure still held for a scheduler in each region (GET /deliveries), read from Postgres at the scrape',
  labelNames: ['region'] as const,
  registers,
});

export const reportLatency = new Histogram({
  name: 'telemarketing_report_duration_seconds',
  help: 'How long a report took to compute and render, by report (funnel, roi, ...) and format (json, csv, svg), failed ones included',
  labelNames: ['report', 'format'] as const,
  buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers,
});

export const reportFailures = new Counter({
  name: 'telemarketing_report_failures_total',
  help: 'Reports that failed (an error or a timeout instead of the report), by report and format',
  labelNames: ['report', 'format'] as const,
  registers,
});

// ---- the worker ------------------------------------------------------------------------------

/** Every disposition a campaign's call can end with: the dialer's, and our own (not placed, blocked at dialing). */
export const CALL_DISPOSITIONS: readonly AttemptDisposition[] = [...DISPOSITIONS, 'not-placed', 'blocked'];

export const campaignCalls = new Counter({
  name: 'telemarketing_campaign_calls_total',
  help: 'Calls of campaigns that ended, by disposition (the dialer\'s, or not-placed, blocked at dialing), each counted once: when the campaign settles the lead\'s attempt, whatever repeats of its webhook came',
  labelNames: ['disposition'] as const,
  registers,
});
for (const disposition of CALL_DISPOSITIONS) campaignCalls.inc({ disposition }, 0);

// ---- both ------------------------------------------------------------------------------------

export const telemetryScrapeErrors = new Counter({
  name: 'telemarketing_telemetry_scrape_errors_total',
  // each process starts its own source at 0: the API postgres, the worker temporal-sdk
  help: 'Scrapes that went without part of their metrics because their source failed or was too slow: postgres (the API\'s order and held-delivery gauges are absent then), temporal-sdk (the worker\'s temporal_* metrics are absent then)',
  labelNames: ['source'] as const,
  registers,
});

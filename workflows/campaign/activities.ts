import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { createCampaignActivities } from '../../activities/campaign/campaigns';
import type { createLeadActivities } from '../../activities/campaign/leads';
import type { createOrderActivities } from '../../activities/order/orders';
import type { createPreviewActivities } from '../../activities/campaign/preview';
import type { createTelephonyActivities } from '../../activities/campaign/telephony';
import type { createReportActivities } from '../../activities/reports/funnel';
import { PLACE_CALLS_MAX_ATTEMPTS } from '../../domain/campaign/dialing';
import type { Outages } from '../../domain/campaign/outages';
import { riddenOut } from './outages';

// The campaign's activity stubs, each typed from its own group's factory (a lead stub cannot
// place a call), with timeouts that fit its side effect.

type LeadActivities = ReturnType<typeof createLeadActivities>;
type CampaignActivities = ReturnType<typeof createCampaignActivities>;
type PreviewActivities = ReturnType<typeof createPreviewActivities>;
type OrderStart = Pick<ReturnType<typeof createOrderActivities>, 'startOrder'>;
type TelephonyActivities = ReturnType<typeof createTelephonyActivities>;

/** The Postgres work of the campaign: its leads, its row, the orders it starts. */
export interface Store {
  leads: LeadActivities;
  campaign: CampaignActivities;
  orders: OrderStart;
}

// Postgres statements take seconds and are retried until the database is back (they are idempotent).
const DATA: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
};
// The dialing loop's Postgres work, tried for ~15 s before the loop calls it an outage (and says so).
const DATA_TRIES: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 4 },
};

/** The loop's Postgres work, retried until it succeeds; `orders` also starts the orders' workflows. */
export const stubs: Store & { preview: PreviewActivities } = {
  leads: proxyActivities<LeadActivities>(DATA),
  campaign: proxyActivities<CampaignActivities>(DATA),
  orders: proxyActivities<OrderStart>(DATA),
  preview: proxyActivities<PreviewActivities>(DATA),
};
const dataTries: Store = {
  leads: proxyActivities<LeadActivities>(DATA_TRIES),
  campaign: proxyActivities<CampaignActivities>(DATA_TRIES),
  orders: proxyActivities<OrderStart>(DATA_TRIES),
};

/** The loop's Postgres work with every call ridden out through an outage of the database. */
export function riddenOutStore(outages: Outages, changed: () => void): Store {
  return {
    leads: riddenOut(outages, 'database', dataTries.leads, changed),
    campaign: riddenOut(outages, 'database', dataTries.campaign, changed),
    orders: riddenOut(outages, 'database', dataTries.orders, changed),
  };
}

// A reading of the reporting module's figures: a few tries; a failed one keeps the last reading.
// Short: a hand-over waits for a reading under way (while agents are asked to retry), and a
// reading is never worth holding anything up for.
export const reports = proxyActivities<ReturnType<typeof createReportActivities>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1s', maximumInterval: '2s', maximumAttempts: 2 },
  summary: 'funnel from the reporting module',
});

export const listPull = proxyActivities<Pick<CampaignActivities, 'pullList'>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute', // the pull beats every 5 s: a dead worker costs a minute, not the 30, and the retry resumes
  retry: { initialInterval: '5s', maximumInterval: '1 minute' },
  summary: 'list pull: segment → leads',
});

// Placing a batch of calls takes a moment (the dialer answers at once; outcomes come by signal).
// A dialer outage is retried a few times; the last attempt reports what is still refused as not placed.
export const dialer = proxyActivities<TelephonyActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: PLACE_CALLS_MAX_ATTEMPTS },
});
// Placing through an outage: a dialer that takes none of a batch within ~12 s is called down (and
// the batch tried again later, see rideOut) instead of answering its calls as not placed.
export const dialerTries = proxyActivities<TelephonyActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: PLACE_CALLS_MAX_ATTEMPTS },
});
// Campaigns started before calls-by-signal (legacy.ts): a call waits for the customer, minutes.
// The dialer being down is retried a few times, then the attempt counts as not placed and the
// caller's retry rule takes over.
export const telephony = proxyActivities<Pick<TelephonyActivities, 'placeCall'>>({
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '2s', maximumInterval: '1 minute', maximumAttempts: 6 },
});

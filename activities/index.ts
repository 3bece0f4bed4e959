import type { Client } from '@temporalio/client';
import type { Db } from '../infra/db';
import type { WebhookAddressPolicy } from '../domain/alerts/webhook-address';
import { createBillingActivities } from './order/billing';
import { createCampaignActivities } from './campaign/campaigns';
import { createDeliveryActivities } from './order/delivery';
import { createDeliveryJobActivities } from './dispatch/retry-jobs';
import { createLeadActivities } from './campaign/leads';
import { createOrderActivities } from './order/orders';
import { createPacingReader } from './campaign/pacing';
import { createPreviewActivities } from './campaign/preview';
import { createReportActivities } from './reports/funnel';
import { createStockActivities } from './logistics/stock';
import { createTelephonyActivities } from './campaign/telephony';
import { createAlertActivities } from './alerts/delivery';
import { createBillingActivities as createBillingImportActivities } from './sales-points/billing';
import { createBudgetWatchActivities } from './sales-points/budget-watch';
import { createReconciliationActivities } from './sales-points/reconciliation';
import { createRunActivities } from './sales-points/runs';
import { createReferralActivities } from './hotline/referrals';
import { createReferralSweepActivities } from './hotline/sweep';

export interface ActivityDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  publicApiUrl: string;
  dialerUrl: string;
  courierUrl: string;
  bssUrl: string;
  bssTimeoutMs: number;
  /** OPERATOR_TIME_ZONE: sales-points months and a sale's day are the operator's. */
  operatorTimeZone: string;
  /** ALERT_WEBHOOK_SECRET: alerts are signed with it (none sent without). */
  alertWebhookSecret: string | undefined;
  /** ALERT_WEBHOOK_ALLOW_PRIVATE, ALERT_WEBHOOK_ALLOWED_NETWORKS: the addresses alerts may be posted to. */
  alertWebhookPolicy: WebhookAddressPolicy;
}

/** Every activity the worker registers, built from its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCampaignActivities(deps.db),
    ...createLeadActivities(deps.db, createPacingReader(deps)),
    ...createPreviewActivities(deps.db),
    ...createTelephonyActivities(deps),
    ...createOrderActivities(deps),
    ...createDeliveryActivities(deps),
    ...createStockActivities(deps),
    ...createDeliveryJobActivities(deps),
    ...createReportActivities(deps.db),
    ...createBillingActivities({ db: deps.db, bssUrl: deps.bssUrl, timeoutMs: deps.bssTimeoutMs }),
    ...createRunActivities(deps),
    ...createBillingImportActivities({ db: deps.db, bssUrl: deps.bssUrl, timeoutMs: deps.bssTimeoutMs }),
    ...createReconciliationActivities({ db: deps.db, timeZone: deps.operatorTimeZone }),
    ...createBudgetWatchActivities({ db: deps.db, timeZone: deps.operatorTimeZone }),
    ...createAlertActivities({ db: deps.db, secret: deps.alertWebhookSecret, policy: deps.alertWebhookPolicy }),
    ...createReferralActivities(deps.db),
    ...createReferralSweepActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

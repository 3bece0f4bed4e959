import { ApplicationFailure } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../infra/db';
import { STRICT, type WebhookAddressPolicy } from '../../domain/alerts/webhook-address';
import {
  alertWebhookUrl, claimDelivery, getAlert, raiseAlert, recordDeliveryAttempt, undeliveredAlertIds, type Alert, type AlertInput,
} from '../../db/alerts/alerts-sql';
import { AddressRefused, postWebhook, type Resolve } from './webhook-post';

export interface AlertDeliveryDeps {
  db: Db;
  /** ALERT_WEBHOOK_SECRET: what alerts are signed with; without it none is sent (never unsigned). */
  secret: string | undefined;
  /** Which addresses alerts may be posted to (ALERT_WEBHOOK_ALLOW_PRIVATE, …); https on the public internet only by default. */
  policy?: WebhookAddressPolicy;
  timeoutMs?: number;
  /** How the receiver's name is resolved (a test's own resolver); the system's by default. */
  resolve?: Resolve;
}

/** What the receiver gets: the alert as GET /alerts shows it, without its delivery bookkeeping. */
export const alertPayload = (a: Alert) => ({ id: a.id, kind: a.kind, subject: a.subject, level: a.level, message: a.message, raisedAt: a.raisedAt });

/** A receiver's answer that another attempt will not change: a redirect (never followed) or a 4xx but a timeout or a rate limit. */
const FINAL_STATUS = (status: number) => (status >= 300 && status < 500 && status !== 408 && status !== 429);

type Outcome = 'delivered' | 'no-address' | { busyUntil: string };

/**
 * Alerts as activities: raised once per kind, subject and level, and posted to the address finance
 * set (sales_points_settings.alert_webhook_url) as a Standard Webhooks message whose webhook-id is
 * the alert's id, so a receiver that sees it twice (a retry after a lost answer) can tell. Each post
 * first takes the alert (a lease), so an escalation's activity and the budget watch's pass that
 * meet on one alert post it once.
 */
export function createAlertActivities(deps: AlertDeliveryDeps) {
  const signer = deps.secret ? new Webhook(deps.secret) : undefined;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  // Longer than a post may take: the lease outlives the attempt that took it only when its worker died.
  const leaseSeconds = Math.ceil(timeoutMs / 1000) + 30;

  /** One attempt: delivered (now or before), no address set, or another attempt posting it now; throws otherwise. */
  const attempt = async (id: number): Promise<Outcome> => {
    const url = await alertWebhookUrl(deps.db);
    if (!url) return 'no-address';
    const alert = await getAlert(deps.db, id);
    if (!alert) throw ApplicationFailure.nonRetryable(`alert ${id} not found`, 'UnknownAlert');
    if (alert.deliveredAt) return 'delivered';
    if (!signer) {
      const error = 'ALERT_WEBHOOK_SECRET is not set: alerts are never sent unsigned';
      await recordDeliveryAttempt(deps.db, id, { error });
      throw ApplicationFailure.nonRetryable(error, 'AlertNotSigned');
    }
    const claim = await claimDelivery(deps.db, id, leaseSeconds);
    if ('delivered' in claim) return 'delivered';
    if ('busyUntil' in claim) return claim;
    if ('missing' in claim) throw ApplicationFailure.nonRetryable(`alert ${id} not found`, 'UnknownAlert');

    const body = JSON.stringify(alertPayload(alert));
    const webhookId = String(alert.id);
    const at = new Date();
    let error: string;
    let refusal: string | undefined;
    try {
      const status = await postWebhook(url, {
        headers: {
          'content-type': 'application/json', 'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(webhookId, at, body),
        },
        body, timeoutMs, policy: deps.policy ?? STRICT, resolve: deps.resolve,
      });
      if (status >= 200 && status < 300) {
        await recordDeliveryAttempt(deps.db, id, { delivered: true }, claim.lease);
        return 'delivered';
      }
      error = `the alert address answered ${status}${status >= 300 && status < 400 ? ' (a redirect: not followed)' : ''}`;
      if (FINAL_STATUS(status)) refusal = 'AlertRefused';
    } catch (err) {
      if (err instanceof AddressRefused) {
        error = `alerts are not posted to this address: ${err.message}`;
        refusal = 'AlertAddressRefused';
      } else {
        error = `the alert address could not be reached: ${(err as Error).message}`;
      }
    }
    await recordDeliveryAttempt(deps.db, id, { error }, claim.lease);
    throw refusal ? ApplicationFailure.nonRetryable(error, refusal) : new Error(error);
  };

  return {
    /** Raises an alert (once per kind, subject and level); `raised` false when it was there already. */
    async raiseAlert(input: AlertInput): Promise<{ id: number; raised: boolean }> {
      return raiseAlert(deps.db, input);
    },

    /**
     * Posts one alert; failures are recorded on it and thrown, for the retry policy. One another
     * attempt is posting now is thrown too (not recorded): the retry finds it delivered, or takes it.
     */
    async deliverAlert(id: number): Promise<{ delivered: boolean }> {
      const outcome = await attempt(id);
      if (typeof outcome === 'object') throw new Error(`alert ${id} is being posted by another attempt (until ${outcome.busyUntil})`);
      return { delivered: outcome === 'delivered' };
    },

    /**
     * One attempt at every alert not delivered yet (oldest first, at most `limit`): the ones whose
     * retries ran out, raised while no address was set, or raised by SQL. Failures are recorded, not
     * thrown; one another attempt is posting now is left to it.
     */
    async deliverUndeliveredAlerts(limit = 100): Promise<{ delivered: number; failed: number }> {
      if (!(await alertWebhookUrl(deps.db))) return { delivered: 0, failed: 0 };
      let delivered = 0;
      let failed = 0;
      for (const id of await undeliveredAlertIds(deps.db, limit)) {
        try {
          if ((await attempt(id)) === 'delivered') delivered++;
        } catch {
          failed++;
        }
      }
      return { delivered, failed };
    },
  };
}

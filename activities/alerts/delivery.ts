import { ApplicationFailure } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../../infra/db';
import { alertWebhookUrl, getAlert, raiseAlert, recordDeliveryAttempt, undeliveredAlertIds, type Alert, type AlertInput } from '../../db/alerts/alerts-sql';

export interface AlertDeliveryDeps {
  db: Db;
  /** ALERT_WEBHOOK_SECRET: what alerts are signed with; without it none is sent (never unsigned). */
  secret: string | undefined;
  timeoutMs?: number;
}

/** What the receiver gets: the alert as GET /alerts shows it, without its delivery bookkeeping. */
export const alertPayload = (a: Alert) => ({ id: a.id, kind: a.kind, subject: a.subject, level: a.level, message: a.message, raisedAt: a.raisedAt });

/** A receiver's answer that another attempt will not change. */
const FINAL_STATUS = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/**
 * Alerts as activities: raised once per kind, subject and level, and posted to the address finance
 * set (sales_points_settings.alert_webhook_url) as a Standard Webhooks message whose webhook-id is
 * the alert's id, so a receiver that sees it twice (a retry after a lost answer) can tell.
 */
export function createAlertActivities(deps: AlertDeliveryDeps) {
  const signer = deps.secret ? new Webhook(deps.secret) : undefined;

  /** One attempt: true when delivered (now or before), false when there is no address; throws otherwise. */
  const attempt = async (id: number): Promise<boolean> => {
    const url = await alertWebhookUrl(deps.db);
    if (!url) return false;
    const alert = await getAlert(deps.db, id);
    if (!alert) throw ApplicationFailure.nonRetryable(`alert ${id} not found`, 'UnknownAlert');
    if (alert.deliveredAt) return true;
    if (!signer) {
      const error = 'ALERT_WEBHOOK_SECRET is not set: alerts are never sent unsigned';
      await recordDeliveryAttempt(deps.db, id, { error });
      throw ApplicationFailure.nonRetryable(error, 'AlertNotSigned');
    }
    const body = JSON.stringify(alertPayload(alert));
    const webhookId = String(alert.id);
    const at = new Date();
    let error: string;
    let final = false;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json', 'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(webhookId, at, body),
        },
        body,
        // A redirect is not followed: an outside address must not turn the post into a request to
        // an inside one.
        redirect: 'error',
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        await recordDeliveryAttempt(deps.db, id, { delivered: true });
        return true;
      }
      error = `the alert address answered ${res.status}`;
      final = FINAL_STATUS(res.status);
    } catch (err) {
      error = `the alert address could not be reached: ${(err as Error).message}`;
    }
    await recordDeliveryAttempt(deps.db, id, { error });
    throw final ? ApplicationFailure.nonRetryable(error, 'AlertRefused') : new Error(error);
  };

  return {
    /** Raises an alert (once per kind, subject and level); `raised` false when it was there already. */
    async raiseAlert(input: AlertInput): Promise<{ id: number; raised: boolean }> {
      return raiseAlert(deps.db, input);
    },

    /** Posts one alert; failures are recorded on it and thrown, for the retry policy. */
    async deliverAlert(id: number): Promise<{ delivered: boolean }> {
      return { delivered: await attempt(id) };
    },

    /**
     * One attempt at every alert not delivered yet (oldest first, at most `limit`): the ones whose
     * retries ran out, raised while no address was set, or raised by SQL. Failures are recorded, not thrown.
     */
    async deliverUndeliveredAlerts(limit = 100): Promise<{ delivered: number; failed: number }> {
      if (!(await alertWebhookUrl(deps.db))) return { delivered: 0, failed: 0 };
      let delivered = 0;
      let failed = 0;
      for (const id of await undeliveredAlertIds(deps.db, limit)) {
        try {
          if (await attempt(id)) delivered++;
        } catch {
          failed++;
        }
      }
      return { delivered, failed };
    },
  };
}

import { newWebhookSecret, webhookSecretProblem } from '../../infra/webhook-secrets';
import { keptSecrets } from './kept-secrets';

/** The secret each simulated sender signs its webhooks with. */
export interface DevWebhookSecrets {
  dialer: string;
  courier: string;
}

/**
 * The local stack's webhook secrets: made once and kept in the data dir (readable by its owner
 * only), so the sims and the API, restarted or not, agree on them across runs. For development
 * only: a deployment takes its secrets from the environment (docs/security.md).
 */
export function devWebhookSecrets(dataDir: string): DevWebhookSecrets {
  return keptSecrets<DevWebhookSecrets>(dataDir, 'webhook-secrets.json', () => ({ dialer: newWebhookSecret(), courier: newWebhookSecret() }), (kept) => {
    for (const sender of ['dialer', 'courier'] as const) {
      const problem = typeof kept[sender] === 'string' ? webhookSecretProblem(kept[sender]) : 'missing';
      if (problem) return `${sender}: ${problem}`;
    }
    return undefined;
  });
}

/**
 * What the API and the sims are given: the API every accepted secret of a sender
 * (`DIALER_WEBHOOK_SECRETS`, the current one first), each sim the current one, which it signs with.
 */
export function webhookSecretEnv(accepted: { dialer: string[]; courier: string[] }): Record<string, string> {
  return {
    DIALER_WEBHOOK_SECRETS: accepted.dialer.join(' '),
    COURIER_WEBHOOK_SECRETS: accepted.courier.join(' '),
    DIALER_WEBHOOK_SECRET: accepted.dialer[0]!,
    COURIER_WEBHOOK_SECRET: accepted.courier[0]!,
  };
}

/**
 * The secret the local stack's worker signs alerts with (ALERT_WEBHOOK_SECRET; docs/sales-points.md),
 * made once and kept beside the others, so a receiver set up against it keeps working across runs.
 */
export function devAlertWebhookSecret(dataDir: string): string {
  return keptSecrets<{ alerts: string }>(dataDir, 'alert-webhook-secret.json', () => ({ alerts: newWebhookSecret() }), (kept) =>
    typeof kept.alerts === 'string' ? webhookSecretProblem(kept.alerts) : 'missing').alerts;
}

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

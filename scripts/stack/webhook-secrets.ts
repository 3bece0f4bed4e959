import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newWebhookSecret, webhookSecretProblem } from '../../infra/webhook-secrets';
import { shownPath } from './paths';

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
  const file = path.join(dataDir, 'webhook-secrets.json');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const fresh: DevWebhookSecrets = { dialer: newWebhookSecret(), courier: newWebhookSecret() };
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return fresh;
  }
  let kept: Partial<DevWebhookSecrets>;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevWebhookSecrets>;
  } catch (err) {
    throw new Error(`${shownPath(file)}: not JSON (${(err as Error).message}); delete it to have new secrets made`);
  }
  for (const sender of ['dialer', 'courier'] as const) {
    const problem = typeof kept[sender] === 'string' ? webhookSecretProblem(kept[sender]) : 'missing';
    if (problem) throw new Error(`${shownPath(file)}: ${sender}: ${problem}; delete the file to have new secrets made`);
  }
  return kept as DevWebhookSecrets;
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

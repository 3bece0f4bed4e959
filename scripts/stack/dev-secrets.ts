import { randomBytes } from 'node:crypto';
import { DATA_DIR } from './paths';
import { keptSecrets } from './kept-secrets';
import { newPayloadKey, parsePayloadKeys } from '../../infra/privacy/payload-keys';

/**
 * The local stack's own secrets, made once and kept in the stack's data folder (never in git,
 * readable by its owner only): the key its development tokens are signed with. A deployment sets
 * its keys in the environment (docs/security.md), and the API reads nothing but the environment.
 */
export interface DevSecrets {
  jwtSecret: string;
}

export function devSecrets(dataDir: string = DATA_DIR): DevSecrets {
  return keptSecrets<DevSecrets>(dataDir, 'dev-secrets.json', () => ({ jwtSecret: randomBytes(32).toString('base64url') }),
    (kept) => (typeof kept.jwtSecret === 'string' && kept.jwtSecret.length >= 32 ? undefined : 'jwtSecret is not a secret of 32 characters or more'));
}

/** Whether the environment names a key of its own (then the stack makes no token: its issuer does). */
export const authFromEnvironment = (env: Record<string, string | undefined>) =>
  Boolean(env.AUTH_JWT_SECRET || env.AUTH_JWT_PUBLIC_KEY || env.AUTH_JWKS_ISSUER);

/**
 * The stack's payload key (TEMPORAL_PAYLOAD_KEYS), kept apart from the other secrets and made once:
 * its Temporal state file holds histories encrypted with it, unreadable without it. A file from
 * before encryption is not needed: its histories are in clear, and still read.
 */
export function devPayloadKeys(dataDir: string = DATA_DIR): string {
  return keptSecrets<{ payloadKeys: string }>(dataDir, 'payload-keys.json', () => ({ payloadKeys: newPayloadKey('dev1') }),
    (kept) => {
      const keys = typeof kept.payloadKeys === 'string' ? parsePayloadKeys(kept.payloadKeys) : 'no payloadKeys';
      return typeof keys === 'string' ? `payloadKeys: ${keys}` : undefined;
    }).payloadKeys;
}

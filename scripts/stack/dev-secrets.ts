import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from './paths';

/**
 * The local stack's own secrets, made once and kept in the stack's data folder (never in git):
 * the key its development tokens are signed with. A deployment sets its keys in the environment
 * (docs/security.md), and the API reads nothing but the environment.
 */
export interface DevSecrets {
  jwtSecret: string;
}

const FILE = () => path.join(DATA_DIR, 'dev-secrets.json');

export function devSecrets(): DevSecrets {
  const file = FILE();
  const kept: Partial<DevSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets> : {};
  const secrets: DevSecrets = { jwtSecret: kept.jwtSecret ?? randomBytes(32).toString('base64url') };
  if (JSON.stringify(kept) !== JSON.stringify(secrets)) writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** Whether the environment names a key of its own (then the stack makes no token: its issuer does). */
export const authFromEnvironment = (env: Record<string, string | undefined>) =>
  Boolean(env.AUTH_JWT_SECRET || env.AUTH_JWT_PUBLIC_KEY || env.AUTH_JWKS_ISSUER);

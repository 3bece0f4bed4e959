import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR, shownPath } from './paths';

/**
 * The local stack's own secrets, made once and kept in the stack's data folder (never in git,
 * readable by its owner only): the key its development tokens are signed with. A deployment sets
 * its keys in the environment (docs/security.md), and the API reads nothing but the environment.
 */
export interface DevSecrets {
  jwtSecret: string;
}

export function devSecrets(dataDir: string = DATA_DIR): DevSecrets {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const fresh: DevSecrets = { jwtSecret: randomBytes(32).toString('base64url') };
    writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return fresh;
  }
  let kept: Partial<DevSecrets>;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
  } catch (err) {
    throw new Error(`${shownPath(file)}: not JSON (${(err as Error).message}); delete it to have a new secret made`);
  }
  if (typeof kept.jwtSecret !== 'string' || kept.jwtSecret.length < 32) {
    throw new Error(`${shownPath(file)}: jwtSecret is not a secret of 32 characters or more; delete the file to have a new one made`);
  }
  return kept as DevSecrets;
}

/** Whether the environment names a key of its own (then the stack makes no token: its issuer does). */
export const authFromEnvironment = (env: Record<string, string | undefined>) =>
  Boolean(env.AUTH_JWT_SECRET || env.AUTH_JWT_PUBLIC_KEY || env.AUTH_JWKS_ISSUER);

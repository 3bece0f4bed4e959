import { parseArgs } from 'node:util';
import { runMain } from '../infra/process';
import { ROLES, type Role } from '../domain/access/roles';
import { devSecrets } from './stack/dev-secrets';
import { devToken } from './stack/tokens';

/**
 * `npm run token -- --role marketing --sub alice [--role agent] [--expires 12h]`: a development
 * token signed with AUTH_JWT_SECRET, or else with the local stack's own secret (.data/), for the
 * README's curl examples. A deployment's tokens come from its identity provider.
 */
await runMain('token', async () => {
  const { values } = parseArgs({
    options: { role: { type: 'string', multiple: true }, sub: { type: 'string' }, expires: { type: 'string', default: '12h' } },
  });
  const roles = values.role ?? [];
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (!roles.length || unknown.length) throw new Error(`--role: one or more of ${ROLES.join(', ')}${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`);
  if (!/^\d+(ms|s|m|h|d)$/.test(values.expires)) throw new Error(`--expires: a duration such as 30m, 12h or 7d, got '${values.expires}'`);
  const secret = process.env.AUTH_JWT_SECRET ?? devSecrets().jwtSecret;
  console.log(devToken(secret, values.sub ?? `dev-${roles[0]}`, roles as Role[], values.expires));
});

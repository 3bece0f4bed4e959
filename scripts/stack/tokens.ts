import { createSigner } from 'fast-jwt';
import { ROLES, type Role } from '../../domain/access/roles';

/**
 * Development tokens: HS256, signed with the stack's or the tests' own secret (never a key of a
 * real deployment, whose tokens its identity provider issues). `npm run token`, `npm run stack`,
 * the demo, the tests and the benches make theirs here.
 */
export function devToken(secret: string, sub: string, roles: readonly Role[], expiresIn = '12h'): string {
  const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn });
  return sign({ sub, roles });
}

/** One token per role (subject `dev-<role>`), as the stack prints them. */
export function devTokens(secret: string): Record<Role, string> {
  return Object.fromEntries(ROLES.map((role) => [role, devToken(secret, `dev-${role}`, [role])])) as Record<Role, string>;
}

/**
 * The Temporal UI shows payloads encrypted until the browser is signed in to the codec server: a
 * link that does it with the ops token (after '#', so it reaches no server log).
 */
export function printCodecSignIn(apiUrl: string, tokens: Record<string, string> | undefined): void {
  const signIn = `${apiUrl}/codec/sign-in`;
  console.log(tokens?.ops
    ? `\nTemporal UI, decoded payloads: open ${signIn}#${tokens.ops} once in the browser you use for the UI`
    : `\nTemporal UI, decoded payloads: sign in at ${signIn} with an ops token`);
}

/**
 * The dashboard's address: with the stack's own tokens, a link that signs a browser in with the
 * read-only `qa` role (kept in the dashboard's cookie, then taken out of the address bar).
 */
export function dashboardLink(apiUrl: string, tokens: Record<string, string> | undefined): string {
  return tokens?.qa ? `${apiUrl}/dashboard?token=${tokens.qa}` : `${apiUrl}/dashboard`;
}

export function printDashboard(apiUrl: string, tokens: Record<string, string> | undefined, note = ''): void {
  console.log(tokens?.qa
    ? `\nDashboard  ${dashboardLink(apiUrl, tokens)}\n           (signs this browser in as dev-qa, read-only${note})`
    : `\nDashboard  ${apiUrl}/dashboard (sign in with a token of marketing, finance, scheduler or qa${note})`);
}

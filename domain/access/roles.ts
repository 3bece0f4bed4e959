/**
 * Who may do what. Every route of the API declares, beside itself, the roles that may call it
 * (api/access/auth.ts reads the declaration); these rules add the two roles that stand above the
 * others, so no route has to repeat them:
 * - `admin` may do everything;
 * - `ops` may read everything (every GET), and the audit log.
 */
export const ROLES = ['marketing', 'agent', 'staff', 'self-service', 'scheduler', 'logistics', 'finance', 'qa', 'ops', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role is for, in a user's words (docs/security.md and the OpenAPI document show it). */
export const ROLE_MEANING: Record<Role, string> = {
  marketing: 'launches, tunes and evaluates campaigns; segments, teams and agents',
  agent: 'takes and reports leads in preview dialing (of their own team); hotline calls: their interactions, recommendations and outcomes; records and disputes their own sales',
  staff: 'a salesperson in a shop or partner outlet (营业员): records and disputes their own sales, reads their own statement',
  'self-service': 'a self-service channel\'s system (IVR, SMS hall, app, web hall): opens its interactions, reads their recommendations, reports their outcomes; sends the orders customers make in it (POST /orders with its channel)',
  scheduler: 'retries, reschedules, reassigns or cancels deliveries and orders',
  logistics: 'stock and goods receipts',
  finance: 'couriers’ settlements; sales points: imports, reconciliation approval, disputes, budgets, payouts',
  qa: 'quality assurance: reads calls and complaints',
  ops: 'reads everything, and the audit log',
  admin: 'everything',
};

/** Who is calling: a token's subject and the roles it was given. */
export interface Principal {
  sub: string;
  roles: Role[];
}

/**
 * Who acted, as it travels with a person's request to a workflow (in the message itself, so the
 * Temporal UI shows it in the update's or signal's input) and into the audit log.
 */
export interface Actor {
  sub: string;
  role: Role;
}

/** "alice (marketing)", for details and order histories. */
export const describeActor = (actor: Actor | undefined): string | undefined => (actor ? `${actor.sub} (${actor.role})` : undefined);

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request of this method only reads (ops may send it anywhere; the audit log records the others). */
export const isRead = (method: string): boolean => READS.has(method.toUpperCase());

/** The roles a route lets in: the ones it declares, `admin` always, and `ops` on reads. */
export function allowedRoles(declared: readonly Role[], method: string): Role[] {
  const allowed = new Set<Role>(declared);
  allowed.add('admin');
  if (isRead(method)) allowed.add('ops');
  return ROLES.filter((r) => allowed.has(r));
}

/**
 * The role a principal acts in on a route it may call, or undefined: forbidden. An admin acts as
 * admin (the widest, e.g. a whole segment); otherwise the first of the route's roles it holds.
 */
export function actingRole(principal: Principal, allowed: readonly Role[]): Role | undefined {
  if (principal.roles.includes('admin') && allowed.includes('admin')) return 'admin';
  return allowed.find((r) => principal.roles.includes(r));
}

/** A token's claims as a principal: a subject and known roles, or the reason it is not one. */
export function principalOf(claims: unknown): Principal | string {
  if (typeof claims !== 'object' || claims === null) return 'the token carries no claims';
  const { sub, roles } = claims as { sub?: unknown; roles?: unknown };
  if (typeof sub !== 'string' || !sub.length || sub.length > 200) return 'the token has no subject (sub)';
  if (!Array.isArray(roles) || !roles.length) return 'the token has no roles';
  const known = roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r));
  if (!known.length) return `the token's roles (${roles.join(', ')}) are none of ${ROLES.join(', ')}`;
  return { sub, roles: known };
}

import { ROLES, type Role } from '../access/roles';
import type { CampaignSegment } from './campaign';

/** How many leads one campaign may list, per role that launches campaigns; a role not named may list none. */
export type ListCeilings = Partial<Record<Role, number>>;

export const DEFAULT_LIST_CEILINGS: ListCeilings = { marketing: 200_000, admin: 5_000_000 };

/**
 * Why a launch in `role` may not list what its segment asks, or undefined: the whole segment
 * (`everyone`) only for an admin, and `maxLeads` at most the role's ceiling. `status` 403 for a
 * thing the role may not do at all, 422 for a number over its ceiling (a rule of the role's).
 */
export function listLimitRefusal(segment: CampaignSegment, role: Role, ceilings: ListCeilings): { status: 403 | 422; path: string; message: string } | undefined {
  if (segment.everyone) {
    return role === 'admin' ? undefined : { status: 403, path: 'body.segment.everyone', message: `only an admin may list a whole segment; ${role} names maxLeads` };
  }
  const ceiling = ceilings[role] ?? 0;
  if (segment.maxLeads !== undefined && segment.maxLeads > ceiling) {
    return { status: 422, path: 'body.segment.maxLeads', message: `at most ${ceiling} leads for a campaign launched as ${role}` };
  }
  return undefined;
}

/** `marketing=200000,admin=5000000` (MAX_LEADS_PER_ROLE) as ceilings; the reason when it is not that. */
export function parseListCeilings(text: string): ListCeilings | string {
  const ceilings: ListCeilings = {};
  for (const part of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=(\d{1,9})$/.exec(part);
    if (!m) return `'${part}' is not role=number`;
    if (!(ROLES as readonly string[]).includes(m[1]!)) return `'${m[1]}' is none of the roles ${ROLES.join(', ')}`;
    ceilings[m[1] as Role] = Number(m[2]);
  }
  return ceilings;
}

import type { CampaignDefinition, CampaignDefinitionInput, DialingPolicy, OrderPolicy } from './campaign';
import type { CallingWindow } from './calling-window';
import type { Pacing } from './pacing';
import { withOfferDefaults, withPolicyDefaults } from '../order/policy';

/**
 * A campaign definition as the campaign workflow takes it: validated by the API (or the launch)
 * before the start, so the workflow does not parse it with the schema again. A parse in the
 * workflow would make every tightening of a schema a change of what a running history replays
 * to. What the parse did besides checking (the defaults of fields left out or added later) is
 * plain data here, the same values (test/unit/campaign-definition.test.ts holds them equal).
 */

export const DIALING_DEFAULTS: DialingPolicy = {
  maxConcurrentCalls: 10, maxAttempts: 3, retryDelaySeconds: 600, callbackGraceSeconds: 900,
};
export const PACING_DEFAULTS: Pacing = { mode: 'progressive', callsPerAgent: 1.5, maxAbandonRate: 0.03, abandonWindowCalls: 100 };
export const CONTACT_CAP_DEFAULT = { maxCalls: 4, days: 30 };
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
/** 08:00–21:00 every day (DEFAULT_WINDOW, which lives with the zod schema). */
const WINDOW_DEFAULT: CallingWindow = { start: '08:00', end: '21:00', days: EVERY_DAY, holidays: [] };

const given = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;

/** A calling window with the defaults of what it leaves out (every day, no holidays). */
export function withWindowDefaults(w: { start: string; end: string; days?: number[]; holidays?: string[] }): CallingWindow {
  return { start: w.start, end: w.end, days: w.days ?? [...EVERY_DAY], holidays: w.holidays ?? [] };
}

/** What CampaignDefinitionSchema.parse gives for a definition it accepts, without zod. */
export function withDefinitionDefaults(d: Omit<CampaignDefinitionInput, 'segment'> & { segment?: CampaignDefinitionInput['segment']; id: string }): CampaignDefinition {
  return {
    ...d,
    name: d.name.trim(),
    ...(d.script !== undefined ? { script: d.script.trim() } : {}),
    offer: withOfferDefaults(d.offer),
    segment: d.segment ?? {}, // campaigns from before maxLeads was required may have none
    dialing: { ...DIALING_DEFAULTS, ...given(d.dialing) },
    pacing: { ...PACING_DEFAULTS, ...given(d.pacing) },
    window: d.window ? withWindowDefaults(d.window) : withWindowDefaults(WINDOW_DEFAULT),
    contactCap: d.contactCap ?? { ...CONTACT_CAP_DEFAULT },
    // Its delivery and holdSla may be partial too: withPolicyDefaults fills them reason by reason.
    orders: withPolicyDefaults(d.orders as Partial<OrderPolicy> | undefined),
    // holdout (added later) has no default: absent, nobody is held out. The workflow never reads it;
    // the list pull takes it from the campaign's row (activities/campaign/campaigns.ts).
  } as CampaignDefinition;
}

const isWhole = (x: unknown, min: number) => typeof x === 'number' && Number.isInteger(x) && x >= min;

/**
 * What the campaign workflow cannot run without, checked at its start (a definition that lacks
 * it fails the workflow as InvalidCampaign, a business error): an id, a name, an offer, and
 * dialing limits the loop can count with. Deliberately less than the schema, and frozen like any
 * workflow code: every definition a running history started with passed the schema, so passes
 * this, whatever the schema becomes. Tightening it is a change of workflow code (a patch).
 */
export function definitionProblems(d: unknown): string[] {
  const problems: string[] = [];
  const def = (d ?? {}) as Record<string, unknown>;
  const offer = def.offer as Record<string, unknown> | undefined;
  const dialing = (def.dialing ?? {}) as Record<string, unknown>;
  const pacing = (def.pacing ?? {}) as Record<string, unknown>;
  if (typeof def.id !== 'string' || !def.id) problems.push('id: missing');
  if (typeof def.name !== 'string' || !def.name.trim()) problems.push('name: required');
  if (typeof offer !== 'object' || offer === null) problems.push('offer: required');
  else {
    if (typeof offer.code !== 'string' || !offer.code) problems.push('offer.code: required');
    if (typeof offer.name !== 'string' || !offer.name) problems.push('offer.name: required');
    if (typeof offer.price !== 'number') problems.push('offer.price: required');
  }
  for (const field of ['maxConcurrentCalls', 'maxAttempts'] as const) {
    if (dialing[field] !== undefined && !isWhole(dialing[field], 1)) problems.push(`dialing.${field}: a whole number, at least 1`);
  }
  if (pacing.mode !== undefined && pacing.mode !== 'progressive' && !def.team) {
    problems.push('team: preview and predictive pacing need the team whose agents work the campaign');
  }
  return problems;
}

import { ANY } from './words';

/**
 * The scripts library (seed 003: scripts per brand): per offer and brand, versioned, never edited
 * (a change is the next version). The latest active version for the customer's brand is used, else
 * the latest active one for every brand ('*').
 */
export interface Script {
  offerCode: string;
  brand: string;
  version: number;
  body: string;
  active: boolean;
}

export function scriptFor(scripts: readonly Script[], offerCode: string, brand: string | null): Script | undefined {
  let own: Script | undefined;
  let any: Script | undefined;
  for (const s of scripts) {
    if (s.offerCode !== offerCode || !s.active) continue;
    if (brand !== null && s.brand === brand && (!own || s.version > own.version)) own = s;
    if (s.brand === ANY && (!any || s.version > any.version)) any = s;
  }
  return own ?? any;
}

/** The version a new script of an offer and brand gets: one past the highest. */
export const nextVersion = (versions: readonly number[]): number => Math.max(0, ...versions) + 1;

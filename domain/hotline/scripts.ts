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

/** A script to read out, and which of the library's versions it is (null: a campaign's own text). */
export interface ChosenScript {
  body: string;
  library: { offerCode: string; brand: string; version: number } | null;
}

/**
 * The script an agent reads for an offer to a customer, wherever it is shown (the hotline's
 * recommendations, preview dialing): the library's for the customer's brand, else its '*' one
 * (scriptFor), else the campaign's own text when a campaign brought the offer; null when none has one.
 */
export function chooseScript(
  library: readonly Script[], offerCode: string, brand: string | null, campaignText: string | null | undefined,
): ChosenScript | null {
  const s = scriptFor(library, offerCode, brand);
  if (s) return { body: s.body, library: { offerCode: s.offerCode, brand: s.brand, version: s.version } };
  return campaignText ? { body: campaignText, library: null } : null;
}

/** The version a new script of an offer and brand gets: one past the highest. */
export const nextVersion = (versions: readonly number[]): number => Math.max(0, ...versions) + 1;

import type { ContactCap } from '../campaign/campaign';
import type { CallingWindow } from '../campaign/window-time';
import { DIAL_MARGIN_SECONDS, openForDialing } from './dial-window';

/** Why a call must not be made. */
export type DialBlock = 'do-not-call' | 'suppressed' | 'stopped' | 'contact cap' | 'outside window';

/**
 * How a call the checks refused is recorded: 'blocked' ends the lead (do-not-call, a stop, the
 * cap); a window that closed between claim and dial is 'not-placed', so the lead waits for the
 * next opening like any unplaced call.
 */
export const refusedDisposition = (blockedBy: DialBlock): 'blocked' | 'not-placed' =>
  blockedBy === 'outside window' ? 'not-placed' : 'blocked';

/** What is known of one call at the moment of dialing. */
export interface DialFacts {
  /** When the checks ran (the database's clock, under the customer's lock): the attempt's start. */
  checkedAt: Date;
  /** The number is on do-not-call (the customer's flag or the register). */
  doNotCall: boolean;
  /** The number is on one of the campaign's own suppression lists (sales calls; undefined for others). */
  suppressed?: boolean;
  /** A person stopped the lead (a complaint, a request). */
  stopped: boolean;
  /** The cap in force, with the customer's counted contacts in its period (this call aside). */
  contactCap?: ContactCap;
  contactsInPeriod: number;
  /** The calling window in force, and the customer's time zone it is read in. */
  window?: CallingWindow;
  timeZone: string;
  /** The window must stay open this long after the check (dial-window.ts); DIAL_MARGIN_SECONDS unless given. */
  marginSeconds?: number;
}

/** The compliance evidence kept on the call's row (call_attempts.checks): the verdict and what it was made from. */
export interface DialEvidence {
  checkedAt: string;
  doNotCall: 'blocked' | 'clear';
  /** The campaign's suppression lists, when the call was checked against them. */
  suppressionList?: 'blocked' | 'clear';
  window?: CallingWindow;
  timeZone?: string;
  /** With a window: how long it had to stay open after the check for the call to be started. */
  marginSeconds?: number;
  contactCap?: ContactCap & { contactsInPeriod: number };
  result: 'blocked' | 'clear';
  blockedBy?: DialBlock;
}

/**
 * The verdict on one call, checked in this order: do-not-call, the campaign's suppression lists,
 * a stop, the contact cap, the window. The first four end the lead and a closed window only
 * postpones it (refusedDisposition), so a call refused for two reasons is refused for the one
 * that ends it, and not retried at the next opening only to be refused again.
 */
export function dialVerdict(f: DialFacts): { blockedBy?: DialBlock; evidence: DialEvidence } {
  // The window was checked when the lead was claimed; checked again now, the moment the call starts,
  // with the margin the dialer's taking of it needs (dial-window.ts).
  const marginSeconds = f.marginSeconds ?? DIAL_MARGIN_SECONDS;
  const inWindow = f.window ? openForDialing(f.window, f.timeZone, f.checkedAt, marginSeconds) : true;
  const blockedBy: DialBlock | undefined = f.doNotCall ? 'do-not-call' : f.suppressed ? 'suppressed' : f.stopped ? 'stopped'
    : f.contactCap && f.contactsInPeriod >= f.contactCap.maxCalls ? 'contact cap' : !inWindow ? 'outside window' : undefined;
  const evidence: DialEvidence = {
    checkedAt: f.checkedAt.toISOString(),
    doNotCall: f.doNotCall ? 'blocked' : 'clear',
    ...(f.suppressed !== undefined ? { suppressionList: f.suppressed ? 'blocked' as const : 'clear' as const } : {}),
    ...(f.window ? { window: f.window, timeZone: f.timeZone, marginSeconds } : {}),
    ...(f.contactCap ? { contactCap: { ...f.contactCap, contactsInPeriod: f.contactsInPeriod } } : {}),
    result: blockedBy ? 'blocked' : 'clear',
    ...(blockedBy ? { blockedBy } : {}),
  };
  return { ...(blockedBy ? { blockedBy } : {}), evidence };
}

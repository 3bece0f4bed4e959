import { isOpen, nextOpening, type CallingWindow } from '../campaign/window-time';

/**
 * The window edge. The checks run a moment before the dialer takes the call (one request to it),
 * and the contact log and the audit time a call by when the dialer took it: a call checked at
 * 20:59:59.9 and taken at 21:00:00.2 started outside a window that closes at 21:00. So a call is
 * not started when its window closes within this margin after the check: longer than the dialer's
 * request may take (DIALER_REQUEST_TIMEOUT_MS, activities/campaign/telephony.ts), so a call the
 * dialer takes at all is taken inside the window. Zod-free, for the order workflow too.
 */
export const DIAL_MARGIN_SECONDS = 30;

/** Open at `at` and still open `marginSeconds` later: a call checked now may be started. */
export function openForDialing(window: CallingWindow, timeZone: string, at: Date, marginSeconds = DIAL_MARGIN_SECONDS): boolean {
  return isOpen(window, timeZone, at) && isOpen(window, timeZone, new Date(at.getTime() + marginSeconds * 1000));
}

/**
 * The first instant at or after `from` when a call may be started (openForDialing), or undefined
 * when there is none within a year: what a call due outside its window (a follow-up) waits for.
 */
export function nextDialingOpening(window: CallingWindow, timeZone: string, from: Date, marginSeconds = DIAL_MARGIN_SECONDS): Date | undefined {
  let at = from;
  for (let i = 0; i < 400; i++) {
    const open = nextOpening(window, timeZone, at);
    if (!open) return undefined;
    if (openForDialing(window, timeZone, open, marginSeconds)) return open;
    // It closes within the margin: the next opening after that closing.
    at = new Date(open.getTime() + marginSeconds * 1000);
  }
  return undefined;
}

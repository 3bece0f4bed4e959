import { getJson } from '../http-json';

/**
 * How long a request to the dialer may take: shorter than the dial margin (DIAL_MARGIN_SECONDS,
 * domain/compliance/dial-window.ts), so a call checked inside its window is taken inside it, or not at all.
 */
export const DIALER_REQUEST_TIMEOUT_MS = 10_000;

/** When the dialer took a call: its own time (`queuedAt` in its answer, sim/README.md), if it said. */
export function dialerTime(body: unknown): string | null {
  const at = (body as { queuedAt?: unknown } | undefined)?.queuedAt;
  return typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : null;
}

/**
 * Which of these calls the dialer has (GET /calls/:id answers 200). A hand-over that got no answer
 * (a timeout, a lost response, a crash before the answer was recorded) may have been taken all the
 * same; a call the dialer cannot be asked about now counts as not taken, and is checked again.
 */
export async function callsTheDialerHas(dialerUrl: string, callIds: string[]): Promise<string[]> {
  const known = await Promise.all(callIds.map(async (callId) => {
    try {
      const res = await getJson(`${dialerUrl}/calls/${encodeURIComponent(callId)}`, { timeoutMs: DIALER_REQUEST_TIMEOUT_MS });
      return res.status === 200 ? callId : undefined;
    } catch {
      return undefined;
    }
  }));
  return known.filter((c): c is string => c !== undefined);
}

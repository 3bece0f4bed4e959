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
 * Which of these calls the dialer has (GET /calls/:id answers 200) and which it does not (404). A
 * hand-over that got no answer (a timeout, a lost response, a crash before the answer was recorded)
 * may have been taken all the same. A call the dialer cannot be asked about now is `unknown`: it is
 * neither checked again nor handed over (it may be ringing), only tried again later.
 */
export async function callsTheDialerHas(dialerUrl: string, callIds: string[]): Promise<{ has: string[]; unknown: { callId: string; reason: string }[] }> {
  const answers = await Promise.all(callIds.map(async (callId) => {
    try {
      const res = await getJson(`${dialerUrl}/calls/${encodeURIComponent(callId)}`, { timeoutMs: DIALER_REQUEST_TIMEOUT_MS });
      return { callId, has: res.status === 200, unknown: res.status !== 200 && res.status !== 404 ? `the dialer answered ${res.status} when asked about ${callId}` : undefined };
    } catch (err) {
      return { callId, has: false, unknown: `the dialer could not be asked about ${callId}: ${(err as Error).message}` };
    }
  }));
  return {
    has: answers.filter((a) => a.has).map((a) => a.callId),
    unknown: answers.flatMap((a) => (a.unknown ? [{ callId: a.callId, reason: a.unknown }] : [])),
  };
}

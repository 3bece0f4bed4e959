import { ActivityFailure } from '@temporalio/workflow';
import { reports } from './activities';
import { showDetails } from './details';
import type { Run } from './run';

/** A running campaign's funnel is read again at most this often (and only when it moved). */
const FUNNEL_EVERY_MS = 60_000;

/**
 * The funnel in the progress and the details is the reporting module's (the one definition the
 * API reads too), not counted here: read beside the loop, which never waits for it, when the
 * campaign moved and the last reading is a minute old. A quiet campaign (paused, its window
 * closed) reads nothing, so it adds no history while it waits.
 */
export function refreshFunnel(run: Run): void {
  const { state } = run;
  if (!run.readsFunnel || state.funnelReading || state.movement() === state.funnelMark) return;
  // A minute from the last try, read or failed: a failing query is not tried again at every turn.
  if (Date.now() - state.funnelTriedAt < FUNNEL_EVERY_MS) return;
  state.funnelReading = true;
  readFunnel(run).catch((err) => { state.fatal ??= err; }).finally(() => { state.funnelReading = false; });
}

/** Reads the funnel now; a reading that fails (the database is down) keeps the last one. */
export async function readFunnel(run: Run): Promise<void> {
  const { state } = run;
  if (!run.readsFunnel) return;
  const mark = state.movement();
  state.funnelTriedAt = Date.now();
  try {
    state.funnel = { funnel: await reports.campaignFunnel({ campaignId: state.campaignId }), asOf: new Date().toISOString() };
    state.funnelMark = mark;
    showDetails(state);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
  }
}

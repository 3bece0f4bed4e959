import type { CampaignProgress, CarriedState } from './messages';
import type { CampaignState } from './state';

// What a run of the campaign shows and hands on, read off its state: the progress (the query, the
// updates' answers, the result) and what the next run starts from.

/** The campaign as the progress query, the updates and the result answer it. */
export function progressOf(state: CampaignState): CampaignProgress {
  const { def } = state;
  return {
    campaignId: def.id, status: state.status(), funnel: state.funnel ?? null, listed: state.listed, attempts: state.attempts, connected: state.connected,
    accepted: state.accepted, ordered: state.ordered, inFlight: state.inFlight(), abandoned: state.abandoned,
    dialing: def.dialing, pacing: def.pacing, pacingState: state.pacingState, window: def.window, run: state.run,
    ...(state.endedBecause ? { endedBecause: state.endedBecause } : {}),
    outages: state.outages.all, leadFailures: state.leadFailures, handingOver: state.handingOver,
    ...(state.cancelInfo ? { cancelled: state.cancelInfo } : {}),
    ...(state.lastControl ? { lastControl: state.lastControl } : {}),
  };
}

/** What the next run starts from. */
export function carryOf(state: CampaignState): CarriedState {
  const { stops, calls, ended, outages } = state;
  return {
    listed: state.listed, attempts: state.attempts, connected: state.connected, accepted: state.accepted,
    ordered: state.ordered, abandoned: state.abandoned, paused: state.paused, run: state.run + 1, ...(stops.length ? { stops } : {}),
    ...(calls.size ? { calls: [...calls.values()] } : {}), ...(ended.length ? { ended } : {}),
    ...(outages.all.length ? { outages: outages.all } : {}), ...(state.leadFailures ? { leadFailures: state.leadFailures } : {}),
    ...(state.funnel ? { funnel: state.funnel } : {}),
    ...(state.lastControl ? { lastControl: state.lastControl } : {}),
  };
}

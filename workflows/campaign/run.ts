import { upsertSearchAttributes, type WorkflowInfo } from '@temporalio/workflow';
import { CampaignStatusKey } from '../search-attributes';
import { stubs, type Store } from './activities';
import { showDetails } from './details';
import type { CampaignState } from './state';

/** What the phases of one run share: the state, the stubs they write with, the run's patches. */
export interface Run {
  readonly state: CampaignState;
  /** The Postgres work of the loop: ridden out through an outage once RIDE_OUT_OUTAGES holds. */
  store: Store;
  riding: boolean;
  /** The run reads its funnel from the reporting module (FUNNEL_FROM_REPORTS). */
  readsFunnel: boolean;
  readonly historyLimit: number;
  /** The input's drainDialerLimitSeconds, carried to every run (the end waits this long for a dialer that is down). */
  readonly drainDialerLimitSeconds: number | undefined;
  /** The run's info as it started (its run id names the claims). */
  info: WorkflowInfo;
  handOverDue: () => boolean;
}

export function newRun(state: CampaignState, historyLimit: number, drainDialerLimitSeconds: number | undefined, info: WorkflowInfo): Run {
  return { state, store: stubs, riding: false, readsFunnel: false, historyLimit, drainDialerLimitSeconds, info, handOverDue: () => false };
}

/** Postgres and the search attribute follow the status; recorded only when it changes. */
export async function recordStatus({ state, store }: Run): Promise<void> {
  const now = state.status();
  showDetails(state);
  if (now === state.recorded) return;
  state.recorded = now;
  upsertSearchAttributes([{ key: CampaignStatusKey, value: now }]);
  await store.campaign.setCampaignStatus({ campaignId: state.campaignId, status: now, ...(state.endedBecause ? { endedBecause: state.endedBecause } : {}) });
}

/**
 * The start of every turn of the loop: a failure ends the run, people's stops are applied, and
 * the quota or end date finishes the campaign (true: stop the loop). Then the status is recorded.
 */
export async function stopsAndEnd(run: Run): Promise<boolean> {
  const { state } = run;
  if (state.fatal) throw state.fatal;
  if (state.stops.length) await run.store.leads.stopLeads({ campaignId: state.campaignId, stops: state.takeStops() });
  const stop = state.stopReason(Date.now());
  if (stop) {
    state.finish(stop);
    return true;
  }
  await recordStatus(run);
  return false;
}

/** Milliseconds to the end date, capping every wait; undefined without one. */
export function untilEnd({ state }: Run): number | undefined {
  return state.def.endAt ? Math.max(Date.parse(state.def.endAt) - Date.now(), 1) : undefined;
}

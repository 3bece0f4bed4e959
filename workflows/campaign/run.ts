import { upsertSearchAttributes, type WorkflowInfo } from '@temporalio/workflow';
import { CampaignStatusKey } from '../search-attributes';
import { data, type Store } from './activities';
import { showDetails } from './details';
import type { CampaignState } from './state';

/** What the phases of one run share: the state, the stubs they write with, the run's patches. */
export interface Run {
  readonly s: CampaignState;
  /** The Postgres work of the loop: ridden out through an outage once RIDE_OUT_OUTAGES holds. */
  store: Store;
  riding: boolean;
  readonly historyLimit: number;
  /** The run's info as it started (its run id names the claims). */
  info: WorkflowInfo;
  handOverDue: () => boolean;
}

export function newRun(s: CampaignState, historyLimit: number, info: WorkflowInfo): Run {
  return { s, store: data, riding: false, historyLimit, info, handOverDue: () => false };
}

/** Postgres and the search attribute follow the status; recorded only when it changes. */
export async function recordStatus({ s, store }: Run): Promise<void> {
  const now = s.status();
  showDetails(s);
  if (now === s.recorded) return;
  s.recorded = now;
  upsertSearchAttributes([{ key: CampaignStatusKey, value: now }]);
  await store.campaign.setCampaignStatus({ campaignId: s.campaignId, status: now, ...(s.endedBecause ? { endedBecause: s.endedBecause } : {}) });
}

/**
 * The start of every turn of the loop: a failure ends the run, people's stops are applied, and
 * the quota or end date finishes the campaign (true: stop the loop). Then the status is recorded.
 */
export async function stopsAndEnd(run: Run): Promise<boolean> {
  const { s } = run;
  if (s.fatal) throw s.fatal;
  if (s.stops.length) await run.store.leads.stopLeads({ campaignId: s.campaignId, stops: s.takeStops() });
  const stop = s.stopReason(Date.now());
  if (stop) {
    s.finish(stop);
    return true;
  }
  await recordStatus(run);
  return false;
}

/** Milliseconds to the end date, capping every wait; undefined without one. */
export function untilEnd({ s }: Run): number | undefined {
  return s.def.endAt ? Math.max(Date.parse(s.def.endAt) - Date.now(), 1) : undefined;
}

import { ActivityFailure, isCancellation, patched } from '@temporalio/workflow';
import type { ClaimedLead } from '../../activities/campaign/leads';
import type { PlacedCall } from '../../activities/campaign/telephony';
import { salesCallId } from '../../domain/campaign/ids';
import { outageBackoffMs } from '../../domain/campaign/outages';
import { stubs, dialer, dialerTries } from './activities';
import { showDetails } from './details';
import { CONFIRM_UNPLACED, toCallEnded, type CallEnded, type LiveCall } from './messages';
import { isOutage, rideOut } from './outages';
import type { Run } from './run';
import { CALL_TIMEOUT_MS } from './state';

/** Ended calls settled per activity. */
export const SETTLE_BATCH = 200;

// Settling: the retry rule's verdict for each ended call, written in batches (with the next claim
// when there is one: one activity instead of two), then the counters and the orders.

/** A written batch counted; the orders of its accepted leads start beside the loop. */
export function settled(run: Run, batch: CallEnded[]): void {
  const { state, riding, store } = run;
  for (const leadId of state.settled(batch)) {
    // The order starts beside the loop. Ridden out, an order that cannot start (refused for
    // good) is that lead's failure, recorded on it; before, it was the campaign's.
    state.ordering++;
    const order = { campaignId: state.campaignId, leadId, offer: state.def.offer, policy: state.def.orders };
    (riding ? store.orders.startOrder(order) : stubs.orders.startOrder(order))
      .then(() => { state.ordered++; }, (err: unknown) => {
        if (!riding || !(err instanceof ActivityFailure)) throw err;
        return leadFailed(run, leadId, err);
      })
      .catch((err) => { state.fatal ??= err; })
      .finally(() => { state.ordering--; });
  }
}

async function leadFailed({ state, store }: Run, leadId: number, err: ActivityFailure): Promise<void> {
  const reason = (err.cause as Error | undefined)?.message ?? err.message;
  await store.campaign.recordLeadFailure({ campaignId: state.campaignId, leadId, stage: 'order', reason: `the order could not start: ${reason}` });
  state.leadFailures++;
  showDetails(state);
}

export async function settle(run: Run): Promise<void> {
  while (run.state.ended.length) {
    const { batch, settled: items } = run.state.verdicts(SETTLE_BATCH);
    await run.store.leads.settleCalls({ calls: items });
    settled(run, batch);
  }
}

// Calls whose end never came: the contact log may have it (a lost signal); past the limit, given up.
export async function giveUp({ state, store }: Run, late: LiveCall[]): Promise<void> {
  if (!late.length) return;
  const { outcomes } = await store.leads.collectOutcomes({ callIds: late.map((c) => c.callId), giveUp: late.map((c) => c.callId) });
  for (const o of outcomes) state.receive(toCallEnded(o));
  // One the campaign ended before the dialer took it may not be in the contact log at all (Postgres
  // was down too): then it never reached the dialer.
  for (const c of late) if (c.confirming) state.receive({ callId: c.callId, disposition: 'not-placed', connected: false });
}

/**
 * Overdue calls: a lead an agent held too long is taken back; a dialer call is looked up at the
 * dialer: still going (its clock restarts), ended (its outcome was lost on the way), or unknown
 * to the dialer (never placed, given up).
 */
export async function collectOverdue(run: Run): Promise<void> {
  const { state, riding } = run;
  const late = state.overdue(Date.now());
  const held = late.filter((c) => c.preview);
  const dialed = late.filter((c) => !c.preview);
  const confirming = dialed.some((c) => c.confirming);
  if (dialed.length) {
    let status: Awaited<ReturnType<typeof dialer.dialerCallStatus>>;
    try {
      status = await dialer.dialerCallStatus({ callIds: dialed.map((c) => c.callId) });
      if (riding && state.outages.answered('dialer')) showDetails(state);
    } catch (err) {
      if (!riding || !isOutage(err)) throw err;
      // The dialer is down too: the calls are looked up again after the backoff, never given up for it.
      const outage = state.outages.failed('dialer', (err.cause as Error | undefined)?.message ?? err.message, Date.now());
      for (const c of dialed) c.since = Date.now() - CALL_TIMEOUT_MS + outageBackoffMs(outage.retries);
      showDetails(state);
      await giveUp(run, held);
      return;
    }
    state.atDialer(status.live, Date.now());
    for (const o of status.outcomes) state.receive(toCallEnded(o));
    held.push(...dialed.filter((c) => status.unknown.includes(c.callId)));
  }
  await giveUp(run, held);
  if (confirming) showDetails(state); // fewer calls for the end to wait on
}

export async function place({ state, riding }: Run, leads: ClaimedLead[]): Promise<void> {
  const { def, campaignId } = state;
  // Known before the dialer hears of them, so an end that comes back at once is not missed.
  const batch = leads.map((l) => ({ callId: salesCallId(campaignId, l.leadId, l.attemptNo), leadId: l.leadId, attemptNo: l.attemptNo, ...(l.agentId ? { agentId: l.agentId } : {}) }));
  state.track(batch, Date.now(), riding);
  const request = { campaignId, ...(def.team ? { team: def.team } : {}), contactCap: def.contactCap, window: def.window, calls: batch };
  let results: PlacedCall[];
  try {
    if (riding) {
      // Through a dialer outage: tried again until it answers, unless the campaign is cancelled or
      // finished (quota, end date) or hands over (then the next run places them).
      const ended = () => state.cancelled || state.finished;
      let tried = false;
      const placed = await rideOut(state.outages, 'dialer', () => { tried = true; return dialerTries.placeCalls({ ...request, holdWhenUnreachable: true }); }, {
        changed: () => showDetails(state), stop: () => ended() || state.handingOver,
      });
      if (!placed && !ended()) return;
      // Ended after a try: the dialer may have taken some all the same (part of the batch before it
      // went down, an answer lost); the end asks it about each (handover.ts). Never tried: not placed.
      if (!placed && tried && patched(CONFIRM_UNPLACED)) return;
      results = placed?.results ?? batch.map((c) => ({ callId: c.callId, status: 'not-placed', reason: 'the campaign ended while the dialer was down' }));
      for (const c of batch) { const call = state.calls.get(c.callId); if (call) delete call.unplaced; }
    } else {
      ({ results } = await dialer.placeCalls(request));
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    results = batch.map((c) => ({ callId: c.callId, status: 'not-placed', reason: String(err) }));
  }
  for (const r of results) {
    if (r.status === 'ended') state.receive(toCallEnded(r.outcome));
    else if (r.status === 'not-placed') state.receive({ callId: r.callId, disposition: 'not-placed', connected: false });
    else { const call = state.calls.get(r.callId); if (call) call.since = Date.now(); } // its clock starts when the dialer has it
  }
}

export function placeInBackground(run: Run, leads: ClaimedLead[]): void {
  const { state } = run;
  state.placing++;
  place(run, leads).catch((err) => { state.fatal ??= err; }).finally(() => { state.placing--; state.background++; });
}

import { condition, patched } from '@temporalio/workflow';
import { collectOverdue, placeInBackground, settle, settled, SETTLE_BATCH } from './calls';
import { refreshFunnel } from './funnel';
import { stopsAndEnd, untilEnd, type Run } from './run';
import { PAUSE_WAKES_THE_LOOP } from './messages';

// ---- The dialing loop: claim what the pacing allows, place it in one batch, settle what ended ----

/** With every agent busy, how often the campaign looks again (besides every call that ends). */
const AGENT_POLL_MS = 2_000;

/** Dials until the campaign is cancelled or finished, or the run is due to hand over. */
export async function dialingLoop(run: Run): Promise<void> {
  const { state, riding, info } = run;
  const { def, campaignId } = state;
  // Calls the previous run could not place (the dialer was down) are placed first.
  const unplaced = [...state.calls.values()].filter((c) => c.unplaced);
  if (unplaced.length) placeInBackground(run, unplaced.map((c) => ({ leadId: c.leadId, attemptNo: c.attemptNo, ...(c.agentId ? { agentId: c.agentId } : {}) })));

  while (!state.cancelled && !run.handOverDue()) {
    if (await stopsAndEnd(run)) break;
    refreshFunnel(run);
    if (state.overdue(Date.now()).length) await collectOverdue(run);
    const seen = { settings: state.settings, background: state.background, paused: state.paused };
    // A pause or resume wakes the loop too: a resume that came while the turn settled calls (it
    // had decided not to claim, paused) left it waiting for a call to end, with none in flight.
    const pauseWakes = patched(PAUSE_WAKES_THE_LOOP);
    // Ridden out, a long outage grows the history while the loop waits: the hand-over wakes it.
    const woken = () => state.ended.length > 0 || state.cancelled || state.stops.length > 0 || state.settings !== seen.settings
      || state.background !== seen.background || state.listDone || (riding && run.handOverDue()) || (pauseWakes && state.paused !== seen.paused);
    let wait: number | undefined;
    const free = def.dialing.maxConcurrentCalls - state.live();
    // Paced by agents, the next claim waits for the last batch to reach the dialer: its calls
    // count as ringing there, and the pacing must see them.
    const claiming = !state.paused && def.pacing.mode !== 'preview' && free > 0 && !(def.team && state.placing > 0)
      // No new calls while a batch waits out a dialer outage (a dialer noted down with nothing to
      // place is tried again by the next batch, which then waits if it is still down).
      && !(riding && state.outages.isDown('dialer') && state.placing > 0);
    if (!claiming && state.ended.length) await settle(run);
    if (state.paused) {
      state.listDone = false; // looked at again after the resume
      await waitFor(run, () => !state.paused || state.cancelled || state.stops.length > 0 || state.ended.length > 0 || state.settings !== seen.settings, undefined);
      continue;
    }
    if (def.pacing.mode === 'preview') {
      if (state.calls.size === 0) {
        // Anything left for agents? (A claim of nothing answers whether the list is finished.)
        const probe = await run.store.leads.claimDueLeads({ campaignId, limit: 0, claimId: `${info.runId}-${++state.claimSeq}`, window: def.window });
        if (probe.open === 0) state.listDone = true;
      }
      if (state.listDone && state.calls.size === 0) {
        state.finish('list finished');
        break;
      }
      state.listDone = false;
      await waitFor(run, woken, undefined);
      continue;
    }
    if (claiming) {
      const { batch, settled: items } = state.verdicts(SETTLE_BATCH);
      const claim = await run.store.leads.claimDueLeads({
        campaignId, limit: free, claimId: `${info.runId}-${++state.claimSeq}`, window: def.window,
        callbackGraceSeconds: def.dialing.callbackGraceSeconds,
        pacing: { pacing: def.pacing, ...(def.team ? { team: def.team } : {}), maxConcurrentCalls: def.dialing.maxConcurrentCalls, inFlight: state.live() },
        ...(items.length ? { settle: items } : {}),
      });
      settled(run, batch);
      if (claim.pacing) state.pacingState = claim.pacing;
      // Placed in the background: the loop goes on settling and claiming while the dialer takes them.
      if (claim.leads.length) placeInBackground(run, claim.leads);
      if (claim.leads.length === 0 && state.calls.size === 0 && state.ended.length === 0 && state.placing === 0 && claim.open === 0) {
        state.finish('list finished');
        break;
      }
      if (claim.leads.length === free) continue; // every slot filled: claim again when one frees
      if (claim.pacing?.limitedBy === 'free agents') wait = AGENT_POLL_MS;
      // A lead due but not callable (a callback waiting for its busy agent) must not make it spin.
      else if (claim.nextDueInMs !== null) wait = Math.min(Math.max(claim.nextDueInMs, claim.leads.length ? 200 : 2_000), 60_000);
    }
    // Wait for a call to end, the next lead to fall due, an agent to free up, or a person's control.
    await waitFor(run, woken, wait);
  }
}

/** Waits until `wake` holds, at most `ms` (or to the end date, or the next overdue call, whichever is sooner). */
async function waitFor(run: Run, wake: () => boolean, ms: number | undefined): Promise<void> {
  const end = untilEnd(run);
  const overdue = run.state.overdueIn(Date.now());
  const limits = [ms, end, overdue].filter((x): x is number => x !== undefined);
  const orFatal = () => wake() || run.state.fatal !== undefined;
  if (limits.length) await condition(orFatal, Math.min(...limits));
  else await condition(orFatal);
}

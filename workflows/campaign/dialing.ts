import { condition } from '@temporalio/workflow';
import { collectOverdue, placeInBackground, settle, settled, SETTLE_BATCH } from './calls';
import { stopsAndEnd, untilEnd, type Run } from './run';

// ---- The dialing loop: claim what the pacing allows, place it in one batch, settle what ended ----

/** With every agent busy, how often the campaign looks again (besides every call that ends). */
const AGENT_POLL_MS = 2_000;

/** Dials until the campaign is cancelled or finished, or the run is due to hand over. */
export async function dialingLoop(run: Run): Promise<void> {
  const { s, riding, info } = run;
  const { def, campaignId } = s;
  // Calls the previous run could not place (the dialer was down) are placed first.
  const unplaced = [...s.calls.values()].filter((c) => c.unplaced);
  if (unplaced.length) placeInBackground(run, unplaced.map((c) => ({ leadId: c.leadId, attemptNo: c.attemptNo, ...(c.agentId ? { agentId: c.agentId } : {}) })));

  while (!s.cancelled && !run.handOverDue()) {
    if (await stopsAndEnd(run)) break;
    if (s.overdue(Date.now()).length) await collectOverdue(run);
    const seen = { settings: s.settings, background: s.background };
    // Ridden out, a long outage grows the history while the loop waits: the hand-over wakes it.
    const woken = () => s.ended.length > 0 || s.cancelled || s.stops.length > 0 || s.settings !== seen.settings
      || s.background !== seen.background || s.listDone || (riding && run.handOverDue());
    let wait: number | undefined;
    const free = def.dialing.maxConcurrentCalls - s.live();
    // Paced by agents, the next claim waits for the last batch to reach the dialer: its calls
    // count as ringing there, and the pacing must see them.
    const claiming = !s.paused && def.pacing.mode !== 'preview' && free > 0 && !(def.team && s.placing > 0)
      // No new calls while a batch waits out a dialer outage (a dialer noted down with nothing to
      // place is tried again by the next batch, which then waits if it is still down).
      && !(riding && s.outages.isDown('dialer') && s.placing > 0);
    if (!claiming && s.ended.length) await settle(run);
    if (s.paused) {
      s.listDone = false; // looked at again after the resume
      await waitFor(run, () => !s.paused || s.cancelled || s.stops.length > 0 || s.ended.length > 0 || s.settings !== seen.settings, undefined);
      continue;
    }
    if (def.pacing.mode === 'preview') {
      if (s.calls.size === 0) {
        // Anything left for agents? (A claim of nothing answers whether the list is finished.)
        const probe = await run.store.leads.claimDueLeads({ campaignId, limit: 0, claimId: `${info.runId}-${++s.claimSeq}`, window: def.window });
        if (probe.open === 0) s.listDone = true;
      }
      if (s.listDone && s.calls.size === 0) {
        s.finish('list finished');
        break;
      }
      s.listDone = false;
      await waitFor(run, woken, undefined);
      continue;
    }
    if (claiming) {
      const { batch, settled: items } = s.verdicts(SETTLE_BATCH);
      const claim = await run.store.leads.claimDueLeads({
        campaignId, limit: free, claimId: `${info.runId}-${++s.claimSeq}`, window: def.window,
        callbackGraceSeconds: def.dialing.callbackGraceSeconds,
        pacing: { pacing: def.pacing, ...(def.team ? { team: def.team } : {}), maxConcurrentCalls: def.dialing.maxConcurrentCalls, inFlight: s.live() },
        ...(items.length ? { settle: items } : {}),
      });
      settled(run, batch);
      if (claim.pacing) s.pacingState = claim.pacing;
      // Placed in the background: the loop goes on settling and claiming while the dialer takes them.
      if (claim.leads.length) placeInBackground(run, claim.leads);
      if (claim.leads.length === 0 && s.calls.size === 0 && s.ended.length === 0 && s.placing === 0 && claim.open === 0) {
        s.finish('list finished');
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
  const overdue = run.s.overdueIn(Date.now());
  const limits = [ms, end, overdue].filter((x): x is number => x !== undefined);
  const orFatal = () => wake() || run.s.fatal !== undefined;
  if (limits.length) await condition(orFatal, Math.min(...limits));
  else await condition(orFatal);
}

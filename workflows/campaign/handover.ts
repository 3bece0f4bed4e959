import { allHandlersFinished, condition, continueAsNew, patched } from '@temporalio/workflow';
import { collectOverdue, giveUp, settle } from './calls';
import { showDetails } from './details';
import { readFunnel } from './funnel';
import { CONFIRM_UNPLACED, DRAIN_GIVES_UP, QUIET_HANDOVER, type CampaignProgress, type CampaignWorkflowInput } from './messages';
import { recordStatus, type Run } from './run';
import { progressOf, carryOf } from './progress';

/** How long the end of a campaign waits for a dialer that is down to say what became of its calls. */
const DRAIN_DIALER_LIMIT_MS = 6 * 3600_000;

/** At a hand-over, how long the calls in flight are given to end (the rest go with the state). */
const QUIET_HANDOVER_MS = 3_000;

/** The next run, with the state carried (the definition with its settings as changed). */
export function handOver({ state, historyLimit, drainDialerLimitSeconds }: Run): Promise<never> {
  return continueAsNew<(input: CampaignWorkflowInput) => Promise<CampaignProgress>>({
    definition: state.def, historyLimit, ...(drainDialerLimitSeconds !== undefined ? { drainDialerLimitSeconds } : {}), carried: carryOf(state),
  });
}

/** After the loop: hand over to a new run, or end the campaign (cancelled, finished). */
export async function handOverOrEnd(run: Run, safeHandover: boolean): Promise<CampaignProgress> {
  const { state } = run;
  if (safeHandover && !state.cancelled && !state.finished) {
    state.startHandOver(); // agents asked to retry in a second; calls the dialer has not taken go along
    showDetails(state);
  }
  // Batches being placed, orders being started and a funnel being read finish first: what they
  // answered belongs to this run (an answer arriving as it hands over would make the server refuse it).
  await condition(() => state.placing === 0 && state.ordering === 0 && !state.funnelReading);
  if (state.fatal) throw state.fatal;
  if (!state.cancelled && !state.finished && patched(QUIET_HANDOVER)) {
    // Hand over at a quiet moment: no new call, and the calls in flight get a few seconds to end.
    // A call's end that arrives while the run completes makes the server refuse the completion,
    // and the worker then replays the whole run (seconds of CPU at 3,000 events) to take it.
    await condition(() => state.waiting().every((c) => c.preview) || state.cancelled || state.fatal !== undefined, QUIET_HANDOVER_MS);
    if (state.fatal) throw state.fatal;
  }
  if (!state.cancelled && !state.finished) {
    // Hand over: calls still ringing go with the state; their ends reach the new run as signals.
    if (!safeHandover) {
      await condition(allHandlersFinished);
      await recordStatus(run);
      return handOver(run);
    }
    await recordStatus(run);
    // The last await: whatever a handler changed until now (a pause, a report) is carried.
    await condition(allHandlersFinished);
    if (!state.cancelled) return handOver(run);
  }
  // A cancel came during the hand-over: this run ends the campaign, and agents may report again.
  if (state.handingOver) state.abandonHandOver();
  return drainAndEnd(run);
}

/**
 * Leads agents hold in preview are taken back at once (after any hand-out under way); calls
 * already ringing finish and are settled; calls the dialer never answered for (it was down) are
 * looked up at the dialer, which may have taken them: unknown there, they were not placed.
 */
async function drainAndEnd(run: Run): Promise<CampaignProgress> {
  const { state } = run;
  await condition(allHandlersFinished);
  const unplaced = [...state.calls.values()].filter((c) => c.unplaced);
  if (unplaced.length && patched(CONFIRM_UNPLACED)) {
    state.confirmUnplaced(Date.now()); // looked up by collectOverdue below, riding out a dialer still down
    showDetails(state);
  } else for (const c of unplaced) state.receive({ callId: c.callId, disposition: 'not-placed', connected: false });
  await giveUp(run, state.waiting().filter((c) => c.preview));
  const draining = Date.now();
  for (;;) {
    await settle(run);
    if (!state.calls.size) break;
    // A dialer down for hours at the end: the calls it may have had ended long ago, and their
    // outcomes are in its records only. The end does not wait for ever (the cancel, the release of
    // the leads and the status must happen): what is left is not placed, as far as we know.
    const limit = run.drainDialerLimitSeconds !== undefined ? run.drainDialerLimitSeconds * 1000 : DRAIN_DIALER_LIMIT_MS;
    if (state.outages.isDown('dialer') && Date.now() - draining >= limit && patched(DRAIN_GIVES_UP)) {
      await giveUp(run, state.waiting());
      for (const c of state.waiting()) state.receive({ callId: c.callId, disposition: 'not-placed', connected: false }); // not even in the contact log
      continue;
    }
    await condition(() => state.ended.length > 0, state.overdueIn(Date.now())!);
    await collectOverdue(run);
  }
  await condition(() => state.ordering === 0);
  if (state.fatal) throw state.fatal;
  if (state.stops.length) await run.store.leads.stopLeads({ campaignId: state.campaignId, stops: state.takeStops() });
  if (state.cancelled) state.endedBecause = 'cancelled';
  if (state.endedBecause !== 'list finished') await run.store.leads.releaseLeads({ campaignId: state.campaignId }); // cancelled, quota or end date
  state.outages.answered('dialer'); // nothing waits for it any more (a call looked up while it was down, say)
  await recordStatus(run);
  await readFunnel(run); // the result holds the funnel as the campaign ended
  await condition(allHandlersFinished);
  return progressOf(state);
}

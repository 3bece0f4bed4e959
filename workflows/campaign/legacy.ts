import { allHandlersFinished, condition, isCancellation } from '@temporalio/workflow';
import type { ClaimedLead } from '../../activities/campaign/leads';
import { nextLeadStep, type AttemptDisposition } from '../../domain/campaign/dialing';
import { salesCallId } from '../../domain/campaign/ids';
import { stubs, telephony } from './activities';
import { showDetails } from './details';
import { handOver } from './handover';
import type { CampaignProgress } from './messages';
import { recordStatus, stopsAndEnd, untilEnd, type Run } from './run';
import { progressOf } from './progress';

// ---- Campaigns started before CALLS_BY_SIGNAL: one waiting activity per call --------------------
// Kept so their recorded histories replay; such a run switches to the new loop at its next hand-over.
// To be deleted with deprecatePatch(CALLS_BY_SIGNAL) once no such history is left.

export async function legacyDialing(run: Run): Promise<CampaignProgress> {
  const { state, info } = run;
  const { def, campaignId } = state;
  const dialLead = async (lead: ClaimedLead): Promise<void> => {
    const callId = salesCallId(campaignId, lead.leadId, lead.attemptNo);
    let disposition: AttemptDisposition = 'not-placed';
    let callbackAt: string | undefined;
    try {
      const outcome = await telephony.placeCall({
        callId, purpose: 'sales', campaignId, leadId: lead.leadId, attemptNo: lead.attemptNo, contactCap: def.contactCap,
      });
      disposition = outcome.disposition;
      callbackAt = outcome.callbackAt;
      state.attempts++;
      if (outcome.connected) state.connected++;
    } catch (err) {
      if (isCancellation(err)) throw err;
    }
    const step = nextLeadStep(disposition, lead.attemptNo, def.dialing, callbackAt);
    await stubs.leads.settleAttempt({ leadId: lead.leadId, attemptNo: lead.attemptNo, callId, disposition, step });
    if (disposition === 'accepted') {
      state.accepted++;
      await stubs.orders.startOrder({ campaignId, leadId: lead.leadId, offer: def.offer, policy: def.orders });
      state.ordered++;
    }
  };
  const launch = (lead: ClaimedLead) => {
    state.legacyInFlight++;
    dialLead(lead)
      .catch((err) => { state.fatal ??= err; })
      .finally(() => { state.legacyInFlight--; state.callsEnded++; showDetails(state); });
  };

  while (!state.cancelled && !run.handOverDue()) {
    if (await stopsAndEnd(run)) break;
    if (state.paused) {
      const end = untilEnd(run);
      const resumeOrStop = () => !state.paused || state.cancelled || state.stops.length > 0;
      if (end === undefined) await condition(resumeOrStop);
      else await condition(resumeOrStop, end);
      continue;
    }
    const endedBefore = state.callsEnded;
    const free = def.dialing.maxConcurrentCalls - state.legacyInFlight;
    let nextDueInMs: number | null = null;
    if (free > 0) {
      const claim = await stubs.leads.claimDueLeads({ campaignId, limit: free, claimId: `${info.runId}-${++state.claimSeq}`, window: def.window });
      claim.leads.forEach(launch);
      if (claim.leads.length === 0 && state.legacyInFlight === 0 && claim.open === 0) {
        state.finish('list finished');
        break;
      }
      nextDueInMs = claim.nextDueInMs;
      if (claim.leads.length === free) continue; // all slots filled: claim again when one frees
    }
    // Wait for a call to end (a slot frees), the next lead to fall due, or a person's control.
    const dueIn = nextDueInMs === null ? undefined : Math.min(Math.max(nextDueInMs, 200), 60_000);
    const end = untilEnd(run);
    const timeout = dueIn === undefined ? end : end === undefined ? dueIn : Math.min(dueIn, end);
    const wake = () => state.callsEnded !== endedBefore || state.paused || state.cancelled || state.stops.length > 0 || state.fatal !== undefined;
    if (timeout === undefined) await condition(wake);
    else await condition(wake, timeout);
  }

  // Calls already ringing finish and are recorded before the run ends or hands over.
  await condition(() => state.legacyInFlight === 0);
  if (state.fatal) throw state.fatal;
  if (state.cancelled) {
    state.endedBecause = 'cancelled';
    await stubs.leads.releaseLeads({ campaignId });
  } else if (state.finished && state.endedBecause !== 'list finished') {
    await stubs.leads.releaseLeads({ campaignId }); // stopped at its quota or end date
  } else if (!state.finished) {
    await condition(allHandlersFinished);
    await recordStatus(run);
    return handOver(run);
  }
  if (state.stops.length) await stubs.leads.stopLeads({ campaignId, stops: state.takeStops() });
  await recordStatus(run);
  await condition(allHandlersFinished);
  return progressOf(state);
}

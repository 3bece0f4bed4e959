import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { AgentReportSchema, CONNECTED_DISPOSITIONS } from '../../domain/campaign/dialing';
import { stubs } from './activities';
import { refuseWhileHandingOver } from './controls';
import { showDetails } from './details';
import type { AgentReportMessage, CampaignProgress, PreviewAssignment } from './messages';
import type { CampaignState } from './state';
import { progressOf } from './progress';

// Preview: agents take leads one by one and report each call.

/** Preview: leads one agent may hold at once, unreported. */
const MAX_HELD_PER_AGENT = 3;

export async function nextLead(state: CampaignState, { agentId }: { agentId: string }): Promise<PreviewAssignment | null> {
  const { def, campaignId } = state;
  for (let tries = 0; tries < 10; tries++) {
    const claim = await stubs.preview.claimPreviewLead({
      campaignId, agentId, team: def.team!, claimId: `${workflowInfo().runId}-p${++state.claimSeq}`, window: def.window,
      callbackGraceSeconds: def.dialing.callbackGraceSeconds, contactCap: def.contactCap,
    });
    if (claim.refused) throw ApplicationFailure.create({ message: claim.refused, type: 'AgentRefused', nonRetryable: true });
    if (!claim.lead) {
      if (claim.open === 0) state.listDone = true;
      return null;
    }
    const lead = claim.lead;
    state.calls.set(lead.callId, { callId: lead.callId, leadId: lead.leadId, attemptNo: lead.attemptNo, since: Date.now(), agentId, preview: true });
    // The campaign stopped while the lead was being taken: it is given back with the others.
    if (state.cancelled || state.finished) return null;
    if (lead.blockedBy) { // checked at hand-out and must not be called: settled, and the agent gets the next one
      state.receive({ callId: lead.callId, disposition: lead.refusedAs ?? 'blocked', connected: false });
      continue;
    }
    showDetails(state);
    return { ...lead, campaignId, offer: def.offer, script: def.script ?? null };
  }
  return null;
}

export function checkNextLead(state: CampaignState, { agentId }: { agentId: string }): void {
  refuseWhileHandingOver(state);
  if (typeof agentId !== 'string' || !agentId) throw new Error('agentId: required');
  if (state.def.pacing.mode !== 'preview') throw new Error(`campaign is paced ${state.def.pacing.mode}: the dialer hands out its calls, not agents`);
  const holding = state.holding(agentId);
  if (holding >= MAX_HELD_PER_AGENT) throw new Error(`agent '${agentId}' holds ${holding} leads already: report them first`);
  if (state.status() !== 'running' || state.finished || state.cancelled) throw new Error(`campaign is ${state.cancelled ? 'being cancelled' : state.finished ? 'finishing' : state.status()}`);
}

/** The report as validated (checkReport): applied as given. */
export async function reportCall(state: CampaignState, report: AgentReportMessage): Promise<CampaignProgress> {
  const call = state.heldBy(report.agentId, report.leadId)!;
  call.reporting = true; // before the await: a second report of the same call is refused
  const r = { disposition: report.disposition, callbackAt: report.callbackAt, durationSec: report.durationSec };
  await stubs.preview.recordPreviewCall({ callId: call.callId, agentId: report.agentId, ...r });
  state.receive({
    callId: call.callId, disposition: r.disposition, connected: CONNECTED_DISPOSITIONS.includes(r.disposition), agentId: report.agentId,
    ...(r.callbackAt ? { callbackAt: r.callbackAt } : {}),
  });
  return progressOf(state);
}

export function checkReport(state: CampaignState, report: AgentReportMessage): void {
  refuseWhileHandingOver(state);
  const parsed = AgentReportSchema.safeParse({ disposition: report.disposition, callbackAt: report.callbackAt, durationSec: report.durationSec });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  if (!state.heldBy(report.agentId, report.leadId)) throw new Error(`lead ${report.leadId} is not held by agent '${report.agentId}'`);
}

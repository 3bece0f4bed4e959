import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { AgentReportSchema, CONNECTED_DISPOSITIONS } from '../../domain/campaign/dialing';
import { data } from './activities';
import { refuseWhileHandingOver } from './controls';
import { showDetails } from './details';
import type { AgentReportMessage, CampaignProgress, PreviewAssignment } from './messages';
import type { CampaignState } from './state';

// Preview: agents take leads one by one and report each call.

/** Preview: leads one agent may hold at once, unreported. */
const MAX_HELD_PER_AGENT = 3;

export async function nextLead(s: CampaignState, { agentId }: { agentId: string }): Promise<PreviewAssignment | null> {
  const { def, campaignId } = s;
  for (let tries = 0; tries < 10; tries++) {
    const claim = await data.preview.claimPreviewLead({
      campaignId, agentId, team: def.team!, claimId: `${workflowInfo().runId}-p${++s.claimSeq}`, window: def.window,
      callbackGraceSeconds: def.dialing.callbackGraceSeconds, contactCap: def.contactCap,
    });
    if (claim.refused) throw ApplicationFailure.create({ message: claim.refused, type: 'AgentRefused', nonRetryable: true });
    if (!claim.lead) {
      if (claim.open === 0) s.listDone = true;
      return null;
    }
    const lead = claim.lead;
    s.calls.set(lead.callId, { callId: lead.callId, leadId: lead.leadId, attemptNo: lead.attemptNo, since: Date.now(), agentId, preview: true });
    // The campaign stopped while the lead was being taken: it is given back with the others.
    if (s.cancelled || s.finished) return null;
    if (lead.blockedBy) { // checked at hand-out and must not be called: settled, and the agent gets the next one
      s.receive({ callId: lead.callId, disposition: lead.refusedAs ?? 'blocked', connected: false });
      continue;
    }
    showDetails(s);
    return { ...lead, campaignId, offer: def.offer, script: def.script ?? null };
  }
  return null;
}

export function checkNextLead(s: CampaignState, { agentId }: { agentId: string }): void {
  refuseWhileHandingOver(s);
  if (typeof agentId !== 'string' || !agentId) throw new Error('agentId: required');
  if (s.def.pacing.mode !== 'preview') throw new Error(`campaign is paced ${s.def.pacing.mode}: the dialer hands out its calls, not agents`);
  const holding = s.holding(agentId);
  if (holding >= MAX_HELD_PER_AGENT) throw new Error(`agent '${agentId}' holds ${holding} leads already: report them first`);
  if (s.status() !== 'running' || s.finished || s.cancelled) throw new Error(`campaign is ${s.cancelled ? 'being cancelled' : s.finished ? 'finishing' : s.status()}`);
}

/** The report as validated (checkReport): applied as given. */
export async function reportCall(s: CampaignState, report: AgentReportMessage): Promise<CampaignProgress> {
  const call = s.heldBy(report.agentId, report.leadId)!;
  call.reporting = true; // before the await: a second report of the same call is refused
  const r = { disposition: report.disposition, callbackAt: report.callbackAt, durationSec: report.durationSec };
  await data.preview.recordPreviewCall({ callId: call.callId, agentId: report.agentId, ...r });
  s.receive({
    callId: call.callId, disposition: r.disposition, connected: CONNECTED_DISPOSITIONS.includes(r.disposition), agentId: report.agentId,
    ...(r.callbackAt ? { callbackAt: r.callbackAt } : {}),
  });
  return s.progress();
}

export function checkReport(s: CampaignState, report: AgentReportMessage): void {
  refuseWhileHandingOver(s);
  const parsed = AgentReportSchema.safeParse({ disposition: report.disposition, callbackAt: report.callbackAt, durationSec: report.durationSec });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  if (!s.heldBy(report.agentId, report.leadId)) throw new Error(`lead ${report.leadId} is not held by agent '${report.agentId}'`);
}

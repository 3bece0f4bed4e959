import { ApplicationFailure, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { definitionProblems, withDefinitionDefaults } from '../../domain/campaign/definition';
import type { CampaignDefinition } from '../../domain/campaign/campaign';
import { data, listPull, riddenOutStore } from './activities';
import { cancel, changeSettings, pause, refuse, resume, validateDialing, validateSettings, checkCancel } from './controls';
import { showDetails } from './details';
import { dialingLoop } from './dialing';
import { handOverOrEnd } from './handover';
import { legacyDialing } from './legacy';
import * as m from './messages';
import { checkNextLead, checkReport, nextLead, reportCall } from './preview';
import { newRun, recordStatus, type Run } from './run';
import { CampaignState } from './state';

export async function campaignWorkflow(input: m.CampaignWorkflowInput): Promise<m.CampaignProgress> {
  const s = new CampaignState(definitionOf(input.definition), input.carried);
  const run = newRun(s, input.historyLimit ?? m.DEFAULT_HISTORY_LIMIT, workflowInfo());

  setHandler(m.progressQuery, () => s.progress());
  setHandler(m.stopLeadSignal, (stop) => s.stop(stop));
  setHandler(m.pauseUpdate, () => pause(s), { validator: refuse(s, 'pause') });
  setHandler(m.resumeUpdate, () => resume(s), { validator: refuse(s, 'resume') });
  setHandler(m.cancelUpdate, (req) => cancel(s, req), { validator: (req: m.CancelRequest | undefined) => checkCancel(s, req) });
  setHandler(m.updateSettingsUpdate, (change) => changeSettings(s, change), { validator: (change) => validateSettings(s, change) });
  setHandler(m.updateDialingUpdate, (change) => changeSettings(s, { dialing: change }), { validator: (change) => validateDialing(s, change) });
  setHandler(m.callEndedSignal, (ended) => s.receive(ended));
  setHandler(m.nextLeadUpdate, (req) => nextLead(s, req), { validator: (req) => checkNextLead(s, req) });
  setHandler(m.reportCallUpdate, (report) => reportCall(s, report), { validator: (report) => checkReport(s, report) });

  // The API writes the row after starting this workflow, and may die in between: the first run makes sure of it.
  if (!input.carried && patched(m.LAUNCH_RECORDS_ROW)) {
    await data.campaign.recordLaunch({ definition: input.definition, idempotencyKey: input.idempotencyKey ?? null });
  }
  if (!input.carried && !(await scheduledStart(run))) return s.progress();
  await recordStatus(run);
  if (s.pulling) {
    const pulled = await listPull.pullList({ campaignId: s.campaignId, segment: s.def.segment, offerCode: s.def.offer.code, contactCap: s.def.contactCap });
    s.listed = pulled.listed;
    s.pulling = false;
  }

  const info = (run.info = workflowInfo());
  // Read fresh: workflowInfo() is a copy, and the server's suggestion comes with a later task.
  const freshCheck = patched(m.FRESH_HANDOVER_CHECK);
  run.handOverDue = () => (freshCheck ? workflowInfo() : info).continueAsNewSuggested || workflowInfo().historyLength >= run.historyLimit;

  if (!patched(m.CALLS_BY_SIGNAL)) return legacyDialing(run);
  run.riding = patched(m.RIDE_OUT_OUTAGES);
  const safeHandover = patched(m.SAFE_HANDOVER);
  if (run.riding) run.store = riddenOutStore(s.outages, () => showDetails(s));
  await dialingLoop(run);
  return handOverOrEnd(run, safeHandover);
}

/**
 * The definition as validated before the start (the API, the launch), with the defaults of later
 * fields as plain data: no schema parse here, so tightening a schema cannot change a replay. What
 * the workflow cannot run without is still checked, as a business error (definitionProblems).
 */
function definitionOf(given: CampaignDefinition): CampaignDefinition {
  const problems = definitionProblems(given);
  if (problems.length) throw ApplicationFailure.nonRetryable(`invalid campaign definition: ${problems.join('; ')}`, 'InvalidCampaign');
  return withDefinitionDefaults(given);
}

/** Scheduled launch: waits (durably) for the start time; false when a cancel meanwhile ended it before any call. */
async function scheduledStart(run: Run): Promise<boolean> {
  const { s } = run;
  if (!s.def.startAt || Date.parse(s.def.startAt) <= Date.now()) return true;
  s.scheduled = true;
  await recordStatus(run);
  await condition(() => s.cancelled, Date.parse(s.def.startAt) - Date.now());
  s.scheduled = false;
  if (!s.cancelled) return true;
  s.endedBecause = 'cancelled';
  s.pulling = false;
  await recordStatus(run);
  return false;
}

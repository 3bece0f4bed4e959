import { ApplicationFailure, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { definitionProblems, withDefinitionDefaults } from '../../domain/campaign/definition';
import type { CampaignDefinition } from '../../domain/campaign/campaign';
import { stubs, listPull, riddenOutStore } from './activities';
import { cancel, changeAndKeepSettings, pause, refuse, resume, validateDialing, validateSettings, checkCancel } from './controls';
import { showDetails } from './details';
import { dialingLoop } from './dialing';
import { handOverOrEnd } from './handover';
import { legacyDialing } from './legacy';
import * as m from './messages';
import { checkNextLead, checkReport, nextLead, reportCall } from './preview';
import { newRun, recordStatus, type Run } from './run';
import { CampaignState } from './state';
import { progressOf } from './progress';

export async function campaignWorkflow(input: m.CampaignWorkflowInput): Promise<m.CampaignProgress> {
  const state = new CampaignState(definitionOf(input.definition), input.carried);
  const run = newRun(state, input.historyLimit ?? m.DEFAULT_HISTORY_LIMIT, input.drainDialerLimitSeconds, workflowInfo());

  setHandler(m.progressQuery, () => progressOf(state));
  setHandler(m.stopLeadSignal, (stop) => state.stop(stop));
  setHandler(m.pauseUpdate, (req) => pause(state, req), { validator: (_req) => refuse(state, 'pause')() });
  setHandler(m.resumeUpdate, (req) => resume(state, req), { validator: (_req) => refuse(state, 'resume')() });
  setHandler(m.cancelUpdate, (req) => cancel(state, req), { validator: (req: m.CancelRequest | undefined) => checkCancel(state, req) });
  setHandler(m.updateSettingsUpdate, (change, by) => changeAndKeepSettings(state, change, by), { validator: (change, _by) => validateSettings(state, change) });
  setHandler(m.updateDialingUpdate, (change, by) => changeAndKeepSettings(state, { dialing: change }, by), { validator: (change, _by) => validateDialing(state, change) });
  setHandler(m.callEndedSignal, (ended) => state.receive(ended));
  setHandler(m.nextLeadUpdate, (req) => nextLead(state, req), { validator: (req) => checkNextLead(state, req) });
  setHandler(m.reportCallUpdate, (report) => reportCall(state, report), { validator: (report) => checkReport(state, report) });

  // The API writes the row after starting this workflow, and may die in between: the first run makes sure of it.
  if (!input.carried && patched(m.LAUNCH_RECORDS_ROW)) {
    await stubs.campaign.recordLaunch({ definition: input.definition, idempotencyKey: input.idempotencyKey ?? null });
  }
  if (!input.carried && !(await scheduledStart(run))) return progressOf(state);
  await recordStatus(run);
  if (state.pulling) {
    const pulled = await listPull.pullList({ campaignId: state.campaignId, segment: state.def.segment, offerCode: state.def.offer.code, contactCap: state.def.contactCap });
    state.listed = pulled.listed;
    state.pulling = false;
  }

  const info = (run.info = workflowInfo());
  // Read fresh: workflowInfo() is a copy, and the server's suggestion comes with a later task.
  const freshCheck = patched(m.FRESH_HANDOVER_CHECK);
  run.handOverDue = () => (freshCheck ? workflowInfo() : info).continueAsNewSuggested || workflowInfo().historyLength >= run.historyLimit;

  if (!patched(m.CALLS_BY_SIGNAL)) return legacyDialing(run);
  run.riding = patched(m.RIDE_OUT_OUTAGES);
  run.readsFunnel = patched(m.FUNNEL_FROM_REPORTS);
  const safeHandover = patched(m.SAFE_HANDOVER);
  if (run.riding) run.store = riddenOutStore(state.outages, () => showDetails(state));
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
  const { state } = run;
  if (!state.def.startAt || Date.parse(state.def.startAt) <= Date.now()) return true;
  state.scheduled = true;
  await recordStatus(run);
  await condition(() => state.cancelled, Date.parse(state.def.startAt) - Date.now());
  state.scheduled = false;
  if (!state.cancelled) return true;
  state.endedBecause = 'cancelled';
  state.pulling = false;
  await recordStatus(run);
  return false;
}

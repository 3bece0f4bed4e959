import { currentUpdateInfo, patched } from '@temporalio/workflow';
import { DialingChangeSchema, SettingsChangeSchema } from '../../domain/campaign/campaign';
import { showDetails } from './details';
import type { Actor } from '../../domain/access/roles';
import { stubs } from './activities';
import { SETTINGS_VERSIONS, type CampaignProgress, type CancelRequest, type ControlRequest, type DialingChangeMessage, type SettingsChangeMessage } from './messages';
import type { CampaignState } from './state';
import { progressOf } from './progress';

// People's controls of a running campaign. The validators check with the schemas (they run when
// an update comes in, never on replay); the handlers apply the value as given.

/** A validator: refuses a control the status does not allow. */
export const refuse = (state: CampaignState, action: 'pause' | 'resume' | 'cancel') => () => {
  const why = state.refusal(action);
  if (why) throw new Error(why);
};

/** A validator for cancel: the status allows it, and a reason is a short line of text. */
export const checkCancel = (state: CampaignState, req: CancelRequest | undefined) => {
  refuse(state, 'cancel')();
  const reason: unknown = req?.reason;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new Error('reason: at most 500 characters of text');
};

/** New agent work waits while the run hands over, so the hand-over cannot starve. */
export function refuseWhileHandingOver(state: CampaignState): void {
  if (state.handingOver) throw new Error('handing over, retry in a second');
}

export function pause(state: CampaignState, req: ControlRequest | undefined): CampaignProgress { // undefined from callers before `by`
  state.pause(new Date().toISOString(), req?.by);
  showDetails(state);
  return progressOf(state);
}

export function resume(state: CampaignState, req: ControlRequest | undefined): CampaignProgress {
  state.resume(new Date().toISOString(), req?.by);
  showDetails(state);
  return progressOf(state);
}

export function cancel(state: CampaignState, req: CancelRequest | undefined): CampaignProgress { // undefined from callers before the reason
  state.cancel(req?.reason, new Date().toISOString(), req?.by);
  showDetails(state);
  return progressOf(state);
}

export function changeSettings(state: CampaignState, change: SettingsChangeMessage, by: Actor | undefined): CampaignProgress {
  state.applySettings(change);
  state.controlled('settings changed', new Date().toISOString(), by);
  showDetails(state);
  return progressOf(state);
}

/**
 * A change of settings, applied at once and then kept as the campaign's next version (the
 * settings now in force, the change, who, when) before the update answers. Histories from before
 * SETTINGS_VERSIONS answer at once, as they did. Ids and settings only travel: no personal data.
 */
export function changeAndKeepSettings(state: CampaignState, change: SettingsChangeMessage, by: Actor | undefined): CampaignProgress | Promise<CampaignProgress> {
  const progress = changeSettings(state, change, by);
  if (!patched(SETTINGS_VERSIONS)) return progress;
  const { dialing, pacing, window } = state.def;
  return stubs.campaign.recordSettingsVersion({
    campaignId: state.campaignId, changeId: currentUpdateInfo()?.id ?? `settings-${state.settings}`,
    settings: { dialing, pacing, window }, change, ...(by ? { by } : {}), at: new Date().toISOString(),
  }).then(() => progress);
}

const issues = (error: { issues: { path: PropertyKey[]; message: string }[] }, prefix: string[]) =>
  error.issues.map((i) => `${[...prefix, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');

// Settings: validated whole before anything changes; a finished campaign cannot be tuned, a paused one can.
export function validateSettings(state: CampaignState, change: SettingsChangeMessage): void {
  const parsed = SettingsChangeSchema.safeParse(change);
  if (!parsed.success) throw new Error(issues(parsed.error, []));
  const mode = parsed.data.pacing?.mode;
  if ((mode === 'preview' || mode === 'predictive') && !state.def.team) {
    throw new Error(`pacing.mode: ${mode} pacing needs the campaign's team (its agents); this campaign has none`);
  }
  refuse(state, 'cancel')();
}

export function validateDialing(state: CampaignState, change: DialingChangeMessage): void {
  const parsed = DialingChangeSchema.safeParse(change);
  if (!parsed.success) throw new Error(issues(parsed.error, ['dialing']));
  refuse(state, 'cancel')();
}
